"""One request is one trace: gateway → enrollment → (outbox, NATS) → assessment's consumer, collected
with an in-memory span exporter. The processes run in this test's process so that one exporter sees all."""

import asyncio
import uuid

import httpx
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from gateway.app import create_app as create_gateway
from ops.processes import migrate
from services.assessment.app import create_app as create_assessment
from services.enrollment.app import create_app as create_enrollment
from szcore.auth import Role
from szcore.settings import Settings, get_settings
from szcore.tracing import add_span_processor, configure_tracing
from tests.support.databases import DatabaseFactory
from tests.support.eventservice import eventually
from tests.support.fixtures import namespace

REGISTER = """mutation R($input: RegisterEnterpriseInput!) {
  registerEnterprise(input: $input) { enterprise { uscc } errors { code } } }"""


def copy_consumer(span: ReadableSpan) -> bool:
    return (
        span.kind == SpanKind.CONSUMER
        and span.attributes.get("messaging.consumer") == "assessment-enterprise-copy"
    )


class TestTraceAcrossProcessesAndNats:
    async def test_a_registration_and_the_consumer_it_triggers_are_one_trace(
        self, databases: DatabaseFactory, tokens
    ) -> None:
        settings = Settings(
            events_namespace=namespace("trace"), nats_url=get_settings().nats_url, outbox_poll_seconds=0.2
        )
        configure_tracing("test", settings)
        exporter = InMemorySpanExporter()
        add_span_processor(SimpleSpanProcessor(exporter))
        urls = {}
        for service in ("enrollment", "assessment"):
            urls[service] = await databases.create(f"trace_{service}_{uuid.uuid4().hex[:4]}")
            await asyncio.to_thread(migrate, service, urls[service])
        enrollment = create_enrollment(settings=settings, database_url=urls["enrollment"])
        assessment = create_assessment(settings=settings, database_url=urls["assessment"])
        gateway = create_gateway(settings)
        gateway.state.clients.by_name["enrollment"].http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=enrollment), base_url="http://enrollment"
        )
        variables = {
            "input": {
                "uscc": "91350100M000100Y43",
                "name": "追踪测试",
                "countyCode": "410322",
                "industryCode": "C34",
                "sizeClass": "ABOVE_SCALE",
            }
        }
        async with (
            enrollment.router.lifespan_context(enrollment),
            assessment.router.lifespan_context(assessment),
        ):
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=gateway), base_url="http://gw"
            ) as client:
                response = await client.post(
                    "/graphql",
                    json={"query": REGISTER, "variables": variables},
                    headers=tokens.headers(Role.city_admin),
                )
            assert response.json()["data"]["registerEnterprise"]["errors"] == []

            async def consumed() -> bool:
                return any(copy_consumer(s) for s in exporter.get_finished_spans())

            await eventually(consumed)
        await gateway.state.clients.close()
        exporter.shutdown()

        spans = exporter.get_finished_spans()
        servers = {s.name: s for s in spans if s.kind == SpanKind.SERVER}
        gateway_server = servers["POST /graphql"]
        enrollment_server = servers["POST /enterprises"]
        client_call = next(s for s in spans if s.kind == SpanKind.CLIENT and s.name == "enrollment POST")
        consumer = next(
            s for s in spans if s.kind == SpanKind.CONSUMER and s.name == "consume EnterpriseRegistered"
        )
        trace_id = gateway_server.context.trace_id
        assert {
            client_call.context.trace_id,
            enrollment_server.context.trace_id,
            consumer.context.trace_id,
        } == {trace_id}
        assert client_call.parent.span_id == gateway_server.context.span_id
        assert enrollment_server.parent.span_id == client_call.context.span_id
        assert consumer.parent.span_id == enrollment_server.context.span_id
        assert consumer.name == "consume EnterpriseRegistered"
        assert len([s for s in spans if s.kind == SpanKind.SERVER]) == 2
