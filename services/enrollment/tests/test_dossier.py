import httpx
import pytest
from shuzhuan.events.v1.enrollment_pb2 import EnterpriseUpdated
from shuzhuan.events.v1.envelope_pb2 import Envelope
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.enrollment.db import infra
from szcore.auth import Role

COUNTY = "330784"  # 永康市, Jinhua
OTHER_COUNTY = "330783"
USCC = "91350100M000100Y43"


def dossier(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "uscc": USCC,
        "name": "永康电动工具测试有限公司",
        "county_code": COUNTY,
        "industry_code": "C3465",
        "size_class": "above_scale",
        "programme_id": "jinhua-2024",
        "srdi_status": "provincial_srdi",
        "srdi_recognised_on": "2024-06-01",
        "srdi_expires_on": "2027-05-31",
        "annual_output_fen": 15_000_000_000,
        "employees": 230,
        "officer_name": "王专员",
        "officer_phone": "0579-88888888",
    }
    body.update(overrides)
    return body


async def events_of(session: AsyncSession, event_type: str) -> list[Envelope]:
    rows = (await session.execute(select(infra.outbox).where(infra.outbox.c.event_type == event_type))).all()
    return [Envelope.FromString(row.envelope) for row in rows]


@pytest.fixture
async def registered(client: httpx.AsyncClient, programmes: list[str], tokens) -> dict[str, object]:
    response = await client.post("/enterprises", json=dossier(), headers=tokens.headers(Role.city_admin))
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


class TestRegisterDossier:
    async def test_derived_pilot_industry_and_output_tier(self, registered: dict[str, object]) -> None:
        assert registered["pilot_industry"] == "power_tools"
        assert registered["output_tier"] == "100m_200m"
        assert registered["srdi_status"] == "provincial_srdi" and registered["version"] == 1
        assert registered["admission_status"] == "registered"

    async def test_first_version_records_every_field(
        self, client: httpx.AsyncClient, registered: dict[str, object], tokens
    ) -> None:
        history = (
            await client.get(f"/enterprises/{USCC}/history", headers=tokens.headers(Role.city_admin))
        ).json()
        [first] = history["items"]
        assert first["version"] == 1 and first["source"] == "city"
        assert first["changes"]["employees"] == [None, 230]
        assert first["changes"]["pilot_industry"] == [None, "power_tools"]

    @pytest.mark.parametrize(
        ("overrides", "field", "code"),
        [
            ({"pilot_industry": "apparel"}, "industry_code", "industry_not_in_pilot_industry"),
            ({"pilot_industry": "spaceships"}, "pilot_industry", "unknown_pilot_industry"),
            ({"programme_id": "nowhere"}, "programme_id", "unknown_programme"),
            ({"county_code": "110101"}, "county_code", "county_not_in_programme"),
            ({"srdi_expires_on": "2020-01-01"}, "srdi_expires_on", "invalid_srdi_dates"),
            ({"programme_id": None, "pilot_industry": "apparel"}, "pilot_industry", "programme_required"),
        ],
    )
    async def test_refused_against_the_programme(
        self,
        overrides: dict[str, object],
        field: str,
        code: str,
        client: httpx.AsyncClient,
        programmes,
        tokens,
    ) -> None:
        response = await client.post(
            "/enterprises", json=dossier(**overrides), headers=tokens.headers(Role.city_admin)
        )
        assert response.status_code == 422, response.text
        problem = response.json()
        assert problem["code"] == "invalid_dossier"
        assert [(e["field"], e["code"]) for e in problem["errors"]] == [(field, code)]
        assert problem["errors"][0]["message_zh"]

    async def test_negative_output_is_a_validation_error(
        self, client: httpx.AsyncClient, programmes, tokens
    ) -> None:
        response = await client.post(
            "/enterprises", json=dossier(annual_output_fen=-1), headers=tokens.headers(Role.city_admin)
        )
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "annual_output_fen"


