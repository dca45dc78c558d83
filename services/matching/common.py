"""Helpers shared by this service's modules: identifiers, JSON list columns, input refusals, the pages of
the review and rating lists."""

import uuid
from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import JSON
from sqlalchemy.orm import mapped_column

from szcore.errors import FieldError, bad_request

PageT = TypeVar("PageT", bound=BaseModel)

# The query parameters every `/…/page` list shares; each names its own sort orders (its OpenAPI enum).
PageLimit = Annotated[int, Query(ge=1, le=200)]
SORT_ORDER = "Sort order; keep it while paging with the cursor"


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


def json_list() -> Any:
    return mapped_column(JSON, default=list)


def refuse(code: str, field: str, message: str, message_zh: str) -> Any:
    return bad_request(code, message, [FieldError(field, code, message, message_zh)])


def as_page(
    page: type[PageT], item: type[BaseModel], found: tuple[Sequence[object], int, str | None]
) -> PageT:
    """A keyset page (rows, total, next cursor) as its response model, each row read as `item`."""
    rows, total, next_cursor = found
    return page(items=[item.model_validate(r) for r in rows], total=total, next_cursor=next_cursor)
