"""Every operator command: `--help` works on each command and subcommand of the tree, each command is run
by some test, and the commands without a home elsewhere (users, dlq, rebuild) run here."""

import argparse
import asyncio
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from ops.cli import parser
from ops.processes import migrate
from szcore.auth import verify_token
from szcore.settings import Environment, Settings
from tests.support.databases import DatabaseFactory
from tests.support.fixtures import namespace

ROOT = Path(__file__).resolve().parents[1]

# Where each command is run (a test file of the repository). A new command needs an entry, and a test.
RUN_IN = {
    "migrate": "tests/test_ops_cli.py",
    "serve": "tests/test_local_platform.py",  # `run` starts every process with `ops serve`
    "relay": "tests/test_event_backbone.py",
    "run": "tests/test_local_platform.py",
    "tokens": "tests/test_ops_cli.py",
    "keys": "tests/test_ops_cli.py",
    "token": "tests/test_ops_cli.py",
    "rebuild": "tests/test_ops_commands.py",  # the full replay: tests/test_ops_rebuild_e2e.py (quarantined)
    "dlq list": "tests/test_ops_commands.py",
    "dlq replay": "tests/test_ops_commands.py",
    "audit verify": "tests/test_ops_cli.py",
    "seed": "tests/test_ops_presets.py",
    "programme export": "tests/test_ops_presets.py",
    "programme import": "tests/test_ops_presets.py",
    "users create": "tests/test_ops_commands.py",
    "users list": "tests/test_ops_commands.py",
    "backup": "tests/test_ops_backup_e2e.py",
    "restore": "tests/test_ops_backup_e2e.py",
    "clients create": "tests/test_credentials_cli.py",
    "clients list": "tests/test_credentials_cli.py",
    "clients revoke": "tests/test_credentials_cli.py",
    "national status": "tests/test_national_push_cli.py",
    "national resend": "tests/test_national_push_cli.py",
    "national reconcile": "tests/test_national_push_cli.py",
}


