"""The NATS JetStream connection, its topology (streams and durable consumers) and the consumer loop."""

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import nats
import nats.errors
import nats.js.errors
from nats.aio.client import NO_RESPONDERS_STATUS, ServerVersion
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js import JetStreamContext, api
from opentelemetry.trace import SpanKind
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from szcore import metrics
from szcore.context import request_id_var
from szcore.events import Event, MalformedEvent, UnknownEventType, dead_letter_subject, decode, events_subject
from szcore.inbox import Inbox
from szcore.settings import Settings
from szcore.tracing import item_spans, span

log = logging.getLogger(__name__)

Handler = Callable[[AsyncSession, Event], Awaitable[None]]
BatchHandler = Callable[[AsyncSession, list[Event]], Awaitable[None]]

HEADER_ORIGINAL_SUBJECT = "Sz-Original-Subject"
HEADER_CONSUMER = "Sz-Consumer"
HEADER_ERROR = "Sz-Error"
HEADER_DELIVERIES = "Sz-Deliveries"
HEADER_EVENT_ID = "Sz-Event-Id"


def durable_name(namespace: str, subscription: str) -> str:
    return f"{re.sub(r'[^A-Za-z0-9_-]', '_', namespace)}-{subscription}"


def stream_name(namespace: str, kind: str) -> str:
    return f"{re.sub(r'[^A-Za-z0-9]', '_', namespace).upper()}_{kind}"


# Consumers filter on several subjects each (`filter_subjects`), which NATS only honours from 2.10; an
# older server silently delivers every subject to every consumer.
MIN_SERVER_VERSION = (2, 10)


class NatsServerTooOld(RuntimeError):
    pass


def require_server_version(version: ServerVersion) -> None:
    if (version.major, version.minor) < MIN_SERVER_VERSION:
        raise NatsServerTooOld(
            f"NATS server {version} is too old: Shuzhuan needs 2.10 or newer (consumers with several "
            "filter subjects); readiness stays down until it is upgraded"
        )


@dataclass(frozen=True)
class Topology:
    namespace: str
    replicas: int = 1

    @property
    def events_stream(self) -> str:
        return stream_name(self.namespace, "EVENTS")

    @property
    def dead_letter_stream(self) -> str:
        return stream_name(self.namespace, "DLQ")

    def stream_configs(self) -> list[api.StreamConfig]:
        common = {"storage": api.StorageType.FILE, "num_replicas": self.replicas, "duplicate_window": 120.0}
        return [
            api.StreamConfig(
                name=self.events_stream,
                subjects=[f"{self.namespace}.events.>"],
                retention=api.RetentionPolicy.LIMITS,
                max_age=90 * 24 * 3600.0,
                **common,
            ),
            api.StreamConfig(
                name=self.dead_letter_stream,
                subjects=[f"{self.namespace}.dlq.>"],
                retention=api.RetentionPolicy.LIMITS,
                **common,
            ),
        ]


@dataclass
class _Batch:
    outcomes: list[BaseException | None]
    done: asyncio.Future[None]
    sent: int = 0
    acked: int = 0
    sealed: bool = False

    def settle_if_complete(self) -> None:
        if self.sealed and self.acked == self.sent and not self.done.done():
            self.done.set_result(None)


class _PublishAcks:
    """JetStream acks of pipelined publishes on one wildcard subscription, the reply subject naming the batch
    and the message (`<inbox>.<batch>.<index>`): half the CPU of nats-py's `publish_async`, which makes a
    future, a random token and a parsed PubAck per message."""

    def __init__(self) -> None:
        self.prefix = ""
        self.batches: dict[str, _Batch] = {}
        self._next = 0

    async def subscribe(self, nc: NATS) -> None:
        """Once per connection (nats-py subscribes again after a reconnect)."""
        if self.prefix:
            return
        # Set first: a concurrent caller must not subscribe a second time (each ack would count twice).
        self.prefix = f"{nc.new_inbox()}."
        try:
            await nc.subscribe(f"{self.prefix}*.*", cb=self._on_ack)
        except BaseException:
            self.prefix = ""
            raise

    def open(self, size: int) -> tuple[str, _Batch]:
        self._next += 1
        key = str(self._next)
        pending = TimeoutError("no ack from JetStream")
        self.batches[key] = _Batch([pending] * size, asyncio.get_running_loop().create_future())
        return key, self.batches[key]

    async def _on_ack(self, msg: Msg) -> None:
        key, _, index = msg.subject[len(self.prefix) :].partition(".")
        batch = self.batches.get(key)
        if batch is None:  # late, after its batch timed out: that row is retried
            return
        if msg.headers and msg.headers.get(api.Header.STATUS) == NO_RESPONDERS_STATUS:
            outcome: BaseException | None = nats.js.errors.NoStreamResponseError()
        elif b'"error"' in msg.data and "error" in (response := json.loads(msg.data)):
            outcome = nats.js.errors.APIError.from_error(response["error"])
        else:
            outcome = None
        batch.outcomes[int(index)] = outcome
        batch.acked += 1
        batch.settle_if_complete()


