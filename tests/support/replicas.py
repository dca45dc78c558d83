"""A second process of a service on the same databases and NATS as the session's platform (a replica)."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from ops.local import Platform
from tests.support.natsserver import free_port


@asynccontextmanager
async def replica(platform: Platform, process: str, log_dir: Path) -> AsyncIterator[str]:
    twin = Platform(env=platform.env, ports={**platform.ports, process: free_port()}, log_dir=log_dir)
    twin.start_process(process)
    try:
        await asyncio.to_thread(twin.wait_ready, (process,))
        yield twin.url(process)
    finally:
        await asyncio.to_thread(twin.stop)
