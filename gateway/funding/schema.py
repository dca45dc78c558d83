"""The funding part of the GraphQL schema: policies, quotes, simulations, sources and the ledger, claims,
disbursement, recoveries and reports. The gateway forwards the caller's token; the service authorises."""

import base64
from collections.abc import Callable
from datetime import date
from enum import Enum
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

import httpx
import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from gateway.errors import GatewayError, UserError, user_errors
from gateway.funding.types import (
    BankFile,
    Claim,
    ClaimPage,
    DisbursementBatch,
    DisbursementBatchPage,
    EnterpriseStatement,
    FundingPerformance,
    FundingPolicy,
    FundingSource,
    FundsReport,
    LedgerCheck,
    LedgerEntry,
    LedgerPage,
    Payment,
    PaymentPage,
    PolicyPreset,
    ProgrammeSimulation,
    Recovery,
    RecoveryPage,
    SubsidyQuote,
    build,
    check_from_service,
    entry_from_service,
    policy_from_service,
    preset_from_service,
    recovery_from_service,
)
from gateway.pagination import After, DeprecatedCursor, DeprecatedLimit, First, OptionalFirst, service_page
from gateway.scalars import Fen

# Input and workflow problems; a missing record (404) stays a GraphQL error, as in every domain.
CALLER_ERRORS = {409, 422}
T = TypeVar("T")


def _p(value: str) -> str:
    """A path segment from caller input, so that it cannot reach another route."""
    return quote(value, safe="")


async def _request(
    info: Info[Any, Any], method: str, path: str, *, idempotency_key: str | None = None, **kwargs: Any
) -> httpx.Response:
    headers = {"idempotency-key": idempotency_key} if idempotency_key else None
    return await info.context.clients.funding.send(
        method, path, info.context.token, headers=headers, **kwargs
    )


async def _get(info: Info[Any, Any], path: str, **params: Any) -> Any:
    query = {k: v for k, v in params.items() if v is not None}
    return (await _request(info, "GET", path, params=query)).json()


async def _mutate(
    info: Info[Any, Any],
    path: str,
    body: dict[str, Any] | None,
    build_result: Callable[[Any], T],
    idempotency_key: str | None = None,
) -> tuple[T | None, list[UserError]]:
    try:
        response = await _request(info, "POST", path, json=body, idempotency_key=idempotency_key)
    except GatewayError as error:
        if error.status in CALLER_ERRORS:
            return None, user_errors(error)
        raise
    return build_result(response.json()), []


# --- inputs ---


@strawberry.enum(description="Order of the claims list / 奖补申请排序")
class ClaimOrder(Enum):
    SUBMITTED_OLDEST_FIRST = strawberry.enum_value(
        "oldest_first", description="Earliest submission first, the review queues' order / 按提交时间正序"
    )
    SUBMITTED_NEWEST_FIRST = strawberry.enum_value(
        "newest_first", description="Latest submission first, an enterprise's history / 按提交时间倒序"
    )
    CLAIMED_HIGHEST = strawberry.enum_value(
        "claimed_highest", description="Largest claimed amount first / 按申请金额从高到低"
    )


@strawberry.enum(description="Order of the ledger entries / 资金账簿排序")
class LedgerEntryOrder(Enum):
    CHAIN = strawberry.enum_value(
        "chain", description="Chain order (oldest first), the default / 按记账顺序（默认）"
    )
    NEWEST = strawberry.enum_value("newest", description="Latest entry first / 最新分录在前")
    AMOUNT_HIGHEST = strawberry.enum_value(
        "amount_highest", description="Largest amount first / 按金额从高到低"
    )


@strawberry.enum(description="Order of the payments list / 支付列表排序")
class PaymentOrder(Enum):
    QUEUED_OLDEST = strawberry.enum_value(
        "queued_oldest", description="Earliest queued first, the default / 按排队时间正序（默认）"
    )
    QUEUED_NEWEST = strawberry.enum_value("queued_newest", description="Latest queued first / 按排队时间倒序")
    AMOUNT_HIGHEST = strawberry.enum_value(
        "amount_highest", description="Largest amount first / 按金额从高到低"
    )


