import asyncio
import uuid

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from services.funding.ledger import service as ledger
from services.funding.ledger.chain import EntryType
from services.funding.ledger.models import FundingSource, LedgerEntry
from services.funding.ledger.repository import LedgerRepository
from services.funding.policy.presets import load_preset
from szcore.auth import Role
from szcore.errors import ProblemError
from szcore.types import utcnow

WAN = 1_000_000


def preset_data(key: str) -> dict:  # type: ignore[type-arg]
    return load_preset(key).model_dump(mode="json")


def key() -> dict[str, str]:
    return {"idempotency-key": uuid.uuid4().hex}


class TestPolicies:
    async def test_presets_are_listed(self, client: httpx.AsyncClient, tokens) -> None:
        response = await client.get("/policy-presets", headers=tokens.headers(Role.enterprise, uscc="X" * 18))
        assert response.status_code == 200
        assert [p["key"] for p in response.json()["items"]] == [
            "hefei",
            "jinhua",
            "luoyang",
            "xinxiang",
            "zibo",
        ]

    async def test_publish_versions_and_keep_old_ones(self, client: httpx.AsyncClient, tokens) -> None:
        city = tokens.headers(Role.city_admin)
        first = await client.post("/policies/from-preset/xinxiang", headers=city)
        assert first.status_code == 201, first.text
        assert first.json()["version"] == 1
        changed = preset_data("xinxiang") | {"name": "新乡 2026 修订"}
        second = await client.post("/policies", json={"document": changed, "note": "修订"}, headers=city)
        assert second.status_code == 201 and second.json()["version"] == 2
        old = await client.get("/policies/xinxiang/versions/1", headers=city)
        assert old.json()["name"] == preset_data("xinxiang")["name"]
        assert old.json()["document_sha256"] == first.json()["document_sha256"]
        latest = await client.get("/policies/xinxiang", headers=city)
        assert latest.json()["version"] == 2
        listed = await client.get("/policies/xinxiang/versions", headers=city)
        assert [v["version"] for v in listed.json()["items"]] == [1, 2]

    async def test_invalid_document_is_refused_field_by_field(
        self, client: httpx.AsyncClient, tokens
    ) -> None:
        document = preset_data("luoyang") | {
            "lines": [{"code": "x", "name": "bad", "base": {"kind": "nope"}}]
        }
        response = await client.post(
            "/policies", json={"document": document}, headers=tokens.headers(Role.city_admin)
        )
        assert response.status_code == 422
        body = response.json()
        assert body["code"] == "policy_invalid"
        assert {e["field"] for e in body["errors"]} >= {"document.lines.0.code", "document.lines.0.base.kind"}

    @pytest.mark.parametrize("role", [Role.county_admin, Role.enterprise, Role.auditor])
    async def test_only_the_city_publishes(self, client: httpx.AsyncClient, tokens, role: Role) -> None:
        scope = {"county": "410700"} if role is Role.county_admin else {}
        scope |= {"uscc": "X" * 18} if role is Role.enterprise else {}
        response = await client.post("/policies/from-preset/jinhua", headers=tokens.headers(role, **scope))
        assert response.status_code == 403

    async def test_unknown_policy_and_preset(self, client: httpx.AsyncClient, tokens) -> None:
        city = tokens.headers(Role.city_admin)
        assert (await client.get("/policies/nope", headers=city)).status_code == 404
        assert (await client.post("/policies/from-preset/nope", headers=city)).status_code == 404


async def make_source(client: httpx.AsyncClient, tokens, source_id: str, level: str = "central") -> None:
    body = {"source_id": source_id, "level": level, "name": source_id, "policy_key": "jinhua"}
    if level == "county":
        body["county_code"] = "330702"
    response = await client.post("/funding-sources", json=body, headers=tokens.headers(Role.city_admin))
    assert response.status_code == 201, response.text


