import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import nats
import nats.js.errors
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ops.local import Platform
from ops.processes import migrate
from szcore.auth import Role, issue_token
from szcore.bus import stream_name
from szcore.db import create_engine
from szcore.service import get_session, get_session_opener
from szcore.settings import PROCESSES, SERVICES, get_settings
from tests.support.databases import DatabaseFactory, admin_url, postgres_available
from tests.support.natsserver import free_port

BACKENDS = ("postgresql", "sqlite")


@pytest.fixture(scope="session", params=BACKENDS)
async def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql":
        problem = await postgres_available()
        if problem:
            pytest.exit(
                f"PostgreSQL does not answer at {admin_url()} ({problem}). Start one, or point "
                "SZ_TEST_POSTGRES_URL at a server where this user may create databases, e.g. "
                "SZ_TEST_POSTGRES_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres",
                returncode=3,
            )
    return str(request.param)


@pytest.fixture(scope="session")
async def databases(backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[DatabaseFactory]:
    factory = DatabaseFactory(backend, tmp_path_factory.mktemp(f"db-{backend}"))
    yield factory
    await factory.drop_all()


@pytest.fixture(scope="session")
async def migrated_engines(
    databases: DatabaseFactory,
) -> AsyncIterator[Callable[[str], "asyncio.Future[AsyncEngine]"]]:
    """One migrated database per service and backend for the whole run; tests roll back their writes."""
    engines: dict[str, AsyncEngine] = {}
    lock = asyncio.Lock()

    async def engine_for(service: str) -> AsyncEngine:
        async with lock:
            if service not in engines:
                url = await databases.create(service)
                await asyncio.to_thread(migrate, service, url)
                engines[service] = create_engine(url)
            return engines[service]

    yield engine_for  # type: ignore[misc]
    for engine in engines.values():
        await engine.dispose()


async def rolled_back_session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session inside a transaction that is rolled back after the test; commits become savepoints."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        session = AsyncSession(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield session
        finally:
            await session.close()
            await transaction.rollback()


def override_sessions(app: FastAPI, sessions: Callable[[], AsyncIterator[Any]]) -> None:
    """Requests get their session from `sessions` both ways: per request (`DbSession`) and opened by the
    request that needs one (`OpenSession`)."""
    app.dependency_overrides[get_session] = sessions
    app.dependency_overrides[get_session_opener] = lambda: asynccontextmanager(sessions)


def asgi_client(app: FastAPI, session: AsyncSession) -> httpx.AsyncClient:
    async def override() -> AsyncIterator[AsyncSession]:
        yield session
        await session.flush()

    override_sessions(app, override)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service.test")


class Tokens:
    def __init__(self) -> None:
        self.settings = get_settings()

    def __call__(self, role: Role | str, **scope: str) -> str:
        return issue_token(self.settings, role, **scope)

    def headers(self, role: Role | str, **scope: str) -> dict[str, str]:
        return {"authorization": f"Bearer {self(role, **scope)}"}


@pytest.fixture(scope="session")
def tokens() -> Tokens:
    return Tokens()


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


NAMESPACES: set[str] = set()


def namespace(prefix: str = "t") -> str:
    """A fresh event namespace (streams, subjects, durables) whose streams are deleted after the run."""
    name = f"{prefix}{uuid.uuid4().hex[:10]}"
    NAMESPACES.add(name)
    return name


@pytest.fixture(scope="session", autouse=True)
async def delete_test_streams() -> AsyncIterator[None]:
    NAMESPACES.add(get_settings().events_namespace)
    yield
    try:
        nc = await nats.connect(get_settings().nats_url, connect_timeout=2, max_reconnect_attempts=0)
    except Exception:
        return
    try:
        js = nc.jetstream()
        for ns in NAMESPACES:
            for kind in ("EVENTS", "DLQ"):
                try:
                    await js.delete_stream(stream_name(ns, kind))
                except nats.js.errors.NotFoundError:
                    pass
    finally:
        await nc.close()


@pytest.fixture(scope="session")
async def platform(
    databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Platform]:
    env = {
        "SZ_EVENTS_NAMESPACE": namespace("e2e"),
        **{
            f"SZ_{service.upper()}_DATABASE_URL": await databases.create(f"e2e_{service}")
            for service in SERVICES
        },
        "SZ_GATEWAY_DATABASE_URL": await databases.create("e2e_gateway"),
    }
    log_dir: Path = tmp_path_factory.mktemp(f"platform-{databases.backend}")
    # Machine clients (county systems, national platform) that tests register; the gateway re-reads the file.
    env["SZ_CLIENTS_FILE"] = str(log_dir / "clients.json")
    platform = Platform(env=env, ports={process: free_port() for process in PROCESSES}, log_dir=log_dir)
    try:
        await asyncio.to_thread(platform.migrate)
        platform.start_processes()
        await asyncio.to_thread(platform.wait_ready)
        yield platform
    except Exception:
        for log in sorted(log_dir.glob("*.log")):
            print(f"--- {log.name}\n{log.read_text()[-4000:]}")
        raise
    finally:
        await asyncio.to_thread(platform.stop)


def unique_uscc() -> str:
    """A valid USCC (GB 32100-2015 check digit) that no other test uses."""
    from services.enrollment.enterprise.uscc import ALPHABET, check_digit

    body = (
        "9141"
        + "".join(ALPHABET[n % 10] for n in uuid.uuid4().bytes[:4])
        + "MA"
        + uuid.uuid4().hex[:7].upper()
    )
    body = "".join(c if c in ALPHABET else "0" for c in body)
    return body + check_digit(body)
