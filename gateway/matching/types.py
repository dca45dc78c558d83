from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info


@strawberry.type(description="What the matching service knows of an enterprise / 企业供需对接概况")
class MatchingProfile:
    known_since: datetime = strawberry.field(description="When the matching service learned of it / 收录时间")
    open_engagements: int = strawberry.field(
        description="Engagements with providers still open / 进行中的服务对接数"
    )


async def resolve_matching_profile(uscc: str, info: Info[Any, Any]) -> MatchingProfile:
    data = await info.context.clients.matching.get(f"/enterprises/{uscc}", info.context.token)
    return MatchingProfile(
        known_since=datetime.fromisoformat(data["known_since"]), open_engagements=data["open_engagements"]
    )
