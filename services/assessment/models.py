"""Every model of the service, imported so that the metadata is complete (Alembic, tests)."""

from services.assessment.assessment.models import Assessment, EngagementCopy, ProjectCopy
from services.assessment.db import Base, infra
from services.assessment.enterprise.models import EnterpriseCopy
from services.assessment.index.models import IndexVersion
from services.assessment.revisit.models import AdmissionCopy, Revisit, RevisitDraw

__all__ = [
    "AdmissionCopy",
    "Assessment",
    "Base",
    "EngagementCopy",
    "EnterpriseCopy",
    "IndexVersion",
    "ProjectCopy",
    "Revisit",
    "RevisitDraw",
    "infra",
]
