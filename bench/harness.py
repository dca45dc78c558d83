"""The platform under measurement: PostgreSQL databases created for the run, a nats-server of its own and
the five processes on free ports, started the way `ops.local` starts them and torn down after."""

import asyncio
import os
import re
import shutil
import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from ops.local import Platform
from ops.processes import migrate
from szcore.auth import Role, issue_token
from szcore.settings import PROCESSES, SERVICES, get_settings

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
METRIC_LINE = re.compile(r"^sz_http_requests_total\{(?P<labels>[^}]*)\}\s+(?P<value>[0-9.e+]+)$")


def admin_url() -> str:
    return (
        os.environ.get("SZ_BENCH_POSTGRES_URL")
        or os.environ.get("SZ_TEST_POSTGRES_URL")
        or DEFAULT_POSTGRES_URL
    )


def dsn(url: str) -> str:
    """An asyncpg DSN for a SQLAlchemy URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def memory_kb(pid: int, key: str = "VmHWM") -> int:
    """VmHWM (peak resident set) or VmRSS of a process, in kB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    raise KeyError(key)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used: unlike wall time, barely moved by other load."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds() -> float:
    """CPU time all cores have spent busy (not idle or waiting on I/O) since boot."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """CPU time of the PostgreSQL processes alive now (a pool's backends live through a workload)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if text.split(" (", 1)[1].startswith("postgres)"):
            fields = text.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


@dataclass
class Figure:
    """One measured figure; `baseline` was measured in the same run and `ratio` = value / baseline."""

    name: str
    value: float | int | str | None
    unit: str = ""
    baseline: float | None = None
    baseline_name: str = ""
    target: str = ""
    met: bool | None = None

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0) or not isinstance(self.value, int | float):
            return None
        return float(self.value) / float(self.baseline)  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "baseline": self.baseline,
            "baseline_name": self.baseline_name,
            "ratio": self.ratio,
            "target": self.target,
            "met": self.met,
        }


@dataclass
class Result:
    workload: str
    title: str
    available: bool = True
    params: dict[str, Any] = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None

    def add(self, *figures: Figure) -> None:
        self.figures.extend(figures)

    def as_dict(self) -> dict[str, Any]:
        return {
            "workload": self.workload,
            "title": self.title,
            "available": self.available,
            "params": self.params,
            "figures": [f.as_dict() for f in self.figures],
            "notes": self.notes,
            "seconds": round(self.seconds, 2),
            "error": self.error,
        }


class Tokens:
    def __init__(self) -> None:
        self.settings = get_settings()

    def headers(self, role: Role | str, **scope: Any) -> dict[str, str]:
        return {"authorization": f"Bearer {issue_token(self.settings, role, **scope)}"}