@strawberry.enum(description="Order of the recoveries list / 收回列表排序")
class RecoveryOrder(Enum):
    RAISED_OLDEST = strawberry.enum_value(
        "raised_oldest", description="Earliest raised first, the default / 按发起时间正序（默认）"
    )
    RAISED_NEWEST = strawberry.enum_value("raised_newest", description="Latest raised first / 按发起时间倒序")
    AMOUNT_HIGHEST = strawberry.enum_value(
        "amount_highest", description="Largest amount first / 按金额从高到低"
    )


@strawberry.enum(description="Order of the disbursement batches / 拨付批次排序")
class DisbursementBatchOrder(Enum):
    NEWEST = strawberry.enum_value(
        "newest", description="Latest created first, the default / 最新创建在前（默认）"
    )
    OLDEST = strawberry.enum_value("oldest", description="Earliest created first / 最早创建在前")
    AMOUNT_HIGHEST = strawberry.enum_value(
        "amount_highest", description="Largest total first / 按合计金额从高到低"
    )


@strawberry.input(description="Facts of one recipient for a quote or a simulation / 测算事实")
class FactsInput:
    recipient_id: str = strawberry.field(default="draft", description="USCC or label / 对象")
    recipient: str = strawberry.field(
        default="enterprise", description="enterprise, provider, evaluator / 对象类型"
    )
    admitted: bool = strawberry.field(default=True, description="Admitted pilot enterprise / 是否入选试点")
    level: int = strawberry.field(default=0, description="Certified level 0-4 (0 unknown) / 验收等级")
    accepted_on: date | None = strawberry.field(default=None, description="Acceptance date / 验收日期")
    designations: list[str] = strawberry.field(default_factory=list, description="Designations / 荣誉认定")
    spending_fen: JSON = strawberry.field(default_factory=dict, description="Category → fen / 分类支出")
    actual_investment_fen: Fen = strawberry.field(default=0, description="Actual investment / 实际投入")
    loan_interest_fen: JSON = strawberry.field(default_factory=dict, description="Year → interest / 年度利息")
    service_income_fen: Fen = strawberry.field(default=0, description="Provider service income / 服务收入")
    counts: JSON = strawberry.field(default_factory=dict, description="Unit → count / 计数")
    attributes: JSON = strawberry.field(default_factory=dict, description="Attributes / 企业属性")

    def body(self) -> dict[str, Any]:
        return {
            "recipient_id": self.recipient_id,
            "recipient": self.recipient,
            "admitted": self.admitted,
            "level": self.level,
            "accepted_on": self.accepted_on.isoformat() if self.accepted_on else None,
            "designations": self.designations,
            "spending_fen": self.spending_fen,
            "actual_investment_fen": self.actual_investment_fen,
            "loan_interest_fen": self.loan_interest_fen,
            "service_income_fen": self.service_income_fen,
            "counts": self.counts,
            "attributes": self.attributes,
        }


@strawberry.input(description="Programme simulation request / 政策资金测算请求")
class SimulationInput:
    policy_key: str | None = strawberry.field(default=None, description="Published policy / 已发布政策")
    version: int | None = strawberry.field(default=None, description="Its version / 版本")
    document: JSON | None = strawberry.field(default=None, description="Or a draft document / 草案")
    enterprises: list[FactsInput] = strawberry.field(default_factory=list, description="Enterprises / 企业")
    use_enrolled: bool = strawberry.field(
        default=False, description="Add admitted enterprises / 纳入已入选企业"
    )
    assumptions: JSON = strawberry.field(
        default_factory=dict,
        description="level_distribution, acceptance_dates, programme_counts, central_budget_fen / 假设",
    )


