"""Keyset pagination for every service: sort orders over unique keys and opaque cursors bound to their order.

A cursor is the base64 of `[order, *sort key of the page's last row]`. Holding the order's name lets a list
refuse a cursor read under another order (its key would be compared against the wrong columns) instead of
silently skipping or repeating rows.
"""

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from szcore.errors import FieldError, ProblemError, bad_request

T = TypeVar("T")


def invalid_cursor(detail: str = "The cursor is not one this list issued for this order") -> ProblemError:
    return bad_request(
        "invalid_cursor", detail, [FieldError("cursor", "invalid_cursor", "unknown cursor", "分页游标无效")]
    )


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def encode_cursor(order: str, key: Sequence[Any]) -> str:
    raw = json.dumps([order, *(_plain(v) for v in key)], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str | None, order: str, size: int) -> list[Any] | None:
    """The sort key a cursor holds, or None without a cursor; 422 `invalid_cursor` when it is malformed or
    was issued for another order."""
    if not cursor:
        return None
    try:
        value = json.loads(base64.b64decode(cursor.encode(), altchars=b"-_", validate=True))
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise invalid_cursor("The cursor is not one this service issued") from exc
    if not isinstance(value, list) or len(value) != size + 1:
        raise invalid_cursor("The cursor is not one this service issued")
    if value[0] != order:
        raise invalid_cursor("The cursor was issued for another order; restart without it")
    key = value[1:]
    if not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in key):
        raise invalid_cursor("The cursor is not one this service issued")
    return key


def _parser(column: ColumnElement[Any]) -> Callable[[Any], Any]:
    kind: Any = None
    for candidate in (getattr(column.type, "impl", None), column.type):  # a TypeDecorator's own type first
        try:
            kind = candidate.python_type if candidate is not None else None
        except NotImplementedError:
            continue
        if kind is not None:
            break
    if kind is datetime:
        return lambda v: datetime.fromisoformat(v) if isinstance(v, str) else _reject()
    if kind is int:
        return lambda v: v if isinstance(v, int) else _reject()
    if kind is str:
        return lambda v: v if isinstance(v, str) else _reject()
    return lambda v: v


def _reject() -> Any:
    raise ValueError("cursor value of the wrong type")


@dataclass(frozen=True)
class Order:
    """One sort order of a list: columns whose tuple is unique (end with the primary key), one direction.
    A nullable column is sorted through `coalesce(column, sentinel)` (NULL compares as unknown), with
    `row_key` giving the same values from a loaded row."""

    name: str
    columns: tuple[Any, ...]  # mapped attributes or SQL expressions (coalesce), unique together
    descending: bool = False
    row_key: Callable[[Any], Sequence[Any]] | None = None

    def order_by(self) -> list[Any]:
        return [c.desc() if self.descending else c.asc() for c in self.columns]

    def key(self, row: Any) -> list[Any]:
        if self.row_key is not None:
            return list(self.row_key(row))
        return [getattr(row, str(c.key)) for c in self.columns]

    def cursor(self, row: Any) -> str:
        return encode_cursor(self.name, self.key(row))

    def decode(self, cursor: str | None) -> list[Any] | None:
        key = decode_cursor(cursor, self.name, len(self.columns))
        if key is None:
            return None
        try:
            return [_parser(c)(v) for c, v in zip(self.columns, key, strict=True)]
        except (ValueError, TypeError) as exc:
            raise invalid_cursor("The cursor is not one this service issued") from exc

    def after(self, key: Sequence[Any]) -> ColumnElement[bool]:
        """Rows strictly after `key` in this order (expanded, so each value binds with its column's type)."""
        terms = []
        for i, column in enumerate(self.columns):
            past = column < key[i] if self.descending else column > key[i]
            terms.append(and_(*(c == v for c, v in zip(self.columns[:i], key[:i], strict=True)), past))
        return or_(*terms)


async def read_page(
    session: AsyncSession, query: Select[Any], order: Order, cursor: str | None, limit: int
) -> tuple[list[Any], int, str | None]:
    """One page of `query` (a select of one entity, filters applied) in `order`: the rows, the total
    matching the filters, and the cursor of the next page (None on the last)."""
    after = order.decode(cursor)
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    if after is not None:
        query = query.where(order.after(after))
    rows = (await session.execute(query.order_by(*order.order_by()).limit(limit + 1))).scalars().all()
    return list(rows[:limit]), total, order.cursor(rows[limit - 1]) if len(rows) > limit else None


def page_rows(rows: Sequence[T], order: Order, cursor: str | None, limit: int) -> tuple[list[T], str | None]:
    """The same keyset page over rows already loaded and filtered in Python (lists filtered on JSON
    columns, whose containment differs per backend): sorted by the order's key, strictly after the cursor."""
    after = order.decode(cursor)
    ordered = sorted(rows, key=order.key, reverse=order.descending)
    if after is not None:
        ordered = [r for r in ordered if (order.key(r) < after if order.descending else order.key(r) > after)]
    page = ordered[:limit]
    return page, order.cursor(page[-1]) if len(ordered) > limit else None
