"""Transactional outbox: events are rows written with the state change; a relay publishes them."""

import asyncio
import logging
import os
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import asyncpg
from google.protobuf.message import Message
from shuzhuan.events.v1.envelope_pb2 import Envelope, TraceContext
from sqlalchemy import bindparam, delete, event, func, make_url, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from szcore import metrics
from szcore.bus import EventBus
from szcore.context import request_id_var, traceparent_var
from szcore.events import PAYLOAD_TYPES, UnknownEventType, to_timestamp
from szcore.tables import InfraTables
from szcore.types import utcnow
from szcore.worker import CommitFollower

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "sz_outbox"


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
        rows = self.rows(events, aggregate_type=aggregate_type, schema_version=schema_version)
        for start in range(0, len(rows), chunk):
            await session.execute(self.table.insert(), rows[start : start + chunk])
        self.written(session, rows)
        return [row["event_id"] for row in rows]

    def rows(
        self, events: Sequence[tuple[Message, str]], *, aggregate_type: str, schema_version: int = 1
    ) -> list[dict[str, Any]]:
        """The outbox rows of (payload, aggregate id) events, for `add_many` or a caller's own bulk write
        (COPY). Envelopes as `new_envelope` builds them, with what the events share computed once: the
        time, the trace, the request id, and the randomness of the (version 4) event ids in one call."""
        now = utcnow()
        occurred_at = to_timestamp(now)
        trace = TraceContext(traceparent=traceparent_var.get())
        request_id = request_id_var.get()
        randomness = os.urandom(16 * len(events))
        rows = []
        for index, (payload, aggregate_id) in enumerate(events):
            event_type = payload.DESCRIPTOR.name
            if event_type not in PAYLOAD_TYPES:
                raise UnknownEventType(event_type)
            event_id = str(uuid.UUID(bytes=randomness[16 * index : 16 * index + 16], version=4))
            envelope = Envelope(
                event_id=event_id,
                event_type=event_type,
                occurred_at=occurred_at,
                producer=self.producer,
                aggregate_type=aggregate_type,
                aggregate_id=aggregate_id,
                schema_version=schema_version,
                trace=trace,
                payload=payload.SerializeToString(),
                request_id=request_id,
            )
            rows.append(
                {
                    "event_id": event_id,
                    "event_type": event_type,
                    # Relative to the namespace, which the relay adds: rows stay valid if it changes.
                    "subject": f"{self.producer}.{event_type}",
                    "aggregate_id": aggregate_id,
                    "envelope": envelope.SerializeToString(),
                    "created_at": now,
                    "attempts": 0,
                }
            )
        return rows

    @staticmethod
    def written(session: AsyncSession, rows: Sequence[Any]) -> None:
        """After rows were written in `session`: the relay wakes when it commits."""
        if rows:
            session.info["outbox_pending"] = True

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
        # Built once: constructing `id IN (...)` anew for every batch cost more than publishing it.
        self._mark_published = (
            update(self.table)
            .where(self.table.c.id.in_(bindparam("ids", expanding=True)))
            .values(published_at=bindparam("now"))
        )
        self._worker = CommitFollower(
            f"{bus.process}-outbox-relay",
            self.drain,
            flag="outbox_pending",
            poll_seconds=poll_seconds,
            can_drain=lambda: self.bus.connected,
            on_error=self._failed,
        )
        self._listener: asyncio.Task[None] | None = None
        self._backlog_recorded_at = -float("inf")

    def hook_commits(self, session_class: type[Session]) -> None:
        """Wake the relay as soon as a transaction that wrote events commits (in this process)."""
        self._worker.hook_commits(session_class)

    @staticmethod
    def notify_commits(session_class: type[Session]) -> Callable[[], None]:
        """For a relay in another process: a transaction that wrote events sends a PostgreSQL NOTIFY, which
        is delivered when (and only if) it commits. Returns the function that removes the hook."""

        def before_commit(session: Session) -> None:
            if (
                session.info.get("outbox_pending")
                and session.bind
                and session.bind.dialect.name == "postgresql"
            ):
                session.connection().execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))

        event.listen(session_class, "before_commit", before_commit)
        return lambda: event.remove(session_class, "before_commit", before_commit)

    async def start(self, listen_url: str | None = None) -> None:
        """`listen_url`: a PostgreSQL URL to LISTEN on, for commits made in other processes."""
        await self._worker.start()
        if listen_url is not None:
            self._listener = asyncio.create_task(
                self._listen(listen_url), name=f"{self.bus.process}-outbox-listen"
            )

    async def stop(self) -> None:
        if self._listener:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
        await self._worker.stop()

    def wake(self) -> None:
        self._worker.wake()

    async def _listen(self, url: str) -> None:
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        delay = 0.2
        while True:
            try:
                connection = await asyncpg.connect(dsn)
            except Exception as exc:
                log.warning("outbox listen failed, retrying", extra={"error": str(exc), "delay": delay})
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            try:
                await connection.add_listener(NOTIFY_CHANNEL, lambda *_args: self.wake())
                delay = 0.2
                # Whatever committed while nobody listened.
                self.wake()
                while True:
                    # A dead connection shows only when something is sent; until then, polling covers.
                    await asyncio.sleep(5.0)
                    await connection.execute("SELECT 1", timeout=5.0)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("outbox listen connection lost", extra={"error": str(exc)})
            finally:
                connection.terminate()
            await asyncio.sleep(delay)

    def _failed(self, exc: Exception, delay: float) -> None:
        metrics.OUTBOX_PUBLISH_ERRORS.labels(self.bus.process).inc()
        log.warning("outbox relay failed, retrying", extra={"error": str(exc), "delay": delay})

    async def drain(self) -> None:
        while await self.publish_pending() == self.batch_size:
            pass
        # At most once per poll interval: woken by every commit, counting the backlog each time cost a
        # query as dear as the publishing.
        if time.monotonic() - self._backlog_recorded_at >= self.poll_seconds:
            await self._record_backlog()
            self._backlog_recorded_at = time.monotonic()

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