@strawberry.input(description="An invoice / 发票")
class ClaimInvoiceInput:
    number: str = strawberry.field(description="Invoice number / 发票号码")
    amount_fen: Fen = strawberry.field(description="Amount / 金额（分）")
    issued_on: date = strawberry.field(description="Issued on / 开票日期")
    payee_uscc: str = strawberry.field(description="Payee USCC / 收款方信用代码")
    payee_name: str = strawberry.field(default="", description="Payee / 收款方")
    category: str = strawberry.field(
        description="software, cloud_service, data_collection_hardware, implementation_service, other / 类别"
    )


@strawberry.input(description="An attachment stored by SHA-256 / 附件")
class ClaimAttachmentInput:
    sha256: str = strawberry.field(description="SHA-256 / 摘要")
    filename: str = strawberry.field(description="File name / 文件名")
    size_bytes: int = strawberry.field(default=0, description="Size / 大小")


@strawberry.input(description="A new claim / 奖补申请")
class SubmitClaimInput:
    uscc: str = strawberry.field(description="Enterprise / 企业")
    policy_key: str = strawberry.field(description="Policy / 政策")
    policy_version: int | None = strawberry.field(default=None, description="Version (default latest) / 版本")
    line_code: str = strawberry.field(default="transformation_subsidy", description="Benefit line / 条目")
    project_id: str = strawberry.field(default="", description="Project / 项目")
    contract_id: str | None = strawberry.field(default=None, description="Contract / 合同")
    assessment_id: str | None = strawberry.field(default=None, description="Acceptance / 验收评测")
    claimed_fen: Fen = strawberry.field(description="Claimed / 申报金额（分）")
    invoices: list[ClaimInvoiceInput] = strawberry.field(default_factory=list, description="Invoices / 发票")
    attachments: list[ClaimAttachmentInput] = strawberry.field(
        default_factory=list, description="Attachments / 附件"
    )
    loan_interest_fen: JSON = strawberry.field(default_factory=dict, description="Year → interest / 年度利息")


@strawberry.input(description="A bank result line / 银行回单行")
class ReconciliationLineInput:
    payment_id: str = strawberry.field(description="Payment / 支付编号")
    status: str = strawberry.field(description="paid or failed / 结果")
    bank_reference: str = strawberry.field(default="", description="Bank reference / 流水号")
    reason: str = strawberry.field(default="", description="Failure reason / 失败原因")


# --- payloads ---


@strawberry.type(description="Result of publishing a policy / 发布政策结果")
class PolicyPayload:
    policy: FundingPolicy | None = strawberry.field(description="The new version; null on error / 新版本")
    errors: list[UserError] = strawberry.field(description="What was wrong / 错误")


@strawberry.type(description="Result of a funding source change / 资金来源操作结果")
class FundingSourcePayload:
    source: FundingSource | None = strawberry.field(description="The source; null on error / 资金来源")
    entry: LedgerEntry | None = strawberry.field(description="The ledger entry written, if any / 分录")
    errors: list[UserError] = strawberry.field(description="What was wrong / 错误")


@strawberry.type(description="Result of a claim change / 申请操作结果")
class ClaimPayload:
    claim: Claim | None = strawberry.field(description="The claim; null on error / 申请")
    errors: list[UserError] = strawberry.field(description="What was wrong / 错误")


@strawberry.type(description="Result of a clawback / 收回结果")
class ClawbackPayload:
    claim: Claim | None = strawberry.field(description="The claim / 申请")
    released_fen: Fen = strawberry.field(description="Unpaid commitment released / 释放的未拨付金额")
    recoveries: list[Recovery] = strawberry.field(description="Recoveries raised / 发起的收回")
    errors: list[UserError] = strawberry.field(description="What was wrong / 错误")


@strawberry.type(description="Result of a batch change / 批次操作结果")
class BatchPayload:
    batch: DisbursementBatch | None = strawberry.field(description="The batch / 批次")
    paid: int = strawberry.field(description="Payments confirmed paid / 成功笔数")
    failed: int = strawberry.field(description="Payments failed / 失败笔数")
    requeued_payment_ids: list[str] = strawberry.field(description="Failed payments queued again / 重新排队")
    errors: list[UserError] = strawberry.field(description="What was wrong / 错误")


