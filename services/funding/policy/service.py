import hashlib
import json
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.db import audit_log
from services.funding.policy import auth
from services.funding.policy.document import PolicyDocument
from services.funding.policy.models import PolicyVersion
from services.funding.policy.presets import load_preset, preset_keys
from services.funding.policy.repository import PolicyRepository
from szcore.audit import canonical_json
from szcore.auth import Principal
from szcore.errors import FieldError, bad_request, not_found
from szcore.types import utcnow


def validate_document(data: dict[str, Any], field: str = "document") -> PolicyDocument:
    try:
        return PolicyDocument.model_validate(data)
    except ValidationError as exc:
        errors = [
            FieldError(
                ".".join([field, *(str(part) for part in error["loc"])]),
                str(error["type"]),
                str(error["msg"]),
            )
            for error in exc.errors()
        ]
        raise bad_request("policy_invalid", "The policy document is not valid", errors) from exc


def preset(key: str) -> PolicyDocument:
    if key not in preset_keys():
        raise not_found("preset_not_found", f"No preset {key}")
    return load_preset(key)


def presets() -> list[tuple[PolicyDocument, dict[str, Any]]]:
    return [(doc, doc.model_dump(mode="json")) for doc in map(load_preset, preset_keys())]


async def publish(
    session: AsyncSession, principal: Principal, data: dict[str, Any], note: str
) -> PolicyVersion:
    """A new version; earlier versions (and the claims pinned to them) never change."""
    auth.require_publish(principal)
    document = validate_document(data)
    repository = PolicyRepository(session)
    canonical = canonical_json(document.model_dump(mode="json"))
    version = PolicyVersion(
        policy_key=document.key,
        version=await repository.latest_version_number(document.key) + 1,
        name=document.name,
        city=document.city,
        document=canonical,
        document_sha256=hashlib.sha256(canonical.encode()).hexdigest(),
        note=note,
        published_at=utcnow(),
        published_by=principal.subject,
        lines_count=len(document.lines),
    )
    await repository.add(version)
    await audit_log.append(
        session,
        actor=principal,
        action="policy.published",
        entity_type="policy",
        entity_id=f"{version.policy_key}@{version.version}",
        data={"sha256": version.document_sha256, "note": note},
    )
    return version


async def get_version(session: AsyncSession, key: str, version: int | None = None) -> PolicyVersion:
    found = await PolicyRepository(session).get(key, version)
    if found is None:
        raise not_found(
            "policy_not_found", f"No published policy {key}" + (f" version {version}" if version else "")
        )
    return found


async def load(
    session: AsyncSession, key: str, version: int | None = None
) -> tuple[PolicyVersion, PolicyDocument]:
    found = await get_version(session, key, version)
    return found, document_of(found)


def document_of(version: PolicyVersion) -> PolicyDocument:
    return PolicyDocument.model_validate(json.loads(version.document))


# Parsed documents by their content's SHA-256: a published version never changes, and the digest (not the
# key and number, which a rolled-back or another database may give to other content) names the content.
_PARSED: dict[str, PolicyDocument] = {}
_PARSED_MAX = 256


async def pinned(session: AsyncSession, key: str, version: int) -> PolicyDocument:
    """The document of a version a claim is pinned to, parsed once per process."""
    return await pinned_by_digest(session, key, version, await PolicyRepository(session).digest(key, version))


async def pinned_by_digest(
    session: AsyncSession, key: str, version: int, digest: str | None
) -> PolicyDocument:
    """As `pinned`, for a caller that read the version's digest with its own row (`digest_of`); None: no
    such version."""
    if digest is None:
        raise not_found("policy_not_found", f"No published policy {key} version {version}")
    document = _PARSED.get(digest)
    if document is None:
        text = await PolicyRepository(session).document(key, version)
        assert text is not None
        document = PolicyDocument.model_validate(json.loads(text))
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[digest] = document
    return document


async def versions(session: AsyncSession, key: str) -> Sequence[PolicyVersion]:
    return await PolicyRepository(session).versions(key)


async def latest(session: AsyncSession) -> Sequence[PolicyVersion]:
    return await PolicyRepository(session).latest_of_each()
