"""Hand-computed cases per seed preset (amounts in fen: 1 万元 = 1,000,000 fen)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.funding.calculation.engine import (
    Assumptions,
    Facts,
    apply_rate,
    quote,
    simulate,
    split_by_source,
    year_since_approval,
    yuan,
)
from services.funding.policy.document import Recipient
from services.funding.policy.presets import load_preset, preset_keys

WAN = 1_000_000  # 1 万元 in fen
ACCEPTED = date(2025, 6, 30)


def enterprise(level: int, **kwargs: object) -> Facts:
    kwargs.setdefault("accepted_on", ACCEPTED)
    return Facts("91410700MA00000000", level=level, **kwargs)  # type: ignore[arg-type]


def software(fen: int) -> dict[str, int]:
    return {"software": fen}


def amount(policy_key: str, facts: Facts, line: str = "transformation_subsidy") -> int:
    result = quote(load_preset(policy_key), facts).line(line)
    assert result is not None
    return result.amount_fen


class TestPresets:
    def test_every_preset_loads(self) -> None:
        assert preset_keys() == ["hefei", "jinhua", "luoyang", "xinxiang", "zibo"]
        for key in preset_keys():
            assert load_preset(key).key == key


class TestLuoyang:
    @pytest.mark.parametrize(
        ("level", "spent", "expected"),
        [
            (1, 100 * WAN, 0),  # level 1 gets nothing
            (2, 60 * WAN, 30 * WAN),  # exactly at the L2 cap
            (2, 60 * WAN + 2, 30 * WAN),  # one fen of subsidy over: capped
            (2, 60 * WAN - 2, 30 * WAN - 1),
            (3, 100 * WAN, 50 * WAN),
            (3, 120 * WAN, 50 * WAN),
            (4, 140 * WAN, 70 * WAN),
            (4, 200 * WAN, 70 * WAN),
            (4, 3, 1),  # 1.5 fen floors to 1
        ],
    )
    def test_half_of_eligible_spending_capped_by_level(self, level: int, spent: int, expected: int) -> None:
        assert amount("luoyang", enterprise(level, spending_fen=software(spent))) == expected

    def test_only_eligible_categories_count(self) -> None:
        facts = enterprise(
            3,
            spending_fen={
                "software": 20 * WAN,
                "cloud_service": 10 * WAN,
                "data_collection_hardware": 10 * WAN,
                "implementation_service": 50 * WAN,
            },
        )
        assert amount("luoyang", facts) == 20 * WAN

    def test_explanation_names_the_cap(self) -> None:
        line = quote(load_preset("luoyang"), enterprise(3, spending_fen=software(120 * WAN))).line(
            "transformation_subsidy"
        )
        assert line is not None
        assert line.explanation == (
            "eligible spending 1,200,000.00 × 50% = 600,000.00; capped at 500,000.00 for L3"
        )


class TestXinxiang:
    @pytest.mark.parametrize(
        ("level", "spent", "expected"),
        [
            (1, 200 * WAN, 0),
            (2, 100 * WAN, 50 * WAN),  # 50 % of 100万 = 50万, exactly the cap
            (2, 80 * WAN, 40 * WAN),
            (2, 101 * WAN, 50 * WAN),
            (3, 100 * WAN, 70 * WAN),  # 70 % of 100万 = 70万, the cap
            (3, 120 * WAN, 70 * WAN),
            (3, 50 * WAN, 35 * WAN),
            (4, 90 * WAN, 63 * WAN),
        ],
    )
    def test_rate_and_cap_by_level(self, level: int, spent: int, expected: int) -> None:
        assert amount("xinxiang", enterprise(level, spending_fen=software(spent))) == expected

    def test_the_issue_example(self) -> None:
        line = quote(load_preset("xinxiang"), enterprise(3, spending_fen=software(120 * WAN))).line(
            "transformation_subsidy"
        )
        assert line is not None and line.amount_fen == 70 * WAN
        assert line.explanation.endswith("× 70% = 840,000.00; capped at 700,000.00 for L3")

    def test_loan_interest_is_capped_per_year(self) -> None:
        facts = enterprise(0, loan_interest_fen={2025: 6 * WAN, 2026: 5 * WAN, 2027: 1 * WAN})
        line = quote(load_preset("xinxiang"), facts).line("loan_interest_subsidy")
        assert line is not None
        assert dict(line.by_year) == {2025: 5 * WAN, 2026: 5 * WAN, 2027: 1 * WAN}
        assert line.amount_fen == 11 * WAN

    def test_awards_need_their_designation(self) -> None:
        policy = load_preset("xinxiang")
        plain = quote(policy, enterprise(2))
        assert plain.line("showcase_award").amount_fen == 0  # type: ignore[union-attr]
        awarded = quote(policy, enterprise(2, designations=frozenset({"showcase", "chain_case"})))
        assert awarded.line("showcase_award").amount_fen == 15 * WAN  # type: ignore[union-attr]
        assert awarded.line("chain_case_award").amount_fen == 10 * WAN  # type: ignore[union-attr]

    def test_diagnosis_fee_stops_at_the_programme_total(self) -> None:
        policy = load_preset("xinxiang")
        provider = Facts("P1", recipient=Recipient.provider, admitted=False, counts={"diagnoses": 30})
        fresh = quote(policy, provider).line("diagnosis_fee")
        assert fresh is not None and fresh.amount_fen == 30 * 200_000
        nearly_spent = quote(policy, provider, line_used_fen={"diagnosis_fee": 100 * WAN - 50_000})
        assert nearly_spent.line("diagnosis_fee").amount_fen == 50_000  # type: ignore[union-attr]
        spent = quote(policy, provider, line_used_fen={"diagnosis_fee": 100 * WAN})
        assert spent.line("diagnosis_fee").amount_fen == 0  # type: ignore[union-attr]

    def test_evaluation_fee(self) -> None:
        evaluator = Facts("E1", recipient=Recipient.evaluator, admitted=False, counts={"evaluations": 10})
        assert amount("xinxiang", evaluator, "acceptance_evaluation_fee") == 10 * 600_000

    def test_one_off_award_not_paid_twice(self) -> None:
        policy = load_preset("xinxiang")
        facts = enterprise(0, designations=frozenset({"first_little_giant"}))
        again = quote(policy, facts, recipient_used_fen={"little_giant_award": 50 * WAN})
        assert quote(policy, facts).line("little_giant_award").amount_fen == 50 * WAN  # type: ignore[union-attr]
        assert again.line("little_giant_award").amount_fen == 0  # type: ignore[union-attr]


class TestJinhua:
    APPROVED = date(2024, 9, 1)

    @pytest.mark.parametrize(
        ("accepted", "year"),
        [
            (date(2024, 8, 31), None),
            (date(2024, 9, 1), 1),
            (date(2025, 8, 31), 1),
            (date(2025, 9, 1), 2),
            (date(2026, 8, 31), 2),
            (date(2026, 9, 1), 3),
        ],
    )
    def test_year_boundaries(self, accepted: date, year: int | None) -> None:
        assert year_since_approval(self.APPROVED, accepted) == year

    @pytest.mark.parametrize(
        ("level", "invested", "accepted", "expected"),
        [
            (1, 100 * WAN, date(2025, 1, 1), 0),
            (2, 100 * WAN, date(2025, 8, 31), 50 * WAN),  # year 1: 50 %, exactly the L2 cap
            (2, 100 * WAN, date(2025, 9, 1), 40 * WAN),  # year 2: 40 %
            (2, 200 * WAN, date(2025, 9, 1), 50 * WAN),  # year 2 capped at 50万
            (3, 160 * WAN, date(2025, 1, 1), 80 * WAN),  # L3 cap 80万
            (3, 170 * WAN, date(2025, 1, 1), 80 * WAN),
            (4, 200 * WAN, date(2025, 1, 1), 100 * WAN),  # L4 cap 100万
            (4, 300 * WAN, date(2026, 1, 1), 100 * WAN),  # 40 % of 300万 = 120万, capped
            (4, 300 * WAN, date(2026, 9, 1), 0),  # after the two-year pilot period
            (4, 300 * WAN, date(2024, 8, 1), 0),  # before approval
        ],
    )
    def test_rate_by_year_cap_by_level(
        self, level: int, invested: int, accepted: date, expected: int
    ) -> None:
        facts = enterprise(level, actual_investment_fen=invested, accepted_on=accepted)
        assert amount("jinhua", facts) == expected

    def test_one_off_awards(self) -> None:
        facts = enterprise(
            2,
            designations=frozenset({"transformation_standard_met", "showcase", "chain_case"}),
        )
        result = quote(load_preset("jinhua"), facts)
        amounts = {line.code: line.amount_fen for line in result.lines if line.eligible}
        assert amounts == {
            "standard_met_award": 30 * WAN,
            "showcase_award": 10 * WAN,
            "chain_case_award": 30 * WAN,
        }

    def test_split_is_central_one_to_local_one_and_a_half(self) -> None:
        policy = load_preset("jinhua")
        line = policy.line("transformation_subsidy")
        assert line is not None
        parts = dict(split_by_source(policy, line, 50 * WAN))
        assert parts == {"central": 20 * WAN, "city": 10 * WAN, "county": 20 * WAN}
        # floors 2 + 1 + 2 = 5; the remaining 2 fen go to the first source
        assert dict(split_by_source(policy, line, 7)) == {"central": 4, "city": 1, "county": 2}

    def test_products_paid_by_the_city_only(self) -> None:
        policy = load_preset("jinhua")
        line = policy.line("excellent_product_award")
        assert line is not None
        assert split_by_source(policy, line, 10 * WAN) == [("city", 10 * WAN)]


class TestSimplePresets:
    @pytest.mark.parametrize("key", ["zibo", "hefei"])
    def test_placeholder_line(self, key: str) -> None:
        assert amount(key, enterprise(2, spending_fen=software(200 * WAN))) == 50 * WAN
        assert amount(key, enterprise(1, spending_fen=software(200 * WAN))) == 0


class TestSimulation:
    def test_budget_per_source_and_year(self) -> None:
        policy = load_preset("luoyang")
        enterprises = [Facts(f"E{i}", spending_fen=software(100 * WAN)) for i in range(10)]
        result = simulate(
            policy,
            enterprises,
            Assumptions(
                level_distribution={1: 2, 2: 5, 3: 2, 4: 1},
                acceptance_dates={date(2026, 5, 1): 1, date(2027, 1, 1): 1},
            ),
        )
        assert result.level_counts == {1: 2, 2: 5, 3: 2, 4: 1}
        # L2 5 × 30万, L3 2 × 50万, L4 1 × 50万 (50 % of 100万), plus 150万 training.
        transformation = 5 * 30 * WAN + 2 * 50 * WAN + 50 * WAN
        assert result.by_line == {"transformation_subsidy": transformation, "training_and_events": 150 * WAN}
        total = sum(sum(years.values()) for years in result.by_source_year.values())
        assert total == result.total_fen == transformation + 150 * WAN
        assert set(result.by_source_year["central"]) == {2026, 2027}

    def test_programme_total_exceeded(self) -> None:
        policy = load_preset("zibo").model_copy(update={"programme_total_fen": 80 * WAN})
        enterprises = [Facts(f"E{i}", level=2, spending_fen=software(100 * WAN)) for i in range(3)]
        result = simulate(policy, enterprises, Assumptions())
        assert result.total_fen == 150 * WAN and result.programme_total_exceeded_fen == 70 * WAN

    def test_central_first_come_first_served(self) -> None:
        policy = load_preset("jinhua")
        enterprises = [
            Facts(f"E{i}", level=2, accepted_on=date(2025, 1, 10 - i), actual_investment_fen=100 * WAN)
            for i in range(3)
        ]
        result = simulate(policy, enterprises, Assumptions(central_budget_fen=30 * WAN))
        # Each needs 20万 central; 30万 covers the earliest fully and half of the next.
        assert result.by_source_year["central"] == {2025: 30 * WAN}
        assert result.central_overflow_fen == 30 * WAN
        assert sum(sum(y.values()) for y in result.by_source_year.values()) == 150 * WAN

    def test_ten_thousand_enterprises(self) -> None:
        policy = load_preset("xinxiang")
        enterprises = [Facts(f"E{i}", spending_fen=software(WAN * (i % 200))) for i in range(10_000)]
        result = simulate(policy, enterprises, Assumptions(level_distribution={1: 1, 2: 6, 3: 2, 4: 1}))
        assert result.enterprises == 10_000 and result.level_counts[2] == 6_000


levels = st.integers(min_value=0, max_value=4)
money = st.integers(min_value=0, max_value=10**12)


class TestProperties:
    @given(key=st.sampled_from(["luoyang", "xinxiang", "jinhua", "zibo", "hefei"]), level=levels, spent=money)
    def test_never_negative_never_above_cap(self, key: str, level: int, spent: int) -> None:
        policy = load_preset(key)
        facts = enterprise(level, spending_fen=software(spent), actual_investment_fen=spent)
        for line in quote(policy, facts).lines:
            rule = policy.line(line.code)
            assert rule is not None
            assert line.amount_fen >= 0
            if rule.caps.by_level_fen:
                assert line.amount_fen <= rule.caps.by_level_fen.get(level, 0)
            if rule.caps.per_recipient_fen is not None:
                assert line.amount_fen <= rule.caps.per_recipient_fen
            assert line.amount_fen <= line.computed_fen or not line.eligible
            if level <= 1 and rule.eligibility.min_level >= 2:
                assert line.amount_fen == 0

    @given(key=st.sampled_from(["luoyang", "xinxiang", "jinhua"]), level=levels, a=money, b=money)
    def test_monotone_in_spending(self, key: str, level: int, a: int, b: int) -> None:
        low, high = sorted((a, b))
        policy = load_preset(key)
        small = quote(policy, enterprise(level, spending_fen=software(low), actual_investment_fen=low))
        large = quote(policy, enterprise(level, spending_fen=software(high), actual_investment_fen=high))
        assert small.total_fen <= large.total_fen

    @given(total=st.integers(min_value=0, max_value=10**13))
    def test_split_adds_up(self, total: int) -> None:
        policy = load_preset("jinhua")
        line = policy.line("transformation_subsidy")
        assert line is not None
        assert sum(part for _, part in split_by_source(policy, line, total)) == total

    @given(base=money, rate=st.integers(min_value=0, max_value=10000))
    def test_rounding(self, base: int, rate: int) -> None:
        assert apply_rate(base, rate) * 10000 <= base * rate < (apply_rate(base, rate) + 1) * 10000
        assert abs(apply_rate(base, rate, "half_up") * 10000 - base * rate) <= 5000

    def test_yuan_format(self) -> None:
        assert yuan(123456789) == "1,234,567.89" and yuan(-5) == "-0.05"
