"""Relay-style pages over the services' keyset pages, for every list type (one helper, no per-type code).

The services hand out one keyset cursor per page (`next_cursor`, after its last record). A Relay edge needs
a cursor per record, so an edge cursor is that of the page's anchor (the service cursor the page was read
from) plus the record's position after it; resuming from it reads the anchor's page again and skips the
records already seen. The last edge of a page that has more gets the service's own `next_cursor`, so a
client that pages forward with `endCursor` (or the legacy `nextCursor`) stays on pure keyset cursors.
"""

import base64
import binascii
import json
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Annotated, Any, Generic, TypeVar

import strawberry
from strawberry.types import Info

from gateway.clients import ServiceClient
from gateway.errors import GatewayError

T = TypeVar("T")
P = TypeVar("P", bound="Connection[Any]")
# Service cursors are URL-safe base64 or digits, never containing a dot.
EDGE_PREFIX = "e1."

# Arguments shared by every list field.
First = Annotated[
    int, strawberry.argument(description="Page size, at most the gateway's maximum / 每页条数（不超过上限）")
]
OptionalFirst = Annotated[
    int | None,
    strawberry.argument(description="Page size, at most the gateway's maximum / 每页条数（不超过上限）"),
]
After = Annotated[
    str | None,
    strawberry.argument(description="Continue after this cursor (`endCursor`, an edge's cursor) / 起始游标"),
]
DeprecatedCursor = Annotated[
    str | None,
    strawberry.argument(
        description="Legacy name of `after` / 旧参数：起始游标",
        deprecation_reason="Use `after` / 请改用 after",
    ),
]
DeprecatedLimit = Annotated[
    int,
    strawberry.argument(
        description="Legacy name of `first` / 旧参数：每页条数",
        deprecation_reason="Use `first` / 请改用 first",
    ),
]

Fetch = Callable[[str | None, int], Awaitable[dict[str, Any]]]


@strawberry.type(description="Where a page sits in its list (Relay) / 分页位置信息")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More records follow / 是否还有下一页")
    has_previous_page: bool = strawberry.field(
        description="Records precede this page (the page was read with `after`) / 是否有上一页"
    )
    start_cursor: str | None = strawberry.field(description="Cursor of the first edge / 本页首条游标")
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last edge, pass as `after` for the next page / 本页末条游标"
    )


@strawberry.type(description="One record of a page with its cursor (Relay) / 分页条目及其游标")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Pass as `after` to continue after this record / 本条游标")
    node: T = strawberry.field(description="The record / 记录")


@strawberry.type(description="Relay connection fields of a page / Relay 分页字段")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(
        description="This page's records with cursors / 本页条目（含游标）"
    )
    page_info: PageInfo = strawberry.field(description="Position of this page (Relay) / 分页位置信息")


def encode_edge_cursor(anchor: str | None, skip: int) -> str:
    raw = json.dumps([anchor, skip], separators=(",", ":")).encode()
    return EDGE_PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_after(after: str | None) -> tuple[str | None, int]:
    """(service cursor to read from, records to skip after it) for an `after` argument."""
    if not after:
        return None, 0
    if not after.startswith(EDGE_PREFIX):
        return after, 0
    body = after.removeprefix(EDGE_PREFIX)
    try:
        anchor, skip = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (ValueError, TypeError, binascii.Error) as exc:
        raise GatewayError("CURSOR_INVALID", "The cursor is not valid") from exc
    if not (anchor is None or isinstance(anchor, str)) or not isinstance(skip, int) or skip < 0:
        raise GatewayError("CURSOR_INVALID", "The cursor is not valid")
    return anchor, skip


def page_size(info: Info[Any, Any], first: int) -> int:
    if first < 1:
        raise GatewayError("FIRST_INVALID", "`first` must be at least 1")
    return min(first, info.context.settings.gateway_max_page_size)


async def paginate(
    page_type: type[P],
    info: Info[Any, Any],
    fetch: Fetch,
    node: Callable[[dict[str, Any]], Any],
    first: int,
    after: str | None,
) -> P:
    """Read one page through `fetch(service_cursor, limit)` and build `page_type` with both the legacy
    `items/total/nextCursor` and the Relay `edges/pageInfo`."""
    size = page_size(info, first)
    anchor, skip = decode_after(after)
    skip = min(skip, info.context.settings.gateway_max_page_size)
    try:
        data = await fetch(anchor, size + skip)
    except GatewayError as error:
        # The services refuse a foreign cursor, or one read under another order, with `invalid_cursor`.
        if error.code == "INVALID_CURSOR":
            raise GatewayError("CURSOR_INVALID", str(error), error.status) from error
        raise
    rows = data["items"][skip : skip + size]
    next_cursor = data.get("next_cursor")
    read = skip + len(rows)
    has_next = next_cursor is not None or len(data["items"]) > read
    nodes = [node(row) for row in rows]
    cursors = [encode_edge_cursor(anchor, skip + i + 1) for i in range(len(rows))]
    if cursors and next_cursor is not None and read == len(data["items"]):
        cursors[-1] = next_cursor
    edges = [Edge(cursor=c, node=n) for c, n in zip(cursors, nodes, strict=True)]
    return page_type(
        items=nodes,  # type: ignore[call-arg]
        total=data["total"],  # type: ignore[call-arg]
        next_cursor=next_cursor,  # type: ignore[call-arg]
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=after is not None,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        ),
    )


async def service_page(
    info: Info[Any, Any],
    client: ServiceClient,
    path: str,
    params: dict[str, Any],
    order_by: Enum | None,
    first: int,
    after: str | None,
    page_type: type[P],
    convert: Callable[[dict[str, Any]], Any],
) -> P:
    """`paginate` over a service's keyset list at `path`: the filters in `params` (None ones are left out),
    `order`, the service cursor and the limit go as query parameters, with the caller's token."""
    query = {k: v for k, v in params.items() if v is not None}
    if order_by is not None:
        query["order"] = order_by.value

    async def fetch(service_cursor: str | None, size: int) -> Any:
        cursor = {"cursor": service_cursor} if service_cursor else {}
        return await client.get(path, info.context.token, params={**query, **cursor, "limit": size})

    return await paginate(page_type, info, fetch, convert, first, after)
