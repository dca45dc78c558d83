"""Every model of the service, imported so that the metadata is complete (Alembic, tests)."""

from services.enrollment.db import Base, infra
from services.enrollment.enterprise.models import Enterprise

__all__ = ["Base", "Enterprise", "infra"]
