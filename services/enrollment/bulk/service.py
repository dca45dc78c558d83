import asyncio
import gc
import hashlib
import io
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from types import SimpleNamespace
from typing import IO, Any, TypeVar

from google.protobuf.message import Message
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.enrollment.bulk.parse import BLOCK, Item, Reader
from services.enrollment.bulk.progress import Progress
from services.enrollment.bulk.repository import BulkRepository, Write, in_order
from services.enrollment.bulk.schemas import Mode, OtherCounty, Outcome, PushReport, RecordError
from services.enrollment.db import audit_log, outbox
from services.enrollment.enterprise.dossier import FIELDS, check_dossier, diff
from services.enrollment.enterprise.events import enterprise_updated, registered_events
from services.enrollment.enterprise.models import AdmissionStatus, DossierSource, SrdiStatus
from services.enrollment.enterprise.quick import QuickValidator
from services.enrollment.enterprise.schemas import EnterpriseCreate
from services.enrollment.enterprise.uscc import uscc_error
from services.enrollment.programme.repository import ProgrammeRepository
from services.enrollment.programme.schemas import ProgrammeConfig
from szcore.auth import Principal, Role
from szcore.errors import FieldError, ProblemError, bad_request, conflict, forbidden
from szcore.types import utcnow

Candidate = tuple[int, str, dict[str, Any]]  # row, USCC, the fields sent
T = TypeVar("T")
R = TypeVar("R")
MAX_RECORDS = 100_000
# Records read, validated and written at a time: memory holds one chunk, whatever the size of the push.
CHUNK = 2000
# The first chunks are smaller (doubling up to CHUNK): the database gets its first writes sooner instead of
# idling while a whole chunk is read.
FIRST_CHUNK = 250
# Records read and validated between two turns of the chunks' writes: each of their statements waits up
# to a slice for its turn, so a slice is kept short (~1 ms) to keep the database busy.
SLICE = 50
# Records planned or built between two turns of the writes (~1 ms).
BUILD_SLICE = 400
# Chunks built and not yet written at most: one being written, one waiting for it.
WRITES_AHEAD = 2
DEFAULTS: dict[str, Any] = {
    **{name: None for name in FIELDS},
    "srdi_status": SrdiStatus.none,
    "cloud_adopted": False,
}
QUICK = QuickValidator(EnterpriseCreate)
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
    body: bytes | IO[bytes],
    content_type: str,
    request_id: str,
    mode: Mode,
    dry_run: bool,
    other_county: OtherCounty = OtherCounty.report,
    progress: Progress | None = None,
    *,
    content_hash: str | None = None,
) -> PushReport:
    """Reads, validates and applies the push chunk by chunk (CHUNK records), so that memory holds one chunk
    whatever the size of the push. The push is one transaction, inside a savepoint of its own: a refusal
    found late (unreadable body, too many records, another county's record with other_county=refuse) or
    all-or-nothing with errors takes back the chunks already written, so nothing of such a push remains."""
    if principal.role not in PUSHERS:
        raise forbidden("role_not_allowed", f"Role {principal.role.value} may not push enterprise records")
    own_county = principal.county if principal.role != Role.city_admin else None
    scope = own_county or "city"
    if isinstance(body, bytes | bytearray):
        body = io.BytesIO(body)
    if content_hash is None:
        content_hash = file_hash(body)
    repository = BulkRepository(session)
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

    reader = Reader(body, content_type)
    if progress is not None:
        progress.set(phase="validating")
    apply = not dry_run
    savepoint = await session.begin_nested() if apply else None
    try:
        received_at = utcnow()
        async with repository.separate_reads() as reads:
            with paused_gc():
                tally = await run(
                    session,
                    reads,
                    repository,
                    principal,
                    reader,
                    own_county,
                    mode,
                    apply,
                    other_county,
                    progress,
                )
        tally.errors.sort(key=lambda e: e.row)
        applied = apply and not (tally.errors and mode == Mode.all_or_nothing)
        report = PushReport(
            request_id=request_id,
            outcome=Outcome.dry_run if dry_run else (Outcome.applied if applied else Outcome.rejected),
            mode=mode,
            total=tally.total,
            valid=tally.created + tally.updated + tally.unchanged,
            created=tally.created if applied or dry_run else 0,
            updated=tally.updated if applied or dry_run else 0,
            unchanged=tally.unchanged,
            rejected=len(tally.rejected_rows),
            errors=tally.errors,
            ignored_columns=reader.ignored_columns,
        )
        if progress is not None:
            progress.set(phase="writing", total=tally.total, done=tally.total, errors=report.rejected)
        if savepoint is None:
            return report
        if not applied:
            await savepoint.rollback()
            return report
        stored = report.model_dump(mode="json")
        # A concurrent push of the same request id waits here on the unique key, then is refused (and
        # its chunks taken back) instead of applying the records twice.
        await repository.claim(
            {
                "id": str(uuid.uuid4()),
                "scope": scope,
                "request_id": request_id,
                "content_hash": content_hash,
                "pushed_by": principal.subject,
                "received_at": received_at,
                "total": report.total,
                "report": stored,
            }
        )
        await audit_log.append(
            session,
            actor=principal,
            action="enterprise.bulk_pushed",
            entity_type="bulk_push",
            entity_id=f"{scope}:{request_id}",
            data={k: v for k, v in stored.items() if k != "errors"},
        )
        await savepoint.commit()
        return report
    except BaseException:
        if savepoint is not None and savepoint.is_active:
            await savepoint.rollback()
        raise


