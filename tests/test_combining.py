"""Group commit (`szcore.combining`): requests queued while a batch is decided go in the next batch, one
transaction each; a failed batch is decided again one by one; a cancelled leader hands on. On a real
SQLite database, whose rows show which transactions committed."""

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from szcore.combining import Combiner
from szcore.db import create_engine
from szcore.errors import ProblemError, conflict


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'combining.db'}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE decided (item TEXT NOT NULL)"))
    yield engine
    await engine.dispose()


class Decider:
    """Writes a row per item and answers `item!`; `hold` keeps the next batch open until released, so that
    the test can queue requests behind it; items named in `fail` take their batch down."""

    def __init__(self, fail: Sequence[str] = (), refuse: Sequence[str] = ()) -> None:
        self.batches: list[list[str]] = []
        self.hold: asyncio.Event | None = None
        self.holding = asyncio.Event()
        self.fail, self.refuse = set(fail), set(refuse)

    async def __call__(self, session: AsyncSession, items: Sequence[str]) -> list[Any]:
        self.batches.append(list(items))
        for item in items:
            await session.execute(text("INSERT INTO decided VALUES (:item)"), {"item": item})
        if self.hold is not None:
            hold, self.hold = self.hold, None
            self.holding.set()
            await hold.wait()
        if self.fail & set(items):
            raise RuntimeError("the batch's transaction failed")
        return [conflict("refused", item) if item in self.refuse else f"{item}!" for item in items]


