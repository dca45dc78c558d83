"""1. County push over HTTP to enrollment's bulk endpoint, next to a raw asyncpg COPY of the same rows."""

import asyncio
import json
import uuid
from datetime import UTC, datetime

import httpx

from bench.data import COPY_COLUMNS, copy_row, push_records
from bench.harness import BenchPlatform, Figure, Result, Stopwatch, cpu_seconds, memory_kb
from bench.sizes import Sizes
from services.enrollment.enterprise.uscc import uscc_error
from szcore.auth import Role

COUNTY = "410702"


async def copy_baseline(bench: BenchPlatform, records: list[dict[str, object]]) -> float:
    """Seconds to COPY the rows into a table shaped like `enterprise` (same columns and indexes)."""
    connection = await bench.connect("enrollment")
    try:
        await connection.execute("CREATE TABLE bench_copy (LIKE enterprise INCLUDING ALL)")
        now = datetime.now(UTC)
        watch = Stopwatch()
        rows = [copy_row(r, now) for r in records]
        await connection.copy_records_to_table("bench_copy", records=rows, columns=COPY_COLUMNS)
        seconds = watch.seconds
        await connection.execute("DROP TABLE bench_copy")
        return seconds
    finally:
        await connection.close()


async def numbered(bench: BenchPlatform, timeout: float = 600) -> float:
    """Seconds until the change sequencer has numbered every change the push recorded: only then does
    the national change feed show them."""
    watch = Stopwatch()
    connection = await bench.connect("enrollment")
    try:
        while await connection.fetchval("SELECT count(*) FROM change_log WHERE seq IS NULL"):
            if watch.seconds > timeout:
                raise TimeoutError(f"changes not numbered after {timeout}s")
            await asyncio.sleep(0.1)
        return watch.seconds
    finally:
        await connection.close()


async def run(bench: BenchPlatform, sizes: Sizes, result: Result) -> None:
    count = sizes.push_records
    records = push_records(COUNTY, count, invalid_share=0.01)
    body = json.dumps(records, ensure_ascii=False).encode()
    result.params = {"records": count, "invalid_share": 0.01, "body_mb": round(len(body) / 2**20, 1)}

    copy_seconds = await copy_baseline(bench, records)
    if sizes.fresh_processes:
        await bench.restart("enrollment")
    pid = bench.pid("enrollment")
    idle_kb = memory_kb(pid, "VmRSS")
    headers = bench.tokens.headers(Role.county_system, county=COUNTY) | {"content-type": "application/json"}
    cpu_before = cpu_seconds(pid)
    async with httpx.AsyncClient(timeout=900) as client:
        watch = Stopwatch()
        response = await client.post(
            f"{bench.url('enrollment')}/enterprises/bulk",
            params={"request_id": f"bench-{uuid.uuid4().hex[:8]}"},
            content=body,
            headers=headers,
        )
        seconds = watch.seconds
    response.raise_for_status()
    report = response.json()
    peak_mb = memory_kb(pid, "VmHWM") / 1024
    cpu = cpu_seconds(pid) - cpu_before
    numbered_seconds = watch.seconds - seconds + await numbered(bench)
    rate, copy_rate = count / seconds, count / copy_seconds
    result.params |= {"created": report["created"], "rejected": report["rejected"]}
    result.add(
        Figure(
            "records/s",
            round(rate),
            "rec/s",
            baseline=round(copy_rate),
            baseline_name="asyncpg COPY rec/s",
            target="≥5,000/s and ≥25% of COPY",
            met=rate >= 5000 and rate / copy_rate >= 0.25,
        ),
        Figure(
            "push seconds", round(seconds, 2), "s", baseline=round(copy_seconds, 3), baseline_name="COPY s"
        ),
        Figure(
            "in the change feed after the push",
            round(numbered_seconds, 2),
            "s",
            baseline=round(seconds, 2),
            baseline_name="push seconds",
        ),
        # CPU time is what the service itself spends: far less moved by a busy machine than wall time.
        Figure(
            "enrollment CPU per record",
            round(cpu / count * 1e6),
            "µs",
            baseline=round(seconds / count * 1e6),
            baseline_name="wall µs per record",
        ),
        Figure(
            "peak RSS (VmHWM)",
            round(peak_mb, 1),
            "MB",
            baseline=round(idle_kb / 1024, 1),
            baseline_name="idle RSS MB",
            target="<400 MB",
            met=peak_mb < 400,
        ),
    )
    invalid = sum(1 for r in records if uscc_error(str(r["uscc"])))
    if report["rejected"] != invalid:
        result.notes.append(f"rejected {report['rejected']} records, generated {invalid} invalid ones")
