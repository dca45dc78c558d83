"""County bulk pushes through the gateway: the body is streamed to enrollment's bulk endpoint chunk by
chunk (the gateway never holds a whole push), the Idempotency-Key is enrollment's request id, and
enrollment's problems are passed on as RFC 9457 problems."""

import io
import re
from collections.abc import AsyncIterator
from typing import Annotated, Any

import httpx
from fastapi import FastAPI, Header, Query, Request, Response
from openpyxl import Workbook

from gateway.clients import Clients
from gateway.county import PREFIX
from gateway.county.auth import CountyCaller
from gateway.county.schemas import ErrorList, Links, Mode, Progress, PushResult, PushStatus, PushSummary
from gateway.oauth import ClientStore
from szcore.errors import PROBLEM_JSON, FieldError, ProblemError, install_error_handlers
from szcore.settings import Settings

IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Enrollment's codes in the words of this API.
CODES = {"request_id_reused": "idempotency_key_reused", "request_in_progress": "push_in_progress"}
BODY_DOC = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {"type": "array", "items": {"type": "object"}},
            "example": [
                {
                    "uscc": "91330784MA0000001X",
                    "name": "永康某电动工具有限公司",
                    "county_code": "330784",
                    "industry_code": "C3465",
                    "size_class": "above_scale",
                    "programme_id": "jinhua-2024",
                }
            ],
        },
        "text/csv": {"schema": {"type": "string"}, "description": "UTF-8, UTF-8 with BOM or GBK"},
        XLSX: {"schema": {"type": "string", "format": "binary"}},
        "application/x-ndjson": {"schema": {"type": "string"}, "description": "One JSON record per line"},
    },
}
PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"description": text, "content": {PROBLEM_JSON: {}}}
    for status, text in {
        400: "Idempotency-Key missing or malformed",
        401: "No, wrong, expired or revoked credentials",
        403: "Not a county system, or a record of another county (nothing written)",
        404: "No such push for this county",
        409: "Idempotency-Key used for other content, or the push is still running",
        413: "Body larger than the limit",
        422: "Unreadable body, unsupported format or more than 100,000 records",
        429: "Too many failed authentications",
        502: "Enrollment failed",
        503: "Enrollment unreachable",
        504: "Enrollment did not answer in time; poll the status",
    }.items()
}


def links(push_id: str) -> Links:
    base = f"{PREFIX}/pushes/{push_id}"
    return Links(self=base, errors=f"{base}/errors", errors_xlsx=f"{base}/errors?format=xlsx")


def upstream_problem(response: httpx.Response) -> ProblemError:
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code >= 500 or not isinstance(body, dict):
        return ProblemError(502, "upstream_error", "Bad gateway", "The enrollment service failed")
    code = str(body.get("code", "upstream_error"))
    errors = [
        FieldError(
            str(e.get("field", "")), str(e.get("code", "")), str(e.get("message", "")), e.get("message_zh")
        )
        for e in body.get("errors") or []
        if isinstance(e, dict)
    ]
    return ProblemError(
        response.status_code,
        CODES.get(code, code),
        str(body.get("title") or "Request refused"),
        body.get("detail"),
        errors,
    )


def check_key(key: str | None) -> str:
    # 400, as the IETF Idempotency-Key draft asks for a missing key.
    if not key:
        raise ProblemError(
            400,
            "idempotency_key_missing",
            "Bad request",
            "Send an Idempotency-Key header (one per push, the same on retry)",
        )
    if not IDEMPOTENCY_KEY.match(key):
        raise ProblemError(
            400,
            "idempotency_key_invalid",
            "Bad request",
            "Idempotency-Key: 1-100 characters A-Z a-z 0-9 . _ : -",
        )
    return key


