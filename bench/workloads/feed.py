"""4. The national change feed (`GET /national/v1/changes` at the gateway, merging each service's
`GET /national/changes`), read to the end, next to a raw asyncpg scan of the same enterprise rows.
Memory: the peak resident set of the gateway and enrollment, fresh processes, after reading half the feed
and after reading all of it (flat = the second is not larger in proportion)."""

import asyncio
from collections.abc import Callable
from typing import Any

import httpx

from bench.harness import BenchPlatform, Figure, Result, Stopwatch, cpu_seconds, memory_kb
from bench.sizes import Sizes
from bench.workloads.events import settle
from szcore.auth import Role

# The largest page the API allows: what a client pulling the whole feed uses (memory stays bounded by it).
PAGE = 5000
PROCESSES = ("gateway", "enrollment")
NEXT_KEYS = ("next_cursor", "nextCursor", "cursor", "next_after", "after", "end_cursor", "endCursor")


async def read_feed(
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    stop_after: int,
    on_half: Callable[[int], None],
) -> int:
    """Items read following the cursor until has_more is false (or `stop_after` items); calls `on_half`
    once, when half of them have been read."""
    after: Any = None
    items = 0
    halfway = False
    while True:
        params: dict[str, Any] = {"limit": PAGE, "types": "enterprise"}
        if after is not None:
            params["after"] = after
        response = await client.get(url, params=params, headers=headers)
        response.raise_for_status()
        body = response.json()
        items += len(body["items"])
        if not halfway and items >= stop_after // 2:
            halfway = True
            on_half(items)
        after = next((body[k] for k in NEXT_KEYS if body.get(k) is not None), None)
        more = body.get("has_more", body.get("hasMore", False))
        if not more or not body["items"] or after is None or items >= stop_after:
            return items


async def available(client: httpx.AsyncClient, bench: BenchPlatform, headers: dict[str, str]) -> str | None:
    """The feed URL to read: the gateway's, else (noted) enrollment's own part, else None."""
    for url in (f"{bench.url('gateway')}/national/v1/changes", f"{bench.url('enrollment')}/national/changes"):
        response = await client.get(url, params={"limit": 1}, headers=headers)
        if response.status_code != 404:
            return url
    return None


async def raw_scan(bench: BenchPlatform) -> tuple[int, float]:
    connection = await bench.connect("enrollment")
    try:
        watch = Stopwatch()
        rows = 0
        async with connection.transaction():
            async for _ in connection.cursor("SELECT * FROM enterprise ORDER BY uscc", prefetch=PAGE):
                rows += 1
        return rows, watch.seconds
    finally:
        await connection.close()


async def run(bench: BenchPlatform, sizes: Sizes, result: Result) -> None:
    headers = bench.tokens.headers(Role.national_platform)
    async with httpx.AsyncClient(timeout=60) as client:
        url = await available(client, bench, headers)
    if url is None:
        result.available = False
        result.notes.append(
            "not available: neither GET /national/v1/changes (gateway) nor GET /national/changes"
        )
        return
    if "/national/v1/" not in url:
        result.notes.append("the gateway's /national/v1/changes is not there: measured enrollment's own part")
    await settle(bench)
    await asyncio.sleep(2)  # the change sequencer numbers committed changes in the background
    rows, raw_seconds = await raw_scan(bench)
    wanted = min(sizes.feed_enterprises, rows)
    if wanted == 0:
        result.notes.append("no enterprises to read: run the push workload first (--only push feed)")
        return
    if sizes.fresh_processes:
        await bench.restart("gateway", "enrollment")
    half: dict[str, Any] = {}

    def sample(items: int) -> None:
        half.update(items=items, **{p: memory_kb(bench.pid(p), "VmHWM") / 1024 for p in PROCESSES})

    async with httpx.AsyncClient(timeout=300) as client:
        cpu_before = {p: cpu_seconds(bench.pid(p)) for p in PROCESSES}
        watch = Stopwatch()
        items = await read_feed(client, url, headers, max(wanted, 2), sample)
        seconds = watch.seconds
        cpu_us = {p: (cpu_seconds(bench.pid(p)) - cpu_before[p]) * 1e6 / max(items, 1) for p in PROCESSES}
    peaks = {p: memory_kb(bench.pid(p), "VmHWM") / 1024 for p in PROCESSES}
    result.params = {
        "url": url.split("/", 3)[-1],
        "enterprises_in_table": rows,
        "items_read": items,
        "page": PAGE,
    }
    if items < wanted:
        result.notes.append(f"the feed held {items} enterprise changes for {rows} enterprises")
    rate, raw_rate = items / seconds, rows / raw_seconds
    result.add(
        Figure(
            "records/s",
            round(rate),
            "rec/s",
            baseline=round(raw_rate),
            baseline_name="asyncpg scan rec/s",
            target="≥10,000/s",
            met=rate >= 10_000,
        ),
        *(
            Figure(
                f"{process} peak RSS, {items} items",
                round(peaks[process], 1),
                "MB",
                baseline=round(half[process], 1),
                baseline_name=f"after {half['items']} items",
                target="flat in dataset size",
                met=peaks[process] <= half[process] * 1.25 + 10,
            )
            for process in PROCESSES
        ),
        *(
            # Wall time on a shared machine is noisy; CPU per record is what the code costs.
            Figure(
                f"{process} CPU per record",
                round(cpu_us[process], 1),
                "µs",
                baseline=round(seconds * 1e6 / max(items, 1), 1),
                baseline_name="wall µs per record",
            )
            for process in PROCESSES
        ),
    )
