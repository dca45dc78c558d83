"""Queueing reports, fixing and resending rejected ones, and reconciliation. Never commits: the caller's
session scope does."""

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.clients import Clients
from gateway.errors import GatewayError
from gateway.sync import repository
from gateway.sync.builders import BUILDERS, check_period
from gateway.sync.content import build_payload, content_sha256, idempotency_key
from gateway.sync.models import NationalReport, ReconciliationRun, ReportKind, ReportStatus
from gateway.sync.national import NationalClient
from gateway.sync.reconcile import Holding, compare
from szcore.settings import Settings
from szcore.types import utcnow

FIXABLE = (ReportStatus.rejected, ReportStatus.dead)


def check_kind(kind: str) -> None:
    if kind not in {k.value for k in ReportKind}:
        raise GatewayError("UNKNOWN_REPORT_KIND", f"Unknown report kind {kind!r}", 422)


async def queue_report(
    session: AsyncSession,
    settings: Settings,
    kind: str,
    period: str,
    records: list[dict[str, Any]],
    summary: dict[str, Any],
    actor: str,
    supersedes: NationalReport | None = None,
) -> NationalReport:
    """A new revision of (kind, period) in the outbox, unless its newest revision has the same content
    and still stands (queued or delivered): then that one is returned and nothing is sent again."""
    check_kind(kind)
    check_period(kind, period)
    digest = content_sha256(records, summary)
    latest = await repository.latest_revision(session, kind, period)
    if latest is not None and latest.content_sha256 == digest and latest.status not in FIXABLE:
        return latest
    revision = (latest.revision if latest else 0) + 1
    city = settings.national_city_code
    now = utcnow()
    report = NationalReport(
        id=str(uuid.uuid4()),
        kind=kind,
        period=period,
        revision=revision,
        idempotency_key=idempotency_key(city, kind, period, revision),
        payload=build_payload(
            kind, period, revision, city, records, summary, supersedes.idempotency_key if supersedes else None
        ),
        content_sha256=digest,
        record_count=len(records),
        status=ReportStatus.pending,
        attempts=0,
        next_attempt_at=now,
        supersedes_id=supersedes.id if supersedes else None,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    session.add(report)
    if supersedes is not None:
        supersedes.superseded_by_id = report.id
    await session.flush()
    return report


async def generate(
    session: AsyncSession,
    settings: Settings,
    clients: Clients,
    token: str,
    kind: str,
    period: str,
    actor: str,
) -> NationalReport:
    """Build a report from the services now and queue it; a rejected newest revision is superseded."""
    check_kind(kind)
    check_period(kind, period)
    records, summary = await BUILDERS[kind](clients, token, period, settings.national_city_code)
    latest = await repository.latest_revision(session, kind, period)
    supersedes = latest if latest is not None and latest.status in FIXABLE else None
    return await queue_report(session, settings, kind, period, records, summary, actor, supersedes)


async def resend(
    session: AsyncSession,
    settings: Settings,
    report_id: str,
    actor: str,
    records: list[dict[str, Any]] | None = None,
    summary: dict[str, Any] | None = None,
) -> NationalReport:
    """Fix and resend: a rejected (or given-up) report is kept as it is, with its error; the corrected
    content goes out as a new revision. A given-up report resent unchanged is queued again as it was."""
    report = await repository.get(session, report_id, for_update=True)
    if report is None:
        raise GatewayError("REPORT_NOT_FOUND", "No such report", 404)
    if report.status not in FIXABLE:
        raise GatewayError(
            "REPORT_NOT_FIXABLE",
            f"Only rejected or given-up reports are resent; this one is {report.status}",
            409,
        )
    if report.superseded_by_id is not None:
        raise GatewayError("REPORT_SUPERSEDED", "A newer revision of this report exists", 409)
    new_records = records if records is not None else list(report.payload.get("records", []))
    new_summary = summary if summary is not None else dict(report.payload.get("summary", {}))
    unchanged = content_sha256(new_records, new_summary) == report.content_sha256
    if report.status == ReportStatus.dead and unchanged:
        # Same content, same idempotency key: safe even if the national side did get an earlier attempt.
        report.status = ReportStatus.pending
        report.attempts = 0
        report.next_attempt_at = utcnow()
        await session.flush()
        return report
    return await queue_report(
        session, settings, report.kind, report.period, new_records, new_summary, actor, supersedes=report
    )


async def reconcile(
    session: AsyncSession, national: NationalClient, period: str | None, actor: str
) -> ReconciliationRun:
    run = ReconciliationRun(
        id=str(uuid.uuid4()), period=period, status="failed", started_by=actor, started_at=utcnow()
    )
    session.add(run)
    local = [
        Holding(r.kind, r.period, r.revision, r.record_count, str(r.payload.get("records_sha256", "")))
        for r in await repository.delivered_latest(session, period)
    ]
    try:
        remote = await national.holdings(period)
    except Exception as exc:
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        run.differences = []
        run.finished_at = utcnow()
        await session.flush()
        return run
    differences = compare(local, remote)
    run.checked = len({(h.kind, h.period) for h in [*local, *remote]})
    run.differences = [d.as_dict() for d in differences]
    run.status = "differences" if differences else "matched"
    run.finished_at = utcnow()
    await session.flush()
    return run
