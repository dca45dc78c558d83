from fastapi import FastAPI

from services.funding import SERVICE
from services.funding.db import infra
from services.funding.enterprise.endpoints import router as enterprise_router
from services.funding.enterprise.events import enterprise_copy
from szcore.service import create_service_app


def create_app(**kwargs: object) -> FastAPI:
    return create_service_app(
        SERVICE,
        infra,
        title="Shuzhuan funding service",
        description="奖补资金: subsidy policies, budgets, claims, the ledger, disbursement and clawback.",
        routers=[enterprise_router],
        subscriptions=[enterprise_copy],
        **kwargs,  # type: ignore[arg-type]
    )
