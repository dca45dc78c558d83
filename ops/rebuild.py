"""Rebuild a service's read model from the event stream: forget which events the consumer applied (its
inbox rows) and delete its durable consumer. The running service notices, re-creates the consumer from
the start of the stream and applies every retained event again; handlers are upserts, so the read model
converges to what the events say."""

import importlib

import nats
import nats.js.errors
from sqlalchemy import delete, func, select

from szcore.bus import Topology, durable_name
from szcore.db import create_engine
from szcore.settings import Settings, get_settings


async def rebuild(
    service: str, consumer: str, settings: Settings | None = None, database_url: str | None = None
) -> int:
    """Returns how many inbox rows were forgotten."""
    settings = settings or get_settings()
    infra = importlib.import_module(f"services.{service}.db").infra
    engine = create_engine(database_url or settings.database_url(service))
    try:
        async with engine.begin() as connection:
            inbox = infra.inbox
            count = (
                await connection.execute(
                    select(func.count()).select_from(inbox).where(inbox.c.consumer == consumer)
                )
            ).scalar_one()
            await connection.execute(delete(inbox).where(inbox.c.consumer == consumer))
    finally:
        await engine.dispose()
    nc = await nats.connect(settings.nats_url)
    try:
        topology = Topology(settings.events_namespace)
        durable = durable_name(settings.events_namespace, consumer)
        try:
            await nc.jetstream().delete_consumer(topology.events_stream, durable)
        except nats.js.errors.NotFoundError:
            pass
    finally:
        await nc.close()
    return int(count)
