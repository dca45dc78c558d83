from fastapi import FastAPI

from services.funding import SERVICE
from services.funding.calculation.endpoints import router as calculation_router
from services.funding.claim.endpoints import router as claim_router
from services.funding.claim.subscriptions import revocations
from services.funding.db import infra
from services.funding.enterprise.endpoints import router as enterprise_router
from services.funding.enterprise.events import (
    acceptance_copy,
    contract_copy,
    designation_copy,
    enterprise_copy,
    provider_copy,
)
from services.funding.ledger.endpoints import router as ledger_router
from services.funding.metrics import install as install_metrics
from services.funding.national.endpoints import router as national_router
from services.funding.performance.endpoints import router as performance_router
from services.funding.policy.endpoints import router as policy_router
from services.funding.report.endpoints import router as report_router
from szcore.service import create_service_app


def create_app(**kwargs: object) -> FastAPI:
    app = create_service_app(
        SERVICE,
        infra,
        title="Shuzhuan funding service",
        description="奖补资金: subsidy policies, budgets, claims, the ledger, disbursement and clawback.",
        routers=[
            national_router,
            enterprise_router,
            policy_router,
            calculation_router,
            ledger_router,
            claim_router,
            report_router,
            performance_router,
        ],
        subscriptions=[
            enterprise_copy,
            designation_copy,
            acceptance_copy,
            contract_copy,
            provider_copy,
            revocations,
        ],
        **kwargs,  # type: ignore[arg-type]
    )
    install_metrics(app)
    return app
