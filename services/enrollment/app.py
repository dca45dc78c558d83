from fastapi import FastAPI

from services.enrollment import SERVICE
from services.enrollment.application.endpoints import router as application_router
from services.enrollment.bulk.endpoints import router as bulk_router
from services.enrollment.db import infra
from services.enrollment.designation.endpoints import router as designation_router
from services.enrollment.enterprise.endpoints import router as enterprise_router
from services.enrollment.expert.endpoints import router as expert_router
from services.enrollment.national.endpoints import router as national_router
from services.enrollment.performance.endpoints import router as performance_router
from services.enrollment.programme.endpoints import router as programme_router
from services.enrollment.timeline.endpoints import router as timeline_router
from services.enrollment.timeline.events import timeline
from szcore.service import create_service_app


def create_app(**kwargs: object) -> FastAPI:
    return create_service_app(
        SERVICE,
        infra,
        title="Shuzhuan enrollment service",
        description="试点企业登记与入选: the programme, the enterprise dossier (一企一档) and admissions.",
        routers=[
            national_router,
            programme_router,
            bulk_router,
            enterprise_router,
            timeline_router,
            designation_router,
            expert_router,
            application_router,
            performance_router,
        ],
        subscriptions=[timeline],
        **kwargs,  # type: ignore[arg-type]
    )
