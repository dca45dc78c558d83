from fastapi import FastAPI

from services.matching import SERVICE
from services.matching.db import infra
from services.matching.enterprise.endpoints import router as enterprise_router
from services.matching.enterprise.events import enterprise_copy
from szcore.service import create_service_app


def create_app(**kwargs: object) -> FastAPI:
    return create_service_app(
        SERVICE,
        infra,
        title="Shuzhuan matching service",
        description="供需对接: provider pool, solution catalogue, needs, matching, transformation projects.",
        routers=[enterprise_router],
        subscriptions=[enterprise_copy],
        **kwargs,  # type: ignore[arg-type]
    )
