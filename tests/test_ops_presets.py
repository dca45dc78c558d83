"""`ops seed` and `ops programme export|import`: presets and programmes go in through the services' own
functions, idempotently, and a programme file is refused when damaged or foreign."""

import asyncio
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from ops.processes import migrate
from ops.programme import ExportFileError, export_programme, import_programme, read_file
from ops.seed import seed
from szcore.settings import SERVICES, get_settings
from tests.support.databases import DatabaseFactory


def run_ops(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ops", *args], capture_output=True, text=True, env={**os.environ, **env}
    )


async def environment(
    databases: DatabaseFactory, label: str, services: tuple[str, ...] = SERVICES
) -> dict[str, str]:
    """One migrated database per service: an environment of its own."""
    urls = {}
    for service in services:
        urls[service] = await databases.create(f"{label}_{service}_{uuid.uuid4().hex[:4]}")
        await asyncio.to_thread(migrate, service, urls[service])
    return urls


def as_env(urls: dict[str, str]) -> dict[str, str]:
    return {f"SZ_{service.upper()}_DATABASE_URL": url for service, url in urls.items()} | {"SZ_ENV": "test"}


class TestSeed:
    async def test_seeding_twice_stores_each_preset_once(self, databases: DatabaseFactory) -> None:
        env = as_env(await environment(databases, "seed"))
        first = await asyncio.to_thread(run_ops, "seed", env=env)
        assert first.returncode == 0, first.stderr
        outcomes = [json.loads(line) for line in first.stdout.splitlines()]
        by_service = {s: [o for o in outcomes if o["service"] == s] for s in SERVICES}
        assert len(by_service["enrollment"]) == 5 and len(by_service["funding"]) == 5
        assert len(by_service["matching"]) == 6 and by_service["assessment"]
        assert all(
            o["status"] == "added" for s in ("enrollment", "funding", "matching") for o in by_service[s]
        )
        # The migration loads the MIIT index already; seeding finds it.
        assert by_service["assessment"][0]["status"] == "unchanged"

        again = await asyncio.to_thread(run_ops, "seed", env=env)
        assert again.returncode == 0, again.stderr
        assert {json.loads(line)["status"] for line in again.stdout.splitlines()} == {"unchanged"}
        verify = await asyncio.to_thread(run_ops, "audit", "verify", "all", env=env)
        assert verify.returncode == 0, verify.stdout

    async def test_a_changed_preset_adds_a_version(
        self, databases: DatabaseFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from services.enrollment.programme import presets

        urls = await environment(databases, "seedv", ("enrollment",))
        await seed(["enrollment"], get_settings(), urls)
        changed = tmp_path / "presets"
        shutil.copytree(presets.PRESET_DIR, changed)
        document = json.loads((changed / "zibo.json").read_text())
        document["name"] += "（修订）"
        (changed / "zibo.json").write_text(json.dumps(document, ensure_ascii=False))
        monkeypatch.setattr(presets, "PRESET_DIR", changed)

        outcomes = {o.preset: o for o in await seed(["enrollment"], get_settings(), urls)}
        assert (outcomes["programme/zibo-2025"].status, outcomes["programme/zibo-2025"].version) == (
            "added",
            2,
        )
        assert {o.status for p, o in outcomes.items() if p != "programme/zibo-2025"} == {"unchanged"}
        again = await seed(["enrollment"], get_settings(), urls)
        assert {o.status for o in again} == {"unchanged"}

    def test_an_unknown_service_is_refused(self) -> None:
        result = run_ops("seed", "payroll", env={})
        assert result.returncode == 2 and "invalid choice" in result.stderr


class TestProgrammeExportImport:
    async def test_a_programme_moves_to_another_environment_once(
        self, databases: DatabaseFactory, tmp_path: Path
    ) -> None:
        source, target = (
            as_env(await environment(databases, "src")),
            as_env(await environment(databases, "dst")),
        )
        assert (await asyncio.to_thread(run_ops, "seed", env=source)).returncode == 0
        exported = tmp_path / "luoyang.json"
        result = await asyncio.to_thread(
            run_ops, "programme", "export", "luoyang-2025", "--out", str(exported), env=source
        )
        assert result.returncode == 0, result.stderr
        content = read_file(exported)
        assert content["programme"]["config"]["batches"] and content["programme"]["config"]["targets"]
        assert content["programme"]["config"]["review_steps"]
        assert [p["key"] for p in content["policies"]] == ["luoyang"]
        assert "enterprises" not in content

        first = await asyncio.to_thread(run_ops, "programme", "import", str(exported), env=target)
        assert first.returncode == 0, first.stderr
        assert {(r["part"], r["status"]) for r in map(json.loads, first.stdout.splitlines())} == {
            ("programme/luoyang-2025", "added"),
            ("policy/luoyang", "added"),
        }
        again = await asyncio.to_thread(run_ops, "programme", "import", str(exported), env=target)
        assert {json.loads(line)["status"] for line in again.stdout.splitlines()} == {"unchanged"}
        back = tmp_path / "back.json"
        await asyncio.to_thread(
            run_ops, "programme", "export", "luoyang-2025", "--out", str(back), env=target
        )
        assert read_file(back)["programme"]["config"] == content["programme"]["config"]
        verify = await asyncio.to_thread(run_ops, "audit", "verify", "all", env=target)
        assert verify.returncode == 0, verify.stdout

    async def test_enterprises_travel_only_when_asked(self, databases: DatabaseFactory, tokens) -> None:
        from services.enrollment.enterprise import service as enterprise_service
        from services.enrollment.enterprise.schemas import EnterpriseCreate
        from szcore.auth import Principal, Role
        from szcore.db import create_engine
        from tests.support.fixtures import unique_uscc

        source, target = await environment(databases, "esrc"), await environment(databases, "edst")
        settings = get_settings()
        await seed(["enrollment"], settings, source)
        uscc = unique_uscc()
        engine = create_engine(source["enrollment"])
        from sqlalchemy.ext.asyncio import AsyncSession

        async with AsyncSession(engine) as session, session.begin():
            await enterprise_service.register(
                session,
                Principal(subject="test", role=Role.city_admin),
                EnterpriseCreate(
                    uscc=uscc,
                    name="洛阳测试轴承有限公司",
                    county_code="410322",
                    industry_code="C345",
                    size_class="above_scale",
                    programme_id="luoyang-2025",
                ),
            )
        await engine.dispose()
        without = await export_programme("luoyang-2025", settings=settings, database_urls=source)
        assert "enterprises" not in without["content"]
        document = await export_programme(
            "luoyang-2025", with_enterprises=True, settings=settings, database_urls=source
        )
        assert [e["uscc"] for e in document["content"]["enterprises"]] == [uscc]
        results = await import_programme(document["content"], settings, target)
        assert (f"enterprise/{uscc}", "added") in {(r.part, r.status) for r in results}
        results = await import_programme(document["content"], settings, target)
        assert (f"enterprise/{uscc}", "exists") in {(r.part, r.status) for r in results}

    async def test_an_unknown_programme_is_reported(self, databases: DatabaseFactory, tmp_path: Path) -> None:
        env = as_env(await environment(databases, "none", ("enrollment",)))
        result = await asyncio.to_thread(
            run_ops, "programme", "export", "atlantis-2030", "--out", str(tmp_path / "x.json"), env=env
        )
        assert result.returncode == 1 and "No programme atlantis-2030" in result.stderr


class TestProgrammeFileChecks:
    def write(self, path: Path, document: object) -> Path:
        path.write_text(json.dumps(document, ensure_ascii=False))
        return path

    def valid(self) -> dict[str, object]:
        from ops.programme import envelope

        return envelope({"programme": {"id": "p", "version": 1, "config": {}}, "policies": [], "rules": []})

    def test_a_valid_file_is_read(self, tmp_path: Path) -> None:
        assert read_file(self.write(tmp_path / "ok.json", self.valid()))["programme"]["id"] == "p"

    def test_an_edited_file_is_refused(self, tmp_path: Path) -> None:
        document = self.valid()
        document["content"]["programme"]["version"] = 2  # type: ignore[index]
        path = self.write(tmp_path / "edited.json", document)
        with pytest.raises(ExportFileError, match="checksum does not match"):
            read_file(path)
        result = run_ops("programme", "import", str(path), env={})
        assert result.returncode == 1 and "damaged or was edited" in result.stderr

    def test_a_truncated_file_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "cut.json"
        path.write_text(json.dumps(self.valid())[:-40])
        with pytest.raises(ExportFileError, match="not JSON"):
            read_file(path)

    def test_another_format_version_is_refused(self, tmp_path: Path) -> None:
        path = self.write(tmp_path / "v2.json", {**self.valid(), "format_version": 2})
        with pytest.raises(ExportFileError, match="format version 2; this release reads version 1"):
            read_file(path)

    def test_a_foreign_file_is_refused(self, tmp_path: Path) -> None:
        path = self.write(tmp_path / "other.json", {"format": "something-else", "content": {}})
        with pytest.raises(ExportFileError, match="is not a programme export"):
            read_file(path)
