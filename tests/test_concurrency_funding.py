"""Many concurrent claims, approvals and disbursements against one small funding source, through two
funding processes on the same PostgreSQL database: never below zero, every fen accounted for, the ledger
balances, each claim approved and paid at most once, and duplicate requests (same Idempotency-Key) act
once and answer alike."""

import asyncio
import os
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ops.local import Platform
from services.funding.policy.presets import load_preset
from services.funding.tests.support import (
    COUNTY,
    OTHER_COUNTY,
    WAN,
    claim_body,
    claim_through_audit,
    invoice,
    new_uscc,
    seed_enterprise,
)
from szcore.auth import Role
from szcore.db import create_engine
from tests.support.fixtures import Tokens
from tests.support.replicas import replica_clients, require_postgresql

pytestmark = [pytest.mark.e2e, pytest.mark.fault]

CLAIMS = int(os.environ.get("SZ_FAULT_CLAIMS", "16"))
BUDGET = 100 * WAN
CLAIMED = 30 * WAN


def key() -> dict[str, str]:
    return {"idempotency-key": uuid.uuid4().hex}


@pytest.fixture
async def funding(platform: Platform, tmp_path: Path, databases: Any) -> Any:
    require_postgresql(databases)
    async with replica_clients(platform, "funding", tmp_path) as (one, two):
        yield one, two


async def seeded(platform: Platform, count: int, counties: tuple[str, ...] = (COUNTY,)) -> list[str]:
    """Read copies (enterprise, acceptance, contract) as the event handlers store them; the n-th enterprise
    is in counties[n % len(counties)]."""
    usccs = [new_uscc() for _ in range(count)]
    engine = create_engine(platform.env["SZ_FUNDING_DATABASE_URL"])
    try:
        async with AsyncSession(engine) as session:
            for n, uscc in enumerate(usccs):
                county = counties[n % len(counties)]
                await seed_enterprise(session, uscc, county=county, contract=f"c-{uscc}")
            await session.commit()
    finally:
        await engine.dispose()
    return usccs


