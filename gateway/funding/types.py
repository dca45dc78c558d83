"""GraphQL types of the funding domain (奖补资金). Money is integer fen (分); rates are basis points."""

import dataclasses
from datetime import date, datetime
from typing import Any, TypeVar

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from gateway.pagination import Connection
from gateway.scalars import Fen

T = TypeVar("T")


def build(cls: type[T], data: dict[str, Any], **nested: Any) -> T:
    """A strawberry type from a service's JSON: same field names (snake_case), times parsed."""
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        if field.name in nested:
            values[field.name] = nested[field.name]
            continue
        value = data.get(field.name)
        if isinstance(value, str) and field.name.endswith(("_at", "_since")):
            value = datetime.fromisoformat(value)
        elif isinstance(value, str) and field.name.endswith("_on"):
            value = date.fromisoformat(value)
        values[field.name] = value
    return cls(**values)


def pairs(mapping: dict[Any, Any] | None, cls: type[T], key: str, value: str) -> list[T]:
    return [cls(**{key: k, value: v}) for k, v in sorted((mapping or {}).items(), key=lambda kv: str(kv[0]))]


@strawberry.type(description="What the funding service knows of an enterprise / 企业资金概况")
class FundingProfile:
    known_since: datetime = strawberry.field(description="When the funding service learned of it / 收录时间")
    paid_fen: Fen = strawberry.field(
        description="Subsidy paid so far, net of recoveries, in fen / 已拨付奖补（分）"
    )


async def resolve_funding_profile(uscc: str, info: Info[Any, Any]) -> FundingProfile | None:
    """Through the request's DataLoader over `GET /enterprises?uscc=...` (see the assessment profile)."""
    data = await info.context.loader("funding", "/enterprises").load(uscc)
    if data is None:
        return None
    return FundingProfile(known_since=datetime.fromisoformat(data["known_since"]), paid_fen=data["paid_fen"])


# --- policies, quotes, simulations ---


@strawberry.type(description="A shipped policy preset transcribed from a city plan / 政策预置模板")
class PolicyPreset:
    key: str = strawberry.field(description="Preset key, e.g. xinxiang / 模板键")
    name: str = strawberry.field(description="Policy name / 政策名称")
    city: str = strawberry.field(description="City / 城市")
    seed: str = strawberry.field(description="The plan and sections it transcribes / 来源文件")
    document: JSON = strawberry.field(description="The policy document / 政策文档")


@strawberry.type(description="One published version of a policy; never changes / 政策版本")
class FundingPolicy:
    policy_key: str = strawberry.field(description="Policy key / 政策键")
    version: int = strawberry.field(description="Version number, from 1 / 版本号")
    name: str = strawberry.field(description="Policy name / 政策名称")
    city: str = strawberry.field(description="City / 城市")
    document_sha256: str = strawberry.field(description="SHA-256 of the canonical document / 文档摘要")
    note: str = strawberry.field(description="Why this version / 发布说明")
    published_at: datetime = strawberry.field(description="Published at (UTC) / 发布时间")
    published_by: str = strawberry.field(description="Who published it / 发布人")
    lines_count: int = strawberry.field(description="Number of benefit lines / 条目数")
    document: JSON | None = strawberry.field(description="The document (detail queries only) / 政策文档")


@strawberry.type(description="An amount in a year / 年度金额")
class FundingYearAmount:
    year: int = strawberry.field(description="Calendar year / 年度")
    amount_fen: Fen = strawberry.field(description="Amount in fen / 金额（分）")