class TestUpdateDossier:
    async def test_enterprise_edits_its_contacts_and_figures(
        self, client: httpx.AsyncClient, session: AsyncSession, registered, tokens
    ) -> None:
        response = await client.patch(
            f"/enterprises/{USCC}",
            json={"employees": 250, "cloud_adopted": True, "contact_name": "李经理"},
            headers=tokens.headers(Role.enterprise, uscc=USCC),
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["employees"], body["cloud_adopted"], body["version"]) == (250, True, 2)
        [envelope] = await events_of(session, "EnterpriseUpdated")
        payload = EnterpriseUpdated.FromString(envelope.payload)
        assert list(payload.changed_fields) == ["cloud_adopted", "contact_name", "employees"]
        assert (payload.source, payload.version, payload.cloud_adopted) == ("enterprise", 2, True)
        history = (
            await client.get(f"/enterprises/{USCC}/history", headers=tokens.headers(Role.city_admin))
        ).json()
        second = history["items"][1]
        assert second["source"] == "enterprise" and second["changed_role"] == "enterprise"
        assert second["changes"] == {
            "employees": [230, 250],
            "cloud_adopted": [False, True],
            "contact_name": [None, "李经理"],
        }

    async def test_output_change_moves_the_tier(self, client: httpx.AsyncClient, registered, tokens) -> None:
        response = await client.patch(
            f"/enterprises/{USCC}",
            json={"annual_output_fen": 25_000_000_000},
            headers=tokens.headers(Role.county_admin, county=COUNTY),
        )
        assert response.json()["output_tier"] == "over_200m"

    async def test_same_values_change_nothing(
        self, client: httpx.AsyncClient, session: AsyncSession, registered, tokens
    ) -> None:
        response = await client.patch(
            f"/enterprises/{USCC}", json={"employees": 230}, headers=tokens.headers(Role.city_admin)
        )
        assert response.json()["version"] == 1
        assert await events_of(session, "EnterpriseUpdated") == []

    async def test_city_corrects_official_facts(self, client: httpx.AsyncClient, registered, tokens) -> None:
        response = await client.patch(
            f"/enterprises/{USCC}",
            json={"srdi_status": "little_giant", "size_class": "below_scale"},
            headers=tokens.headers(Role.city_admin),
        )
        assert response.status_code == 200
        assert response.json()["srdi_status"] == "little_giant"

    async def test_enterprise_may_not_change_official_facts(
        self, client: httpx.AsyncClient, session: AsyncSession, registered, tokens
    ) -> None:
        response = await client.patch(
            f"/enterprises/{USCC}",
            json={"srdi_status": "little_giant", "employees": 1},
            headers=tokens.headers(Role.enterprise, uscc=USCC),
        )
        assert response.status_code == 403 and response.json()["code"] == "field_not_editable"
        assert response.json()["errors"][0]["field"] == "srdi_status"
        assert await events_of(session, "EnterpriseUpdated") == []

    async def test_other_enterprise_and_other_county_see_nothing(
        self, client: httpx.AsyncClient, registered, tokens
    ) -> None:
        for headers in (
            tokens.headers(Role.enterprise, uscc="91110000600037341L"),
            tokens.headers(Role.county_admin, county=OTHER_COUNTY),
        ):
            response = await client.patch(f"/enterprises/{USCC}", json={"employees": 1}, headers=headers)
            assert response.status_code == 404 and response.json()["code"] == "enterprise_not_found"

    async def test_county_may_not_move_an_enterprise_away(
        self, client: httpx.AsyncClient, registered, tokens
    ) -> None:
        response = await client.patch(
            f"/enterprises/{USCC}",
            json={"county_code": OTHER_COUNTY},
            headers=tokens.headers(Role.county_admin, county=COUNTY),
        )
        assert response.status_code == 403 and response.json()["code"] == "county_forbidden"

    async def test_required_field_may_not_be_cleared(
        self, client: httpx.AsyncClient, registered, tokens
    ) -> None:
        response = await client.patch(
            f"/enterprises/{USCC}", json={"name": None}, headers=tokens.headers(Role.city_admin)
        )
        assert response.status_code == 422 and response.json()["errors"][0] == {
            "field": "name",
            "code": "required",
            "message": "may not be empty",
            "message_zh": "不能为空",
        }

    @pytest.mark.parametrize("role", [Role.expert, Role.auditor, Role.national_platform])
    async def test_roles_that_may_not_edit(
        self, role: Role, client: httpx.AsyncClient, registered, tokens
    ) -> None:
        response = await client.patch(
            f"/enterprises/{USCC}", json={"employees": 1}, headers=tokens.headers(role)
        )
        assert response.status_code == 403 and response.json()["code"] == "role_not_allowed"
