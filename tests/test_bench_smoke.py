"""The benchmarks in smoke mode (tiny sizes) so that they never rot: every workload runs against the real
processes and reports its figures. Times are not checked here; `python -m bench` is for that."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.__main__ import WORKLOADS
from tests.support.databases import admin_url


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> dict[str, Any]:
    output = tmp_path_factory.mktemp("bench") / "smoke.json"
    env = {**os.environ, "SZ_BENCH_POSTGRES_URL": admin_url()}
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--output", str(output)],
        cwd=repo_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert output.exists(), f"no results written\n{run.stdout[-3000:]}\n{run.stderr[-6000:]}"
    document: dict[str, Any] = json.loads(output.read_text())
    document["_log"] = run.stdout[-3000:] + run.stderr[-6000:]
    return document


class TestSmokeRun:
    def test_every_workload_reports(self, smoke: dict[str, Any]) -> None:
        assert smoke["preset"] == "smoke"
        assert [r["workload"] for r in smoke["results"]] == list(WORKLOADS)

    def test_no_workload_failed(self, smoke: dict[str, Any]) -> None:
        failed = {r["workload"]: r["error"] for r in smoke["results"] if r["error"]}
        assert not failed, f"{failed}\n{smoke['_log']}"

    def test_figures_sit_next_to_baselines(self, smoke: dict[str, Any]) -> None:
        for result in smoke["results"]:
            if not result["available"]:
                assert result["notes"], f"{result['workload']} says neither figures nor why not"
                continue
            figures = result["figures"]
            assert figures, result["workload"]
            assert all(isinstance(f["value"], int | float) for f in figures), figures
            assert any(f["baseline"] is not None and f["ratio"] is not None for f in figures), result[
                "workload"
            ]


class TestSafety:
    """Figures the benchmark must get right whatever the machine: money and page-size independence."""

    def test_no_overdraw(self, smoke: dict[str, Any]) -> None:
        [claims] = [r for r in smoke["results"] if r["workload"] == "claims"]
        overdraws = next(f for f in claims["figures"] if f["name"] == "overdraws")
        assert overdraws["value"] == 0 and overdraws["met"] is True, claims

    def test_upstream_calls_constant_in_page_size(self, smoke: dict[str, Any]) -> None:
        [page] = [r for r in smoke["results"] if r["workload"] == "graphql"]
        calls = {f["value"] for f in page["figures"] if f["name"].startswith("upstream calls")}
        assert len(calls) == 1, page["figures"]


class TestScale:
    """The growth workload measures the list, the KPI report and the change feed at its (tiny) size."""

    def test_list_kpi_and_feed_measured(self, smoke: dict[str, Any]) -> None:
        [scale] = [r for r in smoke["results"] if r["workload"] == "scale"]
        names = [f["name"] for f in scale["figures"]]
        for prefix in (
            "list p50 @",
            "KPI report p50 @",
            "/stats/performance assessment p50 @",
            "feed first page @",
            "feed CPU per 1,000 records @",
            "feed full read @",
        ):
            assert any(n.startswith(prefix) for n in names), (prefix, names)
        assert "cleanup_seconds" in scale["params"], scale["params"]