@strawberry.type(description="One benefit line of a quote, explained / 奖补条目测算")
class BenefitLineQuote:
    code: str = strawberry.field(description="Line code / 条目代码")
    name: str = strawberry.field(description="Line name / 条目名称")
    eligible: bool = strawberry.field(description="Whether the recipient qualifies / 是否符合条件")
    amount_fen: Fen = strawberry.field(description="Amount due after caps / 应补金额（分）")
    base_fen: Fen = strawberry.field(description="The base the rate applies to / 计算基数（分）")
    rate_bp: int = strawberry.field(description="Rate in basis points (5000 = 50%) / 补助比例（基点）")
    computed_fen: Fen = strawberry.field(description="Base × rate before caps / 封顶前金额（分）")
    cap_fen: Fen | None = strawberry.field(description="The cap that applied / 适用上限（分）")
    cap_reason: str | None = strawberry.field(description="Which cap applied / 上限原因")
    explanation: str = strawberry.field(description="How it was computed / 计算说明")
    by_year: list[FundingYearAmount] = strawberry.field(description="The amount by year / 分年度金额")


@strawberry.type(description="Every benefit a recipient is entitled to / 奖补测算结果")
class SubsidyQuote:
    policy_key: str = strawberry.field(description="Policy key / 政策键")
    policy_version: int | None = strawberry.field(description="Version; null for a draft / 政策版本")
    recipient_id: str = strawberry.field(description="Recipient / 对象")
    total_fen: Fen = strawberry.field(description="Total due / 合计（分）")
    lines: list[BenefitLineQuote] = strawberry.field(description="Per line / 分条目")

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> "SubsidyQuote":
        lines = [
            build(
                BenefitLineQuote,
                line,
                by_year=pairs(line["by_year"], FundingYearAmount, "year", "amount_fen"),
            )
            for line in data["lines"]
        ]
        return build(cls, data, lines=lines)


@strawberry.type(description="Budget needed from one source level in one year / 分来源分年度预算")
class SourceYearAmount:
    level: str = strawberry.field(description="central, provincial, city, county / 资金层级")
    year: int = strawberry.field(description="Year / 年度")
    amount_fen: Fen = strawberry.field(description="Amount in fen / 金额（分）")


@strawberry.type(description="Amount per benefit line / 分条目金额")
class BenefitLineAmount:
    code: str = strawberry.field(description="Line code / 条目代码")
    amount_fen: Fen = strawberry.field(description="Amount in fen / 金额（分）")


@strawberry.type(description="Enterprises per level / 各等级企业数")
class SimulatedLevelCount:
    level: int = strawberry.field(description="Maturity level / 等级")
    count: int = strawberry.field(description="Enterprises / 企业数")


@strawberry.type(description="A programme simulation: the budget a policy needs / 政策资金测算")
class ProgrammeSimulation:
    policy_key: str = strawberry.field(description="Policy key / 政策键")
    policy_version: int | None = strawberry.field(description="Version; null for a draft / 政策版本")
    enterprises: int = strawberry.field(description="Enterprises simulated / 测算企业数")
    total_fen: Fen = strawberry.field(description="Total budget needed / 资金需求合计（分）")
    level_counts: list[SimulatedLevelCount] = strawberry.field(description="Assumed levels / 假设等级分布")
    by_line: list[BenefitLineAmount] = strawberry.field(description="Per benefit line / 分条目")
    by_source_year: list[SourceYearAmount] = strawberry.field(
        description="Per source and year / 分来源分年度"
    )
    central_overflow_fen: Fen = strawberry.field(
        description="Central share that fell to local money (first come first served) / 中央资金不足转地方"
    )
    capped_count: int = strawberry.field(description="Lines that hit a cap / 触及上限次数")
    programme_total_exceeded_fen: Fen = strawberry.field(
        description="How far the need exceeds the programme total / 超出政策总额"
    )

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> "ProgrammeSimulation":
        by_source_year = [
            SourceYearAmount(level=level, year=int(year), amount_fen=amount)
            for level, years in sorted(data["by_source_year"].items())
            for year, amount in sorted(years.items())
        ]
        return build(
            cls,
            data,
            level_counts=pairs(
                {int(k): v for k, v in data["level_counts"].items()}, SimulatedLevelCount, "level", "count"
            ),
            by_line=pairs(data["by_line"], BenefitLineAmount, "code", "amount_fen"),
            by_source_year=by_source_year,
        )


