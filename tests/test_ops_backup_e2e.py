"""The recovery steps of docs/operations.md on the embedded defaults: `ops run` (SQLite, its own NATS),
data written, `ops backup` (online while running, and with JetStream once stopped), more data, the data
directory destroyed, `ops restore`, `ops run` again: the backed-up data is back, the later data is not,
the stream holds what it held, and every audit chain verifies."""

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import nats
import pytest

from szcore.auth import Role
from szcore.settings import PROCESSES
from tests.support.fixtures import unique_uscc
from tests.support.natsserver import free_port

pytestmark = pytest.mark.e2e


def free_port_block(size: int) -> int:
    import socket

    for _ in range(50):
        base = free_port()
        with socket.socket() as a:
            if base + size < 65000 and all(a.connect_ex(("127.0.0.1", base + n)) != 0 for n in range(size)):
                return base
    raise RuntimeError("no free block of ports")


class Embedded:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.env = {**os.environ, "SZ_DATA_DIR": str(data_dir), "SZ_ENV": "dev"}
        for key in [
            k for k in self.env if k.endswith("_DATABASE_URL") or k in ("SZ_NATS_URL", "SZ_EVENTS_NAMESPACE")
        ]:
            del self.env[key]
        self.nats_url = ""
        self.base = 0

    def ops(self, *args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "ops", *args], capture_output=True, text=True, env=self.env
        )
        assert result.returncode == 0, f"ops {' '.join(args)}: {result.stderr}"
        return result

    @contextmanager
    def running(self) -> Iterator[None]:
        self.base, nats_port = free_port_block(len(PROCESSES)), free_port()
        self.nats_url = f"nats://127.0.0.1:{nats_port}"
        launcher = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ops",
                "run",
                "--base-port",
                str(self.base),
                "--nats-port",
                str(nats_port),
            ],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        output = []
        try:
            assert launcher.stdout is not None
            deadline = time.monotonic() + 300  # a loaded machine (CI, shared cores) starts slowly
            while time.monotonic() < deadline:
                output.append(launcher.stdout.readline())
                if "Press Ctrl-C" in output[-1] or launcher.poll() is not None:
                    break
            assert "Press Ctrl-C" in output[-1], "".join(output)
            yield
        finally:
            launcher.send_signal(signal.SIGINT)
            launcher.wait(60)

    def url(self, offset: int) -> str:
        return f"http://127.0.0.1:{self.base + offset}"

    async def register(self, client: httpx.AsyncClient, uscc: str, headers: dict[str, str]) -> None:
        body = {
            "uscc": uscc,
            "name": f"备份测试企业{uscc[-4:]}",
            "county_code": "410322",
            "industry_code": "C345",
            "size_class": "above_scale",
        }
        response = await client.post("/enterprises", json=body, headers=headers)
        assert response.status_code == 201, response.text

    async def stream_messages(self) -> int:
        nc = await nats.connect(self.nats_url)
        try:
            return int((await nc.jetstream().stream_info("SZ_EVENTS")).state.messages)
        finally:
            await nc.close()


async def settled(read: Callable[[], Awaitable[int]], timeout: float = 30) -> int:
    """The value once it stops changing (the outboxes have published)."""
    last, deadline = -1, time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await read()
        if value == last and value > 0:
            return int(value)
        last = value
        await asyncio.sleep(1.0)
    raise AssertionError("the stream did not settle")


class TestBackupAndRestore:
    async def test_a_destroyed_data_directory_is_restored_from_a_backup(self, tmp_path: Path, tokens) -> None:
        platform = Embedded(tmp_path / "data")
        headers = tokens.headers(Role.city_admin)
        kept, lost = unique_uscc(), unique_uscc()
        enrollment = 1  # port offset: gateway, enrollment, assessment, funding, matching

        with platform.running():
            platform.ops("seed")
            async with httpx.AsyncClient(base_url=platform.url(enrollment), timeout=10) as client:
                await platform.register(client, kept, headers)
            messages = await settled(platform.stream_messages)
        full = json.loads(platform.ops("backup", "--out", str(tmp_path / "full")).stdout)
        assert full["jetstream"] == "nats"

        with platform.running():
            async with httpx.AsyncClient(base_url=platform.url(enrollment), timeout=10) as client:
                await platform.register(client, lost, headers)
            later = await settled(platform.stream_messages)
            assert later > messages
            online = json.loads(platform.ops("backup", "--out", str(tmp_path / "online")).stdout)
        assert set(online["databases"]) >= {"enrollment", "assessment", "funding", "matching"}
        assert "SZ_EVENTS" in online["streams"] and online["jetstream"] is None

        shutil.rmtree(platform.data_dir)
        platform.ops("restore", str(tmp_path / "full"))
        with platform.running():
            async with httpx.AsyncClient(base_url=platform.url(enrollment), timeout=10) as client:
                assert (await client.get(f"/enterprises/{kept}", headers=headers)).status_code == 200
                assert (await client.get(f"/enterprises/{lost}", headers=headers)).status_code == 404
            assert await platform.stream_messages() == messages
            verify = platform.ops("audit", "verify", "all")
            chains = [json.loads(line) for line in verify.stdout.splitlines()]
            assert chains and all(chain["ok"] for chain in chains)
            assert {c["service"] for c in chains if c["checked"]} >= {"enrollment", "funding", "matching"}
            assert {json.loads(line)["status"] for line in platform.ops("seed").stdout.splitlines()} == {
                "unchanged"
            }

        # The backup taken while the platform ran (SQLite online, stream snapshots) restores as well.
        shutil.rmtree(platform.data_dir)
        platform.ops("restore", str(tmp_path / "online"))
        with platform.running():
            async with httpx.AsyncClient(base_url=platform.url(enrollment), timeout=10) as client:
                for uscc in (kept, lost):
                    assert (await client.get(f"/enterprises/{uscc}", headers=headers)).status_code == 200
            assert await platform.stream_messages() == later
            verify = platform.ops("audit", "verify", "all")
            assert all(json.loads(line)["ok"] for line in verify.stdout.splitlines())

    def test_a_damaged_backup_is_refused(self, tmp_path: Path) -> None:
        platform = Embedded(tmp_path / "data")
        platform.ops("migrate", "enrollment")
        platform.ops("backup", "--out", str(tmp_path / "b"))
        with (tmp_path / "b" / "db" / "enrollment.sqlite3").open("r+b") as f:
            f.seek(200)
            f.write(b"\xff")
        result = subprocess.run(
            [sys.executable, "-m", "ops", "restore", str(tmp_path / "b")],
            capture_output=True,
            text=True,
            env=platform.env,
        )
        assert result.returncode == 1 and "enrollment.sqlite3 is missing or damaged" in result.stderr