class TestSourcesAndAllocations:
    async def test_allocation_is_idempotent(self, client: httpx.AsyncClient, tokens) -> None:
        await make_source(client, tokens, "jh-central")
        headers = tokens.headers(Role.city_admin) | key()
        body = {"fiscal_year": 2025, "amount_fen": 100 * WAN, "memo": "财建〔2025〕1号"}
        first = await client.post("/funding-sources/jh-central/allocations", json=body, headers=headers)
        again = await client.post("/funding-sources/jh-central/allocations", json=body, headers=headers)
        assert first.status_code == again.status_code == 200
        assert first.json() == again.json()
        source = await client.get("/funding-sources/jh-central", headers=tokens.headers(Role.city_admin))
        assert source.json()["balances"]["allocated_fen"] == 100 * WAN
        assert source.json()["balances"]["available_fen"] == 100 * WAN
        other = await client.post(
            "/funding-sources/jh-central/allocations", json=body | {"amount_fen": 1}, headers=headers
        )
        assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"

    async def test_allocation_needs_a_key(self, client: httpx.AsyncClient, tokens) -> None:
        await make_source(client, tokens, "jh-city", "city")
        response = await client.post(
            "/funding-sources/jh-city/allocations",
            json={"fiscal_year": 2025, "amount_fen": 1},
            headers=tokens.headers(Role.city_admin),
        )
        assert response.status_code == 422 and response.json()["code"] == "idempotency_key_required"

    async def test_the_role_is_checked_before_the_key_and_the_source(
        self, client: httpx.AsyncClient, tokens
    ) -> None:
        await make_source(client, tokens, "jh-role")
        body = {"fiscal_year": 2025, "amount_fen": 1}
        city = tokens.headers(Role.city_admin) | key()
        assert (await client.post("/funding-sources/jh-role/allocations", json=body, headers=city)).is_success
        county = tokens.headers(Role.county_admin, county="330702")
        # No key, a key the city already used, an existing and a missing source: the same refusal.
        for path, headers in [
            ("/funding-sources/jh-role/allocations", county),
            ("/funding-sources/jh-role/allocations", county | {"idempotency-key": city["idempotency-key"]}),
            ("/funding-sources/no-such-source/allocations", county | key()),
        ]:
            response = await client.post(path, json=body, headers=headers)
            assert response.status_code == 403 and response.json()["code"] == "role_not_allowed", path

    async def test_refusals(self, client: httpx.AsyncClient, tokens) -> None:
        city = tokens.headers(Role.city_admin)
        await make_source(client, tokens, "jh-x")
        duplicate = await client.post(
            "/funding-sources",
            json={"source_id": "jh-x", "level": "central", "name": "x", "policy_key": "jinhua"},
            headers=city,
        )
        assert duplicate.status_code == 409
        county = await client.post(
            "/funding-sources",
            json={"source_id": "jh-y", "level": "county", "name": "y", "policy_key": "jinhua"},
            headers=city,
        )
        assert county.status_code == 422 and county.json()["code"] == "county_required"
        missing = await client.post(
            "/funding-sources/nope/allocations",
            json={"fiscal_year": 2025, "amount_fen": 5},
            headers=city | key(),
        )
        assert missing.status_code == 404
        county_admin = tokens.headers(Role.county_admin, county="330702")
        assert (await client.get("/funding-sources", headers=county_admin)).status_code == 403

    async def test_matching_rule(self, client: httpx.AsyncClient, tokens) -> None:
        city = tokens.headers(Role.city_admin)
        assert (await client.post("/policies/from-preset/jinhua", headers=city)).status_code == 201
        await make_source(client, tokens, "m-central")
        await make_source(client, tokens, "m-county", "county")
        for source_id, amount in (("m-central", 100 * WAN), ("m-county", 120 * WAN)):
            response = await client.post(
                f"/funding-sources/{source_id}/allocations",
                json={"fiscal_year": 2025, "amount_fen": amount},
                headers=city | key(),
            )
            assert response.status_code == 200
        matching = (await client.get("/policies/jinhua/matching", headers=city)).json()
        assert matching["local_required_fen"] == 150 * WAN and matching["local_shortfall_fen"] == 30 * WAN

    async def test_chain_verifies_and_detects_edits(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        city = tokens.headers(Role.city_admin)
        await make_source(client, tokens, "v-central")
        for amount in (5, 7):
            await client.post(
                "/funding-sources/v-central/allocations",
                json={"fiscal_year": 2025, "amount_fen": amount},
                headers=city | key(),
            )
        report = (await client.get("/ledger/verify", headers=city)).json()
        assert report["ok"] and report["checked"] >= 2 and report["trial_balance_fen"] == 0
        entry = (
            (await session.execute(select(LedgerEntry).order_by(LedgerEntry.seq.desc()))).scalars().first()
        )
        assert entry is not None
        entry.amount_fen = 700
        await session.flush()
        broken = (await client.get("/ledger/verify", headers=city)).json()
        assert not broken["ok"] and broken["first_broken_seq"] == entry.seq


class TestConcurrentSpending:
    """Many transactions commit against one small source at once, each on its own connection."""

    async def test_never_overdrawn(self, engine: AsyncEngine) -> None:
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        source_id = f"race-{uuid.uuid4().hex[:8]}"
        async with sessions() as setup:
            setup.add(
                FundingSource(
                    source_id=source_id, level="central", name="race", policy_key="race", created_at=utcnow()
                )
            )
            await setup.flush()
            await ledger.post(setup, "test", [ledger.Posting(EntryType.allocation, source_id, 2025, 100)])
            await setup.commit()

        async def spend(i: int) -> bool:
            async with sessions() as s:
                try:
                    await ledger.lock_and_check(s, {source_id: 30})
                    await ledger.post(
                        s,
                        f"spender-{i}",
                        [ledger.Posting(EntryType.commitment, source_id, 2025, 30, memo=str(i))],
                    )
                    await asyncio.sleep(0)
                    await s.commit()
                    return True
                except ProblemError as error:
                    assert error.code == "source_exhausted"
                    await s.rollback()
                    return False

        results = await asyncio.gather(*(spend(i) for i in range(20)))
        assert sum(results) == 3
        async with sessions() as check:
            balances = (await LedgerRepository(check).balances([source_id]))[source_id]
            assert balances["available"] == 10 and balances["committed"] == 90
            assert sum(balances.values()) == 0
            assert (await ledger.verify_chain(check)).ok
