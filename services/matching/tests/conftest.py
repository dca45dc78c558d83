from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.app import create_app
from services.matching.tests.helpers import World
from tests.support.fixtures import asgi_client, rolled_back_session


@pytest.fixture
async def session(migrated_engines: Callable) -> AsyncIterator[AsyncSession]:  # type: ignore[type-arg]
    engine = await migrated_engines("matching")
    async for session in rolled_back_session(engine):
        yield session


@pytest.fixture
async def client(session: AsyncSession) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(create_app(), session) as client:
        yield client


@pytest.fixture
def world(client: httpx.AsyncClient, session: AsyncSession, tokens) -> World:  # type: ignore[no-untyped-def]
    return World(client, session, tokens)
