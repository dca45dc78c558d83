"""The subsidy engine: pure functions from policy + enterprise facts to money, in integer fen.

Rounding: rate × base is rounded to the fen by the policy's `rounding` (floor by default, so the public
purse never pays a fraction of a fen too much); splits across sources give each share its floor and the
remainder to the first source in order, so the parts always add up to the whole.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from services.funding.policy.document import BaseKind, BenefitLine, PolicyDocument, Recipient


@dataclass(frozen=True)
class Facts:
    """What is known of one recipient (enterprise, provider, evaluator) when quoting."""

    recipient_id: str
    recipient: Recipient = Recipient.enterprise
    admitted: bool = True
    level: int = 0
    accepted_on: date | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)
    designations: frozenset[str] = frozenset()
    spending_fen: Mapping[str, int] = field(default_factory=dict)
    actual_investment_fen: int = 0
    loan_interest_fen: Mapping[int, int] = field(default_factory=dict)  # calendar year → interest paid
    service_income_fen: int = 0
    counts: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class LineQuote:
    code: str
    name: str
    eligible: bool
    amount_fen: int
    base_fen: int = 0
    rate_bp: int = 0
    computed_fen: int = 0
    cap_fen: int | None = None
    cap_reason: str | None = None
    by_year: Mapping[int, int] = field(default_factory=dict)
    explanation: str = ""


@dataclass(frozen=True)
class Quote:
    policy_key: str
    recipient_id: str
    lines: tuple[LineQuote, ...]

    @property
    def total_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines)

    def line(self, code: str) -> LineQuote | None:
        return next((line for line in self.lines if line.code == code), None)


def yuan(fen: int) -> str:
    """1234567 fen → '12,345.67'."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def percent(rate_bp: int) -> str:
    whole, rest = divmod(rate_bp, 100)
    return f"{whole}%" if rest == 0 else f"{whole}.{rest:02d}%"


def apply_rate(base_fen: int, rate_bp: int, rounding: str = "floor") -> int:
    product = base_fen * rate_bp
    return (product + 5000) // 10000 if rounding == "half_up" else product // 10000


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def year_since_approval(approved_on: date, day: date | None) -> int | None:
    """1 for the first twelve months from approval (批复日), 2 for the next, ...; None before approval."""
    if day is None or day < approved_on:
        return None
    year = 1
    while day >= _add_years(approved_on, year):
        year += 1
    return year


def _ineligible(line: BenefitLine, reason: str) -> LineQuote:
    return LineQuote(line.code, line.name, False, 0, explanation=reason)


def _eligibility_problem(policy: PolicyDocument, line: BenefitLine, facts: Facts) -> str | None:
    rule = line.eligibility
    if line.recipient is Recipient.programme:
        return "programme spending, not paid to a recipient"
    if line.recipient is not facts.recipient:
        return f"paid to {line.recipient.value}s only"
    if rule.admitted and not facts.admitted:
        return "not an admitted pilot enterprise"
    if rule.min_level > 0 and facts.level < rule.min_level:
        return f"level {facts.level} is below the required level {rule.min_level}"
    if facts.level > rule.max_level:
        return f"level {facts.level} is above level {rule.max_level}"
    if rule.designations_any and not facts.designations.intersection(rule.designations_any):
        return "needs one of the designations " + ", ".join(rule.designations_any)
    for attribute, allowed in rule.attributes.items():
        if facts.attributes.get(attribute) not in allowed:
            return f"{attribute} must be one of {', '.join(allowed)}"
    if rule.min_level > 0 or rule.window.start or rule.window.end:
        if not rule.window.contains(facts.accepted_on):
            return "accepted outside the policy's window"
    if rule.max_years_since_approval is not None:
        year = year_since_approval(policy.approved_on, facts.accepted_on)
        if year is None or year > rule.max_years_since_approval:
            return f"accepted outside the {rule.max_years_since_approval} years from approval"
    return None


