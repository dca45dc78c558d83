"""The national-platform sync in GraphQL: the report outbox with its errors, generate-now, fix and resend,
reconciliation. The gateway owns this data, so it authorises here: city administrators only."""

from datetime import datetime
from enum import Enum
from typing import Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from gateway.errors import GatewayError, UserError, user_errors
from gateway.sync import repository, service
from gateway.sync.models import NationalReport as ReportRow
from gateway.sync.models import ReconciliationRun as RunRow
from gateway.sync.models import ReportKind, ReportStatus
from gateway.sync.runtime import SyncRuntime
from szcore.auth import Principal, Role
from szcore.db import session_scope

CALLER_ERRORS = {404, 409, 422}


def arg(description: str) -> Any:
    return strawberry.argument(description=description)


@strawberry.enum(name="NationalReportKind", description="Kind of report for the national platform / 上报类型")
class NationalReportKind(Enum):
    MONTHLY_PROGRESS = strawberry.enum_value(
        ReportKind.monthly_progress.value, description="月度进展 progress"
    )
    BATCH_ADMISSIONS = strawberry.enum_value(
        ReportKind.batch_admissions.value, description="批次入选名单 batch admission list"
    )
    ACCEPTANCE_RESULTS = strawberry.enum_value(
        ReportKind.acceptance_results.value, description="验收结果 acceptance results"
    )
    FUND_USE = strawberry.enum_value(ReportKind.fund_use.value, description="资金使用 fund use")


@strawberry.enum(name="NationalReportStatus", description="Where a national report is / 上报状态")
class NationalReportStatus(Enum):
    PENDING = strawberry.enum_value(ReportStatus.pending.value, description="待发送 queued")
    SENDING = strawberry.enum_value(ReportStatus.sending.value, description="发送中 being sent")
    DELIVERED = strawberry.enum_value(ReportStatus.delivered.value, description="已送达 delivered")
    REJECTED = strawberry.enum_value(
        ReportStatus.rejected.value, description="被退回 rejected: fix and resend"
    )
    DEAD = strawberry.enum_value(ReportStatus.dead.value, description="已放弃 gave up retrying: resend")


@strawberry.type(description="One revision of a report for the national platform / 国家平台上报")
class NationalReport:
    id: strawberry.ID = strawberry.field(description="Report id / 上报编号")
    kind: NationalReportKind = strawberry.field(description="Report kind / 上报类型")
    period: str = strawberry.field(description="YYYY-MM, or the batch id for admission lists / 期间")
    revision: int = strawberry.field(description="Revision, from 1; a fix is a new revision / 版本")
    idempotency_key: str = strawberry.field(description="Idempotency-Key sent with it / 幂等键")
    status: NationalReportStatus = strawberry.field(description="Where the report is / 状态")
    attempts: int = strawberry.field(description="Sends tried / 已尝试次数")
    record_count: int = strawberry.field(description="Records in the report / 记录数")
    content_sha256: str = strawberry.field(description="SHA-256 of records and summary / 内容摘要")
    next_attempt_at: datetime | None = strawberry.field(description="Next try (UTC) / 下次尝试")
    last_attempt_at: datetime | None = strawberry.field(description="Last try (UTC) / 上次尝试")
    last_error: JSON | None = strawberry.field(
        description="The national side's error (status, code, detail, errors) / 国家平台返回的错误"
    )
    delivered_at: datetime | None = strawberry.field(description="Delivered (UTC) / 送达时间")
    remote_receipt: str | None = strawberry.field(description="The national side's receipt / 回执")
    supersedes_id: str | None = strawberry.field(description="The revision this one fixes / 所修正的版本")
    superseded_by_id: str | None = strawberry.field(description="The revision that fixes this one / 修正版本")
    created_by: str = strawberry.field(description="Who queued it / 创建人")
    created_at: datetime = strawberry.field(description="Queued (UTC) / 创建时间")
    payload: JSON = strawberry.field(description="The report as sent / 上报内容")


@strawberry.type(
    description="A difference between what we delivered and what the national side holds / 对账差异"
)
class ReconciliationDifference:
    kind: str = strawberry.field(description="Report kind / 上报类型")
    period: str = strawberry.field(description="Period / 期间")
    problem: str = strawberry.field(
        description="missing_remote, missing_local, revision, count, hash / 差异类型"
    )
    local: JSON | None = strawberry.field(description="Ours: revision, count, sha256 / 本方")
    remote: JSON | None = strawberry.field(description="Theirs: revision, count, sha256 / 国家平台")


