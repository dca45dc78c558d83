from fastapi import FastAPI

from services.matching import SERVICE
from services.matching.activity.endpoints import router as activity_router
from services.matching.db import infra
from services.matching.enterprise.endpoints import router as enterprise_router
from services.matching.enterprise.events import enterprise_copy
from services.matching.matching.endpoints import router as matching_router
from services.matching.national.endpoints import router as national_router
from services.matching.need.endpoints import router as need_router
from services.matching.need.events import gap_needs
from services.matching.performance.endpoints import router as performance_router
from services.matching.project.endpoints import router as project_router
from services.matching.project.events import acceptances
from services.matching.provider.endpoints import router as provider_router
from services.matching.rules.endpoints import router as rules_router
from services.matching.solution.endpoints import router as solution_router
from szcore.service import create_service_app


def create_app(**kwargs: object) -> FastAPI:
    return create_service_app(
        SERVICE,
        infra,
        title="Shuzhuan matching service",
        description="供需对接: provider pool, solution catalogue, needs, matching, transformation projects.",
        routers=[
            national_router,
            # Matching's /enterprises/{uscc}/... routes come before the enterprise router's /{uscc}.
            matching_router,
            need_router,
            enterprise_router,
            rules_router,
            provider_router,
            solution_router,
            project_router,
            activity_router,
            performance_router,
        ],
        subscriptions=[enterprise_copy, gap_needs, acceptances],
        **kwargs,  # type: ignore[arg-type]
    )
