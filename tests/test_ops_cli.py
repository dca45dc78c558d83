"""Operator commands that the foundation ships: migrate, audit verify, tokens, help."""

import asyncio
import json
import os
import subprocess
import sys
import uuid

import pytest

from tests.support.databases import DatabaseFactory


def run_ops(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ops", *args], capture_output=True, text=True, env=env)


class TestOpsCli:
    @pytest.mark.parametrize("command", [[], ["migrate"], ["serve"], ["run"], ["tokens"], ["dlq"], ["audit"]])
    def test_every_command_has_help(self, command: list[str]) -> None:
        result = run_ops(*command, "--help")
        assert result.returncode == 0 and "usage" in result.stdout

    async def test_migrate_then_verify_the_audit_chain(self, databases: DatabaseFactory) -> None:
        url = await databases.create(f"cli_{uuid.uuid4().hex[:6]}")
        env = {"SZ_ENROLLMENT_DATABASE_URL": url, "SZ_ENV": "test"}
        migrate = await asyncio.to_thread(run_ops, "migrate", "enrollment", env=env)
        assert migrate.returncode == 0, migrate.stderr
        verify = await asyncio.to_thread(run_ops, "audit", "verify", "enrollment", env=env)
        assert verify.returncode == 0, verify.stderr
        assert json.loads(verify.stdout.splitlines()[0])["ok"] is True

    def test_unknown_service_is_refused(self) -> None:
        result = run_ops("migrate", "payroll")
        assert result.returncode == 2 and "invalid choice" in result.stderr

    def test_dev_tokens_carry_the_scope_of_their_role(self) -> None:
        tokens = json.loads(
            run_ops("tokens", "--county", "410311", env={**os.environ, "SZ_ENV": "dev"}).stdout
        )
        from szcore.auth import verify_token
        from szcore.settings import Environment, Settings

        settings = Settings(env=Environment.dev)
        assert verify_token(tokens["county_admin"], settings).county == "410311"
        assert verify_token(tokens["enterprise"], settings).uscc
        assert verify_token(tokens["provider"], settings).provider_id


class TestProductionKeysAndTokens:
    def test_generated_key_signs_tokens_that_production_accepts(self, tmp_path) -> None:
        keys = json.loads(run_ops("keys", "--out", str(tmp_path), "--kid", "city-1").stdout)
        token = run_ops(
            "token",
            "--role",
            "county_system",
            "--county",
            "410322",
            "--subject",
            "county-system-410322",
            "--private-key",
            keys["private_key"],
            "--kid",
            "city-1",
        ).stdout.strip()
        from szcore.auth import verify_token
        from szcore.settings import Environment, Settings

        principal = verify_token(token, Settings(env=Environment.prod, auth_jwks_file=tmp_path / "jwks.json"))
        assert (principal.role.value, principal.county, principal.subject) == (
            "county_system",
            "410322",
            "county-system-410322",
        )
        assert oct((tmp_path / "city-1.pem").stat().st_mode)[-3:] == "600"

    def test_rotation_keeps_the_previous_public_key(self, tmp_path) -> None:
        run_ops("keys", "--out", str(tmp_path), "--kid", "old")
        run_ops("keys", "--out", str(tmp_path), "--kid", "new")
        jwks = json.loads((tmp_path / "jwks.json").read_text())
        assert [key["kid"] for key in jwks["keys"]] == ["old", "new"]
