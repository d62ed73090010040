"""Commands that need no database import no SQLAlchemy and no driver (issue 3's promise)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("sqlalchemy", "psycopg", "pymysql", "mako")


def imported_modules(cwd: Path, *args: str) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIGHUB_")}
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
