"""Helpers shared by this service's modules: identifiers, keyset cursors, JSON list columns."""

import base64
import binascii
import uuid
from typing import Any

from sqlalchemy import JSON
from sqlalchemy.orm import mapped_column

from szcore.errors import FieldError, bad_request


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


def json_list() -> Any:
    return mapped_column(JSON, default=list)


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode()


def decode_cursor(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        key = base64.b64decode(cursor.encode(), altchars=b"-_", validate=True).decode()
        if not key:
            raise ValueError("empty cursor")
        return key
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise bad_request(
            "invalid_cursor",
            "The cursor is not one this service issued",
            [FieldError("cursor", "invalid_cursor", "unknown cursor", "分页游标无效")],
        ) from exc


def refuse(code: str, field: str, message: str, message_zh: str) -> Any:
    return bad_request(code, message, [FieldError(field, code, message, message_zh)])
