"""Every model of the service, imported so that the metadata is complete (Alembic, tests)."""

from services.enrollment.application.models import Application, ApplicationAction, Objection
from services.enrollment.bulk.models import BulkPush
from services.enrollment.db import Base, infra
from services.enrollment.designation.models import Designation
from services.enrollment.enterprise.models import Enterprise, EnterpriseVersion
from services.enrollment.expert.models import Expert, ExpertDraw, ExpertLink
from services.enrollment.programme.models import Programme, ProgrammeVersion
from services.enrollment.timeline.models import ProviderEngagement, TimelineEntry

__all__ = [
    "Application",
    "ApplicationAction",
    "Base",
    "BulkPush",
    "Designation",
    "Enterprise",
    "EnterpriseVersion",
    "Expert",
    "ExpertDraw",
    "ExpertLink",
    "Objection",
    "Programme",
    "ProgrammeVersion",
    "ProviderEngagement",
    "TimelineEntry",
    "infra",
]
