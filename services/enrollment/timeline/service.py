from collections.abc import Callable
from typing import Any

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message
from shuzhuan.events.v1.matching_pb2 import (
    EngagementCancelled,
    EngagementClosed,
    EngagementCreated,
    ProjectCompleted,
)
from sqlalchemy.ext.asyncio import AsyncSession

from services.enrollment.application.repository import ApplicationRepository
from services.enrollment.enterprise import service as enterprise_service
from services.enrollment.enterprise.repository import EnterpriseRepository
from services.enrollment.timeline.repository import TimelineRepository
from services.enrollment.timeline.schemas import TimelineItem
from szcore.auth import Principal
from szcore.events import Event, from_timestamp


def yuan(fen: int) -> str:
    return f"{fen / 100:,.2f}"


# event type -> (field holding its time, summary in Chinese / English)
SUMMARIES: dict[str, tuple[str, Callable[[Any], str]]] = {
    "AssessmentSubmitted": (
        "submitted_at",
        lambda p: f"提交评测，等级{p.level} / assessment submitted, level {p.level}",
    ),
    "AcceptanceEvaluated": (
        "evaluated_at",
        lambda p: (
            f"评测验收：{p.level_before}级→{p.level}级 / acceptance: level {p.level_before} to {p.level}"
        ),
    ),
    "PilotStatusRevoked": (
        "revoked_at",
        lambda p: f"回头看取消试点资格 / pilot status revoked ({p.finding})",
    ),
    "EngagementCreated": (
        "created_at",
        lambda p: f"与服务商{p.provider_id}建立{p.kind}对接 / engaged provider",
    ),
    "EngagementCancelled": (
        "cancelled_at",
        lambda p: f"与服务商{p.provider_id}的对接已取消 / engagement cancelled",
    ),
    "EngagementClosed": (
        "closed_at",
        lambda p: f"与服务商{p.provider_id}的{p.kind}对接已结束 / engagement closed ({p.outcome})",
    ),
    "ContractSigned": ("signed_on", lambda p: f"签订改造合同 {yuan(p.amount_fen)} 元 / contract signed"),
    "ProjectCompleted": (
        "completed_at",
        lambda p: f"改造项目完成，支出 {yuan(p.spent_fen)} 元 / project completed",
    ),
    "ClaimApproved": (
        "approved_at",
        lambda p: f"奖补核定 {yuan(p.approved_fen)} 元 / subsidy claim approved",
    ),
    "PaymentDisbursed": ("paid_at", lambda p: f"资金拨付 {yuan(p.amount_fen)} 元 / payment disbursed"),
    "RecoveryRaised": (
        "raised_at",
        lambda p: f"资金收回 {yuan(p.amount_fen)} 元 / recovery raised ({p.reason})",
    ),
}


def timeline_row(event: Event) -> dict[str, Any]:
    payload: Message = event.payload
    time_field, summary = SUMMARIES[event.event_type]
    occurred = getattr(payload, time_field)
    return {
        "event_id": event.event_id,
        "uscc": getattr(payload, "uscc"),  # noqa: B009
        "producer": event.envelope.producer,
        "event_type": event.event_type,
        "occurred_at": from_timestamp(occurred if occurred.seconds else event.envelope.occurred_at),
        "summary": summary(payload)[:300],
        "data": MessageToDict(payload, preserving_proto_field_name=True),
    }


async def _follow_engagement(repository: TimelineRepository, payload: Message) -> None:
    if isinstance(payload, EngagementCreated) and payload.provider_id:
        await repository.add_engagement(payload.uscc, payload.provider_id, payload.engagement_id)
    if isinstance(payload, EngagementCancelled | EngagementClosed) and payload.provider_id:
        await repository.end_engagement(payload.uscc, payload.provider_id, payload.engagement_id)
    if isinstance(payload, ProjectCompleted) and payload.provider_id:
        await repository.end_engagement(payload.uscc, payload.provider_id, None)


async def apply_event(session: AsyncSession, event: Event) -> None:
    await apply_events(session, [event])


async def apply_events(session: AsyncSession, events: list[Event]) -> None:
    """A batch in stream order: the engagements (which grant providers reading rights) change in that
    order; the timeline rows, keyed by event id, go in with one statement."""
    repository = TimelineRepository(session)
    for event in events:
        await _follow_engagement(repository, event.payload)
    await repository.add_once([timeline_row(event) for event in events])


ACTION_LABELS = {
    "submit": "提交申报 / applied",
    "resubmit": "重新提交 / resubmitted",
    "review": "审核 / reviewed",
    "start_notice": "公示 / public notice",
    "raise_objection": "异议 / objection raised",
    "uphold_objection": "异议成立 / objection upheld",
    "dismiss_objection": "异议不成立 / objection dismissed",
    "admit": "入选 / admitted",
    "admit_as_replacement": "替补入选 / admitted as replacement",
    "withdraw": "退出 / withdrawn",
    "replaced": "被替补 / place given to a replacement",
    "disqualify": "取消资格 / disqualified",
    "transfer": "调整批次 / moved to another batch",
}


async def timeline_of(
    session: AsyncSession, principal: Principal, uscc: str, limit: int
) -> list[TimelineItem]:
    """The dossier's own changes, its admission steps and what the other services reported, newest first."""
    enterprise = await enterprise_service.get(session, principal, uscc)
    items = [
        TimelineItem(
            at=version.changed_at,
            kind="dossier",
            source=version.source.value,
            summary=f"档案第{version.version}版 / dossier version {version.version}: "
            + ", ".join(sorted(version.changes)),
            data={"version": version.version, "changes": version.changes},
        )
        for version in await EnterpriseRepository(session).versions(enterprise.uscc)
    ]
    for action, batch_id in await ApplicationRepository(session).actions_for_enterprise(enterprise.uscc):
        label = ACTION_LABELS.get(action.action, action.action)
        detail = f"（{action.step}: {action.decision}）" if action.decision else ""
        items.append(
            TimelineItem(
                at=action.occurred_at,
                kind="application",
                source="enrollment",
                summary=f"{label}{detail}",
                data={
                    "application_id": action.application_id,
                    "batch_id": batch_id,
                    "action": action.action,
                    "to_status": action.to_status,
                    "comment": action.comment,
                },
            )
        )
    items += [
        TimelineItem(
            at=entry.occurred_at,
            kind=entry.event_type,
            source=entry.producer,
            summary=entry.summary,
            data=entry.data,
        )
        for entry in await TimelineRepository(session).for_enterprise(enterprise.uscc, limit)
    ]
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]
