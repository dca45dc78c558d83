from fastapi import FastAPI

from services.enrollment import SERVICE
from services.enrollment.db import infra
from services.enrollment.enterprise.endpoints import router as enterprise_router
from szcore.service import create_service_app


def create_app(**kwargs: object) -> FastAPI:
    return create_service_app(
        SERVICE,
        infra,
        title="Shuzhuan enrollment service",
        description="试点企业登记与入选: the programme, the enterprise dossier (一企一档) and admissions.",
        routers=[enterprise_router],
        **kwargs,  # type: ignore[arg-type]
    )
