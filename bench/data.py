"""Synthetic enterprises: valid USCCs (GB 32100-2015 check digit), Chinese names, counties, industries."""

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from services.enrollment.enterprise.uscc import check_digit

COUNTIES = [f"4107{n:02d}" for n in range(2, 12)] + [f"4108{n:02d}" for n in range(1, 91)]  # 100
INDUSTRIES = [f"C{major}{minor:02d}" for major in range(13, 44) for minor in (11, 21, 65)]
STATUSES = [
    ("registered", 50),
    ("in_review", 10),
    ("approved", 5),
    ("admitted", 25),
    ("rejected", 6),
    ("withdrawn", 4),
]
PREFIXES = ["新乡", "洛阳", "河南", "中原", "豫北", "卫辉", "辉县", "长垣", "获嘉", "原阳"]
MIDDLES = ["华", "宏", "恒", "泰", "鑫", "瑞", "丰", "盛", "通", "达", "金", "博", "远", "诚", "信"]
TRADES = ["机械", "电子", "化工", "纺织", "食品", "材料", "汽配", "电气", "仪表", "包装", "建材", "医药"]
# A rare word (about 1 name in 100) for the text search of the dossier-scale workload.
RARE = "智造"
FORMS = ["有限公司", "股份有限公司", "有限责任公司"]


def uscc(county: str, serial: int) -> str:
    body = f"91{county}{serial:09d}"
    return body + check_digit(body)


def name(rng: random.Random, serial: int) -> str:
    trade = RARE if rng.random() < 0.01 else rng.choice(TRADES)
    brand = rng.choice(MIDDLES) + rng.choice(MIDDLES)
    return f"{rng.choice(PREFIXES)}{brand}{trade}{serial % 997}{rng.choice(FORMS)}"


def push_records(
    county: str, count: int, invalid_share: float, start: int = 0, seed: int = 1
) -> list[dict[str, Any]]:
    """Records as a county system sends them; `invalid_share` of them have a wrong check digit."""
    rng = random.Random(seed)
    records = []
    for i in range(start, start + count):
        code = uscc(county, i)
        if rng.random() < invalid_share:
            code = code[:17] + ("0" if code[17] != "0" else "1")
        records.append(
            {
                "uscc": code,
                "name": name(rng, i),
                "county_code": county,
                "industry_code": rng.choice(INDUSTRIES),
                "size_class": rng.choice(["above_scale", "below_scale"]),
                "employees": rng.randint(5, 900),
                "annual_output_fen": rng.randint(1, 50_000) * 1_000_000,
                "contact_name": "张三",
                "contact_phone": f"0373-{rng.randint(1000000, 9999999)}",
                "cloud_adopted": rng.random() < 0.4,
            }
        )
    return records


COPY_COLUMNS = (
    "uscc",
    "name",
    "county_code",
    "industry_code",
    "size_class",
    "source",
    "registered_by",
    "registered_at",
    "updated_at",
    "srdi_status",
    "annual_output_fen",
    "employees",
    "contact_name",
    "contact_phone",
    "cloud_adopted",
    "version",
    "admission_status",
)


def copy_row(record: dict[str, Any], now: datetime, status: str = "registered") -> tuple[Any, ...]:
    """A push record as the row the service would store (for COPY straight into `enterprise`)."""
    return (
        record["uscc"],
        record["name"],
        record["county_code"],
        record["industry_code"],
        record["size_class"],
        "county_push",
        "bench",
        now,
        now,
        "none",
        record["annual_output_fen"],
        record["employees"],
        record["contact_name"],
        record["contact_phone"],
        record["cloud_adopted"],
        1,
        status,
    )


def dossier_rows(start: int, count: int, seed: int = 7, base: int = 500_000_000) -> Iterator[tuple[Any, ...]]:
    """Rows spread over 100 counties, 93 industries and six statuses, for the dossier-scale workload
    (another `base` gives serials of their own, as the growth workload uses)."""
    rng = random.Random(seed + start)
    now = datetime.now(UTC)
    statuses = [s for s, weight in STATUSES for _ in range(weight)]
    for i in range(start, start + count):
        county = COUNTIES[i % len(COUNTIES)]
        record = {
            "uscc": uscc(county, base + i),
            "name": name(rng, i),
            "county_code": county,
            "industry_code": rng.choice(INDUSTRIES),
            "size_class": "below_scale" if rng.random() < 0.7 else "above_scale",
            "annual_output_fen": rng.randint(1, 50_000) * 1_000_000,
            "employees": rng.randint(5, 900),
            "contact_name": "李四",
            "contact_phone": "0373-1234567",
            "cloud_adopted": rng.random() < 0.4,
        }
        yield copy_row(record, now, rng.choice(statuses))
