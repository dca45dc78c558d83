"""County pushes in JSON, CSV (UTF-8 with or without BOM, GBK/GB18030) or XLSX with Chinese headers, read into
plain records (row number, field -> value). Pure: no database."""

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import load_workbook

from szcore.errors import FieldError, bad_request
from szcore.spreadsheet import check_xlsx, decode_text

# Header (Chinese or the English field name) -> field. 年产值 in yuan is converted to fen.
HEADERS = {
    "统一社会信用代码": "uscc",
    "企业名称": "name",
    "所属区县": "county_code",
    "区县代码": "county_code",
    "行业代码": "industry_code",
    "国民经济行业代码": "industry_code",
    "规上/规下": "size_class",
    "企业规模": "size_class",
    "试点项目": "programme_id",
    "试点行业": "pilot_industry",
    "专精特新类型": "srdi_status",
    "专精特新认定日期": "srdi_recognised_on",
    "专精特新有效期至": "srdi_expires_on",
    "年产值（元）": "annual_output_yuan",
    "年产值(元)": "annual_output_yuan",
    "年产值（分）": "annual_output_fen",
    "从业人数": "employees",
    "联系人": "contact_name",
    "联系电话": "contact_phone",
    "联系邮箱": "contact_email",
    "数字化转型专员": "officer_name",
    "专员电话": "officer_phone",
    "专员邮箱": "officer_email",
    "是否上云": "cloud_adopted",
    "上云用云": "cloud_adopted",
}
FIELDS = {
    "uscc",
    "name",
    "county_code",
    "industry_code",
    "size_class",
    "programme_id",
    "pilot_industry",
    "srdi_status",
    "srdi_recognised_on",
    "srdi_expires_on",
    "annual_output_fen",
    "employees",
    "contact_name",
    "contact_phone",
    "contact_email",
    "officer_name",
    "officer_phone",
    "officer_email",
    "cloud_adopted",
}
NON_TEXT = {"employees", "annual_output_fen", "cloud_adopted", "annual_output_yuan"}
VALUE_ALIASES = {
    "size_class": {"规上": "above_scale", "规下": "below_scale"},
    "srdi_status": {
        "无": "none",
        "否": "none",
        "创新型": "innovative",
        "创新型中小企业": "innovative",
        "省级专精特新": "provincial_srdi",
        "专精特新": "provincial_srdi",
        "小巨人": "little_giant",
        "国家级小巨人": "little_giant",
        "国家级专精特新“小巨人”": "little_giant",
    },
    "cloud_adopted": {"是": True, "否": False, "y": True, "n": False, "1": True, "0": False},
}
XLSX_TYPES = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/octet-stream")


@dataclass
class Parsed:
    records: list[tuple[int, dict[str, Any]]]
    total: int = 0
    errors: list[tuple[int, FieldError]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def field_for(header: str) -> str | None:
    header = header.strip()
    if header in HEADERS:
        return HEADERS[header]
    lowered = header.lower()
    return lowered if lowered in FIELDS or lowered == "annual_output_yuan" else None


def clean(record: dict[str, Any], row: int, parsed: Parsed) -> dict[str, Any]:
    """Drops empty cells (a push never clears a value), maps Chinese values, converts yuan to fen."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if isinstance(value, str):
            value = value.strip()
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, float) and value.is_integer() and key != "annual_output_yuan":
            value = int(value)
        aliases = VALUE_ALIASES.get(key)
        if aliases and isinstance(value, str | int) and str(value).lower() in aliases:
            value = aliases[str(value).lower()]
        if key == "annual_output_yuan":
            try:
                fen = Decimal(str(value)) * 100
            except InvalidOperation:
                fen = Decimal("NaN")
            if not fen.is_finite() or fen != fen.to_integral_value():
                parsed.errors.append(
                    (
                        row,
                        FieldError(
                            "annual_output_yuan", "invalid_amount", "not an amount in yuan", "金额格式不正确"
                        ),
                    )
                )
                continue
            key, value = "annual_output_fen", int(fen)
        if key not in NON_TEXT and isinstance(value, int | float):
            value = str(value)
        if isinstance(value, date) or not isinstance(value, int | bool | str):
            value = value.isoformat() if isinstance(value, date) else str(value)
        out[key] = value
    return out


def table(rows: Iterator[list[Any]], parsed: Parsed) -> None:
    try:
        header = next(rows)
    except StopIteration:
        return
    columns = [field_for(str(h)) if h is not None else None for h in header]
    parsed.ignored_columns = [str(h) for h, c in zip(header, columns, strict=True) if c is None and h]
    for number, values in enumerate(rows, start=2):
        if not any(v not in (None, "") for v in values):
            continue
        parsed.total += 1
        record = {c: v for c, v in zip(columns, values, strict=False) if c is not None}
        parsed.records.append((number, clean(record, number, parsed)))


def parse(body: bytes, content_type: str) -> Parsed:
    parsed = Parsed(records=[])
    kind = content_type.split(";")[0].strip().lower()
    if kind in ("application/json", ""):
        try:
            data = json.loads(body)
        except ValueError:
            raise bad_request(
                "unreadable_file",
                "The body is not JSON",
                [FieldError("body", "invalid_json", "not JSON", "不是有效的JSON")],
            ) from None
        records = data.get("records") if isinstance(data, dict) else data
        if not isinstance(records, list):
            raise bad_request(
                "unreadable_file",
                "Expected a list of records",
                [FieldError("records", "not_a_list", "expected a list", "应为记录列表")],
            )
        parsed.total = len(records)
        for number, record in enumerate(records, start=1):
            if not isinstance(record, dict):
                parsed.errors.append(
                    (number, FieldError("record", "not_an_object", "expected an object", "应为对象"))
                )
                continue
            mapped = {(field_for(str(k)) or str(k)): v for k, v in record.items()}
            parsed.records.append((number, clean(mapped, number, parsed)))
        return parsed
    if kind in ("text/csv", "application/csv"):
        table(iter(list(row) for row in csv.reader(io.StringIO(decode_text(body)))), parsed)
        return parsed
    if kind in XLSX_TYPES:
        check_xlsx(body)  # a zip bomb is refused from the zip's directory, before anything is inflated
        try:
            book = load_workbook(io.BytesIO(body), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a broken file
            raise bad_request(
                "unreadable_file",
                "The body is not an XLSX workbook",
                [FieldError("body", "invalid_xlsx", "not XLSX", "不是有效的XLSX文件")],
            ) from None
        sheet = book.worksheets[0]
        table((list(row) for row in sheet.iter_rows(values_only=True)), parsed)
        book.close()
        return parsed
    raise bad_request(
        "unsupported_media_type",
        f"Send JSON, CSV or XLSX, not {kind}",
        [FieldError("content-type", "unsupported_media_type", "JSON, CSV or XLSX", "仅支持JSON、CSV、XLSX")],
    )
