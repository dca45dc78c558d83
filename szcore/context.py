"""Per-request context that crosses process boundaries: request id and W3C trace context."""

import secrets
from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("request_id", default="")
traceparent_var: ContextVar[str] = ContextVar("traceparent", default="")


def new_request_id() -> str:
    return secrets.token_hex(8)