def file_hash(file: IO[bytes]) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    while block := file.read(BLOCK):
        digest.update(block)
    file.seek(0)
    return digest.hexdigest()


@dataclass
class Tally:
    """What a push has found so far; the only state kept from one chunk to the next."""

    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RecordError] = field(default_factory=list)
    rejected_rows: set[int] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)
    refused_rows: list[int] = field(default_factory=list)
    configs: dict[str, ProgrammeConfig | None] = field(default_factory=dict)

    def add_errors(self, errors: list[RecordError]) -> None:
        self.errors += errors
        self.rejected_rows.update(e.row for e in errors)


async def run(
    session: AsyncSession,
    reads: AsyncSession | None,
    repository: BulkRepository,
    principal: Principal,
    reader: Reader,
    own_county: str | None,
    mode: Mode,
    apply: bool,
    other_county: OtherCounty,
    progress: Progress | None,
) -> Tally:
    """Chunk by chunk: read and validate, look up the existing rows, plan, write. The chunks' writes go
    out one after the other on the push's connection, each as soon as the one before has ended, while
    Python reads, looks up, plans and builds the next chunks (the reading yields to them every SLICE
    records). While chunks are being written, a lookup goes on `reads` (BulkRepository.separate_reads), a
    connection of its own, and waits for no write; without `reads` it waits until the writes have ended.
    The push's session is never used by two things at once."""
    tally = Tally()
    refuse = other_county == OtherCounty.refuse and own_county is not None
    writing = apply
    items = iter(reader)
    # The chunks' writes not known to have ended, oldest first, each started after the one before: at most
    # WRITES_AHEAD, so memory holds a bounded number of chunks.
    writes: list[asyncio.Future[None]] = []
    size = FIRST_CHUNK
    try:
        while True:
            read, candidates, limit = 0, [], min(size, CHUNK)
            size *= 2
            while read < limit:
                part = list(islice(items, min(SLICE, limit - read)))
                if not part:
                    break
                read += len(part)
                tally.total += len(part)
                if tally.total > MAX_RECORDS:
                    raise too_many(tally.total + sum(1 for _ in items))
                if refuse and own_county is not None:
                    tally.refused_rows += other_county_rows(part, own_county)
                if not tally.refused_rows:
                    candidates += validate(part, tally, own_county)
                if writes:
                    await let_writes_run()
            if not read:
                break
            if tally.refused_rows:
                writing = False  # the push will be refused: the rest is only listed
                continue
            if writes and reads is not None:
                existing = await look_up(reads, candidates, tally)
            else:
                await ended(writes)
                existing = await look_up(session, candidates, tally)
            plan, errors = await plan_chunk(
                partial(make_plan, existing=existing, own_county=own_county, configs=tally.configs),
                candidates,
            )
            tally.add_errors(errors)
            tally.created += len(plan.creates)
            tally.updated += len(plan.updates)
            tally.unchanged += plan.unchanged
            if writing and tally.errors and mode == Mode.all_or_nothing:
                writing = False  # rejected whatever follows; the rest is only validated
            if writing:
                built = await write(repository, principal, plan)
                if len(writes) == WRITES_AHEAD:
                    await writes.pop(0)
                writes.append(asyncio.ensure_future(after(writes[-1] if writes else None, built)))
            if progress is not None:
                progress.set(done=tally.total, errors=len(tally.rejected_rows))
        await ended(writes)
    finally:
        if writes:
            # Failed while chunks were being written: the writes end before the push is rolled back.
            await asyncio.wait(writes)
            for chunk in writes:
                if not chunk.cancelled():
                    chunk.exception()  # retrieved; the failure that stopped the push is the one raised
    if tally.refused_rows:
        refuse_other_county(tally.refused_rows, own_county or "")
    return tally


