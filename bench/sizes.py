"""How big each workload is: `--smoke` (CI), `--size small` (default) or `--size full` (the issue's sizes)."""

from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class Sizes:
    push_records: int
    page_sizes: tuple[int, ...]
    page_requests: int
    events: int
    events_rate: int
    feed_enterprises: int
    simulation_enterprises: int
    claims: int
    dossier_sizes: tuple[int, ...]
    dossier_requests: int
    # How cost grows (workload `scale`): enterprises added at each step, requests per figure, feed pages
    # read at each size, and the largest size whose change feed is also read to the end.
    scale_sizes: tuple[int, ...] = (1_000, 10_000)
    scale_requests: int = 10
    scale_feed_pages: int = 10
    scale_full_read_max: int = 10_000
    # Restart a process before a memory figure so that its peak is this workload's (off in CI, for time).
    fresh_processes: bool = True


PRESETS = {
    "smoke": Sizes(
        push_records=300,
        page_sizes=(10, 50),
        page_requests=5,
        events=60,
        events_rate=500,
        feed_enterprises=300,
        simulation_enterprises=500,
        claims=4,
        dossier_sizes=(1000,),
        dossier_requests=5,
        scale_sizes=(300,),
        scale_requests=2,
        scale_feed_pages=2,
        scale_full_read_max=1_000,
        fresh_processes=False,
    ),
    "small": Sizes(
        push_records=10_000,
        page_sizes=(10, 50),
        page_requests=30,
        events=5_000,
        events_rate=1_100,
        feed_enterprises=10_000,
        simulation_enterprises=10_000,
        claims=200,
        dossier_sizes=(1_000, 10_000, 100_000),
        dossier_requests=20,
    ),
    "full": Sizes(
        push_records=100_000,
        page_sizes=(10, 50),
        page_requests=100,
        events=20_000,
        events_rate=1_100,
        feed_enterprises=100_000,
        simulation_enterprises=10_000,
        claims=1_000,
        dossier_sizes=(1_000, 10_000, 100_000, 1_000_000),
        dossier_requests=50,
        scale_sizes=(1_000, 10_000, 100_000, 1_000_000),
        scale_requests=20,
    ),
}


def override(sizes: Sizes, **values: Any) -> Sizes:
    known = {f.name for f in fields(Sizes)}
    return replace(sizes, **{k: v for k, v in values.items() if k in known and v is not None})
