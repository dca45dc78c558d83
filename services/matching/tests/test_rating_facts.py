from datetime import UTC, datetime

import pytest

from services.matching.provider.rating_facts import ProjectFact, period_bounds, rating_facts


def at(year: int, month: int, day: int = 1) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


class TestPeriods:
    @pytest.mark.parametrize(
        ("period", "start", "end"),
        [
            ("2026-11", at(2026, 11), at(2026, 12)),
            ("2026-12", at(2026, 12), at(2027, 1)),
            ("2026-Q1", at(2026, 1), at(2026, 4)),
            ("2026-Q4", at(2026, 10), at(2027, 1)),
            ("2026", at(2026, 1), at(2027, 1)),
        ],
    )
    def test_bounds(self, period: str, start: datetime, end: datetime) -> None:
        assert period_bounds(period) == (start, end)


class TestFacts:
    def test_counts_and_suggestions(self) -> None:
        projects = [
            ProjectFact(completed_at=at(2026, 11, 5), ends_on=at(2026, 11, 30), accepted_level=2),
            ProjectFact(completed_at=at(2026, 11, 20), ends_on=at(2026, 11, 10), accepted_level=1),
            ProjectFact(completed_at=at(2026, 11, 25), ends_on=at(2026, 12, 31), accepted_level=None),
        ]
        facts = rating_facts(projects, [5, 4, 3], full_marks_projects=5)
        assert (facts.projects_completed, facts.on_time, facts.accepted, facts.accepted_level2) == (
            3,
            2,
            2,
            1,
        )
        assert facts.satisfaction_avg_centi == 400
        assert facts.suggested_scores == {"projects": 60, "on_time": 66, "results": 50, "satisfaction": 80}

    def test_nothing_known_suggests_only_projects(self) -> None:
        facts = rating_facts([], [], full_marks_projects=5)
        assert facts.suggested_scores == {"projects": 0} and facts.satisfaction_avg_centi is None
