"""8. How cost grows with the number of enterprises: at each size, the list query (the dossier workload's
filtered page), the KPI report (the gateway's `GET /national/v1/performance`, each service's
`GET /stats/performance`, and the same service code run in this process so that its SQL is timed alone)
and the change feed (one page, the first pages, a page at the tail, a full read at the small sizes).

Setup, not measured: the enterprises and only what the KPI SQL reads are COPYed straight into each
service's tables (applications and designations in enrollment; read copies and diagnosis/acceptance
assessments in assessment; ledger entries in funding; engagements and projects in matching), and the
enterprises' `change_log` rows are written already numbered, as the sequencer leaves them, under its
lock. Everything loaded here carries `registered_by = 'bench-scale'` (or a `scale-` id) and is deleted
at the end, so that the workloads after this one see the tables as before."""

import json
import time
import zlib
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from bench.data import COPY_COLUMNS, dossier_rows
from bench.harness import BenchPlatform, Figure, Result, Stopwatch, cpu_seconds, percentile
from bench.sizes import Sizes
from bench.workloads import dossier
from services.assessment.performance import service as assessment_stats
from services.enrollment.designation.models import DesignationKind
from services.enrollment.performance import service as enrollment_stats
from services.funding.performance import service as funding_stats
from services.matching.performance import service as matching_stats
from szcore.auth import Principal, Role
from szcore.settings import SERVICES

BASE = 700_000_000  # USCC serials apart from the dossier workload's
MARK = "bench-scale"
PROGRAMME, PRESET = "xinxiang-2024", "xinxiang"
PERIOD_START, PERIOD_DAYS = datetime(2024, 10, 15, tzinfo=UTC), 700
COPY_CHUNK = 50_000
PAGE = 1000
SOURCES = ("scale-src-1", "scale-src-2", "scale-src-3")
KINDS = list(DesignationKind)
CASE_KINDS = {DesignationKind.chain_leader, DesignationKind.chain_member, DesignationKind.cluster_member}
APPLIED = {"in_review", "approved", "admitted", "rejected", "withdrawn"}
STATS = {
    "enrollment": enrollment_stats.performance,
    "assessment": assessment_stats.performance,
    "funding": funding_stats.performance,
    "matching": matching_stats.performance,
}
FEED_SQL = (
    "SELECT e.* FROM change_log c JOIN enterprise e ON e.uscc = c.entity_id"
    " WHERE c.seq > $1 AND c.entity_type = 'enterprise' ORDER BY c.seq LIMIT $2"
)
EMPTY = "[]"

# Rows of the other services, as (table, columns) and a function of one enterprise row.
APPLICATION = (
    "id",
    "uscc",
    "programme_id",
    "batch_id",
    "county_code",
    "status",
    "step_index",
    "declarations",
    "submitted_by",
    "submitted_by_county",
    "submitted_at",
    "updated_at",
    "admitted_at",
)
DESIGNATION = (
    "id",
    "uscc",
    "kind",
    "case_id",
    "awarded_on",
    "level",
    "source",
    "evidence",
    "recorded_by",
    "recorded_at",
)
COPY = ("uscc", "name", "county_code", "industry_code", "size_class", "registered_at", "copied_at")
ASSESSMENT = (
    "id",
    "uscc",
    "county_code",
    "kind",
    "status",
    "index_code",
    "revision",
    "created_by",
    "assessor_role",
    "assessor_id",
    "answers",
    "scenario_levels",
    "evidence",
    "pain_points",
    "needed_scenarios",
    "report",
    "level",
    "created_at",
    "updated_at",
    "submitted_at",
    "signed_off_at",
)
LEDGER = (
    "seq",
    "entry_type",
    "source_id",
    "fiscal_year",
    "debit_account",
    "credit_account",
    "amount_fen",
    "uscc",
    "county_code",
    "memo",
    "occurred_at",
    "actor_subject",
    "prev_hash",
    "hash",
)
ENGAGEMENT = (
    "engagement_id",
    "uscc",
    "county_code",
    "provider_id",
    "kind",
    "solution_ids",
    "status",
    "created_by",
    "created_at",
)
PROJECT = (
    "project_id",
    "engagement_id",
    "uscc",
    "provider_id",
    "contract_id",
    "amount_fen",
    "lines",
    "signed_on",
    "starts_on",
    "ends_on",
    "attachments",
    "status",
    "progress_percent",
    "completed_at",
)