def _base(line: BenefitLine, facts: Facts) -> tuple[int, str]:
    base = line.base
    if base.kind is BaseKind.eligible_spending:
        amount = sum(facts.spending_fen.get(category, 0) for category in base.categories)
        return amount, "eligible spending"
    if base.kind is BaseKind.actual_investment:
        return facts.actual_investment_fen, "actual investment"
    if base.kind is BaseKind.service_income:
        return facts.service_income_fen, "service income"
    if base.kind is BaseKind.loan_interest:
        return sum(facts.loan_interest_fen.values()), "loan interest"
    if base.kind is BaseKind.count:
        units = facts.counts.get(base.unit or "", 0)
        return units * base.amount_fen, f"{units} {base.unit} × {yuan(base.amount_fen)}"
    return base.amount_fen, "fixed amount"


def quote_line(
    policy: PolicyDocument,
    line: BenefitLine,
    facts: Facts,
    *,
    line_used_fen: int = 0,
    recipient_used_fen: int = 0,
    as_of: date | None = None,
    explain: bool = True,
) -> LineQuote:
    """One benefit line for one recipient. `line_used_fen`: already committed on this line programme-wide;
    `recipient_used_fen`: already committed to this recipient on this line (for per-recipient caps)."""
    problem = _eligibility_problem(policy, line, facts)
    if problem:
        return _ineligible(line, problem)
    rate_bp = line.rate_for(facts.level, year_since_approval(policy.approved_on, facts.accepted_on))
    if rate_bp is None:
        return _ineligible(line, "no rate applies in this year since approval")
    base_fen, base_label = _base(line, facts)
    if base_fen <= 0:
        return _ineligible(line, f"no {base_label}")
    year = (facts.accepted_on or as_of or policy.approved_on).year
    caps = line.caps
    if line.base.kind is BaseKind.loan_interest:
        by_year: dict[int, int] = {}
        parts = []
        for interest_year, interest in sorted(facts.loan_interest_fen.items()):
            amount = apply_rate(max(interest, 0), rate_bp, policy.rounding)
            if caps.per_year_fen is not None and amount > caps.per_year_fen:
                parts.append(f"{interest_year}: {yuan(amount)} capped at {yuan(caps.per_year_fen)} a year")
                amount = caps.per_year_fen
            elif explain:
                parts.append(f"{interest_year}: {yuan(amount)}")
            by_year[interest_year] = amount
        computed = sum(by_year.values())
        explanation = (
            f"loan interest {yuan(base_fen)} × {percent(rate_bp)}; " + "; ".join(parts) if explain else ""
        )
    else:
        computed = apply_rate(base_fen, rate_bp, policy.rounding)
        by_year = {year: computed}
        explanation = (
            f"{base_label} {yuan(base_fen)} × {percent(rate_bp)} = {yuan(computed)}" if explain else ""
        )
    limits: list[tuple[int, str]] = []
    if caps.by_level_fen:
        if facts.level not in caps.by_level_fen:
            return _ineligible(line, f"no cap is set for level {facts.level}")
        limits.append((caps.by_level_fen[facts.level], f"for L{facts.level}"))
    if caps.per_recipient_fen is not None:
        limits.append((max(caps.per_recipient_fen - recipient_used_fen, 0), "per recipient"))
    if caps.line_total_fen is not None:
        limits.append((max(caps.line_total_fen - line_used_fen, 0), "left of the line's programme total"))
    amount, cap_fen, cap_reason = computed, None, None
    for limit, reason in limits:
        if amount > limit:
            amount, cap_fen, cap_reason = limit, limit, reason
    if cap_fen is not None:
        explanation += f"; capped at {yuan(cap_fen)} {cap_reason}" if explain else ""
        by_year = _scale_down(by_year, amount)
    return LineQuote(
        line.code,
        line.name,
        True,
        amount,
        base_fen,
        rate_bp,
        computed,
        cap_fen,
        cap_reason,
        by_year,
        explanation,
    )


def _scale_down(by_year: Mapping[int, int], total: int) -> dict[int, int]:
    """Trim the latest years first so that the parts add up to the capped total."""
    result = dict(by_year)
    excess = sum(result.values()) - total
    for year in sorted(result, reverse=True):
        cut = min(excess, result[year])
        result[year] -= cut
        excess -= cut
    return {year: value for year, value in result.items() if value}


