import base64
import io
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from services.enrollment.enterprise.uscc import check_digit
from services.enrollment.tests.test_application import Flow
from szcore.auth import Role

YONGKANG, DONGYANG = "330784", "330783"


def make_uscc(n: int) -> str:
    first17 = f"91330700MA{n:07d}"
    return first17 + check_digit(first17)


ROWS = [
    # name, county, industry, size, srdi
    ("永康电动工具一厂", YONGKANG, "C3465", "above_scale", "little_giant"),
    ("永康电动工具二厂", YONGKANG, "C3465", "below_scale", "none"),
    ("东阳磁材有限公司", DONGYANG, "C3985", "above_scale", "provincial_srdi"),
    ("东阳服装有限公司", DONGYANG, "C1810", "above_scale", "none"),
    ('=HYPERLINK("http://x")服装', DONGYANG, "C1820", "below_scale", "innovative"),
]


@pytest.fixture
async def listed(client: httpx.AsyncClient, programmes: list[str], tokens: Any) -> list[str]:
    usccs = []
    for n, (name, county, industry, size, srdi) in enumerate(ROWS, start=1):
        body = {
            "uscc": make_uscc(n),
            "name": name,
            "county_code": county,
            "industry_code": industry,
            "size_class": size,
            "srdi_status": srdi,
            "programme_id": "jinhua-2024",
        }
        response = await client.post("/enterprises", json=body, headers=tokens.headers(Role.city_admin))
        assert response.status_code == 201, response.text
        usccs.append(body["uscc"])
    return usccs


async def names(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> list[str]:
    response = await client.get("/enterprises", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"]) or body["next_cursor"]
    return [item["name"] for item in body["items"]]


class TestFilters:
    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"county_code": YONGKANG}, ["永康电动工具一厂", "永康电动工具二厂"]),
            ({"pilot_industry": "apparel"}, ["东阳服装有限公司", '=HYPERLINK("http://x")服装']),
            ({"industry_code": "C39"}, ["东阳磁材有限公司"]),
            ({"size_class": "below_scale"}, ["永康电动工具二厂", '=HYPERLINK("http://x")服装']),
            ({"srdi_status": "little_giant"}, ["永康电动工具一厂"]),
            ({"q": "磁材"}, ["东阳磁材有限公司"]),
            ({"q": "91330700ma0000001"}, ["永康电动工具一厂"]),
            ({"q": "%"}, []),
            (
                {"status": "registered", "county_code": DONGYANG, "size_class": "above_scale"},
                ["东阳磁材有限公司", "东阳服装有限公司"],
            ),
        ],
    )
    async def test_filter(
        self, params: dict[str, str], expected: list[str], client: httpx.AsyncClient, listed, tokens
    ) -> None:
        assert sorted(await names(client, tokens.headers(Role.city_admin), **params)) == sorted(expected)

    async def test_batch_and_status_follow_the_application(
        self, client: httpx.AsyncClient, listed: list[str], tokens
    ) -> None:
        flow = Flow(client, tokens)
        response = await flow.submit(listed[0], headers=flow.h(Role.county_admin, county=YONGKANG))
        assert response.status_code == 201, response.text
        found = await names(client, flow.city, batch_id="jinhua-2024-b1", status="in_review")
        assert found == ["永康电动工具一厂"]


class TestPagesAndScope:
    async def test_keyset_pages_cover_everything_once(
        self, client: httpx.AsyncClient, listed: list[str], tokens
    ) -> None:
        headers = tokens.headers(Role.city_admin)
        seen, cursor = [], None
        while True:
            params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
            body = (await client.get("/enterprises", params=params, headers=headers)).json()
            assert body["total"] == 5
            seen += [item["uscc"] for item in body["items"]]
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert seen == sorted(listed)

    async def test_county_sees_only_its_own(self, client: httpx.AsyncClient, listed, tokens) -> None:
        headers = tokens.headers(Role.county_admin, county=YONGKANG)
        assert len(await names(client, headers)) == 2
        assert await names(client, headers, county_code=DONGYANG) == []

    async def test_enterprise_sees_itself(self, client: httpx.AsyncClient, listed: list[str], tokens) -> None:
        assert await names(client, tokens.headers(Role.enterprise, uscc=listed[2])) == ["东阳磁材有限公司"]

    async def test_provider_is_refused(self, client: httpx.AsyncClient, listed, tokens) -> None:
        response = await client.get("/enterprises", headers=tokens.headers(Role.provider, provider_id="p1"))
        assert response.status_code == 403

    async def test_bad_cursor(self, client: httpx.AsyncClient, listed, tokens) -> None:
        response = await client.get(
            "/enterprises", params={"cursor": "bm9wZQ"}, headers=tokens.headers(Role.city_admin)
        )
        assert response.status_code == 422 and response.json()["code"] == "invalid_cursor"


