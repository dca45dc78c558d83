"""Transactional outbox: events are rows written with the state change; a relay publishes them."""

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from google.protobuf.message import Message
from sqlalchemy import bindparam, delete, event, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from szcore import metrics
from szcore.bus import EventBus
from szcore.events import new_envelope
from szcore.tables import InfraTables
from szcore.types import utcnow

log = logging.getLogger(__name__)


class Outbox:
    def __init__(self, tables: InfraTables, producer: str) -> None:
        self.table = tables.outbox
        self.producer = producer

    async def add(
        self,
        session: AsyncSession,
        payload: Message,
        *,
        aggregate_type: str,
        aggregate_id: str,
        schema_version: int = 1,
    ) -> str:
        [event_id] = await self.add_many(
            session, [(payload, aggregate_id)], aggregate_type=aggregate_type, schema_version=schema_version
        )
        return event_id

    async def add_many(
        self,
        session: AsyncSession,
        events: Sequence[tuple[Message, str]],
        *,
        aggregate_type: str,
        schema_version: int = 1,
        chunk: int = 1000,
    ) -> list[str]:
        """Writes (payload, aggregate id) events in the caller's transaction, in bulk statements."""
        now = utcnow()
        rows = []
        for payload, aggregate_id in events:
            envelope = new_envelope(
                payload,
                producer=self.producer,
                aggregate_type=aggregate_type,
                aggregate_id=aggregate_id,
                schema_version=schema_version,
            )
            rows.append(
                {
                    "event_id": envelope.event_id,
                    "event_type": envelope.event_type,
                    # Relative to the namespace, which the relay adds: rows stay valid if it changes.
                    "subject": f"{self.producer}.{envelope.event_type}",
                    "aggregate_id": aggregate_id,
                    "envelope": envelope.SerializeToString(),
                    "created_at": now,
                    "attempts": 0,
                }
            )
        for start in range(0, len(rows), chunk):
            await session.execute(self.table.insert(), rows[start : start + chunk])
        if rows:
            session.info["outbox_pending"] = True
        return [row["event_id"] for row in rows]

    async def discard(self, session: AsyncSession, event_ids: Sequence[str]) -> None:
        """Takes back events written earlier in the caller's (still open) transaction."""
        await session.execute(delete(self.table).where(self.table.c.event_id.in_(event_ids)))


class OutboxRelay:
    """Publishes unpublished rows in id order with Nats-Msg-Id = event id (JetStream drops duplicates
    within its window; consumers' inboxes drop the rest) and marks them published after the ack."""

    def __init__(
        self,
        tables: InfraTables,
        sessionmaker: async_sessionmaker[AsyncSession],
        bus: EventBus,
        *,
        batch_size: int = 200,
        poll_seconds: float = 1.0,
    ) -> None:
        self.table = tables.outbox
        self.sessionmaker = sessionmaker
        self.bus = bus
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.wakeup = asyncio.Event()
        # Built once: constructing `id IN (...)` anew for every batch cost more than publishing it.
        self._mark_published = (
            update(self.table)
            .where(self.table.c.id.in_(bindparam("ids", expanding=True)))
            .values(published_at=bindparam("now"))
        )
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._hooked: list[Any] = []

    def hook_commits(self, session_class: type[Session]) -> None:
        """Wake the relay as soon as a transaction that wrote events commits."""

        def after_commit(session: Session) -> None:
            if session.info.pop("outbox_pending", False) and self._loop is not None:
                self._loop.call_soon_threadsafe(self.wakeup.set)

        event.listen(session_class, "after_commit", after_commit)
        self._hooked.append((session_class, after_commit))

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(self.run(), name=f"{self.bus.process}-outbox-relay")

    async def stop(self) -> None:
        for session_class, fn in self._hooked:
            event.remove(session_class, "after_commit", fn)
        self._hooked.clear()
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def run(self) -> None:
        backoff = 0.2
        while True:
            try:
                await asyncio.wait_for(self.wakeup.wait(), timeout=self.poll_seconds)
            except TimeoutError:
                pass
            self.wakeup.clear()
            if not self.bus.connected:
                continue
            try:
                while await self.publish_pending() == self.batch_size:
                    pass
                await self._record_backlog()
                backoff = 0.2
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                metrics.OUTBOX_PUBLISH_ERRORS.labels(self.bus.process).inc()
                log.warning("outbox relay failed, retrying", extra={"error": str(exc), "delay": backoff})
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)

    async def publish_pending(self) -> int:
        async with self.sessionmaker() as session, session.begin():
            query = (
                select(self.table.c.id, self.table.c.event_id, self.table.c.subject, self.table.c.envelope)
                .where(self.table.c.published_at.is_(None))
                .order_by(self.table.c.id)
                .limit(self.batch_size)
            )
            if session.bind.dialect.name == "postgresql":
                # Several replicas may relay at once; each takes rows the others have not locked.
                query = query.with_for_update(skip_locked=True)
            rows = (await session.execute(query)).all()
            if not rows:
                metrics.OUTBOX_BACKLOG.labels(self.bus.process).set(0)
                metrics.OUTBOX_OLDEST_AGE.labels(self.bus.process).set(0)
                return 0
            namespace = self.bus.settings.events_namespace
            # All of the batch goes out before any ack is awaited (in id order on the connection, so in
            # stream order); a row is marked only once its own ack came back.
            outcomes = await self.bus.publish_many(
                [
                    (f"{namespace}.events.{row.subject}", row.envelope, {"Nats-Msg-Id": row.event_id})
                    for row in rows
                ]
            )
            published = [row.id for row, outcome in zip(rows, outcomes, strict=True) if outcome is None]
            failed = [
                (row, outcome) for row, outcome in zip(rows, outcomes, strict=True) if outcome is not None
            ]
            error: BaseException | None = failed[0][1] if failed else None
            now = utcnow()
            if published:
                await session.execute(self._mark_published, {"ids": published, "now": now})
                metrics.OUTBOX_PUBLISHED.labels(self.bus.process).inc(len(published))
            if failed:
                await session.execute(
                    update(self.table)
                    .where(self.table.c.id == failed[0][0].id)
                    .values(attempts=self.table.c.attempts + 1, last_error=str(error)[:1000])
                )
        if error is not None:
            raise error
        return len(rows)

    async def _record_backlog(self) -> None:
        async with self.sessionmaker() as session:
            count, oldest = (
                await session.execute(
                    select(func.count(), func.min(self.table.c.created_at)).where(
                        self.table.c.published_at.is_(None)
                    )
                )
            ).one()
        metrics.OUTBOX_BACKLOG.labels(self.bus.process).set(count)
        age = (utcnow() - oldest).total_seconds() if oldest is not None else 0
        metrics.OUTBOX_OLDEST_AGE.labels(self.bus.process).set(max(age, 0))
