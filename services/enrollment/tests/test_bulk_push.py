import csv
import io
import json
import time
from typing import Any

import httpx
import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.enrollment.db import infra
from services.enrollment.enterprise.models import Enterprise, EnterpriseVersion
from services.enrollment.enterprise.uscc import check_digit
from szcore.auth import Role

COUNTY = "330784"
OTHER_COUNTY = "330783"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def make_uscc(n: int) -> str:
    first17 = f"91330784MA{n:07d}"
    return first17 + check_digit(first17)


def record(n: int, **overrides: Any) -> dict[str, Any]:
    data = {
        "uscc": make_uscc(n),
        "name": f"永康企业{n}",
        "county_code": COUNTY,
        "industry_code": "C3465",
        "size_class": "above_scale",
        "programme_id": "jinhua-2024",
        "employees": 100 + n % 50,
    }
    data.update(overrides)
    return data


async def push(
    client: httpx.AsyncClient,
    tokens: Any,
    body: bytes | list[Any],
    request_id: str,
    content_type: str = "application/json",
    role: Role = Role.county_system,
    **params: Any,
) -> httpx.Response:
    content = json.dumps(body, ensure_ascii=False).encode() if isinstance(body, list) else body
    headers = {
        **tokens.headers(role, **({"county": COUNTY} if role != Role.city_admin else {})),
        "content-type": content_type,
    }
    return await client.post(
        "/enterprises/bulk", params={"request_id": request_id, **params}, content=content, headers=headers
    )


async def counts(session: AsyncSession) -> tuple[int, int, int]:
    async def count(table: Any) -> int:
        return (await session.execute(select(func.count()).select_from(table))).scalar_one()

    return await count(Enterprise), await count(EnterpriseVersion), await count(infra.outbox)


class TestJsonPush:
    async def test_valid_records_applied_and_each_error_reported(
        self, client: httpx.AsyncClient, session: AsyncSession, programmes, tokens
    ) -> None:
        records = [
            record(1),
            record(2, uscc=make_uscc(2)[:-1] + "0"),  # wrong check digit
            record(3, name=""),
            record(4, county_code=OTHER_COUNTY),
            record(1, name="重复"),
            record(5, size_class="huge"),
            record(6, pilot_industry="apparel"),
            record(7),
        ]
        response = await push(client, tokens, records, "r1")
        assert response.status_code == 200, response.text
        report = response.json()
        assert (report["outcome"], report["total"], report["created"], report["rejected"]) == (
            "applied",
            8,
            2,
            6,
        )
        assert [(e["row"], e["field"], e["code"]) for e in report["errors"]] == [
            (2, "uscc", "invalid_uscc"),
            (3, "name", "missing"),
            (4, "county_code", "county_forbidden"),
            (5, "uscc", "duplicate_in_request"),
            (6, "size_class", "enum"),
            (7, "industry_code", "industry_not_in_pilot_industry"),
        ]
        assert all(e["message"] and e["message_zh"] for e in report["errors"])
        assert await counts(session) == (2, 2, 2)

    async def test_same_request_again_changes_nothing(
        self, client: httpx.AsyncClient, session: AsyncSession, programmes, tokens
    ) -> None:
        records = [record(n) for n in range(1, 6)]
        first = (await push(client, tokens, records, "r1")).json()
        before = await counts(session)
        again = (await push(client, tokens, records, "r1")).json()
        assert again["outcome"] == "replayed" and again["created"] == first["created"] == 5
        assert await counts(session) == before
        fresh_id = (await push(client, tokens, records, "r2")).json()
        assert (fresh_id["created"], fresh_id["updated"], fresh_id["unchanged"]) == (0, 0, 5)
        assert await counts(session) == before

    async def test_request_id_reused_for_other_content(
        self, client: httpx.AsyncClient, programmes, tokens
    ) -> None:
        await push(client, tokens, [record(1)], "r1")
        response = await push(client, tokens, [record(2)], "r1")
        assert response.status_code == 409 and response.json()["code"] == "request_id_reused"

    async def test_changed_record_is_a_new_version(
        self, client: httpx.AsyncClient, session: AsyncSession, programmes, tokens
    ) -> None:
        await push(client, tokens, [record(1)], "r1")
        report = (await push(client, tokens, [record(1, employees=999, cloud_adopted=True)], "r2")).json()
        assert (report["updated"], report["unchanged"]) == (1, 0)
        dossier = (
            await client.get(f"/enterprises/{make_uscc(1)}", headers=tokens.headers(Role.city_admin))
        ).json()
        assert (dossier["employees"], dossier["cloud_adopted"], dossier["version"], dossier["source"]) == (
            999,
            True,
            2,
            "county_push",
        )
        history = (
            await client.get(f"/enterprises/{make_uscc(1)}/history", headers=tokens.headers(Role.city_admin))
        ).json()
        assert history["items"][1]["changes"] == {"employees": [101, 999], "cloud_adopted": [False, True]}
        types = (
            (await session.execute(select(infra.outbox.c.event_type).order_by(infra.outbox.c.id)))
            .scalars()
            .all()
        )
        assert types == ["EnterpriseRegistered", "EnterpriseUpdated"]

    async def test_all_or_nothing(
        self, client: httpx.AsyncClient, session: AsyncSession, programmes, tokens
    ) -> None:
        response = await push(client, tokens, [record(1), record(2, name="")], "r1", mode="all_or_nothing")
        report = response.json()
        assert (report["outcome"], report["created"], report["rejected"]) == ("rejected", 0, 1)
        assert await counts(session) == (0, 0, 0)

    async def test_dry_run(
        self, client: httpx.AsyncClient, session: AsyncSession, programmes, tokens
    ) -> None:
        report = (await push(client, tokens, [record(1), record(2)], "r1", dry_run="true")).json()
        assert (report["outcome"], report["created"]) == ("dry_run", 2)
        assert await counts(session) == (0, 0, 0)
        real = (await push(client, tokens, [record(1), record(2)], "r1")).json()
        assert real["outcome"] == "applied"

    async def test_another_countys_enterprise_is_not_available(
        self, client: httpx.AsyncClient, session: AsyncSession, programmes, tokens
    ) -> None:
        await push(client, tokens, [record(1, county_code=OTHER_COUNTY)], "c1", role=Role.city_admin)
        report = (await push(client, tokens, [record(1)], "r1")).json()
        assert [(e["field"], e["code"]) for e in report["errors"]] == [("uscc", "uscc_not_available")]

    @pytest.mark.parametrize("role", [Role.enterprise, Role.expert, Role.provider])
    async def test_roles_that_may_not_push(self, role: Role, client: httpx.AsyncClient, tokens) -> None:
        scope = {"enterprise": {"uscc": make_uscc(1)}, "provider": {"provider_id": "p"}}.get(role.value, {})
        response = await client.post(
            "/enterprises/bulk",
            params={"request_id": "x"},
            json=[record(1)],
            headers=tokens.headers(role, **scope),
        )
        assert response.status_code == 403

    async def test_too_many_records(self, client: httpx.AsyncClient, tokens) -> None:
        response = await push(client, tokens, b"[" + b",".join([b"{}"] * 100_001) + b"]", "big")
        assert response.status_code == 422 and response.json()["code"] == "too_many_records"

    @pytest.mark.parametrize(
        ("body", "content_type"),
        [(b"{not json", "application/json"), (b"x", "text/plain"), (b"PK\x03\x04", XLSX)],
    )
    async def test_unreadable_bodies(
        self, body: bytes, content_type: str, client: httpx.AsyncClient, tokens
    ) -> None:
        response = await push(client, tokens, body, "x", content_type)
        assert response.status_code == 422
        assert response.json()["code"] in ("unreadable_file", "unsupported_media_type")


