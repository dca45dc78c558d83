"""Test databases: a fresh PostgreSQL database per service, backend and run, dropped after; SQLite files."""

import os
import uuid
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
RUN_ID = uuid.uuid4().hex[:8]


def admin_url() -> str:
    return os.environ.get("SZ_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def postgres_available() -> str | None:
    """None when the server answers, else why not."""
    try:
        connection = await asyncpg.connect(_dsn(admin_url()), timeout=5)
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        return f"{type(exc).__name__}: {exc}"
    await connection.close()
    return None


async def create_postgres_database(name: str) -> str:
    connection = await asyncpg.connect(_dsn(admin_url()))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return make_url(admin_url()).set(database=name).render_as_string(hide_password=False)


async def drop_postgres_database(name: str) -> None:
    connection = await asyncpg.connect(_dsn(admin_url()))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


class DatabaseFactory:
    """Creates databases for one backend and removes all of them at the end of the run."""

    def __init__(self, backend: str, tmp_dir: Path) -> None:
        self.backend = backend
        self.tmp_dir = tmp_dir
        self.created: list[str] = []

    async def create(self, label: str) -> str:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
        name = f"sz_test_{RUN_ID}_{worker}_{label}"
        if self.backend == "sqlite":
            path = self.tmp_dir / f"{name}.sqlite3"
            return f"sqlite+aiosqlite:///{path}"
        self.created.append(name)
        return await create_postgres_database(name)

    async def drop_all(self) -> None:
        for name in self.created:
            await drop_postgres_database(name)
        self.created.clear()
