"""`python -m bench`: start the platform on PostgreSQL and NATS, run the workloads, print a table and write
JSON to bench/results/<timestamp>.json. Every figure sits next to a baseline measured in the same run."""

import argparse
import asyncio
import json
import os
import platform
import sys
import traceback
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from bench.harness import BenchPlatform, Result, Stopwatch
from bench.sizes import PRESETS, Sizes, override
from bench.workloads import claims, dossier, events, feed, graphql, push, scale, simulation

Workload = Callable[[BenchPlatform, Sizes, Result], Awaitable[None]]
# In this order: the push runs on a fresh enrollment process (its peak memory is the push's) and fills
# the dossiers the page and the feed read; the dossier-scale load comes last because it bloats the table.
WORKLOADS: dict[str, tuple[str, Workload]] = {
    "push": ("County push over HTTP (1% invalid)", push.run),
    "graphql": ("GraphQL page: enterprises with assessments, engagements, claims, payments", graphql.run),
    "events": ("Events: enrollment commit → read copies in three services", events.run),
    "feed": ("National change feed", feed.run),
    "simulation": ("Subsidy simulation of a seed policy", simulation.run),
    "claims": ("Concurrent claim approvals on one source, two funding replicas", claims.run),
    # Before the dossier load, which leaves enterprises without read copies (`events.settle` waits for them);
    # it deletes what it loaded, so the dossier sizes are as before.
    "scale": ("How cost grows with the number of enterprises: list, KPI report, change feed", scale.run),
    "dossier": ("Dossier scale: filtered list page", dossier.run),
}
RESULTS = Path(__file__).parent / "results"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes (CI): checks the benchmarks still run"
    )
    parser.add_argument("--size", choices=("small", "full"), default="small", help="full = the issue's sizes")
    parser.add_argument("--only", nargs="+", choices=list(WORKLOADS), help="run these workloads only")
    parser.add_argument("--output", type=Path, help="JSON file (default bench/results/<timestamp>.json)")
    parser.add_argument("--push-records", type=int)
    parser.add_argument("--page-requests", type=int)
    parser.add_argument("--events", type=int)
    parser.add_argument("--events-rate", type=int, help="events/s offered")
    parser.add_argument("--feed-enterprises", type=int)
    parser.add_argument("--simulation-enterprises", type=int)
    parser.add_argument("--claims", type=int)
    parser.add_argument("--dossier-sizes", type=int, nargs="+")
    parser.add_argument("--dossier-requests", type=int)
    parser.add_argument("--scale-sizes", type=int, nargs="+", help="enterprises for the scale workload")
    parser.add_argument("--scale-requests", type=int)
    return parser.parse_args(argv)


def table(results: list[Result]) -> str:
    def fmt(value: object) -> str:
        if value is None:
            return "-"
        if isinstance(value, float):
            return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)

    rows = [("workload", "figure", "value", "baseline", "ratio", "target", "met")]
    for result in results:
        if not result.available or result.error:
            rows.append(
                (result.workload, "-", "not available" if not result.available else "error", "", "", "", "")
            )
            continue
        for f in result.figures:
            baseline = f"{fmt(f.baseline)} ({f.baseline_name})" if f.baseline is not None else "-"
            met = "" if f.met is None else ("yes" if f.met else "NO")
            rows.append(
                (
                    result.workload,
                    f.name,
                    f"{fmt(f.value)} {f.unit}".strip(),
                    baseline,
                    fmt(f.ratio),
                    f.target,
                    met,
                )
            )
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows)


async def main(args: argparse.Namespace) -> int:
    preset = "smoke" if args.smoke else args.size
    sizes = override(
        PRESETS[preset],
        push_records=args.push_records,
        page_requests=args.page_requests,
        events=args.events,
        events_rate=args.events_rate,
        feed_enterprises=args.feed_enterprises,
        simulation_enterprises=args.simulation_enterprises,
        claims=args.claims,
        dossier_sizes=tuple(args.dossier_sizes) if args.dossier_sizes else None,
        dossier_requests=args.dossier_requests,
        scale_sizes=tuple(args.scale_sizes) if args.scale_sizes else None,
        scale_requests=args.scale_requests,
    )
    chosen = args.only or list(WORKLOADS)
    bench = BenchPlatform()
    results: list[Result] = []
    started = datetime.now(UTC)
    print(f"starting the platform (PostgreSQL databases sz_bench_{bench.run_id}_*, own NATS)...", flush=True)
    timings: dict[str, float] = {}
    try:
        watch = Stopwatch()
        await bench.start()
        timings["platform_start"] = round(watch.seconds, 1)
        for name, (title, run) in WORKLOADS.items():
            if name not in chosen:
                continue
            print(f"running {name}...", flush=True)
            result = Result(workload=name, title=title)
            watch = Stopwatch()
            try:
                # The previous workload's events are still being applied: let them finish first.
                await events.settle(bench)
                watch = Stopwatch()
                await run(bench, sizes, result)
            except Exception as exc:
                result.error = f"{type(exc).__name__}: {exc}"
                traceback.print_exc()
                print(bench.logs_tail(1500), file=sys.stderr)
            result.seconds = watch.seconds
            results.append(result)
    finally:
        watch = Stopwatch()
        await bench.close()
        timings["platform_stop"] = round(watch.seconds, 1)
    document = {
        "started_at": started.isoformat(),
        "preset": preset,
        "sizes": {k: list(v) if isinstance(v, tuple) else v for k, v in sizes.__dict__.items()},
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "timings": timings,
        "results": [r.as_dict() for r in results],
    }
    output = args.output or RESULTS / f"{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(document, ensure_ascii=False, indent=2))
    print()
    print(table(results))
    for result in results:
        for note in result.notes:
            print(f"note ({result.workload}): {note}")
        if result.error:
            print(f"error ({result.workload}): {result.error}")
    print(f"\nresults: {output}")
    return 1 if any(r.error for r in results) else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
