from sqlalchemy import Integer, String, literal_column
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.enterprise import service as enterprises
from services.matching.enterprise.repository import EnterpriseCopyRepository
from services.matching.matching import ranking
from services.matching.matching.schemas import (
    ExcludedProvider,
    FactorRead,
    MatchResult,
    Prospect,
    ProspectList,
    ProspectPage,
    RankedProvider,
    RankedSolution,
)
from services.matching.need.repository import NeedRepository
from services.matching.provider.models import Provider
from services.matching.provider.repository import ProviderRepository
from services.matching.rules.schemas import MatchingWeights, RuleKind
from services.matching.rules.service import current_read
from services.matching.solution.models import Solution
from services.matching.solution.repository import SolutionRepository
from szcore.auth import Principal, Role
from szcore.errors import conflict, forbidden, not_found
from szcore.keyset import Order, page_rows

# Prospects are computed in Python (needs x products x conflicts), so they are paged over the computed list:
# most matched scenarios first, then by USCC (unique), the order of the unpaginated list.
PROSPECT_ORDER = Order(
    "matched_most",
    (literal_column("matched", Integer), literal_column("uscc", String)),
    row_key=lambda p: (-len(p.matched_scenarios), p.uscc),
)

OFFICIALS = (Role.city_admin, Role.county_admin, Role.auditor)


def provider_facts(p: Provider) -> ranking.ProviderFacts:
    return ranking.ProviderFacts(
        provider_id=p.provider_id,
        uscc=p.uscc,
        industries=frozenset(p.industries),
        counties=frozenset(p.counties),
        related_usccs=frozenset(p.related_usccs),
        rating_centi=p.rating_centi,
        open_projects=p.open_projects,
    )


def solution_facts(s: Solution) -> ranking.SolutionFacts:
    return ranking.SolutionFacts(
        solution_id=s.solution_id,
        provider_id=s.provider_id,
        scenario_codes=frozenset(s.scenario_codes),
        industries=frozenset(s.industries),
        list_price_fen=s.list_price_fen,
        uses=s.uses,
        rating_avg_centi=round(s.rating_sum * 100 / s.rating_count) if s.rating_count else None,
    )


async def match(
    session: AsyncSession, principal: Principal, uscc: str, programme: str, budget_fen: int | None, limit: int
) -> MatchResult:
    if not principal.is_role(Role.enterprise, *OFFICIALS):
        raise forbidden("role_not_allowed", "Matches are for the enterprise and officials")
    enterprise = await enterprises.get(session, principal, uscc)
    needs = await NeedRepository(session).of(enterprise.uscc, open_only=True)
    rule = await current_read(session, RuleKind.matching_weights, programme)
    weights = MatchingWeights.model_validate(rule.document)
    providers = await ProviderRepository(session).active()
    solutions = await SolutionRepository(session).listed()
    facts = ranking.EnterpriseFacts(
        uscc=enterprise.uscc,
        industry_code=enterprise.industry_code,
        county_code=enterprise.county_code,
        needed_scenarios=frozenset(n.scenario_code for n in needs),
        budget_fen=budget_fen,
    )
    result = ranking.rank(
        facts,
        [provider_facts(p) for p in providers],
        [solution_facts(s) for s in solutions],
        weights.weights,
        weights.max_open_projects,
    )
    provider_names = {p.provider_id: p.name for p in providers}
    solution_names = {s.solution_id: s.name for s in solutions}
    ranked_solutions = [
        RankedSolution(
            rank=i,
            solution_id=r.solution_id,
            solution_name=solution_names[r.solution_id],
            provider_id=r.provider_id,
            provider_name=provider_names[r.provider_id],
            score=r.score,
            at_capacity=r.at_capacity,
            covered_scenarios=list(r.covered_scenarios),
            factors=[
                FactorRead(code=f.code, value=f.value, weight=f.weight, explanation=f.explanation)
                for f in r.factors
            ],
        )
        for i, r in enumerate(result.solutions[:limit], start=1)
    ]
    best: dict[str, RankedProvider] = {}
    for r in result.solutions:
        entry = best.get(r.provider_id)
        if entry is None:
            best[r.provider_id] = RankedProvider(
                rank=len(best) + 1,
                provider_id=r.provider_id,
                provider_name=provider_names[r.provider_id],
                score=r.score,
                at_capacity=r.at_capacity,
                solution_ids=[r.solution_id],
            )
        else:
            entry.solution_ids.append(r.solution_id)
    return MatchResult(
        uscc=enterprise.uscc,
        programme=programme,
        weights_version=rule.version,
        needed_scenarios=sorted(facts.needed_scenarios),
        solutions=ranked_solutions,
        providers=list(best.values())[:limit],
        excluded=[ExcludedProvider(provider_id=e.provider_id, reason=e.reason) for e in result.excluded]
        if principal.is_role(*OFFICIALS)
        else [],
    )


async def prospects(session: AsyncSession, principal: Principal, provider_id: str) -> ProspectList:
    """The reverse view: enterprises in my counties whose open needs my listed products cover."""
    if not principal.is_role(Role.provider, Role.city_admin):
        raise forbidden("role_not_allowed", "Prospects are for providers and the city")
    if principal.is_role(Role.provider) and principal.provider_id != provider_id:
        raise forbidden("provider_forbidden", "A provider sees its own prospects")
    provider = await ProviderRepository(session).get(provider_id)
    if provider is None:
        raise not_found("provider_not_found", f"No provider {provider_id}")
    if principal.is_role(Role.provider) and provider.confidentiality_signed_at is None:
        raise conflict("confidentiality_unsigned", "Sign the confidentiality undertaking (保密协议) first")
    solutions = [s for s in await SolutionRepository(session).listed() if s.provider_id == provider_id]
    covered = {code for s in solutions for code in s.scenario_codes}
    copies = await EnterpriseCopyRepository(session).in_counties(provider.counties)
    needs = await NeedRepository(session).open_of_many([c.uscc for c in copies])
    needed: dict[str, set[str]] = {}
    for need in needs:
        needed.setdefault(need.uscc, set()).add(need.scenario_code)
    items = []
    for copy in copies:
        if ranking.conflicted(copy.uscc, provider.uscc, provider.related_usccs):
            continue
        matched = sorted(needed.get(copy.uscc, set()) & covered)
        if matched:
            items.append(
                Prospect(
                    uscc=copy.uscc,
                    name=copy.name,
                    county_code=copy.county_code,
                    industry_code=copy.industry_code,
                    matched_scenarios=matched,
                    solution_ids=sorted(
                        s.solution_id for s in solutions if set(matched) & set(s.scenario_codes)
                    ),
                )
            )
    items.sort(key=lambda p: (-len(p.matched_scenarios), p.uscc))
    return ProspectList(provider_id=provider_id, items=items)


async def prospect_page(
    session: AsyncSession, principal: Principal, provider_id: str, cursor: str | None, limit: int
) -> ProspectPage:
    items = (await prospects(session, principal, provider_id)).items
    page, next_cursor = page_rows(items, PROSPECT_ORDER, cursor, limit)
    return ProspectPage(provider_id=provider_id, items=page, total=len(items), next_cursor=next_cursor)
