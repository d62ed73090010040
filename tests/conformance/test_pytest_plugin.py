"""The conformance suite's pytest plugin is found through mighub's ``pytest11`` entry point."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TARGET = """\
import pytest

from mighub.testing import DialectTarget, sqlite_databases


@pytest.fixture(scope="session")
def mighub_target():
    return DialectTarget("sqlite", "sqlite://", databases=sqlite_databases(), features=frozenset())
"""

USES_FIXTURES = """\
def test_a_database_of_its_own(mighub_database, mighub_project):
    mighub_database.execute("CREATE TABLE t (x INTEGER)")
    assert list(mighub_database.snapshot()) == ["t"]
    assert (mighub_project.root / "mighub.toml").is_file()
"""


def pytest_in(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(directory)],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
    )


def test_fixtures_come_from_the_entry_point(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(TARGET)
    (tmp_path / "test_author.py").write_text(USES_FIXTURES)
    result = pytest_in(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_without_a_target_the_suite_says_what_to_define(tmp_path: Path) -> None:
    (tmp_path / "test_author.py").write_text(USES_FIXTURES)
    result = pytest_in(tmp_path)
    assert result.returncode == 1
    assert (
        "the mighub conformance suite needs a 'mighub_target' fixture returning a "
        "mighub.testing.DialectTarget; define it in your conftest.py (see mighub.testing)"
    ) in result.stdout
