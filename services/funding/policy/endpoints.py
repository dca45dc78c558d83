import json
from typing import Any

from fastapi import APIRouter, status

from services.funding.policy import auth, service
from services.funding.policy.document import PolicyDocument
from services.funding.policy.schemas import (
    PolicyPublish,
    PolicyVersionDetail,
    PolicyVersionList,
    PolicyVersionRead,
    PresetList,
    PresetRead,
)
from szcore.auth import CurrentPrincipal
from szcore.service import DbSession

router = APIRouter(tags=["policy"])


def _detail(version: Any) -> PolicyVersionDetail:
    return PolicyVersionDetail.model_validate(
        {**PolicyVersionRead.model_validate(version).model_dump(), "document": json.loads(version.document)}
    )


@router.get("/policy-schema", summary="JSON Schema of a policy document")
async def policy_schema(principal: CurrentPrincipal) -> dict[str, Any]:
    return PolicyDocument.model_json_schema()


@router.get(
    "/policy-presets", response_model=PresetList, summary="The shipped presets (洛阳, 新乡, 金华, 淄博, 合肥)"
)
async def list_presets(principal: CurrentPrincipal) -> PresetList:
    return PresetList(
        items=[
            PresetRead(key=doc.key, name=doc.name, city=doc.city, seed=doc.seed, document=data)
            for doc, data in service.presets()
        ]
    )


@router.post(
    "/policies",
    status_code=status.HTTP_201_CREATED,
    response_model=PolicyVersionDetail,
    summary="Publish a new version of a policy (city)",
)
async def publish_policy(
    data: PolicyPublish, session: DbSession, principal: CurrentPrincipal
) -> PolicyVersionDetail:
    return _detail(await service.publish(session, principal, data.document, data.note))


@router.post(
    "/policies/from-preset/{key}",
    status_code=status.HTTP_201_CREATED,
    response_model=PolicyVersionDetail,
    summary="Publish a shipped preset as a new version (city)",
)
async def publish_preset(key: str, session: DbSession, principal: CurrentPrincipal) -> PolicyVersionDetail:
    auth.require_publish(principal)  # before the preset lookup: a refused role learns nothing
    document = service.preset(key).model_dump(mode="json")
    return _detail(await service.publish(session, principal, document, f"preset {key}"))


@router.get("/policies", response_model=PolicyVersionList, summary="The latest version of every policy")
async def list_policies(session: DbSession, principal: CurrentPrincipal) -> PolicyVersionList:
    return PolicyVersionList(
        items=[PolicyVersionRead.model_validate(v) for v in await service.latest(session)]
    )


@router.get("/policies/{key}", response_model=PolicyVersionDetail, summary="A policy's latest version")
async def get_policy(key: str, session: DbSession, principal: CurrentPrincipal) -> PolicyVersionDetail:
    return _detail(await service.get_version(session, key))


@router.get("/policies/{key}/versions", response_model=PolicyVersionList, summary="Every version of a policy")
async def list_versions(key: str, session: DbSession, principal: CurrentPrincipal) -> PolicyVersionList:
    return PolicyVersionList(
        items=[PolicyVersionRead.model_validate(v) for v in await service.versions(session, key)]
    )


@router.get("/policies/{key}/versions/{version}", response_model=PolicyVersionDetail, summary="One version")
async def get_version(
    key: str, version: int, session: DbSession, principal: CurrentPrincipal
) -> PolicyVersionDetail:
    return _detail(await service.get_version(session, key, version))
