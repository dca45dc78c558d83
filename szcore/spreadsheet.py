"""Spreadsheets in and out, safely: exported cells never run as formulas, uploaded XLSX files are refused
before parsing when they would inflate past a limit (zip bombs), and CSV text is read as UTF-8 (with or
without BOM) or GBK/GB18030, the encodings county systems export."""

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

from szcore.errors import FieldError, ProblemError, bad_request

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A spreadsheet runs a cell starting with one of these as a formula (tab and CR too, in some readers).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# An XLSX's parts may inflate to this much in total, and each part at most this many times its packed size.
MAX_XLSX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_XLSX_RATIO = 200
CHINESE = re.compile("[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x19\x1b-\x1f]")  # not tab, LF, CR or DOS's EOF (0x1a)


def safe_cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula, prefixed with an apostrophe so that it stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_row(values: Sequence[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


def to_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(safe_row(header))
    for row in rows:
        writer.writerow(safe_row(row))
    return ("\ufeff" + buffer.getvalue()).encode()  # BOM: Excel opens UTF-8 Chinese correctly


def to_xlsx(sheets: dict[str, tuple[Sequence[str], Sequence[Sequence[Any]]]]) -> bytes:
    workbook = Workbook(write_only=True)
    for title, (header, rows) in sheets.items():
        sheet = workbook.create_sheet(title[:31])
        sheet.append(safe_row(header))
        for row in rows:
            sheet.append(safe_row(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _refused(code: str, detail: str, message_zh: str) -> ProblemError:
    return bad_request(code, detail, [FieldError("body", code, detail, message_zh)])


def check_xlsx(
    body: bytes, max_uncompressed: int = MAX_XLSX_UNCOMPRESSED_BYTES, max_ratio: int = MAX_XLSX_RATIO
) -> None:
    """Refuse a zip bomb from the zip's directory alone, before any part is inflated. The declared sizes
    bound what zipfile will inflate, so a file that lies about them is cut off, not trusted."""
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise bad_request(
            "unreadable_file",
            "The body is not an XLSX workbook",
            [FieldError("body", "invalid_xlsx", "not XLSX", "不是有效的XLSX文件")],
        ) from None
    total = sum(part.file_size for part in parts)
    if total > max_uncompressed:
        raise _refused(
            "xlsx_too_large",
            f"The workbook would inflate to {total} bytes; at most {max_uncompressed} are accepted",
            "XLSX文件解压后过大",
        )
    for part in parts:
        if part.file_size > 1024 * 1024 and part.file_size > max_ratio * max(part.compress_size, 1):
            raise _refused(
                "xlsx_compression_ratio",
                f"Part {part.filename} inflates {part.file_size // max(part.compress_size, 1)} times; "
                f"at most {max_ratio} is accepted",
                "XLSX文件压缩比异常",
            )


def _chinese(text: str) -> float:
    """The share of the non-ASCII characters that are Chinese (1.0 for plain ASCII)."""
    other = sum(1 for ch in text if ord(ch) > 127)
    return len(CHINESE.findall(text)) / other if other else 1.0


def decode_text(body: bytes) -> str:
    """UTF-8 with or without BOM, else GB18030 (a superset of GBK); anything else is refused. Short GBK text
    can also be valid UTF-8 (统一 is; it reads as Greek and Cyrillic): the more Chinese reading wins."""
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
        encodings: tuple[str, ...] = ("utf-8",)
    else:
        encodings = ("utf-8", "gb18030")
    readings = []
    for encoding in encodings:
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError:
            continue
        # Control characters (NUL above all) mean UTF-16 or binary, which would "decode" into nonsense.
        if not CONTROL.search(text):
            readings.append(text)
    if not readings:
        raise _refused("unreadable_file", "The CSV is neither UTF-8 nor GBK", "文件编码应为UTF-8或GBK")
    first = readings[0]
    if CHINESE.search(first) or not any(ord(ch) > 0xFF for ch in first):
        return first  # UTF-8 that reads as Chinese, or as Latin text (café), is UTF-8
    return max(readings, key=_chinese)  # max keeps the first (UTF-8) on a tie