@strawberry.type(description="Result of a repayment / 退回结果")
class RecoveryPayload:
    recovery: Recovery | None = strawberry.field(description="The recovery / 收回")
    errors: list[UserError] = strawberry.field(description="What was wrong / 错误")


def _policy_ref(policy_key: str | None, version: int | None, document: Any) -> dict[str, Any]:
    return {"policy_key": policy_key, "version": version, "document": document}


@strawberry.type
class FundingQuery:
    @strawberry.field(description="Shipped policy presets (洛阳, 新乡, 金华, 淄博, 合肥) / 政策预置模板")
    async def policy_presets(self, info: Info[Any, Any]) -> list[PolicyPreset]:
        return [preset_from_service(p) for p in (await _get(info, "/policy-presets"))["items"]]

    @strawberry.field(description="The latest version of every policy / 各政策最新版本")
    async def funding_policies(self, info: Info[Any, Any]) -> list[FundingPolicy]:
        return [policy_from_service(p) for p in (await _get(info, "/policies"))["items"]]

    @strawberry.field(description="One policy version with its document (latest if no version) / 政策详情")
    async def funding_policy(
        self, key: str, info: Info[Any, Any], version: int | None = None
    ) -> FundingPolicy:
        path = f"/policies/{_p(key)}" + (f"/versions/{version}" if version else "")
        return policy_from_service(await _get(info, path))

    @strawberry.field(description="Every version of a policy / 政策历史版本")
    async def funding_policy_versions(self, key: str, info: Info[Any, Any]) -> list[FundingPolicy]:
        return [policy_from_service(p) for p in (await _get(info, f"/policies/{_p(key)}/versions"))["items"]]

    @strawberry.field(description="Quote every benefit for given facts, explained per line / 奖补测算")
    async def subsidy_quote(
        self,
        facts: FactsInput,
        info: Info[Any, Any],
        policy_key: str | None = None,
        version: int | None = None,
        document: JSON | None = None,
    ) -> SubsidyQuote:
        body = _policy_ref(policy_key, version, document) | {"facts": facts.body()}
        response = await _request(info, "POST", "/quotes", json=body)
        return SubsidyQuote.from_service(response.json())

    @strawberry.field(description="What a real enterprise is entitled to now / 企业当前可得奖补")
    async def enterprise_subsidy_quote(
        self, uscc: str, policy_key: str, info: Info[Any, Any], version: int | None = None
    ) -> SubsidyQuote:
        body = _policy_ref(policy_key, version, None)
        response = await _request(info, "POST", f"/enterprises/{_p(uscc)}/quote", json=body)
        return SubsidyQuote.from_service(response.json())

    @strawberry.field(
        description="Budget a policy or a draft needs per source and year (city) / 资金需求测算"
    )
    async def programme_simulation(self, input: SimulationInput, info: Info[Any, Any]) -> ProgrammeSimulation:
        body = _policy_ref(input.policy_key, input.version, input.document) | {
            "enterprises": [e.body() for e in input.enterprises],
            "use_enrolled": input.use_enrolled,
            "assumptions": input.assumptions or {},
        }
        response = await _request(info, "POST", "/simulations", json=body)
        return ProgrammeSimulation.from_service(response.json())

    @strawberry.field(description="Funding sources with derived balances / 资金来源及余额")
    async def funding_sources(
        self, info: Info[Any, Any], policy_key: str | None = None
    ) -> list[FundingSource]:
        data = await _get(info, "/funding-sources", policy_key=policy_key)
        return [FundingSource.from_service(s) for s in data["items"]]

    @strawberry.field(description="Ledger entries in chain order / 资金账簿")
    async def ledger_entries(
        self,
        info: Info[Any, Any],
        source_id: str | None = None,
        claim_id: str | None = None,
        uscc: str | None = None,
        first: OptionalFirst = None,
        after: After = None,
        cursor: DeprecatedCursor = None,
        limit: DeprecatedLimit = 100,
        order_by: Annotated[
            LedgerEntryOrder, strawberry.argument(description="Sort order; keep it while paging / 排序")
        ] = LedgerEntryOrder.CHAIN,
    ) -> LedgerPage:
        return await service_page(
            info,
            info.context.clients.funding,
            "/ledger/entries",
            {"source_id": source_id, "claim_id": claim_id, "uscc": uscc},
            order_by,
            limit if first is None else first,
            after or cursor,
            LedgerPage,
            entry_from_service,
        )

    @strawberry.field(description="Verify the ledger's hash chain and trial balance / 账簿校验")
    async def ledger_check(self, info: Info[Any, Any]) -> LedgerCheck:
        return check_from_service(await _get(info, "/ledger/verify"))

    @strawberry.field(description="Claims, filtered, keyset-paginated / 奖补申请列表")
    async def claims(
        self,
        info: Info[Any, Any],
        status: str | None = None,
        uscc: str | None = None,
        county_code: str | None = None,
        policy_key: str | None = None,
        first: OptionalFirst = None,
        after: After = None,
        cursor: DeprecatedCursor = None,
        limit: DeprecatedLimit = 50,
        line_code: Annotated[
            str | None, strawberry.argument(description="Only this subsidy line / 按补助条目筛选")
        ] = None,
        order_by: Annotated[
            ClaimOrder, strawberry.argument(description="Sort order; keep it while paging / 排序")
        ] = ClaimOrder.SUBMITTED_OLDEST_FIRST,
    ) -> ClaimPage:
        return await service_page(
            info,
            info.context.clients.funding,
            "/claims",
            {
                "status": status,
                "uscc": uscc,
                "county_code": county_code,
                "policy_key": policy_key,
                "line_code": line_code,
            },
            order_by,
            limit if first is None else first,
            after or cursor,
            ClaimPage,
            Claim.from_service,
        )

    @strawberry.field(description="One claim with invoices, allocations and payments / 申请详情")
    async def claim(self, claim_id: str, info: Info[Any, Any]) -> Claim:
        return Claim.from_service(await _get(info, f"/claims/{_p(claim_id)}"))

    @strawberry.field(
        description="Payments, e.g. the queue of a source (unpaginated) / 支付列表（不分页）",
        deprecation_reason="Unbounded; use `paymentsPage` / 请改用 paymentsPage（分页）",
    )
    async def payments(
        self,
        info: Info[Any, Any],
        status: str | None = None,
        source_id: str | None = None,
        uscc: str | None = None,
    ) -> list[Payment]:
        data = await _get(info, "/payments", status=status, source_id=source_id, uscc=uscc)
        return [build(Payment, p) for p in data["items"]]

    @strawberry.field(description="Payments, filtered, sorted, keyset-paginated / 支付列表（分页）")
    async def payments_page(
        self,
        info: Info[Any, Any],
        status: str | None = None,
        source_id: str | None = None,
        uscc: str | None = None,
        first: First = 50,
        after: After = None,
        order_by: Annotated[
            PaymentOrder, strawberry.argument(description="Sort order; keep it while paging / 排序")
        ] = PaymentOrder.QUEUED_OLDEST,
    ) -> PaymentPage:
        return await service_page(
            info,
            info.context.clients.funding,
            "/payments",
            {"status": status, "source_id": source_id, "uscc": uscc},
            order_by,
            first,
            after,
            PaymentPage,
            lambda p: build(Payment, p),
        )

    @strawberry.field(
        description="Disbursement batches (unpaginated) / 拨付批次（不分页）",
        deprecation_reason="Unbounded; use `disbursementBatchesPage` / 请改用 disbursementBatchesPage",
    )
    async def disbursement_batches(
        self, info: Info[Any, Any], source_id: str | None = None
    ) -> list[DisbursementBatch]:
        data = await _get(info, "/disbursement-batches", source_id=source_id)
        return [DisbursementBatch.from_service(b) for b in data["items"]]

    @strawberry.field(description="Disbursement batches, sorted, keyset-paginated / 拨付批次（分页）")
    async def disbursement_batches_page(
        self,
        info: Info[Any, Any],
        source_id: str | None = None,
        first: First = 50,
        after: After = None,
        order_by: Annotated[
            DisbursementBatchOrder, strawberry.argument(description="Sort order; keep it while paging / 排序")
        ] = DisbursementBatchOrder.NEWEST,
    ) -> DisbursementBatchPage:
        return await service_page(
            info,
            info.context.clients.funding,
            "/disbursement-batches",
            {"source_id": source_id},
            order_by,
            first,
            after,
            DisbursementBatchPage,
            DisbursementBatch.from_service,
        )

    @strawberry.field(description="One batch with its payments / 批次详情")
    async def disbursement_batch(self, batch_id: str, info: Info[Any, Any]) -> DisbursementBatch:
        return DisbursementBatch.from_service(await _get(info, f"/disbursement-batches/{_p(batch_id)}"))

    @strawberry.field(description="The bank file of a batch, CSV or XLSX, base64 / 银行拨付文件")
    async def bank_file(self, batch_id: str, info: Info[Any, Any], format: str = "csv") -> BankFile:
        if format not in ("csv", "xlsx"):
            raise GatewayError("VALIDATION_FAILED", "format is csv or xlsx")
        response = await _request(
            info, "GET", f"/disbursement-batches/{_p(batch_id)}/bank-file", params={"format": format}
        )
        return BankFile(
            filename=f"batch-{batch_id[:8]}.{format}",
            content_type=response.headers.get("content-type", ""),
            content_base64=base64.b64encode(response.content).decode(),
        )

    @strawberry.field(
        description="Recoveries raised (unpaginated) / 收回列表（不分页）",
        deprecation_reason="Unbounded; use `recoveriesPage` / 请改用 recoveriesPage（分页）",
    )
    async def recoveries(
        self, info: Info[Any, Any], uscc: str | None = None, claim_id: str | None = None
    ) -> list[Recovery]:
        data = await _get(info, "/recoveries", uscc=uscc, claim_id=claim_id)
        return [recovery_from_service(r) for r in data["items"]]

    @strawberry.field(description="Recoveries raised, sorted, keyset-paginated / 收回列表（分页）")
    async def recoveries_page(
        self,
        info: Info[Any, Any],
        uscc: str | None = None,
        claim_id: str | None = None,
        first: First = 50,
        after: After = None,
        order_by: Annotated[
            RecoveryOrder, strawberry.argument(description="Sort order; keep it while paging / 排序")
        ] = RecoveryOrder.RAISED_OLDEST,
    ) -> RecoveryPage:
        return await service_page(
            info,
            info.context.clients.funding,
            "/recoveries",
            {"uscc": uscc, "claim_id": claim_id},
            order_by,
            first,
            after,
            RecoveryPage,
            recovery_from_service,
        )

    @strawberry.field(description="Funds by source, year, county or industry / 资金报表")
    async def funds_report(
        self, info: Info[Any, Any], group_by: str = "source", policy_key: str | None = None
    ) -> FundsReport:
        return FundsReport.from_service(
            await _get(info, "/reports/funds", group_by=group_by, policy_key=policy_key)
        )

    @strawberry.field(description="An enterprise's claims, payments and recoveries / 企业对账单")
    async def enterprise_funding_statement(self, uscc: str, info: Info[Any, Any]) -> EnterpriseStatement:
        return EnterpriseStatement.from_service(
            await _get(info, f"/reports/enterprises/{_p(uscc)}/statement")
        )

    @strawberry.field(description="Performance figures (绩效) / 资金绩效")
    async def funding_performance(
        self, info: Info[Any, Any], policy_key: str | None = None
    ) -> FundingPerformance:
        return FundingPerformance.from_service(
            await _get(info, "/reports/performance", policy_key=policy_key)
        )


