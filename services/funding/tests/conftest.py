from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from services.funding.app import create_app
from tests.support.fixtures import asgi_client, rolled_back_session


@pytest.fixture
async def engine(migrated_engines: Callable) -> AsyncEngine:  # type: ignore[type-arg]
    return await migrated_engines("funding")  # type: ignore[no-any-return]


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async for session in rolled_back_session(engine):
        yield session


@pytest.fixture
async def client(session: AsyncSession) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(create_app(), session) as client:
        yield client
