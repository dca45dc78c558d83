"""Outbox, relay, durable consumers, inbox and dead letters, on real NATS and both databases."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import nats
import pytest
from nats.aio.client import ServerVersion
from nats.aio.msg import Msg
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ops.deadletters import list_dead_letters, replay_dead_letters
from ops.relay import run_relay
from szcore.bus import NatsServerTooOld, Subscription, require_server_version
from szcore.events import Event, new_envelope
from szcore.inbox import Inbox
from szcore.service import build_runtime
from szcore.settings import Settings, get_settings
from tests.support.databases import DatabaseFactory
from tests.support.eventservice import (
    Behaviour,
    applied,
    emit,
    event_runtime,
    eventually,
    infra,
    make_handler,
    registered,
    schema_database,
    unpublished,
)
from tests.support.fixtures import namespace
from tests.support.natsserver import NatsServer


def settings_for(nats_url: str | None = None, **overrides: object) -> Settings:
    return Settings(
        nats_url=nats_url or get_settings().nats_url,
        events_namespace=namespace(),
        max_deliveries=3,
        outbox_poll_seconds=0.2,
        **overrides,
    )


@pytest.fixture
async def database(databases: DatabaseFactory) -> AsyncIterator[tuple[str, AsyncEngine]]:
    async with schema_database(databases, "bus") as created:
        yield created


class TestOutboxToConsumer:
    async def test_committed_events_reach_the_consumer_once_each(self, database) -> None:
        url, engine = database
        behaviour = Behaviour()
        runtime = event_runtime(settings_for(), url, behaviour)
        await runtime.start()
        try:
            usccs = [f"U{i:017d}" for i in range(30)]
            await emit(runtime, *usccs)

            async def all_applied() -> bool:
                return len(await applied(engine)) == 30

            await eventually(all_applied)
            assert set((await applied(engine)).values()) == {1}
            assert await unpublished(engine) == 0
        finally:
            await runtime.stop()

    async def test_a_redelivered_event_is_applied_once(self, database) -> None:
        url, engine = database
        settings = settings_for()
        behaviour = Behaviour()
        runtime = event_runtime(settings, url, behaviour)
        await runtime.start()
        try:
            await runtime.bus.wait_ready(10)
            envelope = new_envelope(
                registered("U-REDELIVERED"),
                producer="enrollment",
                aggregate_type="enterprise",
                aggregate_id="U-REDELIVERED",
            )
            subject = f"{settings.events_namespace}.events.enrollment.EnterpriseRegistered"
            # Different Nats-Msg-Ids, so JetStream stores both: only the inbox can catch the duplicate.
            for n in range(3):
                await runtime.bus.publish(subject, envelope.SerializeToString(), {"Nats-Msg-Id": f"copy-{n}"})
            await emit(runtime, "U-AFTER")

            async def after_applied() -> bool:
                return "U-AFTER" in await applied(engine)

            await eventually(after_applied)
            assert (await applied(engine))["U-REDELIVERED"] == 1
            assert behaviour.calls == 2
        finally:
            await runtime.stop()

    async def test_an_event_whose_ack_was_lost_is_redelivered_and_applied_once(
        self, database, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        url, engine = database
        behaviour = Behaviour()
        runtime = event_runtime(settings_for(), url, behaviour, ack_wait_seconds=1)
        real_ack = Msg.ack
        acks: list[int] = []

        async def lose_first_ack(msg: Msg) -> None:
            acks.append(msg.metadata.num_delivered)
            if len(acks) > 1:
                await real_ack(msg)

        monkeypatch.setattr(Msg, "ack", lose_first_ack)
        await runtime.start()
        try:
            await emit(runtime, "U-LOST-ACK")

            async def redelivered_and_acked() -> bool:
                return len(acks) >= 2

            await eventually(redelivered_and_acked)
            assert acks[:2] == [1, 2]
            assert await applied(engine) == {"U-LOST-ACK": 1}
            assert behaviour.calls == 1
        finally:
            await runtime.stop()


def registered_event(uscc: str) -> Event:
    payload = registered(uscc)
    envelope = new_envelope(payload, producer="enrollment", aggregate_type="enterprise", aggregate_id=uscc)
    return Event(envelope, payload)


class TestBatches:
    async def test_the_inbox_records_a_batch_in_one_statement_and_returns_the_unseen(self, database) -> None:
        _, engine = database
        inbox: Inbox = Inbox(infra.inbox)
        first, second, third = (registered_event(f"U-INBOX-{n}") for n in range(3))
        async with AsyncSession(engine) as session, session.begin():
            assert await inbox.record_many(session, "c", [first, second, first]) == {
                first.event_id,
                second.event_id,
            }
        async with AsyncSession(engine) as session, session.begin():
            assert await inbox.record_many(session, "c", [second, third]) == {third.event_id}
            assert await inbox.record_many(session, "other", [second]) == {second.event_id}

    async def test_a_batch_handler_applies_batches_and_a_failing_event_is_isolated(self, database) -> None:
        url, engine = database
        behaviour = Behaviour(fail_for={"U-POISON-BATCH"})
        handler = make_handler(behaviour)
        batches: list[int] = []

        async def batch_handler(session: AsyncSession, events: list[Event]) -> None:
            batches.append(len(events))
            for event in events:
                await handler(session, event)

        subscription = Subscription(
            name=f"test-{uuid.uuid4().hex[:6]}",
            events=[("enrollment", "EnterpriseRegistered")],
            handler=handler,
            batch_handler=batch_handler,
        )
        runtime = build_runtime("enrollment", infra, [subscription], settings_for(), url)
        await runtime.start()
        try:
            await runtime.bus.wait_ready(10)
            await asyncio.sleep(0.5)  # the consumer is idle, waiting for a first event
            usccs = [f"U{i:017d}" for i in range(40)]
            await emit(runtime, *usccs[:20], "U-POISON-BATCH", *usccs[20:])

            async def all_but_the_poison_applied() -> bool:
                return set(await applied(engine)) == set(usccs)

            await eventually(all_but_the_poison_applied)
            assert set((await applied(engine)).values()) == {1}
            assert max(batches) > 1  # set-based, not one event at a time
        finally:
            await runtime.stop()


class TestDeadLetters:
    async def test_a_poison_message_lands_in_the_dead_letter_subject_and_can_be_replayed(
        self, database
    ) -> None:
        url, engine = database
        settings = settings_for()
        behaviour = Behaviour(fail_for={"U-POISON"})
        runtime = event_runtime(settings, url, behaviour, consumer="poison-test")
        await runtime.start()
        try:
            await emit(runtime, "U-POISON", "U-HEALTHY")

            async def dead_lettered() -> bool:
                return len(await list_dead_letters("poison-test", settings)) == 1

            await eventually(dead_lettered, timeout=30)
            [letter] = await list_dead_letters("poison-test", settings)
            assert letter["event_type"] == "EnterpriseRegistered"
            assert letter["deliveries"] == str(settings.max_deliveries)
            assert "cannot apply U-POISON" in letter["error"]
            assert await applied(engine) == {"U-HEALTHY": 1}

            behaviour.fail_for.clear()
            assert await replay_dead_letters("poison-test", settings) == 1

            async def replayed() -> bool:
                return (await applied(engine)).get("U-POISON") == 1

            await eventually(replayed)
            assert await list_dead_letters("poison-test", settings) == []
            assert await applied(engine) == {"U-HEALTHY": 1, "U-POISON": 1}
        finally:
            await runtime.stop()

    async def test_an_undecodable_message_is_dead_lettered_at_once(self, database) -> None:
        url, _engine = database
        settings = settings_for()
        behaviour = Behaviour()
        runtime = event_runtime(settings, url, behaviour, consumer="garbage-test")
        await runtime.start()
        try:
            await runtime.bus.wait_ready(10)
            subject = f"{settings.events_namespace}.events.enrollment.EnterpriseRegistered"
            await runtime.bus.publish(subject, b"\xff\x00 not protobuf")

            async def dead_lettered() -> bool:
                return len(await list_dead_letters("garbage-test", settings)) == 1

            await eventually(dead_lettered)
            [letter] = await list_dead_letters("garbage-test", settings)
            assert letter["deliveries"] == "1" and "undecodable" in letter
            assert behaviour.calls == 0
        finally:
            await runtime.stop()


@pytest.mark.nats_server
class TestNatsOutage:
    async def test_an_event_committed_while_nats_is_down_is_delivered_when_it_is_back(
        self, database, tmp_path: Path
    ) -> None:
        url, engine = database
        server = NatsServer(tmp_path / "nats")
        server.start()
        behaviour = Behaviour()
        runtime = event_runtime(settings_for(server.url), url, behaviour)
        await runtime.start()
        try:
            await emit(runtime, "U-BEFORE")

            async def before_applied() -> bool:
                return "U-BEFORE" in await applied(engine)

            await eventually(before_applied)
            server.stop()
            await asyncio.sleep(0.5)
            await emit(runtime, "U-DURING")
            await asyncio.sleep(1.5)
            assert await unpublished(engine) == 1
            assert not runtime.bus.connected

            server.start()

            async def during_applied() -> bool:
                return "U-DURING" in await applied(engine)

            await eventually(during_applied, timeout=30)
            assert await applied(engine) == {"U-BEFORE": 1, "U-DURING": 1}
            assert await unpublished(engine) == 0
        finally:
            await runtime.stop()
            server.stop()

    async def test_a_service_starts_while_nats_is_down_and_catches_up(self, database, tmp_path: Path) -> None:
        url, engine = database
        server = NatsServer(tmp_path / "nats")
        behaviour = Behaviour()
        runtime = event_runtime(settings_for(server.url), url, behaviour)
        await runtime.start()
        try:
            await emit(runtime, "U-EARLY")
            await asyncio.sleep(1)
            assert await unpublished(engine) == 1
            server.start()

            async def early_applied() -> bool:
                return "U-EARLY" in await applied(engine)

            await eventually(early_applied, timeout=30)
        finally:
            await runtime.stop()
            server.stop()


async def test_streams_exist_with_the_namespace() -> None:
    settings = settings_for()
    from szcore.bus import EventBus

    bus = EventBus(settings, "probe")
    await bus.start()
    try:
        await bus.wait_ready(10)
        nc = await nats.connect(settings.nats_url)
        info = await nc.jetstream().stream_info(bus.topology.events_stream)
        assert info.config.subjects == [f"{settings.events_namespace}.events.>"]
        await nc.close()
    finally:
        await bus.close()


class TestSeparateRelay:
    async def test_a_relay_of_its_own_publishes_each_commit_at_once(self, database) -> None:
        url, engine = database
        if engine.dialect.name != "postgresql":
            pytest.skip("the relay process is woken by PostgreSQL NOTIFY")
        settings = settings_for(outbox_relay="separate")
        runtime = event_runtime(settings, url, Behaviour())
        assert runtime.relay is None
        await runtime.start()
        stop = asyncio.Event()
        # Polling once a minute: only the commits' NOTIFY can wake it in time.
        slow = settings.model_copy(update={"outbox_poll_seconds": 60.0})
        relay = asyncio.create_task(run_relay("enrollment", slow, url, stop))
        try:
            # Written before the relay listens: it drains them as it starts.
            await emit(runtime, *(f"A{i:017d}" for i in range(5)))

            async def first_applied() -> bool:
                return len(await applied(engine)) == 5

            await eventually(first_applied)
            await emit(runtime, *(f"B{i:017d}" for i in range(5)))
            await emit(runtime, "C00000000000000000")

            async def all_applied() -> bool:
                return len(await applied(engine)) == 11

            await eventually(all_applied, timeout=10)
            assert set((await applied(engine)).values()) == {1}
            assert await unpublished(engine) == 0
        finally:
            stop.set()
            await relay
            await runtime.stop()


class TestNatsServerVersion:
    """Consumers filter on several subjects; a NATS server older than 2.10 would ignore that and deliver
    every subject to every consumer, so the bus refuses to become ready on one."""

    @pytest.mark.parametrize("version", ["2.9.10", "2.2.0", "1.4.1"])
    def test_an_older_server_is_refused_with_a_clear_reason(self, version: str) -> None:
        with pytest.raises(NatsServerTooOld, match=r"needs 2\.10 or newer"):
            require_server_version(ServerVersion(version))

    @pytest.mark.parametrize("version", ["2.10.0", "2.10.29", "2.15.1", "3.0.0"])
    def test_a_current_server_is_accepted(self, version: str) -> None:
        require_server_version(ServerVersion(version))
