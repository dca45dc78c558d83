"""Properties of the subsidy engine over every seed policy and every benefit line: integer fen, never
negative, never above any cap (by level, per recipient, per year, the line's programme total), nothing
below the line's required level, monotone in spending and in what was already committed; simulations add
up. SZ_PROPERTY_EXAMPLES sets the examples per property (default small, for CI)."""

import os
from dataclasses import replace
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.funding.calculation.engine import (
    Assumptions,
    Facts,
    quote,
    quote_line,
    simulate,
    split_by_source,
)
from services.funding.policy.document import BaseKind, PolicyDocument, Recipient
from services.funding.policy.presets import load_preset, preset_keys

EXAMPLES = int(os.environ.get("SZ_PROPERTY_EXAMPLES", "80"))
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

POLICIES = {key: load_preset(key) for key in preset_keys()}
CATEGORIES = sorted(
    {c for p in POLICIES.values() for line in p.lines for c in line.base.categories} | {"other"}
)
DESIGNATIONS = sorted(
    {d for p in POLICIES.values() for line in p.lines for d in line.eligibility.designations_any}
)
UNITS = sorted({line.base.unit for p in POLICIES.values() for line in p.lines if line.base.unit})
MONEY = st.integers(min_value=0, max_value=10**12)  # up to 100 亿元 in fen


@st.composite
def cases(draw: st.DrawFn) -> tuple[PolicyDocument, Facts]:
    policy = POLICIES[draw(st.sampled_from(sorted(POLICIES)))]
    recipient = draw(st.sampled_from([Recipient.enterprise, Recipient.provider, Recipient.evaluator]))
    facts = Facts(
        recipient_id="R1",
        recipient=recipient,
        admitted=draw(st.booleans()),
        level=draw(st.integers(min_value=0, max_value=4)),
        accepted_on=draw(
            st.none() | st.integers(-400, 5 * 366).map(lambda d: policy.approved_on + timedelta(days=d))
        ),
        designations=frozenset(draw(st.sets(st.sampled_from(DESIGNATIONS)))),
        spending_fen=draw(st.dictionaries(st.sampled_from(CATEGORIES), MONEY, max_size=4)),
        actual_investment_fen=draw(MONEY),
        loan_interest_fen=draw(st.dictionaries(st.integers(2024, 2030), MONEY, max_size=4)),
        service_income_fen=draw(MONEY),
        counts=draw(st.dictionaries(st.sampled_from(UNITS or ["unit"]), st.integers(0, 10_000), max_size=3)),
    )
    return policy, facts


USED = st.integers(min_value=0, max_value=10**10)


