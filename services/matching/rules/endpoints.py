from typing import Any

from fastapi import APIRouter, status

from services.matching.rules import service
from services.matching.rules.schemas import RuleKind, RulePublish, RuleRead
from szcore.auth import CurrentPrincipal
from szcore.service import DbSession

router = APIRouter(tags=["rules"])


@router.get("/scenarios", summary="The 16 MIIT scenarios in their four groups (场景清单)")
async def scenarios(principal: CurrentPrincipal) -> dict[str, Any]:
    return service.scenario_catalogue()


@router.get("/rules/{kind}", response_model=RuleRead, summary="The current version of a rule document")
async def get_rule(
    kind: RuleKind, session: DbSession, principal: CurrentPrincipal, scope: str = "default"
) -> RuleRead:
    return await service.current_read(session, kind, scope)


@router.post(
    "/rules/{kind}",
    response_model=RuleRead,
    status_code=status.HTTP_201_CREATED,
    summary="Publish a new version of a rule document (city)",
)
async def publish_rule(
    kind: RuleKind, data: RulePublish, session: DbSession, principal: CurrentPrincipal
) -> RuleRead:
    return await service.publish(session, principal, kind, data)
