"""Infrastructure tables every service carries in its own database: outbox, inbox, audit log and the
change log of the national change feed."""

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from szcore.types import BigIntPK, UTCDateTime


@dataclass(frozen=True)
class InfraTables:
    outbox: Table
    inbox: Table
    audit_log: Table
    change_log: Table


def define_infra_tables(metadata: MetaData) -> InfraTables:
    outbox = Table(
        "outbox",
        metadata,
        Column("id", BigIntPK, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("event_type", String(100), nullable=False),
        Column("subject", String(200), nullable=False),
        Column("aggregate_id", String(100), nullable=False),
        Column("envelope", LargeBinary, nullable=False),
        Column("created_at", UTCDateTime, nullable=False),
        Column("published_at", UTCDateTime, nullable=True),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("last_error", Text, nullable=True),
        Index(
            "ix_outbox_unpublished",
            "id",
            postgresql_where=text("published_at IS NULL"),
            sqlite_where=text("published_at IS NULL"),
        ),
    )
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", String(36), primary_key=True),
        Column("event_type", String(100), nullable=False),
        Column("received_at", UTCDateTime, nullable=False),
    )
    audit_log = Table(
        "audit_log",
        metadata,
        Column("id", BigIntPK, primary_key=True, autoincrement=True),
        Column("chain", String(50), nullable=False),
        Column("seq", Integer, nullable=False),
        Column("occurred_at", UTCDateTime, nullable=False),
        Column("actor_subject", String(200), nullable=False),
        Column("actor_role", String(50), nullable=False),
        Column("action", String(100), nullable=False),
        Column("entity_type", String(100), nullable=False),
        Column("entity_id", String(100), nullable=False),
        Column("data", Text, nullable=False),
        Column("prev_hash", String(64), nullable=False),
        Column("hash", String(64), nullable=False),
        UniqueConstraint("chain", "seq", name="uq_audit_log_chain_seq"),
        Index("ix_audit_log_entity", "entity_type", "entity_id"),
    )
    return InfraTables(
        outbox=outbox, inbox=inbox, audit_log=audit_log, change_log=define_change_log(metadata)
    )


def define_change_log(metadata: MetaData) -> Table:
    """Rows with seq NULL are changes not yet sequenced (any number per entity); a sequenced row is the
    entity's latest change, one per entity (szcore/changefeed.py)."""
    return Table(
        "change_log",
        metadata,
        Column("id", BigIntPK, primary_key=True, autoincrement=True),
        Column("entity_type", String(50), nullable=False),
        Column("entity_id", String(100), nullable=False),
        Column("seq", BigInteger, nullable=True),
        Column("recorded_at", UTCDateTime, nullable=False),
        Index("ix_change_log_seq", "seq", unique=True),
        Index(
            "ix_change_log_pending",
            "id",
            postgresql_where=text("seq IS NULL"),
            sqlite_where=text("seq IS NULL"),
        ),
        Index(
            "ix_change_log_entity",
            "entity_type",
            "entity_id",
            unique=True,
            postgresql_where=text("seq IS NOT NULL"),
            sqlite_where=text("seq IS NOT NULL"),
        ),
    )
