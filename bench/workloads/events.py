"""3. Events from an enrollment commit to the read copies of assessment, funding and matching, next to raw
nats-py publish/consume (three durable consumers, one ack per message) on the same NATS server.

The producer is the real write path: county pushes of 50 records, each one transaction whose outbox rows
the relay publishes after the commit (EnterpriseRegistered, which all three services copy). Lag is read
from the databases: the consumer's inbox `received_at` minus the outbox row's `created_at` (taken inside
the producing transaction, so the lag is slightly overstated, never understated)."""

import asyncio
import os
import time
import uuid
from datetime import datetime

import httpx
import nats

from bench.data import push_records
from bench.harness import BenchPlatform, Figure, Result, Stopwatch, cpu_seconds, percentile
from bench.sizes import Sizes
from szcore.auth import Role

COUNTY = "410703"
BATCH = 50
CONSUMERS = ("assessment", "funding", "matching")


async def settle(bench: BenchPlatform, timeout: float = 600) -> float:
    """Waits until enrollment's outbox is published and every service has copied every enterprise;
    returns the seconds it took (the previous workloads' events must not count in this one)."""
    watch = Stopwatch()
    connections = {s: await bench.connect(s) for s in ("enrollment", *CONSUMERS)}
    try:
        while watch.seconds < timeout:
            pending = await connections["enrollment"].fetchval(
                "SELECT count(*) FROM outbox WHERE published_at IS NULL"
            )
            total = await connections["enrollment"].fetchval("SELECT count(*) FROM enterprise")
            copies = [
                await connections[s].fetchval("SELECT count(*) FROM enterprise_copy") for s in CONSUMERS
            ]
            if pending == 0 and all(c >= total for c in copies):
                return watch.seconds
            await asyncio.sleep(0.2)
        raise TimeoutError(f"events not settled after {timeout}s")
    finally:
        for connection in connections.values():
            await connection.close()


async def applied_times(bench: BenchPlatform, event_ids: list[str], timeout: float) -> dict[str, datetime]:
    """event id -> when the last of the three services received it (waits until all three have)."""
    latest: dict[str, datetime] = {}
    connections = [await bench.connect(s) for s in CONSUMERS]
    deadline = time.monotonic() + timeout
    try:
        while True:
            latest.clear()
            complete = True
            for connection in connections:
                rows = await connection.fetch(
                    "SELECT event_id, received_at FROM inbox WHERE event_id = ANY($1::text[])", event_ids
                )
                if len(rows) < len(event_ids):
                    complete = False
                    break
                for row in rows:
                    if row["event_id"] not in latest or row["received_at"] > latest[row["event_id"]]:
                        latest[row["event_id"]] = row["received_at"]
            if complete:
                return latest
            if time.monotonic() > deadline:
                raise TimeoutError("events not applied in time")
            await asyncio.sleep(0.2)
    finally:
        for connection in connections:
            await connection.close()


async def produce(bench: BenchPlatform, count: int, rate: int, start: int) -> tuple[list[str], float]:
    """Pushes `count` records in pushes of BATCH at `rate` records/s; returns the usccs and the seconds."""
    records = push_records(COUNTY, count, invalid_share=0, start=start, seed=start + 3)
    headers = bench.tokens.headers(Role.county_system, county=COUNTY)
    interval = BATCH / rate
    async with httpx.AsyncClient(base_url=bench.url("enrollment"), timeout=120) as client:

        async def push(part: list[dict[str, object]]) -> None:
            response = await client.post(
                "/enterprises/bulk", params={"request_id": uuid.uuid4().hex}, json=part, headers=headers
            )
            response.raise_for_status()

        watch = Stopwatch()
        tasks = []
        for n, offset in enumerate(range(0, count, BATCH)):
            delay = n * interval - watch.seconds
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(push(records[offset : offset + BATCH])))
        await asyncio.gather(*tasks)
        seconds = watch.seconds
    return [str(r["uscc"]) for r in records], seconds


async def platform_run(
    bench: BenchPlatform, count: int, rate: int, start: int
) -> tuple[float, list[float], float, list[float]]:
    """(applied events/s, lags in ms, seconds to produce, relay lags in ms: commit to published)"""
    usccs, produce_seconds = await produce(bench, count, rate, start)
    query = (
        "SELECT event_id, created_at, published_at FROM outbox WHERE event_type = 'EnterpriseRegistered' "
        "AND aggregate_id = ANY($1::text[])"
    )
    enrollment = await bench.connect("enrollment")
    try:
        created = {row["event_id"]: row["created_at"] for row in await enrollment.fetch(query, usccs)}
        applied = await applied_times(bench, list(created), timeout=120 + count / 50)
        # Marked after the ack's transaction commits: once every copy is applied, at most moments later.
        watch = Stopwatch()
        while (rows := await enrollment.fetch(query, usccs)) and watch.seconds < 30:
            if all(row["published_at"] is not None for row in rows):
                break
            await asyncio.sleep(0.1)
    finally:
        await enrollment.close()
    relay_lags = [
        (row["published_at"] - row["created_at"]).total_seconds() * 1000
        for row in rows
        if row["published_at"] is not None
    ]
    lags = [(applied[e] - created[e]).total_seconds() * 1000 for e in created]
    span = (max(applied.values()) - min(created.values())).total_seconds()
    return len(created) / span, lags, produce_seconds, relay_lags


