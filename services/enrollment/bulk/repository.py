import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from functools import cache, partial
from operator import itemgetter
from typing import Any

from sqlalchemy import Enum as SAEnum
from sqlalchemy import RowMapping, String, Table, bindparam, func, insert, select, true, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from services.enrollment.bulk.models import BulkPush
from services.enrollment.db import infra, outbox
from services.enrollment.enterprise.dossier import FIELDS, created_changes, created_changes_json
from services.enrollment.enterprise.models import Enterprise, EnterpriseVersion
from services.enrollment.national.feed import feed
from szcore.errors import conflict
from szcore.outbox import RECORD_COLUMNS, record_rows

CHUNK = 5000
FEW = 100  # records written by one pipelined INSERT rather than COPY
ENTERPRISE: Table = Enterprise.__table__  # type: ignore[assignment]
VERSION: Table = EnterpriseVersion.__table__  # type: ignore[assignment]
PUSH: Table = BulkPush.__table__  # type: ignore[assignment]
USCCS = bindparam("usccs", type_=ARRAY(String))

# Statements built once (a statement built per call costs its cache key each time).
PUSH_BY_KEY = select(BulkPush).where(
    BulkPush.scope == bindparam("scope"), BulkPush.request_id == bindparam("request_id")
)
# One primary-key lookup per USCC (a lateral subquery the planner may not flatten, OFFSET 0): `= ANY` was
# planned as a scan of the whole table while a push fills it, its statistics still those of the empty table.
KEYS = func.unnest(USCCS).table_valued("uscc").render_derived(name="keys")
FOUND = select(ENTERPRISE).where(ENTERPRISE.c.uscc == KEYS.c.uscc).offset(0).lateral("found")
EXISTING = select(FOUND).select_from(KEYS).join(FOUND, true())
CLAIM_POSTGRESQL, CLAIM_SQLITE = (
    dialect_insert(PUSH)
    .on_conflict_do_nothing(index_elements=[PUSH.c.scope, PUSH.c.request_id])
    .returning(PUSH.c.id)
    for dialect_insert in (postgresql_insert, sqlite_insert)
)


@cache
def insert_sql(table: str, columns: tuple[str, ...]) -> str:
    """The INSERT of one row into our own table and columns (names from the metadata, never from input)."""
    names = ", ".join(f'"{c}"' for c in columns)
    values = ", ".join(f"${n}" for n in range(1, len(columns) + 1))
    return f'INSERT INTO "{table}" ({names}) VALUES ({values})'


# A chunk's statements with their rows already built: sent when awaited, while Python goes on reading.
Write = Callable[[], Awaitable[object]]


async def nothing() -> None:
    return None


