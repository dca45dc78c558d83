"""County pushes in JSON, CSV (UTF-8 with or without BOM, GBK/GB18030) or XLSX with Chinese headers, read
record by record into plain records (row number, field -> value) from a file, never the whole body at once.
Pure: no database."""

import codecs
import csv
import io
import json
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from openpyxl import load_workbook

from szcore.errors import FieldError, ProblemError, bad_request
from szcore.spreadsheet import CHINESE, CONTROL, check_xlsx

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
VALUE_ALIASES: dict[str, dict[str, Any]] = {
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
CONVERTED = NON_TEXT | set(VALUE_ALIASES)
WHOLE_NUMBERS = {"employees", "annual_output_fen"}  # no aliases, kept as numbers
XLSX_TYPES = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/octet-stream")


JSON_TYPES = ("application/json", "application/x-ndjson", "")
CSV_TYPES = ("text/csv", "application/csv")
BLOCK = 256 * 1024
NO_ERRORS: tuple[FieldError, ...] = ()
# (row, record, errors): a row with errors is reported, not applied.
Item = tuple[int, dict[str, Any], tuple[FieldError, ...] | list[FieldError]]


def field_for(header: str) -> str | None:
    header = header.strip()
    if header in HEADERS:
        return HEADERS[header]
    lowered = header.lower()
    return lowered if lowered in FIELDS or lowered == "annual_output_yuan" else None


def invalid_amount() -> FieldError:
    return FieldError("annual_output_yuan", "invalid_amount", "not an amount in yuan", "金额格式不正确")


def clean(
    record: dict[Any, Any], names: dict[Any, str] | None = None
) -> tuple[dict[str, Any], tuple[FieldError, ...] | list[FieldError]]:
    """Drops empty cells (a push never clears a value), maps Chinese values, converts yuan to fen. With
    `names` (a cache, filled here), the keys are headers still to be mapped to fields."""
    out: dict[str, Any] = {}
    errors: tuple[FieldError, ...] | list[FieldError] = NO_ERRORS
    for key, value in record.items():
        if names is not None:
            name = names.get(key)
            if name is None:
                name = names[key] = field_for(str(key)) or str(key)
            key = name
        kind = type(value)
        # The common cases first: plain text and whole numbers need nothing but stripping.
        if kind is str and key not in CONVERTED:
            value = value.strip()
            if value:
                out[key] = value
            continue
        if kind is int and key in WHOLE_NUMBERS:
            out[key] = value
            continue
        if kind is str:
            value = value.strip()
            if not value:
                continue
        elif value is None:
            continue
        elif isinstance(value, datetime):
            value = value.date()
        elif isinstance(value, float) and value.is_integer() and key != "annual_output_yuan":
            value = int(value)
        aliases = VALUE_ALIASES.get(key)
        if aliases and isinstance(value, str | int):
            alias = str(value).lower()
            if alias in aliases:
                value = aliases[alias]
        if key == "annual_output_yuan":
            try:
                fen = Decimal(str(value)) * 100
            except InvalidOperation:
                fen = Decimal("NaN")
            if not fen.is_finite() or fen != fen.to_integral_value():
                errors = [*errors, invalid_amount()]
                continue
            key, value = "annual_output_fen", int(fen)
        kind = type(value)
        if kind is str or (key in NON_TEXT and (kind is int or kind is bool)):
            out[key] = value
        elif key not in NON_TEXT and isinstance(value, int | float):
            out[key] = str(value)
        elif isinstance(value, date):
            out[key] = value.isoformat()
        elif isinstance(value, int | bool | str):
            out[key] = value
        else:
            out[key] = str(value)
    return out, errors


def unreadable(detail: str, field: str, code: str, message: str, message_zh: str) -> ProblemError:
    return bad_request("unreadable_file", detail, [FieldError(field, code, message, message_zh)])


def not_json() -> ProblemError:
    return unreadable("The body is not JSON", "body", "invalid_json", "not JSON", "不是有效的JSON")


def not_a_list() -> ProblemError:
    return unreadable(
        "Expected a list of records", "records", "not_a_list", "expected a list", "应为记录列表"
    )


class JsonStream:
    """Splits a JSON document into values without reading it whole: the C decoder reads each value from
    a window of the text that is refilled from the file as it is consumed."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        head = file.read(4)  # UTF-8 (with or without BOM), -16 or -32, as json.loads tells them apart
        self.decoder = codecs.getincrementaldecoder(json.detect_encoding(head))("surrogatepass")
        self.text = ""
        self.pos = 0
        self.eof = False
        self.feed(head)
        self.json = json.JSONDecoder()

    def feed(self, data: bytes) -> None:
        try:
            text = self.decoder.decode(data, final=not data)
        except UnicodeDecodeError:
            raise not_json() from None
        if self.pos > BLOCK:
            self.text, self.pos = self.text[self.pos :], 0
        self.text += text
        self.eof = not data

    def more(self, at_least: int = BLOCK) -> bool:
        if self.eof:
            return False
        self.feed(self.file.read(max(BLOCK, at_least)))
        return True

    def peek(self) -> str:
        """The next character that is not white space ('' at the end), not consumed."""
        while True:
            text, pos = self.text, self.pos
            while pos < len(text) and text[pos] in " \t\n\r\ufeff":
                pos += 1
            self.pos = pos
            if pos < len(text) or not self.more():
                return text[pos] if pos < len(text) else ""

    def take(self, expected: str) -> None:
        if self.peek() != expected:
            raise not_json()
        self.pos += 1

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                value, end = self.json.raw_decode(self.text, self.pos)
            except ValueError:
                if self.more(len(self.text) - self.pos):  # grows the window: no quadratic re-reads
                    continue
                raise not_json() from None
            if end == len(self.text) and self.more():  # a number or literal may go on in the next block
                continue
            self.pos = end
            return value

    def array(self) -> Iterator[Any]:
        self.take("[")
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            yield self.value()
            separator = self.peek()
            self.pos += 1
            if separator == "]":
                return
            if separator != ",":
                raise not_json()

    def records(self) -> Iterator[Any]:
        """The elements of a top-level array, or of the "records" array of a top-level object."""
        start = self.peek()
        if start == "[":
            yield from self.array()
        elif start == "{":
            self.pos += 1
            listed = False
            if self.peek() == "}":
                self.pos += 1
            else:
                while True:
                    key = self.value()
                    if not isinstance(key, str):
                        raise not_json()
                    self.take(":")
                    if key == "records" and self.peek() == "[":
                        yield from self.array()
                        listed = True
                    elif key == "records":
                        raise not_a_list()
                    else:
                        self.value()
                    separator = self.peek()
                    self.pos += 1
                    if separator == "}":
                        break
                    if separator != ",":
                        raise not_json()
            if not listed:
                raise not_a_list()
        elif start == "":
            raise not_json()
        else:
            self.value()
            raise not_a_list()
        if self.peek() != "":
            raise not_json()


def object_items(records: Iterator[Any]) -> Iterator[Item]:
    fields: dict[Any, str] = {}  # key -> field, cached: every record repeats the same keys
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            yield number, {}, (FieldError("record", "not_an_object", "expected an object", "应为对象"),)
            continue
        yield (number, *clean(record, fields))


def json_items(file: IO[bytes]) -> Iterator[Item]:
    return object_items(JsonStream(file).records())


def ndjson_records(file: IO[bytes]) -> Iterator[Any]:
    """One JSON value per line (application/x-ndjson); blank lines are skipped."""
    for line in file:
        if line.strip():
            try:
                yield json.loads(line)
            except ValueError:
                raise not_json() from None


def csv_encoding(file: IO[bytes]) -> str:
    """The choice of szcore.spreadsheet.decode_text made block by block: UTF-8 with a BOM; else UTF-8 or
    GB18030, whichever decodes without control characters, UTF-8 when it reads as Chinese or Latin text,
    else the reading with the larger share of Chinese characters."""
    file.seek(0)
    if file.read(3) == b"\xef\xbb\xbf":
        candidates = ["utf-8-sig"]
    else:
        candidates = ["utf-8", "gb18030"]
    file.seek(0)
    decoders = {name: codecs.getincrementaldecoder(name)() for name in candidates}
    # name -> [chinese characters, non-ASCII characters, any beyond Latin-1]
    stats = {name: [0, 0, False] for name in candidates}
    while decoders:
        block = file.read(BLOCK)
        for name, decoder in list(decoders.items()):
            try:
                text = decoder.decode(block, final=not block)
            except UnicodeDecodeError:
                text = None
            if text is None or CONTROL.search(text):
                del decoders[name], stats[name]
                continue
            counts = stats[name]
            counts[0] += len(CHINESE.findall(text))
            counts[1] += len(text) - len(text.encode("ascii", "ignore"))
            counts[2] = counts[2] or len(text.encode("latin-1", "ignore")) < len(text)
        if not block:
            break
    file.seek(0)
    if not stats:
        raise unreadable(
            "The CSV is neither UTF-8 nor GBK",
            "body",
            "unreadable_file",
            "The CSV is neither UTF-8 nor GBK",
            "文件编码应为UTF-8或GBK",
        )
    names = list(stats)
    first = stats[names[0]]
    if first[0] or not first[2]:
        return names[0]

    def share(name: str) -> float:
        chinese, other, _ = stats[name]
        return chinese / other if other else 1.0

    return max(names, key=share)


class Reader:
    """The records of a push, read lazily; `ignored_columns` is known once the header has been read."""

    def __init__(self, file: IO[bytes], content_type: str) -> None:
        self.file = file
        self.kind = content_type.split(";")[0].strip().lower()
        self.ignored_columns: list[str] = []
        if self.kind not in (*JSON_TYPES, *CSV_TYPES, *XLSX_TYPES):
            raise bad_request(
                "unsupported_media_type",
                f"Send JSON, CSV or XLSX, not {self.kind}",
                [
                    FieldError(
                        "content-type", "unsupported_media_type", "JSON, CSV or XLSX", "仅支持JSON、CSV、XLSX"
                    )
                ],
            )
        self.encoding = csv_encoding(file) if self.kind in CSV_TYPES else None
        if self.kind in XLSX_TYPES:
            file.seek(0)
            check_xlsx(
                file.read()
            )  # a zip bomb is refused from the zip's directory, before anything is inflated
            file.seek(0)

    def __iter__(self) -> Iterator[Item]:
        self.file.seek(0)
        if self.kind == "application/x-ndjson":
            return object_items(ndjson_records(self.file))
        if self.kind in JSON_TYPES:
            return json_items(self.file)
        if self.kind in CSV_TYPES:
            return self.csv_items()
        return self.xlsx_items()

    def csv_items(self) -> Iterator[Item]:
        text = io.TextIOWrapper(self.file, encoding=self.encoding, newline="")
        try:
            yield from self.table(list(row) for row in csv.reader(text))
        finally:
            text.detach()

    def xlsx_items(self) -> Iterator[Item]:
        try:
            book = load_workbook(self.file, read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a broken file
            raise unreadable(
                "The body is not an XLSX workbook", "body", "invalid_xlsx", "not XLSX", "不是有效的XLSX文件"
            ) from None
        try:
            yield from self.table(list(row) for row in book.worksheets[0].iter_rows(values_only=True))
        finally:
            book.close()

    def table(self, rows: Iterator[list[Any]]) -> Iterator[Item]:
        try:
            header = next(rows)
        except StopIteration:
            return
        columns = [field_for(str(h)) if h is not None else None for h in header]
        self.ignored_columns = [str(h) for h, c in zip(header, columns, strict=True) if c is None and h]
        for number, values in enumerate(rows, start=2):
            if not any(v not in (None, "") for v in values):
                continue
            record = {c: v for c, v in zip(columns, values, strict=False) if c is not None}
            yield (number, *clean(record))
