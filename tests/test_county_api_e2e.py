"""County systems push enterprise records through the gateway's REST API (/county/v1) against the real
processes: client credentials and API keys, JSON, CSV (GBK, UTF-8 with BOM) and XLSX bodies, idempotent
retries, status and per-record errors, and a key for one county refused for another county's records."""

import csv
import io
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import Workbook, load_workbook

from ops.local import Platform
from szcore.auth import Role
from szcore.credentials import ClientRegistry
from tests.support.fixtures import unique_uscc

pytestmark = pytest.mark.e2e

COUNTY = "330784"
OTHER_COUNTY = "330783"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ["统一社会信用代码", "企业名称", "所属区县", "行业代码", "规上/规下", "是否上云"]


def record(county: str = COUNTY, **overrides: Any) -> dict[str, Any]:
    return {
        "uscc": unique_uscc(),
        "name": "永康市某五金制品有限公司",
        "county_code": county,
        "industry_code": "C3465",
        "size_class": "above_scale",
        **overrides,
    }


def register(platform: Platform, county: str = COUNTY) -> tuple[str, str]:
    path = Path(platform.env["SZ_CLIENTS_FILE"])
    registry = ClientRegistry.load(path)
    client_id = f"county-{county}-{uuid.uuid4().hex[:8]}"
    secret = registry.create(client_id, Role.county_system, {"county": county})
    registry.save()
    return client_id, secret


def api_key(platform: Platform, county: str = COUNTY) -> dict[str, str]:
    client_id, secret = register(platform, county)
    return {"x-api-key": f"{client_id}.{secret}"}


async def bearer(gateway: httpx.AsyncClient, platform: Platform, county: str = COUNTY) -> dict[str, str]:
    client_id, secret = register(platform, county)
    answer = await gateway.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    assert answer.status_code == 200, answer.text
    return {"authorization": f"Bearer {answer.json()['access_token']}"}


@pytest.fixture
async def gateway(platform: Platform) -> Any:
    async with httpx.AsyncClient(base_url=platform.url("gateway"), timeout=120) as client:
        yield client


async def push(
    gateway: httpx.AsyncClient,
    auth: dict[str, str],
    body: bytes | list[dict[str, Any]],
    content_type: str = "application/json",
    key: str | None = None,
    **params: Any,
) -> httpx.Response:
    content = json.dumps(body, ensure_ascii=False).encode() if isinstance(body, list) else body
    headers = {**auth, "content-type": content_type, "idempotency-key": key or uuid.uuid4().hex}
    return await gateway.post("/county/v1/pushes", content=content, headers=headers, params=params)


async def dossier(platform: Platform, tokens: Any, uscc: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=platform.url("enrollment"), timeout=30) as client:
        return await client.get(f"/enterprises/{uscc}", headers=tokens.headers(Role.city_admin))


def table(records: list[dict[str, Any]]) -> list[list[Any]]:
    keys = ["uscc", "name", "county_code", "industry_code", "size_class"]
    return [HEADERS] + [[r[k] for k in keys] + ["是"] for r in records]


class TestPushWithClientCredentials:
    async def test_json_push_applies_valid_records_and_reports_each_error(
        self, gateway: httpx.AsyncClient, platform: Platform, tokens: Any
    ) -> None:
        auth = await bearer(gateway, platform)
        records = [record(), record(), record(name="")]
        response = await push(gateway, auth, records, key="json-1-" + uuid.uuid4().hex)
        assert response.status_code == 200, response.text
        result = response.json()
        assert (result["status"], result["outcome"], result["created"], result["rejected"]) == (
            "completed",
            "applied",
            2,
            1,
        )
        assert [(e["row"], e["field"]) for e in result["errors"]] == [(3, "name")]
        assert response.headers["location"] == f"/county/v1/pushes/{result['id']}"
        assert (await dossier(platform, tokens, records[0]["uscc"])).json()["county_code"] == COUNTY


class TestIdempotency:
    async def test_retry_with_the_same_key_changes_nothing(
        self, gateway: httpx.AsyncClient, platform: Platform, tokens: Any
    ) -> None:
        auth = api_key(platform)
        records = [record(), record()]
        key = "retry-" + uuid.uuid4().hex
        first = (await push(gateway, auth, records, key=key)).json()
        again = await push(gateway, auth, records, key=key)
        assert again.status_code == 200
        assert (again.json()["outcome"], again.json()["created"]) == ("replayed", first["created"])
        assert (await dossier(platform, tokens, records[0]["uscc"])).json()["version"] == 1

    async def test_same_key_for_other_content_is_refused(
        self, gateway: httpx.AsyncClient, platform: Platform
    ) -> None:
        auth = api_key(platform)
        key = "reuse-" + uuid.uuid4().hex
        assert (await push(gateway, auth, [record()], key=key)).status_code == 200
        response = await push(gateway, auth, [record()], key=key)
        assert response.status_code == 409
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "idempotency_key_reused"

    async def test_key_is_required(self, gateway: httpx.AsyncClient, platform: Platform) -> None:
        response = await gateway.post("/county/v1/pushes", json=[record()], headers=api_key(platform))
        assert response.status_code == 400 and response.json()["code"] == "idempotency_key_missing"