class TestEveryLineStaysWithinItsLimits:
    @PROPERTY
    @given(cases(), USED, USED)
    def test_integer_fen_never_negative_never_above_a_cap(
        self, case: tuple[PolicyDocument, Facts], line_used: int, recipient_used: int
    ) -> None:
        policy, facts = case
        for rule in policy.lines:
            result = quote_line(
                policy, rule, facts, line_used_fen=line_used, recipient_used_fen=recipient_used
            )
            assert type(result.amount_fen) is int and result.amount_fen >= 0
            assert all(type(v) is int and v >= 0 for v in result.by_year.values())
            if not result.eligible:
                assert result.amount_fen == 0
                continue
            assert result.amount_fen <= result.computed_fen
            assert sum(result.by_year.values()) == result.amount_fen
            caps = rule.caps
            if caps.by_level_fen:
                assert result.amount_fen <= caps.by_level_fen[facts.level]
            if caps.per_recipient_fen is not None:
                assert result.amount_fen <= max(caps.per_recipient_fen - recipient_used, 0)
            if caps.line_total_fen is not None:
                assert result.amount_fen <= max(caps.line_total_fen - line_used, 0)
            if caps.per_year_fen is not None and rule.base.kind is BaseKind.loan_interest:
                assert all(v <= caps.per_year_fen for v in result.by_year.values())
            # Floor rounding: the purse never pays a fraction of a fen above rate × base.
            assert result.computed_fen * 10000 <= result.base_fen * result.rate_bp or rule.base.kind in (
                BaseKind.loan_interest,
            )

    @PROPERTY
    @given(cases())
    def test_nothing_below_the_required_level(self, case: tuple[PolicyDocument, Facts]) -> None:
        policy, facts = case
        for rule in policy.lines:
            required = rule.eligibility.min_level
            if required > 0 and facts.level < required:
                result = quote_line(policy, rule, facts)
                assert not result.eligible and result.amount_fen == 0

    @PROPERTY
    @given(cases())
    def test_level_one_is_never_paid_a_level_subsidy(self, case: tuple[PolicyDocument, Facts]) -> None:
        policy, facts = case
        level_one = replace(facts, level=1)
        for rule in policy.lines:
            if rule.eligibility.min_level >= 2 or rule.caps.by_level_fen:
                assert quote_line(policy, rule, level_one).amount_fen == 0

    @PROPERTY
    @given(cases(), MONEY, st.sampled_from(CATEGORIES), st.integers(2024, 2030))
    def test_monotone_in_spending(
        self, case: tuple[PolicyDocument, Facts], extra: int, category: str, year: int
    ) -> None:
        policy, facts = case
        more = replace(
            facts,
            spending_fen={**facts.spending_fen, category: facts.spending_fen.get(category, 0) + extra},
            actual_investment_fen=facts.actual_investment_fen + extra,
            service_income_fen=facts.service_income_fen + extra,
            loan_interest_fen={**facts.loan_interest_fen, year: facts.loan_interest_fen.get(year, 0) + extra},
        )
        before, after = quote(policy, facts), quote(policy, more)
        for small, large in zip(before.lines, after.lines, strict=True):
            assert small.amount_fen <= large.amount_fen, small.code

    @PROPERTY
    @given(cases(), USED, USED)
    def test_more_already_committed_never_pays_more(
        self, case: tuple[PolicyDocument, Facts], used: int, extra: int
    ) -> None:
        policy, facts = case
        for rule in policy.lines:
            less = quote_line(policy, rule, facts, line_used_fen=used, recipient_used_fen=used)
            more = quote_line(
                policy, rule, facts, line_used_fen=used + extra, recipient_used_fen=used + extra
            )
            assert more.amount_fen <= less.amount_fen

    @PROPERTY
    @given(cases())
    def test_deterministic(self, case: tuple[PolicyDocument, Facts]) -> None:
        policy, facts = case
        assert quote(policy, facts) == quote(policy, facts)


class TestSplitsAndSimulations:
    @PROPERTY
    @given(st.sampled_from(sorted(POLICIES)), MONEY)
    def test_every_split_adds_up_to_the_whole(self, key: str, amount: int) -> None:
        policy = POLICIES[key]
        for rule in policy.lines:
            parts = split_by_source(policy, rule, amount)
            assert sum(part for _, part in parts) == amount and all(part >= 0 for _, part in parts)

    @settings(max_examples=max(EXAMPLES // 4, 10), deadline=None)
    @given(
        st.sampled_from(sorted(POLICIES)),
        st.lists(cases(), min_size=1, max_size=20),
        st.none() | st.integers(0, 10**9),
    )
    def test_simulation_totals_add_up(
        self, key: str, drawn: list[tuple[PolicyDocument, Facts]], central: int | None
    ) -> None:
        policy = POLICIES[key]
        enterprises = [
            replace(f, recipient=Recipient.enterprise, recipient_id=f"E{i}") for i, (_, f) in enumerate(drawn)
        ]
        result = simulate(policy, enterprises, Assumptions(central_budget_fen=central))
        assert result.total_fen == sum(result.by_line.values()) >= 0
        assert sum(v for years in result.by_source_year.values() for v in years.values()) == result.total_fen
        if central is not None:
            assert sum(result.by_source_year.get("central", {}).values()) <= central


def test_strategies_cover_every_preset() -> None:
    assert set(POLICIES) == set(preset_keys()) and len(POLICIES) >= 5
    assert date(2024, 1, 1) < min(p.approved_on for p in POLICIES.values())
