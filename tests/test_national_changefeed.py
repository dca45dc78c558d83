"""The change feed: the sequencer's plan, and readers paging while writers and two sequencers run, on both
databases: every pass sees increasing sequences, no (entity, seq) twice, and from any cursor a reader ends
with exactly the final state (nothing missed)."""

import asyncio
import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import Integer, String, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from szcore.changefeed import Change, ChangeLog, ChangeSequencer, plan_sequence, table_snapshots
from szcore.db import create_engine, declarative_base
from szcore.tables import define_change_log
from tests.support.databases import DatabaseFactory

Base = declarative_base()
change_log = define_change_log(Base.metadata)
feed = ChangeLog(change_log)


class Item(Base):
    __tablename__ = "feed_item"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)


feed.track(Item, "item", lambda item: item.id)
snapshots = table_snapshots(Item.__table__, "id")  # type: ignore[arg-type]


class TestPlanSequence:
    def test_numbers_each_entity_once_from_the_next_number(self) -> None:
        pending = [(1, "item", "a"), (2, "item", "b"), (3, "item", "a"), (4, "claim", "a")]
        assert plan_sequence(pending, 11) == [
            Change(11, "item", "b"),
            Change(12, "item", "a"),
            Change(13, "claim", "a"),
        ]

    def test_nothing_pending_plans_nothing(self) -> None:
        assert plan_sequence([], 1) == []

    def test_order_follows_the_latest_pending_row_whatever_the_input_order(self) -> None:
        pending = [(9, "item", "x"), (3, "item", "y"), (5, "item", "x")]
        assert [c.entity_id for c in plan_sequence(pending, 1)] == ["y", "x"]


@pytest.fixture
async def engine(databases: DatabaseFactory) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(await databases.create(f"feed_{uuid.uuid4().hex[:6]}"))
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    yield engine
    await engine.dispose()


@dataclass
class Reader:
    """A platform client: applies each page to its copy and remembers the cursors it stored."""

    sessionmaker: async_sessionmaker[AsyncSession]
    cursor: int = 0
    state: dict[str, int] = field(default_factory=dict)
    seen: set[tuple[str, int]] = field(default_factory=set)
    checkpoints: list[tuple[int, dict[str, int]]] = field(default_factory=list)

    async def page(self, limit: int) -> int:
        async with self.sessionmaker() as session:
            rows, _ = await feed.read(session, self.cursor, limit)
            data = await snapshots(session, [r.entity_id for r in rows])
        seqs = [r.seq for r in rows]
        assert seqs == sorted(seqs) and all(s > self.cursor for s in seqs), "sequences go up"
        for row in rows:
            assert (row.entity_id, row.seq) not in self.seen, "no (entity, seq) twice"
            self.seen.add((row.entity_id, row.seq))
            self.state[row.entity_id] = data[row.entity_id]["version"]
        if rows:
            self.cursor = rows[-1].seq
            self.checkpoints.append((self.cursor, dict(self.state)))
        return len(rows)