# --- sources and the ledger ---


@strawberry.type(description="Balances derived from ledger entries / 资金余额（由账簿推导）")
class SourceBalances:
    allocated_fen: Fen = strawberry.field(description="Allocated / 已下达")
    available_fen: Fen = strawberry.field(description="Available / 可用")
    committed_fen: Fen = strawberry.field(description="Committed, unpaid / 已承诺未拨付")
    paid_fen: Fen = strawberry.field(description="Paid / 已拨付")
    receivable_fen: Fen = strawberry.field(description="To be recovered / 待收回")


@strawberry.type(description="A funding source: central, provincial, city or county budget / 资金来源")
class FundingSource:
    source_id: str = strawberry.field(description="Source id / 来源编号")
    level: str = strawberry.field(description="central, provincial, city, county / 层级")
    name: str = strawberry.field(description="Name / 名称")
    county_code: str | None = strawberry.field(description="County of a county source / 区县")
    policy_key: str = strawberry.field(description="The policy it funds / 所属政策")
    created_at: datetime = strawberry.field(description="Created at / 创建时间")
    balances: SourceBalances | None = strawberry.field(description="Derived balances / 余额")

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> "FundingSource":
        balances = build(SourceBalances, data["balances"]) if data.get("balances") else None
        return build(cls, data, balances=balances)


@strawberry.type(description="One hash-chained double-entry posting / 账簿分录")
class LedgerEntry:
    seq: int = strawberry.field(description="Position in the chain / 序号")
    entry_type: str = strawberry.field(
        description="allocation, commitment, release, payment, recovery_raised, recovery_repaid / 分录类型"
    )
    source_id: str = strawberry.field(description="Source / 资金来源")
    fiscal_year: int = strawberry.field(description="Year / 年度")
    debit_account: str = strawberry.field(description="Debited account / 借方")
    credit_account: str = strawberry.field(description="Credited account / 贷方")
    amount_fen: Fen = strawberry.field(description="Amount / 金额（分）")
    claim_id: str | None = strawberry.field(description="Claim / 申请")
    payment_id: str | None = strawberry.field(description="Payment / 支付")
    recovery_id: str | None = strawberry.field(description="Recovery / 收回")
    uscc: str | None = strawberry.field(description="Enterprise / 企业")
    line_code: str | None = strawberry.field(description="Benefit line / 条目")
    memo: str = strawberry.field(description="Memo / 摘要")
    occurred_at: datetime = strawberry.field(description="When / 时间")
    actor_subject: str = strawberry.field(description="Who / 操作人")
    prev_hash: str = strawberry.field(description="Previous entry's hash / 前序哈希")
    hash: str = strawberry.field(description="This entry's hash / 本条哈希")


@strawberry.type(description="A page of ledger entries / 账簿分页")
class LedgerPage(Connection[LedgerEntry]):
    items: list[LedgerEntry] = strawberry.field(description="Entries / 分录")
    total: int = strawberry.field(description="Total matching / 总数")
    next_cursor: str | None = strawberry.field(description="Cursor of the next page / 下一页游标")


@strawberry.type(description="Ledger verification / 账簿校验")
class LedgerCheck:
    ok: bool = strawberry.field(description="Chain intact and balanced / 是否完好")
    checked: int = strawberry.field(description="Entries checked / 已校验条数")
    first_broken_seq: int | None = strawberry.field(description="First broken entry / 首个异常序号")
    reason: str | None = strawberry.field(description="What is wrong / 原因")
    trial_balance_fen: Fen = strawberry.field(description="Sum of all balances, 0 when sound / 试算平衡")


# --- claims, payments, recoveries ---