def in_order(writes: Sequence[Write]) -> Write:
    async def send() -> None:
        for write in writes:
            await write()

    return send


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class BulkRepository:
    """Set-based reads and writes: a push of 100,000 records costs a few dozen statements, not one per row."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def push(self, scope: str, request_id: str) -> BulkPush | None:
        found = await self.session.execute(PUSH_BY_KEY, {"scope": scope, "request_id": request_id})
        return found.scalars().first()

    @property
    def postgresql(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    @asynccontextmanager
    async def separate_reads(self) -> AsyncIterator[AsyncSession | None]:
        """A session of its own for a push's lookups, on PostgreSQL when the push's session is on an engine
        (a request's): a lookup then need not wait for the push's writes to end on the push's connection.
        It sees what is committed, which is all a lookup needs: a push never names a USCC twice, so no
        lookup depends on the push's own writes. It takes a connection only when first used (a push of one
        chunk never does). None otherwise: SQLite has one connection to write with, and a session on a
        connection (as in tests) has rows that another connection would not see."""
        bind = self.session.bind
        if not isinstance(bind, AsyncEngine) or bind.dialect.name != "postgresql":
            yield None
            return
        async with AsyncSession(bind, expire_on_commit=False) as reads:
            yield reads

    async def existing(self, usccs: Sequence[str]) -> dict[str, RowMapping]:
        """One statement per chunk; on PostgreSQL one array parameter instead of thousands of binds."""
        found: dict[str, RowMapping] = {}
        if not usccs:
            return found
        if self.postgresql:
            rows = await self.session.execute(EXISTING, {"usccs": list(usccs)})
            return {row.uscc: row for row in rows.mappings()}
        for part in chunks(usccs):
            rows = await self.session.execute(select(ENTERPRISE).where(ENTERPRISE.c.uscc.in_(part)))
            found.update({row.uscc: row for row in rows.mappings()})
        return found

    def copy(self, table: Table, rows: Sequence[dict[str, Any]], json_columns: Sequence[str] = ()) -> Write:
        """Bulk insert in the session's transaction: asyncpg's COPY on PostgreSQL (no per-row parameter
        processing), multi-row INSERTs elsewhere. Rows carry every column but a generated key."""
        if not rows:
            return nothing
        if not self.postgresql:
            return partial(self.insert_rows, table, rows)
        columns = [c.name for c in table.columns if c.name in rows[0]]
        values_of = itemgetter(*columns)
        # Only the enum and JSON columns need converting; every other value goes to COPY as it is.
        special = [
            (index, dumps if name in json_columns else str)
            for index, name in enumerate(columns)
            if name in json_columns or isinstance(table.c[name].type, SAEnum)
        ]
        records = []
        for row in rows:
            values = list(values_of(row))
            for index, convert in special:
                if values[index] is not None:
                    values[index] = convert(values[index])
            records.append(values)
        return partial(self.copy_records, table, columns, records)

    async def copy_records(
        self, table: Table, columns: Sequence[str], records: Sequence[Sequence[Any]]
    ) -> None:
        """COPY of ready records (PostgreSQL only): values in `columns` order, as asyncpg encodes them. A
        few records go as one pipelined prepared INSERT instead: a round trip less than COPY."""
        connection = await self.session.connection()
        driver = (await connection.get_raw_connection()).driver_connection
        if len(records) <= FEW:
            await driver.executemany(insert_sql(table.name, tuple(columns)), records)  # type: ignore[union-attr]
            return
        await driver.copy_records_to_table(table.name, records=records, columns=columns)  # type: ignore[union-attr]

    def insert_enterprises(self, rows: Sequence[dict[str, Any]], common: dict[str, Any]) -> Write:
        """New enterprises: `rows` hold uscc and every dossier field, `common` the columns they share. On
        PostgreSQL records go to COPY as tuples (enum members are str, asyncpg takes them as they are)."""
        if not rows:
            return nothing
        if self.postgresql:
            values_of = itemgetter("uscc", *FIELDS)
            shared = tuple(common.values())
            rows_written = partial(
                self.copy_records,
                ENTERPRISE,
                ["uscc", *FIELDS, *common],
                [(*values_of(row), *shared) for row in rows],
            )
        else:
            rows_written = partial(self.insert_rows, ENTERPRISE, [{**row, **common} for row in rows])
        return in_order([rows_written, partial(self.record_changes, [row["uscc"] for row in rows])])

    async def record_changes(self, usccs: Sequence[str]) -> None:
        """The national change feed's rows (szcore.changefeed)."""
        await feed.record(self.session, "enterprise", usccs)

    def add_events(self, records: Sequence[tuple[Any, ...]]) -> Write:
        """Outbox records (`outbox.records`), written by COPY on PostgreSQL; the relay is woken after the
        commit."""
        if not records:
            return nothing

        async def send() -> None:
            if self.postgresql:
                await self.copy_records(infra.outbox, RECORD_COLUMNS, records)
            else:
                await self.insert_rows(infra.outbox, record_rows(records))
            outbox.written(self.session, records)

        return send

    def update_enterprises(self, rows: Sequence[dict[str, Any]]) -> Write:
        if not rows:
            return nothing
        statement = update(ENTERPRISE).where(ENTERPRISE.c.uscc == bindparam("key_uscc"))
        return in_order(
            [
                partial(self.execute_chunks, statement, rows),
                partial(self.record_changes, [row["key_uscc"] for row in rows]),
            ]
        )

    def insert_versions(self, rows: Sequence[dict[str, Any]]) -> Write:
        return self.copy(VERSION, rows, json_columns=("changes",))

    def created_versions(self, rows: Sequence[dict[str, Any]], actor: dict[str, Any]) -> list[Any]:
        """Version 1 of each new enterprise (`rows` as given to insert_enterprises), as
        insert_created_versions takes them: on PostgreSQL COPY records with the changes written straight
        as JSON text."""
        if not self.postgresql:
            return [
                {"uscc": row["uscc"], "version": 1, **actor, "changes": created_changes(row)} for row in rows
            ]
        shared = (1, *actor.values())
        return [(row["uscc"], *shared, created_changes_json(row)) for row in rows]

    def insert_created_versions(self, versions: Sequence[Any], actor: dict[str, Any]) -> Write:
        if not versions:
            return nothing
        if not self.postgresql:
            return self.insert_versions(versions)
        return partial(self.copy_records, VERSION, ["uscc", "version", *actor, "changes"], versions)

    async def insert_rows(self, table: Any, rows: Sequence[dict[str, Any]]) -> None:
        await self.execute_chunks(insert(table), rows)

    async def execute_chunks(self, statement: Any, rows: Sequence[dict[str, Any]]) -> None:
        for part in chunks(rows):
            await self.session.execute(statement, list(part))

    async def claim(self, push: dict[str, Any]) -> None:
        """Records the applied push. A concurrent push with the same request id waits on the unique key
        and then inserts nothing, and is refused instead of applying the records twice (no savepoint
        needed: ON CONFLICT DO NOTHING does not abort the transaction)."""
        statement = CLAIM_POSTGRESQL if self.postgresql else CLAIM_SQLITE
        if (await self.session.execute(statement, push)).first() is None:
            raise conflict(
                "request_in_progress",
                f"Request id {push['request_id']} is being or was just applied; "
                "send it again to get its answer",
            )
