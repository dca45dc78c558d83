import hashlib
import tempfile
import time
from typing import IO, Annotated

from fastapi import APIRouter, Query, Request

from services.enrollment.bulk import progress, service
from services.enrollment.bulk.repository import BulkRepository
from services.enrollment.bulk.schemas import Mode, OtherCounty, PushReport, PushStatus
from szcore.auth import CurrentPrincipal, Principal, Role
from szcore.errors import ProblemError, conflict, forbidden, not_found
from szcore.service import DbSession

router = APIRouter(prefix="/enterprises", tags=["bulk push"])
COMMIT_GRACE_SECONDS = 120
# A push body up to this size stays in memory while it is read, a larger one goes to a temporary file.
SPOOL_BYTES = 4 * 1024 * 1024

BODY_DOC = {
    "content": {
        "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
        "application/x-ndjson": {"schema": {"type": "string"}},
        "text/csv": {"schema": {"type": "string"}},
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
            "schema": {"type": "string", "format": "binary"}
        },
    }
}


@router.post(
    "/bulk",
    response_model=PushReport,
    summary="County bulk push (JSON, CSV UTF-8/GBK or XLSX with Chinese headers; up to 100,000 records)",
    description=(
        "Idempotent by request id (the same request id and content replays the stored answer) and by USCC "
        "(records equal to the dossier change nothing). Each record is validated on its own; valid ones are "
        "applied unless mode=all_or_nothing; dry_run validates only. A county pushes its own county only. "
        "The body is read and applied in chunks, in one transaction."
    ),
    openapi_extra={"requestBody": BODY_DOC},
)
async def bulk_push(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    request_id: Annotated[str, Query(min_length=1, max_length=100, description="Client request id")],
    mode: Mode = Mode.partial,
    dry_run: bool = False,
    other_county: Annotated[
        OtherCounty, Query(description="report: per-record error; refuse: 403 for the whole push")
    ] = OtherCounty.report,
) -> PushReport:
    require_pusher(principal)  # before the in-progress check: a refused role learns nothing about pushes
    entry = progress.start(push_scope(principal), request_id)
    if entry is None:
        raise conflict(
            "request_in_progress",
            f"Request id {request_id} is being applied; poll its status or send it again later",
        )
    try:
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as body:
            content_hash = await spool(request, body)
            content_type = request.headers.get("content-type", "application/json")
            report = await service.push(
                session,
                principal,
                body,
                content_type,
                request_id,
                mode,
                dry_run,
                other_county,
                entry,
                content_hash=content_hash,
            )
    except ProblemError as exc:
        entry.set(phase="failed", failure={"status": exc.status, "code": exc.code, "detail": exc.detail})
        raise
    except Exception:
        entry.set(phase="failed", failure={"status": 500, "code": "internal_error", "detail": None})
        raise
    # The request boundary commits after this returns; until then the push is not in the database.
    entry.set(phase="committing", report=report.model_dump(mode="json"))
    return report


async def spool(request: Request, file: IO[bytes]) -> str:
    """Copies the body into `file` as it arrives, never whole in memory; returns its SHA-256."""
    digest = hashlib.sha256()
    async for chunk in request.stream():
        digest.update(chunk)
        file.write(chunk)
    file.seek(0)
    return digest.hexdigest()


def require_pusher(principal: Principal) -> None:
    if principal.role not in service.PUSHERS:
        raise forbidden("role_not_allowed", f"Role {principal.role.value} may not push enterprise records")


def push_scope(principal: Principal) -> str:
    return principal.county if principal.role != Role.city_admin and principal.county else "city"


@router.get(
    "/bulk/{request_id}",
    response_model=PushStatus,
    summary="Status of a bulk push: progress while it runs, its report once finished",
)
async def push_status(request_id: str, session: DbSession, principal: CurrentPrincipal) -> PushStatus:
    require_pusher(principal)
    scope = push_scope(principal)
    stored = await BulkRepository(session).push(scope, request_id)
    if stored is not None:
        report = PushReport.model_validate(stored.report)
        return PushStatus(
            request_id=request_id,
            status="completed",
            phase="completed",
            total=report.total,
            done=report.total,
            errors=report.rejected,
            report=report,
        )
    entry = progress.get(scope, request_id)
    if entry is None:
        raise not_found("push_not_found", f"No push with request id {request_id}")
    if entry.phase == "committing" and entry.report and entry.report["outcome"] == "applied":
        # Answered but not in the database: committing still, or the commit failed.
        stalled = time.monotonic() - entry.updated > COMMIT_GRACE_SECONDS
        return PushStatus(
            request_id=request_id,
            status="failed" if stalled else "processing",
            phase="failed" if stalled else "committing",
            total=entry.total,
            done=entry.done,
            errors=entry.errors,
            failure={"status": 500, "code": "commit_failed", "detail": "send the push again"}
            if stalled
            else None,
        )
    finished = entry.phase == "committing" or not entry.running
    return PushStatus(
        request_id=request_id,
        status="failed" if entry.phase == "failed" else ("completed" if finished else "processing"),
        phase="completed" if entry.phase == "committing" else entry.phase,
        total=entry.total,
        done=entry.done,
        errors=entry.errors,
        report=PushReport.model_validate(entry.report) if entry.report else None,
        failure=entry.failure,
    )
