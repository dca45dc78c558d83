"""`python -m ops relay <service>`: the outbox relay of one service as a process of its own
(SZ_OUTBOX_RELAY=separate), woken by PostgreSQL NOTIFY as each transaction that wrote events commits, so
that publishing never waits behind the service's requests.

Run exactly one per service. A second one is safe against duplicates and loss (rows are taken FOR UPDATE
SKIP LOCKED and marked in the same transaction; JetStream drops a re-publish by Nats-Msg-Id), but it would
publish other batches at the same time, so one aggregate's events could reach the stream out of order.

With `--metrics-port` it serves, in its own event loop, GET /metrics (the process's Prometheus registry:
the sz_outbox_* series come only from here), /healthz (the loop answers) and /readyz (NATS connected)."""

import asyncio
import importlib
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus

import uvloop
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from szcore import metrics
from szcore.bus import EventBus
from szcore.db import is_sqlite
from szcore.logging import configure_logging
from szcore.service import build_relay
from szcore.settings import Settings, get_settings

log = logging.getLogger(__name__)

# A probe or a scrape sends a few hundred bytes of request head; anything larger or slower is refused.
REQUEST_HEAD_LIMIT = 8192
REQUEST_TIMEOUT_SECONDS = 5.0
TEXT = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes = b""
    content_type: str = TEXT

    def encode(self, with_body: bool = True) -> bytes:
        head = (
            f"HTTP/1.1 {self.status} {HTTPStatus(self.status).phrase}\r\n"
            f"Content-Type: {self.content_type}\r\nContent-Length: {len(self.body)}\r\n"
            "Connection: close\r\n\r\n"
        )
        return head.encode("ascii") + (self.body if with_body else b"")


def parse_request_line(head: bytes) -> tuple[str, str] | None:
    """(method, path) of a request head, or None if it is not HTTP/1.x."""
    try:
        method, target, version = head.split(b"\r\n", 1)[0].decode("ascii").split(" ")
    except ValueError:  # also UnicodeDecodeError
        return None
    if not version.startswith("HTTP/1.") or not target.startswith("/"):
        return None
    return method, target.split("?", 1)[0]


def route(method: str, path: str, ready: bool, scrape: Callable[[], None] = lambda: None) -> Reply:
    if path not in ("/metrics", "/healthz", "/readyz"):
        return Reply(404, b"not found\n")
    if method not in ("GET", "HEAD"):
        return Reply(405, b"method not allowed\n")
    if path == "/metrics":
        scrape()
        return Reply(200, generate_latest(), CONTENT_TYPE_LATEST)
    if path == "/readyz" and not ready:
        return Reply(503, b"nats not connected\n")
    return Reply(200, b"ok\n")


def answer_with(
    ready: Callable[[], bool], scrape: Callable[[], None] = lambda: None
) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            try:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), REQUEST_TIMEOUT_SECONDS)
            except asyncio.LimitOverrunError:
                request = None
            else:
                request = parse_request_line(head)
            reply = Reply(400, b"bad request\n") if request is None else route(*request, ready(), scrape)
            writer.write(reply.encode(with_body=request is None or request[0] != "HEAD"))
            await asyncio.wait_for(writer.drain(), REQUEST_TIMEOUT_SECONDS)
        except (asyncio.IncompleteReadError, TimeoutError, ConnectionError):
            pass  # the client went away or stalled: nothing to answer
        except Exception:
            log.exception("relay endpoint request failed")
        finally:
            writer.close()

    return answer


async def serve_endpoint(
    host: str, port: int, ready: Callable[[], bool], scrape: Callable[[], None] = lambda: None
) -> asyncio.Server:
    return await asyncio.start_server(answer_with(ready, scrape), host, port, limit=REQUEST_HEAD_LIMIT)


async def run_relay(
    service: str,
    settings: Settings | None = None,
    database_url: str | None = None,
    stop: asyncio.Event | None = None,
    *,
    host: str = "127.0.0.1",
    metrics_port: int = 0,
) -> None:
    """`metrics_port` 0: no endpoint."""
    settings = settings or get_settings()
    infra = importlib.import_module(f"services.{service}.db").infra
    url = database_url or settings.database_url(service)
    stop = stop or asyncio.Event()
    bus = EventBus(settings, f"{service}-relay")
    relay, engine = build_relay(infra, bus, settings, url)  # connects only when the relay starts
    # Before NATS, so that /healthz answers while NATS is awaited; a port in use ends the process here.
    endpoint = (
        await serve_endpoint(
            host, metrics_port, lambda: bus.connected, lambda: metrics.observe_pool(bus.process, engine)
        )
        if metrics_port
        else None
    )
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
        if endpoint is not None:
            endpoint.close()
        await relay.stop()
        await bus.close()
        await engine.dispose()


def main(service: str, host: str = "127.0.0.1", metrics_port: int = 0) -> None:
    settings = get_settings()
    configure_logging(f"{service}-relay", settings.log_level)

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await run_relay(service, settings, stop=stop, host=host, metrics_port=metrics_port)

    uvloop.run(serve())  # the event loop the services' processes run on too (ops serve)
