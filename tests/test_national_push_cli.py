"""`python -m ops national status|resend|reconcile`: an operator sees a rejected report with its error,
resends it, and reconciles, on the gateway's default SQLite database."""

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from gateway.sync import service
from gateway.sync.models import ReportStatus
from gateway.sync.national import NationalClient
from gateway.sync.pusher import Pusher
from szcore.db import create_engine, session_scope
from tests.support.national_simulator import SimulatorServer
from tests.test_national_push import drain, push_settings


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorServer]:
    with SimulatorServer() as server:
        yield server


def ops(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ops", *args], capture_output=True, text=True, env={**os.environ, **env}
    )


class TestNationalCommands:
    async def test_status_resend_reconcile(self, sim: SimulatorServer, tmp_path: Path) -> None:
        env = {
            "SZ_DATA_DIR": str(tmp_path),
            "SZ_NATIONAL_PUSH_URL": sim.url,
            "SZ_NATIONAL_CITY_CODE": "330700",
        }
        assert (await asyncio.to_thread(ops, env, "migrate", "gateway")).returncode == 0
        settings = push_settings(sim.url, data_dir=tmp_path)
        engine = create_engine(settings.database_url("gateway"))
        sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
        async for session in session_scope(sessionmaker):
            report = await service.queue_report(
                session, settings, "fund_use", "2026-10", [{"key": "330702", "paid_fen": 5}], {}, "test"
            )
        sim.fault("reject")
        await drain(Pusher(sessionmaker, NationalClient(settings), settings))

        status = await asyncio.to_thread(ops, env, "national", "status", "--status", "rejected")
        assert status.returncode == 0, status.stderr
        (shown,) = json.loads(status.stdout)["reports"]
        assert (shown["id"], shown["status"]) == (report.id, ReportStatus.rejected)
        assert shown["last_error"]["code"] == "REPORT_REJECTED"

        resent = await asyncio.to_thread(ops, env, "national", "resend", "--id", report.id)
        assert resent.returncode == 0, resent.stderr
        assert json.loads(resent.stdout)["revision"] == 2
        await drain(Pusher(sessionmaker, NationalClient(settings), settings))

        reconciled = await asyncio.to_thread(ops, env, "national", "reconcile")
        assert reconciled.returncode == 0, reconciled.stderr
        assert json.loads(reconciled.stdout) == {"status": "matched", "checked": 1, "differences": []}
        missing = await asyncio.to_thread(ops, env, "national", "resend", "--id", "nope")
        assert missing.returncode == 1 and "REPORT_NOT_FOUND" in missing.stderr
        await engine.dispose()
