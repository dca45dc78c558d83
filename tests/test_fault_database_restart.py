"""PostgreSQL restarts while requests flow: the service answers 503 with Retry-After during the outage,
recovers by itself, and no acknowledged write is lost."""

import asyncio
import time

import asyncpg
import httpx
import pytest
from sqlalchemy import func, select

from ops.local import Platform
from ops.processes import migrate
from services.enrollment.db import infra
from services.enrollment.enterprise.uscc import check_digit
from szcore.auth import Role
from szcore.db import create_engine
from tests.support.fixtures import namespace
from tests.support.natsserver import free_port
from tests.support.pgserver import PostgresServer, available

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.fault,
    pytest.mark.skipif(not available(), reason="PostgreSQL binaries not installed"),
]


def uscc(n: int) -> str:
    first17 = f"91410300MA{n:07d}"
    return first17 + check_digit(first17)


@pytest.fixture
async def database() -> PostgresServer:
    server = PostgresServer()
    await asyncio.to_thread(server.init)
    await asyncio.to_thread(server.start)
    connection = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{server.port}/postgres")
    await connection.execute("CREATE DATABASE enrollment")
    await connection.close()
    await asyncio.to_thread(migrate, "enrollment", server.url("enrollment"))
    yield server
    await asyncio.to_thread(server.remove)


class TestDatabaseRestart:
    async def test_outage_answers_503_then_recovers_without_losing_acknowledged_writes(
        self, database: PostgresServer, tmp_path, tokens
    ) -> None:
        platform = Platform(
            env={
                "SZ_ENROLLMENT_DATABASE_URL": database.url("enrollment"),
                "SZ_EVENTS_NAMESPACE": namespace("pg"),
            },
            ports={"enrollment": free_port()},
            log_dir=tmp_path,
        )
        platform.start_process("enrollment")
        headers = tokens.headers(Role.city_admin)
        acknowledged: list[str] = []
        statuses: list[int] = []
        retry_after: set[str] = set()
        try:
            await asyncio.to_thread(platform.wait_ready, ("enrollment",))
            async with httpx.AsyncClient(base_url=platform.url("enrollment"), timeout=10) as client:

                async def register(n: int) -> int:
                    body = {
                        "uscc": uscc(n),
                        "name": f"企业{n}",
                        "county_code": "410322",
                        "industry_code": "C34",
                        "size_class": "above_scale",
                    }
                    response = await client.post("/enterprises", json=body, headers=headers)
                    statuses.append(response.status_code)
                    if response.status_code == 201:
                        acknowledged.append(body["uscc"])
                    elif response.status_code == 503:
                        retry_after.add(response.headers.get("retry-after", ""))
                        assert response.json()["code"] == "database_unavailable"
                    return response.status_code

                n = 0
                for _ in range(20):
                    n += 1
                    assert await register(n) == 201
                await asyncio.to_thread(database.stop)
                for _ in range(10):
                    n += 1
                    assert await register(n) == 503
                await asyncio.to_thread(database.start)
                started = time.monotonic()
                recovered = False
                while time.monotonic() - started < 30:
                    n += 1
                    if await register(n) == 201:
                        recovered = True
                        break
                    await asyncio.sleep(0.2)
                assert recovered
                for _ in range(20):
                    n += 1
                    assert await register(n) == 201
        finally:
            await asyncio.to_thread(platform.stop)
        assert set(statuses) <= {201, 503}
        assert retry_after == {"2"}
        engine = create_engine(database.url("enrollment"))
        async with engine.connect() as connection:
            stored = set((await connection.execute(select(infra.audit_log.c.entity_id))).scalars())
            events = (await connection.execute(select(func.count()).select_from(infra.outbox))).scalar_one()
        await engine.dispose()
        assert set(acknowledged) <= stored
        assert events == len(stored) == len(acknowledged)
