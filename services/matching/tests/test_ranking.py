"""The ranking function alone: plain data in, explained and deterministic order out."""

from hypothesis import given, settings
from hypothesis import strategies as st

from services.matching.matching.ranking import EnterpriseFacts, ProviderFacts, SolutionFacts, conflicted, rank
from services.matching.rules.schemas import MatchingWeights, RuleKind
from services.matching.rules.service import preset

WEIGHTS = MatchingWeights.model_validate(preset(RuleKind.matching_weights))
ENTERPRISE = EnterpriseFacts(
    uscc="E1",
    industry_code="C36",
    county_code="340104",
    needed_scenarios=frozenset({"S05", "S06"}),
    budget_fen=100,
)


def provider(pid: str, **overrides: object) -> ProviderFacts:
    values: dict[str, object] = {
        "provider_id": pid,
        "uscc": f"U-{pid}",
        "industries": frozenset({"C36"}),
        "counties": frozenset({"340104"}),
        "related_usccs": frozenset(),
        "rating_centi": 8000,
        "open_projects": 0,
    }
    values.update(overrides)
    return ProviderFacts(**values)  # type: ignore[arg-type]


def solution(sid: str, pid: str, *scenarios: str, **overrides: object) -> SolutionFacts:
    values: dict[str, object] = {
        "solution_id": sid,
        "provider_id": pid,
        "scenario_codes": frozenset(scenarios),
        "industries": frozenset({"C36"}),
        "list_price_fen": 100,
        "uses": 0,
        "rating_avg_centi": None,
    }
    values.update(overrides)
    return SolutionFacts(**values)  # type: ignore[arg-type]


def run(
    providers: list[ProviderFacts], solutions: list[SolutionFacts], enterprise: EnterpriseFacts = ENTERPRISE
):
    return rank(enterprise, providers, solutions, WEIGHTS.weights, WEIGHTS.max_open_projects)


class TestExplainedScore:
    def test_every_factor_is_reported_with_its_weight(self) -> None:
        result = run([provider("p1")], [solution("s1", "p1", "S05")])
        [ranked] = result.solutions
        factors = {f.code: f for f in ranked.factors}
        assert set(factors) == set(WEIGHTS.weights)
        assert factors["scenario_coverage"].value == 500 and factors["scenario_coverage"].weight == 35
        assert factors["industry_fit"].value == 1000 and factors["county_served"].value == 1000
        assert factors["rating"].value == 800 and factors["capacity"].value == 1000
        assert factors["price_fit"].value == 1000 and factors["track_record"].value == 0
        expected = (500 * 35 + 1000 * 15 + 1000 * 10 + 800 * 15 + 1000 * 10 + 1000 * 10 + 0 * 5) // 100
        assert ranked.score == expected and ranked.covered_scenarios == ("S05",)

    def test_over_budget_scales_and_no_budget_is_neutral(self) -> None:
        over = run([provider("p1")], [solution("s1", "p1", "S05", list_price_fen=400)])
        assert {f.code: f.value for f in over.solutions[0].factors}["price_fit"] == 250
        free = run(
            [provider("p1")],
            [solution("s1", "p1", "S05")],
            EnterpriseFacts("E1", "C36", "340104", frozenset({"S05"}), None),
        )
        assert {f.code: f.value for f in free.solutions[0].factors}["price_fit"] == 500


class TestOrder:
    def test_better_coverage_ranks_first_and_uncovering_products_are_left_out(self) -> None:
        result = run(
            [provider("p1"), provider("p2")],
            [solution("s1", "p1", "S05"), solution("s2", "p2", "S05", "S06"), solution("s3", "p2", "S16")],
        )
        assert [r.solution_id for r in result.solutions] == ["s2", "s1"]

    def test_deterministic_for_a_fixed_dataset(self) -> None:
        providers = [provider(f"p{i}", rating_centi=7000 + i % 3 * 100) for i in range(8)]
        solutions = [solution(f"s{i}", f"p{i % 8}", "S05", "S06" if i % 2 else "S05") for i in range(20)]
        first = run(providers, solutions)
        assert first == run(list(reversed(providers)), list(reversed(solutions)))
        # Equal scores break on the solution id.
        scores = [(r.score, r.solution_id) for r in first.solutions]
        assert scores == sorted(scores, key=lambda s: (-s[0], s[1]))

    def test_a_provider_at_capacity_drops_below_those_with_room(self) -> None:
        busy = provider("p1", open_projects=WEIGHTS.max_open_projects, rating_centi=10000)
        result = run(
            [busy, provider("p2", rating_centi=1000)],
            [solution("s1", "p1", "S05", "S06", uses=5), solution("s2", "p2", "S05")],
        )
        assert [r.solution_id for r in result.solutions] == ["s2", "s1"]
        assert result.solutions[1].at_capacity and not result.solutions[0].at_capacity

    def test_linked_providers_are_excluded(self) -> None:
        result = run(
            [provider("p1", related_usccs=frozenset({"E1"})), provider("p2", uscc="E1"), provider("p3")],
            [solution("s1", "p1", "S05"), solution("s2", "p2", "S05"), solution("s3", "p3", "S05")],
        )
        assert [r.solution_id for r in result.solutions] == ["s3"]
        assert [(e.provider_id, e.reason) for e in result.excluded] == [
            ("p1", "conflict_of_interest"),
            ("p2", "conflict_of_interest"),
        ]
        assert conflicted("E1", "E1", []) and not conflicted("E1", "X", ["Y"])

    def test_weights_change_the_order(self) -> None:
        providers = [provider("near"), provider("far", counties=frozenset({"999999"}), rating_centi=10000)]
        solutions = [solution("a", "near", "S05"), solution("b", "far", "S05")]
        county_first = dict.fromkeys(WEIGHTS.weights, 0) | {"county_served": 1}
        rating_first = dict.fromkeys(WEIGHTS.weights, 0) | {"rating": 1}
        assert rank(ENTERPRISE, providers, solutions, county_first, 10).solutions[0].solution_id == "a"
        assert rank(ENTERPRISE, providers, solutions, rating_first, 10).solutions[0].solution_id == "b"


class TestProperties:
    @given(
        st.lists(
            st.tuples(
                st.integers(0, 7),
                st.sets(st.sampled_from(["S01", "S05", "S06", "S09"]), min_size=1),
                st.integers(0, 500),
                st.integers(0, 12),
            ),
            min_size=1,
            max_size=15,
        ),
        st.randoms(use_true_random=False),
    )
    @settings(max_examples=60, deadline=None)
    def test_order_does_not_depend_on_input_order(self, rows, rnd) -> None:  # type: ignore[no-untyped-def]
        providers = [provider(f"p{i}", open_projects=i % 12, rating_centi=6000 + i * 500) for i in range(8)]
        solutions = [
            solution(f"s{n:02d}", f"p{pid}", *scenarios, list_price_fen=price, uses=uses)
            for n, (pid, scenarios, price, uses) in enumerate(rows)
        ]
        expected = run(providers, solutions)
        rnd.shuffle(providers)
        rnd.shuffle(solutions)
        shuffled = run(providers, solutions)
        assert shuffled == expected
        # Room first, then score, then id; every score within 0..1000.
        keys = [(r.at_capacity, -r.score, r.solution_id) for r in expected.solutions]
        assert keys == sorted(keys) and all(0 <= r.score <= 1000 for r in expected.solutions)
