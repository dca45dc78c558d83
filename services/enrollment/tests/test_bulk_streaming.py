"""Pushes read and applied chunk by chunk: results equal to a push in one piece, memory bounded by a chunk,
and a push refused or failed part-way leaves nothing behind."""

import asyncio
import csv
import io
import json
import uuid
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ops.processes import migrate
from services.enrollment.app import create_app
from services.enrollment.bulk import parse, service
from services.enrollment.bulk.models import BulkPush
from services.enrollment.bulk.repository import BulkRepository, Write
from services.enrollment.db import infra, outbox
from services.enrollment.enterprise.events import enterprise_registered
from services.enrollment.enterprise.models import DossierSource, Enterprise, EnterpriseVersion, SizeClass
from services.enrollment.tests.test_bulk_push import (
    CHINESE_HEADERS,
    COUNTY,
    OTHER_COUNTY,
    XLSX,
    counts,
    make_uscc,
    push,
    record,
)
from szcore.auth import Role
from szcore.context import request_id_var
from szcore.db import create_engine
from szcore.errors import ProblemError
from szcore.events import decode, new_envelope
from szcore.types import utcnow
from tests.support.databases import DatabaseFactory

CHUNK = 7
COUNT = 40
# Bad records in the first, a middle and the last chunk (1-based rows).
BAD_ROWS = {2, 16, 17, 39}


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "CHUNK", CHUNK)


def records(count: int = COUNT, bad: set[int] = BAD_ROWS) -> list[dict[str, Any]]:
    return [record(n, name="") if n in bad else record(n) for n in range(1, count + 1)]


async def change_log_rows(session: AsyncSession) -> int:
    query = select(func.count()).where(infra.change_log.c.entity_type == "enterprise")
    return (await session.execute(query)).scalar_one()


async def stored_pushes(session: AsyncSession) -> int:
    return (await session.execute(select(func.count()).select_from(BulkPush))).scalar_one()


