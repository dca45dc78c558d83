"""Target table progress (目标表完成情况) as a pure function of admitted enterprises and honours."""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.enrollment.programme.schemas import Target


@dataclass(frozen=True)
class Admitted:
    year: int
    size_class: str
    srdi_status: str
    cloud_adopted: bool


@dataclass(frozen=True)
class Honour:
    year: int
    kind: str


ADMISSION_METRICS = {
    "admitted": lambda a: True,
    "admitted_above_scale": lambda a: a.size_class == "above_scale",
    "admitted_below_scale": lambda a: a.size_class == "below_scale",
    "admitted_little_giant": lambda a: a.srdi_status == "little_giant",
    "admitted_srdi": lambda a: a.srdi_status in ("provincial_srdi", "little_giant"),
    "admitted_cloud": lambda a: a.cloud_adopted,
}


def count_by_year(metric: str, admitted: Iterable[Admitted], honours: Iterable[Honour]) -> Counter[int]:
    if metric.startswith("designation:"):
        kind = metric.removeprefix("designation:")
        return Counter(h.year for h in honours if h.kind == kind)
    test = ADMISSION_METRICS[metric]
    return Counter(a.year for a in admitted if test(a))


@dataclass(frozen=True)
class TargetProgress:
    code: str
    name: str
    unit: str
    total: int
    by_year: dict[str, int]
    actual: int | None  # None: the platform does not count this row
    actual_by_year: dict[str, int]


def progress(
    targets: Sequence[Target], admitted: Sequence[Admitted], honours: Sequence[Honour]
) -> list[TargetProgress]:
    rows = []
    for target in targets:
        # Metrics other services count (transformed, solutions, ...) are composed by the gateway's
        # programme performance; this table shows what enrollment itself counts.
        local = [m for m in target.metrics if m in ADMISSION_METRICS or m.startswith("designation:")]
        counts: Counter[int] = Counter()
        for metric in local:
            counts += count_by_year(metric, admitted, honours)
        rows.append(
            TargetProgress(
                code=target.code,
                name=target.name,
                unit=target.unit,
                total=target.total,
                by_year=dict(target.by_year),
                actual=sum(counts.values()) if local and not target.denominator_metrics else None,
                actual_by_year={str(year): n for year, n in sorted(counts.items())},
            )
        )
    return rows
