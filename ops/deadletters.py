"""Dead letters: list them, and replay them to their original subject. Every consumer's inbox makes
a replay safe: consumers that applied the event already skip it."""

from collections.abc import AsyncIterator
from typing import Any

import nats
import nats.js.errors
from nats.js import JetStreamContext, api

from ops.progress import bar
from szcore.bus import HEADER_CONSUMER, HEADER_DELIVERIES, HEADER_ERROR, HEADER_ORIGINAL_SUBJECT, Topology
from szcore.events import MalformedEvent, UnknownEventType, decode
from szcore.settings import Settings, get_settings


async def _dead_letters(
    js: JetStreamContext, topology: Topology, consumer: str | None
) -> AsyncIterator[api.RawStreamMsg]:
    subject = f"{topology.namespace}.dlq.{consumer}" if consumer else f"{topology.namespace}.dlq.>"
    seq = 1
    while True:
        try:
            msg = await js.get_msg(topology.dead_letter_stream, seq=seq, subject=subject, next=True)
        except nats.js.errors.NotFoundError:
            return
        yield msg
        seq = (msg.seq or seq) + 1


def _describe(msg: api.RawStreamMsg) -> dict[str, Any]:
    headers = msg.headers or {}
    item: dict[str, Any] = {
        "seq": msg.seq,
        "consumer": headers.get(HEADER_CONSUMER),
        "original_subject": headers.get(HEADER_ORIGINAL_SUBJECT),
        "error": headers.get(HEADER_ERROR),
        "deliveries": headers.get(HEADER_DELIVERIES),
    }
    try:
        event = decode(msg.data or b"")
        item.update(event_id=event.event_id, event_type=event.event_type)
    except (MalformedEvent, UnknownEventType) as exc:
        item["undecodable"] = str(exc)
    return item


async def list_dead_letters(
    consumer: str | None = None, settings: Settings | None = None
) -> list[dict[str, Any]]:
    settings = settings or get_settings()
    nc = await nats.connect(settings.nats_url)
    try:
        js = nc.jetstream()
        return [
            _describe(msg) async for msg in _dead_letters(js, Topology(settings.events_namespace), consumer)
        ]
    finally:
        await nc.close()


async def replay_dead_letters(consumer: str | None = None, settings: Settings | None = None) -> int:
    settings = settings or get_settings()
    topology = Topology(settings.events_namespace)
    nc = await nats.connect(settings.nats_url)
    count = 0
    try:
        js = nc.jetstream()
        progress = bar("replaying dead letters", unit="event")
        async for msg in _dead_letters(js, topology, consumer):
            progress.update()
            original = (msg.headers or {}).get(HEADER_ORIGINAL_SUBJECT)
            if not original:
                continue
            # No Nats-Msg-Id: the original id is inside the stream's duplicate window only by accident,
            # and the inboxes de-duplicate by event id anyway.
            await js.publish(original, msg.data or b"")
            await js.delete_msg(topology.dead_letter_stream, msg.seq)  # type: ignore[arg-type]
            count += 1
        progress.close()
    finally:
        await nc.close()
    return count
