"""scripts/proto.py: generated-code freshness, the compatibility rules, and the append-only lock."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("proto_tooling", REPO / "scripts" / "proto.py")
assert _spec is not None and _spec.loader is not None
proto = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(proto)

ENVELOPE = "proto/shuzhuan/events/v1/envelope.proto"
ENVELOPE_PY = "proto/shuzhuan/events/v1/envelope_pb2.py"
LOCK = "proto/compat.lock.json"

BASE = """
syntax = "proto3";
package t.v1;

enum Color {
  COLOR_UNSPECIFIED = 0;
  COLOR_RED = 1;
  COLOR_BLUE = 2;
}

message Item {
  string id = 1;
  int32 count = 2;
  repeated string tags = 3;
  Color color = 4;
  Other other = 5;
}

message Other {
  string x = 1;
}

message Note {
  string text = 1;
}
"""


@pytest.fixture(autouse=True)
def _isolated_from_ambient_git(monkeypatch):
    # A CI base ref or a git hook's GIT_DIR must not leak into the repo copies under tmp_path.
    monkeypatch.delenv("PROTO_BASE_REF", raising=False)
    for key in [k for k in os.environ if k.startswith("GIT_")]:
        monkeypatch.delenv(key)


def snapshot(tmp_path: Path, text: str) -> dict:
    proto_dir = Path(tempfile.mkdtemp(dir=tmp_path))
    (proto_dir / "t" / "v1").mkdir(parents=True)
    (proto_dir / "t" / "v1" / "item.proto").write_text(text)
    return proto.snapshot_from_descriptor_set(proto.compile_protos(proto_dir), proto.proto_files(proto_dir))


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> dict:
    return snapshot(tmp_path_factory.mktemp("base"), BASE)


def edit(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("int32 count = 2;", "", "Item.count: field removed (number 2)"),
        ("int32 count = 2;", "reserved 2;", "Item.count: field removed (number 2)"),
        ("int32 count = 2;", "int32 count = 6;", "Item.count: renumbered from 2 to 6"),
        ("int32 count = 2;", "int32 amount = 2;", "Item.count: number 2 reused by field 'amount'"),
        ("int32 count = 2;", "int64 count = 2;", "Item.count: type changed from int32 to int64"),
        ("Other other = 5;", "Note other = 5;", "Item.other: type changed from t.v1.Other to t.v1.Note"),
        ("Color color = 4;", "int32 color = 4;", "Item.color: type changed from t.v1.Color to int32"),
        ("repeated string tags = 3;", "string tags = 3;", "Item.tags: changed from repeated to singular"),
        ("string id = 1;", "repeated string id = 1;", "Item.id: changed from singular to repeated"),
        ("COLOR_BLUE = 2;", "", "Color.COLOR_BLUE: enum value removed (number 2)"),
        ("COLOR_BLUE = 2;", "COLOR_GREEN = 2;", "Color.COLOR_BLUE: number 2 reused by value 'COLOR_GREEN'"),
        ("message Note {\n  string text = 1;\n}", "", "Note: message removed"),
        ("enum Color {", "enum Colour {", "Color: enum removed"),
        ("package t.v1;", "package t.v2;", "Item: message removed (renamed or moved to t.v2.Item?)"),
    ],
)
def test_breaking_change_is_detected(tmp_path, base, old, new, expected):
    new_text = edit(BASE, old, new)
    if old == "enum Color {":
        new_text = new_text.replace("Color color", "Colour color")
    problems = proto.breaking_changes(base, snapshot(tmp_path, new_text))
    assert any(p.startswith(f"BREAKING: t/v1/item.proto: t.v1.{expected}") for p in problems), problems


def test_reserved_removals_and_additions_are_compatible(tmp_path, base):
    text = edit(BASE, "int32 count = 2;", 'reserved 2, 9 to 11;\n  reserved "count";\n  string note = 6;')
    text = edit(text, "COLOR_BLUE = 2;", 'reserved 2;\n  reserved "COLOR_BLUE";\n  COLOR_GREEN = 3;')
    text += "message Added {\n  repeated Item items = 1;\n  map<string, int64> totals = 2;\n}\n"
    text += "enum Shade {\n  SHADE_UNSPECIFIED = 0;\n}\n"
    assert proto.breaking_changes(base, base) == []
    assert proto.breaking_changes(base, snapshot(tmp_path, text)) == []


def test_snapshot_is_json_stable(base):
    assert json.loads(proto.dump_lock(base)) == base
    assert base["messages"]["t.v1.Item"]["fields"]["other"] == {
        "number": 5,
        "type": "message",
        "label": "optional",
        "type_name": "t.v1.Other",
    }


# --- the command line, on copies of the repo's proto/ -----------------------------------------------------


@pytest.fixture
def repo(tmp_path) -> Path:
    shutil.copytree(REPO / "proto", tmp_path / "proto", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def run(capsys, command: str, root: Path | None = None, *extra: str) -> tuple[int, str]:
    argv = [command, *(["--root", str(root)] if root else []), *extra]
    code = proto.main(argv)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def edit_file(path: Path, old: str, new: str) -> None:
    path.write_text(edit(path.read_text(), old, new))


def test_check_passes_on_the_repo(capsys):
    code, out = run(capsys, "check")
    assert code == 0, out


def test_check_reports_stale_missing_and_extra_generated_code(repo, capsys):
    with (repo / ENVELOPE_PY).open("a") as f:
        f.write("# edited by hand\n")
    (repo / "proto/shuzhuan/events/v1/enrollment_pb2.pyi").unlink()
    (repo / "proto/shuzhuan/events/v1/gone_pb2.py").write_text("")

    code, out = run(capsys, "check", repo)
    assert code == 1
    assert f"stale: {ENVELOPE_PY}" in out
    assert "missing: proto/shuzhuan/events/v1/enrollment_pb2.pyi" in out
    assert "extra: proto/shuzhuan/events/v1/gone_pb2.py" in out
    assert "python scripts/proto.py gen" in out

    assert run(capsys, "gen", repo)[0] == 0
    assert not (repo / "proto/shuzhuan/events/v1/gone_pb2.py").exists()
    assert (repo / ENVELOPE_PY).read_bytes() == (REPO / ENVELOPE_PY).read_bytes()
    assert run(capsys, "check", repo)[0] == 0


def test_lock_accepts_additions_and_check_wants_them_locked(repo, capsys):
    edit_file(repo / ENVELOPE, "string request_id = 10;", "string request_id = 10;\n  string tenant = 11;")
    assert run(capsys, "gen", repo)[0] == 0
    code, out = run(capsys, "check", repo)
    assert code == 1 and "compat.lock.json does not record the current contracts" in out

    assert run(capsys, "lock", repo)[0] == 0
    lock = json.loads((repo / LOCK).read_text())
    assert lock["messages"]["shuzhuan.events.v1.Envelope"]["fields"]["tenant"]["number"] == 11
    assert run(capsys, "check", repo)[0] == 0
    assert run(capsys, "lock", repo)[1].strip() == "proto/compat.lock.json is up to date"


def test_lock_refuses_breaking_change(repo, capsys):
    before = (repo / LOCK).read_bytes()
    edit_file(repo / ENVELOPE, "string request_id = 10;", "")
    run(capsys, "gen", repo)

    code, out = run(capsys, "lock", repo)
    assert code == 1 and "Refusing to update" in out
    breaking = (
        f"BREAKING: {ENVELOPE.removeprefix('proto/')}: shuzhuan.events.v1.Envelope.request_id: field removed"
    )
    assert breaking in out
    assert (repo / LOCK).read_bytes() == before
    code, out = run(capsys, "check", repo)
    assert code == 1 and breaking in out


def test_lock_remembers_retired_fields(repo, capsys):
    edit_file(repo / ENVELOPE, "string request_id = 10;", 'reserved 10;\n  reserved "request_id";')
    assert run(capsys, "lock", repo)[0] == 0
    fields = json.loads((repo / LOCK).read_text())["messages"]["shuzhuan.events.v1.Envelope"]["fields"]
    assert fields["request_id"]["number"] == 10

    edit_file(repo / ENVELOPE, 'reserved 10;\n  reserved "request_id";', "string correlation_id = 10;")
    code, out = run(capsys, "lock", repo)
    assert code == 1 and "Envelope.request_id: number 10 reused by field 'correlation_id'" in out


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_check_compares_with_base_ref(repo, capsys, monkeypatch):
    def git(*args: str) -> None:
        config = [
            "-c",
            "user.name=test",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "commit.gpgsign=false",
        ]
        subprocess.run(["git", *config, *args], cwd=repo, check=True, capture_output=True)

    git("init", "-q")
    git("add", "proto")
    git("commit", "-q", "--no-verify", "-m", "base")
    # A rewritten lock hides the removal from the lock check; only the base ref can catch it.
    edit_file(repo / ENVELOPE, "string request_id = 10;", "")
    (repo / LOCK).unlink()
    assert run(capsys, "gen", repo)[0] == 0
    assert run(capsys, "lock", repo)[0] == 0

    code, out = run(capsys, "check", repo)
    assert code == 0 and "note: no base ref" in out

    monkeypatch.setenv("PROTO_BASE_REF", "HEAD")
    code, out = run(capsys, "check", repo)
    assert code == 1
    assert "Compared with the protos at HEAD" in out
    assert "shuzhuan.events.v1.Envelope.request_id: field removed (number 10)" in out

    code, out = run(capsys, "check", repo, "--base-ref", "no-such-ref")
    assert code == 1 and "cannot be resolved" in out