class TestOneSmallSourceTwoReplicas:
    async def test_never_below_zero_every_fen_accounted_for(
        self, funding: Any, platform: Platform, tokens: Tokens
    ) -> None:
        one, two = funding
        replicas = (one, two)
        city = tokens.headers(Role.city_admin)
        policy_key = f"race{uuid.uuid4().hex[:8]}"
        document = load_preset("zibo").model_dump(mode="json") | {"key": policy_key}
        published = await one.post("/policies", json={"document": document, "note": "race"}, headers=city)
        assert published.status_code == 201, published.text
        source_id = f"{policy_key}-central"
        body = {"source_id": source_id, "level": "central", "name": "中央资金", "policy_key": policy_key}
        assert (await one.post("/funding-sources", json=body, headers=city)).status_code == 201
        allocation = {"fiscal_year": 2025, "amount_fen": BUDGET}
        same = key()
        allocated = await asyncio.gather(
            *(
                r.post(f"/funding-sources/{source_id}/allocations", json=allocation, headers=city | same)
                for r in replicas
            )
        )
        assert [a.status_code for a in allocated] == [200, 200]
        assert allocated[0].json() == allocated[1].json()

        usccs = await seeded(platform, CLAIMS)

        async def submit(n: int, uscc: str) -> str:
            data = claim_body(uscc, [invoice(f"R{policy_key}{n}", 60 * WAN)], CLAIMED) | {
                "policy_key": policy_key
            }
            headers = tokens.headers(Role.enterprise, uscc=uscc) | key()
            twice = await asyncio.gather(*(r.post("/claims", json=data, headers=headers) for r in replicas))
            assert {a.status_code for a in twice} <= {200, 201}, [a.text for a in twice]
            assert twice[0].json()["claim_id"] == twice[1].json()["claim_id"]
            claim_id = str(twice[0].json()["claim_id"])
            client = replicas[n % 2]
            steps = [
                (
                    "reviews",
                    {"step": "county", "decision": "approve"},
                    tokens.headers(Role.county_admin, county=COUNTY),
                ),
                ("reviews", {"step": "city", "decision": "approve"}, city),
                ("audit", {"result": "passed"}, tokens.headers(Role.auditor)),
            ]
            trail = []
            for path, step, headers in steps:
                answer = await client.post(f"/claims/{claim_id}/{path}", json=step, headers=headers)
                trail.append((answer.status_code, answer.json().get("status"), answer.json().get("claim_id")))
                assert answer.status_code == 200, (trail, claim_id, [t.text[:300] for t in twice])
            return claim_id

        claim_ids = list(await asyncio.gather(*(submit(n, u) for n, u in enumerate(usccs))))
        assert len(set(claim_ids)) == CLAIMS

        async def approve(claim_id: str) -> list[httpx.Response]:
            # A retried request (same key, other replica) and a second approver (own key) at once.
            retry = key()
            return list(
                await asyncio.gather(
                    one.post(f"/claims/{claim_id}/approve", headers=city | retry),
                    two.post(f"/claims/{claim_id}/approve", headers=city | retry),
                    two.post(f"/claims/{claim_id}/approve", headers=city | key()),
                )
            )

        approvals = await asyncio.gather(*(approve(c) for c in claim_ids))
        approved: dict[str, int] = {}
        for claim_id, answers in zip(claim_ids, approvals, strict=True):
            statuses = [a.status_code for a in answers]
            assert set(statuses) <= {200, 409}, [a.text for a in answers]
            for answer in answers:
                if answer.status_code == 409:
                    assert answer.json()["code"] in {
                        "claim_wrong_state",
                        "source_exhausted",
                        "nothing_to_approve",
                    }
            if statuses[0] == 200 and statuses[1] == 200:
                assert answers[0].json() == answers[1].json()
            winners = {a.json()["approved_fen"] for a in answers if a.status_code == 200}
            assert len(winners) <= 1
            if winners:
                approved[claim_id] = winners.pop()
        assert 0 < len(approved) < CLAIMS
        assert sum(approved.values()) <= BUDGET

        batches = await asyncio.gather(
            *(
                r.post("/disbursement-batches", json={"source_id": source_id}, headers=city | key())
                for r in replicas
            )
        )
        assert {b.status_code for b in batches} <= {201, 409}, [b.text for b in batches]
        payments = [p for b in batches if b.status_code == 201 for p in b.json()["payments"]]
        assert sorted(p["claim_id"] for p in payments) == sorted(approved)
        batch_ids = {p["batch_id"] for p in payments}
        lines = {
            batch_id: {
                "lines": [
                    {
                        "payment_id": p["payment_id"],
                        "status": "paid",
                        "bank_reference": f"B-{p['payment_id']}",
                    }
                    for p in payments
                    if p["batch_id"] == batch_id
                ]
            }
            for batch_id in batch_ids
        }
        reconciled = await asyncio.gather(
            *(
                r.post(f"/disbursement-batches/{b}/reconciliation", json=lines[b], headers=city | key())
                for b in batch_ids
                for r in replicas
            )
        )
        assert {r.status_code for r in reconciled} <= {200, 409}, [r.text for r in reconciled]

        source = (await one.get(f"/funding-sources/{source_id}", headers=city)).json()["balances"]
        assert min(source.values()) >= 0
        assert source["allocated_fen"] == BUDGET
        assert source["available_fen"] + source["committed_fen"] + source["paid_fen"] == BUDGET
        assert source["paid_fen"] == sum(approved.values())
        for claim_id, fen in approved.items():
            claim = (await two.get(f"/claims/{claim_id}", headers=city)).json()
            assert claim["approved_fen"] == claim["paid_fen"] == fen
            assert [p["status"] for p in claim["payments"]] == ["paid"]
        for claim_id in set(claim_ids) - set(approved):
            claim = (await one.get(f"/claims/{claim_id}", headers=city)).json()
            assert claim["approved_fen"] == claim["paid_fen"] == 0 and claim["payments"] == []
        verified = (await two.get("/ledger/verify", headers=city)).json()
        assert verified["ok"] and verified["trial_balance_fen"] == 0


