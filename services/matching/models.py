"""Every model of the service, imported so that the metadata is complete (Alembic, tests)."""

from services.matching.activity.models import Activity, Registration
from services.matching.db import Base, infra
from services.matching.enterprise.models import EnterpriseCopy
from services.matching.need.models import Need
from services.matching.project.models import Engagement, Milestone, Plan, Project
from services.matching.provider.models import Provider, ProviderRating, ProviderReview
from services.matching.rules.models import RuleVersion
from services.matching.solution.models import Solution, SolutionRating, SolutionReview

__all__ = [
    "Activity",
    "Base",
    "Engagement",
    "EnterpriseCopy",
    "Milestone",
    "Need",
    "Plan",
    "Project",
    "Provider",
    "ProviderRating",
    "ProviderReview",
    "Registration",
    "RuleVersion",
    "Solution",
    "SolutionRating",
    "SolutionReview",
    "infra",
]