def dependents(k: int, row: tuple[Any, ...], ledger_seq: int) -> dict[str, list[tuple[Any, ...]]]:
    """What the KPI SQL reads for enterprise number k: an application for every enterprise past
    registration (admitted ones admitted in one of the programme's quarters), a designation for one
    admitted in ten, a diagnosis for every admitted one and a signed-off acceptance for half of them,
    an allocation and (half the time) a payment, and an engagement with a project for half."""
    uscc, name, county, industry, size_class = row[:5]
    now, status = row[7], row[16]
    out: dict[str, list[tuple[Any, ...]]] = {
        "copy": [(uscc, name, county, industry, size_class, now, now)],
        "application": [],
        "designation": [],
        "assessment": [],
        "ledger_entry": [],
        "engagement": [],
        "transformation_project": [],
    }
    if status not in APPLIED:
        return out
    at = PERIOD_START + timedelta(days=(k * 37) % PERIOD_DAYS, hours=k % 24)
    admitted = status == "admitted"
    out["application"].append(
        (
            f"scale-a-{k}",
            uscc,
            PROGRAMME,
            "bench-batch",
            county,
            status,
            0,
            "{}",
            MARK,
            False,
            at - timedelta(days=30),
            at,
            at if admitted else None,
        )
    )
    if not admitted:
        return out
    if k % 10 == 0:
        kind = KINDS[(k // 10) % len(KINDS)]
        case = f"case-{county}-{k % 7}" if kind in CASE_KINDS else ""
        awarded: date = at.date()
        out["designation"].append(
            (f"scale-g-{k}", uscc, kind.value, case, awarded, "city", MARK, "-", MARK, at)
        )
    diagnosis = (
        f"scale-d-{k}",
        uscc,
        county,
        "diagnosis",
        "submitted",
        "bench",
        1,
        MARK,
        "provider",
        MARK,
        "{}",
        "{}",
        EMPTY,
        EMPTY,
        EMPTY,
        "",
        1 + k % 3,
        at,
        at,
        at,
        None,
    )
    out["assessment"].append(diagnosis)
    amount = (k % 50 + 1) * 1_000_000
    source = SOURCES[k % len(SOURCES)]
    ledger = [("allocation", at), *([("payment", at + timedelta(days=20))] if k % 2 == 0 else [])]
    for n, (entry, when) in enumerate(ledger):
        out["ledger_entry"].append(
            (
                ledger_seq + 2 * k + n,
                entry,
                source,
                when.year,
                f"source:{source}",
                f"enterprise:{uscc}",
                amount,
                uscc,
                county,
                MARK,
                when,
                MARK,
                "0" * 64,
                "0" * 64,
            )
        )
    if k % 2 == 0:
        signed = at + timedelta(days=60)
        out["assessment"].append(
            (
                f"scale-c-{k}",
                *diagnosis[1:3],
                "acceptance",
                "signed_off",
                *diagnosis[5:16],
                *(2 + k % 3, signed, signed, signed, signed),
            )
        )
        done = k % 3 == 0
        out["engagement"].append(
            (f"scale-e-{k}", uscc, county, "scale-provider", "transformation", EMPTY, "open", MARK, at)
        )
        out["transformation_project"].append(
            (
                f"scale-p-{k}",
                f"scale-e-{k}",
                uscc,
                "scale-provider",
                f"scale-k-{k}",
                amount,
                EMPTY,
                at + timedelta(days=10),
                at + timedelta(days=10),
                at + timedelta(days=200),
                EMPTY,
                "completed" if done else "active",
                100 if done else 50,
                at + timedelta(days=150) if done else None,
            )
        )
    return out


TARGETS = {
    "application": ("enrollment", APPLICATION),
    "designation": ("enrollment", DESIGNATION),
    "assessment": ("assessment", ASSESSMENT),
    "ledger_entry": ("funding", LEDGER),
    "engagement": ("matching", ENGAGEMENT),
    "transformation_project": ("matching", PROJECT),
}


class Loader:
    """Adds enterprises numbered [loaded, target) with their dependents; connections stay open."""

    def __init__(self, bench: BenchPlatform) -> None:
        self.bench = bench
        self.loaded = 0
        self.connections: dict[str, Any] = {}
        self.ledger_seq = 0
        self.counts: dict[str, int] = {}

    async def open(self) -> None:
        self.connections = {s: await self.bench.connect(s) for s in SERVICES}
        funding = self.connections["funding"]
        self.ledger_seq = 1 + await funding.fetchval("SELECT coalesce(max(seq), 0) FROM ledger_entry") + 10**9
        now = datetime.now(UTC)
        for n, source in enumerate(SOURCES):
            await funding.execute(
                "INSERT INTO funding_source (source_id, level, name, policy_key, created_at)"
                " VALUES ($1, 'city', $2, 'bench-scale', $3) ON CONFLICT DO NOTHING",
                source,
                f"规模测试资金{n + 1}",
                now,
            )

    async def grow(self, target: int) -> float:
        watch = Stopwatch()
        while self.loaded < target:
            part = min(target - self.loaded, COPY_CHUNK)
            enterprises: list[tuple[Any, ...]] = []
            rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in (*TARGETS, "copy")}
            for k, row in enumerate(dossier_rows(self.loaded, part, base=BASE), start=self.loaded):
                row = (*row[:6], MARK, *row[7:])
                enterprises.append((*row, PROGRAMME if row[16] == "admitted" else None))
                for name, values in dependents(k, row, self.ledger_seq).items():
                    rows[name].extend(values)
            await self.connections["enrollment"].copy_records_to_table(
                "enterprise", records=enterprises, columns=(*COPY_COLUMNS, "programme_id")
            )
            for service in ("assessment", "funding", "matching"):
                await self.connections[service].copy_records_to_table(
                    "enterprise_copy", records=rows["copy"], columns=COPY
                )
            for table, (service, columns) in TARGETS.items():
                if rows[table]:
                    await self.connections[service].copy_records_to_table(
                        table, records=rows[table], columns=columns
                    )
                self.counts[table] = self.counts.get(table, 0) + len(rows[table])
            self.loaded += part
        await self.changes()
        for connection in self.connections.values():
            await connection.execute("ANALYZE")
        self.counts["enterprise"] = self.loaded
        return watch.seconds

    async def changes(self) -> None:
        """The enterprises' change_log rows as the sequencer leaves them: one numbered row per entity,
        numbered above the head under the sequencer's own lock."""
        connection = self.connections["enrollment"]
        async with connection.transaction():
            await connection.execute("SELECT pg_advisory_xact_lock($1)", zlib.crc32(b"changefeed:change_log"))
            await connection.execute(
                "INSERT INTO change_log (entity_type, entity_id, seq, recorded_at)"
                " SELECT 'enterprise', e.uscc,"
                " (SELECT coalesce(max(seq), 0) FROM change_log) + row_number() OVER (ORDER BY e.uscc), now()"
                " FROM enterprise e WHERE e.registered_by = $1 AND NOT EXISTS (SELECT 1 FROM change_log c"
                " WHERE c.entity_type = 'enterprise' AND c.entity_id = e.uscc AND c.seq IS NOT NULL)",
                MARK,
            )

    async def remove(self) -> float:
        watch = Stopwatch()
        statements = {
            "enrollment": [
                "DELETE FROM change_log c USING enterprise e WHERE c.entity_type = 'enterprise'"
                " AND c.entity_id = e.uscc AND e.registered_by = 'bench-scale'",
                "DELETE FROM application WHERE id LIKE 'scale-%'",
                "DELETE FROM designation WHERE id LIKE 'scale-%'",
                "DELETE FROM enterprise WHERE registered_by = 'bench-scale'",
            ],
            "assessment": ["DELETE FROM assessment WHERE id LIKE 'scale-%'"],
            "funding": [
                "DELETE FROM ledger_entry WHERE actor_subject = 'bench-scale'",
                "DELETE FROM funding_source WHERE policy_key = 'bench-scale'",
            ],
            "matching": [
                "DELETE FROM transformation_project WHERE project_id LIKE 'scale-%'",
                "DELETE FROM engagement WHERE engagement_id LIKE 'scale-%'",
            ],
        }
        for service, connection in self.connections.items():
            for statement in statements.get(service, []):
                await connection.execute(statement)
            if service != "enrollment":
                # The read copies of the enterprises just deleted (no other enterprise has these serials).
                await connection.execute(
                    "DELETE FROM enterprise_copy WHERE CASE WHEN substr(uscc, 9, 9) ~ '^[0-9]{9}$'"
                    " THEN substr(uscc, 9, 9)::bigint END BETWEEN $1 AND $2",
                    BASE,
                    BASE + max(self.loaded, 1) - 1,
                )
            await connection.execute("VACUUM ANALYZE")
            await connection.close()
        return watch.seconds


def process_cpu(bench: BenchPlatform, processes: Sequence[str]) -> float:
    return sum(cpu_seconds(bench.pid(p)) for p in processes)


class SqlTimer:
    """Times every statement a SQLAlchemy engine sends (cursor execute, i.e. the database and the driver)
    and keeps the last round's statements for EXPLAIN."""

    def __init__(self, engine: Any) -> None:
        self.seconds = 0.0
        self.statements: list[tuple[str, Any]] = []
        sync = engine.sync_engine

        @event.listens_for(sync, "before_cursor_execute")
        def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
            conn.info["scale_started"] = time.perf_counter()
            self.statements.append((statement, parameters))

        @event.listens_for(sync, "after_cursor_execute")
        def after(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
            self.seconds += time.perf_counter() - conn.info.pop("scale_started")

    def reset(self) -> None:
        self.seconds = 0.0
        self.statements = []


async def explain(connection: Any, statements: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    """EXPLAIN ANALYZE of each statement as the service sent it: execution ms and the plan's top nodes."""
    plans = []
    for statement, parameters in statements:
        sql = statement
        args = list(parameters or ())
        if "%s" in sql:  # the driver's format style -> asyncpg's $n
            for n in range(1, len(args) + 1):
                sql = sql.replace("%s", f"${n}", 1)
        try:
            [row] = await connection.fetch(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", *args)
        except Exception as exc:  # a statement asyncpg cannot replay as is: say so, keep measuring
            plans.append({"sql": " ".join(sql.split())[:160], "error": type(exc).__name__})
            continue
        plan = json.loads(row[0])[0]
        top = plan["Plan"]
        nodes = [top["Node Type"], *(child["Node Type"] for child in top.get("Plans", []))]
        plans.append(
            {
                "sql": " ".join(sql.split())[:160],
                "ms": round(plan["Execution Time"], 2),
                "rows": top.get("Actual Rows"),
                "nodes": " / ".join(nodes),
            }
        )
    return plans


async def kpi_sql(bench: BenchPlatform, requests: int) -> dict[str, dict[str, Any]]:
    """Each service's `/stats/performance` code run here with a session of its own: the SQL time (p50
    over `requests` rounds), the statements per report and their EXPLAIN ANALYZE."""
    principal = Principal(subject="bench", role=Role.city_admin)
    out: dict[str, dict[str, Any]] = {}
    for service, performance in STATS.items():
        url = make_url(bench.database_urls[service]).set(drivername="postgresql+asyncpg")
        engine = create_async_engine(url)
        timer = SqlTimer(engine)
        sql_ms, code_ms = [], []
        try:
            for n in range(requests + 1):
                timer.reset()
                watch = Stopwatch()
                async with AsyncSession(engine) as session:
                    await performance(session, principal, PROGRAMME, "county")
                if n:
                    sql_ms.append(timer.seconds * 1000)
                    code_ms.append(watch.seconds * 1000)
            connection = await bench.connect(service)
            try:
                plans = await explain(connection, timer.statements)
            finally:
                await connection.close()
        finally:
            await engine.dispose()
        out[service] = {
            "sql_ms": percentile(sql_ms, 50),
            "code_ms": percentile(code_ms, 50),
            "statements": len(timer.statements),
            "plans": plans,
        }
    return out


async def timed_get(
    client: httpx.AsyncClient, url: str, params: dict[str, Any], headers: dict[str, str], requests: int
) -> list[float]:
    times = []
    for n in range(requests + 1):
        watch = Stopwatch()
        response = await client.get(url, params=params, headers=headers)
        elapsed = watch.seconds * 1000
        response.raise_for_status()
        if n:  # the first request warms caches
            times.append(elapsed)
    return times


async def kpi(bench: BenchPlatform, client: httpx.AsyncClient, requests: int) -> dict[str, Any]:
    city = bench.tokens.headers(Role.city_admin)
    national = bench.tokens.headers(Role.national_platform)
    out: dict[str, Any] = {"services": {}}
    for service in SERVICES:
        before = cpu_seconds(bench.pid(service))
        times = await timed_get(
            client,
            f"{bench.url(service)}/stats/performance",
            {"programme": PROGRAMME, "scope": "county"},
            city,
            requests,
        )
        out["services"][service] = {
            "p50": percentile(times, 50),
            "cpu_ms": (cpu_seconds(bench.pid(service)) - before) * 1000 / (requests + 1),
        }
    processes = ("gateway", *SERVICES)
    before, gateway_before = process_cpu(bench, processes), cpu_seconds(bench.pid("gateway"))
    times = await timed_get(
        client,
        f"{bench.url('gateway')}/national/v1/performance",
        {"programme": PROGRAMME},
        national,
        requests,
    )
    out["p50"] = percentile(times, 50)
    out["cpu_ms"] = (process_cpu(bench, processes) - before) * 1000 / (requests + 1)
    out["gateway_cpu_ms"] = (cpu_seconds(bench.pid("gateway")) - gateway_before) * 1000 / (requests + 1)
    return out


async def feed(
    bench: BenchPlatform, client: httpx.AsyncClient, pages: int, full: bool, requests: int
) -> dict[str, Any]:
    headers = bench.tokens.headers(Role.national_platform)
    url = f"{bench.url('gateway')}/national/v1/changes"
    processes = ("gateway", "enrollment")
    params = {"limit": PAGE, "types": "enterprise"}

    async def read(limit_pages: int | None) -> tuple[int, int, float, float]:
        """(pages, items, seconds, CPU seconds of the gateway and enrollment) following the cursor."""
        after: str | None = None
        count = items = 0
        cpu = process_cpu(bench, processes)
        watch = Stopwatch()
        while limit_pages is None or count < limit_pages:
            response = await client.get(
                url, params={**params, **({"after": after} if after else {})}, headers=headers
            )
            response.raise_for_status()
            body = response.json()
            count += 1
            items += len(body["items"])
            after = body["next_cursor"]
            if not body["has_more"] or not body["items"]:
                break
        return count, items, watch.seconds, process_cpu(bench, processes) - cpu

    out: dict[str, Any] = {}
    await read(1)  # warm-up
    first = [await read(1) for _ in range(requests)]
    out["first_page_ms"] = percentile([f[2] * 1000 for f in first], 50)
    out["first_page_cpu_ms"] = percentile([f[3] * 1000 for f in first], 50)
    count, items, seconds, cpu = await read(pages)
    # Per 1,000 records, as a page holds at every size but the smallest.
    per = PAGE / max(items, 1)
    out.update(pages=count, items=items, page_ms=seconds * 1000 * per, page_cpu_ms=cpu * 1000 * per)
    # The service's own part from the start and from near its head: a keyset page costs the same.
    connection = await bench.connect("enrollment")
    try:
        head = await connection.fetchval("SELECT coalesce(max(seq), 0) FROM change_log")
        service_url = f"{bench.url('enrollment')}/national/changes"
        out["head_page_ms"] = percentile(
            await timed_get(client, service_url, {**params, "after": 0}, headers, requests), 50
        )
        out["tail_page_ms"] = percentile(
            await timed_get(client, service_url, {**params, "after": max(0, head - PAGE)}, headers, requests),
            50,
        )
        sql = []
        for n in range(requests + 1):
            watch = Stopwatch()
            await connection.fetch(FEED_SQL, 0, PAGE)
            if n:
                sql.append(watch.seconds * 1000)
        out["sql_page_ms"] = percentile(sql, 50)
        if full:
            _, items, seconds, cpu = await read(None)
            watch = Stopwatch()
            async with connection.transaction():
                raw = 0
                async for _ in connection.cursor(
                    "SELECT e.* FROM change_log c JOIN enterprise e ON e.uscc = c.entity_id"
                    " WHERE c.entity_type = 'enterprise' ORDER BY c.seq",
                    prefetch=PAGE,
                ):
                    raw += 1
            out.update(full_items=items, full_s=seconds, full_cpu_s=cpu, raw_s=watch.seconds)
    finally:
        await connection.close()
    return out


async def run(bench: BenchPlatform, sizes: Sizes, result: Result) -> None:
    requests = sizes.scale_requests
    result.params = {
        "sizes": list(sizes.scale_sizes),
        "requests": requests,
        "feed_pages": sizes.scale_feed_pages,
        "full_read_max": sizes.scale_full_read_max,
        "programme": PROGRAMME,
        "load_seconds": {},
        "rows_loaded": {},
        "enterprise_table": {},
        "kpi": {},
        "kpi_plans": {},
        "feed": {},
    }
    async with httpx.AsyncClient(timeout=600) as client:
        seeded = await client.post(
            f"{bench.url('enrollment')}/programmes/seed",
            params={"city": PRESET},
            headers=bench.tokens.headers(Role.city_admin),
        )
        seeded.raise_for_status()
        loader = Loader(bench)
        await loader.open()
        smallest: dict[str, float] = {}
        try:
            for target in sorted(sizes.scale_sizes):
                seconds = await loader.grow(target)
                label = f"{target:,}"
                result.params["load_seconds"][label] = round(seconds, 1)
                result.params["rows_loaded"][label] = dict(loader.counts)
                result.params["enterprise_table"][label] = await loader.connections["enrollment"].fetchval(
                    "SELECT count(*) FROM enterprise"
                )
                list_ms, list_sql_ms, _, plan = await dossier.measure(bench, requests)
                # Above 100k one report takes seconds: fewer rounds keep the 1M step within minutes.
                rounds = requests if target <= 100_000 else min(requests, 3)
                report = await kpi(bench, client, rounds)
                sql = await kpi_sql(bench, rounds)
                pages = await feed(
                    bench, client, sizes.scale_feed_pages, target <= sizes.scale_full_read_max, requests
                )
                result.params["kpi"][label] = {
                    "gateway": report,
                    "sql": {s: {k: v for k, v in d.items() if k != "plans"} for s, d in sql.items()},
                    "list_plan": plan,
                }
                result.params["kpi_plans"][label] = {s: d["plans"] for s, d in sql.items()}
                result.params["feed"][label] = pages
                sql_total = sum(d["sql_ms"] for d in sql.values())
                smallest.setdefault("kpi_cpu", report["cpu_ms"])
                smallest.setdefault("page_ms", pages["page_ms"])
                smallest.setdefault("page_cpu", pages["page_cpu_ms"])
                first = min(sizes.scale_sizes)
                result.add(
                    Figure(
                        f"list p50 @ {label}",
                        round(percentile(list_ms, 50), 1),
                        "ms",
                        baseline=round(percentile(list_sql_ms, 50), 1),
                        baseline_name="same SQL via asyncpg p50 ms",
                    ),
                    Figure(
                        f"KPI report p50 @ {label}",
                        round(report["p50"], 1),
                        "ms",
                        baseline=round(sql_total, 1),
                        baseline_name="SQL of the 4 services, ms",
                    ),
                    Figure(
                        f"KPI report gateway CPU/request @ {label}",
                        round(report["gateway_cpu_ms"], 1),
                        "ms CPU",
                        baseline=round(report["cpu_ms"], 1),
                        baseline_name="gateway + 4 services",
                    ),
                    Figure(
                        f"KPI report CPU/request @ {label}",
                        round(report["cpu_ms"], 1),
                        "ms CPU",
                        baseline=round(smallest["kpi_cpu"], 1),
                        baseline_name=f"at {first:,}",
                    ),
                    *(
                        Figure(
                            f"/stats/performance {service} p50 @ {label}",
                            round(report["services"][service]["p50"], 1),
                            "ms",
                            baseline=round(sql[service]["sql_ms"], 1),
                            baseline_name=f"its SQL ({sql[service]['statements']} statements), ms",
                        )
                        for service in SERVICES
                    ),
                    Figure(
                        f"feed first page @ {label}",
                        round(pages["first_page_ms"], 1),
                        "ms",
                        baseline=round(pages["sql_page_ms"], 1),
                        baseline_name="same page via asyncpg, ms",
                    ),
                    Figure(
                        f"feed ms per {PAGE:,} records, first {pages['pages']} pages @ {label}",
                        round(pages["page_ms"], 1),
                        "ms",
                        baseline=round(smallest["page_ms"], 1),
                        baseline_name=f"at {first:,}",
                        target="flat in N",
                    ),
                    Figure(
                        f"feed CPU per {PAGE:,} records @ {label}",
                        round(pages["page_cpu_ms"], 1),
                        "ms CPU",
                        baseline=round(smallest["page_cpu"], 1),
                        baseline_name=f"at {first:,}",
                        target="flat in N",
                        met=pages["page_cpu_ms"] <= smallest["page_cpu"] * 1.5 + 5,
                    ),
                    Figure(
                        f"feed tail page (enrollment) @ {label}",
                        round(pages["tail_page_ms"], 1),
                        "ms",
                        baseline=round(pages["head_page_ms"], 1),
                        baseline_name="first page, ms",
                    ),
                )
                if "full_s" in pages:
                    result.add(
                        Figure(
                            f"feed full read @ {label}",
                            round(pages["full_s"], 2),
                            "s",
                            baseline=round(pages["raw_s"], 2),
                            baseline_name="asyncpg scan s",
                        )
                    )
        finally:
            result.params["cleanup_seconds"] = round(await loader.remove(), 1)
    result.notes.append(
        "sizes count the enterprises this workload adds; the enterprise table also holds the earlier "
        "workloads' (params.enterprise_table)"
    )
