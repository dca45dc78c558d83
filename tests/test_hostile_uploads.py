"""Hostile uploads and exports: oversized bodies (413 while streaming), XLSX zip bombs (refused from the
zip's directory before parsing), undecodable CSV (422), GBK and UTF-8 with BOM read alike, and cells that
would run as formulas neutralised in every CSV/XLSX export."""

import base64
import csv
import io
import zipfile
from collections.abc import AsyncIterator, Callable
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.report.xlsx import below_target_xlsx
from services.enrollment.app import create_app as enrollment_app
from services.enrollment.enterprise.export import workbook as enterprise_workbook
from services.enrollment.enterprise.uscc import check_digit
from services.enrollment.programme.service import seed
from szcore.auth import Principal, Role
from szcore.errors import ProblemError
from szcore.settings import get_settings
from szcore.spreadsheet import XLSX, check_xlsx, decode_text, safe_cell, to_csv, to_xlsx
from tests.support.fixtures import Tokens, asgi_client, rolled_back_session

Enrollment = tuple[httpx.AsyncClient, AsyncSession]
COUNTY = "330784"
HOSTILE = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"]


def uscc(n: int) -> str:
    first17 = f"91330784MB{n:07d}"
    return first17 + check_digit(first17)


def xlsx_cells(content: bytes) -> list[Any]:
    book = load_workbook(io.BytesIO(content))
    return [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def zip_bomb(inflated_bytes: int) -> bytes:
    """A minimal 'XLSX' whose one sheet inflates from a few kB of zeros to `inflated_bytes`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(inflated_bytes // len(chunk)):
                part.write(chunk)
    return buffer.getvalue()


class TestFormulaNeutralisation:
    @pytest.mark.parametrize("value", HOSTILE)
    def test_a_formula_start_becomes_text(self, value: str) -> None:
        assert safe_cell(value) == "'" + value

    @pytest.mark.parametrize("value", ["普通文本", "A=B", "12", 12, -5, None, 1.5])
    def test_everything_else_is_untouched(self, value: object) -> None:
        assert safe_cell(value) == value

    def test_csv_export(self) -> None:
        text = to_csv(["=header", "name"], [[v, "ok"] for v in HOSTILE]).decode("utf-8-sig")
        cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)

    def test_xlsx_export_has_no_formula_cells(self) -> None:
        content = to_xlsx({"s": (["=h"], [[v] for v in HOSTILE])})
        book = load_workbook(io.BytesIO(content))
        cells = [c for row in book.worksheets[0].iter_rows() for c in row]
        assert all(c.data_type == "s" for c in cells)
        assert len(cells) == len(HOSTILE) + 1 and all(c.value.startswith("'") for c in cells)

    def test_enterprise_list_export(self) -> None:
        enterprises = [
            SimpleNamespace(
                name=value,
                uscc=uscc(n),
                county_code=COUNTY,
                industry_code="C3465",
                pilot_industry=None,
                batch_id=value,
                programme_id=None,
                size_class="above_scale",
                srdi_status="none",
                admission_status="registered",
            )
            for n, value in enumerate(HOSTILE)
        ]
        cells = xlsx_cells(enterprise_workbook(enterprises, {}))  # type: ignore[arg-type]
        assert not any(isinstance(c, str) and c.startswith(("=", "+", "-", "@")) for c in cells)

    def test_assessment_below_target_export(self) -> None:
        items = [
            {
                "uscc": uscc(n),
                "name": value,
                "county_code": value,
                "industry_code": "C3465",
                "size_class": "above_scale",
                "level_before": 1,
                "level_after": 1,
            }
            for n, value in enumerate(HOSTILE)
        ]
        data = SimpleNamespace(target_level=2, items=[SimpleNamespace(**item) for item in items])
        cells = xlsx_cells(below_target_xlsx(data))  # type: ignore[arg-type]
        assert not any(isinstance(c, str) and c.startswith(("=", "+", "-", "@")) for c in cells)


class TestZipBombs:
    def test_a_high_ratio_part_is_refused_before_parsing(self) -> None:
        with pytest.raises(ProblemError) as refused:
            check_xlsx(zip_bomb(64 * 1024 * 1024))
        assert refused.value.status == 422 and refused.value.code == "xlsx_compression_ratio"

    def test_an_oversized_workbook_is_refused(self) -> None:
        book = Workbook()
        book.active.append(["统一社会信用代码"] * 50)
        buffer = io.BytesIO()
        book.save(buffer)
        with pytest.raises(ProblemError) as refused:
            check_xlsx(buffer.getvalue(), max_uncompressed=1000)
        assert refused.value.code == "xlsx_too_large"

    def test_an_ordinary_workbook_passes(self) -> None:
        book = Workbook()
        for n in range(2000):
            book.active.append([uscc(n), f"企业{n}", COUNTY])
        buffer = io.BytesIO()
        book.save(buffer)
        check_xlsx(buffer.getvalue())

    def test_not_a_zip(self) -> None:
        with pytest.raises(ProblemError) as refused:
            check_xlsx(b"PK\x03\x04 not really")
        assert refused.value.code == "unreadable_file" and refused.value.errors[0].code == "invalid_xlsx"


class TestEncodings:
    TEXT = "统一社会信用代码,企业名称\n91330784MA0000001X,永康五金\n"

    @pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
    def test_read_alike(self, encoding: str) -> None:
        assert decode_text(self.TEXT.encode(encoding)) == self.TEXT

    @pytest.mark.parametrize("text", ["统一,a\n", "企业", "é,统一社会信用代码", "café,1"])
    @pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
    def test_short_text_is_not_misread(self, text: str, encoding: str) -> None:
        # Short GBK text can be valid UTF-8 too (统一 reads as Greek and Cyrillic).
        if encoding == "gbk" and not text.isascii() and "é" in text:
            return  # not representable in GBK
        assert decode_text(text.encode(encoding)) == text

    @pytest.mark.parametrize(
        "body", ["企业".encode("utf-16"), "企业".encode("utf-16-le"), b"\xff\xfe\x00\x00", b"\x81"]
    )
    def test_undecodable_is_refused(self, body: bytes) -> None:
        with pytest.raises(ProblemError) as refused:
            decode_text(body)
        assert refused.value.status == 422 and refused.value.code == "unreadable_file"


@pytest.fixture
async def enrollment(migrated_engines: Callable) -> AsyncIterator[Enrollment]:  # type: ignore[type-arg]
    async for session in rolled_back_session(await migrated_engines("enrollment")):
        await seed(session, Principal(subject="city-test", role=Role.city_admin))
        async with asgi_client(enrollment_app(), session) as client:
            yield client, session


async def push(
    client: httpx.AsyncClient, tokens: Tokens, body: bytes, content_type: str, **params: Any
) -> httpx.Response:
    return await client.post(
        "/enterprises/bulk",
        params={"request_id": f"hostile-{len(body)}-{content_type[:4]}", **params},
        content=body,
        headers={**tokens.headers(Role.county_system, county=COUNTY), "content-type": content_type},
    )


class TestBulkPushOverHttp:
    async def test_zip_bomb(self, enrollment: Enrollment, tokens: Tokens) -> None:
        client, _ = enrollment
        response = await push(client, tokens, zip_bomb(64 * 1024 * 1024), XLSX)
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] == "xlsx_compression_ratio"

    async def test_undecodable_csv(self, enrollment: Enrollment, tokens: Tokens) -> None:
        client, _ = enrollment
        response = await push(client, tokens, "统一社会信用代码\n".encode("utf-16"), "text/csv")
        assert response.status_code == 422 and response.json()["code"] == "unreadable_file"

    async def test_oversized_declared_body_is_refused_before_reading(
        self, enrollment: Enrollment, tokens: Tokens
    ) -> None:
        client, _ = enrollment
        cap = get_settings().max_request_bytes
        response = await client.post(
            "/enterprises/bulk",
            params={"request_id": "too-big"},
            content=b"x",
            headers={
                **tokens.headers(Role.county_system, county=COUNTY),
                "content-type": "text/csv",
                "content-length": str(cap + 1),
            },
        )
        assert response.status_code == 413 and response.json()["code"] == "payload_too_large"

    async def test_oversized_streamed_body_is_cut_off(self, enrollment: Enrollment, tokens: Tokens) -> None:
        client, _ = enrollment
        cap = get_settings().max_request_bytes
        sent = 0

        async def chunks() -> AsyncIterator[bytes]:
            nonlocal sent
            chunk = b"a" * (1024 * 1024)
            while sent <= cap + 4 * len(chunk):
                sent += len(chunk)
                yield chunk

        response = await client.post(
            "/enterprises/bulk",
            params={"request_id": "too-big-streamed"},
            content=chunks(),
            headers={**tokens.headers(Role.county_system, county=COUNTY), "content-type": "text/csv"},
        )
        assert response.status_code == 413
        assert response.headers["content-type"].startswith("application/problem+json")

    async def test_formula_cells_pushed_in_come_out_neutralised(
        self, enrollment: Enrollment, tokens: Tokens
    ) -> None:
        client, _ = enrollment
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["统一社会信用代码", "企业名称", "所属区县", "行业代码", "规上/规下", "试点项目"])
        for n, value in enumerate(HOSTILE[:4]):
            writer.writerow([uscc(900 + n), value + "有限公司", COUNTY, "C3465", "规上", "jinhua-2024"])
        pushed = await push(client, tokens, buffer.getvalue().encode("gbk"), "text/csv")
        assert pushed.status_code == 200, pushed.text
        assert pushed.json()["errors"] == [] or all(e.get("field") != "name" for e in pushed.json()["errors"])
        exported = await client.get(
            "/enterprises/export", headers=tokens.headers(Role.county_admin, county=COUNTY)
        )
        assert exported.status_code == 200, exported.text
        cells = xlsx_cells(base64.b64decode(exported.json()["content_base64"]))
        names = [c for c in cells if isinstance(c, str) and "有限公司" in c]
        assert names and not any(c.startswith(("=", "+", "-", "@")) for c in names)
