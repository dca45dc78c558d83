from typing import Any

import strawberry
from strawberry.types import Info

from gateway.enrollment.types import Enterprise, SizeClass
from gateway.errors import GatewayError, UserError, user_errors

CALLER_ERRORS = {409, 422}


@strawberry.input(description="A new enterprise dossier / 企业登记信息")
class RegisterEnterpriseInput:
    uscc: str = strawberry.field(description="统一社会信用代码 (18 characters)")
    name: str = strawberry.field(description="企业名称")
    county_code: str = strawberry.field(description="所属区县 code (6 digits)")
    industry_code: str = strawberry.field(description="国民经济行业分类 code, e.g. C34")
    size_class: SizeClass = strawberry.field(description="规上/规下")


@strawberry.type(description="Result of registerEnterprise / 企业登记结果")
class RegisterEnterprisePayload:
    enterprise: Enterprise | None = strawberry.field(description="The registered enterprise; null on error")
    errors: list[UserError] = strawberry.field(description="What was wrong with the input / 输入错误")


@strawberry.type
class EnrollmentQuery:
    @strawberry.field(description="One enterprise by USCC / 按统一社会信用代码查询企业")
    async def enterprise(self, uscc: str, info: Info[Any, Any]) -> Enterprise | None:
        data = await info.context.clients.enrollment.get(f"/enterprises/{uscc}", info.context.token)
        return Enterprise.from_service(data)


@strawberry.type
class EnrollmentMutation:
    @strawberry.mutation(description="Register an enterprise dossier / 登记企业（一企一档）")
    async def register_enterprise(
        self, input: RegisterEnterpriseInput, info: Info[Any, Any]
    ) -> RegisterEnterprisePayload:
        body = {
            "uscc": input.uscc,
            "name": input.name,
            "county_code": input.county_code,
            "industry_code": input.industry_code,
            "size_class": input.size_class.value,
        }
        try:
            data = await info.context.clients.enrollment.post("/enterprises", info.context.token, json=body)
        except GatewayError as error:
            if error.status in CALLER_ERRORS:
                return RegisterEnterprisePayload(enterprise=None, errors=user_errors(error))
            raise
        return RegisterEnterprisePayload(enterprise=Enterprise.from_service(data), errors=[])