class TestExport:
    async def test_official_columns_and_neutralised_formulas(
        self, client: httpx.AsyncClient, listed, tokens
    ) -> None:
        response = await client.get(
            "/enterprises/export.xlsx",
            params={"county_code": DONGYANG},
            headers=tokens.headers(Role.city_admin),
        )
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert rows[0] == [
            "序号",
            "企业名称",
            "统一社会信用代码",
            "所属区县",
            "所属行业",
            "规上/规下",
            "专精特新类型",
            "批次",
            "状态",
        ]
        assert [r[0] for r in rows[1:]] == [1, 2, 3]
        by_name = {r[1]: r for r in rows[1:]}
        assert by_name["东阳磁材有限公司"][3:7] == ["东阳市", "磁性材料", "规上", "省级专精特新"]
        assert by_name["东阳磁材有限公司"][8] == "已登记"
        assert '\'=HYPERLINK("http://x")服装' in by_name

    async def test_base64_json_variant_for_the_gateway(
        self, client: httpx.AsyncClient, listed, tokens
    ) -> None:
        response = await client.get("/enterprises/export", headers=tokens.headers(Role.city_admin))
        body = response.json()
        assert body["filename"] == "enterprises.xlsx"
        sheet = load_workbook(io.BytesIO(base64.b64decode(body["content_base64"]))).active
        assert sheet.max_row == 6

    async def test_county_export_is_scoped(self, client: httpx.AsyncClient, listed, tokens) -> None:
        response = await client.get(
            "/enterprises/export.xlsx", headers=tokens.headers(Role.county_admin, county=YONGKANG)
        )
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet.max_row == 3


class TestFunnel:
    async def test_per_batch_and_county(self, client: httpx.AsyncClient, listed: list[str], tokens) -> None:
        flow = Flow(client, tokens)
        for uscc, county in ((listed[0], YONGKANG), (listed[1], YONGKANG), (listed[2], DONGYANG)):
            await flow.submit(uscc, headers=flow.h(Role.county_admin, county=county))
        application_id = (
            await client.get("/applications", params={"county_code": YONGKANG}, headers=flow.city)
        ).json()["items"][0]["id"]
        await flow.post(application_id, "reviews", flow.county, {"decision": "approved"})
        await flow.post(application_id, "reviews", flow.city, {"decision": "approved"})
        funnel = (
            await client.get(
                "/applications/funnel", params={"programme_id": "jinhua-2024"}, headers=flow.city
            )
        ).json()
        rows = {(r["batch_id"], r["county_code"]): r for r in funnel["rows"]}
        yongkang = rows[("jinhua-2024-b1", YONGKANG)]
        assert (yongkang["submitted"], yongkang["passed_review"], yongkang["by_status"]["in_review"]) == (
            2,
            1,
            1,
        )
        assert rows[("jinhua-2024-b1", DONGYANG)]["submitted"] == 1
        assert funnel["totals"]["submitted"] == 3
        county_view = (
            await client.get(
                "/applications/funnel", params={"programme_id": "jinhua-2024"}, headers=flow.county
            )
        ).json()
        assert [r["county_code"] for r in county_view["rows"]] == [YONGKANG]

    async def test_unknown_programme(self, client: httpx.AsyncClient, tokens) -> None:
        response = await client.get(
            "/applications/funnel", params={"programme_id": "x"}, headers=tokens.headers(Role.city_admin)
        )
        assert response.status_code == 404


async def walk(
    client: httpx.AsyncClient, headers: dict[str, str], order: str, limit: int, between_pages: Any = None
) -> list[str]:
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"order": order, "limit": limit} | ({"cursor": cursor} if cursor else {})
        response = await client.get("/enterprises", params=params, headers=headers)
        assert response.status_code == 200, response.text
        seen += [item["uscc"] for item in response.json()["items"]]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return seen
        if between_pages is not None:
            await between_pages()


class TestSorting:
    @pytest.mark.parametrize("order", ["uscc", "registered_newest", "registered_oldest", "name"])
    async def test_pages_of_every_order_match_one_read(
        self, client: httpx.AsyncClient, listed: list[str], tokens, order: str
    ) -> None:
        headers = tokens.headers(Role.city_admin)
        whole = await client.get("/enterprises", params={"order": order, "limit": 50}, headers=headers)
        expected = [item["uscc"] for item in whole.json()["items"]]
        assert sorted(expected) == sorted(listed)
        assert await walk(client, headers, order, 2) == expected

    async def test_orders_sort_as_named(self, client: httpx.AsyncClient, listed: list[str], tokens) -> None:
        headers = tokens.headers(Role.city_admin)
        assert await walk(client, headers, "registered_newest", 2) == list(reversed(listed))
        by_name = (await client.get("/enterprises", params={"order": "name"}, headers=headers)).json()[
            "items"
        ]
        assert [e["name"] for e in by_name] == sorted(e["name"] for e in by_name)

    async def test_registering_while_paging_adds_no_duplicate_and_no_gap(
        self, client: httpx.AsyncClient, listed: list[str], tokens
    ) -> None:
        headers = tokens.headers(Role.city_admin)
        added = iter(range(100, 110))

        async def register() -> None:
            body = {
                "uscc": make_uscc(next(added)),
                "name": "新登记企业",
                "county_code": YONGKANG,
                "industry_code": "C3465",
                "size_class": "below_scale",
                "srdi_status": "none",
                "programme_id": "jinhua-2024",
            }
            assert (await client.post("/enterprises", json=body, headers=headers)).status_code == 201

        seen = await walk(client, headers, "registered_oldest", 2, between_pages=register)
        assert len(seen) == len(set(seen))
        assert seen[: len(listed)] == listed  # the newest come last in this order, so they never shift a page

    async def test_a_cursor_of_another_order_is_refused(
        self, client: httpx.AsyncClient, listed: list[str], tokens
    ) -> None:
        headers = tokens.headers(Role.city_admin)
        first = await client.get("/enterprises", params={"order": "name", "limit": 2}, headers=headers)
        cursor = first.json()["next_cursor"]
        other = await client.get(
            "/enterprises", params={"order": "registered_newest", "cursor": cursor}, headers=headers
        )
        assert other.status_code == 422 and other.json()["code"] == "invalid_cursor"
        assert (
            await client.get("/enterprises", params={"order": "sideways"}, headers=headers)
        ).status_code == 422
