from fastapi import FastAPI

from services.assessment import SERVICE
from services.assessment.db import infra
from services.assessment.enterprise.endpoints import router as enterprise_router
from services.assessment.enterprise.events import enterprise_copy
from szcore.service import create_service_app


def create_app(**kwargs: object) -> FastAPI:
    return create_service_app(
        SERVICE,
        infra,
        title="Shuzhuan assessment service",
        description="数字化水平评测: the MIIT maturity index, diagnosis, acceptance evaluation and revisits.",
        routers=[enterprise_router],
        subscriptions=[enterprise_copy],
        **kwargs,  # type: ignore[arg-type]
    )
