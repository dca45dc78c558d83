"""A second process of a service on the same databases and NATS as the session's platform (a replica)."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

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


@asynccontextmanager
async def replica_clients(
    platform: Platform, process: str, log_dir: Path, timeout: float = 120
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """Clients of the session's process and of a second replica of it, for races split across both."""
    async with (
        replica(platform, process, log_dir) as second,
        httpx.AsyncClient(base_url=platform.url(process), timeout=timeout) as one,
        httpx.AsyncClient(base_url=second, timeout=timeout) as two,
    ):
        yield one, two


def require_postgresql(databases: Any) -> None:
    if databases.backend != "postgresql":
        pytest.skip("replicas racing on one database: PostgreSQL, the production backend")