class EventBus:
    """One NATS connection per process. Connects in the background and keeps trying, so that a
    service starts and serves HTTP while NATS is down; `generation` grows on every (re)connect so
    that consumers know to re-create their subscriptions."""

    def __init__(self, settings: Settings, process: str) -> None:
        self.settings = settings
        self.process = process
        self.topology = Topology(settings.events_namespace, settings.stream_replicas)
        self.nc: NATS | None = None
        self.js: JetStreamContext | None = None
        self.ready = asyncio.Event()
        self.generation = 0
        self._task: asyncio.Task[None] | None = None
        self._topology_lock = asyncio.Lock()
        self._reconnect_task: asyncio.Task[None] | None = None
        self._acks = _PublishAcks()

    @property
    def connected(self) -> bool:
        return self.nc is not None and self.nc.is_connected and self.ready.is_set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._connect_forever(), name=f"{self.process}-nats-connect")

    async def _connect_forever(self) -> None:
        delay = 0.2
        while self.nc is None:
            try:
                self.nc = await nats.connect(
                    self.settings.nats_url,
                    name=self.process,
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=0.5,
                    connect_timeout=2,
                    disconnected_cb=self._on_disconnected,
                    reconnected_cb=self._on_reconnected,
                    error_cb=self._on_error,
                )
            except Exception as exc:
                log.warning("nats connect failed, retrying", extra={"error": str(exc), "delay": delay})
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        self.js = self.nc.jetstream(timeout=5)
        await self._ensure_topology_with_retry()

    async def _ensure_topology_with_retry(self) -> None:
        delay = 0.2
        while True:
            try:
                await self.ensure_topology()
                return
            except NatsServerTooOld as exc:
                log.error("nats server not supported", extra={"error": str(exc)})
            except Exception as exc:
                log.warning("stream set-up failed, retrying", extra={"error": str(exc)})
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def ensure_topology(self) -> None:
        """Create or update the streams explicitly; called at start-up and after every reconnect,
        because a NATS server that lost its storage comes back without them."""
        assert self.js is not None and self.nc is not None
        require_server_version(self.nc.connected_server_version)
        async with self._topology_lock:
            for config in self.topology.stream_configs():
                try:
                    await self.js.stream_info(config.name)  # type: ignore[arg-type]
                    await self.js.update_stream(config)
                except nats.js.errors.NotFoundError:
                    await self.js.add_stream(config)
            self.generation += 1
            self.ready.set()
            metrics.NATS_CONNECTED.labels(self.process).set(1)

    async def _on_disconnected(self) -> None:
        self.ready.clear()
        metrics.NATS_CONNECTED.labels(self.process).set(0)
        log.warning("nats disconnected")

    async def _on_reconnected(self) -> None:
        log.info("nats reconnected")
        self._reconnect_task = asyncio.create_task(self._ensure_topology_with_retry())

    async def _on_error(self, exc: Exception) -> None:
        log.debug("nats error", extra={"error": str(exc)})

    async def wait_ready(self, timeout: float | None = None) -> None:
        await asyncio.wait_for(self.ready.wait(), timeout)

    async def publish(self, subject: str, data: bytes, headers: dict[str, str] | None = None) -> None:
        if not self.connected or self.js is None:
            raise ConnectionError("not connected to NATS")
        await self.js.publish(subject, data, headers=headers, timeout=5)

    async def publish_many(
        self, messages: Sequence[tuple[str, bytes, dict[str, str]]], timeout: float = 5.0
    ) -> list[BaseException | None]:
        """Publishes in the given order without waiting for each ack in turn (one round trip for the lot);
        returns, per message, None once JetStream acked it or the error."""
        if not self.connected or self.nc is None:
            raise ConnectionError("not connected to NATS")
        await self._acks.subscribe(self.nc)
        key, batch = self._acks.open(len(messages))
        reply = f"{self._acks.prefix}{key}."
        try:
            for index, (subject, data, headers) in enumerate(messages):
                try:
                    await self.nc.publish(subject, data, reply=f"{reply}{index}", headers=headers)
                except Exception as exc:
                    # Nothing after a failed write is sent: those rows are retried, still in order.
                    batch.outcomes[index:] = [exc] * (len(messages) - index)
                    break
                batch.sent += 1
            # Acks may come while later messages are still being written: complete only once all are out.
            batch.sealed = True
            batch.settle_if_complete()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(batch.done, timeout)
        finally:
            del self._acks.batches[key]
        return batch.outcomes

    async def close(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self.nc is not None and not self.nc.is_closed:
            await self.nc.close()
        self.ready.clear()
        metrics.NATS_CONNECTED.labels(self.process).set(0)


@dataclass(frozen=True)
class Subscription:
    """A durable pull consumer: which events it wants and the handler that applies one of them.
    `batch_handler`, if given, applies a fetched batch's new events (in stream order) at once, set-based;
    it must leave the same state as `handler` applied to each in turn, which is still used to isolate a
    failing event."""

    name: str
    events: list[tuple[str, str]]  # (producer, event_type)
    handler: Handler
    batch: int = 500
    batch_handler: BatchHandler | None = None
    # After a fetch came back short, how long the next one may wait for a batch to fill: bounds the lag
    # added while events trickle in, and gathers them into batches when they pour in.
    linger_seconds: float = 0.02
    ack_wait_seconds: float = 30.0
    description: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def num_delivered(msg: Msg) -> int:
    """How many times JetStream delivered the message (1 for a plain one). Read from its one token of the
    ack subject: `msg.metadata` parses the whole subject, timestamp included, at a multiple of the cost."""
    if not msg.reply:
        return 1
    tokens = msg.reply.split(".")
    if tokens[:2] == ["$JS", "ACK"]:
        if len(tokens) == _ACK_V1_TOKENS:
            return int(tokens[_ACK_V1_NUM_DELIVERED])
        if len(tokens) >= _ACK_V2_TOKENS - 1:
            return int(tokens[Msg.Ack.NumDelivered])
    return msg.metadata.num_delivered  # raises what nats-py raises for a subject it does not know


def take_queued_at_once(sub: JetStreamContext.PullSubscription) -> None:
    """`fetch` (nats-py 2.16) waits for each message of a batch with `next_msg`: a uuid, a task and a
    `wait_for` per message, ~25 µs, a fifth of a consumer's CPU per event. A message already queued needs
    none of it; anything else (waiting, timeouts, a closed connection) goes the library's way."""
    inner = getattr(sub, "_sub", None)
    queue = getattr(inner, "_pending_queue", None)
    if inner is None or not isinstance(queue, asyncio.Queue) or not hasattr(inner, "_pending_size"):
        return  # another nats-py: keep its own
    wait = inner.next_msg

    async def next_msg(timeout: float | None = 1.0) -> Msg:
        if queue.empty() or inner._conn.is_closed:
            return await wait(timeout)
        msg = queue.get_nowait()
        inner._pending_size -= len(msg.data)
        queue.task_done()
        return msg

    inner.next_msg = next_msg


# The ack subject's layouts: $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending> and, with
# a domain and account hash before the stream (and a random token after), at least 11 tokens.
_ACK_V1_TOKENS = 9
_ACK_V1_NUM_DELIVERED = 4
_ACK_V2_TOKENS = 12


class ConsumerRunner:
    def __init__(
        self,
        bus: EventBus,
        sessionmaker: async_sessionmaker[AsyncSession],
        inbox: Inbox,
        subscription: Subscription,
    ) -> None:
        self.bus = bus
        self.sessionmaker = sessionmaker
        self.inbox = inbox
        self.subscription = subscription
        self.settings = bus.settings
        ns = self.settings.events_namespace
        self.durable = durable_name(ns, subscription.name)
        self.subjects = [
            events_subject(ns, producer, event_type) for producer, event_type in subscription.events
        ]
        self._task: asyncio.Task[None] | None = None

    @property
    def consumer_label(self) -> str:
        return self.subscription.name

    def consumer_config(self) -> api.ConsumerConfig:
        return api.ConsumerConfig(
            name=self.durable,
            durable_name=self.durable,
            description=self.subscription.description or None,
            deliver_policy=api.DeliverPolicy.ALL,
            ack_policy=api.AckPolicy.EXPLICIT,
            ack_wait=self.subscription.ack_wait_seconds,
            # We dead-letter at max_deliveries ourselves; the server's limit only guards against a
            # handler that crashes the process before it can do so.
            max_deliver=self.settings.max_deliveries + 2,
            filter_subjects=self.subjects,
            max_ack_pending=1000,
        )

    async def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name=f"consumer-{self.durable}")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _subscribe(self) -> JetStreamContext.PullSubscription:
        js = self.bus.js
        assert js is not None
        stream = self.bus.topology.events_stream
        await js.add_consumer(stream, config=self.consumer_config())
        sub = await js.pull_subscribe_bind(durable=self.durable, stream=stream)
        take_queued_at_once(sub)
        return sub

    async def run(self) -> None:
        delay = 0.2
        while True:
            await self.bus.ready.wait()
            generation = self.bus.generation
            try:
                sub = await self._subscribe()
            except Exception as exc:
                log.warning("subscribe failed", extra={"consumer": self.durable, "error": str(exc)})
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            delay = 0.2
            idle = 0
            busy = False
            try:
                while self.bus.generation == generation:
                    try:
                        if busy:
                            # Takes what is there at once; waits at most the linger for a batch to fill.
                            msgs = await sub.fetch(
                                self.subscription.batch, timeout=self.subscription.linger_seconds
                            )
                        else:
                            # Idle: a fetch of one returns with the first event, where a fetch of a batch
                            # would hold it until the batch filled or the timeout passed.
                            msgs = await sub.fetch(1, timeout=1.0)
                    except TimeoutError:  # nats-py raises its own subclass or, at times, the bare builtin
                        if busy:
                            busy = False
                            continue
                        idle += 1
                        if idle % 10 == 0:
                            # A deleted durable (an operator's rebuild) only shows as silence: check for it.
                            await sub.consumer_info()
                        continue
                    idle = 0
                    busy = True
                    await self.handle_batch(msgs)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning(
                    "fetch failed, re-subscribing", extra={"consumer": self.durable, "error": str(exc)}
                )
                await asyncio.sleep(0.5)
            finally:
                try:
                    await sub.unsubscribe()
                except Exception:
                    pass

    async def handle(self, msg: Msg) -> None:
        await self.handle_batch([msg])

    async def handle_batch(self, msgs: list[Msg]) -> None:
        """Applies a fetched batch in one transaction (one commit, so one fsync, per batch) and acks after
        the commit. If an event fails, the batch is redone with a savepoint per event so that only the
        failing event is rolled back, nak'ed, and eventually dead-lettered."""
        label, process = self.consumer_label, self.bus.process
        decoded: list[tuple[Msg, Event, int]] = []
        for msg in msgs:
            deliveries = num_delivered(msg)
            if deliveries > 1:
                metrics.EVENTS_REDELIVERED.labels(process, label).inc()
            try:
                decoded.append((msg, decode(msg.data), deliveries))
            except (UnknownEventType, MalformedEvent) as exc:
                await self.dead_letter(msg, f"{type(exc).__name__}: {exc}", deliveries)
        if not decoded:
            return
        outcomes = await self._apply_all(decoded, isolated=False)
        if any(isinstance(outcome, BaseException) for outcome in outcomes.values()) and len(decoded) > 1:
            # Some event failed and took the batch's transaction down: redo it with a savepoint per event,
            # so that the others still apply.
            outcomes = await self._apply_all(decoded, isolated=True)
        if msgs[-1].reply:
            metrics.CONSUMER_PENDING.labels(process, label).set(msgs[-1].metadata.num_pending)
        applied = duplicates = 0
        for msg, event, deliveries in decoded:
            outcome = outcomes[event.event_id]
            if isinstance(outcome, BaseException):
                metrics.EVENTS_FAILED.labels(process, label).inc()
                if deliveries >= self.settings.max_deliveries:
                    await self.dead_letter(msg, f"{type(outcome).__name__}: {outcome}", deliveries)
                else:
                    await msg.nak(delay=min(0.2 * 2**deliveries, 30.0))
                continue
            if outcome:
                applied += 1
            else:
                duplicates += 1
            # Buffered on the connection, not a round trip: the batch's acks leave in one write.
            await msg.ack()
        if applied:
            metrics.EVENTS_CONSUMED.labels(process, label).inc(applied)
        if duplicates:
            metrics.EVENTS_DUPLICATE.labels(process, label).inc(duplicates)

    async def _apply_all(
        self, decoded: list[tuple[Msg, Event, int]], isolated: bool
    ) -> dict[str, bool | BaseException]:
        outcomes: dict[str, bool | BaseException] = {}
        try:
            async with self.sessionmaker() as session, session.begin():
                if not isolated and self.subscription.batch_handler is not None:
                    return await self._apply_set(session, [event for _, event, _ in decoded])
                for _, event, deliveries in decoded:
                    outcome = await self._apply(session, event, deliveries, isolated)
                    outcomes[event.event_id] = outcome
                    if isinstance(outcome, BaseException) and not isolated:
                        raise outcome
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # Nothing of the batch was committed (a handler failed outside a savepoint, or the commit did).
            return {event.event_id: exc for _, event, _ in decoded}
        return outcomes

    async def _apply(
        self, session: AsyncSession, event: Event, deliveries: int, isolated: bool
    ) -> bool | BaseException:
        request_token = request_id_var.set(event.envelope.request_id)
        attributes = {"messaging.consumer": self.consumer_label, "event.id": event.event_id}
        try:
            with span(
                f"consume {event.event_type}", SpanKind.CONSUMER, event.envelope.trace.traceparent, attributes
            ):
                if isolated:
                    async with session.begin_nested():
                        return await self._apply_once(session, event)
                return await self._apply_once(session, event)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception(
                "event handler failed",
                extra={"consumer": self.consumer_label, "event_id": event.event_id, "deliveries": deliveries},
            )
            return exc
        finally:
            request_id_var.reset(request_token)

    async def _apply_set(self, session: AsyncSession, events: list[Event]) -> dict[str, bool | BaseException]:
        """One inbox statement for the batch, then the batch handler on the events not seen before."""
        assert self.subscription.batch_handler is not None
        first = events[0]
        request_token = request_id_var.set(first.envelope.request_id)
        attributes = {"messaging.consumer": self.consumer_label, "messaging.batch.message_count": len(events)}
        try:
            with span(
                f"consume {first.event_type} batch",
                SpanKind.CONSUMER,
                first.envelope.trace.traceparent,
                attributes,
            ):
                new = await self.inbox.record_many(session, self.consumer_label, events)
                fresh = []
                for event in events:
                    if event.event_id in new:
                        new.discard(event.event_id)  # the same event twice in one fetch applies once
                        fresh.append(event)
                if fresh:
                    with item_spans(self._item_spans(fresh), SpanKind.CONSUMER):
                        await self.subscription.batch_handler(session, fresh)
        finally:
            request_id_var.reset(request_token)
        applied = {event.event_id for event in fresh}
        return {event.event_id: event.event_id in applied for event in events}

    def _item_spans(self, events: list[Event]) -> list[tuple[str, str, dict[str, Any]]]:
        """A consumer span in the trace of each request behind the batch, for its events of one type: the
        events of one request (a bulk push) share a span, which costs far more than applying them."""
        groups: dict[tuple[str, str], list[str]] = {}
        for event in events:
            groups.setdefault((event.event_type, event.envelope.trace.traceparent), []).append(event.event_id)
        items = []
        for (event_type, parent), ids in groups.items():
            attributes: dict[str, Any] = {"messaging.consumer": self.consumer_label}
            if len(ids) == 1:
                attributes["event.id"] = ids[0]
            else:
                attributes |= {"event.ids": ids, "messaging.batch.message_count": len(ids)}
            items.append((f"consume {event_type}", parent, attributes))
        return items

    async def _apply_once(self, session: AsyncSession, event: Event) -> bool:
        first_time = await self.inbox.record(session, self.consumer_label, event)
        if first_time:
            await self.subscription.handler(session, event)
        return first_time

    async def dead_letter(self, msg: Msg, error: str, deliveries: int) -> None:
        headers = {
            HEADER_ORIGINAL_SUBJECT: msg.subject,
            HEADER_CONSUMER: self.consumer_label,
            HEADER_ERROR: error[:1000].replace("\r", " ").replace("\n", " "),
            HEADER_DELIVERIES: str(deliveries),
        }
        await self.bus.publish(
            dead_letter_subject(self.settings.events_namespace, self.consumer_label), msg.data, headers
        )
        metrics.DEAD_LETTERS.labels(self.bus.process, self.consumer_label).inc()
        log.error("event dead-lettered", extra={"consumer": self.consumer_label, "error": error})
        await msg.term()