async def final_state(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with sessionmaker() as session:
        return {i.id: i.version for i in (await session.execute(select(Item))).scalars()}


class TestConcurrentWrites:
    async def test_readers_from_any_cursor_end_with_the_final_state(self, engine: AsyncEngine) -> None:
        sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
        ids = [f"e{n}" for n in range(30)]
        writing = True

        async with sessionmaker() as session, session.begin():
            session.add_all(Item(id=i, version=1) for i in ids)

        async def writer(seed: int) -> None:
            rnd = random.Random(seed)
            for n in range(60):
                async with sessionmaker() as session, session.begin():
                    # Sorted: rows are locked in one order, so that writers wait instead of deadlocking.
                    for entity_id in sorted(rnd.sample(ids, 3)):
                        item = await session.get(Item, entity_id)
                        assert item is not None
                        item.version += 1
                    if n % 5 == 0:
                        session.add(Item(id=f"w{seed}-{n}", version=1))
                await asyncio.sleep(rnd.random() / 100)

        # Two sequencers, as two replicas would run: the lock keeps their numbers apart.
        sequencers = [ChangeSequencer(feed, sessionmaker, name=f"s{n}", batch_size=7) for n in range(2)]

        async def sequence() -> None:
            while writing:
                for sequencer in sequencers:
                    await sequencer.drain()
                await asyncio.sleep(0.005)

        async def follow(reader: Reader) -> None:
            while writing:
                await reader.page(limit=5)
                await asyncio.sleep(0.003)

        main = Reader(sessionmaker)
        writers = [asyncio.create_task(writer(n)) for n in range(4)]
        background = [asyncio.create_task(sequence()), asyncio.create_task(follow(main))]
        restarted: list[Reader] = []
        # Readers restarting from cursors the first one stored, while the writers are still at work.
        while not all(w.done() for w in writers):
            await asyncio.sleep(0.05)
            if main.checkpoints and len(restarted) < 4:
                cursor, state = random.choice(main.checkpoints)
                reader = Reader(sessionmaker, cursor=cursor, state=dict(state))
                restarted.append(reader)
                background.append(asyncio.create_task(follow(reader)))
        await asyncio.gather(*writers)
        writing = False
        await asyncio.gather(*background)
        await sequencers[0].drain()

        final = await final_state(sessionmaker)
        assert len(final) == len(ids) + 4 * 12
        for reader in [main, *restarted]:
            while await reader.page(limit=5):
                pass
            assert reader.state == final
        # A cold restart from every stored cursor, after the fact, also ends exactly there.
        for cursor, state in main.checkpoints[:: max(1, len(main.checkpoints) // 10)]:
            reader = Reader(sessionmaker, cursor=cursor, state=dict(state))
            while await reader.page(limit=3):
                pass
            assert reader.state == final
        assert len(restarted) >= 1

    async def test_the_feed_keeps_one_row_per_entity_at_its_latest_sequence(
        self, engine: AsyncEngine
    ) -> None:
        sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
        for version in range(1, 4):
            async with sessionmaker() as session, session.begin():
                item = await session.get(Item, "a")
                if item is None:
                    session.add(Item(id="a", version=version))
                else:
                    item.version = version
                session.add(Item(id=f"b{version}", version=1))
            sequencer = ChangeSequencer(feed, sessionmaker, name="s")
            await sequencer.drain()
        async with sessionmaker() as session:
            rows, more = await feed.read(session, 0, 100)
            assert await feed.head(session) == 6
        assert [(r.entity_id, r.seq) for r in rows] == [("b1", 2), ("b2", 4), ("a", 5), ("b3", 6)]
        assert not more

    async def test_a_push_of_many_changes_numbers_each_entity_once_over_several_batches(
        self, engine: AsyncEngine
    ) -> None:
        """Bulk writes record thousands of changes at once; some entities again (and twice in one batch)."""
        sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
        first = [f"e{n:04}" for n in range(1200)]
        again = first[::2] + first[:10]
        for ids in (first, again):
            async with sessionmaker() as session, session.begin():
                await feed.record(session, "item", ids)
            while True:
                async with sessionmaker() as session, session.begin():
                    if await feed.sequence(session, batch_size=500) < 500:
                        break
        async with sessionmaker() as session:
            rows, more = await feed.read(session, 0, 5000)
            head = await feed.head(session)
        assert not more and len(rows) == len({r.entity_id for r in rows}) == 1200
        latest = {r.entity_id: r.seq for r in rows}
        assert min(latest[i] for i in again) > max(latest[i] for i in set(first) - set(again))
        assert head == max(latest.values()) > 1200

    async def test_an_unchanged_object_in_the_session_records_nothing(self, engine: AsyncEngine) -> None:
        sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
        async with sessionmaker() as session, session.begin():
            session.add(Item(id="z", version=1))
        async with sessionmaker() as session, session.begin():
            item = await session.get(Item, "z")
            assert item is not None
            item.version = 1
        async with sessionmaker() as session:
            pending = (await session.execute(select(change_log.c.entity_id))).scalars().all()
        assert pending == ["z"]


class TestBackfill:
    async def test_rows_that_existed_before_the_migration_are_in_the_feed(
        self, databases: DatabaseFactory
    ) -> None:
        from ops.processes import migrate
        from services.matching.national.feed import feed as matching_feed

        url = await databases.create(f"backfill_{uuid.uuid4().hex[:6]}")
        await asyncio.to_thread(migrate, "matching", url, "0002")
        engine = create_engine(url)
        try:
            async with engine.begin() as connection:
                for n in range(3):
                    await connection.execute(
                        text(
                            "INSERT INTO provider (provider_id, uscc, name, kind, industries, counties, "
                            "staff_on_site, cases, certifications, related_usccs, status, open_projects, "
                            "applied_at, updated_at) VALUES (:id, 'u', 'n', 'integrated', '[]', '[]', 0, "
                            "'[]', '[]', '[]', 'listed', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                        ),
                        {"id": f"PV-{n}"},
                    )
            await asyncio.to_thread(migrate, "matching", url)
            sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
            async with sessionmaker() as session, session.begin():
                await matching_feed.sequence(session)
            async with sessionmaker() as session:
                rows, _ = await matching_feed.read(session, 0, 10)
            assert [(r.entity_type, r.entity_id, r.seq) for r in rows] == [
                ("provider", "PV-0", 1),
                ("provider", "PV-1", 2),
                ("provider", "PV-2", 3),
            ]
        finally:
            await engine.dispose()
