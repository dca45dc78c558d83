"""Properties of the scoring engine over the MIIT index: every score within its bounds, the level 0–4 and
consistent with its checks, monotone in the answers (a better answer or scenario never lowers the score
or the level) and deterministic (same answers in any order → the same result). SZ_PROPERTY_EXAMPLES sets
the examples per property."""

import os
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.assessment.scoring.engine import Answers, question_score, result_as_dict, score
from services.assessment.tests.helpers import MIIT
from services.assessment.tests.test_scoring import VARIANTS

EXAMPLES = int(os.environ.get("SZ_PROPERTY_EXAMPLES", "80"))
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
QUESTIONS = {q.code: q for q in MIIT.questions}

answer_sets = st.fixed_dictionaries({code: st.sampled_from(VARIANTS[code]) for code in QUESTIONS})
level_sets = st.fixed_dictionaries({s.code: st.integers(0, 4) for s in MIIT.scenarios})


def points(code: str, keys: list[str]) -> Decimal:
    return question_score(MIIT, code, keys)


class TestBounds:
    @PROPERTY
    @given(answer_sets, level_sets)
    def test_every_node_within_its_points_and_the_level_within_0_to_4(
        self, options: dict[str, list[str]], levels: dict[str, int]
    ) -> None:
        result = score(MIIT, Answers(options, levels))
        assert Decimal(0) <= result.base_score <= Decimal(100)
        for node in [*result.questions, *result.indicators, *result.dimensions]:
            assert Decimal(0) <= node.score <= node.max_score, node.code
        assert result.base_score == sum(d.score for d in result.dimensions)
        assert result.level in (0, 1, 2, 3, 4)
        assert 0 <= result.base_score_milli <= 100_000

    @PROPERTY
    @given(answer_sets, level_sets)
    def test_the_level_is_the_highest_rule_met(
        self, options: dict[str, list[str]], levels: dict[str, int]
    ) -> None:
        result = score(MIIT, Answers(options, levels))
        met = [check.level for check in result.level_checks if check.met]
        assert result.level == (max(met) if met else 0)


class TestMonotone:
    @PROPERTY
    @given(answer_sets, level_sets, st.sampled_from(sorted(QUESTIONS)), st.data())
    def test_a_better_answer_never_lowers_score_or_level(
        self, options: dict[str, list[str]], levels: dict[str, int], code: str, data: st.DataObject
    ) -> None:
        current = points(code, options[code])
        better = [keys for keys in VARIANTS[code] if points(code, keys) >= current]
        improved = {**options, code: data.draw(st.sampled_from(better))}
        before = score(MIIT, Answers(options, levels))
        after = score(MIIT, Answers(improved, levels))
        assert after.base_score >= before.base_score
        assert after.level >= before.level

    @PROPERTY
    @given(answer_sets, level_sets, st.sampled_from([s.code for s in MIIT.scenarios]))
    def test_a_higher_scenario_level_never_lowers_the_level(
        self, options: dict[str, list[str]], levels: dict[str, int], scenario: str
    ) -> None:
        before = score(MIIT, Answers(options, levels)).level
        raised = {**levels, scenario: min(4, levels[scenario] + 1)}
        assert score(MIIT, Answers(options, raised)).level >= before


class TestDeterministic:
    @PROPERTY
    @given(answer_sets, level_sets, st.randoms(use_true_random=False))
    def test_same_answers_in_any_order_give_the_same_result(
        self, options: dict[str, list[str]], levels: dict[str, int], rng
    ) -> None:  # type: ignore[no-untyped-def]
        first = result_as_dict(score(MIIT, Answers(options, levels)))
        codes = list(options)
        rng.shuffle(codes)
        shuffled = {code: list(reversed(options[code])) for code in codes}
        scenario_codes = list(levels)
        rng.shuffle(scenario_codes)
        again = result_as_dict(score(MIIT, Answers(shuffled, {c: levels[c] for c in scenario_codes})))
        assert again == first