class TestChunkedPush:
    async def test_errors_in_several_chunks_are_each_reported(
        self, client: httpx.AsyncClient, session: AsyncSession, programmes, tokens
    ) -> None:
        report = (await push(client, tokens, records(), "chunks")).json()
        assert report["outcome"] == "applied"
        assert (report["total"], report["created"], report["rejected"]) == (COUNT, COUNT - 4, 4)
        assert [(e["row"], e["field"]) for e in report["errors"]] == [
            (row, "name") for row in sorted(BAD_ROWS)
        ]
        created = COUNT - len(BAD_ROWS)
        # Each created enterprise has its version and its event, and its change in the national feed.
        assert await counts(session) == (created, created, created)
        assert await change_log_rows(session) == created

    async def test_a_duplicate_in_a_later_chunk_is_reported(
        self, client: httpx.AsyncClient, session: AsyncSession, programmes, tokens
    ) -> None:
        body = [*records(20, set()), record(3, name="again")]
        report = (await push(client, tokens, body, "dup")).json()
        assert [(e["row"], e["code"]) for e in report["errors"]] == [(21, "duplicate_in_request")]
        assert await counts(session) == (20, 20, 20)

    async def test_updates_and_unchanged_records_across_chunks(
        self, client: httpx.AsyncClient, session: AsyncSession, programmes, tokens
    ) -> None:
        await push(client, tokens, records(20, set()), "first")
        changed = [record(n, employees=999) if n % 5 == 0 else record(n) for n in range(1, 21)]
        report = (await push(client, tokens, [*changed, *records(25, set())[20:]], "second")).json()
        assert (report["created"], report["updated"], report["unchanged"]) == (5, 4, 16)
        assert await counts(session) == (25, 29, 29)

    async def test_same_push_again_replays_and_changes_nothing(
        self, client: httpx.AsyncClient, session: AsyncSession, programmes, tokens
    ) -> None:
        first = (await push(client, tokens, records(), "again")).json()
        before = await counts(session), await change_log_rows(session)
        second = (await push(client, tokens, records(), "again")).json()
        assert second["outcome"] == "replayed"
        assert {**second, "outcome": "applied"} == first
        assert (await counts(session), await change_log_rows(session)) == before
        reused = await push(client, tokens, records(COUNT + 1), "again")
        assert reused.status_code == 409 and reused.json()["code"] == "request_id_reused"

    async def test_another_county_in_a_later_chunk_refuses_everything(
        self, client: httpx.AsyncClient, session: AsyncSession, programmes, tokens
    ) -> None:
        body = [
            *records(30, set()),
            record(31, county_code=OTHER_COUNTY),
            record(32, county_code=OTHER_COUNTY),
        ]
        response = await push(client, tokens, body, "refuse", other_county="refuse")
        assert response.status_code == 403 and response.json()["code"] == "county_forbidden"
        assert [e["message"] for e in response.json()["errors"]] == [
            "row 31: not your county",
            "row 32: not your county",
        ]
        assert await counts(session) == (0, 0, 0)
        assert (await change_log_rows(session), await stored_pushes(session)) == (0, 0)

    async def test_all_or_nothing_with_an_error_in_the_last_chunk_writes_nothing(
        self, client: httpx.AsyncClient, session: AsyncSession, programmes, tokens
    ) -> None:
        report = (await push(client, tokens, records(30, {29}), "aon", mode="all_or_nothing")).json()
        assert (report["outcome"], report["created"], report["valid"], report["rejected"]) == (
            "rejected",
            0,
            29,
            1,
        )
        assert await counts(session) == (0, 0, 0)
        assert (await change_log_rows(session), await stored_pushes(session)) == (0, 0)

    async def test_a_body_broken_after_several_chunks_writes_nothing(
        self, client: httpx.AsyncClient, session: AsyncSession, programmes, tokens
    ) -> None:
        body = json.dumps(records(30, set()), ensure_ascii=False).encode()[:-1] + b", {"
        response = await push(client, tokens, body, "broken")
        assert response.status_code == 422 and response.json()["code"] == "unreadable_file"
        assert await counts(session) == (0, 0, 0)
        assert (await change_log_rows(session), await stored_pushes(session)) == (0, 0)

    async def test_a_failure_mid_push_takes_back_the_chunks_written(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        programmes,
        tokens,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        calls = []
        add_events = BulkRepository.add_events

        def failing(self: BulkRepository, *args: Any) -> Write:
            calls.append(1)
            if len(calls) == 3:

                async def fail() -> None:
                    raise RuntimeError("the database went away")

                return fail
            return add_events(self, *args)

        monkeypatch.setattr(BulkRepository, "add_events", failing)
        try:
            failed = await push(client, tokens, records(), "fails")
        except RuntimeError:
            pass
        else:
            assert failed.status_code == 500
        assert await counts(session) == (0, 0, 0)
        assert (await change_log_rows(session), await stored_pushes(session)) == (0, 0)
        monkeypatch.setattr(BulkRepository, "add_events", add_events)
        # The request id was not used up: the same push goes through when sent again.
        report = (await push(client, tokens, records(), "fails")).json()
        assert (report["outcome"], report["created"]) == ("applied", COUNT - len(BAD_ROWS))

    async def test_a_concurrent_push_of_the_same_request_id_is_refused(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        programmes,
        tokens,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        await push(client, tokens, records(10, set()), "same")

        async def not_yet_committed(self: BulkRepository, scope: str, request_id: str) -> None:
            return None

        # As if the first push had not committed when this one looked: it is refused on the unique key.
        monkeypatch.setattr(BulkRepository, "push", not_yet_committed)
        response = await push(client, tokens, records(12, set()), "same")
        assert response.status_code == 409 and response.json()["code"] == "request_in_progress"
        assert await counts(session) == (10, 10, 10)
        assert (await change_log_rows(session), await stored_pushes(session)) == (10, 1)

    async def test_too_many_records_counts_the_whole_body(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(service, "MAX_RECORDS", 20)
        response = await push(client, tokens, records(30, set()), "many")
        assert response.status_code == 422
        assert response.json()["detail"] == "At most 20 records per push, got 30"
        assert await counts(session) == (0, 0, 0)


def table_rows(count: int = COUNT) -> list[list[Any]]:
    rows: list[list[Any]] = [CHINESE_HEADERS]
    for n in range(1, count + 1):
        name = "" if n in BAD_ROWS else f"永康企业{n}"
        rows.append([make_uscc(n), name, COUNTY, "C3465", "规上", "jinhua-2024", "", "1000.5", "是", "备注"])
    return rows


class TestFilesInChunks:
    def check(self, report: dict[str, Any]) -> None:
        assert (report["total"], report["created"]) == (COUNT, COUNT - len(BAD_ROWS)), report
        # Sheet rows: the header is row 1.
        assert [(e["row"], e["field"]) for e in report["errors"]] == [
            (row + 1, "name") for row in sorted(BAD_ROWS)
        ]
        assert report["ignored_columns"] == ["备注"]

    async def test_gbk_csv(
        self, client: httpx.AsyncClient, session: AsyncSession, programmes, tokens
    ) -> None:
        buffer = io.StringIO()
        csv.writer(buffer).writerows(table_rows())
        report = (await push(client, tokens, buffer.getvalue().encode("gbk"), "gbk", "text/csv")).json()
        self.check(report)
        first = (
            await client.get(f"/enterprises/{make_uscc(1)}", headers=tokens.headers(Role.city_admin))
        ).json()
        assert (first["name"], first["annual_output_fen"], first["cloud_adopted"]) == (
            "永康企业1",
            100050,
            True,
        )

    async def test_xlsx(self, client: httpx.AsyncClient, session: AsyncSession, programmes, tokens) -> None:
        book = Workbook()
        for row in table_rows():
            book.active.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        self.check((await push(client, tokens, buffer.getvalue(), "xlsx", XLSX)).json())
        assert (await counts(session))[0] == COUNT - len(BAD_ROWS)

    async def test_ndjson(self, client: httpx.AsyncClient, session: AsyncSession, programmes, tokens) -> None:
        lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in records()) + "\n\n"
        report = (await push(client, tokens, lines.encode(), "nd", "application/x-ndjson")).json()
        assert (report["total"], report["created"]) == (COUNT, COUNT - len(BAD_ROWS))
        assert [e["row"] for e in report["errors"]] == sorted(BAD_ROWS)


class TestStreamedParsing:
    def test_json_is_read_through_a_bounded_window(self) -> None:
        body = json.dumps(records(20_000, set()), ensure_ascii=False).encode()
        stream = parse.JsonStream(io.BytesIO(body))
        widest = count = 0
        for _ in stream.records():
            count += 1
            widest = max(widest, len(stream.text))
        assert count == 20_000
        assert widest < 3 * parse.BLOCK < len(body)

    @pytest.mark.parametrize(
        "body",
        [b"", b"[", b"[1,]", b"[1] x", b'{"a": 1,}', b"[1 2]", b'{"records": [1}', b"[\xff]"],
    )
    def test_broken_json(self, body: bytes) -> None:
        with pytest.raises(ProblemError) as caught:
            list(parse.Reader(io.BytesIO(body), "application/json"))
        assert [e.code for e in caught.value.errors] == ["invalid_json"]

    @pytest.mark.parametrize("body", [b"{}", b'{"records": 3}', b'"text"', b"12"])
    def test_not_a_list(self, body: bytes) -> None:
        with pytest.raises(ProblemError) as caught:
            list(parse.Reader(io.BytesIO(body), "application/json"))
        assert [e.code for e in caught.value.errors] == ["not_a_list"]

    def test_records_key_and_bom(self) -> None:
        body = b'\xef\xbb\xbf {"meta": {"x": [1, 2]}, "records": [{"uscc": "a"}, 5], "more": null}'
        items = list(parse.Reader(io.BytesIO(body), "application/json"))
        assert [(row, record) for row, record, _ in items] == [(1, {"uscc": "a"}), (2, {})]
        assert [e.code for e in items[1][2]] == ["not_an_object"]

    def test_a_value_split_across_blocks(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(parse, "BLOCK", 5)
        body = json.dumps([{"employees": 1234567, "name": "永康" * 20}, {"employees": 98765}]).encode()
        items = list(parse.Reader(io.BytesIO(body), "application/json"))
        assert [record["employees"] for _, record, _ in items] == [1234567, 98765]

    @pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
    def test_csv_encodings_read_alike(self, encoding: str) -> None:
        buffer = io.StringIO()
        csv.writer(buffer).writerows(table_rows(3))
        items = list(parse.Reader(io.BytesIO(buffer.getvalue().encode(encoding)), "text/csv"))
        assert [record.get("name") for _, record, _ in items] == ["永康企业1", None, "永康企业3"]


class TestOutboxRows:
    def test_envelopes_as_new_envelope_builds_them(self) -> None:
        row = SimpleNamespace(
            uscc=make_uscc(1),
            name="永康企业1",
            county_code=COUNTY,
            industry_code="C3465",
            size_class=SizeClass.above_scale,
            registered_at=utcnow(),
            source=DossierSource.county_push,
        )
        payload = enterprise_registered(row)  # type: ignore[arg-type]
        token = request_id_var.set("req-1")
        try:
            rows = outbox.rows([(payload, row.uscc), (payload, row.uscc)], aggregate_type="enterprise")
            expected = new_envelope(
                payload, producer=outbox.producer, aggregate_type="enterprise", aggregate_id=row.uscc
            )
        finally:
            request_id_var.reset(token)
        assert rows[0]["event_id"] != rows[1]["event_id"]
        assert rows[0]["subject"] == f"{outbox.producer}.EnterpriseRegistered"
        event = decode(rows[0]["envelope"])
        assert str(uuid.UUID(event.event_id)) == rows[0]["event_id"]
        assert uuid.UUID(event.event_id).version == 4
        for name in ("event_type", "producer", "aggregate_type", "aggregate_id", "schema_version", "payload"):
            assert getattr(event.envelope, name) == getattr(expected, name), name
        assert event.envelope.request_id == "req-1" == expected.request_id
        assert event.envelope.trace == expected.trace
        assert event.payload == payload


class TestPushOnTheServicesOwnEngine:
    """As deployed: the request's session is on the engine, so on PostgreSQL each chunk's lookup goes on a
    connection of its own while the chunks before it are written, and must still see every committed row."""

    async def test_creates_then_updates_over_several_chunks(
        self, databases: DatabaseFactory, tokens, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        url = await databases.create(f"enrollment_push_{uuid.uuid4().hex[:6]}")
        await asyncio.to_thread(migrate, "enrollment", url)
        app = create_app(database_url=url, start_background=False)
        sessions: dict[str, set[AsyncSession]] = {"lookups": set(), "writes": set()}
        existing, record_changes = BulkRepository.existing, BulkRepository.record_changes

        async def looked_up(self: BulkRepository, usccs: Any) -> Any:
            sessions["lookups"].add(self.session)
            return await existing(self, usccs)

        async def recorded(self: BulkRepository, usccs: Any) -> None:
            sessions["writes"].add(self.session)
            await record_changes(self, usccs)

        monkeypatch.setattr(BulkRepository, "existing", looked_up)
        monkeypatch.setattr(BulkRepository, "record_changes", recorded)
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://service.test"
            ) as client:
                seeded = await client.post("/programmes/seed", headers=tokens.headers(Role.city_admin))
                assert seeded.status_code == 200, seeded.text
                first = (await push(client, tokens, records(), "first")).json()
                changed = [record(n, employees=500 + n) for n in range(1, COUNT + 11)]
                second = (await push(client, tokens, changed, "second")).json()
            engine = create_engine(url)
            try:
                async with AsyncSession(engine) as session:
                    versions = await session.execute(
                        select(EnterpriseVersion.version, func.count()).group_by(EnterpriseVersion.version)
                    )
                    events = await session.execute(
                        select(infra.outbox.c.event_type, func.count()).group_by(infra.outbox.c.event_type)
                    )
                    employees = await session.scalar(
                        select(Enterprise.employees).where(Enterprise.uscc == make_uscc(1))
                    )
                    changes = await change_log_rows(session)
            finally:
                await engine.dispose()
        created = COUNT - len(BAD_ROWS)
        assert (first["created"], first["rejected"]) == (created, len(BAD_ROWS))
        # The bad rows of the first push are new now; every other record was found and updated.
        assert (second["created"], second["updated"], second["rejected"]) == (len(BAD_ROWS) + 10, created, 0)
        assert dict(versions.all()) == {1: COUNT + 10, 2: created}
        assert dict(events.all()) == {"EnterpriseRegistered": COUNT + 10, "EnterpriseUpdated": created}
        assert employees == 501
        assert changes == COUNT + 10 + created
        # On PostgreSQL each push looked up on a session of its own once it was writing; SQLite has one.
        separate = sessions["lookups"] - sessions["writes"]
        assert len(separate) == (2 if databases.backend == "postgresql" else 0)
        assert len(sessions["writes"]) == 2