async def after(previous: "asyncio.Future[None] | None", write: Write) -> None:
    """Sends a chunk's writes once the previous chunk's have ended (their failure is this one's)."""
    if previous is not None:
        await previous
    await write()


async def ended(writes: list["asyncio.Future[None]"]) -> None:
    """Waits for every chunk's writes so far (the last ends after all the others)."""
    if writes:
        await writes[-1]
        writes.clear()


async def plan_chunk(
    plan_part: Callable[[list[Candidate]], tuple[Plan, list[RecordError]]], candidates: list[Candidate]
) -> tuple[Plan, list[RecordError]]:
    """plan_part(candidates), a slice at a time (see sliced)."""
    plan, errors = Plan([], [], 0), []
    for part, part_errors in await sliced(lambda some: [plan_part(some)], candidates):
        plan.creates += part.creates
        plan.updates += part.updates
        plan.unchanged += part.unchanged
        errors += part_errors
    return plan, errors


async def sliced(build: Callable[[Sequence[T]], list[R]], items: Sequence[T]) -> list[R]:
    """build(items), BUILD_SLICE items at a time, letting the writes run between two slices: planning or
    building a whole chunk at once would hold them up for several milliseconds."""
    built: list[R] = []
    for start in range(0, len(items), BUILD_SLICE):
        built += build(items[start : start + BUILD_SLICE])
        await let_writes_run()
    return built


async def let_writes_run() -> None:
    """Lets the chunks' writes send their next statement: they are a chain of statements on the push's
    one connection, each sent only when the event loop runs them, and the database idles from one
    statement's end until Python next yields. Hence a yield every ~1 ms of reading, planning and
    building (SLICE, BUILD_SLICE): planning and building a whole chunk at once takes ~25 ms."""
    await asyncio.sleep(0)