def subparsers(p: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def command_tree(p: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path, inner nodes included: ("",), ("dlq",), ("programme", "export"), ..."""
    paths = [path]
    for name, child in subparsers(p).items():
        paths += command_tree(child, (*path, name))
    return paths


def choice_actions(p: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Leaf commands, counting `dlq list|replay` style positional choices as subcommands."""
    children = subparsers(p)
    if children:
        return [leaf for name, child in children.items() for leaf in choice_actions(child, (*path, name))]
    for action in p._actions:
        if action.dest == "action" and action.choices:
            return [(*path, choice) for choice in action.choices]
    return [path]


TREE = command_tree(parser())


def run_ops(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ops", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )


class TestHelpEverywhere:
    @pytest.mark.parametrize("path", TREE, ids=[" ".join(p) or "ops" for p in TREE])
    def test_help(self, path: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
        with pytest.raises(SystemExit) as exit_:
            parser().parse_args([*path, "--help"])
        assert exit_.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith("usage: python -m ops") and "show this help message" in out

    def test_the_module_prints_help(self) -> None:
        result = run_ops("--help")
        assert result.returncode == 0 and "usage" in result.stdout

    def test_every_command_is_run_by_a_test(self) -> None:
        leaves = {" ".join(path) for path in choice_actions(parser())}
        missing = sorted(leaves - set(RUN_IN))
        assert not missing, f"commands without a test that runs them: {missing}"
        for command in leaves:
            assert (ROOT / RUN_IN[command]).exists(), f"{command}: {RUN_IN[command]} does not exist"


class TestUsers:
    def test_a_person_gets_a_scoped_token_and_the_issue_is_listed(self, tmp_path: Path) -> None:
        env = {"SZ_ENV": "test", "SZ_DATA_DIR": str(tmp_path)}
        created = run_ops(
            "users", "create", "--role", "county_admin", "--county", "410322", "--subject", "wang.li", env=env
        )
        assert created.returncode == 0, created.stderr
        principal = verify_token(created.stdout.strip(), Settings(env=Environment.test))
        assert (principal.role.value, principal.county, principal.subject) == (
            "county_admin",
            "410322",
            "wang.li",
        )

        [record] = [json.loads(line) for line in run_ops("users", "list", env=env).stdout.splitlines()]
        assert (record["subject"], record["role"], record["scope"]) == (
            "wang.li",
            "county_admin",
            {"county": "410322"},
        )
        assert record["expired"] is False
        assert created.stdout.strip() not in (tmp_path / "issued-tokens.jsonl").read_text()

    def test_expired_tokens_are_listed_only_on_request(self, tmp_path: Path) -> None:
        env = {"SZ_ENV": "test", "SZ_DATA_DIR": str(tmp_path)}
        run_ops("users", "create", "--role", "auditor", "--subject", "audit-1", "--ttl", "-1", env=env)
        assert run_ops("users", "list", env=env).stdout == ""
        [record] = [
            json.loads(line) for line in run_ops("users", "list", "--all", env=env).stdout.splitlines()
        ]
        assert record["expired"] is True

    def test_production_tokens_are_signed_with_the_citys_key(self, tmp_path: Path) -> None:
        keys = json.loads(run_ops("keys", "--out", str(tmp_path), "--kid", "city-1").stdout)
        env = {"SZ_ENV": "prod", "SZ_DATA_DIR": str(tmp_path)}
        created = run_ops(
            "users", "create", "--role", "enterprise", "--uscc", "91410300MA44RB1C4P",
            "--subject", "zhang.san", "--private-key", keys["private_key"], "--kid", "city-1", env=env,
        )  # fmt: skip
        assert created.returncode == 0, created.stderr
        settings = Settings(env=Environment.prod, auth_jwks_file=tmp_path / "jwks.json")
        assert verify_token(created.stdout.strip(), settings).uscc == "91410300MA44RB1C4P"
        without_key = run_ops("users", "create", "--role", "auditor", "--subject", "x", env=env)
        assert without_key.returncode == 1 and "dev secret is not allowed" in without_key.stderr

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--role", "county_admin"], "needs --county"),
            (["--role", "provider", "--county", "410322", "--provider-id", "p1"], "takes no --county"),
            (["--role", "county_system", "--county", "410322"], "ops clients create"),
        ],
    )
    def test_refusals(self, tmp_path: Path, args: list[str], message: str) -> None:
        result = run_ops(
            "users", "create", *args, "--subject", "s", env={"SZ_ENV": "test", "SZ_DATA_DIR": str(tmp_path)}
        )
        assert result.returncode == 1 and message in result.stderr
        assert not (tmp_path / "issued-tokens.jsonl").exists()


class TestEventCommandsRun:
    async def test_dlq_and_rebuild_run_on_an_empty_platform(self, databases: DatabaseFactory) -> None:
        url = await databases.create(f"ops_rebuild_{uuid.uuid4().hex[:6]}")
        await asyncio.to_thread(migrate, "assessment", url)
        env = {"SZ_EVENTS_NAMESPACE": namespace("ops"), "SZ_ASSESSMENT_DATABASE_URL": url, "SZ_ENV": "test"}
        listed = await asyncio.to_thread(run_ops, "dlq", "list", env=env)
        assert (listed.returncode, listed.stdout) == (0, ""), listed.stderr
        replayed = await asyncio.to_thread(run_ops, "dlq", "replay", "--consumer", "nobody", env=env)
        assert replayed.returncode == 0 and "replayed 0 dead letters" in replayed.stderr
        rebuilt = await asyncio.to_thread(
            run_ops, "rebuild", "assessment", "assessment-enterprise-copy", env=env
        )
        assert rebuilt.returncode == 0 and "forgot 0 applied events" in rebuilt.stderr
