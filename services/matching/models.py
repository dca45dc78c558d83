"""Every model of the service, imported so that the metadata is complete (Alembic, tests)."""

from services.matching.db import Base, infra
from services.matching.enterprise.models import EnterpriseCopy

__all__ = ["Base", "EnterpriseCopy", "infra"]
