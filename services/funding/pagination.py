"""Opaque keyset cursors: base64 of the sort key."""

import base64
import json
from typing import Any

from szcore.errors import FieldError, bad_request


def encode_cursor(*key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key), default=str).encode()).decode()


def decode_cursor(cursor: str | None) -> list[Any] | None:
    if not cursor:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError as exc:
        raise bad_request(
            "invalid_cursor", "The cursor is not valid", [FieldError("cursor", "invalid", "Not a cursor")]
        ) from exc
    if not isinstance(value, list):
        raise bad_request(
            "invalid_cursor", "The cursor is not valid", [FieldError("cursor", "invalid", "Not a cursor")]
        )
    return value
