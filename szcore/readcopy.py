"""Read copies kept from events, set-based: a batch of events becomes a few `INSERT ... ON CONFLICT (key) DO
UPDATE` statements, one per kind of write, and more only where one key recurs, so that each key still sees
its events in stream order. A batch of one is the same code, which keeps the rules in one place."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from szcore.db import unnest_rows
from szcore.events import Event
from szcore.types import utcnow


@dataclass(frozen=True, eq=False)  # each a module constant: compared and hashed by identity
class Upsert:
    """One kind of write to a copy: insert the row, or update an existing one's `update` columns."""

    model: type[Any]
    update: tuple[str, ...]
    # Of `update`, the columns an empty value does not overwrite (an event that leaves them out).
    unless_blank: tuple[str, ...] = ()
    # A version column: an existing row with a higher version is left as it is (an older event came late).
    version: str | None = None

    @cached_property
    def key(self) -> str:
        return str(self.model.__mapper__.primary_key[0].name)

    def statement(self, dialect: str, columns: tuple[str, ...]) -> Insert:
        statement = _STATEMENTS.get((self, dialect, columns))
        if statement is None:
            statement = _STATEMENTS[(self, dialect, columns)] = self._build(dialect, columns)
        return statement

    def parameters(self, dialect: str, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> Any:
        if dialect == "postgresql":
            return {f"p_{name}": [row[name] for row in rows] for name in columns}
        return rows

    def _build(self, dialect: str, columns: tuple[str, ...]) -> Insert:
        table = self.model.__table__
        insert: postgresql.Insert | sqlite.Insert
        if dialect == "postgresql":
            # One array per column, bound to one prepared statement: sent as one message, where executemany
            # sends one per row.
            rows = unnest_rows(table, columns, "p_")
            insert = postgresql.insert(table).from_select(
                columns, select(*(rows.c[name] for name in columns))
            )
        else:
            insert = sqlite.insert(table)
        new = insert.excluded
        values = {
            name: case((new[name] == "", table.c[name]), else_=new[name])
            if name in self.unless_blank
            else new[name]
            for name in self.update
        }
        where = table.c[self.version] <= new[self.version] if self.version else None
        return insert.on_conflict_do_update(index_elements=[self.key], set_=values, where=where)


_STATEMENTS: dict[tuple[Upsert, str, tuple[str, ...]], Insert] = {}


async def apply_writes(session: AsyncSession, writes: Iterable[tuple[Upsert, dict[str, Any]]]) -> int:
    """Applies (upsert, full row) pairs as if one after the other, in as few statements as that allows;
    returns how many statements it took."""
    groups = plan(writes)
    if not groups:
        return 0
    # What the ORM would flush before a query must reach the table first (pending changes to a copy).
    if session.new or session.dirty or session.deleted:
        await session.flush()
    dialect = session.bind.dialect.name if session.bind else "postgresql"
    for upsert, rows in groups:
        columns = tuple(rows[0])
        await session.execute(upsert.statement(dialect, columns), upsert.parameters(dialect, columns, rows))
    await _refresh_loaded(session, groups)
    return len(groups)


def plan(writes: Iterable[tuple[Upsert, dict[str, Any]]]) -> list[tuple[Upsert, list[dict[str, Any]]]]:
    """Groups the writes into statements: a write joins the first group of its kind after the last group
    holding its key (one statement cannot touch a row twice, and a key's writes keep their order); writes
    to different keys commute."""
    groups: list[tuple[Upsert, list[dict[str, Any]], set[Any]]] = []
    last_group: dict[Any, int] = {}
    for upsert, row in writes:
        key = row[upsert.key]
        start = last_group.get(key, -1) + 1
        for index in range(start, len(groups)):
            if groups[index][0] is upsert:
                break
        else:
            index = len(groups)
            groups.append((upsert, [], set()))
        groups[index][1].append(row)
        groups[index][2].add(key)
        last_group[key] = index
    return [(upsert, rows) for upsert, rows, _ in groups]


async def _refresh_loaded(session: AsyncSession, groups: list[tuple[Upsert, list[dict[str, Any]]]]) -> None:
    """Copies this session already holds as objects are re-read, so that they show what was written."""
    if not len(session.identity_map):
        return
    for model in {upsert.model for upsert, _ in groups}:
        key = model.__mapper__.primary_key[0]
        keys = {row[key.name] for upsert, rows in groups if upsert.model is model for row in rows}
        loaded = [k for k in keys if session.identity_key(model, k) in session.identity_map]
        if loaded:
            query = select(model).where(key.in_(loaded)).execution_options(populate_existing=True)
            await session.execute(query)


# An event's payload and the batch's time -> the write that applies it to the copy.
Rule = Callable[[Any, datetime], tuple[Upsert, dict[str, Any]]]


@dataclass(frozen=True)
class ReadCopy:
    """A subscription's handlers from one rule per event type: `apply` for one event (also the per-event
    fallback that isolates a failing one) and `apply_batch` for a batch in stream order."""

    rules: Mapping[str, Rule]

    async def apply(self, session: AsyncSession, event: Event) -> None:
        await self.apply_batch(session, [event])

    async def apply_batch(self, session: AsyncSession, events: Sequence[Event]) -> None:
        now = utcnow()
        await apply_writes(session, [self.rules[event.event_type](event.payload, now) for event in events])
