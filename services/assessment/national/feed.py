from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.assessment.models import Assessment
from services.assessment.db import infra
from szcore.changefeed import CHUNK, ChangeLog, Snapshots, table_snapshots

feed = ChangeLog(infra.change_log)
feed.track(Assessment, "assessment", lambda a: a.id)

# Answers, evidence and the written report stay with the city; levels and scores are national data.
assessment_rows = table_snapshots(
    Assessment.__table__,  # type: ignore[arg-type]
    "id",
    exclude=("answers", "evidence", "report", "pain_points"),
)


async def assessments(session: AsyncSession, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Each assessment with `level_before`: for an acceptance, the level of the enterprise's latest
    submitted diagnosis (the same baseline AcceptanceEvaluated carries); null for other kinds."""
    found = await assessment_rows(session, ids)
    usccs = sorted({a["uscc"] for a in found.values() if a["kind"] == "acceptance"})
    baseline: dict[str, int] = {}
    table = Assessment.__table__
    for start in range(0, len(usccs), CHUNK):
        query = (
            select(table.c.uscc, table.c.level)
            .where(
                table.c.uscc.in_(usccs[start : start + CHUNK]),
                table.c.kind == "diagnosis",
                table.c.status == "submitted",
                table.c.superseded_by_id.is_(None),
            )
            .order_by(table.c.uscc, table.c.submitted_at, table.c.id)
        )
        for row in await session.execute(query):
            baseline[row.uscc] = row.level or 0
    for item in found.values():
        item["level_before"] = baseline.get(item["uscc"], 0) if item["kind"] == "acceptance" else None
    return found


SNAPSHOTS: dict[str, Snapshots] = {"assessment": assessments}
