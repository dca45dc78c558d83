"""The read copy of enterprises: EnterpriseRegistered and EnterpriseUpdated, profiles by role."""

import httpx
from shuzhuan.events.v1.enrollment_pb2 import EnterpriseUpdated, SizeClass
from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.enterprise.repository import EnterpriseCopyRepository
from services.assessment.enterprise.service import apply_enterprise_updated
from services.assessment.tests.helpers import COUNTY, OTHER_COUNTY, OTHER_USCC, USCC, event, register
from szcore.auth import Role
from szcore.events import to_timestamp
from szcore.types import utcnow


def updated(uscc: str = USCC, county: str = OTHER_COUNTY) -> EnterpriseUpdated:
    return EnterpriseUpdated(
        uscc=uscc,
        name="改名后",
        county_code=county,
        industry_code="C35",
        size_class=SizeClass.SIZE_CLASS_BELOW_SCALE,
        changed_fields=["county_code"],
        version=2,
        changed_at=to_timestamp(utcnow()),
    )


class TestEnterpriseCopy:
    async def test_update_changes_county_industry_and_size(self, session: AsyncSession) -> None:
        await register(session)
        await apply_enterprise_updated(session, event(updated(), "enrollment"))
        await apply_enterprise_updated(session, event(updated(), "enrollment"))
        copy = await EnterpriseCopyRepository(session).get(USCC)
        assert copy is not None
        assert (copy.name, copy.county_code, copy.industry_code, copy.size_class) == (
            "改名后",
            OTHER_COUNTY,
            "C35",
            "below_scale",
        )

    async def test_an_update_before_the_registration_creates_the_copy(self, session: AsyncSession) -> None:
        await apply_enterprise_updated(session, event(updated(OTHER_USCC), "enrollment"))
        assert (await EnterpriseCopyRepository(session).get(OTHER_USCC)) is not None

    async def test_profiles_by_role(self, client: httpx.AsyncClient, session: AsyncSession, tokens) -> None:
        await register(session)
        await register(session, OTHER_USCC, OTHER_COUNTY)
        own = await client.get(f"/enterprises/{USCC}", headers=tokens.headers(Role.enterprise, uscc=USCC))
        assert own.status_code == 200 and own.json()["current_level"] is None
        other = await client.get(
            f"/enterprises/{USCC}", headers=tokens.headers(Role.county_admin, county=OTHER_COUNTY)
        )
        assert other.status_code == 404
        batch = await client.get(
            f"/enterprises?uscc={USCC}&uscc={OTHER_USCC}",
            headers=tokens.headers(Role.county_admin, county=COUNTY),
        )
        assert [p["uscc"] for p in batch.json()["items"]] == [USCC]


class TestOpenApi:
    async def test_the_service_publishes_its_openapi(self, client: httpx.AsyncClient) -> None:
        document = (await client.get("/openapi.json")).json()
        paths = document["paths"]
        for path in (
            "/index-versions",
            "/assessments",
            "/assessments/{assessment_id}/sign-off",
            "/revisit-draws",
        ):
            assert path in paths
        assert all(op.get("summary") for item in paths.values() for op in item.values())
