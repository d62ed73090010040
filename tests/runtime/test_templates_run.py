"""Each init template migrates a real database end to end; plus the smaller run options."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from .conftest import MigrationProject, fresh_database, make_project

CREATE = 'op.create_table("{name}", sa.Column("id", sa.Integer, primary_key=True))'


def tables(url: str) -> set[str]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return set(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()


def test_async_template(tmp_path: Path, capsys, monkeypatch) -> None:
    pytest.importorskip("aiosqlite", reason="the async template test needs aiosqlite")
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "project"
    root.mkdir()
    os.chdir(root)
    project = MigrationProject(root, f"sqlite+aiosqlite:///{tmp_path / 'async.db'}", capsys)
    project.ok("-q", "init", "migrations", "-t", "async")
    config = root / "mighub.toml"
    config.write_text(
        config.read_text().replace('url = "sqlite+aiosqlite:///app.db"', f'url = "{project.url}"')
    )
    project.revision("aaaa00000001", None, CREATE.format(name="from_async"))
    project.ok("upgrade", "head")
    assert "from_async" in tables(f"sqlite:///{tmp_path / 'async.db'}")
    assert project.ok("current").stdout == "aaaa00000001 (head)\n"


def test_multidb_template(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "project"
    root.mkdir()
    os.chdir(root)
    project = MigrationProject(root, "", capsys)
    project.ok("-q", "init", "migrations", "-t", "multidb")
    one, two = f"sqlite:///{tmp_path / 'one.db'}", f"sqlite:///{tmp_path / 'two.db'}"
    config = root / "mighub.toml"
    config.write_text(
        config.read_text()
        .replace('url = "sqlite:///engine1.db"', f'url = "{one}"')
        .replace('url = "sqlite:///engine2.db"', f'url = "{two}"')
    )
    result = project.ok("revision", "-m", "both", "--rev-id", "bbbb00000001")
    path = root / "migrations" / "versions" / "bbbb00000001_both.py"
    assert "def upgrade_engine1() -> None:" in path.read_text()
    path.write_text(
        path.read_text()
        .replace(
            "def upgrade_engine1() -> None:\n    pass",
            "def upgrade_engine1() -> None:\n    " + CREATE.format(name="in_one"),
        )
        .replace(
            "def upgrade_engine2() -> None:\n    pass",
            "def upgrade_engine2() -> None:\n    " + CREATE.format(name="in_two"),
        )
    )
    assert "Generated" in result.stdout
    project.ok("-n", "engine2", "upgrade", "head")
    assert "in_one" not in tables(one)
    assert "in_two" in tables(two)
    project.ok("upgrade", "head")
    assert "in_one" in tables(one)
    sql = project.ok("upgrade", "head", "--sql").stdout
    assert "-- database: engine1" in sql and "-- database: engine2" in sql


def test_pyproject_template_reads_url_from_environment(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "project"
    root.mkdir()
    os.chdir(root)
    project = MigrationProject(root, f"sqlite:///{tmp_path / 'py.db'}", capsys)
    project.ok("-q", "init", "migrations", "-t", "pyproject")
    project.revision("aaaa00000001", None, CREATE.format(name="from_pyproject"))
    result = project.run("upgrade", "head")
    assert result.exit_code == 1
    assert "refers to ${DATABASE_URL}, which is not set" in result.stderr
    monkeypatch.setenv("DATABASE_URL", project.url)
    project.ok("upgrade", "head")
    assert "from_pyproject" in tables(project.url)


def test_current_verbose_and_json_hide_the_password(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    database = fresh_database("postgresql", tmp_path)
    url = next(database)
    try:
        # Trust authentication ignores the password, so a made-up one still connects.
        with_password = (
            sa.make_url(url).set(password="s3cr3t-pw").render_as_string(hide_password=False)
        )
        project = make_project(tmp_path / "project", with_password, capsys)
        project.revision("aaaa00000001", None, doc="first")
        result = project.ok("upgrade", "head")
        result = project.ok("current", "-v")
        assert "s3cr3t-pw" not in result.stdout + result.stderr
        assert ":***@" in result.stdout
        assert "Rev: aaaa00000001 (head)" in result.stdout
        data = json.loads(project.ok("current", "--json").stdout)
        assert data == {
            "heads": [
                {
                    "revision": "aaaa00000001",
                    "is_head": True,
                    "doc": "first",
                    "path": str(project.versions / "aaaa00000001_first.py"),
                }
            ],
            "at_heads": True,
            "incomplete": [],
        }
        result = project.run("--url", with_password.replace("/mighub_t", "/nodb_t"), "current")
        assert result.exit_code == 1
        assert "s3cr3t-pw" not in result.stdout + result.stderr
    finally:
        next(database, None)


def test_stamp_and_ensure_version_offline(sqlite_project) -> None:
    project = sqlite_project
    project.revision("aaaa00000001", None)
    project.revision("bbbb00000002", "aaaa00000001")
    sql = project.ok("stamp", "head", "--sql").stdout
    assert "CREATE TABLE mighub_version" in sql
    assert "INSERT INTO mighub_version (version_num) VALUES ('bbbb00000002');" in sql
    sql = project.ok("stamp", "aaaa00000001:bbbb00000002", "--sql").stdout
    assert "UPDATE mighub_version SET version_num='bbbb00000002'" in sql
    sql = project.ok("ensure-version", "--sql").stdout
    assert "CREATE TABLE mighub_version" in sql
    assert project.tables() == set()
    result = project.run("stamp", "head", "--sql", "--purge")
    assert result.exit_code == 1


def test_plan_json(sqlite_project) -> None:
    project = sqlite_project
    project.revision("aaaa00000001", None, doc="first")
    data = json.loads(project.ok("upgrade", "head", "--plan", "--json").stdout)
    assert data == {
        "steps": [
            {
                "direction": "upgrade",
                "revision": "aaaa00000001",
                "from": [],
                "to": ["aaaa00000001"],
                "doc": "first",
                "path": str(project.versions / "aaaa00000001_first.py"),
            }
        ]
    }


def test_quiet_run_prints_nothing(sqlite_project) -> None:
    sqlite_project.revision("aaaa00000001", None)
    result = sqlite_project.ok("-q", "upgrade", "head")
    assert (result.stdout, result.stderr) == ("", "")


def test_history_indicates_current(sqlite_project) -> None:
    project = sqlite_project
    project.revision("aaaa00000001", None, doc="one")
    project.revision("bbbb00000002", "aaaa00000001", doc="two")
    project.ok("upgrade", "aaaa00000001")
    assert project.ok("history", "-i").stdout == (
        "aaaa00000001 -> bbbb00000002 (head), two\n<base> -> aaaa00000001 (current), one\n"
    )
    assert project.ok("history", "-r", "current:").stdout == (
        "aaaa00000001 -> bbbb00000002 (head), two\n<base> -> aaaa00000001, one\n"
    )
    assert project.ok("show", "current").stdout.startswith("Rev: aaaa00000001 (current)\n")