async def raw_nats(bench: BenchPlatform, count: int, rate: int | None) -> tuple[float, list[float]]:
    """Publish `count` messages (awaiting each ack, as the relay does), paced at `rate` if given, to a
    stream read by three durable pull consumers; (events/s through all three, lags in ms)."""
    nc = await nats.connect(bench.nats_url)
    js = nc.jetstream()
    stream = f"BENCHRAW{uuid.uuid4().hex[:8]}"
    await js.add_stream(name=stream, subjects=[f"{stream}.>"])
    received: list[dict[int, float]] = [{} for _ in CONSUMERS]
    sent: dict[int, float] = {}

    async def consume(index: int) -> None:
        subscription = await js.pull_subscribe(f"{stream}.>", durable=f"c{index}", stream=stream)
        seen = received[index]
        while len(seen) < count:
            try:
                messages = await subscription.fetch(100, timeout=1)
            except TimeoutError:  # nats-py's own subclass or the bare builtin
                continue
            for message in messages:
                seen[int(message.data)] = time.perf_counter()
                await message.ack()

    try:
        consumers = [asyncio.create_task(consume(i)) for i in range(len(CONSUMERS))]
        await asyncio.sleep(0.2)
        watch = Stopwatch()
        for n in range(count):
            if rate:
                delay = n / rate - watch.seconds
                if delay > 0:
                    await asyncio.sleep(delay)
            sent[n] = time.perf_counter()
            await js.publish(f"{stream}.x", str(n).encode())
        await asyncio.wait_for(asyncio.gather(*consumers), timeout=120 + count / 50)
        done = max(max(r.values()) for r in received)
        lags = [(max(r[n] for r in received) - sent[n]) * 1000 for n in range(count)]
        return count / (done - min(sent.values())), lags
    finally:
        await js.delete_stream(stream)
        await nc.close()


async def run(bench: BenchPlatform, sizes: Sizes, result: Result) -> None:
    # The outbox relay as a process of its own (`ops relay`), or inline in enrollment's event loop.
    relay = os.environ.get("SZ_BENCH_EVENTS_RELAY", "separate")
    if relay == "separate":
        await bench.relay_mode("enrollment", "separate")
    try:
        await measure(bench, sizes, result, relay)
    finally:
        if relay == "separate":
            await bench.relay_mode("enrollment", "inline")


async def measure(bench: BenchPlatform, sizes: Sizes, result: Result, relay: str) -> None:
    count, rate = sizes.events, sizes.events_rate
    result.params = {
        "events": count,
        "offered_rate": rate,
        "push_batch": BATCH,
        "services": list(CONSUMERS),
        "relay": relay,
    }
    result.params["settle_seconds"] = round(await settle(bench), 1)
    processes = ("enrollment", *(["enrollment-relay"] if relay == "separate" else []), *CONSUMERS, "nats")
    cpu_before = {s: cpu_seconds(bench.pid(s)) for s in processes}
    paced_rate, lags, produce_seconds, relay_lags = await platform_run(bench, count, rate, start=0)
    cpu_ms = {s: (cpu_seconds(bench.pid(s)) - cpu_before[s]) * 1000 / count for s in cpu_before}
    await settle(bench)
    burst_rate, _, _, _ = await platform_run(bench, count, rate=1_000_000, start=count)
    raw_paced_rate, raw_lags = await raw_nats(bench, count, rate)
    raw_burst_rate, _ = await raw_nats(bench, count, None)
    result.params["produce_seconds"] = round(produce_seconds, 2)
    p99 = percentile(lags, 99)
    result.add(
        Figure(
            "sustained events/s (paced)",
            round(paced_rate),
            "ev/s",
            baseline=round(raw_paced_rate),
            baseline_name="raw nats paced ev/s",
            target="≥1,000/s",
            met=paced_rate >= 1000,
        ),
        Figure(
            "p99 commit-to-applied lag (paced)",
            round(p99, 1),
            "ms",
            baseline=round(percentile(raw_lags, 99), 1),
            baseline_name="raw nats p99 ms",
            target="≤200 ms",
            met=p99 <= 200,
        ),
        Figure(
            "p50 lag (paced)",
            round(percentile(lags, 50), 1),
            "ms",
            baseline=round(percentile(raw_lags, 50), 1),
            baseline_name="raw nats p50 ms",
        ),
        Figure(
            "p99 commit-to-published lag (relay, paced)",
            round(percentile(relay_lags, 99), 1),
            "ms",
            baseline=round(p99, 1),
            baseline_name="p99 commit-to-applied ms",
        ),
        Figure(
            "capacity events/s (burst)",
            round(burst_rate),
            "ev/s",
            baseline=round(raw_burst_rate),
            baseline_name="raw nats burst ev/s",
        ),
        *(
            Figure(
                f"{service} CPU per event",
                round(ms, 2),
                "ms",
                baseline=round(1000 / paced_rate, 2),
                baseline_name="wall ms per event",
            )
            for service, ms in cpu_ms.items()
        ),
        Figure(
            "total CPU per event (services, relay, NATS; not PostgreSQL)",
            round(sum(cpu_ms.values()), 2),
            "ms",
            baseline=round(2000 / rate, 2),
            baseline_name="2 cores' ms per offered event",
        ),
    )
