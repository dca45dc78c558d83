"""Move a programme between environments (test → prod, one city's instance to another): its definition
(batches, target table, review steps and the rest of the configuration), the subsidy policies that pay
for it and the matching rules scoped to it; enterprises' dossiers only when asked for (personal data).

The file is JSON: {"format", "format_version", "sha256", "content"}; sha256 is over the canonical JSON of
content, so a damaged or edited file is refused. Import goes through the services' own functions (audit
chain, events) and stores a document only if that exact document was never stored: importing twice
changes nothing, importing a changed programme adds a version."""

import hashlib
import importlib
import json
from collections.abc import Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ops.progress import progress
from szcore.audit import canonical_json
from szcore.auth import Principal, Role
from szcore.db import create_engine
from szcore.settings import Settings, get_settings
from szcore.types import utcnow

FORMAT = "shuzhuan/programme-export"
FORMAT_VERSION = 1
OPERATOR = Principal(subject="ops-programme-import", role=Role.city_admin)


class ExportFileError(ValueError):
    """The file is not an export this release can import (foreign, damaged or from a newer release)."""


def checksum(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


def envelope(content: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "sha256": checksum(content),
        "content": content,
    }


def read_file(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExportFileError(f"{path} is not a programme export: not JSON ({exc})") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ExportFileError(f"{path} is not a programme export (format is not {FORMAT!r})")
    if document.get("format_version") != FORMAT_VERSION:
        raise ExportFileError(
            f"{path} has format version {document.get('format_version')!r}; this release reads version "
            f"{FORMAT_VERSION} only (export it again with this release's `ops programme export`)"
        )
    content = document.get("content")
    if not isinstance(content, dict) or document.get("sha256") != checksum(content):
        raise ExportFileError(f"{path} is damaged or was edited: its checksum does not match its content")
    return content


class Databases:
    def __init__(self, settings: Settings, urls: dict[str, str] | None) -> None:
        self.settings, self.urls = settings, urls or {}
        self.engines: dict[str, AsyncEngine] = {}

    @asynccontextmanager
    async def session(self, service: str):  # type: ignore[no-untyped-def]
        """One transaction: the request boundary of an operator command."""
        if service not in self.engines:
            importlib.import_module(f"services.{service}.models")
            url = self.urls.get(service) or self.settings.database_url(service)
            self.engines[service] = create_engine(url, self.settings)
        async with AsyncSession(self.engines[service], expire_on_commit=False) as session, session.begin():
            yield session

    async def close(self) -> None:
        for engine in self.engines.values():
            await engine.dispose()


def linked_policy_keys(city_name: str, policies: Sequence[Any]) -> list[str]:
    """A programme's policies are its city's: the policy's `city` begins the programme's `city_name`
    (洛阳 / 洛阳市). Operators name others with --policy."""
    return sorted({p.policy_key for p in policies if p.city and city_name.startswith(p.city)})


async def export_programme(
    code: str,
    policy_keys: Sequence[str] | None = None,
    with_enterprises: bool = False,
    settings: Settings | None = None,
    database_urls: dict[str, str] | None = None,
) -> dict[str, Any]:
    from services.enrollment.enterprise.dossier import FIELDS
    from services.enrollment.enterprise.models import Enterprise
    from services.enrollment.programme.repository import ProgrammeRepository
    from services.funding.policy.repository import PolicyRepository
    from services.matching.rules.models import RuleVersion

    settings = settings or get_settings()
    dbs = Databases(settings, database_urls)
    content: dict[str, Any] = {"exported_at": utcnow().isoformat(), "environment": settings.env.value}
    steps = ["programme", "policies", "rules", *(["enterprises"] if with_enterprises else [])]
    try:
        for step in progress(steps, f"exporting {code}", unit="part"):
            if step == "programme":
                async with dbs.session("enrollment") as session:
                    programme = await ProgrammeRepository(session).get(code)
                    if programme is None:
                        raise LookupError(f"No programme {code} in this environment")
                    content["programme"] = {
                        "id": code,
                        "version": programme.version,
                        "config": programme.config,
                    }
                    city_name = programme.city_name
            elif step == "policies":
                async with dbs.session("funding") as session:
                    latest = await PolicyRepository(session).latest_of_each()
                    keys = list(policy_keys) if policy_keys else linked_policy_keys(city_name, latest)
                    unknown = sorted(set(keys) - {p.policy_key for p in latest})
                    if unknown:
                        raise LookupError(f"No published policy {', '.join(unknown)}")
                    content["policies"] = [
                        {"key": p.policy_key, "version": p.version, "document": json.loads(p.document)}
                        for p in latest
                        if p.policy_key in keys
                    ]
            elif step == "rules":
                async with dbs.session("matching") as session:
                    rows = (
                        await session.execute(
                            select(RuleVersion).where(RuleVersion.scope == code).order_by(RuleVersion.version)
                        )
                    ).scalars()
                    current = {row.kind: row for row in rows}  # the last version of each kind wins
                    content["rules"] = [
                        {"kind": kind, "version": row.version, "document": row.document}
                        for kind, row in sorted(current.items())
                    ]
            else:
                async with dbs.session("enrollment") as session:
                    enterprises = (
                        await session.execute(
                            select(Enterprise)
                            .where(Enterprise.programme_id == code)
                            .order_by(Enterprise.uscc)
                        )
                    ).scalars()
                    content["enterprises"] = [
                        json.loads(canonical_json({"uscc": e.uscc, **{f: getattr(e, f) for f in FIELDS}}))
                        for e in enterprises
                    ]
    finally:
        await dbs.close()
    return envelope(content)


@dataclass
class Imported:
    part: str
    status: str  # added | unchanged | exists (an enterprise already registered here: left as it is)
    version: int | str | None = None


async def import_programme(
    content: dict[str, Any], settings: Settings | None = None, database_urls: dict[str, str] | None = None
) -> list[Imported]:
    from services.enrollment.enterprise import service as enterprise_service
    from services.enrollment.enterprise.repository import EnterpriseRepository
    from services.enrollment.enterprise.schemas import EnterpriseCreate
    from services.enrollment.programme import service as programme_service
    from services.enrollment.programme.repository import ProgrammeRepository
    from services.enrollment.programme.schemas import ProgrammeConfig
    from services.funding.policy import service as policy_service
    from services.funding.policy.repository import PolicyRepository
    from services.matching.rules import service as rule_service
    from services.matching.rules.models import RuleVersion
    from services.matching.rules.schemas import RuleKind, RulePublish

    settings = settings or get_settings()
    dbs = Databases(settings, database_urls)
    programme_id = content["programme"]["id"]
    work: list[tuple[str, str, Any]] = [("enrollment", "programme", content["programme"])]
    work += [("funding", "policy", p) for p in content.get("policies", [])]
    work += [("matching", "rules", r) for r in content.get("rules", [])]
    work += [("enrollment", "enterprise", e) for e in content.get("enterprises", [])]
    results: list[Imported] = []
    try:
        for service, kind, item in progress(work, f"importing {programme_id}", unit="item"):
            async with dbs.session(service) as session:
                if kind == "programme":
                    config = ProgrammeConfig.model_validate(item["config"])
                    data = config.model_dump(mode="json")
                    versions = await ProgrammeRepository(session).versions(config.id)
                    same = next((v for v in versions if v.config == data), None)
                    if same is not None:
                        results.append(Imported(f"programme/{config.id}", "unchanged", same.version))
                    else:
                        stored = await programme_service.store(session, OPERATOR, config, "import")
                        results.append(Imported(f"programme/{config.id}", "added", stored.version))
                elif kind == "policy":
                    document = policy_service.validate_document(item["document"]).model_dump(mode="json")
                    sha = hashlib.sha256(canonical_json(document).encode()).hexdigest()
                    versions = await PolicyRepository(session).versions(item["key"])
                    same = next((v for v in versions if v.document_sha256 == sha), None)
                    if same is not None:
                        results.append(Imported(f"policy/{item['key']}", "unchanged", same.version))
                    else:
                        note = f"imported with programme {programme_id} (version {item['version']} there)"
                        published = await policy_service.publish(session, OPERATOR, document, note)
                        results.append(Imported(f"policy/{item['key']}", "added", published.version))
                elif kind == "rules":
                    rule_kind = RuleKind(item["kind"])
                    query = select(RuleVersion).where(
                        RuleVersion.kind == rule_kind.value, RuleVersion.scope == programme_id
                    )
                    rows = (await session.execute(query)).scalars()
                    same = next((r for r in rows if r.document == item["document"]), None)
                    if same is not None:
                        results.append(Imported(f"rules/{rule_kind.value}", "unchanged", same.version))
                    else:
                        read = await rule_service.publish(
                            session,
                            OPERATOR,
                            rule_kind,
                            RulePublish(scope=programme_id, document=item["document"]),
                        )
                        results.append(Imported(f"rules/{rule_kind.value}", "added", read.version))
                else:
                    if await EnterpriseRepository(session).get(item["uscc"]) is not None:
                        results.append(Imported(f"enterprise/{item['uscc']}", "exists"))
                    else:
                        fields = {k: v for k, v in item.items() if k in EnterpriseCreate.model_fields}
                        await enterprise_service.register(
                            session, OPERATOR, EnterpriseCreate.model_validate(fields)
                        )
                        results.append(Imported(f"enterprise/{item['uscc']}", "added", 1))
    finally:
        await dbs.close()
    return results
