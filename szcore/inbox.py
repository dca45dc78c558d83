from collections.abc import Sequence

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from szcore.events import Event
from szcore.types import utcnow


class Inbox:
    """Records which events a consumer has applied, in the same transaction as their effect."""

    def __init__(self, table: Table) -> None:
        self.table = table

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
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        now = utcnow()
        rows = {
            event.event_id: {
                "consumer": consumer,
                "event_id": event.event_id,
                "event_type": event.event_type,
                "received_at": now,
            }
            for event in events
        }
        statement = (
            insert(self.table)
            .values(list(rows.values()))
            .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
            .returning(self.table.c.event_id)
        )
        return set((await session.execute(statement)).scalars().all())
