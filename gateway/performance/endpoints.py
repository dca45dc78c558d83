"""REST export of the performance report (same authorisation as GraphQL: the caller's bearer token)."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response

from gateway.errors import GatewayError
from gateway.performance import service
from gateway.performance.xlsx import XLSX, workbook_bytes
from szcore.auth import InvalidToken, bearer_token, verify_token
from szcore.errors import ProblemError, unauthorized

router = APIRouter(prefix="/reports", tags=["report"])


@router.get(
    "/performance.xlsx",
    summary="Programme performance (目标表完成情况) as XLSX in the official layout, with charts",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
async def performance_xlsx(
    request: Request,
    programme: str,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    quarter: Annotated[int | None, Query(ge=1, le=4)] = None,
) -> Response:
    token = bearer_token(request)
    if token is None:
        raise unauthorized("token_missing", "A bearer token is required")
    try:
        principal = verify_token(token, request.app.state.settings)
    except InvalidToken as exc:
        raise unauthorized(exc.code, str(exc)) from exc
    try:
        data = await service.report(request.app.state.clients, principal, programme, year, quarter)
    except GatewayError as error:
        status = error.status if error.status and error.status < 500 else 502
        raise ProblemError(status, error.code.lower(), "The report could not be made", str(error)) from error
    name = f"performance-{programme}-{data['year']}.xlsx"
    return Response(
        workbook_bytes(data),
        media_type=XLSX,
        headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )
