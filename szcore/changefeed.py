"""The change feed the national platform pulls: every national entity carries a change sequence.

A write records (entity_type, entity_id) in `change_log` with seq NULL, in the write's transaction. Sequence
numbers are not taken at write time: concurrent transactions commit out of order, so a reader could pass
a number that a slower transaction fills in later. One sequencer per database (advisory lock on
PostgreSQL; SQLite has one writer) numbers committed changes in a transaction of its own and keeps only
each entity's latest number. Readers see sequenced rows only; since every sequencer transaction numbers
above everything committed before it, the numbers a reader can see always form a prefix, and a reader
that pages from any cursor C receives every entity whose latest change is after C, once, with its
current snapshot.
"""

import json
import logging
import zlib
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from functools import cached_property
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Table,
    any_,
    bindparam,
    delete,
    event,
    func,
    insert,
    literal,
    select,
    text,
    tuple_,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session
from sqlalchemy.sql import cast
from sqlalchemy.types import String

from szcore.auth import CurrentPrincipal, Role
from szcore.db import unnest_rows
from szcore.errors import FieldError, bad_request, forbidden
from szcore.types import UTCDateTime, utcnow
from szcore.worker import CommitFollower

log = logging.getLogger(__name__)

READER_ROLES = (Role.national_platform, Role.city_admin)
MAX_LIMIT = 5000
CHUNK = 500
NDJSON = "application/x-ndjson"


@dataclass(frozen=True)
class Change:
    seq: int
    entity_type: str
    entity_id: str


def plan_sequence(pending: Sequence[tuple[int, str, str]], next_seq: int) -> list[Change]:
    """Numbers a batch of pending (id, entity_type, entity_id) rows: one number per entity, in the
    order of each entity's latest pending row, starting at next_seq."""
    last: dict[tuple[str, str], int] = {}
    for row_id, entity_type, entity_id in pending:
        key = (entity_type, entity_id)
        last[key] = max(row_id, last.get(key, row_id))
    ordered = sorted(last, key=last.__getitem__)
    return [
        Change(next_seq + i, entity_type, entity_id) for i, (entity_type, entity_id) in enumerate(ordered)
    ]


KeyFn = Callable[[Any], str | None]
# Mapped class -> the feeds and entity types its rows change; filled by ChangeLog.track.
_TRACKED: dict[type, list[tuple["ChangeLog", str, KeyFn]]] = {}


class ChangeLog:
    def __init__(self, table: Table) -> None:
        self.table = table

    # Writing ---------------------------------------------------------------------------------------

    async def record(self, session: AsyncSession, entity_type: str, entity_ids: Iterable[str]) -> None:
        """For writes that bypass the ORM unit of work (bulk Core statements)."""
        ids = [str(i) for i in entity_ids]
        if not ids:
            return
        now = utcnow()
        if session.bind.dialect.name == "postgresql":
            # One statement from one array, whatever the number of entities (a bulk push records thousands).
            values = {"entity_type": entity_type, "entity_ids": ids, "recorded_at": now}
            await session.execute(self._insert_many, values)
        else:
            rows = [{"entity_type": entity_type, "entity_id": i, "recorded_at": now} for i in ids]
            for start in range(0, len(rows), 5000):
                await session.execute(insert(self.table), rows[start : start + 5000])
        self.written(session, ids)

    @cached_property
    def _insert_many(self) -> Any:
        return insert(self.table).from_select(
            ["entity_type", "entity_id", "recorded_at"],
            select(
                bindparam("entity_type", type_=String),
                func.unnest(bindparam("entity_ids", type_=ARRAY(String))),
                bindparam("recorded_at", type_=UTCDateTime),
            ),
        )

    @staticmethod
    def written(session: AsyncSession, rows: Sequence[Any]) -> None:
        """After change rows were written in `session` (here or by a caller's COPY): the sequencer wakes
        when it commits."""
        if rows:
            session.info["changes_pending"] = True

    def track(self, model: type, entity_type: str, key: KeyFn) -> None:
        """Every ORM insert, update or delete of `model` records a change of the entity key(obj) names,
        in the same flush: no write path can forget it."""
        entries = _TRACKED.setdefault(model, [])
        if not any(feed is self and kind == entity_type for feed, kind, _ in entries):
            entries.append((self, entity_type, key))

    # Sequencing ------------------------------------------------------------------------------------

    async def sequence(self, session: AsyncSession, batch_size: int = 5000) -> int:
        """Numbers up to batch_size pending rows in the caller's transaction; returns how many it took."""
        if session.get_bind().dialect.name == "postgresql":
            key = zlib.crc32(f"changefeed:{self.table.name}".encode())
            await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        t = self.table.c
        pending = (
            await session.execute(
                select(t.id, t.entity_type, t.entity_id)
                .where(t.seq.is_(None))
                .order_by(t.id)
                .limit(batch_size)
            )
        ).all()
        if not pending:
            return 0
        head = (await session.execute(select(func.coalesce(func.max(t.seq), 0)))).scalar_one()
        changes = plan_sequence([(r.id, r.entity_type, r.entity_id) for r in pending], head + 1)
        ids = [r.id for r in pending]
        now = utcnow()
        if session.get_bind().dialect.name == "postgresql":
            # Arrays, one statement each: an `IN` of (type, id) pairs is planned as an OR of thousands of
            # terms over the whole table (100,000 changes took two minutes to number).
            taken, earlier, numbered = self._sequence_statements
            await session.execute(taken, {"ids": ids})
            keys = {
                "k_entity_type": [c.entity_type for c in changes],
                "k_entity_id": [c.entity_id for c in changes],
            }
            await session.execute(earlier, keys)
            await session.execute(numbered, keys | {"k_seq": [c.seq for c in changes], "now": now})
            return len(pending)
        for start in range(0, len(ids), CHUNK):
            await session.execute(self.table.delete().where(t.id.in_(ids[start : start + CHUNK])))
        keys = [(c.entity_type, c.entity_id) for c in changes]
        for start in range(0, len(keys), CHUNK):
            await session.execute(
                self.table.delete().where(
                    t.seq.is_not(None), tuple_(t.entity_type, t.entity_id).in_(keys[start : start + CHUNK])
                )
            )
        await session.execute(
            insert(self.table),
            [
                {"entity_type": c.entity_type, "entity_id": c.entity_id, "seq": c.seq, "recorded_at": now}
                for c in changes
            ],
        )
        return len(pending)

    @cached_property
    def _sequence_statements(self) -> tuple[Any, Any, Any]:
        """PostgreSQL: delete the pending rows taken and the entities' earlier numbered rows, insert the
        entities' new numbered rows."""
        t = self.table
        keys = unnest_rows(t, ("entity_type", "entity_id"), "k_")
        numbered = unnest_rows(t, ("entity_type", "entity_id", "seq"), "k_")
        return (
            delete(t).where(t.c.id == any_(bindparam("ids", type_=ARRAY(BigInteger)))),
            delete(t).where(
                t.c.seq.is_not(None),
                t.c.entity_type == keys.c.entity_type,
                t.c.entity_id == keys.c.entity_id,
            ),
            insert(t).from_select(
                ["entity_type", "entity_id", "seq", "recorded_at"],
                select(*numbered.c, bindparam("now", type_=UTCDateTime)),
            ),
        )

    # Reading ---------------------------------------------------------------------------------------

    async def read(
        self, session: AsyncSession, after: int, limit: int, types: Sequence[str] | None = None
    ) -> tuple[list[Change], bool]:
        """Sequenced changes after `after`, in seq order, and whether more follow (keyset on seq)."""
        rows, has_more = await self.read_rows(session, after, limit, types)
        return [Change(*r) for r in rows], has_more

    async def read_rows(
        self, session: AsyncSession, after: int, limit: int, types: Sequence[str] | None = None
    ) -> tuple[Sequence[Any], bool]:
        """As `read`, as plain (seq, entity_type, entity_id) rows: the endpoint's hot path."""
        t = self.table.c
        query = select(t.seq, t.entity_type, t.entity_id).where(t.seq > after)
        if types:
            query = query.where(t.entity_type.in_(list(types)))
        rows = (await session.execute(query.order_by(t.seq).limit(limit + 1))).all()
        return rows[:limit], len(rows) > limit

    async def head(self, session: AsyncSession) -> int:
        return int((await session.execute(select(func.coalesce(func.max(self.table.c.seq), 0)))).scalar_one())


@event.listens_for(Session, "after_flush")
def _record_tracked(session: Session, _context: Any) -> None:
    if not _TRACKED:
        return
    rows: dict[Table, set[tuple[str, str]]] = {}
    for objects, check in ((session.new, False), (session.dirty, True), (session.deleted, False)):
        for obj in objects:
            entries = _TRACKED.get(type(obj))
            if not entries or (check and not session.is_modified(obj, include_collections=False)):
                continue
            for feed, entity_type, key in entries:
                entity_id = key(obj)
                if entity_id is not None:
                    rows.setdefault(feed.table, set()).add((entity_type, str(entity_id)))
    if not rows:
        return
    now = utcnow()
    connection = session.connection()
    for table, keys in rows.items():
        connection.execute(
            insert(table), [{"entity_type": k, "entity_id": i, "recorded_at": now} for k, i in sorted(keys)]
        )
    session.info["changes_pending"] = True


class ChangeSequencer:
    """Background task of each service process: numbers committed changes soon after each commit."""

    def __init__(
        self,
        feed: ChangeLog,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        name: str,
        poll_seconds: float = 1.0,
        batch_size: int = 5000,
    ) -> None:
        self.feed = feed
        self.sessionmaker = sessionmaker
        self.name = name
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        self._worker = CommitFollower(
            f"{name}-change-sequencer",
            self.drain,
            flag="changes_pending",
            poll_seconds=poll_seconds,
            # Numbering can wait a few tens of milliseconds (readers see only numbered changes); each drain
            # is a transaction of its own, which one per commit would make as costly as the commits.
            gather_seconds=0.05,
            on_error=lambda exc, delay: log.warning(
                "change sequencer failed, retrying", extra={"error": str(exc), "delay": delay}
            ),
        )

    def hook_commits(self, session_class: type[Session]) -> None:
        self._worker.hook_commits(session_class)

    async def start(self) -> None:
        await self._worker.start()

    async def stop(self) -> None:
        await self._worker.stop()

    async def drain(self) -> int:
        total = 0
        while True:
            async with self.sessionmaker() as session, session.begin():
                taken = await self.feed.sequence(session, self.batch_size)
            total += taken
            if taken < self.batch_size:
                return total


# Snapshots and the service endpoint ----------------------------------------------------------------

Snapshots = Callable[[AsyncSession, Sequence[str]], Awaitable[dict[str, dict[str, Any]]]]


def plain(value: Any) -> Any:
    """JSON for what json does not know: dates and times as ISO 8601 (enums are str already)."""
    if isinstance(value, date):  # datetimes too (a subclass); cheaper than testing a union per value
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def table_snapshots(table: Table, key: str, exclude: Sequence[str] = ()) -> Snapshots:
    """Snapshots of rows of one table by key: on PostgreSQL one statement per page (`= ANY` of one array
    parameter, compiled once), elsewhere a statement per CHUNK keys; never one per entity."""
    columns: list[Column[Any]] = [c for c in table.columns if c.name not in exclude]
    names = [c.name for c in columns]
    at = names.index(key)
    # asyncpg returns timestamptz as aware UTC datetimes already: UTCDateTime's conversion is for SQLite.
    loaded = [
        type_coerce(c, DateTime(timezone=True)).label(c.name) if isinstance(c.type, UTCDateTime) else c
        for c in columns
    ]
    by_array = select(*loaded).where(table.c[key] == any_(bindparam("ids", type_=ARRAY(String()))))
    by_list = select(*columns).where(table.c[key].in_(bindparam("ids", expanding=True)))

    async def load(session: AsyncSession, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        if session.get_bind().dialect.name == "postgresql":
            parts = [(by_array, list(ids))] if ids else []
        else:
            parts = [(by_list, list(ids[s : s + CHUNK])) for s in range(0, len(ids), CHUNK)]
        for statement, part in parts:
            # Plain tuples, values as loaded; the encoder writes dates and times.
            for row in (await session.execute(statement, {"ids": part})).all():
                found[str(row[at])] = dict(zip(names, row, strict=True))
        return found

    return load


def parse_types(types: str | None, known: Iterable[str]) -> list[str] | None:
    if not types:
        return None
    wanted = [t.strip() for t in types.split(",") if t.strip()]
    unknown = sorted(set(wanted) - set(known))
    if unknown:
        raise bad_request(
            "unknown_entity_type",
            f"Unknown entity types: {', '.join(unknown)}",
            [FieldError("types", "unknown", f"One of {', '.join(sorted(known))}")],
        )
    return wanted


ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=plain)


def dumps(data: Any) -> bytes:
    return ENCODER.encode(data).encode()


def _snapshot_encoder() -> Callable[[Any], str]:
    """ENCODER's output, with its C encoder built once: json builds a new one per call, which costs as
    much as encoding a small snapshot."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return ENCODER.encode
    encode = make(None, plain, json.encoder.encode_basestring, None, ":", ",", False, False, True)
    return lambda value: "".join(encode(value, 0))


encode_snapshot = _snapshot_encoder()
quote = json.encoder.encode_basestring
ITEM = '{"seq":%d,"entity_type":%s,"entity_id":%s,"deleted":%s,"data":%s}'


def item_json(seq: int, entity_type: str, entity_id: str, data: dict[str, Any] | None) -> bytes:
    """One feed item, byte for byte what dumps() writes for it."""
    if data is None:
        return (ITEM % (seq, quote(entity_type), quote(entity_id), "true", "null")).encode()
    return (ITEM % (seq, quote(entity_type), quote(entity_id), "false", encode_snapshot(data))).encode()


class ChangeItem(BaseModel):
    seq: int
    entity_type: str
    entity_id: str
    deleted: bool
    data: dict[str, Any] | None


class ChangePage(BaseModel):
    items: list[ChangeItem]
    next_after: int
    has_more: bool


def changes_router(
    feed: ChangeLog, snapshots: dict[str, Snapshots], get_session: Callable[..., Any]
) -> APIRouter:
    """`GET /national/changes`: the service's part of the national feed (the gateway merges them)."""
    router = APIRouter(prefix="/national", tags=["national"])

    @router.get(
        "/changes",
        summary="Entities changed after a sequence number, with their current snapshots",
        response_model=None,
        responses={
            200: {
                "model": ChangePage,
                "description": f"As JSON, or with `Accept: {NDJSON}` a header line then one item per line",
                "content": {NDJSON: {"schema": {"type": "string"}}},
            }
        },
    )
    async def changes(
        principal: CurrentPrincipal,
        request: Request,
        session: AsyncSession = Depends(get_session),
        after: int = Query(0, ge=0),
        limit: int = Query(1000, ge=1, le=MAX_LIMIT),
        types: str | None = Query(None, description="Comma-separated entity types"),
    ) -> Response:
        if principal.role not in READER_ROLES:
            raise forbidden("role_not_allowed", "The change feed is for the national platform and the city")
        wanted = parse_types(types, snapshots)
        rows, has_more = await feed.read_rows(session, after, limit, wanted)
        by_type: dict[str, list[str]] = {}
        for _, entity_type, entity_id in rows:
            by_type.setdefault(entity_type, []).append(entity_id)
        loaded = {
            kind: await snapshots[kind](session, ids) for kind, ids in by_type.items() if kind in snapshots
        }
        nothing: dict[str, dict[str, Any]] = {}
        items = [
            item_json(seq, entity_type, entity_id, loaded.get(entity_type, nothing).get(entity_id))
            for seq, entity_type, entity_id in rows
        ]
        next_after = rows[-1].seq if rows else after
        if NDJSON in request.headers.get("accept", ""):
            # For the gateway: a header line, then one item per line, which it splices without parsing.
            head = dumps({"next_after": next_after, "has_more": has_more, "seqs": [r.seq for r in rows]})
            return Response(b"\n".join([head, *items]), media_type=NDJSON)
        tail = dumps({"next_after": next_after, "has_more": has_more})
        return Response(b'{"items":[' + b",".join(items) + b"]," + tail[1:], media_type="application/json")

    return router


# Migrations ----------------------------------------------------------------------------------------


def create_change_log(bind: Any) -> Table:
    """For a service's migration: the change_log table as szcore defines it."""
    from szcore.db import new_metadata
    from szcore.tables import define_change_log

    table = define_change_log(new_metadata())
    table.create(bind)
    return table


def backfill(bind: Any, change_log: Table, entity_type: str, source: str, key: str) -> None:
    """Queues every existing row of `source` once, so that the first pull from cursor 0 holds them."""
    from sqlalchemy import column
    from sqlalchemy import table as table_clause

    src = table_clause(source, column(key))
    bind.execute(
        insert(change_log).from_select(
            ["entity_type", "entity_id", "recorded_at"],
            select(
                literal(entity_type, String(50)),
                cast(src.c[key], String(100)),
                literal(utcnow(), UTCDateTime()),
            ).order_by(src.c[key]),
        )
    )
