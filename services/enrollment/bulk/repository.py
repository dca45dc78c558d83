import json
from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any

from google.protobuf.message import Message
from sqlalchemy import Enum as SAEnum
from sqlalchemy import RowMapping, String, Table, any_, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.enrollment.bulk.models import BulkPush
from services.enrollment.db import infra, outbox
from services.enrollment.enterprise.models import Enterprise, EnterpriseVersion
from services.enrollment.national.feed import feed
from szcore.errors import conflict
from szcore.types import utcnow

CHUNK = 5000
ENTERPRISE: Table = Enterprise.__table__  # type: ignore[assignment]
VERSION: Table = EnterpriseVersion.__table__  # type: ignore[assignment]
PUSH: Table = BulkPush.__table__  # type: ignore[assignment]
USCCS = bindparam("usccs", type_=ARRAY(String))


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
        query = select(BulkPush).where(BulkPush.scope == scope, BulkPush.request_id == request_id)
        return (await self.session.execute(query)).scalars().first()

    @property
    def postgresql(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    async def existing(self, usccs: Sequence[str]) -> dict[str, RowMapping]:
        """One statement per chunk; on PostgreSQL one array parameter instead of thousands of binds."""
        found: dict[str, RowMapping] = {}
        if not usccs:
            return found
        if self.postgresql:
            query = select(ENTERPRISE).where(ENTERPRISE.c.uscc == any_(USCCS))
            rows = await self.session.execute(query, {"usccs": list(usccs)})
            return {row.uscc: row for row in rows.mappings()}
        for part in chunks(usccs):
            rows = await self.session.execute(select(ENTERPRISE).where(ENTERPRISE.c.uscc.in_(part)))
            found.update({row.uscc: row for row in rows.mappings()})
        return found

    async def copy(
        self, table: Table, rows: Sequence[dict[str, Any]], json_columns: Sequence[str] = ()
    ) -> None:
        """Bulk insert in the session's transaction: asyncpg's COPY on PostgreSQL (no per-row parameter
        processing), multi-row INSERTs elsewhere. Rows carry every column but a generated key."""
        if not rows:
            return
        if not self.postgresql:
            for part in chunks(rows):
                await self.session.execute(insert(table), list(part))
            return
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
        connection = await self.session.connection()
        raw = await connection.get_raw_connection()
        await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
            table.name, records=records, columns=columns
        )

    async def insert_enterprises(self, rows: Sequence[dict[str, Any]]) -> None:
        await self.copy(ENTERPRISE, rows)
        await self.record_changes([row["uscc"] for row in rows])

    async def record_changes(self, usccs: Sequence[str]) -> None:
        """The national change feed's rows (szcore.changefeed): what ChangeLog.record writes."""
        if not self.postgresql:
            await feed.record(self.session, "enterprise", usccs)
            return
        now = utcnow()
        await self.copy(
            feed.table,
            [{"entity_type": "enterprise", "entity_id": uscc, "recorded_at": now} for uscc in usccs],
        )
        feed.written(self.session, usccs)

    async def add_events(self, events: Sequence[tuple[Message, str]], aggregate_type: str) -> None:
        """Outbox.add_many's rows, written by COPY on PostgreSQL; the relay is woken after the commit."""
        if not self.postgresql:
            await outbox.add_many(self.session, events, aggregate_type=aggregate_type)
            return
        rows = outbox.rows(events, aggregate_type=aggregate_type)
        await self.copy(infra.outbox, rows)
        outbox.written(self.session, rows)

    async def update_enterprises(self, rows: Sequence[dict[str, Any]]) -> None:
        statement = update(ENTERPRISE).where(ENTERPRISE.c.uscc == bindparam("key_uscc"))
        for part in chunks(rows):
            await self.session.execute(statement, list(part))
        await self.record_changes([row["key_uscc"] for row in rows])

    async def insert_versions(self, rows: Sequence[dict[str, Any]]) -> None:
        await self.copy(VERSION, rows, json_columns=("changes",))

    async def insert_rows(self, table: Any, rows: Sequence[dict[str, Any]]) -> None:
        for part in chunks(rows):
            await self.session.execute(insert(table), list(part))

    async def claim(self, push: dict[str, Any]) -> None:
        """Records the applied push. A concurrent push with the same request id waits on the unique key
        and then inserts nothing, and is refused instead of applying the records twice (no savepoint
        needed: ON CONFLICT DO NOTHING does not abort the transaction)."""
        dialect_insert = postgresql_insert if self.postgresql else sqlite_insert
        statement = (
            dialect_insert(PUSH)
            .values(**push)
            .on_conflict_do_nothing(index_elements=[PUSH.c.scope, PUSH.c.request_id])
            .returning(PUSH.c.id)
        )
        if (await self.session.execute(statement)).first() is None:
            raise conflict(
                "request_in_progress",
                f"Request id {push['request_id']} is being or was just applied; "
                "send it again to get its answer",
            )
