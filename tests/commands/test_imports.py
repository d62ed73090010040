"""Commands that need no database import no SQLAlchemy and no driver (issue 3's promise)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

HEAVY = ("sqlalchemy", "psycopg", "pymysql", "mako")


def imported_modules(cwd: Path, *args: str, write_caches: bool = False) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIGHUB_")}
    if write_caches:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "mighub", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    modules = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            modules.add(line.rsplit("|", 1)[1].strip())
    return modules


@pytest.mark.parametrize(
    "args",
    [("--help",), ("--version",), ("heads",), ("history",), ("branches",), ("show", "head")],
)
def test_graph_commands_import_no_database_code(run, project_dir: Path, args) -> None:
    assert run("-q", "init", "migrations").exit_code == 0
    for i in range(3):
        assert run("-q", "revision", "-m", f"step {i}").exit_code == 0
    modules = imported_modules(project_dir, *args)
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert heavy == []


@pytest.mark.parametrize("args", [("heads",), ("history",), ("branches",), ("show", "head")])
def test_reading_the_graph_imports_no_pathlib(run, project_dir: Path, args) -> None:
    """Importing pathlib (and urllib.parse, which it needs) costs a graph command more than
    reading a hundred cached headers; the configuration and the graph use plain strings."""
    assert run("-q", "init", "migrations").exit_code == 0
    assert run("-q", "revision", "-m", "first").exit_code == 0
    modules = imported_modules(project_dir, *args)
    assert {"mighub.script.graph", "mighub.config"} <= modules
    assert modules & {"pathlib", "urllib.parse"} == set()


def test_a_second_graph_command_parses_no_toml_and_looks_up_no_translation(
    run, project_dir: Path
) -> None:
    """Two imports that a warm graph command can do without: the TOML parser (the
    configuration's table is remembered beside it) and the locale module (which click's
    own --help option pulls in through gettext)."""
    assert run("-q", "init", "migrations").exit_code == 0
    assert run("-q", "revision", "-m", "first").exit_code == 0
    time.sleep(2.1)  # older than the window in which a file is not remembered yet
    first = imported_modules(project_dir, "heads", write_caches=True)
    assert "tomllib" in first or "tomli" in first
    second = imported_modules(project_dir, "heads", write_caches=True)
    assert "mighub.config" in second
    assert second & {"tomllib", "tomli", "locale"} == set()


def test_an_upgrade_on_sqlite_loads_no_other_dialect(run, project_dir: Path) -> None:
    """Running a revision builds every installed plugin's operations (op.create_sequence is
    there on any database); that must not load SQLAlchemy's PostgreSQL, MySQL or SQL Server
    dialect, which would cost a SQLite upgrade tens of milliseconds."""
    assert run("-q", "init", "migrations").exit_code == 0
    assert run("-q", "revision", "-m", "first").exit_code == 0
    modules = imported_modules(project_dir, "--url", "sqlite:///app.db", "-q", "upgrade", "head")
    assert (project_dir / "app.db").is_file()
    assert "sqlalchemy.dialects.sqlite" in modules
    dialects = {m.split(".")[2] for m in modules if m.startswith("sqlalchemy.dialects.")}
    assert dialects - {"sqlite", "_typing"} == set()


def test_autogenerate_on_sqlite_loads_no_other_dialect(run, project_dir: Path) -> None:
    """The installed dialect plugins register their comparators and renderers for every
    autogenerate run; against SQLite that must not load their SQLAlchemy dialects."""
    pytest.importorskip("mighub_autogen")
    assert run("-q", "init", "migrations").exit_code == 0
    env_py = project_dir / "migrations" / "env.py"
    env_py.write_text(
        env_py.read_text().replace(
            "target_metadata = None",
            "import sqlalchemy as sa\n\n"
            "target_metadata = sa.MetaData()\n"
            "sa.Table('account', target_metadata, sa.Column('id', sa.Integer, primary_key=True))",
        )
    )
    modules = imported_modules(
        project_dir, "--url", "sqlite:///app.db", "-q", "revision", "--autogenerate", "-m", "a"
    )
    assert {"mighub_autogen.compare", "mighub_autogen.render"} <= modules
    drafted = next(project_dir.glob("migrations/versions/*_a.py")).read_text()
    assert "op.create_table(" in drafted and "op.drop_table('account')" in drafted
    dialects = {m.split(".")[2] for m in modules if m.startswith("sqlalchemy.dialects.")}
    assert dialects - {"sqlite", "_typing"} == set()
