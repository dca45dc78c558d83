"""NATS killed (SIGKILL) and restarted on the same port and store in the middle of a stream of events
through all services: every event's effect exists exactly once afterwards, and the outboxes drain without
an operator. Size: SZ_FAULT_EVENTS (enterprises pushed; each one is an event consumed by three services)."""

import asyncio
import json
import os
import signal
import time
import uuid
from pathlib import Path

import httpx
import nats
import pytest
from sqlalchemy import func, select

from ops.local import Platform
from services.enrollment.enterprise.uscc import check_digit
from szcore.auth import Role
from szcore.bus import stream_name
from szcore.db import create_engine
from szcore.settings import SERVICES
from tests.support.databases import DatabaseFactory
from tests.support.fixtures import Tokens, namespace
from tests.support.natsserver import NatsServer, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.fault, pytest.mark.nats_server]

EVENTS = int(os.environ.get("SZ_FAULT_EVENTS", "2000"))
CHUNK = 250
READ_COPIES = ("assessment", "funding", "matching")


def uscc(run: str, n: int) -> str:
    first17 = f"91330784{run}{n:06d}"
    return first17 + check_digit(first17)


def infra(service: str):  # type: ignore[no-untyped-def]
    module = __import__(f"services.{service}.db", fromlist=["infra"])
    return module.infra


async def count(url: str, table) -> int:  # type: ignore[no-untyped-def]
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return (await connection.execute(select(func.count()).select_from(table))).scalar_one()
    finally:
        await engine.dispose()


async def unpublished(url: str, service: str) -> int:
    outbox = infra(service).outbox
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            query = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            return (await connection.execute(query)).scalar_one()
    finally:
        await engine.dispose()


async def duplicates(url: str, service: str) -> int:
    """Inbox rows beyond the first for one event and consumer (the primary key forbids them)."""
    inbox = infra(service).inbox
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            grouped = (
                select(inbox.c.consumer, inbox.c.event_id)
                .group_by(inbox.c.consumer, inbox.c.event_id)
                .having(func.count() > 1)
                .subquery()
            )
            return (await connection.execute(select(func.count()).select_from(grouped))).scalar_one()
    finally:
        await engine.dispose()


def copy_table(service: str):  # type: ignore[no-untyped-def]
    module = __import__(f"services.{service}.enterprise.models", fromlist=["EnterpriseCopy"])
    return module.EnterpriseCopy.__table__


async def stream_messages(server: NatsServer, ns: str) -> int:
    nc = await nats.connect(server.url, connect_timeout=5, max_reconnect_attempts=0)
    try:
        return (await nc.jetstream().stream_info(stream_name(ns, "EVENTS"))).state.messages
    finally:
        await nc.close()


class TestNatsKilledMidStream:
    async def test_every_effect_exactly_once_and_publishing_resumes_by_itself(
        self, databases: DatabaseFactory, tmp_path: Path, tokens: Tokens
    ) -> None:
        if databases.backend != "postgresql":
            pytest.skip("the fault run uses the production backend only")
        run = uuid.uuid4().hex[:3].upper().replace("I", "1").replace("O", "0")
        run = "".join(c if c.isdigit() else str(ord(c) % 10) for c in run)
        server = NatsServer(tmp_path / "nats")
        server.start()
        ns = namespace("nm")
        urls = {service: await databases.create(f"nm_{run}_{service}") for service in SERVICES}
        env = {
            "SZ_NATS_URL": server.url,
            "SZ_EVENTS_NAMESPACE": ns,
            "SZ_OUTBOX_POLL_SECONDS": "0.2",
            **{f"SZ_{service.upper()}_DATABASE_URL": url for service, url in urls.items()},
            "SZ_GATEWAY_DATABASE_URL": await databases.create(f"nm_{run}_gateway"),
        }
        platform = Platform(env=env, ports={s: free_port() for s in SERVICES}, log_dir=tmp_path)
        figures: dict[str, float] = {"events": EVENTS}
        try:
            await asyncio.to_thread(platform.migrate)
            platform.start_processes(SERVICES)
            await asyncio.to_thread(platform.wait_ready, SERVICES, 90)
            headers = {**tokens.headers(Role.city_admin), "content-type": "application/json"}
            started = time.monotonic()
            async with httpx.AsyncClient(base_url=platform.url("enrollment"), timeout=300) as client:

                async def push(chunk: int) -> None:
                    records = [
                        {
                            "uscc": uscc(run, n),
                            "name": f"故障测试企业{n}",
                            "county_code": "330784",
                            "industry_code": "C3465",
                            "size_class": "above_scale",
                        }
                        for n in range(chunk, min(chunk + CHUNK, EVENTS))
                    ]
                    answer = await client.post(
                        "/enterprises/bulk",
                        params={"request_id": f"nm-{run}-{chunk}"},
                        content=json.dumps(records, ensure_ascii=False).encode(),
                        headers=headers,
                    )
                    assert answer.status_code == 200, answer.text
                    assert not answer.json().get("errors"), answer.text

                chunks = list(range(0, EVENTS, CHUNK))
                kill_after = max(1, len(chunks) // 3)
                for chunk in chunks[:kill_after]:
                    await push(chunk)

                async def some_copied() -> bool:
                    return await count(urls["matching"], copy_table("matching")) > 0

                await wait_for(some_copied, 120)
                # Killed while events are in flight: part published, part consumed, the rest in outboxes.
                assert server.process is not None
                os.kill(server.process.pid, signal.SIGKILL)
                server.process.wait()
                killed = time.monotonic()
                copied_at_kill = await count(urls["matching"], copy_table("matching"))
                assert copied_at_kill < EVENTS
                # Writes keep being acknowledged during the outage: the outbox holds their events.
                for chunk in chunks[kill_after : 2 * kill_after]:
                    await push(chunk)
                await asyncio.sleep(2)
                server.start()
                restarted = time.monotonic()
                for chunk in chunks[2 * kill_after :]:
                    await push(chunk)
            figures["push_seconds"] = time.monotonic() - started
            figures["outage_seconds"] = restarted - killed

            async def converged() -> bool:
                copies = [await count(urls[s], copy_table(s)) for s in READ_COPIES]
                return copies == [EVENTS] * len(READ_COPIES) and all(
                    [await unpublished(url, s) == 0 for s, url in urls.items()]
                )

            await wait_for(converged, 600)
            figures["recovery_seconds"] = time.monotonic() - restarted
            assert platform.died() == []
            for service in READ_COPIES:
                assert await count(urls[service], copy_table(service)) == EVENTS
                assert await duplicates(urls[service], service) == 0
            # Every outbox row was published exactly once into the stream: no loss, no duplicate publish.
            outboxes = sum([await count(url, infra(s).outbox) for s, url in urls.items()])
            assert outboxes >= EVENTS
            assert await stream_messages(server, ns) == outboxes
            print(f"\nNATS mid-stream fault figures: {figures}")
        except BaseException:
            for log in sorted(tmp_path.glob("*.log")):
                print(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}")
            raise
        finally:
            await asyncio.to_thread(platform.stop)
            server.stop()


async def wait_for(check, timeout: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.5)
    raise AssertionError(f"not converged after {timeout}s")
