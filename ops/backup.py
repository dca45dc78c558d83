"""Backup and restore of the embedded platform (`ops run`: SQLite files and the bundled NATS server under
SZ_DATA_DIR). PostgreSQL and a NATS cluster are backed up with their own tools (docs/operations.md).

- Databases: SQLite's online backup API, page by page, so a copy is consistent while the services run.
- JetStream: while the bundled server runs, a snapshot of each stream through the server's snapshot API
  (what `nats stream backup` does: messages, configuration, consumers); while it is stopped, its store
  directory. Restoring snapshots starts a server of its own on the emptied store for the time it takes.
- The machine-client registry and the register of issued tokens, if present.

A backup directory holds manifest.json with the SHA-256 of every file; restore refuses a directory whose
files do not match it."""

import asyncio
import hashlib
import json
import os
import shutil
import socket
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nats
from sqlalchemy.engine import make_url

from ops.processes import MIGRATED
from ops.progress import bar
from szcore.settings import Settings

FORMAT = "shuzhuan/embedded-backup"
FORMAT_VERSION = 1
PAGES_PER_STEP = 256
SNAPSHOT_CHUNK = 128 * 1024


class BackupError(RuntimeError):
    pass


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def nats_store(settings: Settings) -> Path:
    return settings.data_dir.resolve() / "nats"


