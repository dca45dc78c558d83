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


class ErrorCodes(SchemaExtension):
    """Every error leaves with a stable `extensions.code`; unexpected ones are masked (no internals)."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not getattr(result, "errors", None):
            return
        result.errors = [self._process(error) for error in result.errors]

    @staticmethod
    def _process(error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if isinstance(original, GatewayError):
            extensions = {**(error.extensions or {}), "code": original.code}
            if original.details:
                extensions["errors"] = original.details
            return GraphQLError(
                str(original), error.nodes, error.source, error.positions, error.path, None, extensions
            )
        if original is None or isinstance(original, GraphQLError):
            code = (error.extensions or {}).get("code", "GRAPHQL_VALIDATION_FAILED")
            return GraphQLError(
                error.message, error.nodes, error.source, error.positions, error.path, None, {"code": code}
            )
        log.error("unexpected error in resolver", exc_info=original)
        return GraphQLError(
            "Internal error",
            error.nodes,
            error.source,
            error.positions,
            error.path,
            None,
            {"code": "INTERNAL_ERROR"},
        )
