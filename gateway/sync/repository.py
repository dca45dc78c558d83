"""Queries on the gateway's sync tables."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.sync.models import NationalReport, ReconciliationRun, ReportStatus


async def latest_revision(session: AsyncSession, kind: str, period: str) -> NationalReport | None:
    stmt = (
        select(NationalReport)
        .where(NationalReport.kind == kind, NationalReport.period == period)
        .order_by(NationalReport.revision.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def get(session: AsyncSession, report_id: str, *, for_update: bool = False) -> NationalReport | None:
    stmt = select(NationalReport).where(NationalReport.id == report_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def listing(
    session: AsyncSession,
    *,
    status: str | None = None,
    kind: str | None = None,
    period: str | None = None,
    limit: int = 100,
) -> Sequence[NationalReport]:
    stmt = select(NationalReport).order_by(NationalReport.created_at.desc(), NationalReport.id).limit(limit)
    if status:
        stmt = stmt.where(NationalReport.status == status)
    if kind:
        stmt = stmt.where(NationalReport.kind == kind)
    if period:
        stmt = stmt.where(NationalReport.period == period)
    return (await session.execute(stmt)).scalars().all()


async def claim_due(
    session: AsyncSession, owner: str, now: datetime, lease: timedelta
) -> NationalReport | None:
    """Lease the next due report: pending and due, or sending under an expired lease (its sender died).
    SKIP LOCKED lets replicas claim different rows at once; SQLite serialises writers instead."""
    stmt = (
        select(NationalReport)
        .where(
            or_(
                and_(NationalReport.status == ReportStatus.pending, NationalReport.next_attempt_at <= now),
                and_(NationalReport.status == ReportStatus.sending, NationalReport.leased_until < now),
            )
        )
        .order_by(NationalReport.next_attempt_at, NationalReport.created_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    report = (await session.execute(stmt)).scalar_one_or_none()
    if report is None:
        return None
    report.status = ReportStatus.sending
    report.lease_owner = owner
    report.leased_until = now + lease
    report.attempts += 1
    report.last_attempt_at = now
    return report


async def finish(session: AsyncSession, report_id: str, owner: str, **values: object) -> bool:
    """Record a send's outcome, only if this sender still holds the lease."""
    stmt = (
        update(NationalReport)
        .where(
            NationalReport.id == report_id,
            NationalReport.lease_owner == owner,
            NationalReport.status == ReportStatus.sending,
        )
        .values(lease_owner=None, leased_until=None, **values)
    )
    result = await session.execute(stmt)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def delivered_latest(session: AsyncSession, period: str | None) -> Sequence[NationalReport]:
    """Per kind and period, the newest delivered revision: what the national side should hold."""
    newest = (
        select(
            NationalReport.kind,
            NationalReport.period,
            func.max(NationalReport.revision).label("revision"),
        )
        .where(NationalReport.status == ReportStatus.delivered)
        .group_by(NationalReport.kind, NationalReport.period)
    )
    if period is not None:
        newest = newest.where(NationalReport.period == period)
    sub = newest.subquery()
    stmt = (
        select(NationalReport)
        .join(
            sub,
            and_(
                NationalReport.kind == sub.c.kind,
                NationalReport.period == sub.c.period,
                NationalReport.revision == sub.c.revision,
            ),
        )
        .order_by(NationalReport.kind, NationalReport.period)
    )
    return (await session.execute(stmt)).scalars().all()


async def status_counts(session: AsyncSession) -> dict[str, int]:
    stmt = select(NationalReport.status, func.count()).group_by(NationalReport.status)
    return {status: count for status, count in (await session.execute(stmt)).all()}


async def runs(session: AsyncSession, limit: int = 20) -> Sequence[ReconciliationRun]:
    stmt = select(ReconciliationRun).order_by(ReconciliationRun.started_at.desc()).limit(limit)
    return (await session.execute(stmt)).scalars().all()
