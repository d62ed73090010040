"""The conformance suite's pytest plugin is found through mighub's ``pytest11`` entry point."""

from __future__ import annotations

import re
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


NOT_INSTALLED = """\
import pytest

from mighub.testing import DialectTarget, sqlite_databases


@pytest.fixture(scope="session")
def mighub_target():
    return DialectTarget({dialect!r}, {offline_url!r}, databases=sqlite_databases())
"""


def test_a_plugin_that_is_not_installed_fails_each_test_with_the_reason(tmp_path: Path) -> None:
    """The author ran the suite from a source tree without installing the plugin: one line per
    test says so, instead of a traceback from deep in SQLAlchemy or the CLI."""
    (tmp_path / "conftest.py").write_text(
        NOT_INSTALLED.format(dialect="lite", offline_url="lite://")
    )
    (tmp_path / "test_conformance.py").write_text("from mighub.testing.suite import *  # noqa\n")
    result = pytest_in(tmp_path)
    assert result.returncode == 1
    reason = re.compile(
        r"^mighub conformance suite: no installed mighub plugin registers the dialect 'lite' of "
        r"the conformance target \(installed: [a-z, ]*sqlite[a-z, ]*\); the suite tests "
        r"installed plugins: install yours where pytest runs \(pip install -e \.\)$",
        re.M,
    )
    errors = int(result.stdout.strip().splitlines()[-1].split(" errors in ")[0])
    assert errors > 100 and len(reason.findall(result.stdout)) == errors, result.stdout
    assert "Traceback" not in result.stdout
    assert "During handling" not in result.stdout


def test_an_offline_url_sqlalchemy_cannot_load_is_named(tmp_path: Path) -> None:
    target = NOT_INSTALLED.format(dialect="sqlite", offline_url="nosuchdb://")
    (tmp_path / "conftest.py").write_text(target)
    (tmp_path / "test_author.py").write_text(USES_FIXTURES)
    result = pytest_in(tmp_path)
    assert result.returncode == 1
    assert (
        "mighub conformance suite: SQLAlchemy cannot load the dialect of the conformance "
        "target's offline_url 'nosuchdb://': Can't load plugin: sqlalchemy.dialects:nosuchdb; "
        "the suite tests installed plugins: install yours where pytest runs (pip install -e .)"
    ) in result.stdout
