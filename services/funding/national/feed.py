from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.claim.models import Claim, ClaimAllocation, Payment
from services.funding.db import infra
from szcore.changefeed import CHUNK, ChangeLog, Snapshots, table_snapshots

feed = ChangeLog(infra.change_log)
feed.track(Claim, "claim", lambda c: c.claim_id)
feed.track(ClaimAllocation, "claim", lambda a: a.claim_id)
feed.track(Payment, "payment", lambda p: p.payment_id)

claim_rows = table_snapshots(Claim.__table__, "claim_id")  # type: ignore[arg-type]


async def claims(session: AsyncSession, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """A claim with how much each funding source committed and paid (central, provincial, city...)."""
    found = await claim_rows(session, ids)
    for claim in found.values():
        claim["allocations"] = []
    allocation = ClaimAllocation.__table__
    for start in range(0, len(ids), CHUNK):
        query = (
            select(allocation)
            .where(allocation.c.claim_id.in_(list(ids[start : start + CHUNK])))
            .order_by(allocation.c.claim_id, allocation.c.source_id)
        )
        for row in (await session.execute(query)).mappings():
            if row["claim_id"] in found:
                found[row["claim_id"]]["allocations"].append(
                    {k: v for k, v in row.items() if k != "claim_id"}
                )
    return found


SNAPSHOTS: dict[str, Snapshots] = {
    "claim": claims,
    "payment": table_snapshots(Payment.__table__, "payment_id"),  # type: ignore[arg-type]
}
