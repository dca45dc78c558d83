from collections.abc import Sequence

from sqlalchemy import String, Table, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from szcore.events import Event
from szcore.types import utcnow


class Inbox:
    """Records which events a consumer has applied, in the same transaction as their effect."""

    def __init__(self, table: Table) -> None:
        self.table = table
        received = table.c.received_at.type
        rows = (
            func.unnest(
                bindparam("ids", type_=postgresql.ARRAY(String)),
                bindparam("types", type_=postgresql.ARRAY(String)),
            )
            .table_valued("event_id", "event_type")
            .render_derived()
        )
        batch = select(
            bindparam("consumer", type_=String),
            rows.c.event_id,
            rows.c.event_type,
            bindparam("now", type_=received),
        ).select_from(rows)
        self._record_many_pg = (
            postgresql.insert(table)
            .from_select(["consumer", "event_id", "event_type", "received_at"], batch)
            .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
            .returning(table.c.event_id)
        )

    async def record(self, session: AsyncSession, consumer: str, event: Event) -> bool:
        """True the first time this consumer sees the event; False for a redelivery."""
        dialect = session.bind.dialect.name if session.bind else "postgresql"
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(self.table)
            .values(
                consumer=consumer, event_id=event.event_id, event_type=event.event_type, received_at=utcnow()
            )
            .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
        )
        result = await session.execute(statement)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def record_many(self, session: AsyncSession, consumer: str, events: Sequence[Event]) -> set[str]:
        """One statement for a batch: the ids of the events this consumer had not seen before."""
        if not events:
            return set()
        dialect = session.bind.dialect.name if session.bind else "postgresql"
        now = utcnow()
        types = {event.event_id: event.event_type for event in events}
        if dialect == "postgresql":
            # Arrays bound to one statement: compiled and prepared once, where a multi-row VALUES is
            # compiled anew for every batch size (that compilation cost more than the insert itself).
            result = await session.execute(
                self._record_many_pg,
                {"consumer": consumer, "ids": list(types), "types": list(types.values()), "now": now},
            )
            return set(result.scalars().all())
        rows = [
            {"consumer": consumer, "event_id": event_id, "event_type": event_type, "received_at": now}
            for event_id, event_type in types.items()
        ]
        statement = (
            sqlite.insert(self.table)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
            .returning(self.table.c.event_id)
        )
        return set((await session.execute(statement)).scalars().all())
