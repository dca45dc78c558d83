import hashlib
import uuid
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from google.protobuf.message import Message
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.enrollment.bulk.models import BulkPush
from services.enrollment.bulk.parse import parse
from services.enrollment.bulk.progress import Progress
from services.enrollment.bulk.repository import BulkRepository
from services.enrollment.bulk.schemas import Mode, OtherCounty, Outcome, PushReport, RecordError
from services.enrollment.db import audit_log, outbox
from services.enrollment.enterprise.dossier import FIELDS, check_dossier, diff
from services.enrollment.enterprise.events import enterprise_registered, enterprise_updated
from services.enrollment.enterprise.models import AdmissionStatus, DossierSource, SrdiStatus
from services.enrollment.enterprise.schemas import EnterpriseCreate
from services.enrollment.enterprise.uscc import uscc_error
from services.enrollment.programme.repository import ProgrammeRepository
from services.enrollment.programme.schemas import ProgrammeConfig
from szcore.auth import Principal, Role
from szcore.errors import FieldError, ProblemError, bad_request, conflict, forbidden
from szcore.types import utcnow

MAX_RECORDS = 100_000
PUSHERS = (Role.county_system, Role.county_admin, Role.city_admin)
MESSAGES_ZH = {
    "missing": "缺少必填字段",
    "string_pattern_mismatch": "格式不正确",
    "enum": "取值不在允许范围内",
    "extra_forbidden": "不支持的字段",
    "string_too_short": "不能为空",
    "string_too_long": "内容过长",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
}


@dataclass
class Plan:
    creates: list[dict[str, Any]]
    updates: list[tuple[dict[str, Any], dict[str, list[Any]]]]
    unchanged: int


def validation_errors(row: int, uscc: str | None, exc: ValidationError) -> list[RecordError]:
    return [
        RecordError(
            row=row,
            uscc=uscc,
            field=".".join(str(part) for part in error["loc"]) or "record",
            code=error["type"],
            message=error["msg"],
            message_zh=MESSAGES_ZH.get(error["type"], "格式不正确"),
        )
        for error in exc.errors()
    ]


def record_error(row: int, uscc: str | None, error: FieldError) -> RecordError:
    return RecordError(
        row=row,
        uscc=uscc,
        field=error.field,
        code=error.code,
        message=error.message,
        message_zh=error.message_zh or "",
    )


async def push(
    session: AsyncSession,
    principal: Principal,
    body: bytes,
    content_type: str,
    request_id: str,
    mode: Mode,
    dry_run: bool,
    other_county: OtherCounty = OtherCounty.report,
    progress: Progress | None = None,
) -> PushReport:
    if principal.role not in PUSHERS:
        raise forbidden("role_not_allowed", f"Role {principal.role.value} may not push enterprise records")
    own_county = principal.county if principal.role != Role.city_admin else None
    scope = own_county or "city"
    repository = BulkRepository(session)
    content_hash = hashlib.sha256(body).hexdigest()
    previous = await repository.push(scope, request_id)
    if previous is not None:
        if previous.content_hash != content_hash:
            raise conflict(
                "request_id_reused",
                f"Request id {request_id} was used for different content",
                [
                    FieldError(
                        "request_id", "request_id_reused", "used for other content", "请求编号已用于其他内容"
                    )
                ],
            )
        return PushReport.model_validate({**previous.report, "outcome": Outcome.replayed})

    parsed = parse(body, content_type)
    if parsed.total > MAX_RECORDS:
        raise bad_request(
            "too_many_records",
            f"At most {MAX_RECORDS} records per push, got {parsed.total}",
            [
                FieldError(
                    "records", "too_many_records", f"more than {MAX_RECORDS}", f"每次最多{MAX_RECORDS}条"
                )
            ],
        )
    if other_county == OtherCounty.refuse and own_county is not None:
        refuse_other_county(parsed.records, own_county)
    if progress is not None:
        progress.set(phase="validating", total=parsed.total)
    errors = [record_error(row, None, error) for row, error in parsed.errors]
    bad_rows = {row for row, _ in parsed.errors}
    candidates: list[tuple[int, str, dict[str, Any]]] = []
    seen: set[str] = set()
    for index, (row, record) in enumerate(parsed.records):
        if progress is not None and index % 1000 == 0:
            progress.set(done=index, errors=len(errors))
        if row in bad_rows:
            continue
        uscc = str(record.get("uscc", "")).strip().upper() or None
        try:
            data = EnterpriseCreate.model_validate(record)
        except ValidationError as exc:
            errors += validation_errors(row, uscc, exc)
            continue
        problem = uscc_error(data.uscc)
        if problem:
            errors.append(
                record_error(
                    row, data.uscc, FieldError("uscc", "invalid_uscc", problem, "统一社会信用代码无效")
                )
            )
        elif own_county is not None and data.county_code != own_county:
            errors.append(
                record_error(
                    row,
                    data.uscc,
                    FieldError("county_code", "county_forbidden", "not your county", "只能推送本区县企业"),
                )
            )
        elif data.uscc in seen:
            errors.append(
                record_error(
                    row,
                    data.uscc,
                    FieldError(
                        "uscc", "duplicate_in_request", "USCC repeated in this push", "本次推送中重复"
                    ),
                )
            )
        else:
            seen.add(data.uscc)
            candidates.append((row, data.uscc, data.model_dump(exclude_unset=True, exclude={"uscc"})))

    plan, plan_errors = await make_plan(session, repository, candidates, own_county)
    errors += plan_errors
    errors.sort(key=lambda e: e.row)
    rejected_rows = len({e.row for e in errors})
    apply = not dry_run and not (errors and mode == Mode.all_or_nothing)
    outcome = Outcome.dry_run if dry_run else (Outcome.applied if apply else Outcome.rejected)
    report = PushReport(
        request_id=request_id,
        outcome=outcome,
        mode=mode,
        total=parsed.total,
        valid=len(plan.creates) + len(plan.updates) + plan.unchanged,
        created=len(plan.creates) if apply or dry_run else 0,
        updated=len(plan.updates) if apply or dry_run else 0,
        unchanged=plan.unchanged,
        rejected=rejected_rows,
        errors=errors,
        ignored_columns=parsed.ignored_columns,
    )
    if progress is not None:
        progress.set(phase="writing", done=parsed.total, errors=rejected_rows)
    if not apply:
        return report
    await repository.claim(
        BulkPush(
            id=str(uuid.uuid4()),
            scope=scope,
            request_id=request_id,
            content_hash=content_hash,
            pushed_by=principal.subject,
            received_at=utcnow(),
            total=report.total,
            report=report.model_dump(mode="json"),
        )
    )
    await write(session, repository, principal, plan)
    await audit_log.append(
        session,
        actor=principal,
        action="enterprise.bulk_pushed",
        entity_type="bulk_push",
        entity_id=f"{scope}:{request_id}",
        data={k: v for k, v in report.model_dump(mode="json").items() if k != "errors"},
    )
    return report


