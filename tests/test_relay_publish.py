"""The relay's publishing: pipelined publishes with their acks matched per message, and one round's
statements (a select and one update for the whole batch), on real NATS and both databases."""

import uuid
from collections.abc import AsyncIterator

import nats
import nats.js.errors
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from szcore.bus import EventBus
from szcore.settings import Settings, get_settings
from tests.support.databases import DatabaseFactory
from tests.support.eventservice import Behaviour, emit, event_runtime, schema_database, unpublished
from tests.support.fixtures import namespace


def settings_for() -> Settings:
    return Settings(nats_url=get_settings().nats_url, events_namespace=namespace(), outbox_poll_seconds=60)


@pytest.fixture
async def database(databases: DatabaseFactory) -> AsyncIterator[tuple[str, AsyncEngine]]:
    async with schema_database(databases, "relay") as created:
        yield created


async def stream_messages(settings: Settings, stream: str, count: int) -> list[tuple[str, bytes, str]]:
    nc = await nats.connect(settings.nats_url)
    try:
        sub = await nc.jetstream().pull_subscribe(f"{settings.events_namespace}.events.>", stream=stream)
        messages = await sub.fetch(count, timeout=5)
        return [(m.subject, m.data, (m.headers or {})["Nats-Msg-Id"]) for m in messages]
    finally:
        await nc.close()


async def test_publish_many_matches_each_ack_to_its_message_in_order() -> None:
    settings = settings_for()
    bus = EventBus(settings, "relay-probe")
    await bus.start()
    try:
        await bus.wait_ready(10)
        subject = f"{settings.events_namespace}.events.test.Thing"
        ids = [str(uuid.uuid4()) for _ in range(300)]
        messages = [(subject, f"m{i}".encode(), {"Nats-Msg-Id": ids[i]}) for i in range(300)]
        # A subject no stream takes: its own outcome is the error, the rest are published.
        messages.insert(150, ("nowhere.at.all", b"lost", {"Nats-Msg-Id": str(uuid.uuid4())}))
        outcomes = await bus.publish_many(messages)
        assert isinstance(outcomes[150], nats.js.errors.NoStreamResponseError)
        assert outcomes[:150] == [None] * 150 and outcomes[151:] == [None] * 150
        # A duplicate (the relay publishing a row again) is acked, and stored once.
        assert await bus.publish_many(messages[:1]) == [None]
        stored = await stream_messages(settings, bus.topology.events_stream, 400)
        assert [(s, d, i) for s, d, i in stored] == [(subject, f"m{i}".encode(), ids[i]) for i in range(300)]
        assert bus._acks.batches == {}
    finally:
        await bus.close()


async def test_publish_many_refuses_when_not_connected() -> None:
    bus = EventBus(settings_for(), "relay-probe")
    with pytest.raises(ConnectionError):
        await bus.publish_many([("x.y", b"", {"Nats-Msg-Id": "1"})])


async def test_a_relay_round_is_one_select_and_one_update_whatever_the_batch(database) -> None:
    url, engine = database
    settings = settings_for()
    runtime = event_runtime(settings, url, Behaviour())
    relay = runtime.relay
    assert relay is not None
    statements: list[str] = []
    event.listen(relay.engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    # Only the bus: the relay's loop stays off, so that the test drives the rounds.
    await runtime.bus.start()
    try:
        await runtime.bus.wait_ready(10)
        usccs = [f"R{i:017d}" for i in range(120)]
        await emit(runtime, *usccs)
        statements.clear()  # on SQLite the relay shares the service's engine
        assert await relay.publish_pending() == 120
        assert await unpublished(engine) == 0
        kinds = [k for s in statements if (k := s.split()[0].upper()) not in ("BEGIN", "COMMIT")]
        assert kinds == ["SELECT", "UPDATE"]
        if engine.dialect.name == "postgresql":
            # Its marks commit without waiting for the disk, set once on its own connection.
            async with relay.engine.connect() as connection:
                assert (await connection.exec_driver_sql("SHOW synchronous_commit")).scalar() == "off"
            async with engine.connect() as connection:
                assert (await connection.exec_driver_sql("SHOW synchronous_commit")).scalar() == "on"
        stored = await stream_messages(settings, runtime.bus.topology.events_stream, 200)
        assert len(stored) == 120
        assert all(subject.endswith(".enrollment.EnterpriseRegistered") for subject, _, _ in stored)
        assert await relay.publish_pending() == 0
    finally:
        await runtime.bus.close()
        await runtime.engine.dispose()
        for background in runtime.background_engines:
            await background.dispose()
