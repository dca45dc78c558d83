"""The gateway against the real processes: live subscriptions fed from NATS, and a dead service
degrading only the fields that need it."""

import asyncio
import json
from typing import Any

import httpx
import nats
import pytest
import websockets
from shuzhuan.events.v1.enrollment_pb2 import EnterpriseRegistered

from ops.local import Platform
from szcore.auth import Role
from szcore.events import new_envelope

pytestmark = pytest.mark.e2e

COUNTY = "410311"
USCC = "91410700MA44XX01KT"

REGISTER = """mutation R($input: RegisterEnterpriseInput!) {
  registerEnterprise(input: $input) { errors { code } } }"""
OVERVIEW = """query O($uscc: String!) { enterprise(uscc: $uscc) {
  name assessment { currentLevel } matching { openEngagements } funding { paidFen } } }"""
SUBSCRIBE = (
    """subscription S($uscc: String!) { enterpriseEvents(uscc: $uscc) { eventType uscc producer payload } }"""
)


async def graphql(platform: Platform, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=platform.url("gateway"), timeout=15) as client:
        response = await client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {token}"},
        )
    return response.json()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
async def registered(platform: Platform, tokens) -> str:
    variables = {
        "input": {
            "uscc": USCC,
            "name": "新乡智造有限公司",
            "countyCode": COUNTY,
            "industryCode": "C38",
            "sizeClass": "BELOW_SCALE",
        }
    }
    result = await graphql(platform, REGISTER, variables, tokens(Role.city_admin))
    assert result["data"]["registerEnterprise"]["errors"] in ([], [{"code": "DUPLICATE_USCC"}])
    return USCC


async def subscribe(platform: Platform, token: str, uscc: str) -> websockets.ClientConnection:
    url = platform.url("gateway").replace("http", "ws") + "/graphql"
    ws = await websockets.connect(url, subprotocols=["graphql-transport-ws"])
    await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    await ws.send(
        json.dumps(
            {"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE, "variables": {"uscc": uscc}}}
        )
    )
    return ws


class TestLiveUpdates:
    async def test_a_subscriber_receives_events_about_its_enterprise(
        self, platform: Platform, registered: str, tokens
    ) -> None:
        ws = await subscribe(platform, tokens(Role.county_admin, county=COUNTY), registered)
        try:
            await asyncio.sleep(0.5)
            namespace = platform.env["SZ_EVENTS_NAMESPACE"]
            nc = await nats.connect(platform.env["SZ_NATS_URL"])
            for uscc in ("91350100M000100Y43", registered):
                payload = EnterpriseRegistered(uscc=uscc, name="x", county_code=COUNTY)
                envelope = new_envelope(
                    payload, producer="enrollment", aggregate_type="enterprise", aggregate_id=uscc
                )
                await nc.publish(
                    f"{namespace}.events.enrollment.EnterpriseRegistered", envelope.SerializeToString()
                )
            await nc.flush()
            await nc.close()
            message = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert message["type"] == "next"
            event = message["payload"]["data"]["enterpriseEvents"]
            assert event["uscc"] == registered and event["eventType"] == "EnterpriseRegistered"
            assert event["producer"] == "enrollment" and event["payload"]["county_code"] == COUNTY
        finally:
            await ws.close()

    async def test_another_county_cannot_subscribe(self, platform: Platform, registered: str, tokens) -> None:
        ws = await subscribe(platform, tokens(Role.county_admin, county="410322"), registered)
        try:
            message = json.loads(await asyncio.wait_for(ws.recv(), 10))
            # Refused when the stream starts: the error arrives as the stream's only result.
            errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
            assert errors[0]["extensions"]["code"] == "ENTERPRISE_NOT_FOUND"
            assert "data" not in message["payload"] or message["payload"]["data"] is None
        finally:
            await ws.close()


class TestDegradation:
    async def test_a_dead_service_fails_only_its_fields(
        self, platform: Platform, registered: str, tokens
    ) -> None:
        token = tokens(Role.city_admin)
        await asyncio.to_thread(platform.stop_process, "assessment")
        try:
            result = await graphql(platform, OVERVIEW, {"uscc": registered}, token)
        finally:
            platform.start_process("assessment")
            await asyncio.to_thread(platform.wait_ready, ("assessment",))
        enterprise = result["data"]["enterprise"]
        assert enterprise["name"] == "新乡智造有限公司"
        assert enterprise["assessment"] is None
        assert enterprise["funding"] == {"paidFen": 0} or enterprise["funding"] is None
        assert [e["extensions"]["code"] for e in result["errors"]] == ["UPSTREAM_UNAVAILABLE"]
        assert result["errors"][0]["path"] == ["enterprise", "assessment"]
