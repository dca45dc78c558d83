"""The one Relay helper every list type uses: edges and pageInfo over a service's keyset pages, resumable from
any edge, and still the legacy `items/total/nextCursor`. In process, over a fake keyset service."""

from types import SimpleNamespace
from typing import Any

import pytest
import strawberry

from gateway.errors import GatewayError
from gateway.pagination import Connection, decode_after, encode_edge_cursor, paginate

RECORDS = [f"r{i:02d}" for i in range(7)]


@strawberry.type(description="A test page / 测试分页")
class RecordPage(Connection[str]):
    items: list[str]
    total: int
    next_cursor: str | None


class FakeKeysetService:
    """Keyset over RECORDS: the cursor is the last id read, like the services' cursors (no dot)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str | None, int]] = []

    async def fetch(self, cursor: str | None, limit: int) -> dict[str, Any]:
        self.calls.append((cursor, limit))
        rest = [r for r in RECORDS if cursor is None or r > cursor]
        page = rest[:limit]
        return {"items": page, "total": len(RECORDS), "next_cursor": page[-1] if len(rest) > limit else None}


def info(max_page_size: int = 100) -> Any:
    settings = SimpleNamespace(gateway_max_page_size=max_page_size)
    return SimpleNamespace(context=SimpleNamespace(settings=settings))


async def read(service: FakeKeysetService, first: int, after: str | None, **kw: Any) -> RecordPage:
    return await paginate(RecordPage, info(**kw), service.fetch, str, first, after)


class TestFirstPage:
    async def test_edges_page_info_and_legacy_fields_agree(self) -> None:
        page = await read(FakeKeysetService(), 3, None)
        assert page.items == [e.node for e in page.edges] == ["r00", "r01", "r02"]
        assert page.total == 7
        assert page.page_info.has_next_page and not page.page_info.has_previous_page
        assert page.page_info.start_cursor == page.edges[0].cursor
        # The last edge carries the service's own keyset cursor: paging by endCursor stays pure keyset.
        assert page.page_info.end_cursor == page.next_cursor == "r02"


class TestPagingForward:
    async def test_end_cursors_walk_the_whole_list_once(self) -> None:
        service, seen, after = FakeKeysetService(), [], None
        while True:
            page = await read(service, 3, after)
            seen += page.items
            if not page.page_info.has_next_page:
                break
            after = page.page_info.end_cursor
        assert seen == RECORDS
        assert page.next_cursor is None and page.page_info.has_previous_page

    async def test_legacy_next_cursor_is_accepted_as_after(self) -> None:
        page = await read(FakeKeysetService(), 2, "r03")
        assert page.items == ["r04", "r05"]


class TestResumingFromAnyEdge:
    async def test_continues_right_after_the_edge(self) -> None:
        service = FakeKeysetService()
        first = await read(service, 4, None)
        page = await read(service, 2, first.edges[1].cursor)
        assert page.items == ["r02", "r03"]
        assert service.calls[-1] == (None, 4)  # the anchor's page again, two records skipped
        assert page.page_info.has_next_page

    async def test_edge_cursors_of_a_resumed_page_chain(self) -> None:
        service = FakeKeysetService()
        first = await read(service, 4, None)
        second = await read(service, 2, first.edges[0].cursor)
        third = await read(service, 10, second.edges[0].cursor)
        assert third.items == RECORDS[2:]
        assert not third.page_info.has_next_page and third.next_cursor is None


class TestLimits:
    async def test_first_is_capped_at_the_maximum_page_size(self) -> None:
        service = FakeKeysetService()
        page = await read(service, 50, None, max_page_size=2)
        assert page.items == ["r00", "r01"] and service.calls == [(None, 2)]

    async def test_first_below_one_is_refused(self) -> None:
        with pytest.raises(GatewayError) as refused:
            await read(FakeKeysetService(), 0, None)
        assert refused.value.code == "FIRST_INVALID"

    # Not base64; base64 of "not json"; JSON of the wrong shape ([1, -1]).
    @pytest.mark.parametrize("cursor", ["e1.!!!", "e1.bm90IGpzb24", "e1.WzEsLTFd"])
    def test_a_forged_edge_cursor_is_refused(self, cursor: str) -> None:
        with pytest.raises(GatewayError) as refused:
            decode_after(cursor)
        assert refused.value.code == "CURSOR_INVALID"

    def test_an_edge_cursor_round_trips(self) -> None:
        assert decode_after(encode_edge_cursor("abc", 3)) == ("abc", 3)
        assert decode_after(None) == (None, 0)
