"""Every model of the service, imported so that the metadata is complete (Alembic, tests)."""

from services.funding.db import Base, infra
from services.funding.enterprise.models import EnterpriseCopy

__all__ = ["Base", "EnterpriseCopy", "infra"]
