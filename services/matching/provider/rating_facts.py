"""What the platform itself knows about a provider's period: the facts behind a periodic rating.

Pure: plain data in, facts and suggested 0-100 scores out. The city still decides the rating.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class ProjectFact:
    completed_at: datetime | None
    ends_on: datetime
    accepted_level: int | None


@dataclass(frozen=True)
class RatingFacts:
    projects_completed: int
    on_time: int
    accepted: int
    accepted_level2: int
    satisfaction_count: int
    satisfaction_avg_centi: int | None  # enterprise ratings 1-5, x100
    suggested_scores: dict[str, int]


def period_bounds(period: str) -> tuple[datetime, datetime]:
    """2026-11 (month), 2026-Q4 (quarter) or 2026 (year) as [start, end) in UTC."""
    if match := re.fullmatch(r"(\d{4})-(\d{2})", period):
        year, month = int(match[1]), int(match[2])
        start = datetime(year, month, 1, tzinfo=UTC)
        end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    elif match := re.fullmatch(r"(\d{4})-Q([1-4])", period):
        year, quarter = int(match[1]), int(match[2])
        start = datetime(year, 3 * quarter - 2, 1, tzinfo=UTC)
        end = datetime(year + quarter // 4, (3 * quarter) % 12 + 1, 1, tzinfo=UTC)
    else:
        year = int(period)
        start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    return start, end


def rating_facts(
    projects: list[ProjectFact], satisfaction_scores: list[int], full_marks_projects: int
) -> RatingFacts:
    done = [p for p in projects if p.completed_at is not None]
    on_time = sum(1 for p in done if p.completed_at is not None and p.completed_at <= p.ends_on)
    accepted = [p for p in done if p.accepted_level is not None]
    level2 = sum(1 for p in accepted if (p.accepted_level or 0) >= 2)
    satisfaction = (
        round(sum(satisfaction_scores) * 100 / len(satisfaction_scores)) if satisfaction_scores else None
    )
    suggested = {"projects": min(100, len(done) * 100 // max(1, full_marks_projects))}
    if done:
        suggested["on_time"] = on_time * 100 // len(done)
    if accepted:
        suggested["results"] = level2 * 100 // len(accepted)
    if satisfaction is not None:
        suggested["satisfaction"] = satisfaction // 5
    return RatingFacts(
        projects_completed=len(done),
        on_time=on_time,
        accepted=len(accepted),
        accepted_level2=level2,
        satisfaction_count=len(satisfaction_scores),
        satisfaction_avg_centi=satisfaction,
        suggested_scores=suggested,
    )
