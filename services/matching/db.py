from services.matching import SERVICE
from szcore.audit import AuditLog
from szcore.db import declarative_base
from szcore.outbox import Outbox
from szcore.tables import define_infra_tables

Base = declarative_base()
infra = define_infra_tables(Base.metadata)
outbox = Outbox(infra, producer=SERVICE)
audit_log = AuditLog(infra.audit_log)
