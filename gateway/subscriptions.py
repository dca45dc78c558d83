from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from gateway.live import LiveEvent, LiveHub

APPLICATION_EVENTS = (
    "ApplicationSubmitted",
    "ApplicationReviewed",
    "EnterpriseAdmitted",
    "EnterpriseWithdrawn",
    "EnterpriseDisqualified",
    "EnterpriseTransferred",
)
PROJECT_EVENTS = (
    "EngagementCreated",
    "PlanApproved",
    "ContractSigned",
    "MilestoneReported",
    "ProjectCompleted",
)
CLAIM_EVENTS = ("ClaimSubmitted", "ClaimApproved", "PaymentDisbursed", "PaymentFailed", "RecoveryRaised")


@strawberry.type(description="Something that just happened to an enterprise / 企业动态")
class EnterpriseEvent:
    event_id: str = strawberry.field(description="Event id / 事件编号")
    event_type: str = strawberry.field(description="Event type, e.g. ApplicationReviewed / 事件类型")
    producer: str = strawberry.field(description="Service that reported it / 来源服务")
    occurred_at: datetime = strawberry.field(description="When it happened (UTC) / 发生时间")
    uscc: str = strawberry.field(description="Enterprise / 统一社会信用代码")
    aggregate_id: str = strawberry.field(
        description="Record it concerns (application, project, claim...) / 对象编号"
    )
    payload: JSON = strawberry.field(description="The event's fields as sent / 事件内容")

    @classmethod
    def from_live(cls, event: LiveEvent) -> "EnterpriseEvent":
        return cls(
            event_id=event.event_id,
            event_type=event.event_type,
            producer=event.producer,
            occurred_at=datetime.fromisoformat(event.occurred_at),
            uscc=event.uscc,
            aggregate_id=event.aggregate_id,
            payload=event.payload,
        )


async def enterprise_stream(
    info: Info[Any, Any], uscc: str, event_types: tuple[str, ...] | list[str] | None
) -> AsyncGenerator[EnterpriseEvent, None]:
    # Authorised like a query: the subscriber must be allowed to read the enterprise's dossier.
    await info.context.clients.enrollment.get(f"/enterprises/{uscc}", info.context.token)
    hub: LiveHub = info.context.request.app.state.live
    wanted = set(event_types or ())
    async for event in hub.listen(lambda e: e.uscc == uscc and (not wanted or e.event_type in wanted)):
        yield EnterpriseEvent.from_live(event)


@strawberry.type(description="Shuzhuan (数转) live updates over WebSocket (graphql-transport-ws)")
class Subscription:
    @strawberry.subscription(description="Every event about an enterprise / 企业全部动态")
    async def enterprise_events(
        self, info: Info[Any, Any], uscc: str, event_types: list[str] | None = None
    ) -> AsyncGenerator[EnterpriseEvent, None]:
        async for event in enterprise_stream(info, uscc, event_types):
            yield event

    @strawberry.subscription(description="Application and admission status changes / 申报与入选状态")
    async def application_status(
        self, info: Info[Any, Any], uscc: str
    ) -> AsyncGenerator[EnterpriseEvent, None]:
        async for event in enterprise_stream(info, uscc, APPLICATION_EVENTS):
            yield event

    @strawberry.subscription(description="Transformation project progress / 改造项目进展")
    async def project_progress(
        self, info: Info[Any, Any], uscc: str
    ) -> AsyncGenerator[EnterpriseEvent, None]:
        async for event in enterprise_stream(info, uscc, PROJECT_EVENTS):
            yield event

    @strawberry.subscription(description="Claim and payment status / 奖补申领与拨付状态")
    async def claim_status(self, info: Info[Any, Any], uscc: str) -> AsyncGenerator[EnterpriseEvent, None]:
        async for event in enterprise_stream(info, uscc, CLAIM_EVENTS):
            yield event