def bundled_server(store: Path) -> str | None:
    """The URL of a nats-server whose command line names this store directory (the launcher's
    `-sd <store> -p <port>`), if one runs."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv = [part.decode() for part in cmdline.read_bytes().split(b"\0")]
        except (OSError, UnicodeDecodeError):
            continue
        if argv and argv[0].endswith("nats-server") and str(store) in argv:
            port = argv[argv.index("-p") + 1] if "-p" in argv[:-1] else "4222"
            return f"nats://127.0.0.1:{port}"
    return None


def nats_server_running(store: Path) -> bool:
    return bundled_server(store) is not None


async def snapshot_streams(url: str, out: Path) -> list[str]:
    """Every stream of the server, each as <name>.json (configuration and state) and <name>.snap."""
    nc = await nats.connect(url)
    try:
        names = [info.config.name for info in await nc.jetstream().streams_info()]
        for name in names:
            assert name is not None
            meta, data = await _snapshot(nc, name)
            (out / f"{name}.json").write_text(json.dumps(meta))
            (out / f"{name}.snap").write_bytes(data)
        return [n for n in names if n]
    finally:
        await nc.close()


async def _snapshot(nc: "nats.NATS", stream: str) -> tuple[dict[str, Any], bytes]:
    inbox = nc.new_inbox()
    chunks: list[bytes] = []
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def on_chunk(msg: "nats.aio.msg.Msg") -> None:
        if done.done():
            return
        status = (msg.headers or {}).get("Status")
        if status and status != "204":
            description = (msg.headers or {}).get("Description", "")
            done.set_exception(BackupError(f"snapshot of {stream} failed: {status} {description}"))
        elif status == "204" or not msg.data:
            done.set_result(None)  # the end: 204 (or, from older servers, an empty message)
        else:
            chunks.append(msg.data)
            if msg.reply:
                await nc.publish(msg.reply, b"")  # flow control: the server waits for these

    subscription = await nc.subscribe(inbox, cb=on_chunk)
    try:
        request = {"deliver_subject": inbox, "chunk_size": SNAPSHOT_CHUNK}
        response = json.loads(
            (await nc.request(f"$JS.API.STREAM.SNAPSHOT.{stream}", json.dumps(request).encode(), 10)).data
        )
        if "error" in response:
            raise BackupError(f"snapshot of {stream} refused: {response['error']}")
        with bar(f"stream {stream}", unit="chunk") as progress:
            while not done.done():
                await asyncio.wait({done}, timeout=1)
                progress.n = len(chunks)
                progress.refresh()
        await asyncio.wait_for(done, 600)
    finally:
        await subscription.unsubscribe()
    return {"config": response["config"], "state": response["state"]}, b"".join(chunks)


async def restore_streams(url: str, directory: Path, names: list[str]) -> None:
    nc = await nats.connect(url)
    try:
        for name in names:
            meta = json.loads((directory / f"{name}.json").read_text())
            data = (directory / f"{name}.snap").read_bytes()
            reply = json.loads(
                (await nc.request(f"$JS.API.STREAM.RESTORE.{name}", json.dumps(meta).encode(), 10)).data
            )
            if "error" in reply:
                raise BackupError(f"restore of stream {name} refused: {reply['error']}")
            with bar(f"stream {name}", total=len(data), unit="B") as progress:
                for start in range(0, len(data), SNAPSHOT_CHUNK):
                    chunk = data[start : start + SNAPSHOT_CHUNK]
                    await nc.request(reply["deliver_subject"], chunk, 30)
                    progress.update(len(chunk))
            final = json.loads((await nc.request(reply["deliver_subject"], b"", 120)).data)
            if "error" in final:
                raise BackupError(f"restore of stream {name} failed: {final['error']}")
    finally:
        await nc.close()


def restore_snapshots(store: Path, directory: Path, names: list[str]) -> None:
    """Into an empty store, through a NATS server started here for the purpose and stopped after."""
    from ops.local import Platform

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log_dir = store.parent / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    server = Platform(log_dir=log_dir)
    try:
        url = server.start_nats(port, store)
        asyncio.run(restore_streams(url, directory, names))
    finally:
        server.stop()


def extra_files(settings: Settings) -> dict[str, Path]:
    from ops.users import register_path

    return {"clients.json": settings.clients_path(), "issued-tokens.jsonl": register_path(settings)}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def backup_sqlite(source: Path, target: Path) -> None:
    # closing(): a sqlite3 connection's own context manager commits but does not close.
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
        closing(sqlite3.connect(target)) as dst,
    ):
        total = src.execute("PRAGMA page_count").fetchone()[0]
        with bar(f"{source.name}", total=total, unit="page") as progress:

            def step(_status: int, remaining: int, pages: int) -> None:
                progress.n = pages - remaining
                progress.refresh()

            src.backup(dst, pages=PAGES_PER_STEP, progress=step)
    check = sqlite3.connect(target)
    try:
        # One self-contained file (no -wal/-shm beside it); the services switch to WAL again on connect.
        if check.execute("PRAGMA journal_mode=DELETE").fetchone()[0] != "delete":
            raise BackupError(f"the copy of {source} is still in use")
        if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"the copy of {source} fails PRAGMA integrity_check")
    finally:
        check.close()


def backup(settings: Settings, out: Path) -> dict[str, Any]:
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"{out} is not empty; back up into a new directory")
    out.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(),
        "databases": {},
        "skipped": {},
        "files": {},
    }
    (out / "db").mkdir()
    for process in MIGRATED:
        path = sqlite_path(settings.database_url(process))
        if path is None:
            manifest["skipped"][process] = "not SQLite: back it up with pg_dump or CloudNativePG"
        elif not path.exists():
            manifest["skipped"][process] = f"{path} does not exist"
        else:
            backup_sqlite(path, out / "db" / f"{process}.sqlite3")
            manifest["databases"][process] = f"db/{process}.sqlite3"
    store = nats_store(settings)
    running = bundled_server(store)
    if not store.exists():
        manifest["skipped"]["jetstream"] = f"{store} does not exist"
    elif running:
        (out / "streams").mkdir()
        manifest["streams"] = asyncio.run(snapshot_streams(running, out / "streams"))
    else:
        files = [p for p in store.rglob("*") if p.is_file()]
        with bar("jetstream", total=len(files), unit="file") as progress:
            for path in files:
                target = out / "nats" / path.relative_to(store)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
                progress.update()
        manifest["jetstream"] = "nats"
    for name, path in extra_files(settings).items():
        if path.exists():
            shutil.copy2(path, out / name)
            manifest["extra"] = {**manifest.get("extra", {}), name: name}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        manifest["files"][path.relative_to(out).as_posix()] = sha256_of(path)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return manifest


def read_manifest(directory: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((directory / "manifest.json").read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise BackupError(f"{directory} has no readable manifest.json: not a backup ({exc})") from exc
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{directory} is not a backup this release restores "
            f"(format {manifest.get('format')!r} version {manifest.get('format_version')!r})"
        )
    for name, digest in manifest["files"].items():
        path = directory / name
        if not path.is_file() or sha256_of(path) != digest:
            raise BackupError(
                f"{directory}/{name} is missing or damaged (its SHA-256 differs from the manifest)"
            )
    return manifest


def _replace_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".restoring")
    shutil.copy2(source, temporary)
    os.replace(temporary, target)


def restore(settings: Settings, directory: Path) -> dict[str, Any]:
    """Run with the platform stopped: the services' files are replaced underneath them otherwise."""
    manifest = read_manifest(directory)
    store = nats_store(settings)
    if nats_server_running(store):
        raise BackupError(f"a NATS server is running on {store}; stop the platform before restoring")
    with bar("restoring databases", total=len(manifest["databases"]), unit="db") as progress:
        for process, name in manifest["databases"].items():
            path = sqlite_path(settings.database_url(process))
            if path is None:
                raise BackupError(
                    f"{process} is configured with a non-SQLite database; restore it with its tools"
                )
            for stale in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                stale.unlink(missing_ok=True)  # a WAL of the newer database would be applied to the old one
            _replace_file(directory / name, path)
            progress.update()
    if manifest.get("jetstream"):
        shutil.rmtree(store, ignore_errors=True)
        shutil.copytree(directory / manifest["jetstream"], store)
    elif "streams" in manifest:
        shutil.rmtree(store, ignore_errors=True)
        restore_snapshots(store, directory / "streams", manifest["streams"])
    for name, path in extra_files(settings).items():
        if name in manifest.get("extra", {}):
            _replace_file(directory / name, path)
    return manifest
