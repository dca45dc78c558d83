import importlib

from sqlalchemy.ext.asyncio import AsyncSession

from szcore.audit import AuditLog, VerifyResult
from szcore.db import create_engine
from szcore.settings import get_settings


async def verify_service(service: str, database_url: str | None = None) -> list[VerifyResult]:
    audit: AuditLog = importlib.import_module(f"services.{service}.db").audit_log
    engine = create_engine(database_url or get_settings().database_url(service))
    try:
        async with engine.connect() as connection:
            session = AsyncSession(bind=connection)
            chains = await audit.chains(session) or ["default"]
            return [await audit.verify(session, chain) for chain in chains]
    finally:
        await engine.dispose()