def refuse_other_county(records: list[tuple[int, dict[str, Any]]], own_county: str) -> None:
    """The whole push is refused, before anything is written, when a record names another county."""
    rows = [
        row for row, record in records if str(record.get("county_code") or own_county).strip() != own_county
    ]
    if rows:
        raise ProblemError(
            403,
            "county_forbidden",
            "Forbidden",
            f"{len(rows)} records belong to another county than {own_county}; nothing was written",
            [
                FieldError(
                    "county_code",
                    "county_forbidden",
                    f"row {row}: not your county",
                    f"第{row}行：只能推送本区县企业",
                )
                for row in rows[:100]
            ],
        )


async def make_plan(
    session: AsyncSession,
    repository: BulkRepository,
    candidates: list[tuple[int, str, dict[str, Any]]],
    own_county: str | None,
) -> tuple[Plan, list[RecordError]]:
    existing = await repository.existing([uscc for _, uscc, _ in candidates])
    configs: dict[str, ProgrammeConfig | None] = {}
    programmes = ProgrammeRepository(session)
    plan, errors = Plan([], [], 0), []
    for row, uscc, sent in candidates:
        current = existing.get(uscc)
        if current is not None and own_county is not None and current["county_code"] != own_county:
            # Same answer as for a USCC the county may not touch; the other county's data stays hidden.
            errors.append(
                record_error(
                    row,
                    uscc,
                    FieldError("uscc", "uscc_not_available", "registered elsewhere", "该企业不属于本区县"),
                )
            )
            continue
        before = {field: current[field] for field in FIELDS} if current is not None else {}
        after = {
            **{f: None for f in FIELDS},
            "srdi_status": SrdiStatus.none,
            "cloud_adopted": False,
            **before,
            **sent,
        }
        if current is not None and "industry_code" in sent and "pilot_industry" not in sent:
            after["pilot_industry"] = None
        programme_id = after.get("programme_id")
        if programme_id and programme_id not in configs:
            programme = await programmes.get(programme_id)
            configs[programme_id] = ProgrammeConfig.model_validate(programme.config) if programme else None
        problems = check_dossier(after, configs.get(programme_id) if programme_id else None)
        if problems:
            errors += [record_error(row, uscc, problem) for problem in problems]
        elif current is None:
            plan.creates.append({"uscc": uscc, **after})
        else:
            changes = diff(before, after)
            if changes:
                plan.updates.append(({"uscc": uscc, "version": current["version"] + 1, **after}, changes))
            else:
                plan.unchanged += 1
    return plan, errors


def as_row(values: dict[str, Any]) -> Any:
    return SimpleNamespace(**values)


async def write(session: AsyncSession, repository: BulkRepository, principal: Principal, plan: Plan) -> None:
    now = utcnow()
    source = DossierSource.county_push if principal.role != Role.city_admin else DossierSource.city
    creates = [
        {
            **values,
            "source": source,
            "registered_by": principal.subject,
            "registered_at": now,
            "updated_at": now,
            "version": 1,
            "admission_status": AdmissionStatus.registered,
            "batch_id": None,
        }
        for values in plan.creates
    ]
    await repository.insert_enterprises(creates)
    await repository.update_enterprises(
        [
            {
                "key_uscc": values["uscc"],
                **{k: v for k, v in values.items() if k != "uscc"},
                "updated_at": now,
            }
            for values, _ in plan.updates
        ]
    )
    versions = [
        {
            "uscc": values["uscc"],
            "version": 1,
            "source": source,
            "changed_by": principal.subject,
            "changed_role": principal.role.value,
            "changed_at": now,
            "changes": diff({}, values),
        }
        for values in plan.creates
    ] + [
        {
            "uscc": values["uscc"],
            "version": values["version"],
            "source": source,
            "changed_by": principal.subject,
            "changed_role": principal.role.value,
            "changed_at": now,
            "changes": changes,
        }
        for values, changes in plan.updates
    ]
    await repository.insert_versions(versions)
    # Plain namespaces stand in for Enterprise rows: the payload builders only read attributes, and
    # 100,000 ORM instances would cost seconds.
    payloads: list[tuple[Message, str]] = [
        (enterprise_registered(as_row(row)), row["uscc"]) for row in creates
    ]
    payloads += [
        (
            enterprise_updated(as_row({**values, "updated_at": now}), sorted(changes), source.value),
            values["uscc"],
        )
        for values, changes in plan.updates
    ]
    await outbox.add_many(session, payloads, aggregate_type="enterprise")