@strawberry.type
class FundingMutation:
    @strawberry.mutation(description="Publish a new policy version (city) / 发布政策新版本")
    async def publish_funding_policy(
        self, document: JSON, info: Info[Any, Any], note: str = ""
    ) -> PolicyPayload:
        policy, errors = await _mutate(
            info, "/policies", {"document": document, "note": note}, policy_from_service
        )
        return PolicyPayload(policy=policy, errors=errors)

    @strawberry.mutation(description="Publish a shipped preset as a new version (city) / 发布预置政策")
    async def publish_funding_preset(self, key: str, info: Info[Any, Any]) -> PolicyPayload:
        policy, errors = await _mutate(info, f"/policies/from-preset/{_p(key)}", None, policy_from_service)
        return PolicyPayload(policy=policy, errors=errors)

    @strawberry.mutation(description="Create a funding source (city) / 新建资金来源")
    async def create_funding_source(
        self,
        source_id: str,
        level: str,
        name: str,
        policy_key: str,
        info: Info[Any, Any],
        county_code: str | None = None,
    ) -> FundingSourcePayload:
        body = {"source_id": source_id, "level": level, "name": name, "policy_key": policy_key}
        if county_code:
            body["county_code"] = county_code
        source, errors = await _mutate(info, "/funding-sources", body, FundingSource.from_service)
        return FundingSourcePayload(source=source, entry=None, errors=errors)

    @strawberry.mutation(description="Allocate a year's budget to a source (city; idempotent) / 下达资金")
    async def allocate_funds(
        self,
        source_id: str,
        fiscal_year: int,
        amount_fen: Fen,
        idempotency_key: str,
        info: Info[Any, Any],
        memo: str = "",
    ) -> FundingSourcePayload:
        body = {"fiscal_year": fiscal_year, "amount_fen": amount_fen, "memo": memo}
        entry, errors = await _mutate(
            info, f"/funding-sources/{_p(source_id)}/allocations", body, entry_from_service, idempotency_key
        )
        source = None
        if entry is not None:
            source = FundingSource.from_service(await _get(info, f"/funding-sources/{_p(source_id)}"))
        return FundingSourcePayload(source=source, entry=entry, errors=errors)

    @strawberry.mutation(description="Submit a claim after acceptance (idempotent) / 提交奖补申请")
    async def submit_claim(
        self, input: SubmitClaimInput, idempotency_key: str, info: Info[Any, Any]
    ) -> ClaimPayload:
        body = {
            "uscc": input.uscc,
            "policy_key": input.policy_key,
            "policy_version": input.policy_version,
            "line_code": input.line_code,
            "project_id": input.project_id,
            "contract_id": input.contract_id,
            "assessment_id": input.assessment_id,
            "claimed_fen": input.claimed_fen,
            "invoices": [
                {
                    "number": i.number,
                    "amount_fen": i.amount_fen,
                    "issued_on": i.issued_on.isoformat(),
                    "payee_uscc": i.payee_uscc,
                    "payee_name": i.payee_name,
                    "category": i.category,
                }
                for i in input.invoices
            ],
            "attachments": [
                {"sha256": a.sha256, "filename": a.filename, "size_bytes": a.size_bytes}
                for a in input.attachments
            ],
            "loan_interest_fen": input.loan_interest_fen or {},
        }
        claim, errors = await _mutate(info, "/claims", body, Claim.from_service, idempotency_key)
        return ClaimPayload(claim=claim, errors=errors)

    @strawberry.mutation(description="County (初审) or city (复审) review: approve or reject / 审核申请")
    async def review_claim(
        self, claim_id: str, step: str, decision: str, info: Info[Any, Any], note: str = ""
    ) -> ClaimPayload:
        body = {"step": step, "decision": decision, "note": note}
        claim, errors = await _mutate(info, f"/claims/{_p(claim_id)}/reviews", body, Claim.from_service)
        return ClaimPayload(claim=claim, errors=errors)

    @strawberry.mutation(description="Record the special audit (专项审计) / 录入审计结论")
    async def record_claim_audit(
        self,
        claim_id: str,
        result: str,
        info: Info[Any, Any],
        audited_fen: Fen | None = None,
        note: str = "",
    ) -> ClaimPayload:
        body = {"result": result, "audited_fen": audited_fen, "note": note}
        claim, errors = await _mutate(info, f"/claims/{_p(claim_id)}/audit", body, Claim.from_service)
        return ClaimPayload(claim=claim, errors=errors)

    @strawberry.mutation(description="Approve a claim: commit money on its sources (city; idempotent) / 核定")
    async def approve_claim(self, claim_id: str, idempotency_key: str, info: Info[Any, Any]) -> ClaimPayload:
        claim, errors = await _mutate(
            info, f"/claims/{_p(claim_id)}/approve", None, Claim.from_service, idempotency_key
        )
        return ClaimPayload(claim=claim, errors=errors)

    @strawberry.mutation(description="Claw back a claim (fraud, revocation) (city; idempotent) / 收回")
    async def claw_back_claim(
        self, claim_id: str, reason: str, idempotency_key: str, info: Info[Any, Any], note: str = ""
    ) -> ClawbackPayload:
        data, errors = await _mutate(
            info,
            f"/claims/{_p(claim_id)}/clawback",
            {"reason": reason, "note": note},
            lambda d: d,
            idempotency_key,
        )
        if data is None:
            return ClawbackPayload(claim=None, released_fen=0, recoveries=[], errors=errors)
        return ClawbackPayload(
            claim=Claim.from_service(data["claim"]),
            released_fen=data["released_fen"],
            recoveries=[recovery_from_service(r) for r in data["recoveries"]],
            errors=[],
        )

    @strawberry.mutation(
        description="Batch a source's queued payments for the bank (city; idempotent) / 生成拨付批次"
    )
    async def create_disbursement_batch(
        self, source_id: str, idempotency_key: str, info: Info[Any, Any], max_payments: int = 500
    ) -> BatchPayload:
        body = {"source_id": source_id, "max_payments": max_payments}
        batch, errors = await _mutate(
            info, "/disbursement-batches", body, DisbursementBatch.from_service, idempotency_key
        )
        return BatchPayload(batch=batch, paid=0, failed=0, requeued_payment_ids=[], errors=errors)

    @strawberry.mutation(
        description="Import the bank's results; failed payments are queued again (idempotent) / 回单对账"
    )
    async def reconcile_disbursement_batch(
        self,
        batch_id: str,
        idempotency_key: str,
        info: Info[Any, Any],
        lines: list[ReconciliationLineInput] | None = None,
        csv: str | None = None,
    ) -> BatchPayload:
        body = {
            "lines": [
                {
                    "payment_id": x.payment_id,
                    "status": x.status,
                    "bank_reference": x.bank_reference,
                    "reason": x.reason,
                }
                for x in lines or []
            ],
            "csv": csv,
        }
        data, errors = await _mutate(
            info, f"/disbursement-batches/{_p(batch_id)}/reconciliation", body, lambda d: d, idempotency_key
        )
        if data is None:
            return BatchPayload(batch=None, paid=0, failed=0, requeued_payment_ids=[], errors=errors)
        return BatchPayload(
            batch=DisbursementBatch.from_service(data["batch"]),
            paid=data["paid"],
            failed=data["failed"],
            requeued_payment_ids=data["requeued_payment_ids"],
            errors=[],
        )

    @strawberry.mutation(description="Record money repaid on a recovery (city; idempotent) / 登记退回")
    async def repay_recovery(
        self, recovery_id: str, amount_fen: Fen, idempotency_key: str, info: Info[Any, Any]
    ) -> RecoveryPayload:
        recovery, errors = await _mutate(
            info,
            f"/recoveries/{_p(recovery_id)}/repayments",
            {"amount_fen": amount_fen},
            recovery_from_service,
            idempotency_key,
        )
        return RecoveryPayload(recovery=recovery, errors=errors)
