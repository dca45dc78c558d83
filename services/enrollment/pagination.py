"""Keyset pagination: the cursor is the opaque base64 of the last row's sort key."""

import base64
import binascii
import json
from typing import Any

from szcore.errors import FieldError, bad_request


def encode_cursor(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, ensure_ascii=False).encode()).decode()


def decode_cursor(cursor: str | None, size: int) -> list[Any] | None:
    if cursor is None:
        return None
    try:
        key = json.loads(base64.b64decode(cursor.encode(), altchars=b"-_", validate=True))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        key = None
    if not isinstance(key, list) or len(key) != size or not all(isinstance(k, str) for k in key):
        raise bad_request(
            "invalid_cursor",
            "The cursor is not one this service issued",
            [FieldError("cursor", "invalid_cursor", "malformed cursor", "游标无效")],
        )
    return key
