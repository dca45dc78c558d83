import asyncio
import csv
import io
import uuid
from datetime import date
from typing import Any

import httpx
import pytest
from shuzhuan.events.v1.envelope_pb2 import Envelope
from shuzhuan.events.v1.funding_pb2 import ClaimApproved, RecoveryRaised
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from services.funding.claim import service as claims
from services.funding.claim.models import Claim
from services.funding.claim.schemas import AuditIn, ClaimCreate, ReviewIn
from services.funding.db import audit_log, infra
from services.funding.enterprise.models import EnterpriseCopy
from services.funding.ledger import service as ledger
from services.funding.ledger.chain import EntryType
from services.funding.ledger.models import FundingSource, LedgerEntry
from services.funding.ledger.repository import LedgerRepository
from services.funding.policy import service as policies
from services.funding.policy.presets import load_preset
from services.funding.tests.support import (
    COUNTY,
    OTHER_COUNTY,
    WAN,
    claim_body,
    claim_through_audit,
    invoice,
    key,
    new_uscc,
    revoke,
    seed_enterprise,
    setup_policy_and_sources,
)
from szcore.auth import Principal, Role
from szcore.errors import ProblemError
from szcore.types import utcnow


async def events_of(session: AsyncSession, event_type: str) -> list[Envelope]:
    rows = (await session.execute(select(infra.outbox).where(infra.outbox.c.event_type == event_type))).all()
    return [Envelope.FromString(row.envelope) for row in rows]


def enterprise_headers(tokens, uscc: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return tokens.headers(Role.enterprise, uscc=uscc) | key()


@pytest.fixture
async def enterprise(session: AsyncSession, client: httpx.AsyncClient, tokens) -> str:  # type: ignore[no-untyped-def]
    uscc = new_uscc()
    await seed_enterprise(session, uscc, contract=f"c-{uscc}")
    await setup_policy_and_sources(client, tokens)
    return uscc


class TestSubmit:
    async def test_enterprise_submits_with_quote_and_event(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens, enterprise: str
    ) -> None:
        body = claim_body(enterprise, [invoice("INV0001", 100 * WAN), invoice("INV0002", 20 * WAN)], 70 * WAN)
        response = await client.post("/claims", json=body, headers=enterprise_headers(tokens, enterprise))
        assert response.status_code == 201, response.text
        claim = response.json()
        assert claim["status"] == "submitted" and claim["quoted_fen"] == 70 * WAN and claim["level"] == 3
        assert claim["explanation"].endswith("× 70% = 840,000.00; capped at 700,000.00 for L3")
        assert [i["number"] for i in claim["invoices"]] == ["INV0001", "INV0002"]
        assert claim["attachments"][0]["sha256"] == "a" * 64
        assert len(await events_of(session, "ClaimSubmitted")) == 1

    async def test_same_key_submits_once(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens, enterprise: str
    ) -> None:
        headers = enterprise_headers(tokens, enterprise)
        body = claim_body(enterprise, [invoice("INV0003", 10 * WAN)], 7 * WAN)
        first = await client.post("/claims", json=body, headers=headers)
        again = await client.post("/claims", json=body, headers=headers)
        assert first.status_code == 201 and again.status_code == 201
        assert first.json()["claim_id"] == again.json()["claim_id"]
        count = (await session.execute(select(func.count()).where(Claim.uscc == enterprise))).scalar_one()
        assert count == 1

    async def test_invoice_reused_across_enterprises(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens, enterprise: str
    ) -> None:
        first = claim_body(enterprise, [invoice("INV-SHARED", 10 * WAN)], 7 * WAN)
        assert (
            await client.post("/claims", json=first, headers=enterprise_headers(tokens, enterprise))
        ).status_code == 201
        other = new_uscc()
        await seed_enterprise(session, other, contract=f"c-{other}")
        second = claim_body(other, [invoice("inv-shared", 10 * WAN)], 7 * WAN)
        response = await client.post("/claims", json=second, headers=enterprise_headers(tokens, other))
        assert response.status_code == 409
        assert response.json()["code"] == "invoice_reused"
        assert response.json()["errors"][0]["field"] == "invoices.0.number"

    @pytest.mark.parametrize(
        ("bad_invoice", "field", "code"),
        [
            (
                invoice("INV1", WAN, category="implementation_service"),
                "invoices.0.category",
                "category_not_eligible",
            ),
            (invoice("INV1", WAN, day=date(2025, 7, 1)), "invoices.0.issued_on", "invoice_outside_project"),
            (
                {**invoice("INV1", WAN), "payee_uscc": "91410700SOMEONEELS"},
                "invoices.0.payee_uscc",
                "payee_not_contracted",
            ),
        ],
    )
    async def test_invoice_checks(
        self,
        client: httpx.AsyncClient,
        tokens,
        enterprise: str,
        bad_invoice: dict,
        field: str,
        code: str,  # type: ignore[type-arg]
    ) -> None:
        body = claim_body(enterprise, [bad_invoice], 1)
        response = await client.post("/claims", json=body, headers=enterprise_headers(tokens, enterprise))
        assert response.status_code == 422
        assert response.json()["code"] == "claim_invalid"
        assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(field, code)]

    async def test_cannot_claim_more_than_due(
        self, client: httpx.AsyncClient, tokens, enterprise: str
    ) -> None:
        body = claim_body(enterprise, [invoice("INV0009", 10 * WAN)], 7 * WAN + 1)
        response = await client.post("/claims", json=body, headers=enterprise_headers(tokens, enterprise))
        assert response.status_code == 422 and response.json()["code"] == "claim_exceeds_entitlement"

    async def test_level_one_gets_nothing(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens, enterprise: str
    ) -> None:
        low = new_uscc()
        await seed_enterprise(session, low, level=1, contract=f"c-{low}")
        body = claim_body(low, [invoice("INV0010", 10 * WAN)], WAN)
        response = await client.post("/claims", json=body, headers=enterprise_headers(tokens, low))
        assert response.status_code == 409 and response.json()["code"] == "not_entitled"

    async def test_no_acceptance_yet(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens, enterprise: str
    ) -> None:
        fresh = new_uscc()
        await seed_enterprise(session, fresh, level=0, contract=f"c-{fresh}")
        body = claim_body(fresh, [invoice("INV0011", 10 * WAN)], WAN)
        response = await client.post("/claims", json=body, headers=enterprise_headers(tokens, fresh))
        assert response.status_code == 409 and response.json()["code"] == "acceptance_missing"

    async def test_who_may_submit(self, client: httpx.AsyncClient, tokens, enterprise: str) -> None:
        body = claim_body(enterprise, [invoice("INV0012", 10 * WAN)], WAN)
        other_enterprise = tokens.headers(Role.enterprise, uscc=new_uscc()) | key()
        assert (await client.post("/claims", json=body, headers=other_enterprise)).status_code == 404
        other_county = tokens.headers(Role.county_admin, county=OTHER_COUNTY) | key()
        assert (await client.post("/claims", json=body, headers=other_county)).status_code == 404
        # A role that may never claim is refused before the enterprise is looked up.
        provider = tokens.headers(Role.provider, provider_id="prov-1") | key()
        assert (await client.post("/claims", json=body, headers=provider)).status_code == 403
        city = tokens.headers(Role.city_admin) | key()
        assert (await client.post("/claims", json=body, headers=city)).status_code == 403
        county = tokens.headers(Role.county_admin, county=COUNTY) | key()
        assert (await client.post("/claims", json=body, headers=county)).status_code == 201
        no_key = tokens.headers(Role.enterprise, uscc=enterprise)
        response = await client.post("/claims", json=body, headers=no_key)
        assert response.status_code == 422 and response.json()["code"] == "idempotency_key_required"