@strawberry.type(description="One reconciliation with the national platform / 对账记录")
class ReconciliationRun:
    id: strawberry.ID = strawberry.field(description="Run id / 编号")
    period: str | None = strawberry.field(description="Period compared (all when empty) / 期间")
    status: str = strawberry.field(description="matched, differences, failed / 结果")
    checked: int = strawberry.field(description="Kind-period pairs compared / 比对项数")
    error: str | None = strawberry.field(description="Why it failed / 失败原因")
    started_by: str = strawberry.field(description="Who started it / 发起人")
    started_at: datetime = strawberry.field(description="Started (UTC) / 开始时间")
    finished_at: datetime | None = strawberry.field(description="Finished (UTC) / 结束时间")
    differences: list[ReconciliationDifference] = strawberry.field(description="Differences / 差异")


@strawberry.type(description="State of the national push / 国家平台推送状态")
class NationalSyncStatus:
    enabled: bool = strawberry.field(description="A national URL is configured / 是否启用推送")
    breaker: str = strawberry.field(description="closed, open, half_open (this gateway replica) / 熔断状态")
    counts: JSON = strawberry.field(description="Reports per status / 各状态数量")


@strawberry.type(description="Result of a national report mutation / 上报操作结果")
class NationalReportPayload:
    report: NationalReport | None = strawberry.field(description="The report queued / 上报")
    errors: list[UserError] = strawberry.field(description="What was wrong / 错误")


@strawberry.type(description="Result of a reconciliation / 对账结果")
class ReconciliationPayload:
    run: ReconciliationRun | None = strawberry.field(description="The run / 对账记录")
    errors: list[UserError] = strawberry.field(description="What was wrong / 错误")


def report_out(row: ReportRow) -> NationalReport:
    values = {name: getattr(row, name) for name in NationalReport.__annotations__}
    values.update(
        id=strawberry.ID(row.id), kind=NationalReportKind(row.kind), status=NationalReportStatus(row.status)
    )
    return NationalReport(**values)


def run_out(row: RunRow) -> ReconciliationRun:
    return ReconciliationRun(
        id=strawberry.ID(row.id),
        period=row.period,
        status=row.status,
        checked=row.checked,
        error=row.error,
        started_by=row.started_by,
        started_at=row.started_at,
        finished_at=row.finished_at,
        differences=[ReconciliationDifference(**d) for d in row.differences or []],
    )


def city_admin(info: Info[Any, Any]) -> Principal:
    principal: Principal = info.context.require_principal()
    if principal.role != Role.city_admin:
        raise GatewayError(
            "ROLE_NOT_ALLOWED", f"Role {principal.role.value} may not manage the national sync", 403
        )
    return principal


def runtime(info: Info[Any, Any]) -> SyncRuntime:
    return info.context.request.app.state.sync  # type: ignore[no-any-return]


async def _mutate_report(info: Info[Any, Any], action: Any) -> NationalReportPayload:
    try:
        async for session in session_scope(runtime(info).sessionmaker):
            row = await action(session)
            report = report_out(row)
    except GatewayError as error:
        if error.status in CALLER_ERRORS:
            return NationalReportPayload(report=None, errors=user_errors(error))
        raise
    runtime(info).pusher.poke()
    return NationalReportPayload(report=report, errors=[])