@strawberry.type(description="An invoice of a claim / 发票")
class Invoice:
    number: str = strawberry.field(description="Invoice number / 发票号码")
    amount_fen: Fen = strawberry.field(description="Amount / 金额（分）")
    issued_on: date = strawberry.field(description="Issued on / 开票日期")
    payee_uscc: str = strawberry.field(description="Payee's USCC / 收款方信用代码")
    payee_name: str = strawberry.field(description="Payee / 收款方")
    category: str = strawberry.field(description="Spending category / 支出类别")


@strawberry.type(description="An attachment stored by SHA-256 / 附件")
class ClaimAttachment:
    sha256: str = strawberry.field(description="SHA-256 / 摘要")
    filename: str = strawberry.field(description="File name / 文件名")
    size_bytes: int = strawberry.field(description="Size / 大小")


@strawberry.type(description="How much a source committed to a claim / 资金来源分配")
class ClaimAllocation:
    source_id: str = strawberry.field(description="Source / 来源")
    level: str = strawberry.field(description="Level / 层级")
    amount_fen: Fen = strawberry.field(description="Committed / 承诺金额")
    paid_fen: Fen = strawberry.field(description="Paid / 已拨付")


@strawberry.type(description="A bank transfer / 支付")
class Payment:
    payment_id: str = strawberry.field(description="Payment id / 支付编号")
    claim_id: str = strawberry.field(description="Claim / 申请")
    uscc: str = strawberry.field(description="Enterprise / 企业")
    source_id: str = strawberry.field(description="Source / 资金来源")
    amount_fen: Fen = strawberry.field(description="Amount / 金额（分）")
    batch_id: str | None = strawberry.field(description="Batch / 批次")
    status: str = strawberry.field(description="queued, in_batch, paid, failed, cancelled / 状态")
    bank_reference: str = strawberry.field(description="Bank reference / 银行流水号")
    failure_reason: str = strawberry.field(description="Why it failed / 失败原因")
    queued_at: datetime = strawberry.field(description="Queued at / 排队时间")
    settled_at: datetime | None = strawberry.field(description="Settled at / 结算时间")


@strawberry.type(description="A subsidy claim / 奖补申请")
class Claim:
    claim_id: str = strawberry.field(description="Claim id / 申请编号")
    uscc: str = strawberry.field(description="Enterprise / 企业")
    county_code: str = strawberry.field(description="County / 区县")
    industry_code: str = strawberry.field(description="Industry / 行业")
    policy_key: str = strawberry.field(description="Policy / 政策")
    policy_version: int = strawberry.field(description="Pinned policy version / 政策版本")
    line_code: str = strawberry.field(description="Benefit line / 条目")
    project_id: str = strawberry.field(description="Transformation project / 改造项目")
    contract_id: str | None = strawberry.field(description="Contract / 合同")
    assessment_id: str | None = strawberry.field(description="Acceptance evaluation / 验收评测")
    level: int = strawberry.field(description="Certified level / 验收等级")
    accepted_at: datetime | None = strawberry.field(description="Accepted at / 验收时间")
    status: str = strawberry.field(
        description="submitted, county_approved, city_approved, audited, approved, paid, rejected, "
        "clawed_back / 状态"
    )
    claimed_fen: Fen = strawberry.field(description="Claimed / 申报金额")
    quoted_fen: Fen = strawberry.field(description="Entitled at submission / 测算金额")
    explanation: str = strawberry.field(description="How the entitlement was computed / 计算说明")
    audited_fen: Fen | None = strawberry.field(description="Confirmed by the audit / 审计确认金额")
    audit_result: str | None = strawberry.field(description="passed, failed / 审计结论")
    audit_note: str = strawberry.field(description="Audit note / 审计意见")
    approved_fen: Fen = strawberry.field(description="Approved / 核定金额")
    paid_fen: Fen = strawberry.field(description="Paid / 已拨付")
    recovered_fen: Fen = strawberry.field(description="Recovered / 已收回")
    review_note: str = strawberry.field(description="Last review note / 审核意见")
    submitted_at: datetime = strawberry.field(description="Submitted at / 申报时间")
    updated_at: datetime = strawberry.field(description="Updated at / 更新时间")
    invoices: list[Invoice] | None = strawberry.field(description="Invoices (detail) / 发票")
    attachments: list[ClaimAttachment] | None = strawberry.field(description="Attachments (detail) / 附件")
    allocations: list[ClaimAllocation] | None = strawberry.field(description="By source (detail) / 资金来源")
    payments: list[Payment] | None = strawberry.field(description="Payments (detail) / 支付")

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> "Claim":
        def many(name: str, item: type[Any]) -> list[Any] | None:
            return [build(item, x) for x in data[name]] if name in data else None

        return build(
            cls,
            data,
            invoices=many("invoices", Invoice),
            attachments=many("attachments", ClaimAttachment),
            allocations=many("allocations", ClaimAllocation),
            payments=many("payments", Payment),
        )


