from datetime import UTC, datetime

from shuzhuan.events.v1.enrollment_pb2 import EnterpriseUpdated, SizeClass

from services.matching.enterprise.repository import EnterpriseCopyRepository
from services.matching.enterprise.service import apply_enterprise_registered
from services.matching.tests.helpers import COUNTY, ENTERPRISE, OTHER_COUNTY, World, event
from szcore.events import to_timestamp


def updated(county: str, name: str = "新名称") -> EnterpriseUpdated:
    return EnterpriseUpdated(
        uscc=ENTERPRISE,
        name=name,
        county_code=county,
        industry_code="C38",
        size_class=SizeClass.SIZE_CLASS_BELOW_SCALE,
        changed_fields=["county_code"],
        version=2,
        changed_at=to_timestamp(datetime(2026, 6, 1, tzinfo=UTC)),
    )


class TestEnterpriseCopy:
    async def test_update_replaces_copied_fields_and_keeps_open_engagements(self, world: World) -> None:
        await world.enterprise_registered()
        copy = await EnterpriseCopyRepository(world.session).get(ENTERPRISE)
        assert copy is not None
        copy.open_engagements = 2
        await apply_enterprise_registered(world.session, event(updated(OTHER_COUNTY), "enrollment"))
        copy = await EnterpriseCopyRepository(world.session).get(ENTERPRISE)
        assert copy is not None
        assert (copy.county_code, copy.industry_code, copy.size_class) == (OTHER_COUNTY, "C38", "below_scale")
        assert copy.open_engagements == 2
        # The old county no longer sees it; the new one does.
        url = f"/enterprises/{ENTERPRISE}"
        assert (await world.client.get(url, headers=world.county(COUNTY))).status_code == 404
        assert (await world.client.get(url, headers=world.county(OTHER_COUNTY))).status_code == 200

    async def test_update_before_registration_is_kept(self, world: World) -> None:
        await apply_enterprise_registered(world.session, event(updated(OTHER_COUNTY, "更新后"), "enrollment"))
        await world.enterprise_registered()
        copy = await EnterpriseCopyRepository(world.session).get(ENTERPRISE)
        assert copy is not None and copy.name == "更新后" and copy.county_code == OTHER_COUNTY
