"""The README's first command: `ops run` starts everything on the embedded defaults, prints the URLs,
and Ctrl-C leaves no process behind. Also the operational endpoints of every process."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import httpx
import pytest

from ops.local import Platform
from szcore.settings import PROCESSES
from tests.support.natsserver import free_port

pytestmark = pytest.mark.e2e


def free_port_block(size: int) -> int:
    for _ in range(50):
        base = free_port()
        if base + size < 65000 and all(_is_free(base + n) for n in range(size)):
            return base
    raise RuntimeError("no free block of ports")


def _is_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def descendants(pid: int) -> set[int]:
    children: set[int] = set()
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                children |= {int(proc.name)} | descendants(int(proc.name))
    return children


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class TestLocalRun:
    def test_run_starts_everything_and_ctrl_c_stops_everything(self, tmp_path: Path) -> None:
        base = free_port_block(len(PROCESSES))
        env = {**os.environ, "SZ_DATA_DIR": str(tmp_path / "data"), "SZ_ENV": "dev"}
        for key in [
            k for k in env if k.endswith("_DATABASE_URL") or k in ("SZ_NATS_URL", "SZ_EVENTS_NAMESPACE")
        ]:
            del env[key]
        launcher = subprocess.Popen(
            [sys.executable, "-m", "ops", "run", "--base-port", str(base), "--nats-port", str(free_port())],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        output = []
        try:
            deadline = time.monotonic() + 90
            assert launcher.stdout is not None
            while time.monotonic() < deadline:
                line = launcher.stdout.readline()
                output.append(line)
                if "Press Ctrl-C" in line or launcher.poll() is not None:
                    break
            text = "".join(output)
            assert f"http://127.0.0.1:{base}/graphql" in text, text
            children = descendants(launcher.pid)
            assert len(children) >= len(PROCESSES) + 1  # the five processes and NATS
            assert (tmp_path / "data" / "db" / "enrollment.sqlite3").exists()
            assert (tmp_path / "data" / "nats").is_dir()
            with urllib.request.urlopen(f"http://127.0.0.1:{base + 1}/readyz", timeout=5) as response:
                assert response.status == 200
        finally:
            launcher.send_signal(signal.SIGINT)
            launcher.wait(60)
        assert launcher.returncode == 0
        assert [pid for pid in children if alive(pid)] == []


class TestOperationalEndpoints:
    @pytest.mark.parametrize("process", PROCESSES)
    async def test_health_readiness_metrics_and_request_ids(self, platform: Platform, process: str) -> None:
        async with httpx.AsyncClient(base_url=platform.url(process), timeout=10) as client:
            assert (await client.get("/healthz")).json() == {"status": "ok"}
            ready = await client.get("/readyz")
            assert ready.status_code == 200
            if process != "gateway":
                assert ready.json()["checks"] == {"database": "ok", "nats": "ok"}
            echoed = await client.get("/healthz", headers={"x-request-id": "req-123"})
            assert echoed.headers["x-request-id"] == "req-123"
            assert (await client.get("/healthz")).headers["x-request-id"]
            metrics = (await client.get("/metrics")).text
            assert "sz_http_requests_total" in metrics and "sz_http_request_duration_seconds" in metrics
            if process != "gateway":
                for series in ("sz_outbox_backlog", "sz_db_pool_checked_out", "sz_nats_connected"):
                    assert series in metrics, series

    async def test_errors_are_problem_details_with_the_request_id(self, platform: Platform) -> None:
        async with httpx.AsyncClient(base_url=platform.url("enrollment"), timeout=10) as client:
            response = await client.get("/enterprises/X", headers={"x-request-id": "req-456"})
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["request_id"] == "req-456" and response.json()["code"] == "token_missing"
