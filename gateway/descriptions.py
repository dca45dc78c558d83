"""Bilingual descriptions of arguments that the resolvers leave undescribed, and of the built-in scalars.

Most arguments mean the same wherever they appear (`uscc`, `claimId`, `idempotencyKey` ...), so they are
described once by name here instead of in every resolver; `Field.argument` entries cover names whose
meaning depends on the field. A description written in the resolver always wins.
`gateway/tests/test_descriptions.py` fails on anything left without a Chinese and an English description.
"""

from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLScalarType, GraphQLSchema

ARGUMENTS: dict[str, str] = {
    "activityId": "Activity ID / 活动编号",
    "allOrNothing": "Reject the whole push when one record is invalid / 任一记录无效则整体拒绝",
    "amountFen": "Amount in fen / 金额（分）",
    "applicationId": "Application ID / 申报编号",
    "auditedFen": "Amount confirmed by the audit, in fen / 审计核定金额（分）",
    "batchId": "Batch ID / 批次编号",
    "budgetFen": "The enterprise's budget in fen / 企业预算（分）",
    "cities": "Cities to seed, by code (all when empty) / 初始化的城市编码",
    "claimId": "Claim ID / 奖补申请编号",
    "comment": "Reviewer's comment / 审核意见",
    "config": "Programme configuration / 试点项目配置",
    "contactsMade": "Enterprise-provider contacts made at the activity / 促成对接数",
    "content": "Content of the submission / 提交内容",
    "count": "How many to draw / 抽取数量",
    "county": "Only this county (code) / 按区县筛选",
    "countyCode": "County code (行政区划代码) / 区县编码",
    "csv": "The bank's reconciliation file as CSV text / 银行回单 CSV",
    "decision": "The decision / 审核决定",
    "detail": "Details of the finding / 复核详情",
    "document": "The rule document (JSON) / 规则文档",
    "dryRun": "Validate only, change nothing / 仅校验不写入",
    "engagementId": "Engagement ID / 对接编号",
    "eventTypes": "Only these event types (all when empty) / 事件类型筛选",
    "excellentYear": "Only products selected as excellent in this year / 优秀产品年度",
    "expertId": "Expert ID / 专家编号",
    "facts": "The facts to quote on (JSON) / 测算依据",
    "fields": "Expertise fields wanted / 专业领域",
    "filter": "Filters; all records when omitted / 筛选条件",
    "finding": "Finding of the revisit / 复核结论",
    "fiscalYear": "Fiscal year / 财政年度",
    "format": "File format / 文件格式",
    "groupBy": "Dimension to group by / 分组维度",
    "id": "ID of the record / 记录编号",
    "idempotencyKey": "Client-chosen key; a retry with the same key does nothing twice / 幂等键",
    "indexCode": "Index version code (the current one when omitted) / 指标体系版本",
    "industry": "Only this industry (code) / 按行业筛选",
    "industryCode": "Industry code (国民经济行业分类) / 行业编码",
    "input": "The mutation's input / 操作输入",
    "key": "Policy key / 政策编码",
    "kind": "Only this kind / 按类型筛选",
    "level": "Government level of the source / 资金层级",
    "limit": "At most this many records / 最多返回条数",
    "lines": "Reconciliation lines / 回单明细",
    "maxPayments": "At most this many payments in the batch / 批次最多支付笔数",
    "memo": "Memo for the ledger / 账簿备注",
    "milestoneId": "Milestone ID / 里程碑编号",
    "name": "Name / 名称",
    "needId": "Need ID / 需求编号",
    "note": "Note for the record / 备注",
    "notes": "Notes / 备注",
    "objectionId": "Objection ID / 异议编号",
    "partyId": "ID of the party (USCC or provider ID) / 关联方编号",
    "partyType": "Kind of party: enterprise or provider / 关联方类型",
    "period": "Rating period, e.g. 2026 / 考评期间",
    "policyKey": "Funding policy key / 奖补政策编码",
    "programme": "Programme ID / 试点项目编号",
    "programmeId": "Programme ID / 试点项目编号",
    "projectId": "Transformation project ID / 改造项目编号",
    "providerId": "Provider ID / 服务商编号",
    "reason": "Why, for the record / 原因",
    "records": "Enterprise records to push / 推送的企业记录",
    "recoveryId": "Recovery ID / 追回编号",
    "registrationIds": "Registrations to mark as attended / 报名记录编号",
    "relation": "How the expert relates to the party, e.g. employer / 关联关系",
    "replacementApplicationId": "Application taking the place / 递补申报编号",
    "requestId": "Client request ID, for idempotent retries / 请求编号",
    "resolution": "How the objection was resolved / 处理结果",
    "result": "Audit result / 审计结论",
    "scenario": "Only products for this scenario (code) / 按场景筛选",
    "scope": "Scope of the rule, e.g. a programme / 规则适用范围",
    "solutionId": "Solution (product) ID / 产品编号",
    "sourceId": "Funding source ID / 资金来源编号",
    "status": "Only records in this status / 按状态筛选",
    "step": "Review step / 审核环节",
    "targetLevel": "Target maturity level / 目标等级",
    "toBatchId": "Batch to move to / 目标批次",
    "upheld": "Whether the objection is upheld / 异议是否成立",
    "uscc": "Enterprise's unified social credit code (统一社会信用代码) / 企业信用代码",
    "version": "Version (the current one when omitted) / 版本",
    "year": "Year / 年度",
}

# Names whose meaning depends on the field: "Field.argument".
FIELD_ARGUMENTS: dict[str, str] = {
    "indexVersion.code": "Index version code / 指标体系版本编码",
    "retireIndexVersion.code": "Index version code / 指标体系版本编码",
    "scorePreview.content": "Answers to score / 待试算的答卷",
    "updateAssessment.content": "Answers of the assessment / 评测答卷",
    "raiseObjection.content": "Text of the objection / 异议内容",
    "loadIndexVersion.document": "The index version document (JSON) / 指标体系文档",
    "publishFundingPolicy.document": "The policy document (JSON) / 政策文档",
    "subsidyQuote.document": "An unpublished policy document to try (JSON) / 试算用政策文档",
    "matchingRule.kind": "Which rule document / 规则类型",
    "bankFile.format": "File format, e.g. csv / 文件格式",
    "createFundingSource.name": "Name of the source / 资金来源名称",
    "reviewClaim.decision": "approve or reject / 通过或退回",
    "reviewApplication.decision": "approve or reject / 通过或退回",
    "recordClaimAudit.result": "passed or failed / 审计通过或不通过",
    "reviewClaim.step": "Which review: county or city / 审核环节（区县、市级）",
    "timeline.limit": "At most this many items / 最多返回条数",
    "matches.limit": "At most this many matches / 最多返回匹配数",
}

SCALARS: dict[str, str] = {
    "Date": "Calendar date, ISO 8601 (2026-01-31) / 日期",
    "DateTime": "Date and time with time zone, ISO 8601 (UTC) / 日期时间（含时区）",
    "JSON": "Any JSON value (ECMA-404) / 任意 JSON 值",
}


def describe(schema: GraphQLSchema) -> GraphQLSchema:
    """Fill missing argument descriptions from the tables above (in place)."""
    for named in schema.type_map.values():
        if isinstance(named, GraphQLScalarType) and named.name in SCALARS:
            named.description = SCALARS[named.name]
        if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            continue
        for field_name, field in named.fields.items():
            for arg_name, arg in field.args.items():
                if not arg.description:
                    arg.description = FIELD_ARGUMENTS.get(f"{field_name}.{arg_name}") or ARGUMENTS.get(
                        arg_name
                    )
    return schema