@strawberry.type
class SyncQuery:
    @strawberry.field(
        description="Reports for the national platform, newest first (city admin) / 国家平台上报"
    )
    async def national_reports(
        self,
        info: Info[Any, Any],
        status: Annotated[NationalReportStatus | None, arg("Only this status / 按状态筛选")] = None,
        kind: Annotated[NationalReportKind | None, arg("Only this kind / 按类型筛选")] = None,
        period: Annotated[str | None, arg("Only this period / 按期间筛选")] = None,
        first: Annotated[int, arg("How many, at most the gateway's maximum / 条数")] = 50,
    ) -> list[NationalReport]:
        city_admin(info)
        limit = max(1, min(first, info.context.settings.gateway_max_page_size))
        async with runtime(info).sessionmaker() as session:
            rows = await repository.listing(
                session,
                status=str(status.value) if status else None,
                kind=str(kind.value) if kind else None,
                period=period,
                limit=limit,
            )
            return [report_out(r) for r in rows]

    @strawberry.field(description="One national report (city admin) / 国家平台上报详情")
    async def national_report(
        self, info: Info[Any, Any], id: Annotated[strawberry.ID, arg("Report id / 上报编号")]
    ) -> NationalReport | None:
        city_admin(info)
        async with runtime(info).sessionmaker() as session:
            row = await repository.get(session, str(id))
            return report_out(row) if row else None

    @strawberry.field(description="Reconciliation runs, newest first (city admin) / 对账记录")
    async def national_reconciliations(
        self, info: Info[Any, Any], first: Annotated[int, arg("How many runs / 条数")] = 20
    ) -> list[ReconciliationRun]:
        city_admin(info)
        limit = max(1, min(first, info.context.settings.gateway_max_page_size))
        async with runtime(info).sessionmaker() as session:
            return [run_out(r) for r in await repository.runs(session, limit)]

    @strawberry.field(description="State of the national push (city admin) / 国家平台推送状态")
    async def national_sync_status(self, info: Info[Any, Any]) -> NationalSyncStatus:
        city_admin(info)
        sync = runtime(info)
        async with sync.sessionmaker() as session:
            counts = await repository.status_counts(session)
            return NationalSyncStatus(
                enabled=sync.enabled, breaker=sync.pusher.breaker.state.value, counts=cast(Any, counts)
            )


@strawberry.type
class SyncMutation:
    @strawberry.mutation(
        description="Build a report from the services now and queue it for the national platform; unchanged "
        "content is not sent again (city admin) / 立即生成并上报"
    )
    async def generate_national_report(
        self,
        info: Info[Any, Any],
        kind: Annotated[NationalReportKind, arg("Report kind / 上报类型")],
        period: Annotated[str, arg("YYYY-MM, or the batch id for an admission list / 期间或批次")],
    ) -> NationalReportPayload:
        principal = city_admin(info)
        context = info.context
        return await _mutate_report(
            info,
            lambda session: service.generate(
                session,
                context.settings,
                context.clients,
                principal.token,
                str(kind.value),
                period,
                principal.subject,
            ),
        )

    @strawberry.mutation(
        description="Fix and resend a rejected (or given-up) report: the corrected records and summary go "
        "out as a new revision; the rejected one is kept with its error (city admin) / 修正后重新上报"
    )
    async def resend_national_report(
        self,
        info: Info[Any, Any],
        id: Annotated[strawberry.ID, arg("The rejected report / 被退回的上报")],
        records: Annotated[
            JSON | None, arg("Corrected records (unchanged when omitted) / 修正后的记录")
        ] = None,
        summary: Annotated[
            JSON | None, arg("Corrected summary (unchanged when omitted) / 修正后的汇总")
        ] = None,
    ) -> NationalReportPayload:
        principal = city_admin(info)
        if records is not None and not (
            isinstance(records, list) and all(isinstance(r, dict) for r in records)
        ):
            return NationalReportPayload(
                report=None,
                errors=[UserError(field="records", code="INVALID_RECORDS", message="A list of objects")],
            )
        if summary is not None and not isinstance(summary, dict):
            return NationalReportPayload(
                report=None, errors=[UserError(field="summary", code="INVALID_SUMMARY", message="An object")]
            )
        settings = info.context.settings
        return await _mutate_report(
            info,
            lambda session: service.resend(session, settings, str(id), principal.subject, records, summary),
        )

    @strawberry.mutation(
        description="Compare what we delivered with what the national platform holds (counts and SHA-256 per "
        "report kind and period) and record the differences (city admin) / 与国家平台对账"
    )
    async def reconcile_national(
        self,
        info: Info[Any, Any],
        period: Annotated[str | None, arg("Only this period (all when omitted) / 期间")] = None,
    ) -> ReconciliationPayload:
        principal = city_admin(info)
        sync = runtime(info)
        if not sync.enabled:
            return ReconciliationPayload(
                run=None,
                errors=[
                    UserError(field=None, code="NATIONAL_PUSH_DISABLED", message="No national URL configured")
                ],
            )
        async for session in session_scope(sync.sessionmaker):
            run = run_out(await service.reconcile(session, sync.national, period, principal.subject))
        return ReconciliationPayload(run=run, errors=[])
