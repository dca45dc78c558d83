from fastapi import FastAPI

from services.assessment import SERVICE
from services.assessment.assessment.endpoints import router as assessment_router
from services.assessment.assessment.events import engagements, projects
from services.assessment.db import infra
from services.assessment.enterprise.endpoints import router as enterprise_router
from services.assessment.enterprise.events import enterprise_copy, enterprise_updates
from services.assessment.index.endpoints import router as index_router
from services.assessment.national.endpoints import router as national_router
from services.assessment.performance.endpoints import router as performance_router
from services.assessment.report.endpoints import router as report_router
from services.assessment.revisit.endpoints import router as revisit_router
from services.assessment.revisit.subscriptions import admissions
from szcore.service import create_service_app


def create_app(**kwargs: object) -> FastAPI:
    return create_service_app(
        SERVICE,
        infra,
        title="Shuzhuan assessment service",
        description="数字化水平评测: the MIIT maturity index, diagnosis, acceptance evaluation and revisits.",
        routers=[
            national_router,
            index_router,
            assessment_router,
            revisit_router,
            report_router,
            enterprise_router,
            performance_router,
        ],
        subscriptions=[enterprise_copy, enterprise_updates, engagements, projects, admissions],
        **kwargs,  # type: ignore[arg-type]
    )