async def committed(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        return sorted(row[0] for row in await connection.execute(text("SELECT item FROM decided")))


def requests(
    engine: AsyncEngine, combiner: Combiner[str, str], items: Sequence[str], opened: list[str] | None = None
) -> list["asyncio.Task[str]"]:
    """`opened` gets the item of each request that opened a session."""
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def request(item: str) -> str:
        def open_session() -> AsyncSession:
            if opened is not None:
                opened.append(item)
            return sessions()

        return await combiner.submit(open_session, item)

    return [asyncio.create_task(request(item)) for item in items]


async def held_first(
    engine: AsyncEngine,
    decider: Decider,
    combiner: Combiner[str, str],
    items: Sequence[str],
    opened: list[str] | None = None,
) -> list["asyncio.Task[str]"]:
    """The first item's batch held open while the others queue behind it."""
    decider.hold = release = asyncio.Event()
    first = requests(engine, combiner, items[:1], opened)
    await decider.holding.wait()
    rest = requests(engine, combiner, items[1:], opened)
    await asyncio.sleep(0.01)  # the rest reach the queue
    release.set()
    return first + rest


def combiner_for(decider: Decider, most: int = 64) -> Combiner[str, str]:
    return Combiner(decider, key=lambda item: item.split("#")[0], most=lambda: most)


class TestBatches:
    async def test_requests_queued_behind_a_batch_are_decided_together(self, engine: AsyncEngine) -> None:
        decider = Decider()
        sizes: list[int] = []
        combiner = Combiner(decider, key=lambda item: item, most=lambda: 64, observe=sizes.append)
        opened: list[str] = []
        tasks = await held_first(engine, decider, combiner, ["a", "b", "c", "d"], opened)
        assert await asyncio.gather(*tasks) == ["a!", "b!", "c!", "d!"]
        assert decider.batches == [["a"], ["b", "c", "d"]]
        assert sizes == [1, 3]
        assert opened == ["a", "b"]  # the leaders; the others were answered in b's transaction
        assert await committed(engine) == ["a", "b", "c", "d"]

    async def test_a_batch_holds_at_most_the_limit(self, engine: AsyncEngine) -> None:
        decider = Decider()
        tasks = await held_first(engine, decider, combiner_for(decider, most=2), ["a", "b", "c", "d", "e"])
        assert await asyncio.gather(*tasks) == ["a!", "b!", "c!", "d!", "e!"]
        assert decider.batches == [["a"], ["b", "c"], ["d", "e"]]

    async def test_a_repeated_key_waits_for_the_next_batch(self, engine: AsyncEngine) -> None:
        decider = Decider()
        tasks = await held_first(engine, decider, combiner_for(decider), ["a", "b#1", "b#2", "c"])
        assert await asyncio.gather(*tasks) == ["a!", "b#1!", "b#2!", "c!"]
        assert decider.batches == [["a"], ["b#1", "c"], ["b#2"]]


class TestOutcomes:
    async def test_a_refusal_is_raised_to_its_own_caller_only(self, engine: AsyncEngine) -> None:
        decider = Decider(refuse=["b"])
        tasks = await held_first(engine, decider, combiner_for(decider), ["a", "b", "c"])
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        assert outcomes[0] == "a!" and outcomes[2] == "c!"
        assert isinstance(outcomes[1], ProblemError) and outcomes[1].code == "refused"
        assert decider.batches == [["a"], ["b", "c"]]

    async def test_a_failed_batch_is_rolled_back_and_decided_one_by_one(self, engine: AsyncEngine) -> None:
        decider = Decider(fail=["bad"])
        tasks = await held_first(engine, decider, combiner_for(decider), ["a", "b", "bad", "c"])
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        assert outcomes[:2] == ["a!", "b!"] and outcomes[3] == "c!"
        assert isinstance(outcomes[2], RuntimeError)
        assert decider.batches == [["a"], ["b", "bad", "c"], ["b"], ["bad"], ["c"]]
        # The failed batch's rows went with its transaction; each one decided alone stands or falls alone.
        assert await committed(engine) == ["a", "b", "c"]

    async def test_a_leader_whose_session_fails_to_open_fails_alone_and_hands_on(
        self, engine: AsyncEngine
    ) -> None:
        @asynccontextmanager
        async def unreachable() -> AsyncIterator[AsyncSession]:
            raise ConnectionError("the database is unreachable")
            yield  # an async generator, as a session factory's context is

        decider = Decider()
        combiner = combiner_for(decider)
        decider.hold = release = asyncio.Event()
        (first,) = requests(engine, combiner, ["a"])
        await decider.holding.wait()
        failing = asyncio.create_task(combiner.submit(unreachable, "b"))
        (last,) = requests(engine, combiner, ["c"])
        await asyncio.sleep(0.01)
        release.set()  # then b is handed the lead, fails to open its session, and hands it on to c
        assert await first == "a!"
        with pytest.raises(ConnectionError):
            await failing
        assert await asyncio.wait_for(last, 10) == "c!"
        assert decider.batches == [["a"], ["c"]]


class TestCancellation:
    async def test_a_cancelled_leader_hands_on_and_nothing_of_its_batch_stands(
        self, engine: AsyncEngine
    ) -> None:
        decider = Decider()
        combiner = combiner_for(decider)
        decider.hold = asyncio.Event()  # never released: the leader is cancelled while it decides
        (leader,) = requests(engine, combiner, ["a"])
        await decider.holding.wait()
        others = requests(engine, combiner, ["b", "c"])
        await asyncio.sleep(0.01)
        leader.cancel()
        assert await asyncio.gather(*others) == ["b!", "c!"]
        with pytest.raises(asyncio.CancelledError):
            await leader
        assert decider.batches == [["a"], ["b", "c"]]
        assert await committed(engine) == ["b", "c"]

    async def test_a_cancelled_waiter_leaves_the_queue(self, engine: AsyncEngine) -> None:
        decider = Decider()
        combiner = combiner_for(decider)
        decider.hold = release = asyncio.Event()
        (leader,) = requests(engine, combiner, ["a"])
        await decider.holding.wait()
        gone, stays = requests(engine, combiner, ["b", "c"])
        await asyncio.sleep(0.01)
        gone.cancel()
        release.set()
        assert await leader == "a!" and await stays == "c!"
        assert decider.batches == [["a"], ["c"]]
