from fastapi import APIRouter

from services.funding.calculation import service
from services.funding.calculation.schemas import (
    PolicyRef,
    QuoteRead,
    QuoteRequest,
    SimulationRead,
    SimulationRequest,
)
from szcore.auth import CurrentPrincipal
from szcore.service import DbSession

router = APIRouter(tags=["calculation"])


@router.post(
    "/quotes", response_model=QuoteRead, summary="Every benefit given facts, with an explanation per line"
)
async def quote(data: QuoteRequest, session: DbSession, principal: CurrentPrincipal) -> QuoteRead:
    result, version = await service.quote_facts(session, data)
    return QuoteRead.of(result, version)


@router.post(
    "/enterprises/{uscc}/quote",
    response_model=QuoteRead,
    summary="What a real enterprise is entitled to now (latest acceptance, designations, contracts)",
)
async def quote_enterprise(
    uscc: str, ref: PolicyRef, session: DbSession, principal: CurrentPrincipal
) -> QuoteRead:
    result, version = await service.quote_enterprise(session, principal, uscc, ref)
    return QuoteRead.of(result, version)


@router.post(
    "/simulations",
    response_model=SimulationRead,
    summary="Budget a policy (or a draft) needs per source and year for assumed outcomes (city)",
)
async def simulate(
    data: SimulationRequest, session: DbSession, principal: CurrentPrincipal
) -> SimulationRead:
    result, document, version = await service.run_simulation(session, principal, data)
    return SimulationRead.of(result, document.key, version)
