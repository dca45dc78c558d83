from shuzhuan.events.v1.assessment_pb2 import PilotStatusRevoked
from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.db import outbox
from services.assessment.revisit.models import Revisit
from szcore.events import to_timestamp


async def pilot_status_revoked(session: AsyncSession, revisit: Revisit) -> None:
    assert revisit.recorded_at is not None and revisit.finding is not None
    payload = PilotStatusRevoked(
        revisit_id=revisit.id,
        uscc=revisit.uscc,
        finding=revisit.finding,
        detail=revisit.detail,
        revoked_at=to_timestamp(revisit.recorded_at),
    )
    await outbox.add(session, payload, aggregate_type="revisit", aggregate_id=revisit.id)
