"""RFC 9457 problem details for every error a service returns."""

import logging
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from szcore.context import request_id_var

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://shuzhuan.dev/problems/"


@dataclass
class FieldError:
    field: str
    code: str
    message: str
    message_zh: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"field": self.field, "code": self.code, "message": self.message}
        if self.message_zh:
            data["message_zh"] = self.message_zh
        return data


@dataclass
class ProblemError(Exception):
    status: int
    code: str
    title: str
    detail: str | None = None
    errors: list[FieldError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code}: {self.detail or self.title}"


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "request_id": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "code", "message"],
                "properties": {
                    "field": {"type": "string"},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "message_zh": {"type": "string"},
                },
            },
        },
    },
}


def _problem_doc(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}}}


# The errors any operation may answer (authentication, role and scope, lookups, conflicts, validation,
# body size, database outage), documented once for every route of every service.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _problem_doc("No valid bearer token"),
    403: _problem_doc("The caller's role or scope may not do this"),
    404: _problem_doc("Not found, or not visible to the caller"),
    409: _problem_doc("Conflicts with the current state"),
    413: _problem_doc("Request body too large"),
    422: _problem_doc("The request is not valid (per-field errors)"),
    503: _problem_doc("A dependency (the database) is unavailable; retry after Retry-After"),
}


def bad_request(code: str, detail: str, errors: list[FieldError] | None = None) -> ProblemError:
    return ProblemError(422, code, "The request is not valid", detail, errors or [])


def not_found(code: str, detail: str) -> ProblemError:
    return ProblemError(404, code, "Not found", detail)


def conflict(code: str, detail: str, errors: list[FieldError] | None = None) -> ProblemError:
    return ProblemError(409, code, "Conflict", detail, errors or [])


def unauthorized(code: str, detail: str) -> ProblemError:
    return ProblemError(401, code, "Not authenticated", detail, headers={"WWW-Authenticate": "Bearer"})


def forbidden(code: str, detail: str) -> ProblemError:
    return ProblemError(403, code, "Forbidden", detail)


def problem_response(
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"type": PROBLEM_BASE + code, "title": title, "status": status, "code": code}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    request_id = request_id_var.get()
    if request_id:
        body["request_id"] = request_id
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
        errors.append(
            {
                "field": ".".join(location) or "body",
                "code": str(error.get("type", "invalid")),
                "message": error.get("msg", ""),
            }
        )
    return errors


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(
            exc.status,
            exc.code,
            exc.title,
            exc.detail,
            [e.as_dict() for e in exc.errors],
            request.url.path,
            exc.headers or None,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(
            422,
            "validation_failed",
            "The request is not valid",
            "Some fields are missing or malformed",
            _validation_errors(exc),
            request.url.path,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:
            # FastAPI's "error parsing the body" (undecodable bytes, a broken form): a validation failure.
            return problem_response(
                422,
                "malformed_body",
                "The request is not valid",
                str(exc.detail),
                [{"field": "body", "code": "malformed_body", "message": str(exc.detail)}],
                request.url.path,
            )
        code = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}.get(
            exc.status_code, "http_error"
        )
        return problem_response(exc.status_code, code, str(exc.detail), None, None, request.url.path)

    @app.exception_handler(OperationalError)
    async def _database_down(request: Request, exc: OperationalError) -> JSONResponse:
        log.error("database unavailable", extra={"error": str(exc.orig)})
        return problem_response(
            503,
            "database_unavailable",
            "Service temporarily unavailable",
            "The database is not reachable",
            None,
            request.url.path,
            {"Retry-After": "2"},
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        # A concurrent request won the race for the same key between our check and our write.
        return problem_response(
            409,
            "conflict",
            "Conflict",
            "The record was changed or created concurrently; reload and retry",
            None,
            request.url.path,
        )

    @app.exception_handler(DBAPIError)
    async def _database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated:
            return problem_response(
                503,
                "database_unavailable",
                "Service temporarily unavailable",
                None,
                None,
                request.url.path,
                {"Retry-After": "2"},
            )
        log.exception("database error")
        return problem_response(500, "internal_error", "Internal error", None, None, request.url.path)

    @app.exception_handler(OSError)
    async def _connection_refused(request: Request, exc: OSError) -> JSONResponse:
        # asyncpg raises plain OSErrors (connection refused, reset) while the database is down.
        log.error("dependency unreachable", extra={"error": str(exc)})
        return problem_response(
            503,
            "database_unavailable",
            "Service temporarily unavailable",
            None,
            None,
            request.url.path,
            {"Retry-After": "2"},
        )

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return problem_response(500, "internal_error", "Internal error", None, None, request.url.path)
