"""Transactional outbox: events are rows written with the state change; a relay publishes them."""

import asyncio
import logging
import os
import time
from collections.abc import Callable, Sequence
from typing import Any

import asyncpg
from google.protobuf.message import Message
from shuzhuan.events.v1.envelope_pb2 import Envelope, TraceContext
from sqlalchemy import BigInteger, any_, bindparam, event, func, make_url, select, text, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
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
# The columns of `Outbox.records`, in order; the others have defaults (attempts 0, nothing published).
RECORD_COLUMNS = ("event_id", "event_type", "subject", "aggregate_id", "envelope", "created_at")


def record_rows(records: Sequence[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """`Outbox.records` as column -> value, for statements that take rows by column name."""
    return [dict(zip(RECORD_COLUMNS, record, strict=True)) for record in records]


def uuid4_strings(count: int) -> list[str]:
    """`count` random (version 4) UUIDs as strings, from one read of the system's randomness: a third of
    the CPU of `str(uuid.uuid4())` each."""
    raw = bytearray(os.urandom(16 * count))
    raw[6::16] = bytes(b & 0x0F | 0x40 for b in raw[6::16])
    raw[8::16] = bytes(b & 0x3F | 0x80 for b in raw[8::16])
    h = raw.hex()
    return [
        f"{h[i : i + 8]}-{h[i + 8 : i + 12]}-{h[i + 12 : i + 16]}-{h[i + 16 : i + 20]}-{h[i + 20 : i + 32]}"
        for i in range(0, 32 * count, 32)
    ]


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
        """`records` as column -> value, for `add_many` and statements that take rows by column name."""
        return record_rows(self.records(events, aggregate_type=aggregate_type, schema_version=schema_version))

    def records(
        self, events: Sequence[tuple[Message, str]], *, aggregate_type: str, schema_version: int = 1
    ) -> list[tuple[Any, ...]]:
        """The outbox rows of (payload, aggregate id) events as tuples in RECORD_COLUMNS order, for a bulk
        write (COPY). Envelopes as `new_envelope` builds them, with what the events share computed once:
        the time, the trace, the request id and the randomness of the event ids."""
        now = utcnow()
        # Protobuf fields merge on parsing, so the fields every envelope shares are serialized once and
        # appended to each event's own (the same message as `new_envelope`'s, at half the CPU).
        shared = Envelope(
            occurred_at=to_timestamp(now),
            producer=self.producer,
            aggregate_type=aggregate_type,
            schema_version=schema_version,
            trace=TraceContext(traceparent=traceparent_var.get()),
            request_id=request_id_var.get(),
        ).SerializeToString()
        event_ids = uuid4_strings(len(events))
        # Relative to the namespace, which the relay adds: rows stay valid if it changes.
        subjects: dict[str, str] = {}
        records = []
        for event_id, (payload, aggregate_id) in zip(event_ids, events, strict=True):
            event_type = payload.DESCRIPTOR.name
            subject = subjects.get(event_type)
            if subject is None:
                if event_type not in PAYLOAD_TYPES:
                    raise UnknownEventType(event_type)
                subject = subjects[event_type] = f"{self.producer}.{event_type}"
            envelope = (
                Envelope(
                    event_id=event_id,
                    event_type=event_type,
                    aggregate_id=aggregate_id,
                    payload=payload.SerializeToString(),
                ).SerializeToString()
                + shared
            )
            records.append((event_id, event_type, subject, aggregate_id, envelope, now))
        return records

    @staticmethod
    def written(session: AsyncSession, rows: Sequence[Any]) -> None:
        """After rows were written in `session`: the relay wakes when it commits."""
        if rows:
            session.info["outbox_pending"] = True


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
        # Core on the relay's engine, not an ORM session: the session's set-up cost more per round than the
        # statements themselves.
        self.engine: AsyncEngine = sessionmaker.kw["bind"]
        self.bus = bus
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self._postgresql = self.engine.dialect.name == "postgresql"
        # Statements built once (their SQL is cached by SQLAlchemy and prepared once per connection).
        pending = (
            select(self.table.c.id, self.table.c.event_id, self.table.c.subject, self.table.c.envelope)
            .where(self.table.c.published_at.is_(None))
            .order_by(self.table.c.id)
            .limit(self.batch_size)
        )
        # PostgreSQL: relays side by side take rows the others have not locked (no row twice, none lost;
        # one aggregate's events may then be reordered, hence one relay process per service in production).
        self._select_pending = pending.with_for_update(skip_locked=True) if self._postgresql else pending
        # PostgreSQL: one array parameter, so one prepared statement whatever the batch's length (an
        # expanded `IN` is a new statement, and a new prepare, for every length).
        marked = (
            self.table.c.id == any_(bindparam("ids", type_=postgresql.ARRAY(BigInteger)))
            if self._postgresql
            else self.table.c.id.in_(bindparam("ids", expanding=True))
        )
        self._mark_published = update(self.table).where(marked).values(published_at=bindparam("now"))
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
        async with self.engine.begin() as connection:
            rows = (await connection.execute(self._select_pending)).all()
            if not rows:
                metrics.OUTBOX_BACKLOG.labels(self.bus.process).set(0)
                metrics.OUTBOX_OLDEST_AGE.labels(self.bus.process).set(0)
                return 0
            prefix = f"{self.bus.settings.events_namespace}.events."
            # All of the batch goes out before any ack is awaited (in id order on the connection, so in
            # stream order); a row is marked only once its own ack came back.
            outcomes = await self.bus.publish_many(
                [
                    (prefix + subject, envelope, {"Nats-Msg-Id": event_id})
                    for _, event_id, subject, envelope in rows
                ]
            )
            now = utcnow()
            published = [row[0] for row, outcome in zip(rows, outcomes, strict=True) if outcome is None]
            failed = next(
                ((row, outcome) for row, outcome in zip(rows, outcomes, strict=True) if outcome is not None),
                None,
            )
            if published:
                await connection.execute(self._mark_published, {"ids": published, "now": now})
                metrics.OUTBOX_PUBLISHED.labels(self.bus.process).inc(len(published))
            if failed is not None:
                await connection.execute(
                    update(self.table)
                    .where(self.table.c.id == failed[0][0])
                    .values(attempts=self.table.c.attempts + 1, last_error=str(failed[1])[:1000])
                )
        if failed is not None:
            raise failed[1]
        return len(rows)

    async def _record_backlog(self) -> None:
        async with self.engine.connect() as connection:
            count, oldest = (
                await connection.execute(
                    select(func.count(), func.min(self.table.c.created_at)).where(
                        self.table.c.published_at.is_(None)
                    )
                )
            ).one()
        metrics.OUTBOX_BACKLOG.labels(self.bus.process).set(count)
        age = (utcnow() - oldest).total_seconds() if oldest is not None else 0
        metrics.OUTBOX_OLDEST_AGE.labels(self.bus.process).set(max(age, 0))
