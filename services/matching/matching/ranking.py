"""The ranking of catalogue solutions for one enterprise: pure, explainable, deterministic.

Every factor is a value 0..1000 (per mille); a candidate's score is the weighted sum divided by the sum
of weights, in integer arithmetic, so that a fixed dataset always ranks the same way. Ties break on the
solution id.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

FULL = 1000
NEUTRAL = 500  # for a factor the data cannot decide (no budget given, no rating yet)
TRACK_RECORD_CAP = 5


@dataclass(frozen=True)
class EnterpriseFacts:
    uscc: str
    industry_code: str
    county_code: str
    needed_scenarios: frozenset[str]
    budget_fen: int | None = None


@dataclass(frozen=True)
class ProviderFacts:
    provider_id: str
    uscc: str
    industries: frozenset[str]
    counties: frozenset[str]
    related_usccs: frozenset[str]
    rating_centi: int | None
    open_projects: int


@dataclass(frozen=True)
class SolutionFacts:
    solution_id: str
    provider_id: str
    scenario_codes: frozenset[str]
    industries: frozenset[str]
    list_price_fen: int
    uses: int
    rating_avg_centi: int | None


@dataclass(frozen=True)
class Factor:
    code: str
    value: int  # 0..1000
    weight: int
    explanation: str


@dataclass(frozen=True)
class Ranked:
    solution_id: str
    provider_id: str
    score: int  # 0..1000
    at_capacity: bool
    covered_scenarios: tuple[str, ...]
    factors: tuple[Factor, ...]


@dataclass(frozen=True)
class Excluded:
    provider_id: str
    reason: str


@dataclass(frozen=True)
class Ranking:
    solutions: tuple[Ranked, ...]
    excluded: tuple[Excluded, ...] = field(default=())


def conflicted(enterprise_uscc: str, provider_uscc: str, related: Iterable[str]) -> bool:
    """A provider linked to the enterprise (itself, ownership, same legal person) may not serve it."""
    return enterprise_uscc == provider_uscc or enterprise_uscc in set(related)


def factors(
    enterprise: EnterpriseFacts,
    provider: ProviderFacts,
    solution: SolutionFacts,
    weights: Mapping[str, int],
    max_open_projects: int,
) -> tuple[Factor, ...]:
    needed = enterprise.needed_scenarios
    covered = needed & solution.scenario_codes
    coverage = len(covered) * FULL // len(needed) if needed else 0
    if enterprise.industry_code in solution.industries:
        industry, industry_why = FULL, "product made for the industry"
    elif enterprise.industry_code in provider.industries:
        industry, industry_why = NEUTRAL, "provider serves the industry"
    else:
        industry, industry_why = 0, "no industry fit"
    county = FULL if enterprise.county_code in provider.counties else 0
    rating = NEUTRAL if provider.rating_centi is None else min(FULL, provider.rating_centi // 10)
    free = max(0, max_open_projects - provider.open_projects)
    capacity = free * FULL // max_open_projects
    if enterprise.budget_fen is None:
        price, price_why = NEUTRAL, "no budget given"
    elif solution.list_price_fen <= enterprise.budget_fen:
        price, price_why = FULL, "within budget"
    else:
        price = enterprise.budget_fen * FULL // solution.list_price_fen
        price_why = "over budget"
    uses = min(solution.uses, TRACK_RECORD_CAP) * FULL // TRACK_RECORD_CAP
    track = uses if solution.rating_avg_centi is None else (uses + solution.rating_avg_centi * 2) // 2
    values = {
        "scenario_coverage": (coverage, f"covers {len(covered)} of {len(needed)} needed scenarios"),
        "industry_fit": (industry, industry_why),
        "county_served": (county, "serves the county" if county else "does not serve the county"),
        "rating": (
            rating,
            "no rating yet" if provider.rating_centi is None else f"rated {provider.rating_centi / 100:.2f}",
        ),
        "capacity": (capacity, f"{provider.open_projects} of {max_open_projects} open projects"),
        "price_fit": (price, price_why),
        "track_record": (min(FULL, track), f"used in {solution.uses} completed projects"),
    }
    return tuple(Factor(code, value, weights.get(code, 0), why) for code, (value, why) in values.items())


def rank(
    enterprise: EnterpriseFacts,
    providers: Sequence[ProviderFacts],
    solutions: Sequence[SolutionFacts],
    weights: Mapping[str, int],
    max_open_projects: int,
) -> Ranking:
    by_id = {p.provider_id: p for p in providers}
    excluded = sorted(
        {p.provider_id for p in providers if conflicted(enterprise.uscc, p.uscc, p.related_usccs)}
    )
    total_weight = sum(weights.values()) or 1
    ranked = []
    for solution in solutions:
        provider = by_id.get(solution.provider_id)
        if provider is None or provider.provider_id in excluded:
            continue
        covered = tuple(sorted(enterprise.needed_scenarios & solution.scenario_codes))
        if enterprise.needed_scenarios and not covered:
            continue
        parts = factors(enterprise, provider, solution, weights, max_open_projects)
        score = sum(f.value * f.weight for f in parts) // total_weight
        ranked.append(
            Ranked(
                solution_id=solution.solution_id,
                provider_id=provider.provider_id,
                score=score,
                at_capacity=provider.open_projects >= max_open_projects,
                covered_scenarios=covered,
                factors=parts,
            )
        )
    # A provider at capacity drops below every provider with room, whatever its score: work spreads.
    ranked.sort(key=lambda r: (r.at_capacity, -r.score, r.solution_id))
    return Ranking(
        solutions=tuple(ranked), excluded=tuple(Excluded(pid, "conflict_of_interest") for pid in excluded)
    )
