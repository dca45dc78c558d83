"""Group commit for requests that contend on one lock (flat combining): the requests a process receives
while it is deciding queue up, and the next batch decides all of them in one transaction.

One request at a time leads: on a session it opens it takes the queued requests (at most `most`,
never two of one key), hands them to `decide`, commits, answers each, and goes on until its own request
is answered; then the oldest waiting request leads. The others wait, using no CPU. A batch that fails as
a whole (a lost connection, a deadlock) is rolled back and its requests are decided one by one, so that
one request's failure is its own answer only."""

import asyncio
import weakref
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from szcore.db import SessionOpener

T = TypeVar("T")
R = TypeVar("R")

# `decide(session, items)` answers each item, in order, with its result or the exception to raise for it;
# it writes in the session and never commits.
Decide = Callable[[AsyncSession, Sequence[T]], Awaitable[Sequence[Any]]]


@dataclass(eq=False)
class _Ask(Generic[T]):
    item: T
    key: Hashable
    # Resolved when the ask is answered (`outcome` set) or when it is its turn to lead (`outcome` None).
    signal: "asyncio.Future[None]"
    outcome: list[Any] = field(default_factory=list)


@dataclass(eq=False)
class _Queue(Generic[T]):
    waiting: "deque[_Ask[T]]" = field(default_factory=deque)
    leading: bool = False


class Combiner(Generic[T, R]):
    def __init__(
        self,
        decide: Decide[T],
        *,
        key: Callable[[T], Hashable],
        most: Callable[[], int],
        observe: Callable[[int], None] = lambda size: None,
    ) -> None:
        """`key`: the asks one batch never holds two of; `most`: the largest batch; `observe(size)` is
        told each batch's size."""
        self._decide = decide
        self._key = key
        self._most = most
        self._observe = observe
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue[T]] = (
            weakref.WeakKeyDictionary()
        )

    def _queue(self) -> _Queue[T]:
        loop = asyncio.get_running_loop()
        queue = self._queues.get(loop)
        if queue is None:
            queue = self._queues[loop] = _Queue()
        return queue

    async def submit(self, open_session: SessionOpener, item: T) -> R:
        """`open_session` is opened only if this request leads: the others are answered by the leader's
        transaction and need no session."""
        queue = self._queue()
        ask: _Ask[T] = _Ask(item, self._key(item), asyncio.get_running_loop().create_future())
        queue.waiting.append(ask)
        if queue.leading:
            try:
                await ask.signal
            except asyncio.CancelledError:
                self._cancelled(queue, ask)
                raise
        else:
            queue.leading = True
        if not ask.outcome:
            await self._lead(queue, open_session, ask)
        (outcome,) = ask.outcome
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome  # type: ignore[no-any-return]

    def _cancelled(self, queue: _Queue[T], ask: _Ask[T]) -> None:
        if ask in queue.waiting:
            queue.waiting.remove(ask)
        if ask.signal.done() and not ask.outcome:
            # Its turn to lead had come: pass it on.
            self._hand_on(queue)

    async def _lead(self, queue: _Queue[T], open_session: SessionOpener, mine: _Ask[T]) -> None:
        # Opened inside the hand-on's reach: a session that fails to open must not leave the queue leaderless.
        try:
            async with open_session() as session:
                while not mine.outcome:
                    batch = self._take(queue)
                    try:
                        await self._run(session, batch)
                    except BaseException:
                        # Cancelled before its commit: nothing of the batch stands; the next leader
                        # decides it.
                        queue.waiting.extendleft(
                            reversed([a for a in batch if not a.outcome and a is not mine])
                        )
                        raise
        finally:
            if mine in queue.waiting:  # failed before its own batch: it must not be handed the lead
                queue.waiting.remove(mine)
            self._hand_on(queue)

    def _hand_on(self, queue: _Queue[T]) -> None:
        queue.leading = False
        while queue.waiting:
            ask = queue.waiting[0]
            if not ask.signal.done():
                queue.leading = True
                ask.signal.set_result(None)
                return
            queue.waiting.popleft()

    def _take(self, queue: _Queue[T]) -> list[_Ask[T]]:
        """The oldest queued asks, at most `most`, one per key (a repeat waits for the next batch, where it
        finds the first one's answer)."""
        most, batch, keys, later = self._most(), [], set(), []
        while queue.waiting and len(batch) < most:
            ask = queue.waiting.popleft()
            if ask.key in keys:
                later.append(ask)
            else:
                keys.add(ask.key)
                batch.append(ask)
        queue.waiting.extendleft(reversed(later))
        return batch

    async def _run(self, session: AsyncSession, batch: list[_Ask[T]]) -> None:
        self._observe(len(batch))
        try:
            outcomes = await self._decide(session, [a.item for a in batch])
            await session.commit()
        except Exception as error:
            await session.rollback()
            if len(batch) == 1:
                self._answer(batch, [error])
                return
            for ask in batch:
                await self._run(session, [ask])
            return
        self._answer(batch, outcomes)

    @staticmethod
    def _answer(batch: list[_Ask[T]], outcomes: Sequence[Any]) -> None:
        for ask, outcome in zip(batch, outcomes, strict=True):
            ask.outcome.append(outcome)
            if not ask.signal.done():
                ask.signal.set_result(None)
