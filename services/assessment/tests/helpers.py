"""Test data shared by the assessment tests: the indexes and answer builders."""

import json
from pathlib import Path

from google.protobuf.message import Message
from shuzhuan.events.v1.enrollment_pb2 import EnterpriseRegistered, SizeClass
from shuzhuan.events.v1.envelope_pb2 import Envelope
from shuzhuan.events.v1.matching_pb2 import EngagementCancelled, EngagementCreated, ProjectCompleted
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.assessment.consumers import apply_project_completed
from services.assessment.assessment.events import dispatch_engagement
from services.assessment.db import infra
from services.assessment.enterprise.service import apply_enterprise_registered
from services.assessment.index.schemas import IndexDocument, QuestionDoc
from services.assessment.index.service import DEFAULT_INDEX, preset_text
from services.assessment.scoring.engine import Answers
from szcore.events import PAYLOAD_TYPES, Event, new_envelope, to_timestamp
from szcore.types import utcnow

FIXTURES = Path(__file__).parent / "fixtures"
MIIT = IndexDocument.model_validate_json(preset_text(DEFAULT_INDEX))


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def fixture_json(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads(fixture_text(name))


def best_options(question: QuestionDoc) -> list[str]:
    if question.type == "multiple":
        return [o.key for o in question.options if not o.exclusive]
    return [max(question.options, key=lambda o: o.score).key]


def worst_options(question: QuestionDoc) -> list[str]:
    return [min(question.options, key=lambda o: o.score).key]


def all_none(index: IndexDocument = MIIT) -> Answers:
    return Answers({q.code: worst_options(q) for q in index.questions}, {})


def all_best(index: IndexDocument = MIIT) -> Answers:
    return Answers({q.code: best_options(q) for q in index.questions}, {s.code: 4 for s in index.scenarios})


def evidence_for(index: IndexDocument = MIIT, *, every_question: bool = True) -> dict:  # type: ignore[type-arg]
    evidence = {}
    for q in index.questions:
        if q.evidence_fields:
            evidence[q.code] = {"values": ["12"] * len(q.evidence_fields)}
        elif every_question:
            evidence[q.code] = {"attachments": [f"att-{q.code}"]}
    for s in index.scenarios:
        evidence[s.code] = {"note": "现场查看系统运行"}
    return evidence


COUNTY = "410322"
OTHER_COUNTY = "410323"
USCC = "91410300MA0000001X"
OTHER_USCC = "91410300MA0000002Y"
PROVIDER = "prov-1"
OTHER_PROVIDER = "prov-2"


def event(payload: Message, producer: str) -> Event:
    return Event(new_envelope(payload, producer=producer, aggregate_type="t", aggregate_id="t"), payload)


async def register(
    session: AsyncSession,
    uscc: str = USCC,
    county: str = COUNTY,
    size: int = SizeClass.SIZE_CLASS_ABOVE_SCALE,
) -> None:
    payload = EnterpriseRegistered(
        uscc=uscc,
        name=f"企业{uscc[-3:]}",
        county_code=county,
        industry_code="C34",
        size_class=size,
        registered_at=to_timestamp(utcnow()),
        source="county_push",
    )
    await apply_enterprise_registered(session, event(payload, "enrollment"))


async def engage(
    session: AsyncSession,
    engagement_id: str = "eng-1",
    uscc: str = USCC,
    provider: str = PROVIDER,
    kind: str = "diagnosis",
) -> None:
    payload = EngagementCreated(
        engagement_id=engagement_id,
        uscc=uscc,
        provider_id=provider,
        kind=kind,
        created_at=to_timestamp(utcnow()),
    )
    await dispatch_engagement(session, event(payload, "matching"))


async def complete_project(
    session: AsyncSession, project_id: str = "proj-1", uscc: str = USCC, provider: str = PROVIDER
) -> None:
    payload = ProjectCompleted(
        project_id=project_id,
        uscc=uscc,
        provider_id=provider,
        contract_id="c-1",
        spent_fen=12_345_600,
        completed_at=to_timestamp(utcnow()),
    )
    await apply_project_completed(session, event(payload, "matching"))


async def outbox_events(session: AsyncSession) -> list[tuple[str, Message]]:
    rows = (
        (await session.execute(select(infra.outbox.c.envelope).order_by(infra.outbox.c.id))).scalars().all()
    )
    result = []
    for raw in rows:
        envelope = Envelope.FromString(raw)
        result.append((envelope.event_type, PAYLOAD_TYPES[envelope.event_type].FromString(envelope.payload)))
    return result


def answers_json(answers: Answers) -> dict:  # type: ignore[type-arg]
    return {"answers": dict(answers.options), "scenario_levels": dict(answers.scenario_levels)}


async def cancel_engagement(session: AsyncSession, engagement_id: str = "eng-1", uscc: str = USCC) -> None:
    payload = EngagementCancelled(
        engagement_id=engagement_id,
        uscc=uscc,
        provider_id=PROVIDER,
        reason="x",
        cancelled_at=to_timestamp(utcnow()),
    )
    await dispatch_engagement(session, event(payload, "matching"))