CAP = 70 * WAN


class TestOneSmallCapTwoSources:
    """Approvals drawing on two different sources (each county's own) share one line's (or the
    programme's) cap: the source locks do not serialise them, the cap's lock must."""

    @pytest.mark.parametrize("cap", ["line_total_fen", "programme_total_fen"])
    async def test_approvals_on_two_sources_never_exceed_the_cap(
        self, funding: Any, platform: Platform, tokens: Tokens, cap: str
    ) -> None:
        one, two = funding
        replicas = (one, two)
        city = tokens.headers(Role.city_admin)
        policy_key = f"cap{uuid.uuid4().hex[:8]}"
        document = load_preset("zibo").model_dump(mode="json") | {
            "key": policy_key,
            "funding": {"mode": "ordered", "order": ["county"]},
        }
        if cap == "line_total_fen":
            document["lines"][0]["caps"]["line_total_fen"] = CAP
        else:
            document["programme_total_fen"] = CAP
        published = await one.post("/policies", json={"document": document, "note": "cap"}, headers=city)
        assert published.status_code == 201, published.text
        sources = {county: f"{policy_key}-county-{county}" for county in (COUNTY, OTHER_COUNTY)}
        for county, source_id in sources.items():
            body = {
                "source_id": source_id,
                "level": "county",
                "name": "区县资金",
                "policy_key": policy_key,
                "county_code": county,
            }
            assert (await one.post("/funding-sources", json=body, headers=city)).status_code == 201
            allocation = {"fiscal_year": 2025, "amount_fen": 500 * WAN}
            answer = await one.post(
                f"/funding-sources/{source_id}/allocations", json=allocation, headers=city | key()
            )
            assert answer.status_code == 200, answer.text

        usccs = await seeded(platform, CLAIMS, (COUNTY, OTHER_COUNTY))
        claim_ids = list(
            await asyncio.gather(
                *(
                    claim_through_audit(
                        replicas[n % 2],
                        tokens,
                        claim_body(uscc, [invoice(f"K{policy_key}{n}", 60 * WAN)], CLAIMED)
                        | {"policy_key": policy_key},
                        county=(COUNTY, OTHER_COUNTY)[n % 2],
                    )
                    for n, uscc in enumerate(usccs)
                )
            )
        )

        answers = await asyncio.gather(
            *(
                replicas[(n // 2) % 2].post(f"/claims/{claim_id}/approve", headers=city | key())
                for n, claim_id in enumerate(claim_ids)
            )
        )
        approved = {}
        for claim_id, answer in zip(claim_ids, answers, strict=True):
            assert answer.status_code in (200, 409), answer.text
            if answer.status_code == 409:
                assert answer.headers["content-type"].startswith("application/problem+json")
                assert answer.json()["code"] == "nothing_to_approve", answer.text
            else:
                approved[claim_id] = answer.json()["approved_fen"]
        # 30万 claims against a 70万 cap: two whole, one cut to the 10万 left, the rest refused.
        assert sum(approved.values()) == CAP, approved
        assert sorted(approved.values()) == [10 * WAN, CLAIMED, CLAIMED]

        committed = 0
        for source_id in sources.values():
            balances = (await two.get(f"/funding-sources/{source_id}", headers=city)).json()["balances"]
            assert min(balances.values()) >= 0
            assert balances["available_fen"] + balances["committed_fen"] == 500 * WAN
            committed += balances["committed_fen"]
        assert committed == CAP
        for claim_id in claim_ids:
            claim = (await one.get(f"/claims/{claim_id}", headers=city)).json()
            if claim_id in approved:
                assert claim["status"] == "approved"
                assert sum(a["amount_fen"] for a in claim["allocations"]) == claim["approved_fen"]
                assert claim["approved_fen"] == approved[claim_id]
            else:
                assert claim["status"] == "audited"
                assert claim["approved_fen"] == 0 and claim["allocations"] == claim["payments"] == []
        verified = (await two.get("/ledger/verify", headers=city)).json()
        assert verified["ok"] and verified["trial_balance_fen"] == 0