class BenchPlatform:
    """Databases `sz_bench_<run>_<service>`, NATS and the five processes; `close()` removes all of it."""

    def __init__(self, log: bool = False) -> None:
        self.run_id = uuid.uuid4().hex[:8]
        self.dir = Path(tempfile.mkdtemp(prefix="sz-bench-"))
        self.database_urls: dict[str, str] = {}
        self.platform: Platform | None = None
        self.tokens = Tokens()
        self.verbose = log

    @property
    def log_dir(self) -> Path:
        return self.dir / "logs"

    async def start(self) -> None:
        admin = await asyncpg.connect(dsn(admin_url()), timeout=10)
        try:
            for service in SERVICES:
                name = f"sz_bench_{self.run_id}_{service}"
                await admin.execute(f'CREATE DATABASE "{name}"')
                self.database_urls[service] = (
                    make_url(admin_url()).set(database=name).render_as_string(hide_password=False)
                )
        finally:
            await admin.close()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        env = {
            "SZ_DATA_DIR": str(self.dir / "data"),
            "SZ_EVENTS_NAMESPACE": f"bench{self.run_id}",
            "SZ_LOG_LEVEL": "WARNING",
            **{f"SZ_{s.upper()}_DATABASE_URL": url for s, url in self.database_urls.items()},
        }
        self.platform = Platform(env=env, ports={p: free_port() for p in PROCESSES}, log_dir=self.log_dir)
        self.platform.start_nats(free_port(), self.dir / "nats")
        await self.migrate()
        self.platform.start_processes()
        await asyncio.to_thread(self.platform.wait_ready, PROCESSES, 120)

    async def migrate(self) -> None:
        """In this process, one service after the other (alembic's context is global), which saves
        starting four interpreters (`Platform.migrate` runs `python -m ops migrate` per service)."""
        for service, url in self.database_urls.items():
            await asyncio.to_thread(migrate, service, url)

    def url(self, process: str) -> str:
        assert self.platform is not None
        return self.platform.url(process)

    @property
    def nats_url(self) -> str:
        assert self.platform is not None
        return self.platform.env["SZ_NATS_URL"]

    @property
    def namespace(self) -> str:
        assert self.platform is not None
        return self.platform.env["SZ_EVENTS_NAMESPACE"]

    def pid(self, process: str) -> int:
        assert self.platform is not None
        return self.platform.children[process].pid

    async def restart(self, *processes: str) -> None:
        """Fresh processes, so that their peak memory (VmHWM) counts one workload only."""
        assert self.platform is not None
        await asyncio.gather(*(asyncio.to_thread(self.platform.stop_process, p) for p in processes))
        for process in processes:
            self.platform.start_process(process)
        await asyncio.to_thread(self.platform.wait_ready, processes, 60)

    async def relay_mode(self, service: str, mode: str) -> None:
        """Restarts `service` with SZ_OUTBOX_RELAY=`mode`; `separate` also starts `ops relay <service>` as
        process `<service>-relay`, `inline` stops it."""
        assert self.platform is not None
        await asyncio.to_thread(self.platform.stop_process, service)
        if mode != "separate":
            await asyncio.to_thread(self.platform.stop_process, f"{service}-relay")
        self.platform.env["SZ_OUTBOX_RELAY"] = mode
        try:
            self.platform.start_process(service)
        finally:
            del self.platform.env["SZ_OUTBOX_RELAY"]
        await asyncio.to_thread(self.platform.wait_ready, (service,), 60)

    async def start_extra(self, name: str, process: str, env: dict[str, str] | None = None) -> str:
        """Another replica of a service on its own port (same database), with `env` on top of the run's."""
        assert self.platform is not None
        port = free_port()
        self.platform.ports[name] = port
        saved = dict(self.platform.env)
        self.platform.env.update(env or {})
        try:
            self.platform._spawn(name, [sys.executable, "-m", "ops", "serve", process, "--port", str(port)])
        finally:
            self.platform.env = saved
        await asyncio.to_thread(self.platform.wait_ready, (name,), 60)
        return self.platform.url(name)

    async def stop_extra(self, name: str) -> None:
        assert self.platform is not None
        await asyncio.to_thread(self.platform.stop_process, name)

    async def connect(self, service: str) -> asyncpg.Connection:
        return await asyncpg.connect(dsn(self.database_urls[service]))

    async def upstream_requests(self, client: httpx.AsyncClient) -> int:
        """Requests the four services have answered so far (their /metrics counters), minus /metrics."""
        total = 0
        for service in SERVICES:
            text = (await client.get(f"{self.url(service)}/metrics")).text
            for line in text.splitlines():
                match = METRIC_LINE.match(line)
                if match and 'route="/metrics"' not in match["labels"]:
                    total += int(float(match["value"]))
        return total

    def logs_tail(self, chars: int = 3000) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-chars:]}"
            for log in sorted(self.log_dir.glob("*.log"))
        )

    async def close(self) -> None:
        if self.platform is not None:
            # All processes at once, then NATS (`Platform.stop` waits for each in turn).
            names = [n for n in self.platform.children if n != "nats"]
            # Nothing here needs a graceful end (the databases are dropped next): 3 s, then SIGKILL.
            await asyncio.gather(
                *(asyncio.to_thread(self.platform.stop_process, n, timeout=3) for n in names)
            )
            await asyncio.to_thread(self.platform.stop)
        if self.database_urls:
            admin = await asyncpg.connect(dsn(admin_url()), timeout=10)
            try:
                for url in self.database_urls.values():
                    name = make_url(url).database
                    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await admin.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class Stopwatch:
    def __init__(self) -> None:
        self.start = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.start


class KeepAliveClient:
    """A load generator's HTTP/1.1 client: one keep-alive connection per caller and host, requests written
    as bytes, answers read by Content-Length (or chunks). A tenth of httpx's CPU per request, which
    otherwise takes a share of the same cores the platform is measured on."""

    def __init__(self) -> None:
        self.connections: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def connect(self, base_url: str) -> "KeepAliveConnection":
        url = httpx.URL(base_url)
        reader, writer = await asyncio.open_connection(url.host, url.port)
        self.connections.append((reader, writer))
        return KeepAliveConnection(reader, writer, f"{url.host}:{url.port}")

    async def aclose(self) -> None:
        for _, writer in self.connections:
            writer.close()
        await asyncio.gather(*(w.wait_closed() for _, w in self.connections), return_exceptions=True)


@dataclass
class KeepAliveConnection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    host: str

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> tuple[int, bytes]:
        lines = [f"{method} {path} HTTP/1.1", f"host: {self.host}", f"content-length: {len(body)}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        fields = {
            k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:] if line)
        }
        if "content-length" in fields:
            return status, await self.reader.readexactly(int(fields["content-length"]))
        content = b""
        while size := int((await self.reader.readuntil(b"\r\n")).strip(), 16):
            content += (await self.reader.readexactly(size + 2))[:-2]
        await self.reader.readuntil(b"\r\n")
        return status, content
