"""Live updates for GraphQL subscriptions: one core-NATS subscription per gateway process on every
event subject, fanned out to the WebSocket subscribers whose filter matches."""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from google.protobuf.json_format import MessageToDict
from nats.aio.msg import Msg

from szcore.bus import EventBus
from szcore.events import Event, MalformedEvent, UnknownEventType, decode, from_timestamp
from szcore.settings import Settings

log = logging.getLogger(__name__)

QUEUE_SIZE = 100


@dataclass(frozen=True)
class LiveEvent:
    event_id: str
    event_type: str
    producer: str
    aggregate_type: str
    aggregate_id: str
    occurred_at: str
    uscc: str
    payload: dict[str, object]


def live_event(event: Event) -> LiveEvent:
    envelope = event.envelope
    payload = MessageToDict(event.payload, preserving_proto_field_name=True)
    return LiveEvent(
        event_id=envelope.event_id,
        event_type=envelope.event_type,
        producer=envelope.producer,
        aggregate_type=envelope.aggregate_type,
        aggregate_id=envelope.aggregate_id,
        occurred_at=from_timestamp(envelope.occurred_at).isoformat(),
        uscc=str(payload.get("uscc", "")),
        payload=payload,
    )


@dataclass
class Listener:
    matches: Callable[[LiveEvent], bool]
    queue: asyncio.Queue[LiveEvent] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))


class LiveHub:
    def __init__(self, settings: Settings) -> None:
        self.bus = EventBus(settings, "gateway")
        self.subject = f"{settings.events_namespace}.events.>"
        self.listeners: list[Listener] = []
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.bus.start()
        self._task = asyncio.create_task(self._subscribe())

    async def _subscribe(self) -> None:
        await self.bus.ready.wait()
        assert self.bus.nc is not None
        # Core NATS: live views want what happens from now on; nats-py re-subscribes after a reconnect.
        await self.bus.nc.subscribe(self.subject, cb=self._on_message)

    async def _on_message(self, msg: Msg) -> None:
        if not self.listeners:
            return  # nobody watches: not worth decoding
        try:
            event = live_event(decode(msg.data))
        except (MalformedEvent, UnknownEventType):
            return
        for listener in list(self.listeners):
            if listener.matches(event):
                try:
                    listener.queue.put_nowait(event)
                except asyncio.QueueFull:
                    log.warning("live subscriber too slow; event dropped", extra={"event_id": event.event_id})

    async def listen(self, matches: Callable[[LiveEvent], bool]) -> AsyncIterator[LiveEvent]:
        listener = Listener(matches)
        self.listeners.append(listener)
        try:
            while True:
                yield await listener.queue.get()
        finally:
            self.listeners.remove(listener)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.bus.close()
