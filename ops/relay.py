"""`python -m ops relay <service>`: the outbox relay of one service as a process of its own
(SZ_OUTBOX_RELAY=separate), woken by PostgreSQL NOTIFY as each transaction that wrote events commits, so
that publishing never waits behind the service's requests. Replicas may run side by side (SKIP LOCKED)."""

import asyncio
import importlib
import signal

from szcore.bus import EventBus
from szcore.db import is_sqlite
from szcore.logging import configure_logging
from szcore.service import build_relay
from szcore.settings import Settings, get_settings


async def run_relay(
    service: str,
    settings: Settings | None = None,
    database_url: str | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    settings = settings or get_settings()
    infra = importlib.import_module(f"services.{service}.db").infra
    url = database_url or settings.database_url(service)
    stop = stop or asyncio.Event()
    bus = EventBus(settings, f"{service}-relay")
    relay, engine = build_relay(infra, bus, settings, url)
    await bus.start()
    try:
        # Not before NATS is there: a wake-up while it is not would wait for the next poll.
        ready = asyncio.create_task(bus.ready.wait())
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait([ready, stopping], return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()
        stopping.cancel()
        if not stop.is_set():
            await relay.start(listen_url=None if is_sqlite(url) else url)
            await stop.wait()
    finally:
        await relay.stop()
        await bus.close()
        await engine.dispose()


def main(service: str) -> None:
    settings = get_settings()
    configure_logging(f"{service}-relay", settings.log_level)

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await run_relay(service, settings, stop=stop)

    asyncio.run(serve())