CHINESE_HEADERS = [
    "统一社会信用代码",
    "企业名称",
    "所属区县",
    "行业代码",
    "规上/规下",
    "试点项目",
    "专精特新类型",
    "年产值（元）",
    "是否上云",
    "备注",
]


def chinese_rows() -> list[list[Any]]:
    return [
        CHINESE_HEADERS,
        [
            make_uscc(1),
            "永康电动工具甲",
            COUNTY,
            "C3465",
            "规上",
            "jinhua-2024",
            "小巨人",
            "150000000.50",
            "是",
            "x",
        ],
        [make_uscc(2), "永康电动工具乙", COUNTY, "C3465", "规下", "jinhua-2024", "", "", "否", ""],
        [make_uscc(3), "", COUNTY, "C3465", "规上", "jinhua-2024", "", "", "", ""],
    ]


class TestFilePush:
    async def check(self, client: httpx.AsyncClient, tokens: Any, body: bytes, content_type: str) -> None:
        report = (await push(client, tokens, body, "file", content_type)).json()
        assert (report["created"], report["total"]) == (2, 3), report
        assert [(e["row"], e["field"]) for e in report["errors"]] == [(4, "name")]
        assert report["ignored_columns"] == ["备注"]
        first = (
            await client.get(f"/enterprises/{make_uscc(1)}", headers=tokens.headers(Role.city_admin))
        ).json()
        assert (
            first["size_class"],
            first["srdi_status"],
            first["annual_output_fen"],
            first["cloud_adopted"],
        ) == (
            "above_scale",
            "little_giant",
            15_000_000_050,
            True,
        )
        assert first["output_tier"] == "100m_200m"

    @pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
    async def test_csv(self, encoding: str, client: httpx.AsyncClient, programmes, tokens) -> None:
        buffer = io.StringIO()
        csv.writer(buffer).writerows(chinese_rows())
        await self.check(client, tokens, buffer.getvalue().encode(encoding), "text/csv")

    async def test_xlsx(self, client: httpx.AsyncClient, programmes, tokens) -> None:
        book = Workbook()
        for row in chinese_rows():
            book.active.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        await self.check(client, tokens, buffer.getvalue(), XLSX)


class TestLargePush:
    """100,000 records on PostgreSQL (10,000 on SQLite: one writer, slower) with 1% bad rows."""

    async def test_large_push_with_one_percent_bad_rows(
        self, client: httpx.AsyncClient, session: AsyncSession, programmes, tokens
    ) -> None:
        size = 100_000 if session.bind.dialect.name == "postgresql" else 10_000
        records = [record(n) if n % 100 else record(n, industry_code="bad") for n in range(1, size + 1)]
        started = time.monotonic()
        report = (await push(client, tokens, records, "large")).json()
        elapsed = time.monotonic() - started
        bad = size // 100
        assert (report["total"], report["created"], report["rejected"]) == (size, size - bad, bad)
        assert [e["row"] for e in report["errors"]] == list(range(100, size + 1, 100))
        assert {(e["field"], e["code"]) for e in report["errors"]} == {
            ("industry_code", "string_pattern_mismatch")
        }
        assert await counts(session) == (size - bad, size - bad, size - bad)
        again = (await push(client, tokens, records, "large")).json()
        assert again["outcome"] == "replayed"
        assert await counts(session) == (size - bad, size - bad, size - bad)
        print(f"pushed {size} records in {elapsed:.1f}s")