def quote(
    policy: PolicyDocument,
    facts: Facts,
    *,
    line_used_fen: Mapping[str, int] | None = None,
    recipient_used_fen: Mapping[str, int] | None = None,
    lines: Iterable[str] | None = None,
    as_of: date | None = None,
) -> Quote:
    """Every benefit line of the policy for one recipient, each with its explanation."""
    wanted = set(lines) if lines is not None else None
    return Quote(
        policy.key,
        facts.recipient_id,
        tuple(
            quote_line(
                policy,
                line,
                facts,
                line_used_fen=(line_used_fen or {}).get(line.code, 0),
                recipient_used_fen=(recipient_used_fen or {}).get(line.code, 0),
                as_of=as_of,
            )
            for line in policy.lines
            if wanted is None or line.code in wanted
        ),
    )


def source_levels(policy: PolicyDocument, line: BenefitLine) -> list[str]:
    if line.sources:
        return list(line.sources)
    if policy.funding.mode == "ordered":
        return [level.value for level in policy.funding.order]
    return [share.level.value for share in policy.funding.shares]


def split_by_source(policy: PolicyDocument, line: BenefitLine, amount_fen: int) -> list[tuple[str, int]]:
    """How an amount is planned across source levels: by the policy's shares (restricted to the line's
    sources), or all from the first source in ordered mode. Floors per share, remainder to the first."""
    levels = source_levels(policy, line)
    if policy.funding.mode == "ordered" or (line.sources and len(line.sources) == 1):
        return [(levels[0], amount_fen)]
    weights = [(s.level.value, s.weight) for s in policy.funding.shares if s.level.value in levels]
    if not weights:
        return [(levels[0], amount_fen)]
    total_weight = sum(weight for _, weight in weights)
    parts = [(level, amount_fen * weight // total_weight) for level, weight in weights]
    remainder = amount_fen - sum(part for _, part in parts)
    parts[0] = (parts[0][0], parts[0][1] + remainder)
    return parts


# --- Programme simulation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Assumptions:
    """Outcomes assumed for enterprises whose level is not known yet. Distributions are weights; they are
    applied deterministically (largest remainder over the enterprises in the given order)."""

    level_distribution: Mapping[int, int] = field(default_factory=lambda: {2: 1})
    acceptance_dates: Mapping[date, int] = field(default_factory=dict)
    programme_counts: Mapping[str, int] = field(default_factory=dict)
    central_budget_fen: int | None = None


@dataclass
class SimulationResult:
    enterprises: int
    level_counts: dict[int, int]
    total_fen: int
    by_line: dict[str, int]
    by_source_year: dict[str, dict[int, int]]
    central_overflow_fen: int
    capped_count: int
    programme_total_exceeded_fen: int = 0


def _assign(weights: Mapping[object, int], n: int) -> list[object]:
    """Deterministic outcomes: counts by the largest-remainder method, laid out in key order."""
    keys = sorted(weights, key=str)
    total = sum(weights[k] for k in keys)
    if n == 0 or total <= 0:
        return []
    exact = [(k, n * weights[k] // total, n * weights[k] % total) for k in keys]
    counts = {k: c for k, c, _ in exact}
    left = n - sum(counts.values())
    for k, _, _ in sorted(exact, key=lambda item: -item[2])[:left]:
        counts[k] += 1
    return [k for k in keys for _ in range(counts[k])]


def _with_outcome(facts: Facts, level: int, accepted_on: date | None) -> Facts:
    """dataclasses.replace without its per-call introspection: simulations make thousands of these."""
    copy = object.__new__(Facts)
    copy.__dict__.update(facts.__dict__, level=level, accepted_on=accepted_on)
    return copy


def simulate(
    policy: PolicyDocument, enterprises: Sequence[Facts], assumptions: Assumptions
) -> SimulationResult:
    """Budget needed per source level and year if the policy is applied to these enterprises.

    Enterprises with level 0 get a level from the assumed distribution; those without an acceptance date
    get one from `acceptance_dates`. Central money, when first-come-first-served and limited by
    `central_budget_fen`, goes in order of acceptance; what it cannot cover falls to the next source."""
    unknown = [i for i, facts in enumerate(enterprises) if facts.level == 0]
    levels = _assign(assumptions.level_distribution, len(unknown))
    assigned_level = dict(zip(unknown, levels, strict=False))
    undated = [i for i, facts in enumerate(enterprises) if facts.accepted_on is None]
    dates = _assign(assumptions.acceptance_dates, len(undated)) if assumptions.acceptance_dates else []
    assigned_date = dict(zip(undated, dates, strict=False))

    by_line: dict[str, int] = defaultdict(int)
    level_counts: dict[int, int] = defaultdict(int)
    planned: list[tuple[date, int, str, str, int, int]] = []  # (accepted, i, line, level, year, fen)
    capped = 0
    enterprise_lines = [line for line in policy.lines if line.recipient is Recipient.enterprise]
    splits: dict[tuple[str, int], list[tuple[str, int]]] = {}

    def splitter(line: BenefitLine, amount: int) -> list[tuple[str, int]]:
        cache_key = (line.code, amount)
        if cache_key not in splits:
            splits[cache_key] = split_by_source(policy, line, amount)
        return splits[cache_key]

    for i, facts in enumerate(enterprises):
        level = assigned_level.get(i, facts.level)
        accepted = assigned_date.get(i, facts.accepted_on)
        if level != facts.level or accepted != facts.accepted_on:
            facts = _with_outcome(facts, level, accepted)
        level_counts[level] += 1
        for line in enterprise_lines:
            wanted = line.eligibility.designations_any
            if wanted and not facts.designations.intersection(wanted):
                continue  # the common case, skipped without building a quote
            result = quote_line(policy, line, facts, line_used_fen=by_line[line.code], explain=False)
            if not result.eligible or result.amount_fen == 0:
                continue
            by_line[line.code] += result.amount_fen
            capped += result.cap_fen is not None
            for year, year_fen in result.by_year.items():
                for source, part in splitter(line, year_fen):
                    planned.append((accepted or policy.approved_on, i, line.code, source, year, part))
    for line in policy.lines:
        if line.recipient is Recipient.enterprise:
            continue
        base = line.base
        # Awards to providers and evaluators are budgeted only for the numbers the city assumes.
        default = 1 if line.recipient is Recipient.programme and base.kind is not BaseKind.count else 0
        units = assumptions.programme_counts.get(base.unit or line.code, default)
        amount = apply_rate(units * base.amount_fen, line.rate.rate_bp, policy.rounding)
        if line.caps.line_total_fen is not None:
            amount = min(amount, line.caps.line_total_fen)
        if amount:
            by_line[line.code] += amount
            for source, part in split_by_source(policy, line, amount):
                planned.append((policy.approved_on, -1, line.code, source, policy.approved_on.year, part))

    by_source_year: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    central_left = assumptions.central_budget_fen
    overflow = 0
    fallback = next((lv.value for lv in policy.funding.order if lv.value != "central"), "city")
    if policy.funding.central_first_come_first_served:
        planned.sort(key=lambda item: (item[0], item[1]))
    for _, _, _, source, year, part in planned:
        if source == "central" and central_left is not None:
            covered = min(part, central_left)
            central_left -= covered
            overflow += part - covered
            if covered:
                by_source_year["central"][year] += covered
            if part - covered:
                by_source_year[fallback][year] += part - covered
            continue
        by_source_year[source][year] += part
    total = sum(by_line.values())
    return SimulationResult(
        enterprises=len(enterprises),
        level_counts=dict(level_counts),
        total_fen=total,
        by_line=dict(by_line),
        by_source_year={source: dict(years) for source, years in by_source_year.items()},
        central_overflow_fen=overflow,
        capped_count=capped,
        programme_total_exceeded_fen=max(total - policy.programme_total_fen, 0)
        if policy.programme_total_fen is not None
        else 0,
    )
