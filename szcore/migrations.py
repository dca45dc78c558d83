"""Alembic plumbing shared by the services; each service keeps its own migration scripts."""

import asyncio

from alembic import context, op
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection

from szcore.db import create_engine, is_sqlite, new_metadata
from szcore.settings import get_settings
from szcore.tables import define_infra_tables


def create_infra_tables() -> None:
    """For a service's first migration: outbox, inbox and audit log, as szcore defines them."""
    tables = define_infra_tables(new_metadata())
    bind = op.get_bind()
    for table in (tables.outbox, tables.inbox, tables.audit_log):
        table.create(bind)


def drop_infra_tables() -> None:
    for name in ("audit_log", "inbox", "outbox"):
        op.drop_table(name)


def run_env(service: str, target_metadata: MetaData) -> None:
    """Body of a service's migrations/env.py."""
    url = context.config.get_main_option("sqlalchemy.url") or get_settings().database_url(service)

    def do_run(connection: Connection) -> None:
        if connection.dialect.name == "postgresql":
            # Replicas starting together (init containers) migrate one at a time; the others then find
            # the schema at head. Session-level lock: released when the connection closes.
            connection.execute(text("SELECT pg_advisory_lock(hashtext('shuzhuan-migrations'))"))
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=is_sqlite(url),
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return

    async def run_async() -> None:
        engine = create_engine(url)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
            await connection.commit()
        await engine.dispose()

    asyncio.run(run_async())
