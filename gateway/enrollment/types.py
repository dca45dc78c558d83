from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from gateway.assessment.types import AssessmentProfile, resolve_assessment_profile
from gateway.funding.types import FundingProfile, resolve_funding_profile
from gateway.matching.types import MatchingProfile, resolve_matching_profile


@strawberry.enum(description="Size class / 企业规模")
class SizeClass(Enum):
    ABOVE_SCALE = strawberry.enum_value("above_scale", description="规上 above designated size")
    BELOW_SCALE = strawberry.enum_value("below_scale", description="规下 below designated size")


@strawberry.type(
    description="An enrolled enterprise: its dossier (一企一档) and what each service knows of it"
)
class Enterprise:
    uscc: str = strawberry.field(description="统一社会信用代码 unified social credit code")
    name: str = strawberry.field(description="企业名称 name")
    county_code: str = strawberry.field(description="所属区县 county code")
    industry_code: str = strawberry.field(description="国民经济行业分类 industry code")
    size_class: SizeClass = strawberry.field(description="规上/规下 size class")
    registered_at: datetime = strawberry.field(description="登记时间 registered at (UTC)")

    @strawberry.field(
        description="Assessment profile / 评测概况 (null while the assessment service is unavailable)"
    )
    async def assessment(self, info: Info[Any, Any]) -> AssessmentProfile | None:
        return await resolve_assessment_profile(self.uscc, info)

    @strawberry.field(description="Matching profile / 供需对接概况")
    async def matching(self, info: Info[Any, Any]) -> MatchingProfile | None:
        return await resolve_matching_profile(self.uscc, info)

    @strawberry.field(description="Funding profile / 资金概况")
    async def funding(self, info: Info[Any, Any]) -> FundingProfile | None:
        return await resolve_funding_profile(self.uscc, info)

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> "Enterprise":
        return cls(
            uscc=data["uscc"],
            name=data["name"],
            county_code=data["county_code"],
            industry_code=data["industry_code"],
            size_class=SizeClass(data["size_class"]),
            registered_at=datetime.fromisoformat(data["registered_at"]),
        )