PAUSES = [0]  # pushes running with the collector paused


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector is paused while a push is processed: each chunk allocates tens of
    thousands of short-lived containers, none of them in cycles, and each collection triggered by them
    traverses the whole heap of the process (a quarter of the push's CPU). Resuming after each chunk
    still cost a collection of the chunks built and not yet written (4% of the push's CPU). It resumes
    after the push, so garbage waits at most one push (seconds); concurrent pushes share the pause."""
    joined = PAUSES[0] > 0 or gc.isenabled()  # left alone if someone else disabled it
    if joined:
        PAUSES[0] += 1
        gc.disable()
    try:
        yield
    finally:
        if joined:
            PAUSES[0] -= 1
            if PAUSES[0] == 0:
                gc.enable()


def too_many(total: int) -> ProblemError:
    return bad_request(
        "too_many_records",
        f"At most {MAX_RECORDS} records per push, got {total}",
        [FieldError("records", "too_many_records", f"more than {MAX_RECORDS}", f"每次最多{MAX_RECORDS}条")],
    )


def other_county_rows(chunk: list[Item], own_county: str) -> list[int]:
    return [
        row for row, record, _ in chunk if str(record.get("county_code") or own_county).strip() != own_county
    ]


def validate(
    chunk: list[Item], tally: Tally, own_county: str | None
) -> list[tuple[int, str, dict[str, Any]]]:
    """The records of the chunk that pass the per-record checks, as (row, USCC, fields sent)."""
    candidates: list[tuple[int, str, dict[str, Any]]] = []
    errors: list[RecordError] = []
    seen = tally.seen
    for row, record, problems in chunk:
        if problems:
            errors += [record_error(row, None, problem) for problem in problems]
            continue
        data = QUICK.check(record)
        if data is None:
            uscc = str(record.get("uscc", "")).strip().upper() or None
            try:
                data = EnterpriseCreate.model_validate(record).model_dump(exclude_unset=True)
            except ValidationError as exc:
                errors += validation_errors(row, uscc, exc)
                continue
        uscc = data.pop("uscc")
        problem = uscc_error(uscc)
        if problem:
            errors.append(
                record_error(row, uscc, FieldError("uscc", "invalid_uscc", problem, "统一社会信用代码无效"))
            )
        elif own_county is not None and data["county_code"] != own_county:
            errors.append(
                record_error(
                    row,
                    uscc,
                    FieldError("county_code", "county_forbidden", "not your county", "只能推送本区县企业"),
                )
            )
        elif uscc in seen:
            errors.append(
                record_error(
                    row,
                    uscc,
                    FieldError(
                        "uscc", "duplicate_in_request", "USCC repeated in this push", "本次推送中重复"
                    ),
                )
            )
        else:
            seen.add(uscc)
            candidates.append((row, uscc, data))
    tally.add_errors(errors)
    return candidates


def refuse_other_county(rows: list[int], own_county: str) -> None:
    """The whole push is refused, and nothing written, when a record names another county."""
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


async def look_up(
    session: AsyncSession,
    candidates: list[tuple[int, str, dict[str, Any]]],
    tally: Tally,
) -> dict[str, Any]:
    """What planning a chunk reads: the enterprises it names, and the configuration of any programme they
    are or will be in that this push has not loaded yet (kept in `tally.configs`)."""
    existing = await BulkRepository(session).existing([uscc for _, uscc, _ in candidates])
    configs = tally.configs
    wanted = {sent.get("programme_id") for _, _, sent in candidates}
    wanted |= {row["programme_id"] for row in existing.values()}
    programmes = ProgrammeRepository(session)
    for programme_id in sorted(p for p in wanted if p and p not in configs):
        programme = await programmes.get(programme_id)
        configs[programme_id] = ProgrammeConfig.model_validate(programme.config) if programme else None
    return existing


def make_plan(
    candidates: list[tuple[int, str, dict[str, Any]]],
    existing: dict[str, Any],
    own_county: str | None,
    configs: dict[str, ProgrammeConfig | None],
) -> tuple[Plan, list[RecordError]]:
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
        after = {"uscc": uscc, **DEFAULTS, **before, **sent}
        if current is not None and "industry_code" in sent and "pilot_industry" not in sent:
            after["pilot_industry"] = None
        programme_id = after.get("programme_id")
        problems = check_dossier(after, configs.get(programme_id) if programme_id else None)
        if problems:
            errors += [record_error(row, uscc, problem) for problem in problems]
        elif current is None:
            plan.creates.append(after)
        else:
            changes = diff(before, after)
            if changes:
                after["version"] = current["version"] + 1
                plan.updates.append((after, changes))
            else:
                plan.unchanged += 1
    return plan, errors


async def write(repository: BulkRepository, principal: Principal, plan: Plan) -> Write:
    """One chunk's rows, versions, change-log rows and events, each in one bulk statement (COPY on
    PostgreSQL): a created or updated enterprise's event is in the same transaction as its row. The rows
    are built here, a slice at a time (sliced); the statements are sent when the returned write is awaited,
    so that the database writes them while the next chunk is read, without waiting for Python between two
    statements."""
    now = utcnow()
    source = DossierSource.county_push if principal.role != Role.city_admin else DossierSource.city
    common = {
        "source": source,
        "registered_by": principal.subject,
        "registered_at": now,
        "updated_at": now,
        "version": 1,
        "admission_status": AdmissionStatus.registered,
        "batch_id": None,
    }
    enterprises_written = repository.insert_enterprises(plan.creates, common)
    updates_written = repository.update_enterprises(
        [
            {
                "key_uscc": values["uscc"],
                **{k: v for k, v in values.items() if k != "uscc"},
                "updated_at": now,
            }
            for values, _ in plan.updates
        ]
    )
    actor = {
        "source": source,
        "changed_by": principal.subject,
        "changed_role": principal.role.value,
        "changed_at": now,
    }
    versions = await sliced(partial(repository.created_versions, actor=actor), plan.creates)
    created_versions_written = repository.insert_created_versions(versions, actor)
    versions_written = repository.insert_versions(
        [
            {"uscc": values["uscc"], "version": values["version"], **actor, "changes": changes}
            for values, changes in plan.updates
        ]
    )
    payloads: list[tuple[Message, str]] = await sliced(
        partial(registered_events, registered_at=now, source=source), plan.creates
    )
    # Plain namespaces stand in for Enterprise rows: the payload builders only read attributes, and
    # ORM instances would cost far more.
    payloads += [
        (
            enterprise_updated(as_row({**values, "updated_at": now}), sorted(changes), source.value),
            values["uscc"],
        )
        for values, changes in plan.updates
    ]
    events = await sliced(partial(outbox.records, aggregate_type="enterprise"), payloads)
    events_written = repository.add_events(events)
    return in_order(
        [enterprises_written, updates_written, created_versions_written, versions_written, events_written]
    )


def as_row(values: dict[str, Any]) -> Any:
    return SimpleNamespace(**values)
