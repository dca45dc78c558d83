from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from services.enrollment.app import create_app
from services.enrollment.application import service as application_service
from services.enrollment.programme.service import seed
from szcore.auth import Principal, Role
from tests.support.fixtures import asgi_client, rolled_back_session


@pytest.fixture
async def session(migrated_engines: Callable) -> AsyncIterator[AsyncSession]:  # type: ignore[type-arg]
    engine = await migrated_engines("enrollment")
    async for session in rolled_back_session(engine):
        yield session


@pytest.fixture
async def client(session: AsyncSession) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(create_app(), session) as client:
        yield client


@pytest.fixture
async def programmes(session: AsyncSession) -> list[str]:
    """The five seed programmes, loaded the way the seed endpoint loads them."""
    results = await seed(session, Principal(subject="city-test", role=Role.city_admin))
    return [r.id for r in results]


T0 = datetime(2025, 1, 6, 9, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[timedelta], None]:
    """The workflow's notion of now, moved by the test (no wall clock)."""
    now = [T0]
    monkeypatch.setattr(application_service, "utcnow", lambda: now[0])

    def advance(delta: timedelta) -> None:
        now[0] += delta

    return advance
