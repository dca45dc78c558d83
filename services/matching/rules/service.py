import json
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import audit_log
from services.matching.rules.models import RuleVersion
from services.matching.rules.repository import RuleRepository
from services.matching.rules.schemas import DOCUMENT_SCHEMAS, RuleKind, RulePublish, RuleRead
from szcore.auth import Principal, Role
from szcore.errors import FieldError, bad_request, forbidden
from szcore.types import utcnow

PRESETS = Path(__file__).resolve().parents[1] / "presets"
M = TypeVar("M", bound=BaseModel)


@cache
def preset(kind: RuleKind) -> dict[str, Any]:
    return json.loads((PRESETS / "rules.json").read_text())[kind.value]  # type: ignore[no-any-return]


@cache
def scenario_catalogue() -> dict[str, Any]:
    return json.loads((PRESETS / "scenarios.json").read_text())  # type: ignore[no-any-return]


def scenario_codes() -> set[str]:
    return {s["code"] for g in scenario_catalogue()["groups"] for s in g["scenarios"]}


async def current_read(session: AsyncSession, kind: RuleKind, scope: str = "default") -> RuleRead:
    repository = RuleRepository(session)
    row = await repository.latest(kind.value, scope)
    if row is None and scope != "default":
        row = await repository.latest(kind.value, "default")
    if row is None:
        return RuleRead(kind=kind, scope="default", version=0, document=preset(kind))
    return RuleRead(kind=kind, scope=row.scope, version=row.version, document=row.document)


async def current(session: AsyncSession, kind: RuleKind, model: type[M], scope: str = "default") -> M:
    return model.model_validate((await current_read(session, kind, scope)).document)


async def publish(session: AsyncSession, principal: Principal, kind: RuleKind, data: RulePublish) -> RuleRead:
    if not principal.is_role(Role.city_admin):
        raise forbidden("role_not_allowed", "Only the city publishes rules")
    try:
        document = DOCUMENT_SCHEMAS[kind].model_validate(data.document).model_dump(mode="json")
    except ValidationError as exc:
        raise bad_request(
            "invalid_rule_document",
            f"The {kind.value} document is not valid",
            [
                FieldError(
                    "document." + ".".join(str(p) for p in e["loc"]), "invalid", e["msg"], "规则文档无效"
                )
                for e in exc.errors()
            ],
        ) from exc
    if kind == RuleKind.common_needs:
        unknown = {
            code
            for items in document["industries"].values()
            for item in items
            for code in item["scenario_codes"]
            if code not in scenario_codes()
        }
        if unknown:
            raise bad_request(
                "unknown_scenario",
                f"Unknown scenario codes: {', '.join(sorted(unknown))}",
                [FieldError("document.industries", "unknown_scenario", "unknown scenario", "场景代码不存在")],
            )
    repository = RuleRepository(session)
    now = utcnow()
    row = await repository.add(
        RuleVersion(
            kind=kind.value,
            scope=data.scope,
            version=await repository.next_version(kind.value, data.scope),
            document=document,
            published_by=principal.subject,
            published_at=now,
        )
    )
    await audit_log.append(
        session,
        actor=principal,
        action="rules.published",
        entity_type="rule",
        entity_id=f"{kind.value}:{data.scope}:{row.version}",
        data=document,
    )
    return RuleRead(kind=kind, scope=row.scope, version=row.version, document=document, published_at=now)