@strawberry.type(description="A page of claims / 申请分页")
class ClaimPage(Connection[Claim]):
    items: list[Claim] = strawberry.field(description="Claims / 申请")
    total: int = strawberry.field(description="Total matching / 总数")
    next_cursor: str | None = strawberry.field(description="Cursor of the next page / 下一页游标")


@strawberry.type(description="A disbursement batch sent to the bank / 拨付批次")
class DisbursementBatch:
    batch_id: str = strawberry.field(description="Batch id / 批次编号")
    source_id: str = strawberry.field(description="Source / 资金来源")
    status: str = strawberry.field(description="sent, reconciled / 状态")
    payments_count: int = strawberry.field(description="Payments / 笔数")
    total_fen: Fen = strawberry.field(description="Total / 合计")
    created_at: datetime = strawberry.field(description="Created at / 创建时间")
    created_by: str = strawberry.field(description="Created by / 创建人")
    payments: list[Payment] | None = strawberry.field(description="Payments (detail) / 支付明细")

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> "DisbursementBatch":
        payments = [build(Payment, p) for p in data["payments"]] if "payments" in data else None
        return build(cls, data, payments=payments)


@strawberry.type(description="A page of payments / 支付分页")
class PaymentPage(Connection[Payment]):
    items: list[Payment] = strawberry.field(description="Payments / 支付")
    total: int = strawberry.field(description="Total matching / 总数")
    next_cursor: str | None = strawberry.field(description="Cursor of the next page / 下一页游标")


@strawberry.type(description="A page of disbursement batches / 拨付批次分页")
class DisbursementBatchPage(Connection[DisbursementBatch]):
    items: list[DisbursementBatch] = strawberry.field(description="Batches / 批次")
    total: int = strawberry.field(description="Total matching / 总数")
    next_cursor: str | None = strawberry.field(description="Cursor of the next page / 下一页游标")


@strawberry.type(description="A bank file / 银行文件")
class BankFile:
    filename: str = strawberry.field(description="File name / 文件名")
    content_type: str = strawberry.field(description="MIME type / 类型")
    content_base64: str = strawberry.field(description="The file, base64 / 文件内容（base64）")


@strawberry.type(description="Money to recover / 收回")
class Recovery:
    recovery_id: str = strawberry.field(description="Recovery id / 编号")
    claim_id: str = strawberry.field(description="Claim / 申请")
    uscc: str = strawberry.field(description="Enterprise / 企业")
    source_id: str = strawberry.field(description="Source it returns to / 资金来源")
    amount_fen: Fen = strawberry.field(description="To recover / 应收回")
    repaid_fen: Fen = strawberry.field(description="Repaid / 已收回")
    reason: str = strawberry.field(description="pilot_status_revoked, fraud, other / 原因")
    status: str = strawberry.field(description="open, partly_repaid, repaid / 状态")
    raised_at: datetime = strawberry.field(description="Raised at / 发起时间")


@strawberry.type(description="A page of recoveries / 收回分页")
class RecoveryPage(Connection[Recovery]):
    items: list[Recovery] = strawberry.field(description="Recoveries / 收回")
    total: int = strawberry.field(description="Total matching / 总数")
    next_cursor: str | None = strawberry.field(description="Cursor of the next page / 下一页游标")


