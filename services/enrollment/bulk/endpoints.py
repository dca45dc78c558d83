from typing import Annotated

from fastapi import APIRouter, Query, Request

from services.enrollment.bulk import service
from services.enrollment.bulk.schemas import Mode, PushReport
from szcore.auth import CurrentPrincipal
from szcore.service import DbSession

router = APIRouter(prefix="/enterprises", tags=["bulk push"])

BODY_DOC = {
    "content": {
        "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
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
        "applied unless mode=all_or_nothing; dry_run validates only. A county pushes its own county only."
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
) -> PushReport:
    body = await request.body()
    content_type = request.headers.get("content-type", "application/json")
    return await service.push(session, principal, body, content_type, request_id, mode, dry_run)
