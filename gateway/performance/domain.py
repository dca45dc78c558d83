"""Programme performance as pure functions of plain data: the target table (目标表) next to the figures
the services count, per year and in total, per county, and the county ranking (晾晒).

Metric cells come from every service's `GET /stats/performance`; target rows and the ranking's criteria
come from the programme's configuration. Nothing here knows a city: rows name metric keys, the cells
carry them.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

Period = tuple[int, int]  # (year, quarter)


@dataclass(frozen=True)
class Cell:
    metric: str
    county_code: str | None
    year: int
    quarter: int
    value: int
    stock: bool = False


def cells_from(payloads: Iterable[Mapping[str, Any]]) -> list["Cell"]:
    return [
        Cell(
            metric=str(c["metric"]),
            county_code=c.get("county_code"),
            year=int(c["year"]),
            quarter=int(c["quarter"]),
            value=int(c["value"]),
            stock=bool(c.get("stock", False)),
        )
        for payload in payloads
        for c in payload.get("cells", [])
    ]


class Figures:
    """Sums of cells. A flow (count within a period) adds up over the period; a stock (a level at a
    quarter's end) takes the period's last quarter on record."""

    def __init__(self, cells: Iterable[Cell]) -> None:
        self.by_metric: dict[str, list[Cell]] = defaultdict(list)
        for cell in cells:
            self.by_metric[cell.metric].append(cell)

    def value(
        self,
        metrics: Sequence[str],
        *,
        county: str | None = None,
        until: Period | None = None,
        since: Period | None = None,
    ) -> int:
        """Sum of `metrics` in the periods since..until (inclusive; None: open), one county or all."""
        total = 0
        for metric in metrics:
            cells = [
                c
                for c in self.by_metric.get(metric, [])
                if (until is None or (c.year, c.quarter) <= until)
                and (since is None or (c.year, c.quarter) >= since)
            ]
            if cells and cells[0].stock:
                last = max((c.year, c.quarter) for c in cells)
                cells = [c for c in cells if (c.year, c.quarter) == last]
            total += sum(c.value for c in cells if county is None or c.county_code == county)
        return total

    def keyed(self, prefix: str) -> list[str]:
        """The keys after `prefix:` that occur (e.g. sources of funds_paid:<source>)."""
        return sorted({m.split(":", 1)[1] for m in self.by_metric if m.startswith(prefix + ":")})

    def counties(self) -> set[str]:
        return {c.county_code for cells in self.by_metric.values() for c in cells if c.county_code}


@dataclass(frozen=True)
class TargetRow:
    code: str
    name: str
    unit: str
    total: int
    by_year: Mapping[str, int]
    metrics: Sequence[str] = ()
    denominator_metrics: Sequence[str] = ()
    part_of: str | None = None
    note: str = ""

    @classmethod
    def from_config(cls, target: Mapping[str, Any]) -> "TargetRow":
        return cls(
            code=target["code"],
            name=target["name"],
            unit=target["unit"],
            total=int(target["total"]),
            by_year={str(k): int(v) for k, v in (target.get("by_year") or {}).items()},
            metrics=tuple(target.get("metrics") or ()),
            denominator_metrics=tuple(target.get("denominator_metrics") or ()),
            part_of=target.get("part_of"),
            note=target.get("note") or "",
        )


@dataclass(frozen=True)
class PeriodFigure:
    """One target row in one period: target, actual, gap (target − actual), percent done, trend."""

    period: str
    target: int | None
    actual: Fraction | int | None
    gap: Fraction | int | None
    percent: Fraction | None
    trend: Fraction | int | None


def _ratio(figures: Figures, row: TargetRow, **where: Any) -> Fraction | int | None:
    if not row.metrics:
        return None
    numerator = figures.value(row.metrics, **where)
    if not row.denominator_metrics:
        return numerator
    denominator = figures.value(row.denominator_metrics, **where)
    return Fraction(100 * numerator, denominator) if denominator else Fraction(0)


def _figure(period: str, target: int | None, actual: Any, previous: Any) -> PeriodFigure:
    known = actual is not None
    return PeriodFigure(
        period=period,
        target=target,
        actual=actual,
        gap=target - actual if known and target is not None else None,
        percent=Fraction(100 * actual, target) if known and target else None,
        trend=actual - previous if known and previous is not None else None,
    )


def year_figure(figures: Figures, row: TargetRow, year: int, county: str | None = None) -> PeriodFigure:
    """The row in one calendar year; trend: change against the year before."""
    actual = _ratio(figures, row, county=county, since=(year, 1), until=(year, 4))
    previous = _ratio(figures, row, county=county, since=(year - 1, 1), until=(year - 1, 4))
    return _figure(str(year), row.by_year.get(str(year)), actual, previous)


def total_figure(figures: Figures, row: TargetRow, year: int, county: str | None = None) -> PeriodFigure:
    """The row over the whole programme up to the end of `year`; trend: what `year` added."""
    actual = _ratio(figures, row, county=county, until=(year, 4))
    previous = _ratio(figures, row, county=county, until=(year - 1, 4))
    return _figure("total", row.total, actual, previous)


@dataclass(frozen=True)
class RowPerformance:
    row: TargetRow
    year: PeriodFigure
    total: PeriodFigure
    years: list[PeriodFigure]


def compose(
    rows: Sequence[TargetRow], figures: Figures, year: int, years: Sequence[int], county: str | None = None
) -> list[RowPerformance]:
    return [
        RowPerformance(
            row=row,
            year=year_figure(figures, row, year, county),
            total=total_figure(figures, row, year, county),
            years=[year_figure(figures, row, y, county) for y in years],
        )
        for row in rows
    ]


def programme_years(rows: Sequence[TargetRow], start: int, end: int) -> list[int]:
    years = {int(y) for row in rows for y in row.by_year}
    return sorted(years | set(range(start, end + 1)))


@dataclass(frozen=True)
class LevelCount:
    level: int
    before: int
    after: int


def level_distribution(figures: Figures, year: int, county: str | None = None) -> list[LevelCount]:
    """Accepted enterprises by diagnosed level (0: never diagnosed) and certified level, to `year`'s end."""
    return [
        LevelCount(
            level=level,
            before=figures.value([f"level_before:{level}"], county=county, until=(year, 4)),
            after=figures.value([f"level_after:{level}"], county=county, until=(year, 4)),
        )
        for level in range(5)
    ]


@dataclass(frozen=True)
class SourceFunds:
    source_id: str
    name: str
    allocated_fen: int
    paid_fen: int


def funds_by_source(
    figures: Figures, labels: Mapping[str, str], year: int, county: str | None = None
) -> list[SourceFunds]:
    sources = sorted(set(figures.keyed("funds_allocated")) | set(figures.keyed("funds_paid")))
    return [
        SourceFunds(
            source_id=source,
            name=labels.get(f"source:{source}", source),
            allocated_fen=figures.value([f"funds_allocated:{source}"], county=county, until=(year, 4)),
            paid_fen=figures.value([f"funds_paid:{source}"], county=county, until=(year, 4)),
        )
        for source in sources
    ]


@dataclass(frozen=True)
class Criterion:
    code: str
    name: str
    metrics: Sequence[str]
    weight: int


@dataclass(frozen=True)
class RankingRow:
    county_code: str
    rank: int
    score: Fraction
    values: dict[str, int]
    previous_rank: int | None = None
    top: bool = False


@dataclass(frozen=True)
class Ranking:
    name: str
    year: int
    quarter: int
    criteria: list[Criterion]
    rows: list[RankingRow] = field(default_factory=list)
    top: int = 3


def criteria_from(config: Mapping[str, Any]) -> list[Criterion]:
    return [
        Criterion(code=c["code"], name=c["name"], metrics=tuple(c["metrics"]), weight=int(c["weight"]))
        for c in config["criteria"]
    ]


def rank_counties(
    criteria: Sequence[Criterion], values: Mapping[str, Mapping[str, int]], top: int
) -> list[RankingRow]:
    """Score = Σ weight × value ÷ best county's value (0 when nobody has any); higher first, equal
    scores share a rank (1, 1, 3), ties listed by county code; ranks ≤ `top` are the top counties."""
    best = {c.code: max((v.get(c.code, 0) for v in values.values()), default=0) for c in criteria}
    scores = {
        county: sum(
            (Fraction(c.weight * v.get(c.code, 0), best[c.code]) for c in criteria if best[c.code]),
            Fraction(0),
        )
        for county, v in values.items()
    }
    ordered = sorted(scores, key=lambda county: (-scores[county], county))
    rows: list[RankingRow] = []
    for position, county in enumerate(ordered, start=1):
        rank = rows[-1].rank if rows and rows[-1].score == scores[county] else position
        rows.append(
            RankingRow(
                county_code=county,
                rank=rank,
                score=scores[county],
                values=dict(values[county]),
                top=rank <= top,
            )
        )
    return rows


def previous_quarter(year: int, quarter: int) -> Period:
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def period_values(
    figures: Figures, criteria: Sequence[Criterion], counties: Iterable[str], since: Period, until: Period
) -> dict[str, dict[str, int]]:
    return {
        county: {c.code: figures.value(c.metrics, county=county, since=since, until=until) for c in criteria}
        for county in counties
    }


def ranking_span(yearly: bool, year: int, quarter: int) -> tuple[Period, Period]:
    return ((year, 1), (year, 4)) if yearly else ((year, quarter), (year, quarter))


def county_ranking(
    config: Mapping[str, Any], figures: Figures, counties: Sequence[str], year: int, quarter: int
) -> Ranking:
    """The ranking of one quarter (or one year, for a yearly ranking), with each county's rank in the
    period before."""
    criteria = criteria_from(config)
    top = int(config.get("top", 3))
    yearly = config.get("period") == "year"
    earlier = (year - 1, quarter) if yearly else previous_quarter(year, quarter)
    now = period_values(figures, criteria, counties, *ranking_span(yearly, year, quarter))
    before = period_values(figures, criteria, counties, *ranking_span(yearly, *earlier))
    previous = {r.county_code: r.rank for r in rank_counties(criteria, before, top)}
    rows = [
        RankingRow(r.county_code, r.rank, r.score, r.values, previous.get(r.county_code), r.top)
        for r in rank_counties(criteria, now, top)
    ]
    return Ranking(name=config["name"], year=year, quarter=quarter, criteria=criteria, rows=rows, top=top)
