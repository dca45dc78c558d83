"""The loop shared by the background workers that follow commits (outbox relay, change sequencer): wake as
soon as a transaction that left work commits, and every `poll_seconds` besides; drain; back off on errors."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


class CommitFollower:
    def __init__(
        self,
        name: str,
        drain: Callable[[], Awaitable[Any]],
        *,
        flag: str,
        poll_seconds: float,
        gather_seconds: float = 0.0,
        can_drain: Callable[[], bool] = lambda: True,
        on_error: Callable[[Exception, float], None] | None = None,
    ) -> None:
        self.name = name
        self.drain = drain
        self.flag = flag
        self.poll_seconds = poll_seconds
        self.gather_seconds = gather_seconds
        self.can_drain = can_drain
        self.on_error = on_error
        self.wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._hooked: list[Any] = []

    def hook_commits(self, session_class: type[Session]) -> None:
        """Wake as soon as a transaction that set `session.info[flag]` commits."""

        def after_commit(session: Session) -> None:
            if session.info.pop(self.flag, False):
                self.wake()

        event.listen(session_class, "after_commit", after_commit)
        self._hooked.append((session_class, after_commit))

    def wake(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self.wakeup.set)

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(self.run(), name=self.name)

    async def stop(self) -> None:
        for session_class, fn in self._hooked:
            event.remove(session_class, "after_commit", fn)
        self._hooked.clear()
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def run(self) -> None:
        backoff = 0.2
        while True:
            try:
                # A deadline on the wait itself: `wait_for` would run it as a task of its own, each round.
                async with asyncio.timeout(self.poll_seconds):
                    await self.wakeup.wait()
            except TimeoutError:
                pass
            else:
                if self.gather_seconds:
                    # Woken by a commit: the commits of the next moments join this drain, so a busy process
                    # drains once for many instead of once per commit.
                    await asyncio.sleep(self.gather_seconds)
            # Cleared before draining: a commit during the drain wakes the loop again at once.
            self.wakeup.clear()
            if not self.can_drain():
                continue
            try:
                await self.drain()
                backoff = 0.2
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self.on_error is not None:
                    self.on_error(exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
