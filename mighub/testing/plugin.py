"""The pytest plugin behind mighub's conformance suite: fixtures, all named ``mighub_*``.

Registered through the ``pytest11`` entry point of the mighub distribution,
so it is active wherever mighub is installed; it only adds fixtures (nothing
runs unless a test asks for one), and imports nothing heavy until then.

- ``mighub_target``: the :class:`mighub.testing.DialectTarget` under test.
  **You define it** (in ``conftest.py`` or the test module); the default
  fails, saying so.
- ``mighub_host``: the plugin host of the run: builtins and the installed
  distributions, as users get them. When they cannot serve the target (most
  often: the plugin under test is not installed where pytest runs), every
  test fails at setup with that reason.
- ``mighub_database``: a :class:`mighub.testing.database.ConformanceDatabase`
  on an empty database made for the test by ``mighub_target.databases``;
  tests that need it are skipped, with the reason, when the target has none.
- ``mighub_project``: a :class:`mighub.testing.project.ConformanceProject`,
  a migration project in the test's directory, driven through the real CLI.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from mighub.host import PluginHost
    from mighub.testing.target import DialectTarget


@pytest.fixture(scope="session")
def mighub_target() -> DialectTarget:
    pytest.fail(
        "the mighub conformance suite needs a 'mighub_target' fixture returning a "
        "mighub.testing.DialectTarget; define it in your conftest.py (see mighub.testing)",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def mighub_host(mighub_target: DialectTarget) -> PluginHost:
    from mighub.errors import MighubError

    try:
        return mighub_target.host()
    except MighubError as exc:
        problem = str(exc)
    pytest.fail(f"mighub conformance suite: {problem}", pytrace=False)


@pytest.fixture
def mighub_database(
    mighub_target: DialectTarget, mighub_host: PluginHost, tmp_path: Path
) -> Iterator[Any]:
    from mighub.testing.database import ConformanceDatabase

    if mighub_target.databases is None:
        pytest.skip(f"{mighub_target.dialect}: the target has no databases (offline tests only)")
    with mighub_target.databases(tmp_path) as url:
        database = ConformanceDatabase(url, mighub_target, mighub_host)
        try:
            yield database
        finally:
            database.dispose()


@pytest.fixture
def mighub_project(
    mighub_target: DialectTarget,
    mighub_host: PluginHost,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Any:
    """A project whose URL is the target's offline URL; online tests point it at a database.

    It asks for ``mighub_host`` only so that a target the installed plugins cannot serve
    fails here, with the reason, rather than inside the CLI."""
    from mighub.testing.project import ConformanceProject

    for name in ("MIGHUB_URL", "MIGHUB_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    root = tmp_path / "project"
    root.mkdir()
    monkeypatch.chdir(root)
    return ConformanceProject.create(root, mighub_target.offline_url)
