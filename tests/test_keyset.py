"""szcore.keyset without I/O: cursors bound to their order, keyset pages over rows, stable under inserts."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table

from szcore.errors import ProblemError
from szcore.keyset import Order, decode_cursor, encode_cursor, page_rows

table = Table(
    "thing",
    MetaData(),
    Column("id", String, primary_key=True),
    Column("amount", Integer),
    Column("at", DateTime(timezone=True)),
)
BY_AMOUNT = Order("amount_highest", (table.c.amount, table.c.id), descending=True)
BY_TIME = Order("oldest", (table.c.at, table.c.id))
T0 = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Thing:
    id: str
    amount: int
    at: datetime


def things(n: int) -> list[Thing]:
    # Amounts repeat so that ties are broken by the id.
    return [Thing(f"t{i:02d}", (i % 3) * 100, T0 + timedelta(minutes=i % 4)) for i in range(n)]


def walk(rows: list[Thing], order: Order, size: int, insert: list[Thing] | None = None) -> list[str]:
    seen: list[str] = []
    cursor = None
    while True:
        page, cursor = page_rows(rows, order, cursor, size)
        seen += [r.id for r in page]
        if insert:
            rows = [*rows, insert.pop()]
        if cursor is None:
            return seen


class TestCursor:
    def test_round_trip_with_typed_values(self) -> None:
        row = Thing("t1", 5, T0)
        assert BY_TIME.decode(BY_TIME.cursor(row)) == [T0, "t1"]
        assert BY_AMOUNT.decode(BY_AMOUNT.cursor(row)) == [5, "t1"]

    def test_a_cursor_of_another_order_is_refused(self) -> None:
        cursor = BY_AMOUNT.cursor(Thing("t1", 5, T0))
        with pytest.raises(ProblemError) as refused:
            BY_TIME.decode(cursor)
        assert refused.value.status == 422 and refused.value.code == "invalid_cursor"

    @pytest.mark.parametrize(
        "cursor", ["", "%%%", "bm9wZQ", encode_cursor("oldest", ["x"]), encode_cursor("oldest", [1, "t1"])]
    )
    def test_malformed_cursors_are_refused(self, cursor: str) -> None:
        if not cursor:
            assert BY_TIME.decode(cursor) is None
            return
        with pytest.raises(ProblemError):
            BY_TIME.decode(cursor)

    def test_decode_checks_arity(self) -> None:
        assert decode_cursor(encode_cursor("o", ["a", 1]), "o", 2) == ["a", 1]
        with pytest.raises(ProblemError):
            decode_cursor(encode_cursor("o", ["a"]), "o", 2)


class TestPages:
    @pytest.mark.parametrize("order", [BY_AMOUNT, BY_TIME])
    @pytest.mark.parametrize("size", [1, 2, 5, 50])
    def test_pages_cover_the_order_once(self, order: Order, size: int) -> None:
        rows = things(11)
        expected = [r.id for r in sorted(rows, key=order.key, reverse=order.descending)]
        assert walk(rows, order, size) == expected

    def test_inserts_while_paging_cause_no_duplicate_and_no_gap(self) -> None:
        rows = things(9)
        late = [Thing(f"n{i}", amount, T0) for i, amount in enumerate([0, 1000, 150, 100])]
        seen = walk(rows, BY_AMOUNT, 2, insert=list(late))
        assert len(seen) == len(set(seen))
        assert {r.id for r in rows} <= set(seen)  # every row present from the start is read

    def test_sql_condition_is_expanded_per_column(self) -> None:
        condition = str(BY_AMOUNT.after([100, "t05"]).compile())
        assert "thing.amount < :amount_1 OR thing.amount = :amount_2 AND thing.id < :id_1" == condition
