"""5. Subsidy simulation: a seed policy over many enterprises through funding's endpoint, next to the
pure `simulate` function on the same facts in this process."""

from datetime import date

import httpx

from bench.harness import BenchPlatform, Figure, Result, Stopwatch, median
from bench.sizes import Sizes
from services.funding.calculation.engine import Assumptions, simulate
from services.funding.calculation.schemas import FactsIn
from services.funding.policy.presets import load_preset
from szcore.auth import Role

POLICY = "xinxiang"
WAN = 1_000_000
LEVELS = {1: 1, 2: 6, 3: 2, 4: 1}
DATES = {date(2025, 6, 30): 3, date(2026, 3, 31): 1}
REPEAT = 3


def facts(count: int) -> list[dict[str, object]]:
    return [
        {
            "recipient_id": f"E{i:06d}",
            "spending_fen": {"software": WAN * (i % 200), "hardware": WAN * (i % 50)},
            "actual_investment_fen": WAN * (i % 300),
            "designations": ["little_giant"] if i % 40 == 0 else [],
        }
        for i in range(count)
    ]


async def run(bench: BenchPlatform, sizes: Sizes, result: Result) -> None:
    count = sizes.simulation_enterprises
    enterprises = facts(count)
    result.params = {"policy": POLICY, "enterprises": count, "repeat": REPEAT}
    policy = load_preset(POLICY)
    assumptions = Assumptions(level_distribution=LEVELS, acceptance_dates=DATES)
    pure_seconds = []
    for _ in range(REPEAT):
        watch = Stopwatch()
        models = [FactsIn.model_validate(f).to_facts() for f in enterprises]
        simulate(policy, models, assumptions)
        pure_seconds.append(watch.seconds)

    city = bench.tokens.headers(Role.city_admin)
    body = {
        "policy_key": POLICY,
        "enterprises": enterprises,
        "assumptions": {
            "level_distribution": {str(k): v for k, v in LEVELS.items()},
            "acceptance_dates": {d.isoformat(): v for d, v in DATES.items()},
        },
    }
    async with httpx.AsyncClient(base_url=bench.url("funding"), timeout=120) as client:
        published = await client.post(f"/policies/from-preset/{POLICY}", headers=city)
        if published.status_code not in (201, 409):
            published.raise_for_status()
        http_seconds = []
        for _ in range(REPEAT):
            watch = Stopwatch()
            response = await client.post("/simulations", json=body, headers=city)
            http_seconds.append(watch.seconds)
            response.raise_for_status()
    answer = response.json()
    result.params |= {"total_fen": answer["total_fen"], "level_counts": answer["level_counts"]}
    seconds = median(http_seconds)
    result.add(
        Figure(
            "seconds (endpoint, median)",
            round(seconds, 3),
            "s",
            baseline=round(median(pure_seconds), 3),
            baseline_name="pure simulate() s",
            target="≤1 s",
            met=seconds <= 1.0,
        )
    )
