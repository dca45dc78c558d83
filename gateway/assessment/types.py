from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info


@strawberry.type(description="What the assessment service knows of an enterprise / 企业评测概况")
class AssessmentProfile:
    known_since: datetime = strawberry.field(
        description="When the assessment service learned of it / 收录时间"
    )
    current_level: int | None = strawberry.field(
        description="Certified maturity level 1-4, null before acceptance / 当前数字化水平等级"
    )


async def resolve_assessment_profile(uscc: str, info: Info[Any, Any]) -> AssessmentProfile:
    data = await info.context.clients.assessment.get(f"/enterprises/{uscc}", info.context.token)
    return AssessmentProfile(
        known_since=datetime.fromisoformat(data["known_since"]), current_level=data["current_level"]
    )