class TestReviewAndApproval:
    async def test_full_flow_commits_by_source(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens, enterprise: str
    ) -> None:
        claim_id = await claim_through_audit(
            client, tokens, claim_body(enterprise, [invoice("INV0100", 120 * WAN)], 70 * WAN)
        )
        headers = tokens.headers(Role.city_admin) | key()
        approved = await client.post(f"/claims/{claim_id}/approve", headers=headers)
        assert approved.status_code == 200, approved.text
        body = approved.json()
        assert body["status"] == "approved" and body["approved_fen"] == 70 * WAN
        assert {a["source_id"]: a["amount_fen"] for a in body["allocations"]} == {
            "xinxiang-central": 35 * WAN,
            "xinxiang-city": 35 * WAN,
        }
        assert [p["status"] for p in body["payments"]] == ["queued", "queued"]
        again = await client.post(f"/claims/{claim_id}/approve", headers=headers)
        assert again.json() == body
        commitments = (
            await session.execute(
                select(func.count()).where(
                    LedgerEntry.claim_id == claim_id, LedgerEntry.entry_type == "commitment"
                )
            )
        ).scalar_one()
        assert commitments == 2
        (envelope,) = await events_of(session, "ClaimApproved")
        payload = ClaimApproved.FromString(envelope.payload)
        assert payload.approved_fen == 70 * WAN and len(payload.by_source) == 2
        refused = await client.post(
            f"/claims/{claim_id}/approve", headers=tokens.headers(Role.city_admin) | key()
        )
        assert refused.status_code == 409 and refused.json()["code"] == "claim_wrong_state"
        assert (await audit_log.verify(session, "money")).ok

    async def test_transitions_refused(self, client: httpx.AsyncClient, tokens, enterprise: str) -> None:
        body = claim_body(enterprise, [invoice("INV0200", 10 * WAN)], WAN)
        claim_id = (
            await client.post("/claims", json=body, headers=enterprise_headers(tokens, enterprise))
        ).json()["claim_id"]
        city = tokens.headers(Role.city_admin)
        early = await client.post(
            f"/claims/{claim_id}/reviews", json={"step": "city", "decision": "approve"}, headers=city
        )
        assert early.status_code == 409 and early.json()["code"] == "claim_wrong_state"
        wrong_county = tokens.headers(Role.county_admin, county=OTHER_COUNTY)
        response = await client.post(
            f"/claims/{claim_id}/reviews",
            json={"step": "county", "decision": "approve"},
            headers=wrong_county,
        )
        assert response.status_code == 404
        as_enterprise = tokens.headers(Role.enterprise, uscc=enterprise)
        response = await client.post(
            f"/claims/{claim_id}/audit", json={"result": "passed"}, headers=as_enterprise
        )
        assert response.status_code == 403
        not_audited = await client.post(f"/claims/{claim_id}/approve", headers=city | key())
        assert not_audited.status_code == 409
        county = tokens.headers(Role.county_admin, county=COUNTY)
        rejected = await client.post(
            f"/claims/{claim_id}/reviews",
            json={"step": "county", "decision": "reject", "note": "材料不全"},
            headers=county,
        )
        assert rejected.json()["status"] == "rejected"
        # A rejected claim frees its invoices for a corrected claim.
        again = await client.post("/claims", json=body, headers=enterprise_headers(tokens, enterprise))
        assert again.status_code == 201

    async def test_failed_audit_rejects(self, client: httpx.AsyncClient, tokens, enterprise: str) -> None:
        body = claim_body(enterprise, [invoice("INV0300", 10 * WAN)], WAN)
        claim_id = (
            await client.post("/claims", json=body, headers=enterprise_headers(tokens, enterprise))
        ).json()["claim_id"]
        for step, headers in (
            ("county", tokens.headers(Role.county_admin, county=COUNTY)),
            ("city", tokens.headers(Role.city_admin)),
        ):
            await client.post(
                f"/claims/{claim_id}/reviews", json={"step": step, "decision": "approve"}, headers=headers
            )
        too_much = await client.post(
            f"/claims/{claim_id}/audit",
            json={"result": "passed", "audited_fen": WAN + 1},
            headers=tokens.headers(Role.auditor),
        )
        assert too_much.status_code == 422
        failed = await client.post(
            f"/claims/{claim_id}/audit",
            json={"result": "failed", "note": "发票不实"},
            headers=tokens.headers(Role.auditor),
        )
        assert failed.json()["status"] == "rejected" and failed.json()["audit_result"] == "failed"

    async def test_source_exhausted_changes_nothing(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        uscc = new_uscc()
        await seed_enterprise(session, uscc, contract=f"c-{uscc}")
        await setup_policy_and_sources(client, tokens, amounts={"central": 10 * WAN, "city": 500 * WAN})
        claim_id = await claim_through_audit(
            client, tokens, claim_body(uscc, [invoice("INV0400", 100 * WAN)], 70 * WAN)
        )
        response = await client.post(
            f"/claims/{claim_id}/approve", headers=tokens.headers(Role.city_admin) | key()
        )
        assert response.status_code == 409 and response.json()["code"] == "source_exhausted"
        claim = (await client.get(f"/claims/{claim_id}", headers=tokens.headers(Role.city_admin))).json()
        assert claim["status"] == "audited" and claim["allocations"] == []


async def zibo_with_programme_total(client: httpx.AsyncClient, tokens, total: int) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """zibo (50万 per enterprise on its line) with a programme total, and a central source of 500万; the
    city's headers."""
    city = tokens.headers(Role.city_admin)
    document = load_preset("zibo").model_dump(mode="json") | {"programme_total_fen": total}
    assert (await client.post("/policies", json={"document": document}, headers=city)).status_code == 201
    source = {"source_id": "zibo-central", "level": "central", "name": "c", "policy_key": "zibo"}
    assert (await client.post("/funding-sources", json=source, headers=city)).status_code == 201
    allocation = {"fiscal_year": 2025, "amount_fen": 500 * WAN}
    allocated = await client.post(
        "/funding-sources/zibo-central/allocations", json=allocation, headers=city | key()
    )
    assert allocated.status_code == 200, allocated.text
    return city  # type: ignore[no-any-return]


class TestProgrammeTotal:
    async def test_approval_stops_at_the_programme_total(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        city = await zibo_with_programme_total(client, tokens, 30 * WAN)
        uscc = new_uscc()
        await seed_enterprise(session, uscc, contract=f"c-{uscc}")
        body = claim_body(uscc, [invoice("ZB0001", 100 * WAN)], 50 * WAN) | {"policy_key": "zibo"}
        claim_id = await claim_through_audit(client, tokens, body)
        approved = await client.post(f"/claims/{claim_id}/approve", headers=city | key())
        assert approved.status_code == 200, approved.text
        assert approved.json()["approved_fen"] == 30 * WAN


class TestFirstComeFirstServed:
    async def test_central_runs_out_then_local_carries(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        await setup_policy_and_sources(
            client, tokens, "jinhua", {"central": 30 * WAN, "city": 500 * WAN, "county": 500 * WAN}
        )
        approved = []
        for i in range(2):
            uscc = new_uscc()
            await seed_enterprise(
                session, uscc, level=2, accepted=date(2025, 1, 10 + i), contract=f"c-{uscc}"
            )
            body = claim_body(uscc, [invoice(f"JH{i}000", 100 * WAN)], 50 * WAN) | {"policy_key": "jinhua"}
            claim_id = await claim_through_audit(client, tokens, body)
            response = await client.post(
                f"/claims/{claim_id}/approve", headers=tokens.headers(Role.city_admin) | key()
            )
            assert response.status_code == 200, response.text
            approved.append({a["source_id"]: a["amount_fen"] for a in response.json()["allocations"]})
        # 50万 each: central 2/5 = 20万, city 1/5 = 10万, county 2/5 = 20万; central has only 30万.
        assert approved[0] == {"jinhua-central": 20 * WAN, "jinhua-city": 10 * WAN, "jinhua-county": 20 * WAN}
        assert approved[1] == {"jinhua-central": 10 * WAN, "jinhua-city": 20 * WAN, "jinhua-county": 20 * WAN}


class TestApprovalsDecidedTogether:
    """Several approvals in one transaction (`approve_many`, as the endpoint batches those that queue): each
    in turn, on the balances and caps the earlier ones left; a refusal writes nothing and stops no other."""

    async def test_each_on_what_the_earlier_ones_left(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        city = await zibo_with_programme_total(client, tokens, 100 * WAN)
        usccs = [new_uscc() for _ in range(5)]
        claim_ids = []
        for n, uscc in enumerate(usccs):
            await seed_enterprise(session, uscc, contract=f"c-{uscc}")
            body = claim_body(uscc, [invoice(f"TG{n:04d}", 100 * WAN)], 30 * WAN) | {"policy_key": "zibo"}
            claim_ids.append(await claim_through_audit(client, tokens, body))
        first, second, third, fourth, fifth = claim_ids
        before = await audit_log.verify(session, chain=claims.MONEY_CHAIN)
        city_admin = Principal("city", Role.city_admin)
        outcomes = await claims.approve_many(
            session,
            [
                (city_admin, first),
                (Principal("c", Role.county_admin, county=COUNTY), second),  # not the county's to approve
                (city_admin, second),
                (city_admin, third),
                (city_admin, fourth),  # the programme has 10万 left
                (city_admin, first),  # approved a moment ago
                (city_admin, "no-such-claim"),
                (city_admin, fifth),  # the programme is spent
            ],
        )
        approved = {
            o.claim.claim_id: o.claim.approved_fen for o in outcomes if isinstance(o, claims.Approval)
        }
        assert approved == {first: 30 * WAN, second: 30 * WAN, third: 30 * WAN, fourth: 10 * WAN}
        refusals = [(i, o.code) for i, o in enumerate(outcomes) if isinstance(o, ProblemError)]
        assert refusals == [
            (1, "role_not_allowed"),
            (5, "claim_wrong_state"),
            (6, "claim_not_found"),
            (7, "nothing_to_approve"),
        ]
        await session.flush()
        balances = (await LedgerRepository(session).balances(["zibo-central"]))["zibo-central"]
        assert balances["committed"] == 100 * WAN and balances["available"] == 400 * WAN
        assert (await ledger.verify_chain(session)).ok
        chain = await audit_log.verify(session, chain=claims.MONEY_CHAIN)
        assert chain.ok and chain.checked == before.checked + 4
        events = [ClaimApproved.FromString(e.payload) for e in await events_of(session, "ClaimApproved")]
        assert {e.claim_id: e.approved_fen for e in events} == approved
        for claim_id, fen in approved.items():
            shown = (await client.get(f"/claims/{claim_id}", headers=city)).json()
            assert shown["status"] == "approved" and shown["approved_fen"] == fen
            assert [a["amount_fen"] for a in shown["allocations"]] == [fen]
            assert [p["amount_fen"] for p in shown["payments"]] == [fen]
        untouched = (await client.get(f"/claims/{fifth}", headers=city)).json()
        assert untouched["status"] == "audited" and untouched["approved_fen"] == 0
        assert untouched["allocations"] == untouched["payments"] == []

    async def test_the_endpoint_answers_a_retry_with_the_first_answer(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        await setup_policy_and_sources(client, tokens)
        uscc = new_uscc()
        await seed_enterprise(session, uscc, contract=f"c-{uscc}")
        claim_id = await claim_through_audit(
            client, tokens, claim_body(uscc, [invoice("RT0001", 100 * WAN)], 30 * WAN)
        )
        city, retry = tokens.headers(Role.city_admin), key()
        first = await client.post(f"/claims/{claim_id}/approve", headers=city | retry)
        again = await client.post(f"/claims/{claim_id}/approve", headers=city | retry)
        other = await client.post(f"/claims/{claim_id}/approve", headers=city | key())
        assert first.status_code == again.status_code == 200 and first.content == again.content
        assert other.status_code == 409 and other.json()["code"] == "claim_wrong_state"
        someone_else = tokens.headers(Role.city_admin, subject="another-official")
        reused = await client.post(f"/claims/{claim_id}/approve", headers=someone_else | retry)
        assert reused.status_code == 409 and reused.json()["code"] == "idempotency_key_reused"


class TestDisbursementAndClawback:
    async def approved_claim(self, client: httpx.AsyncClient, tokens, uscc: str) -> str:  # type: ignore[no-untyped-def]
        claim_id = await claim_through_audit(
            client, tokens, claim_body(uscc, [invoice("INV0500", 100 * WAN)], 60 * WAN)
        )
        response = await client.post(
            f"/claims/{claim_id}/approve", headers=tokens.headers(Role.city_admin) | key()
        )
        assert response.status_code == 200
        return claim_id

    async def batch(self, client: httpx.AsyncClient, tokens, source_id: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
        response = await client.post(
            "/disbursement-batches",
            json={"source_id": source_id},
            headers=tokens.headers(Role.city_admin) | key(),
        )
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    async def test_failure_requeues_and_retry_pays_once(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens, enterprise: str
    ) -> None:
        claim_id = await self.approved_claim(client, tokens, enterprise)
        city = tokens.headers(Role.city_admin)
        central = await self.batch(client, tokens, "xinxiang-central")
        assert central["payments_count"] == 1 and central["total_fen"] == 30 * WAN
        bank_file = await client.get(f"/disbursement-batches/{central['batch_id']}/bank-file", headers=city)
        rows = list(csv.DictReader(io.StringIO(bank_file.content.decode("utf-8-sig"))))
        assert rows[0]["amount_yuan"] == "300000.00" and rows[0]["payee_uscc"] == enterprise
        xlsx = await client.get(
            f"/disbursement-batches/{central['batch_id']}/bank-file?format=xlsx", headers=city
        )
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
        payment_id = central["payments"][0]["payment_id"]
        failed = await client.post(
            f"/disbursement-batches/{central['batch_id']}/reconciliation",
            json={"csv": f"payment_id,status,bank_reference,reason\n{payment_id},failed,,账户冻结\n"},
            headers=city | key(),
        )
        assert failed.status_code == 200, failed.text
        assert failed.json()["failed"] == 1 and len(failed.json()["requeued_payment_ids"]) == 1
        retry = await self.batch(client, tokens, "xinxiang-central")
        retry_id = retry["payments"][0]["payment_id"]
        assert retry_id == failed.json()["requeued_payment_ids"][0]
        headers = city | key()
        body = {"lines": [{"payment_id": retry_id, "status": "paid", "bank_reference": "B-1"}]}
        paid = await client.post(
            f"/disbursement-batches/{retry['batch_id']}/reconciliation", json=body, headers=headers
        )
        again = await client.post(
            f"/disbursement-batches/{retry['batch_id']}/reconciliation", json=body, headers=headers
        )
        assert paid.json() == again.json() and paid.json()["paid"] == 1
        payments = (
            await session.execute(
                select(func.count()).where(
                    LedgerEntry.claim_id == claim_id, LedgerEntry.entry_type == "payment"
                )
            )
        ).scalar_one()
        assert payments == 1
        city_batch = await self.batch(client, tokens, "xinxiang-city")
        await client.post(
            f"/disbursement-batches/{city_batch['batch_id']}/reconciliation",
            json={"lines": [{"payment_id": city_batch["payments"][0]["payment_id"], "status": "paid"}]},
            headers=city | key(),
        )
        claim = (await client.get(f"/claims/{claim_id}", headers=city)).json()
        assert claim["status"] == "paid" and claim["paid_fen"] == 60 * WAN
        assert len(await events_of(session, "PaymentFailed")) == 1
        assert len(await events_of(session, "PaymentDisbursed")) == 2
        profile = await client.get(f"/enterprises/{enterprise}", headers=city)
        assert profile.json()["paid_fen"] == 60 * WAN
        empty = await client.post(
            "/disbursement-batches", json={"source_id": "xinxiang-city"}, headers=city | key()
        )
        assert empty.status_code == 409 and empty.json()["code"] == "queue_empty"

    async def test_payments_and_batches_page_in_the_chosen_order(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens, enterprise: str
    ) -> None:
        await self.approved_claim(client, tokens, enterprise)
        city = tokens.headers(Role.city_admin)

        async def walk(url: str) -> list[dict]:  # type: ignore[type-arg]
            seen, cursor = [], None
            while True:
                body = (await client.get(url + (f"&cursor={cursor}" if cursor else ""), headers=city)).json()
                assert body["total"] is not None
                seen += body["items"]
                if (cursor := body["next_cursor"]) is None:
                    return seen

        legacy = (await client.get(f"/payments?uscc={enterprise}", headers=city)).json()
        assert legacy["total"] is None and len(legacy["items"]) == 2
        by_amount = await walk(f"/payments?uscc={enterprise}&limit=1&order=amount_highest")
        amounts = [p["amount_fen"] for p in by_amount]
        assert amounts == sorted(amounts, reverse=True)
        assert sorted(p["payment_id"] for p in by_amount) == sorted(p["payment_id"] for p in legacy["items"])
        first = (
            await client.get(f"/payments?uscc={enterprise}&limit=1&order=queued_newest", headers=city)
        ).json()
        refused = await client.get(
            f"/payments?uscc={enterprise}&limit=1&cursor={first['next_cursor']}", headers=city
        )
        assert refused.status_code == 422 and refused.json()["code"] == "invalid_cursor"

        made = [await self.batch(client, tokens, s) for s in ("xinxiang-central", "xinxiang-city")]
        newest = await walk("/disbursement-batches?limit=1&order=newest")
        oldest = await walk("/disbursement-batches?limit=1&order=oldest")
        assert [b["batch_id"] for b in newest] == [b["batch_id"] for b in reversed(oldest)]
        assert {b["batch_id"] for b in made} <= {b["batch_id"] for b in newest}
        assert len(newest) == len({b["batch_id"] for b in newest})
        recoveries = await walk(f"/recoveries?uscc={enterprise}&limit=1&order=amount_highest")
        assert recoveries == [] and (await client.get("/recoveries", headers=city)).json()["total"] is None

    async def test_queue_pays_the_earliest_acceptance_first(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        await setup_policy_and_sources(client, tokens)
        late, early = new_uscc(), new_uscc()
        await seed_enterprise(session, late, accepted=date(2025, 6, 20), contract=f"c-{late}")
        await seed_enterprise(session, early, accepted=date(2025, 6, 1), contract=f"c-{early}")
        for uscc in (late, early):
            claim_id = await claim_through_audit(
                client, tokens, claim_body(uscc, [invoice(f"Q{uscc}", 10 * WAN)], WAN)
            )
            approved = await client.post(
                f"/claims/{claim_id}/approve", headers=tokens.headers(Role.city_admin) | key()
            )
            assert approved.status_code == 200
        response = await client.post(
            "/disbursement-batches",
            json={"source_id": "xinxiang-central", "max_payments": 1},
            headers=tokens.headers(Role.city_admin) | key(),
        )
        assert [p["uscc"] for p in response.json()["payments"]] == [early]

    async def test_revocation_claws_back_to_the_fen(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens, enterprise: str
    ) -> None:
        city = tokens.headers(Role.city_admin)
        before = (await client.get("/funding-sources?policy_key=xinxiang", headers=city)).json()["items"]
        claim_id = await self.approved_claim(client, tokens, enterprise)
        central = await self.batch(client, tokens, "xinxiang-central")
        await client.post(
            f"/disbursement-batches/{central['batch_id']}/reconciliation",
            json={"lines": [{"payment_id": central["payments"][0]["payment_id"], "status": "paid"}]},
            headers=city | key(),
        )
        await revoke(session, enterprise)
        claim = (await client.get(f"/claims/{claim_id}", headers=city)).json()
        assert claim["status"] == "clawed_back"
        assert [p["status"] for p in claim["payments"]] == ["paid", "cancelled"]
        recoveries = (await client.get(f"/recoveries?claim_id={claim_id}", headers=city)).json()["items"]
        assert [(r["source_id"], r["amount_fen"]) for r in recoveries] == [("xinxiang-central", 30 * WAN)]
        paged = (
            await client.get(f"/recoveries?claim_id={claim_id}&limit=1&order=raised_newest", headers=city)
        ).json()
        assert paged["items"] == recoveries and paged["total"] == 1 and paged["next_cursor"] is None
        (raised,) = await events_of(session, "RecoveryRaised")
        assert RecoveryRaised.FromString(raised.payload).reason == "pilot_status_revoked"
        recovery_id = recoveries[0]["recovery_id"]
        too_much = await client.post(
            f"/recoveries/{recovery_id}/repayments", json={"amount_fen": 30 * WAN + 1}, headers=city | key()
        )
        assert too_much.status_code == 422
        for amount in (10 * WAN, 20 * WAN):
            response = await client.post(
                f"/recoveries/{recovery_id}/repayments", json={"amount_fen": amount}, headers=city | key()
            )
            assert response.status_code == 200
        assert response.json()["status"] == "repaid"
        after = (await client.get("/funding-sources?policy_key=xinxiang", headers=city)).json()["items"]
        assert [s["balances"] for s in after] == [s["balances"] for s in before]
        assert (await client.get(f"/enterprises/{enterprise}", headers=city)).json()["paid_fen"] == 0
        verify = (await client.get("/ledger/verify", headers=city)).json()
        assert verify["ok"] and verify["trial_balance_fen"] == 0
        blocked = claim_body(enterprise, [invoice("INV0600", WAN)], WAN)
        response = await client.post("/claims", json=blocked, headers=enterprise_headers(tokens, enterprise))
        assert response.status_code == 409 and response.json()["code"] == "pilot_status_revoked"

    async def test_fraud_clawback_before_payment_releases(
        self, client: httpx.AsyncClient, tokens, enterprise: str
    ) -> None:
        city = tokens.headers(Role.city_admin)
        claim_id = await self.approved_claim(client, tokens, enterprise)
        headers = city | key()
        result = await client.post(f"/claims/{claim_id}/clawback", json={"reason": "fraud"}, headers=headers)
        assert result.status_code == 200, result.text
        assert result.json()["released_fen"] == 60 * WAN and result.json()["recoveries"] == []
        again = await client.post(f"/claims/{claim_id}/clawback", json={"reason": "fraud"}, headers=headers)
        assert again.json() == result.json()
        sources = (await client.get("/funding-sources?policy_key=xinxiang", headers=city)).json()["items"]
        assert all(s["balances"]["committed_fen"] == 0 for s in sources)
        county = tokens.headers(Role.county_admin, county=COUNTY) | key()
        assert (
            await client.post(f"/claims/{claim_id}/clawback", json={"reason": "fraud"}, headers=county)
        ).status_code == 403


class TestClaimSorting:
    async def submit(self, client: httpx.AsyncClient, tokens, enterprise: str, n: int, claimed: int) -> None:  # type: ignore[no-untyped-def]
        body = claim_body(enterprise, [invoice(f"SORT{n}", WAN)], claimed) | {
            "project_id": f"s{n}",
            "assessment_id": f"acc-{enterprise}",
        }
        response = await client.post("/claims", json=body, headers=enterprise_headers(tokens, enterprise))
        assert response.status_code == 201, response.text

    async def walk(
        self, client: httpx.AsyncClient, headers: dict[str, str], url: str, between=None
    ) -> list[dict]:  # type: ignore[no-untyped-def]
        seen: list[dict] = []  # type: ignore[type-arg]
        cursor = None
        while True:
            body = (await client.get(url + (f"&cursor={cursor}" if cursor else ""), headers=headers)).json()
            seen += body["items"]
            cursor = body["next_cursor"]
            if cursor is None:
                return seen
            if between is not None:
                await between()

    async def test_largest_claims_first_stable_while_claims_arrive(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens, enterprise: str
    ) -> None:
        for n, claimed in enumerate([WAN // 4, WAN // 2, WAN // 4, WAN // 8]):
            await self.submit(client, tokens, enterprise, n, claimed)
        city = tokens.headers(Role.city_admin)
        url = f"/claims?limit=2&uscc={enterprise}&order=claimed_highest"
        late = iter(range(10, 20))

        async def submit_small() -> None:
            await self.submit(client, tokens, enterprise, next(late), 1)

        seen = await self.walk(client, city, url, between=submit_small)
        ids = [c["claim_id"] for c in seen]
        assert len(ids) == len(set(ids))
        amounts = [c["claimed_fen"] for c in seen]
        assert amounts == sorted(amounts, reverse=True)
        assert amounts[:4] == [WAN // 2, WAN // 4, WAN // 4, WAN // 8]

    async def test_a_cursor_of_another_order_is_refused(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens, enterprise: str
    ) -> None:
        for n in range(3):
            await self.submit(client, tokens, enterprise, n, WAN // 4)
        city = tokens.headers(Role.city_admin)
        first = (
            await client.get(f"/claims?limit=2&uscc={enterprise}&order=newest_first", headers=city)
        ).json()
        refused = await client.get(f"/claims?uscc={enterprise}&cursor={first['next_cursor']}", headers=city)
        assert refused.status_code == 422 and refused.json()["code"] == "invalid_cursor"


class TestListing:
    async def test_keyset_and_scope(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens, enterprise: str
    ) -> None:
        for i in range(3):
            body = claim_body(enterprise, [invoice(f"LIST{i}", WAN)], WAN // 2) | {
                "project_id": f"p{i}",
                "assessment_id": f"acc-{enterprise}",
            }
            assert (
                await client.post("/claims", json=body, headers=enterprise_headers(tokens, enterprise))
            ).status_code == 201
        city = tokens.headers(Role.city_admin)
        first = (await client.get(f"/claims?limit=2&uscc={enterprise}", headers=city)).json()
        assert first["total"] == 3 and len(first["items"]) == 2 and first["next_cursor"]
        rest = (
            await client.get(f"/claims?limit=2&uscc={enterprise}&cursor={first['next_cursor']}", headers=city)
        ).json()
        assert len(rest["items"]) == 1
        other = tokens.headers(Role.county_admin, county=OTHER_COUNTY)
        assert (await client.get("/claims", headers=other)).json()["total"] == 0
        own = tokens.headers(Role.enterprise, uscc=enterprise)
        assert (await client.get("/claims", headers=own)).json()["total"] == 3
        assert (
            await client.get("/claims", headers=tokens.headers(Role.provider, provider_id="p"))
        ).status_code == 403

    async def test_newest_first_pages_backwards_through_submissions(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens, enterprise: str
    ) -> None:
        for i in range(3):
            body = claim_body(enterprise, [invoice(f"ORDER{i}", WAN)], WAN // 2) | {
                "project_id": f"o{i}",
                "assessment_id": f"acc-{enterprise}",
            }
            assert (
                await client.post("/claims", json=body, headers=enterprise_headers(tokens, enterprise))
            ).status_code == 201
        city = tokens.headers(Role.city_admin)
        oldest = (await client.get(f"/claims?limit=3&uscc={enterprise}", headers=city)).json()["items"]
        url = f"/claims?limit=2&uscc={enterprise}&order=newest_first"
        first = (await client.get(url, headers=city)).json()
        rest = (await client.get(f"{url}&cursor={first['next_cursor']}", headers=city)).json()
        newest = [c["claim_id"] for c in first["items"] + rest["items"]]
        assert newest == [c["claim_id"] for c in reversed(oldest)]
        assert (await client.get("/claims?order=sideways", headers=city)).status_code == 422

    async def test_batch_reads_by_uscc_are_scoped_like_the_lists(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens, enterprise: str
    ) -> None:
        other = new_uscc()
        await seed_enterprise(session, other, county=OTHER_COUNTY, contract=f"c-{other}")
        claims = {}
        for i, uscc in enumerate((enterprise, other)):
            claims[uscc] = await claim_through_audit(
                client,
                tokens,
                claim_body(uscc, [invoice(f"BATCH{i}", 100 * WAN)], 60 * WAN),
                county=COUNTY if uscc == enterprise else OTHER_COUNTY,
            )
        approved = await client.post(
            f"/claims/{claims[enterprise]}/approve", headers=tokens.headers(Role.city_admin) | key()
        )
        assert approved.status_code == 200, approved.text
        params = {"uscc": [enterprise.lower(), other, new_uscc()]}

        async def read(path: str, headers: dict[str, str]) -> list[str]:
            response = await client.get(path, params=params, headers=headers)
            assert response.status_code == 200, response.text
            return [c["uscc"] for c in response.json()["items"]]

        city = tokens.headers(Role.city_admin)
        assert sorted(await read("/claims/by-enterprise", city)) == sorted([enterprise, other])
        assert await read("/claims/by-enterprise", tokens.headers(Role.county_admin, county=COUNTY)) == [
            enterprise
        ]
        other_county = tokens.headers(Role.county_admin, county=OTHER_COUNTY)
        assert await read("/claims/by-enterprise", other_county) == [other]
        assert await read("/claims/by-enterprise", tokens.headers(Role.enterprise, uscc=other)) == [other]
        provider = tokens.headers(Role.provider, provider_id="p")
        assert (await client.get("/claims/by-enterprise", params=params, headers=provider)).status_code == 403

        paid_to = await read("/payments/by-enterprise", city)
        assert paid_to and set(paid_to) == {enterprise}
        assert await read("/payments/by-enterprise", tokens.headers(Role.auditor)) == paid_to
        assert await read("/payments/by-enterprise", tokens.headers(Role.enterprise, uscc=other)) == []
        assert (
            await read("/payments/by-enterprise", tokens.headers(Role.enterprise, uscc=enterprise)) == paid_to
        )
        refused = await client.get("/payments/by-enterprise", params=params, headers=other_county)
        assert refused.status_code == 403


class TestConcurrentApprovals:
    """Many approvals of different claims race for one small source, each in its own connection."""

    # Committed for real (the other tests' transactions roll back): a county of its own, so that no other
    # test's county-wide list sees these claims.
    COUNTY = "410799"

    async def test_no_overdraw(self, engine: AsyncEngine) -> None:
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        city = Principal("city", Role.city_admin)
        auditor = Principal("auditor", Role.auditor)
        policy_key = f"race{uuid.uuid4().hex[:8]}"
        document = load_preset("zibo").model_dump(mode="json") | {"key": policy_key}
        claim_ids = []
        async with sessions() as setup:
            await policies.publish(setup, city, document, "race")
            source = FundingSource(
                source_id=f"{policy_key}-central",
                level="central",
                name="c",
                policy_key=policy_key,
                created_at=utcnow(),
            )
            setup.add(source)
            await setup.flush()
            await ledger.post(
                setup, "test", [ledger.Posting(EntryType.allocation, source.source_id, 2025, 100 * WAN)]
            )
            for i in range(12):
                uscc = new_uscc()
                await seed_enterprise(setup, uscc, county=self.COUNTY, contract=f"c-{uscc}")
                data = ClaimCreate.model_validate(
                    claim_body(uscc, [invoice(f"R{policy_key}{i}", 60 * WAN)], 30 * WAN)
                    | {"policy_key": policy_key}
                )
                claim = await claims.submit(setup, Principal("e", Role.enterprise, uscc=uscc), data)
                county = Principal("county", Role.county_admin, county=self.COUNTY)
                await claims.review(
                    setup, county, claim.claim_id, ReviewIn(step="county", decision="approve")
                )
                await claims.review(setup, city, claim.claim_id, ReviewIn(step="city", decision="approve"))
                await claims.record_audit(setup, auditor, claim.claim_id, AuditIn(result="passed"))
                claim_ids.append(claim.claim_id)
            await setup.commit()

        async def approve(claim_id: str) -> bool:
            async with sessions() as s:
                try:
                    await claims.approve(s, city, claim_id)
                    await s.commit()
                    return True
                except ProblemError as error:
                    assert error.code == "source_exhausted"
                    await s.rollback()
                    return False

        results = await asyncio.gather(*(approve(c) for c in claim_ids))
        assert sum(results) == 3
        async with sessions() as check:
            balances = (await LedgerRepository(check).balances([f"{policy_key}-central"]))[
                f"{policy_key}-central"
            ]
            assert balances["available"] == 10 * WAN and balances["committed"] == 90 * WAN
            assert (await ledger.verify_chain(check)).ok
            approved = (
                await check.execute(
                    select(func.count()).where(Claim.policy_key == policy_key, Claim.status == "approved")
                )
            ).scalar_one()
            assert approved == 3
            assert (await check.get(EnterpriseCopy, "x" * 18)) is None


class TestCapsOfAnApproval:
    """The pure part of the cap check: what an approval may commit, and which locks guard the caps."""

    @staticmethod
    def policy(**caps: int) -> tuple[Any, Any]:
        document = load_preset("zibo").model_dump(mode="json")
        document["programme_total_fen"] = caps.pop("programme_total_fen", None)
        document["lines"][0]["caps"] = {"per_recipient_fen": None, **caps}
        policy = policies.validate_document(document)
        return policy, policy.lines[0]

    @staticmethod
    def claim(claimed: int = 30 * WAN, quoted: int = 40 * WAN, audited: int | None = 25 * WAN) -> Claim:
        return Claim(claim_id="c", uscc="U", claimed_fen=claimed, quoted_fen=quoted, audited_fen=audited)

    def test_the_smallest_of_claimed_quoted_audited_and_each_caps_room(self) -> None:
        policy, line = self.policy()
        assert claims.approvable_fen(self.claim(), line, policy) == 25 * WAN
        assert claims.approvable_fen(self.claim(audited=None), line, policy) == 0
        policy, line = self.policy(per_recipient_fen=50 * WAN, line_total_fen=100 * WAN)
        usage = claims.CapUsage(recipient_fen=40 * WAN, line_fen=0)
        assert claims.approvable_fen(self.claim(), line, policy, usage) == 10 * WAN
        usage = claims.CapUsage(recipient_fen=0, line_fen=95 * WAN)
        assert claims.approvable_fen(self.claim(), line, policy, usage) == 5 * WAN
        policy, line = self.policy(programme_total_fen=60 * WAN)
        usage = claims.CapUsage(programme_fen=70 * WAN)
        assert claims.approvable_fen(self.claim(), line, policy, usage) == -10 * WAN

    def test_one_lock_per_cap_in_a_fixed_order(self) -> None:
        policy, line = self.policy()
        assert claims.cap_lock_keys(policy, line, "U") == []
        policy, line = self.policy(per_recipient_fen=1, line_total_fen=1, programme_total_fen=1)
        keys = claims.cap_lock_keys(policy, line, "U")
        assert len(set(keys)) == 3 and keys == sorted(keys)
        assert all(-(2**63) <= k < 2**63 for k in keys)
        # The line's and the programme's locks are shared by every enterprise; the recipient's is not.
        others = claims.cap_lock_keys(policy, line, "V")
        assert len(set(keys) & set(others)) == 2
