"""The relay process's endpoint (`relay <service> --metrics-port`): /metrics, /healthz and /readyz served in
the relay's own event loop, and garbage that never stops the relay."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from ops.relay import run_relay
from szcore.settings import Settings, get_settings
from tests.support.databases import DatabaseFactory
from tests.support.eventservice import eventually, schema_database
from tests.support.fixtures import namespace
from tests.support.natsserver import free_port


@pytest.fixture
async def database(databases: DatabaseFactory) -> AsyncIterator[tuple[str, AsyncEngine]]:
    async with schema_database(databases, "relayhttp") as created:
        yield created


async def exchange(port: int, request: bytes) -> tuple[int, bytes]:
    """Status and body of the reply (status 0: the connection closed without one)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        writer.write_eof()
        await writer.drain()
        reply = await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()
    head, _, body = reply.partition(b"\r\n\r\n")
    return (int(head.split(b" ")[1]) if head else 0), body


async def get(port: int, path: str) -> tuple[int, bytes]:
    return await exchange(port, f"GET {path} HTTP/1.1\r\nHost: relay\r\n\r\n".encode())


async def running_relay(settings: Settings, url: str, port: int) -> tuple[asyncio.Task[None], asyncio.Event]:
    stop = asyncio.Event()
    task = asyncio.create_task(run_relay("enrollment", settings, url, stop, metrics_port=port))

    async def listening() -> bool:
        try:
            return (await get(port, "/healthz"))[0] == 200
        except OSError:
            return False

    await eventually(listening, timeout=10)
    return task, stop


async def test_the_endpoint_serves_metrics_health_and_readiness(database) -> None:
    url, _ = database
    settings = Settings(nats_url=get_settings().nats_url, events_namespace=namespace())
    port = free_port()
    task, stop = await running_relay(settings, url, port)
    try:

        async def ready() -> bool:
            return (await get(port, "/readyz"))[0] == 200

        await eventually(ready, timeout=10)

        async def backlog_reported() -> bool:
            status, body = await get(port, "/metrics")
            pool = b'sz_db_pool_size{process="enrollment-relay"}' in body or not url.startswith("postgresql")
            return status == 200 and b'sz_outbox_backlog{process="enrollment-relay"} 0.0' in body and pool

        await eventually(backlog_reported, timeout=10)
        assert (await get(port, "/healthz")) == (200, b"ok\n")
        assert (await get(port, "/metrics?name[]=x"))[0] == 200
        assert (await get(port, "/nothing"))[0] == 404
        assert (await exchange(port, b"POST /metrics HTTP/1.1\r\n\r\n"))[0] == 405
        assert (await exchange(port, b"HEAD /healthz HTTP/1.1\r\n\r\n")) == (200, b"")
    finally:
        stop.set()
        await task


async def test_garbage_never_stops_the_relay(tmp_path) -> None:
    # NATS nowhere: the relay waits for it, alive but not ready.
    settings = Settings(nats_url=f"nats://127.0.0.1:{free_port()}", events_namespace=namespace())
    port = free_port()
    task, stop = await running_relay(settings, f"sqlite+aiosqlite:///{tmp_path}/relay.db", port)
    try:
        assert (await get(port, "/readyz"))[0] == 503
        # A client that connects and says nothing does not hold the others up.
        silent = await asyncio.open_connection("127.0.0.1", port)
        for request in (
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",  # a TLS hello
            b"GET\r\n\r\n",
            b"GET /healthz SPDY/3\r\n\r\n",
            b"GET /h\xc3\xa9 HTTP/1.1\r\n\r\n",
        ):
            assert (await exchange(port, request))[0] == 400, request
        # Past the limit: refused, or reset as the endpoint closes with the rest unread.
        with contextlib.suppress(ConnectionResetError):
            huge = b"GET /healthz HTTP/1.1\r\nX: " + b"a" * 100_000 + b"\r\n\r\n"
            assert (await exchange(port, huge))[0] == 400
        assert (await exchange(port, b"GET /healthz HTTP/1.1\r\n"))[0] == 0  # cut off: no reply
        silent[1].close()
        assert (await get(port, "/healthz")) == (200, b"ok\n")
        assert not task.done()
    finally:
        stop.set()
        await task
