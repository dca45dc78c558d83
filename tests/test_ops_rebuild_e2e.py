"""An operator rebuilds a service's read model from the event stream while the service runs."""

import httpx
import pytest
from sqlalchemy import delete, func, select

from ops.local import Platform
from ops.rebuild import rebuild
from services.assessment.enterprise.models import EnterpriseCopy
from szcore.auth import Role
from szcore.db import create_engine
from szcore.settings import Settings
from tests.support.eventservice import eventually
from tests.support.fixtures import unique_uscc

# It used to wait for "at least three copies" and then for "as many copies as before": on the session's
# shared platform other tests' enterprises satisfied the first too early and, still in flight, broke the
# second under load. It now follows its own three enterprises.
pytestmark = pytest.mark.e2e

USCCS = [unique_uscc() for _ in range(3)]


async def copies(url: str, usccs: list[str] | None = None) -> int:
    engine = create_engine(url)
    query = select(func.count()).select_from(EnterpriseCopy)
    if usccs is not None:
        query = query.where(EnterpriseCopy.uscc.in_(usccs))
    async with engine.connect() as connection:
        count = (await connection.execute(query)).scalar_one()
    await engine.dispose()
    return int(count)


class TestRebuildReadModel:
    async def test_a_lost_read_model_is_rebuilt_from_the_stream(self, platform: Platform, tokens) -> None:
        url = platform.env["SZ_ASSESSMENT_DATABASE_URL"]
        async with httpx.AsyncClient(base_url=platform.url("enrollment"), timeout=10) as client:
            for uscc in USCCS:
                body = {
                    "uscc": uscc,
                    "name": f"企业{uscc[-4:]}",
                    "county_code": "410322",
                    "industry_code": "C34",
                    "size_class": "above_scale",
                }
                response = await client.post(
                    "/enterprises", json=body, headers=tokens.headers(Role.city_admin)
                )
                assert response.status_code == 201, response.text

        async def copied() -> bool:
            return await copies(url, USCCS) == len(USCCS)

        await eventually(copied, timeout=60)
        before = await copies(url)

        engine = create_engine(url)
        async with engine.begin() as connection:
            await connection.execute(delete(EnterpriseCopy))
        await engine.dispose()
        assert await copies(url, USCCS) == 0

        settings = Settings(
            nats_url=platform.env["SZ_NATS_URL"], events_namespace=platform.env["SZ_EVENTS_NAMESPACE"]
        )
        forgotten = await rebuild("assessment", "assessment-enterprise-copy", settings, url)
        assert forgotten >= len(USCCS)

        async def rebuilt() -> bool:
            # Other tests' events may still arrive: the read model holds at least what it held.
            return await copies(url, USCCS) == len(USCCS) and await copies(url) >= before

        await eventually(rebuilt, timeout=90)
