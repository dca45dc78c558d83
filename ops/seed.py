"""Seed the presets each service ships (services/<service>/presets/) into its database, through the
service's own functions, so that validation, versioning and the audit chain are the same as through the
API. A preset is stored only if that exact document was never stored before: re-running changes nothing,
a changed preset becomes a new version, and a city's own later versions are not reverted by a re-run."""

import hashlib
import importlib
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ops.progress import progress
from szcore.auth import Principal, Role
from szcore.db import create_engine
from szcore.settings import SERVICES, Settings, get_settings

OPERATOR = Principal(subject="ops-seed", role=Role.city_admin)


@dataclass
class Outcome:
    service: str
    preset: str
    status: str  # added | unchanged | kept (a different document holds the name; never replaced)
    version: int | str | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


Apply = Callable[[AsyncSession], Awaitable[Outcome]]


def programme_presets() -> list[tuple[str, Apply]]:
    from services.enrollment.programme import service
    from services.enrollment.programme.presets import PRESET_NAMES, load_preset
    from services.enrollment.programme.repository import ProgrammeRepository

    def apply_one(name: str) -> Apply:
        async def apply(session: AsyncSession) -> Outcome:
            config = load_preset(name)
            data = config.model_dump(mode="json")
            versions = await ProgrammeRepository(session).versions(config.id)
            stored = next((v for v in versions if v.config == data), None)
            if stored is not None:
                return Outcome("enrollment", f"programme/{config.id}", "unchanged", stored.version)
            result = await service.store(session, OPERATOR, config, "seed")
            return Outcome("enrollment", f"programme/{config.id}", "added", result.version)

        return apply

    return [(f"programme/{name}", apply_one(name)) for name in PRESET_NAMES]


def index_presets() -> list[tuple[str, Apply]]:
    from services.assessment.index import service
    from services.assessment.index.repository import IndexVersionRepository

    def apply_one(code: str) -> Apply:
        async def apply(session: AsyncSession) -> Outcome:
            document = json.loads(service.preset_text(code))
            existing = await IndexVersionRepository(session).get(document["code"])
            if existing is not None:
                # Index versions are immutable and named by code: a revised index ships under a new code.
                same = (
                    service.document_of(existing).model_dump()
                    == service.parse_document(json.dumps(document)).model_dump()
                )
                return Outcome(
                    "assessment", f"index/{existing.code}", "unchanged" if same else "kept", existing.code
                )
            version = await service.load(session, OPERATOR, document)
            return Outcome("assessment", f"index/{version.code}", "added", version.code)

        return apply

    return [(f"index/{path.stem}", apply_one(path.stem)) for path in sorted(service.PRESETS.glob("*.json"))]


def policy_presets() -> list[tuple[str, Apply]]:
    from services.funding.policy import service
    from services.funding.policy.presets import load_preset, preset_keys
    from services.funding.policy.repository import PolicyRepository
    from szcore.audit import canonical_json

    def apply_one(key: str) -> Apply:
        async def apply(session: AsyncSession) -> Outcome:
            data = load_preset(key).model_dump(mode="json")
            sha = hashlib.sha256(canonical_json(data).encode()).hexdigest()
            versions = await PolicyRepository(session).versions(key)
            stored = next((v for v in versions if v.document_sha256 == sha), None)
            if stored is not None:
                return Outcome("funding", f"policy/{key}", "unchanged", stored.version)
            version = await service.publish(session, OPERATOR, data, f"preset {sha[:12]}")
            return Outcome("funding", f"policy/{key}", "added", version.version)

        return apply

    return [(f"policy/{key}", apply_one(key)) for key in preset_keys()]


def rule_presets() -> list[tuple[str, Apply]]:
    from services.matching.rules import service
    from services.matching.rules.models import RuleVersion
    from services.matching.rules.schemas import DOCUMENT_SCHEMAS, RuleKind, RulePublish

    def apply_one(kind: RuleKind) -> Apply:
        async def apply(session: AsyncSession) -> Outcome:
            document = DOCUMENT_SCHEMAS[kind].model_validate(service.preset(kind)).model_dump(mode="json")
            query = select(RuleVersion).where(RuleVersion.kind == kind.value, RuleVersion.scope == "default")
            stored = next(
                (r for r in (await session.execute(query)).scalars() if r.document == document), None
            )
            if stored is not None:
                return Outcome("matching", f"rules/{kind.value}", "unchanged", stored.version)
            read = await service.publish(session, OPERATOR, kind, RulePublish(document=document))
            return Outcome("matching", f"rules/{kind.value}", "added", read.version)

        return apply

    return [(f"rules/{kind.value}", apply_one(kind)) for kind in RuleKind]


PRESETS: dict[str, Callable[[], list[tuple[str, Apply]]]] = {
    "enrollment": programme_presets,
    "assessment": index_presets,
    "funding": policy_presets,
    "matching": rule_presets,
}


def preset_dirs() -> dict[str, Path]:
    import services

    root = Path(services.__file__).parent
    return {service: root / service / "presets" for service in SERVICES}


async def seed(
    services: Sequence[str] = SERVICES,
    settings: Settings | None = None,
    database_urls: dict[str, str] | None = None,
) -> list[Outcome]:
    settings = settings or get_settings()
    work = [(service, name, apply) for service in services for name, apply in PRESETS[service]()]
    outcomes: list[Outcome] = []
    engines = {}
    try:
        for service in services:
            importlib.import_module(f"services.{service}.models")  # the whole metadata, for relationships
            url = (database_urls or {}).get(service) or settings.database_url(service)
            engines[service] = create_engine(url, settings)
        for service, _name, apply in progress(work, "seeding presets", unit="preset"):
            # One transaction per preset: a failing preset leaves the ones before it stored.
            async with AsyncSession(engines[service], expire_on_commit=False) as session, session.begin():
                outcomes.append(await apply(session))
    finally:
        for engine in engines.values():
            await engine.dispose()
    return outcomes