class TestFilePushes:
    @pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
    async def test_csv(
        self, encoding: str, gateway: httpx.AsyncClient, platform: Platform, tokens: Any
    ) -> None:
        records = [record(), record()]
        buffer = io.StringIO()
        csv.writer(buffer).writerows(table(records))
        response = await push(gateway, api_key(platform), buffer.getvalue().encode(encoding), "text/csv")
        assert response.status_code == 200, response.text
        assert (response.json()["created"], response.json()["errors"]) == (2, [])
        assert (await dossier(platform, tokens, records[1]["uscc"])).json()[
            "name"
        ] == "永康市某五金制品有限公司"

    async def test_xlsx(self, gateway: httpx.AsyncClient, platform: Platform) -> None:
        book = Workbook()
        for row in table([record(), record(industry_code="bad")]):
            book.active.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        response = await push(gateway, await bearer(gateway, platform), buffer.getvalue(), XLSX)
        assert response.status_code == 200, response.text
        assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(3, "industry_code")]

    async def test_body_larger_than_the_graphql_limit_is_streamed_through(
        self, gateway: httpx.AsyncClient, platform: Platform
    ) -> None:
        records = [record() for _ in range(3_000)]
        rows = table(records)
        # A long column the push ignores makes the body large without making the test slow.
        rows = [[*rows[0], "备注"]] + [[*row, "说明" * 200] for row in rows[1:]]
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        body = buffer.getvalue().encode()
        assert len(body) > 1024 * 1024
        response = await push(gateway, api_key(platform), body, "text/csv; charset=utf-8")
        assert response.status_code == 200, response.text
        assert response.json()["created"] == 3_000


class TestStatusAndErrors:
    async def test_status_and_errors_as_json_and_xlsx(
        self, gateway: httpx.AsyncClient, platform: Platform
    ) -> None:
        auth = api_key(platform)
        key = "status-" + uuid.uuid4().hex
        await push(gateway, auth, [record(), record(size_class="huge"), record(name="")], key=key)

        status = await gateway.get(f"/county/v1/pushes/{key}", headers=auth)
        assert status.status_code == 200, status.text
        body = status.json()
        assert (body["status"], body["progress"]) == ("completed", {"total": 3, "done": 3, "errors": 2})
        assert body["result"]["created"] == 1

        errors = (await gateway.get(body["links"]["errors"], headers=auth)).json()
        assert [(e["row"], e["field"], e["code"]) for e in errors["errors"]] == [
            (2, "size_class", "enum"),
            (3, "name", "missing"),
        ]
        sheet = await gateway.get(f"/county/v1/pushes/{key}/errors", params={"format": "xlsx"}, headers=auth)
        assert sheet.headers["content-type"] == XLSX
        rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
        assert rows[0][:3] == ("行号", "统一社会信用代码", "字段")
        assert [(r[0], r[2]) for r in rows[1:]] == [(2, "size_class"), (3, "name")]

    async def test_another_countys_push_is_not_found(
        self, gateway: httpx.AsyncClient, platform: Platform
    ) -> None:
        key = "hidden-" + uuid.uuid4().hex
        await push(gateway, api_key(platform), [record()], key=key)
        response = await gateway.get(f"/county/v1/pushes/{key}", headers=api_key(platform, OTHER_COUNTY))
        assert response.status_code == 404 and response.json()["code"] == "push_not_found"


class TestWrongCounty:
    """The issue's test: a county system's key pushing another county's records is refused."""

    @pytest.mark.parametrize("way_in", ["api_key", "bearer"])
    async def test_key_for_one_county_pushing_another_countys_records_is_refused(
        self, way_in: str, gateway: httpx.AsyncClient, platform: Platform, tokens: Any
    ) -> None:
        auth = api_key(platform) if way_in == "api_key" else await bearer(gateway, platform)
        records = [record(), record(OTHER_COUNTY)]
        key = "wrong-" + uuid.uuid4().hex
        response = await push(gateway, auth, records, key=key)
        assert response.status_code == 403, response.text
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["code"] == "county_forbidden"
        assert problem["errors"][0]["field"] == "county_code" and "row 2" in problem["errors"][0]["message"]
        for sent in records:
            assert (await dossier(platform, tokens, sent["uscc"])).status_code == 404
        assert (await gateway.get(f"/county/v1/pushes/{key}", headers=auth)).json()["status"] == "failed"

    async def test_wrong_key_is_refused(self, gateway: httpx.AsyncClient, platform: Platform) -> None:
        client_id, secret = register(platform)
        response = await push(gateway, {"x-api-key": f"{client_id}.{secret[::-1]}"}, [record()])
        assert response.status_code == 401 and response.json()["code"] == "api_key_invalid"
