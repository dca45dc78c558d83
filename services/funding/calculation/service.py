"""Quotes and simulations on stored or draft policies, with facts from this service's read copies."""

import json
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.calculation.engine import Assumptions, Facts, Quote, SimulationResult, quote, simulate
from services.funding.calculation.schemas import PolicyRef, QuoteRequest, SimulationRequest
from services.funding.claim.repository import ClaimRepository
from services.funding.enterprise import service as enterprises
from services.funding.enterprise.models import ContractCopy, EnterpriseCopy
from services.funding.enterprise.repository import EnterpriseCopyRepository
from services.funding.policy import auth as policy_auth
from services.funding.policy import service as policies
from services.funding.policy.document import PolicyDocument
from szcore.auth import Principal
from szcore.errors import FieldError, bad_request


async def resolve(session: AsyncSession, ref: PolicyRef) -> tuple[PolicyDocument, int | None]:
    if ref.document is not None:
        return policies.validate_document(ref.document), None
    if not ref.policy_key:
        raise bad_request(
            "policy_required",
            "Name a published policy or give a draft document",
            [FieldError("policy_key", "required", "policy_key or document is required")],
        )
    version, document = await policies.load(session, ref.policy_key, ref.version)
    return document, version.version


async def quote_facts(session: AsyncSession, data: QuoteRequest) -> tuple[Quote, int | None]:
    document, version = await resolve(session, data)
    result = quote(
        document,
        data.facts.to_facts(),
        line_used_fen=data.line_used_fen,
        recipient_used_fen=data.recipient_used_fen,
    )
    return result, version


def _contract_spending(contracts: Sequence[ContractCopy]) -> dict[str, int]:
    spending: dict[str, int] = defaultdict(int)
    for contract in contracts:
        for line in json.loads(contract.lines_json):
            spending[line["category"]] += int(line["amount_fen"])
    return dict(spending)


async def enterprise_facts(session: AsyncSession, enterprise: EnterpriseCopy) -> Facts:
    """Facts as known now: the latest acceptance, designations, contracted budget as the spending."""
    copies = EnterpriseCopyRepository(session)
    acceptance = await copies.latest_acceptance(enterprise.uscc)
    contracts = (
        await copies.contracts_for_project(enterprise.uscc, acceptance.project_id) if acceptance else []
    )
    spending = _contract_spending(contracts)
    return Facts(
        recipient_id=enterprise.uscc,
        admitted=enterprise.admitted_at is not None,
        level=acceptance.level if acceptance else 0,
        accepted_on=acceptance.evaluated_at.date() if acceptance else None,
        attributes={"size_class": enterprise.size_class, "srdi_status": enterprise.srdi_status},
        designations=frozenset(d.kind for d in await copies.designations(enterprise.uscc)),
        spending_fen=spending,
        actual_investment_fen=sum(spending.values()) or sum(c.amount_fen for c in contracts),
    )


async def quote_enterprise(
    session: AsyncSession, principal: Principal, uscc: str, ref: PolicyRef
) -> tuple[Quote, int | None]:
    enterprise = await enterprises.get(session, principal, uscc)
    document, version = await resolve(session, ref)
    claims = ClaimRepository(session)
    used = {line.code: await claims.approved_on_line(enterprise.uscc, line.code) for line in document.lines}
    return quote(document, await enterprise_facts(session, enterprise), recipient_used_fen=used), version


async def run_simulation(
    session: AsyncSession, principal: Principal, data: SimulationRequest
) -> tuple[SimulationResult, PolicyDocument, int | None]:
    policy_auth.require_simulate(principal)
    document, version = await resolve(session, data)
    facts = [f.to_facts() for f in data.enterprises]
    if data.use_enrolled:
        for enterprise in await EnterpriseCopyRepository(session).admitted():
            facts.append(await enterprise_facts(session, enterprise))
    assumptions = Assumptions(
        level_distribution=data.assumptions.level_distribution,
        acceptance_dates=data.assumptions.acceptance_dates,
        programme_counts=data.assumptions.programme_counts,
        central_budget_fen=data.assumptions.central_budget_fen,
    )
    return simulate(document, facts, assumptions), document, version
