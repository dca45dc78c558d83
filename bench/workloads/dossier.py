"""7. Dossier scale: the filtered list page (county + industry prefix + status + text) through enrollment's
list endpoint at growing table sizes, next to the same two statements (page and count) sent with asyncpg.
The rows are COPYed straight into enrollment's `enterprise` table (setup, not measured)."""

from typing import Any

import httpx

from bench.data import COPY_COLUMNS, COUNTIES, RARE, dossier_rows
from bench.harness import BenchPlatform, Figure, Result, Stopwatch, percentile
from bench.sizes import Sizes
from szcore.auth import Role

INDUSTRY, STATUS = "C34", "admitted"
COPY_CHUNK = 50_000
WHERE = (
    "county_code = $1 AND admission_status = $2 AND industry_code LIKE $3 AND (name LIKE $4 OR uscc LIKE $5)"
)
PAGE_SQL = f"SELECT * FROM enterprise WHERE {WHERE} ORDER BY uscc LIMIT 51"
COUNT_SQL = f"SELECT count(*) FROM enterprise WHERE {WHERE}"
TEXT_PAGE_SQL = "SELECT * FROM enterprise WHERE name LIKE $1 OR uscc LIKE $2 ORDER BY uscc LIMIT 51"
TEXT_COUNT_SQL = "SELECT count(*) FROM enterprise WHERE name LIKE $1 OR uscc LIKE $2"


async def grow(bench: BenchPlatform, target: int) -> tuple[int, float]:
    """Tops `enterprise` up to `target` rows; (rows now, seconds spent loading)."""
    connection = await bench.connect("enrollment")
    try:
        total = await connection.fetchval("SELECT count(*) FROM enterprise")
        loaded = await connection.fetchval("SELECT count(*) FROM enterprise WHERE registered_by = 'bench'")
        watch = Stopwatch()
        missing = target - total
        while missing > 0:
            part = min(missing, COPY_CHUNK)
            await connection.copy_records_to_table(
                "enterprise", records=dossier_rows(loaded, part), columns=COPY_COLUMNS
            )
            loaded += part
            missing -= part
        await connection.execute("ANALYZE enterprise")
        return max(total, target), watch.seconds
    finally:
        await connection.close()


async def city_wide_text(bench: BenchPlatform, requests: int) -> tuple[list[float], list[float]]:
    """`q=` alone (no county): no index serves `LIKE '%text%'`, so this one grows with the table."""
    headers = bench.tokens.headers(Role.city_admin)
    service_ms, sql_ms = [], []
    connection = await bench.connect("enrollment")
    try:
        async with httpx.AsyncClient(base_url=bench.url("enrollment"), timeout=120) as client:
            for n in range(requests + 1):
                watch = Stopwatch()
                response = await client.get("/enterprises", params={"q": RARE, "limit": 50}, headers=headers)
                elapsed = watch.seconds * 1000
                response.raise_for_status()
                watch = Stopwatch()
                pattern = f"%{RARE}%"
                await connection.fetch(TEXT_PAGE_SQL, pattern, pattern)
                await connection.fetchval(TEXT_COUNT_SQL, pattern, pattern)
                if n:
                    service_ms.append(elapsed)
                    sql_ms.append(watch.seconds * 1000)
    finally:
        await connection.close()
    return service_ms, sql_ms


async def measure(bench: BenchPlatform, requests: int) -> tuple[list[float], list[float], int, str]:
    headers = bench.tokens.headers(Role.city_admin)
    counties = COUNTIES[:10]
    service_ms, sql_ms = [], []
    total = 0
    connection = await bench.connect("enrollment")
    try:
        args = lambda county: (county, STATUS, f"{INDUSTRY}%", f"%{RARE}%", f"%{RARE}%")  # noqa: E731
        plan = await connection.fetch(f"EXPLAIN {PAGE_SQL}", *args(counties[0]))
        async with httpx.AsyncClient(base_url=bench.url("enrollment"), timeout=60) as client:
            for n in range(requests + 1):
                county = counties[n % len(counties)]
                params: dict[str, Any] = {
                    "county_code": county,
                    "industry_code": INDUSTRY,
                    "status": STATUS,
                    "q": RARE,
                    "limit": 50,
                }
                watch = Stopwatch()
                response = await client.get("/enterprises", params=params, headers=headers)
                elapsed = watch.seconds * 1000
                response.raise_for_status()
                total += response.json()["total"]
                watch = Stopwatch()
                await connection.fetch(PAGE_SQL, *args(county))
                await connection.fetchval(COUNT_SQL, *args(county))
                raw = watch.seconds * 1000
                if n:  # the first round warms caches and prepared statements
                    service_ms.append(elapsed)
                    sql_ms.append(raw)
    finally:
        await connection.close()
    return service_ms, sql_ms, total, " / ".join(r[0].strip().split("  (cost")[0] for r in plan)


async def run(bench: BenchPlatform, sizes: Sizes, result: Result) -> None:
    result.params = {
        "filter": {"county": "one of 100", "industry_code": INDUSTRY, "status": STATUS, "q": RARE},
        "requests": sizes.dossier_requests,
        "sizes": list(sizes.dossier_sizes),
        "load_seconds": {},
        "plans": {},
    }
    largest = max(sizes.dossier_sizes)
    measured = 0
    for target in sorted(sizes.dossier_sizes):
        rows, load_seconds = await grow(bench, target)
        if rows == measured:
            continue  # the earlier workloads' dossiers already outnumber this size
        measured = rows
        service_ms, sql_ms, matches, plan = await measure(bench, sizes.dossier_requests)
        result.params["load_seconds"][str(rows)] = round(load_seconds, 1)
        result.params["plans"][str(rows)] = plan
        p50 = percentile(service_ms, 50)
        result.add(
            Figure(
                f"list p50 @ {rows:,} enterprises",
                round(p50, 1),
                "ms",
                baseline=round(percentile(sql_ms, 50), 1),
                baseline_name="same SQL via asyncpg p50 ms",
                target="≤50 ms" if target == largest else "",
                met=p50 <= 50 if target == largest else None,
            ),
            Figure(
                f"list p99 @ {rows:,} enterprises",
                round(percentile(service_ms, 99), 1),
                "ms",
                baseline=round(percentile(sql_ms, 99), 1),
                baseline_name="SQL p99 ms",
            ),
        )
        text_ms, text_sql_ms = await city_wide_text(bench, max(3, sizes.dossier_requests // 4))
        result.add(
            Figure(
                f"city-wide text p50 @ {rows:,} enterprises",
                round(percentile(text_ms, 50), 1),
                "ms",
                baseline=round(percentile(text_sql_ms, 50), 1),
                baseline_name="same SQL p50 ms",
            )
        )
        result.params.setdefault("matches_per_request", {})[str(rows)] = round(
            matches / (sizes.dossier_requests + 1), 1
        )