def create_county_api(parent: FastAPI) -> FastAPI:
    settings: Settings = parent.state.settings
    api = FastAPI(
        title="Shuzhuan county API",
        description=(
            "区县系统接口: county systems push their enterprise records (JSON, CSV UTF-8/GBK, XLSX; "
            "up to 100,000 per push), follow long pushes and download per-record errors. Authenticate "
            "with a bearer token from POST /oauth/token (client credentials) or an X-API-Key. See "
            "docs/county-api.md."
        ),
        version="1.0.0",
        docs_url="/docs",
        redoc_url=None,
    )
    if getattr(parent.state, "client_store", None) is None:
        parent.state.client_store = ClientStore(settings)
    # One store for the token endpoint and the API keys, so that failures count together.
    api.state.settings = settings
    api.state.client_store = parent.state.client_store
    install_error_handlers(api)

    def clients() -> Clients:
        return parent.state.clients  # type: ignore[no-any-return]

    async def upstream(
        method: str, path: str, caller_token: str, timeout: float | None = None, **kwargs: Any
    ) -> httpx.Response:
        service = clients().enrollment
        headers = {**service._headers(caller_token), **kwargs.pop("headers", {})}
        try:
            response = await service.http.request(
                method, path, headers=headers, timeout=timeout or settings.upstream_timeout_seconds, **kwargs
            )
        except httpx.TimeoutException as exc:
            raise ProblemError(
                504,
                "upstream_timeout",
                "Gateway timeout",
                "Enrollment did not answer in time; poll the push's status with the same id",
            ) from exc
        except httpx.TransportError as exc:
            raise ProblemError(
                503,
                "upstream_unavailable",
                "Service unavailable",
                "Enrollment is not reachable",
                headers={"Retry-After": "5"},
            ) from exc
        if response.status_code >= 400:
            raise upstream_problem(response)
        return response

    @api.post(
        "/pushes",
        status_code=200,
        response_model=PushResult,
        summary="Push enterprise records (一次推送)",
        description=(
            'The body is JSON (a list of records, or {"records": [...]}), NDJSON (one record a line), CSV '
            "(UTF-8, UTF-8 with BOM or GBK) or XLSX (first sheet), with Chinese or English headers. "
            "Every record must belong to the client's county; one that does not refuses the whole push "
            "(403, nothing written). Each other record is checked on its own: valid ones are applied "
            "(mode=partial) or none "
            "(mode=all_or_nothing), and every problem is reported with its row. The same Idempotency-Key "
            "with the same body answers the stored result again (outcome=replayed) and changes nothing."
        ),
        openapi_extra={"requestBody": BODY_DOC},
        responses=PROBLEMS,
    )
    async def push(
        request: Request,
        response: Response,
        caller: CountyCaller,
        idempotency_key: Annotated[
            str | None, Header(description="One per push; the same on every retry")
        ] = None,
        mode: Mode = Mode.partial,
        dry_run: Annotated[bool, Query(description="Validate only; nothing is written or stored")] = False,
    ) -> PushResult:
        key = check_key(idempotency_key)
        headers = {"content-type": request.headers.get("content-type", "application/json")}
        if request.headers.get("content-length"):
            headers["content-length"] = request.headers["content-length"]

        async def body() -> AsyncIterator[bytes]:
            async for chunk in request.stream():
                if chunk:
                    yield chunk

        answer = await upstream(
            "POST",
            "/enterprises/bulk",
            caller.token,
            timeout=settings.county_push_timeout_seconds,
            params={
                "request_id": key,
                "mode": mode.value,
                "dry_run": str(dry_run).lower(),
                "other_county": "refuse",
            },
            content=body(),
            headers=headers,
        )
        report = answer.json()
        response.headers["Location"] = f"{PREFIX}/pushes/{key}"
        return PushResult(
            id=key,
            status="completed",
            links=links(key),
            **{k: v for k, v in report.items() if k in PushResult.model_fields},
        )

    async def status_of(caller: Any, push_id: str) -> dict[str, Any]:
        check_key(push_id)
        try:
            return (await upstream("GET", f"/enterprises/bulk/{push_id}", caller.token)).json()  # type: ignore[no-any-return]
        except ProblemError as exc:
            if exc.status == 404:
                raise ProblemError(
                    404, "push_not_found", "Not found", f"No push {push_id} for your county"
                ) from None
            raise

    @api.get(
        "/pushes/{push_id}",
        response_model=PushStatus,
        summary="Status of a push: progress while it runs, counts once finished",
        responses=PROBLEMS,
    )
    async def push_status(push_id: str, caller: CountyCaller) -> PushStatus:
        status = await status_of(caller, push_id)
        report = status.get("report")
        return PushStatus(
            id=push_id,
            status=status["status"],
            phase=status["phase"],
            progress=Progress(total=status["total"], done=status["done"], errors=status["errors"]),
            result=PushSummary.model_validate(report) if report else None,
            failure=status.get("failure"),
            links=links(push_id),
        )

    @api.get(
        "/pushes/{push_id}/errors",
        response_model=ErrorList,
        summary="Per-record errors of a finished push (JSON, or format=xlsx for Excel)",
        responses={**PROBLEMS, 200: {"content": {"application/json": {}, XLSX: {}}}},
    )
    async def push_errors(
        push_id: str,
        caller: CountyCaller,
        format: Annotated[str, Query(pattern="^(json|xlsx)$")] = "json",
    ) -> Any:
        status = await status_of(caller, push_id)
        report = status.get("report")
        if report is None:
            raise ProblemError(
                409,
                "push_not_finished",
                "Conflict",
                f"Push {push_id} is {status['status']}; its errors come when it is done",
            )
        errors = report.get("errors", [])
        if format == "xlsx":
            return Response(
                errors_workbook(errors),
                media_type=XLSX,
                headers={"Content-Disposition": f'attachment; filename="push-{push_id}-errors.xlsx"'},
            )
        return ErrorList(id=push_id, total=len(errors), errors=errors)

    return api


ERROR_COLUMNS = (
    ("row", "行号"),
    ("uscc", "统一社会信用代码"),
    ("field", "字段"),
    ("code", "错误代码"),
    ("message_zh", "错误说明"),
    ("message", "Message"),
)


def errors_workbook(errors: list[dict[str, Any]]) -> bytes:
    """One line per error, the row number first, so that a county can sort and fix its sheet."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("错误明细")
    sheet.append([chinese for _, chinese in ERROR_COLUMNS])
    for error in errors:
        sheet.append([error.get(key) for key, _ in ERROR_COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
