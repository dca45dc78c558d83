"""Every model of the service, imported so that the metadata is complete (Alembic, tests)."""

from services.assessment.db import Base, infra
from services.assessment.enterprise.models import EnterpriseCopy

__all__ = ["Base", "EnterpriseCopy", "infra"]
