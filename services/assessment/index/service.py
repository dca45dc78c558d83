"""Index versions: load (validated), list, and the parsed document for scoring."""

import hashlib
import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.db import audit_log
from services.assessment.index import auth
from services.assessment.index.models import IndexVersion
from services.assessment.index.repository import IndexVersionRepository
from services.assessment.index.schemas import IndexDocument
from szcore.auth import Principal
from szcore.errors import FieldError, bad_request, conflict, forbidden, not_found
from szcore.types import utcnow

PRESETS = Path(__file__).resolve().parents[1] / "presets"
DEFAULT_INDEX = "miit-2024-manufacturing"


def parse_document(text: str) -> IndexDocument:
    try:
        return IndexDocument.model_validate_json(text)
    except ValidationError as exc:
        errors = [
            FieldError(".".join(str(p) for p in e["loc"]) or "document", "invalid_index", e["msg"])
            for e in exc.errors()[:50]
        ]
        raise bad_request("index_document_invalid", "The index document does not validate", errors) from exc


@lru_cache(maxsize=32)
def _parsed(sha256: str, text: str) -> IndexDocument:
    return IndexDocument.model_validate_json(text)


def document_of(version: IndexVersion) -> IndexDocument:
    return _parsed(version.sha256, version.document)


def new_version(text: str, loaded_by: str) -> IndexVersion:
    document = parse_document(text)
    return IndexVersion(
        code=document.code,
        name=document.name,
        version=document.version,
        sector=document.sector,
        status="active",
        document=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        loaded_at=utcnow(),
        loaded_by=loaded_by,
    )


def preset_text(code: str) -> str:
    return (PRESETS / f"{code}.json").read_text(encoding="utf-8")


async def load(session: AsyncSession, principal: Principal, document: dict[str, Any]) -> IndexVersion:
    if not auth.can_load(principal):
        raise forbidden("role_not_allowed", "Only the city may load an index version")
    text = json.dumps(document, ensure_ascii=False, sort_keys=True)
    version = new_version(text, principal.subject)
    repository = IndexVersionRepository(session)
    if await repository.get(version.code) is not None:
        raise conflict(
            "index_version_exists", f"Index version {version.code} exists; versions are never replaced"
        )
    await repository.add(version)
    await audit_log.append(
        session,
        actor=principal,
        action="index_version_loaded",
        entity_type="index_version",
        entity_id=version.code,
        data={"sha256": version.sha256, "name": version.name},
    )
    return version


async def get(session: AsyncSession, code: str) -> IndexVersion:
    version = await IndexVersionRepository(session).get(code)
    if version is None:
        raise not_found("index_version_not_found", f"No index version {code}")
    return version


async def list_versions(session: AsyncSession) -> Sequence[IndexVersion]:
    return await IndexVersionRepository(session).list()


async def retire(session: AsyncSession, principal: Principal, code: str) -> IndexVersion:
    """A retired version takes no new submissions; assessments scored with it keep their results."""
    if not auth.can_load(principal):
        raise forbidden("role_not_allowed", "Only the city may retire an index version")
    version = await get(session, code)
    if version.status == "retired":
        raise conflict("index_version_retired", f"Index version {code} is already retired")
    version.status = "retired"
    await session.flush()
    await audit_log.append(
        session,
        actor=principal,
        action="index_version_retired",
        entity_type="index_version",
        entity_id=code,
        data={"sha256": version.sha256},
    )
    return version
