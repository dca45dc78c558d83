"""A consumer process killed with SIGKILL in the middle of a stream of events and restarted: every
event's effect exists exactly once."""

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from szcore.db import create_engine
from szcore.settings import Settings
from tests.support.databases import DatabaseFactory
from tests.support.eventservice import applied, create_schema, emit, event_runtime, eventually, unpublished
from tests.support.fixtures import namespace

pytestmark = [pytest.mark.e2e, pytest.mark.fault]

EVENTS = 2500


def start_worker(url: str, settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    argv = [
        sys.executable,
        "-m",
        "tests.support.eventworker",
        url,
        settings.nats_url,
        settings.events_namespace,
        "killed-consumer",
    ]
    return subprocess.Popen(
        argv, stdout=log.open("ab"), stderr=subprocess.STDOUT, cwd=Path(__file__).parents[1]
    )


class TestConsumerKilled:
    async def test_sigkill_mid_stream_loses_nothing_and_applies_nothing_twice(
        self, databases: DatabaseFactory, tmp_path: Path
    ) -> None:
        url = await databases.create(f"kill_{uuid.uuid4().hex[:6]}")
        await create_schema(url)
        engine = create_engine(url)
        settings = Settings(events_namespace=namespace("kill"), outbox_poll_seconds=0.2)
        producer = event_runtime(settings, url, behaviour=None, consumer=None)  # type: ignore[arg-type]
        producer.consumers.clear()
        await producer.start()
        worker = start_worker(url, settings, tmp_path / "worker.log")
        try:

            async def produce() -> None:
                # Paced over ~5 s (longer than a worker restart), so that both kills land mid-stream however
                # fast relay and consumer have become.
                for start in range(0, EVENTS, 100):
                    await emit(producer, *(f"K{n:017d}" for n in range(start, start + 100)))
                    await asyncio.sleep(0.2)

            producing = asyncio.create_task(produce())

            # Killed twice: early in the stream, and again after the restart while it catches up.
            for threshold in (50, EVENTS // 3):

                async def some_applied(threshold: int = threshold) -> bool:
                    return len(await applied(engine)) >= threshold

                await eventually(some_applied, timeout=120)
                os.kill(worker.pid, signal.SIGKILL)
                worker.wait()
                killed_at = len(await applied(engine))
                assert killed_at < EVENTS
                worker = start_worker(url, settings, tmp_path / "worker.log")
            await producing

            async def all_applied() -> bool:
                return len(await applied(engine)) == EVENTS

            await eventually(all_applied, timeout=120)
            counts = await applied(engine)
            assert set(counts.values()) == {1}
            assert await unpublished(engine) == 0
        finally:
            worker.kill()
            worker.wait()
            await producer.stop()
            await engine.dispose()
