"""Helpers shared by this service's modules: identifiers, JSON list columns, input refusals."""

import uuid
from typing import Any

from sqlalchemy import JSON
from sqlalchemy.orm import mapped_column

from szcore.errors import FieldError, bad_request


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


def json_list() -> Any:
    return mapped_column(JSON, default=list)


def refuse(code: str, field: str, message: str, message_zh: str) -> Any:
    return bad_request(code, message, [FieldError(field, code, message, message_zh)])
