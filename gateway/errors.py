import logging
from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

log = logging.getLogger(__name__)


class GatewayError(Exception):
    """An error a caller may see: its message and code reach the client in `extensions.code`."""

    def __init__(
        self, code: str, message: str, status: int | None = None, details: list[dict[str, Any]] | None = None
    ):
        super().__init__(message)
        self.code = code.upper()
        self.status = status
        self.details = details or []


@strawberry.type(description="A problem with the input of a mutation / 输入有误")
class UserError:
    field: str | None = strawberry.field(description="Input field at fault, dotted path / 出错字段")
    code: str = strawberry.field(description="Stable machine-readable code / 错误代码")
    message: str = strawberry.field(description="Human-readable explanation / 错误说明")


def user_errors(error: GatewayError) -> list[UserError]:
    if error.details:
        return [
            UserError(
                field=d.get("field"),
                code=str(d.get("code", error.code)).upper(),
                message=str(d.get("message", "")),
            )
            for d in error.details
        ]
    return [UserError(field=None, code=error.code, message=str(error))]


LIMIT_CODES = (
    ("exceeds maximum operation depth", "QUERY_TOO_DEEP"),
    ("aliases found", "TOO_MANY_ALIASES"),
    ("more than", "QUERY_TOO_LARGE"),
    ("introspection has been disabled", "INTROSPECTION_DISABLED"),
)


def limit_code(message: str) -> str:
    for fragment, code in LIMIT_CODES:
        if fragment in message:
            return code
    return "GRAPHQL_VALIDATION_FAILED"


def apply_code(error: GraphQLError) -> None:
    """Give an error its stable `extensions.code`, in place; mask unexpected ones (no internals leak)."""
    original = error.original_error
    extensions = dict(error.extensions or {})
    if isinstance(original, GatewayError):
        extensions["code"] = original.code
        if original.details:
            extensions["errors"] = original.details
        error.message = str(original)
    elif original is None or isinstance(original, GraphQLError):
        extensions["code"] = extensions.get("code") or limit_code(error.message)
    elif extensions.get("code") != "INTERNAL_ERROR":
        log.error("unexpected error in resolver", exc_info=original)
        error.message = "Internal error"
        extensions = {"code": "INTERNAL_ERROR"}
    error.extensions = extensions


class ErrorCodes(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in getattr(result, "errors", None) or []:
            apply_code(error)
