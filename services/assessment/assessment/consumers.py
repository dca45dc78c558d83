"""Handlers for matching's events: upserts, so that a redelivery changes nothing."""

from shuzhuan.events.v1.matching_pb2 import (
    EngagementCancelled,
    EngagementClosed,
    EngagementCreated,
    ProjectCompleted,
)
from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.assessment.models import EngagementCopy, ProjectCopy
from services.assessment.assessment.repository import CopyRepository
from szcore.events import Event, from_timestamp


async def apply_engagement_created(session: AsyncSession, event: Event) -> None:
    payload = event.payload
    assert isinstance(payload, EngagementCreated)
    repository = CopyRepository(session)
    existing = await repository.engagement(payload.engagement_id)
    await repository.upsert_engagement(
        EngagementCopy(
            engagement_id=payload.engagement_id,
            uscc=payload.uscc,
            provider_id=payload.provider_id,
            kind=payload.kind,
            created_at=from_timestamp(payload.created_at),
            # A cancellation that arrived first stays in force.
            cancelled_at=existing.cancelled_at if existing else None,
        )
    )


async def apply_engagement_cancelled(session: AsyncSession, event: Event) -> None:
    payload = event.payload
    assert isinstance(payload, EngagementCancelled)
    repository = CopyRepository(session)
    cancelled_at = from_timestamp(payload.cancelled_at)
    existing = await repository.engagement(payload.engagement_id)
    await repository.upsert_engagement(
        EngagementCopy(
            engagement_id=payload.engagement_id,
            uscc=payload.uscc,
            provider_id=payload.provider_id,
            kind=existing.kind if existing else "unknown",
            created_at=existing.created_at if existing else cancelled_at,
            cancelled_at=cancelled_at,
        )
    )


async def apply_engagement_closed(session: AsyncSession, event: Event) -> None:
    """A closed engagement ends the provider's rights like a cancelled one (cancelled_at means "no longer
    open"); the first end to arrive stays in force."""
    payload = event.payload
    assert isinstance(payload, EngagementClosed)
    repository = CopyRepository(session)
    closed_at = from_timestamp(payload.closed_at)
    existing = await repository.engagement(payload.engagement_id)
    await repository.upsert_engagement(
        EngagementCopy(
            engagement_id=payload.engagement_id,
            uscc=payload.uscc,
            provider_id=payload.provider_id,
            kind=existing.kind if existing else payload.kind or "unknown",
            created_at=existing.created_at if existing else closed_at,
            cancelled_at=existing.cancelled_at if existing and existing.cancelled_at else closed_at,
        )
    )


async def apply_project_completed(session: AsyncSession, event: Event) -> None:
    """The project is delivered: its provider's engagement with the enterprise is over, and with it the
    provider's view of the enterprise's assessments; the acceptance is the evaluator's."""
    payload = event.payload
    assert isinstance(payload, ProjectCompleted)
    await CopyRepository(session).close_engagements(
        payload.uscc, payload.provider_id, from_timestamp(payload.completed_at)
    )
    await CopyRepository(session).upsert_project(
        ProjectCopy(
            project_id=payload.project_id,
            uscc=payload.uscc,
            provider_id=payload.provider_id,
            contract_id=payload.contract_id,
            spent_fen=payload.spent_fen,
            completed_at=from_timestamp(payload.completed_at),
        )
    )
