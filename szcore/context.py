"""Per-request context that crosses process boundaries: request id and W3C trace context."""

import secrets
from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("request_id", default="")
traceparent_var: ContextVar[str] = ContextVar("traceparent", default="")


def new_request_id() -> str:
    return secrets.token_hex(8)


def new_traceparent() -> str:
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def child_traceparent(parent: str) -> str:
    """Same trace, new span id; a malformed parent starts a new trace."""
    parts = parent.split("-")
    if len(parts) != 4 or len(parts[1]) != 32 or len(parts[2]) != 16:
        return new_traceparent()
    return f"{parts[0]}-{parts[1]}-{secrets.token_hex(8)}-{parts[3]}"
