#!/usr/bin/env python3
"""Event contract tooling for proto/: generated Python code and wire compatibility.

gen    regenerate proto/**/*_pb2.py and *_pb2.pyi
check  CI: generated code is fresh, no breaking change vs proto/compat.lock.json and the base ref
lock   record the current contracts in proto/compat.lock.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import grpc_tools
from google.protobuf import descriptor_pb2

REPO_ROOT = Path(__file__).resolve().parent.parent
WKT_INCLUDE = Path(grpc_tools.__file__).parent / "_proto"
LOCK_NAME = "compat.lock.json"
GEN_HINT = "run `python scripts/proto.py gen`"
LOCK_HINT = "run `python scripts/proto.py lock`"
LOCK_COMMENT = f"Append-only record of every event contract ever committed; {LOCK_HINT}, never edit by hand."

FileDescriptorSet = descriptor_pb2.FileDescriptorSet
_FDP = descriptor_pb2.FieldDescriptorProto
_TYPES = {number: name.removeprefix("TYPE_").lower() for name, number in _FDP.Type.items()}
_LABELS = {number: name.removeprefix("LABEL_").lower() for name, number in _FDP.Label.items()}


class ProtoError(Exception):
    pass


# --- protoc -------------------------------------------------------------------------------------------


def proto_files(proto_dir: Path) -> list[str]:
    return sorted(p.relative_to(proto_dir).as_posix() for p in proto_dir.rglob("*.proto"))


def compile_protos(proto_dir: Path, out_dir: Path | None = None) -> FileDescriptorSet:
    """Compile every .proto under proto_dir; also write the Python code into out_dir if given."""
    files = proto_files(proto_dir)
    if not files:
        raise ProtoError(f"no .proto files under {proto_dir}")
    with tempfile.TemporaryDirectory() as tmp:
        fds_path = Path(tmp) / "descriptors.binpb"
        cmd = [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            f"-I{proto_dir.resolve()}",
            f"-I{WKT_INCLUDE}",
            f"--descriptor_set_out={fds_path}",
            "--include_imports",
        ]
        if out_dir is not None:
            cmd += [f"--python_out={out_dir}", f"--pyi_out={out_dir}"]
        proc = subprocess.run([*cmd, *files], cwd=proto_dir, capture_output=True, text=True)
        if proc.returncode:
            raise ProtoError(f"protoc failed in {proto_dir}:\n{proc.stderr.strip()}")
        return FileDescriptorSet.FromString(fds_path.read_bytes())


def _generated(directory: Path) -> dict[str, bytes]:
    paths = [*directory.rglob("*_pb2.py"), *directory.rglob("*_pb2.pyi")]
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in paths}


def generated_diff(fresh_dir: Path, proto_dir: Path) -> dict[str, list[str]]:
    fresh, committed = _generated(fresh_dir), _generated(proto_dir)
    return {
        "stale": sorted(n for n in fresh.keys() & committed.keys() if fresh[n] != committed[n]),
        "missing": sorted(fresh.keys() - committed.keys()),
        "extra": sorted(committed.keys() - fresh.keys()),
    }


# --- snapshots and compatibility rules (pure) ----------------------------------------------------------


def snapshot_from_descriptor_set(fds: FileDescriptorSet, files: list[str] | None = None) -> dict:
    """Wire-relevant view of the messages and enums declared in `files` (default: every file in fds)."""
    snapshot: dict = {"messages": {}, "enums": {}}
    for file in fds.file:
        if files is None or file.name in files:
            prefix = f"{file.package}." if file.package else ""
            for message in file.message_type:
                _add_message(snapshot, message, prefix, file.name)
            for enum in file.enum_type:
                _add_enum(snapshot, enum, prefix, file.name)
    return snapshot


def _add_message(snapshot: dict, message: descriptor_pb2.DescriptorProto, prefix: str, file: str) -> None:
    name = prefix + message.name
    snapshot["messages"][name] = {
        "file": file,
        "fields": {
            f.name: {
                "number": f.number,
                "type": _TYPES[f.type],
                "label": _LABELS[f.label],
                "type_name": f.type_name.lstrip("."),
            }
            for f in message.field
        },
        "reserved_names": sorted(message.reserved_name),
        # Message reserved ranges are end-exclusive in descriptors; store them inclusive like the .proto.
        "reserved_numbers": [[r.start, r.end - 1] for r in message.reserved_range],
    }
    for nested in message.nested_type:
        _add_message(snapshot, nested, f"{name}.", file)
    for enum in message.enum_type:
        _add_enum(snapshot, enum, f"{name}.", file)


def _add_enum(snapshot: dict, enum: descriptor_pb2.EnumDescriptorProto, prefix: str, file: str) -> None:
    snapshot["enums"][prefix + enum.name] = {
        "file": file,
        "values": {v.name: v.number for v in enum.value},
        "reserved_names": sorted(enum.reserved_name),
        "reserved_numbers": [[r.start, r.end] for r in enum.reserved_range],
    }


def _reserved(entry: dict, name: str, number: int) -> bool:
    return name in entry["reserved_names"] and any(lo <= number <= hi for lo, hi in entry["reserved_numbers"])


def _type(field: dict) -> str:
    return field["type_name"] or field["type"]


def _cardinality(field: dict) -> str:
    return "repeated" if field["label"] == "repeated" else "singular"


def _retire_hint(name: str, number: int) -> str:
    return f'declare `reserved {number};` and `reserved "{name}";` to retire it'


def _field_problems(old: dict, new: dict):
    by_number = {f["number"]: (n, f) for n, f in new["fields"].items()}
    for name, was in sorted(old["fields"].items(), key=lambda item: item[1]["number"]):
        number, now = was["number"], new["fields"].get(name)
        if now is not None and now["number"] == number:
            if _type(now) != _type(was):
                yield name, f"type changed from {_type(was)} to {_type(now)}"
            if _cardinality(now) != _cardinality(was):
                yield name, f"changed from {_cardinality(was)} to {_cardinality(now)}"
            continue
        if now is not None:
            yield name, f"renumbered from {number} to {now['number']}"
        if number in by_number:
            other, field = by_number[number]
            retyped = f" of type {_type(field)} (was {_type(was)})" if _type(field) != _type(was) else ""
            yield name, f"number {number} reused by field '{other}'{retyped}"
        elif now is None and not _reserved(new, name, number):
            yield name, f"field removed (number {number}); {_retire_hint(name, number)}"


def _value_problems(old: dict, new: dict):
    by_number = defaultdict(list)
    for n, v in new["values"].items():
        by_number[v].append(n)
    for name, number in sorted(old["values"].items(), key=lambda item: item[1]):
        now = new["values"].get(name)
        if now == number:
            continue
        if now is not None:
            yield name, f"renumbered from {number} to {now}"
        if number in by_number:
            yield name, f"number {number} reused by value '{by_number[number][0]}'"
        elif now is None and not _reserved(new, name, number):
            yield name, f"enum value removed (number {number}); {_retire_hint(name, number)}"


def _gone(kind: str, name: str, new_entries: dict) -> str:
    short = name.rsplit(".", 1)[-1]
    moved = sorted(n for n in new_entries if n.rsplit(".", 1)[-1] == short)
    return f"{kind} removed" + (f" (renamed or moved to {', '.join(moved)}?)" if moved else "")


def breaking_changes(old: dict, new: dict) -> list[str]:
    """Changes from snapshot (or lock) `old` to snapshot `new` that break existing producers/consumers."""
    problems = []
    for kind, check in (("messages", _field_problems), ("enums", _value_problems)):
        for name, was in sorted(old.get(kind, {}).items()):
            now = new[kind].get(name)
            if now is None:
                problems.append(f"BREAKING: {was['file']}: {name}: {_gone(kind[:-1], name, new[kind])}")
            else:
                problems += [
                    f"BREAKING: {now['file']}: {name}.{sub}: {what}" for sub, what in check(was, now)
                ]
    return problems


def merge_lock(lock: dict, snapshot: dict) -> dict:
    """The lock after recording `snapshot`: current entries as declared, retired fields/values kept."""
    merged: dict = {"_comment": LOCK_COMMENT, "messages": {}, "enums": {}}
    for kind, inner in (("messages", "fields"), ("enums", "values")):
        old, new = lock.get(kind, {}), snapshot[kind]
        for name in sorted(old.keys() | new.keys()):
            entry = dict(new.get(name) or old[name])
            # Retired entries stay so that their names and numbers can never be reused.
            entry[inner] = {**old.get(name, {}).get(inner, {}), **new.get(name, {}).get(inner, {})}
            merged[kind][name] = entry
    return merged


def dump_lock(lock: dict) -> str:
    return json.dumps(lock, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --- git base ref --------------------------------------------------------------------------------------


def _git(root: Path, *args: str) -> bytes | None:
    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True)
    except FileNotFoundError:
        return None
    return proc.stdout if proc.returncode == 0 else None


def base_commit(root: Path, ref: str | None) -> str | None:
    """Commit whose protos the current ones must stay compatible with; None when there is none."""
    if ref:
        commit = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        if commit is None:
            raise ProtoError(f"base ref {ref!r} cannot be resolved in {root}")
    else:
        commit = _git(root, "rev-parse", "--verify", "--quiet", "origin/main^{commit}")
        if commit is None or commit == _git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"):
            return None
    # The fork point, so that contracts added on the base branch since then do not count as removals here.
    fork = _git(root, "merge-base", commit.decode().strip(), "HEAD")
    return (fork or commit).decode().strip()


def base_snapshot(root: Path, commit: str) -> dict | None:
    listing = _git(root, "ls-tree", "-r", "-z", "--name-only", commit, "--", "proto")
    names = [n for n in (listing or b"").decode().split("\0") if n.endswith(".proto")]
    if not names:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp)
        for name in names:
            blob = _git(root, "show", f"{commit}:./{name}")
            if blob is None:
                raise ProtoError(f"cannot read {name} at {commit}")
            path = dest / Path(name).relative_to("proto")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(blob)
        return snapshot_from_descriptor_set(compile_protos(dest), proto_files(dest))


# --- commands ------------------------------------------------------------------------------------------


def _load_lock(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    except ValueError as exc:
        raise ProtoError(f"{path} is not valid JSON ({exc}); restore it from git") from exc


def cmd_gen(args: argparse.Namespace) -> int:
    proto_dir = args.root / "proto"
    with tempfile.TemporaryDirectory() as tmp:
        compile_protos(proto_dir, Path(tmp))
        diff = generated_diff(Path(tmp), proto_dir)
        for name in diff["stale"] + diff["missing"]:
            (proto_dir / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(tmp) / name, proto_dir / name)
        for name in diff["extra"]:
            (proto_dir / name).unlink()
    for label, verb in (("stale", "updated"), ("missing", "created"), ("extra", "removed")):
        for name in diff[label]:
            print(f"{verb} proto/{name}")
    if not any(diff.values()):
        print("generated code is up to date")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    root, proto_dir = args.root, args.root / "proto"
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        fds = compile_protos(proto_dir, Path(tmp))
        diff = generated_diff(Path(tmp), proto_dir)
    if any(diff.values()):
        ok = False
        print(f"Generated code under proto/ is out of date; {GEN_HINT}:")
        for label, names in diff.items():
            for name in names:
                print(f"  {label}: proto/{name}")
    current = snapshot_from_descriptor_set(fds, proto_files(proto_dir))

    breaking: list[str] = []
    lock = _load_lock(proto_dir / LOCK_NAME)
    if lock is None:
        ok = False
        print(f"proto/{LOCK_NAME} is missing; {LOCK_HINT}")
    else:
        breaking += breaking_changes(lock, current)
        if not breaking and merge_lock(lock, current) != lock:
            ok = False
            print(f"proto/{LOCK_NAME} does not record the current contracts; {LOCK_HINT}")

    commit = base_commit(root, args.base_ref)
    base = base_snapshot(root, commit) if commit else None
    if base is not None:
        print(f"Compared with the protos at {args.base_ref or 'origin/main'} ({commit[:12]})")
        breaking += breaking_changes(base, current)
    else:
        print(
            "note: no base ref to compare with (PROTO_BASE_REF unset, origin/main missing or equal to "
            "HEAD, or no protos there); checked against the lock only"
        )

    for line in dict.fromkeys(breaking):
        print(line)
    if breaking:
        ok = False
        print(
            "Breaking changes found: add new fields/messages instead, retire removed ones with `reserved`, "
            "or publish a new package version (e.g. shuzhuan.events.v2)."
        )
    if ok:
        print("proto check passed")
    return 0 if ok else 1


def cmd_lock(args: argparse.Namespace) -> int:
    proto_dir = args.root / "proto"
    path = proto_dir / LOCK_NAME
    current = snapshot_from_descriptor_set(compile_protos(proto_dir), proto_files(proto_dir))
    lock = _load_lock(path) or {}
    breaking = breaking_changes(lock, current)
    if breaking:
        print("\n".join(breaking))
        print(
            f"Refusing to update proto/{LOCK_NAME}: it is append-only and the protos above break contracts "
            "it records. Make the change compatible (reserve removed numbers and names) or add a new "
            "package version."
        )
        return 1
    text = dump_lock(merge_lock(lock, current))
    if path.exists() and path.read_text(encoding="utf-8") == text:
        print(f"proto/{LOCK_NAME} is up to date")
    else:
        path.write_text(text, encoding="utf-8")
        print(f"updated proto/{LOCK_NAME}")
    return 0


def main(argv: list[str] | None = None) -> int:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--root",
        type=Path,
        default=REPO_ROOT,
        help="repository root containing proto/ (default: %(default)s)",
    )
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "gen",
        parents=[common],
        help="regenerate the Python code for every .proto",
        description="Regenerate *_pb2.py/*_pb2.pyi next to every .proto under proto/ and "
        "remove generated files whose .proto is gone.",
    ).set_defaults(func=cmd_gen)
    check = commands.add_parser(
        "check",
        parents=[common],
        help="fail on stale generated code or breaking contract changes",
        description="Fail (exit 1) if generated code differs from a fresh build, or if the protos break "
        f"compatibility with proto/{LOCK_NAME} or with the protos at the base ref (compared at "
        "its merge-base with HEAD). Base ref: --base-ref, else $PROTO_BASE_REF, else origin/main "
        "if it exists and differs from HEAD, else skipped.",
    )
    check.add_argument(
        "--base-ref",
        default=os.environ.get("PROTO_BASE_REF") or None,
        help="git ref to compare with (default: $PROTO_BASE_REF or origin/main)",
    )
    check.set_defaults(func=cmd_check)
    commands.add_parser(
        "lock",
        parents=[common],
        help=f"record the current contracts in proto/{LOCK_NAME}",
        description=f"Add new messages, enums, fields and values to proto/{LOCK_NAME}. "
        "Refuses (exit 1) if the protos break what the lock records.",
    ).set_defaults(func=cmd_lock)
    args = parser.parse_args(argv)
    args.root = args.root.resolve()
    try:
        return args.func(args)
    except ProtoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
