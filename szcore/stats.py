"""The wire format of every service's `GET /stats/performance`: counted cells the gateway joins with a
programme's target table. Infrastructure like problem+json: the counting rules stay in each service."""

from collections import Counter

from pydantic import BaseModel, Field


class StatCell(BaseModel):
    metric: str = Field(description="Metric key, as a programme's target rows name it")
    county_code: str | None = Field(description="Null: city-wide (not attributable to one county)")
    year: int
    quarter: int = Field(ge=1, le=4)
    value: int
    stock: bool = Field(default=False, description="A level at the period's end, not a count within it")


class StatsRead(BaseModel):
    service: str
    programme: str | None
    cells: list[StatCell]
    labels: dict[str, str] = Field(default={}, description="Display names for keyed metrics")


Key = tuple[str, str | None, int, int]


def quarter(month: int) -> int:
    return (int(month) - 1) // 3 + 1


def to_cells(counts: Counter[Key]) -> list[StatCell]:
    return [
        StatCell(metric=metric, county_code=county, year=year, quarter=q, value=value)
        for (metric, county, year, q), value in sorted(
            counts.items(), key=lambda kv: (kv[0][0], kv[0][1] or "", kv[0][2], kv[0][3])
        )
        if value
    ]
