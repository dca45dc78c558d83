"""`python -m ops clients create|list|revoke` on a registry file."""

import json
from pathlib import Path

import pytest

from ops.cli import main
from szcore.credentials import ClientRegistry


def ops(
    capsys: pytest.CaptureFixture[str], *args: str, clients_file: Path | None = None
) -> tuple[int, str, str]:
    file_args = ["--file", str(clients_file)] if clients_file else []
    try:
        main(["clients", *args, *file_args])
        code = 0
    except SystemExit as exit:
        code = int(exit.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


class TestClientsCommand:
    def test_create_list_revoke(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = tmp_path / "clients.json"
        code, out, err = ops(
            capsys,
            "create",
            "yongkang-system",
            "--role",
            "county_system",
            "--county",
            "330784",
            clients_file=path,
        )
        assert code == 0, err
        shown = json.loads(out)
        assert shown["api_key"] == f"yongkang-system.{shown['client_secret']}"
        assert "shown once" in err
        assert ClientRegistry.load(path).verify("yongkang-system", shown["client_secret"]) is not None

        listed = [json.loads(line) for line in ops(capsys, "list", clients_file=path)[1].splitlines()]
        assert [(c["client_id"], c["role"], c["scope"]) for c in listed] == [
            ("yongkang-system", "county_system", {"county": "330784"})
        ]
        assert "secret_hash" not in listed[0]

        assert ops(capsys, "revoke", "yongkang-system", clients_file=path)[0] == 0
        assert ops(capsys, "list", clients_file=path)[1] == ""
        (revoked,) = [
            json.loads(line) for line in ops(capsys, "list", "--all", clients_file=path)[1].splitlines()
        ]
        assert revoked["revoked"] is True
        assert ClientRegistry.load(path).verify("yongkang-system", shown["client_secret"]) is None

    def test_county_system_without_county_is_refused(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, _, err = ops(
            capsys, "create", "yongkang-system", "--role", "county_system", clients_file=tmp_path / "c.json"
        )
        assert code == 2 and "county" in err
        assert not (tmp_path / "c.json").exists()

    def test_revoking_an_unknown_client_fails(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert ops(capsys, "revoke", "nobody", clients_file=tmp_path / "c.json")[0] == 2

    @pytest.mark.parametrize("command", [[], ["create"], ["list"], ["revoke"]])
    def test_help(self, command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = ops(capsys, *command, "--help")
        assert code == 0 and "usage: python -m ops clients" in out
