from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info


@strawberry.type(description="What the funding service knows of an enterprise / 企业资金概况")
class FundingProfile:
    known_since: datetime = strawberry.field(description="When the funding service learned of it / 收录时间")
    paid_fen: int = strawberry.field(
        description="Subsidy paid so far, net of recoveries, in fen / 已拨付奖补（分）"
    )


async def resolve_funding_profile(uscc: str, info: Info[Any, Any]) -> FundingProfile:
    data = await info.context.clients.funding.get(f"/enterprises/{uscc}", info.context.token)
    return FundingProfile(known_since=datetime.fromisoformat(data["known_since"]), paid_fen=data["paid_fen"])