# --- reports ---


@strawberry.type(description="One row of the funds report / 资金报表行")
class FundsRow:
    key: str = strawberry.field(description="Source, year, county or industry / 维度值")
    allocated_fen: Fen = strawberry.field(description="Allocated / 已下达")
    committed_fen: Fen = strawberry.field(description="Committed / 已承诺")
    paid_fen: Fen = strawberry.field(description="Paid / 已拨付")
    recovery_raised_fen: Fen = strawberry.field(description="To recover / 应收回")
    recovered_fen: Fen = strawberry.field(description="Recovered / 已收回")


@strawberry.type(description="Funds by a dimension / 资金报表")
class FundsReport:
    group_by: str = strawberry.field(description="source, year, county, industry / 维度")
    rows: list[FundsRow] = strawberry.field(description="Rows / 行")
    totals: FundsRow = strawberry.field(description="Totals / 合计")

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> "FundsReport":
        return build(
            cls, data, rows=[build(FundsRow, r) for r in data["rows"]], totals=build(FundsRow, data["totals"])
        )


@strawberry.type(description="An enterprise's statement / 企业对账单")
class EnterpriseStatement:
    uscc: str = strawberry.field(description="Enterprise / 企业")
    name: str = strawberry.field(description="Name / 名称")
    county_code: str = strawberry.field(description="County / 区县")
    approved_fen: Fen = strawberry.field(description="Approved / 核定")
    paid_fen: Fen = strawberry.field(description="Paid net of recoveries / 净拨付")
    outstanding_recovery_fen: Fen = strawberry.field(description="Still to repay / 待退回")
    claims: list[Claim] = strawberry.field(description="Claims / 申请")
    payments: list[Payment] = strawberry.field(description="Payments / 支付")
    recoveries: list[Recovery] = strawberry.field(description="Recoveries / 收回")

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> "EnterpriseStatement":
        return build(
            cls,
            data,
            claims=[Claim.from_service(c) for c in data["claims"]],
            payments=[build(Payment, p) for p in data["payments"]],
            recoveries=[build(Recovery, r) for r in data["recoveries"]],
        )


@strawberry.type(description="Claims in a status / 各状态申请数")
class ClaimStatusCount:
    status: str = strawberry.field(description="Status / 状态")
    count: int = strawberry.field(description="Claims / 数量")


@strawberry.type(description="Performance figures (绩效) / 资金绩效")
class FundingPerformance:
    claims_by_status: list[ClaimStatusCount] = strawberry.field(description="Claims by status / 各状态申请")
    enterprises_paid: int = strawberry.field(description="Enterprises paid / 已拨付企业数")
    approved_fen: Fen = strawberry.field(description="Approved / 核定")
    paid_fen: Fen = strawberry.field(description="Paid / 已拨付")
    recovered_fen: Fen = strawberry.field(description="Recovered / 已收回")
    allocated_fen: Fen = strawberry.field(description="Allocated / 已下达")
    execution_rate_bp: int = strawberry.field(
        description="Paid ÷ allocated, basis points / 资金执行率（基点）"
    )

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> "FundingPerformance":
        return build(
            cls, data, claims_by_status=pairs(data["claims_by_status"], ClaimStatusCount, "status", "count")
        )


def policy_from_service(data: dict[str, Any]) -> FundingPolicy:
    return build(FundingPolicy, data)


def preset_from_service(data: dict[str, Any]) -> PolicyPreset:
    return build(PolicyPreset, data)


def recovery_from_service(data: dict[str, Any]) -> Recovery:
    return build(Recovery, data)


def entry_from_service(data: dict[str, Any]) -> LedgerEntry:
    return build(LedgerEntry, data)


def check_from_service(data: dict[str, Any]) -> LedgerCheck:
    return build(LedgerCheck, data)
