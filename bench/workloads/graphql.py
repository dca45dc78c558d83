"""2. A GraphQL page of enterprises with their assessments, engagements, claims and payments, next to a
plain concurrent httpx client reading the same data from the services' batch endpoints."""

import asyncio

import httpx

from bench.harness import BenchPlatform, Figure, Result, Stopwatch, percentile
from bench.sizes import Sizes
from bench.workloads.push import COUNTY
from szcore.auth import Role

QUERY = """
query BenchPage($filter: EnterpriseFilter, $first: Int!) {
  enterprises(filter: $filter, first: $first) {
    total
    items {
      uscc name countyCode industryCode admissionStatus
      assessments { id kind status }
      engagements { engagementId status }
      claims { claimId status claimedFen }
      payments { paymentId status amountFen }
    }
  }
}
"""
RETRIES = [0]
LINKS = [
    ("assessment", "/assessments/by-enterprise"),
    ("matching", "/engagements/by-enterprise"),
    ("funding", "/claims/by-enterprise"),
    ("funding", "/payments/by-enterprise"),
]


async def graphql_page(
    client: httpx.AsyncClient, bench: BenchPlatform, headers: dict[str, str], size: int
) -> int:
    for attempt in range(3):
        response = await client.post(
            f"{bench.url('gateway')}/graphql",
            json={"query": QUERY, "variables": {"filter": {"countyCode": COUNTY}, "first": size}},
            headers=headers,
        )
        response.raise_for_status()
        data = response.json()
        if not data.get("errors"):
            return len(data["data"]["enterprises"]["items"])
        # An overloaded machine can time an upstream call out: count it, try again, give up at the third.
        RETRIES[0] += 1
        if attempt == 2:
            raise RuntimeError(f"GraphQL errors: {data['errors'][:2]}")
    raise AssertionError("unreachable")


async def direct_page(
    client: httpx.AsyncClient, bench: BenchPlatform, headers: dict[str, str], size: int
) -> int:
    page = await client.get(
        f"{bench.url('enrollment')}/enterprises",
        params={"county_code": COUNTY, "limit": size},
        headers=headers,
    )
    page.raise_for_status()
    usccs = [e["uscc"] for e in page.json()["items"]]
    answers = await asyncio.gather(
        *(client.get(f"{bench.url(s)}{path}", params={"uscc": usccs}, headers=headers) for s, path in LINKS)
    )
    for answer in answers:
        answer.raise_for_status()
    return len(usccs)


async def timed(fetch, client, bench, headers, size, requests: int) -> list[float]:  # type: ignore[no-untyped-def]
    await fetch(client, bench, headers, size)  # warm-up
    times = []
    for _ in range(requests):
        watch = Stopwatch()
        await fetch(client, bench, headers, size)
        times.append(watch.seconds * 1000)
    return times


async def run(bench: BenchPlatform, sizes: Sizes, result: Result) -> None:
    headers = bench.tokens.headers(Role.city_admin)
    result.params = {"page_sizes": list(sizes.page_sizes), "requests": sizes.page_requests, "county": COUNTY}
    calls_per_page: dict[int, float] = {}
    async with httpx.AsyncClient(timeout=60) as client:
        for size in sizes.page_sizes:
            before = await bench.upstream_requests(client)
            got = await graphql_page(client, bench, headers, size)
            calls_per_page[size] = await bench.upstream_requests(client) - before
            if got < size:
                result.notes.append(f"page of {size} returned {got} enterprises")
        largest = max(sizes.page_sizes)
        gateway_ms = await timed(graphql_page, client, bench, headers, largest, sizes.page_requests)
        direct_ms = await timed(direct_page, client, bench, headers, largest, sizes.page_requests)
    constant = len(set(calls_per_page.values())) == 1
    result.add(
        Figure(
            f"p50 (page of {largest})",
            round(percentile(gateway_ms, 50), 1),
            "ms",
            baseline=round(percentile(direct_ms, 50), 1),
            baseline_name="httpx batch endpoints p50 ms",
            target="ratio ≤1.5",
            met=percentile(gateway_ms, 50) <= 1.5 * percentile(direct_ms, 50),
        ),
        Figure(
            f"p99 (page of {largest})",
            round(percentile(gateway_ms, 99), 1),
            "ms",
            baseline=round(percentile(direct_ms, 99), 1),
            baseline_name="httpx batch endpoints p99 ms",
        ),
        *(
            Figure(
                f"upstream calls (page of {size})",
                int(calls),
                "calls",
                baseline=1 + len(LINKS),
                baseline_name="direct client calls",
                target="constant in page size",
                met=constant,
            )
            for size, calls in calls_per_page.items()
        ),
    )
    if RETRIES[0]:
        result.notes.append(f"{RETRIES[0]} GraphQL requests answered with an upstream error and were retried")
    result.notes.append(
        "linked collections are as the other workloads left them (mostly empty): the figure is the cost of "
        "the calls and the GraphQL layer, not of large payloads"
    )
