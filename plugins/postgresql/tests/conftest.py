"""Fixtures: a PostgreSQL schema per test, operations online and offline, and whole projects.

They build on the repository's own test fixtures (``tests/_backends.py``,
``tests/runtime/conftest.py``): a test that needs the server and finds none is
skipped with the reason, unless ``$MIGHUB_REQUIRE_BACKENDS`` names
``postgresql``; then it fails.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import mighub_postgresql.plugin
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from mighub.host import PluginHost
from mighub.operations import Operations, use
from tests._backends import NAMING_CONVENTION, Namespace
from tests.runtime.conftest import MigrationProject, fresh_database, make_project


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No MIGHUB_* variable of the developer's shell leaks into a test."""
    for name in list(os.environ):
        keep = name.startswith("MIGHUB_TEST_") or name == "MIGHUB_REQUIRE_BACKENDS"
        if name.startswith("MIGHUB_") and not keep:
            monkeypatch.delenv(name)


def postgresql_host() -> PluginHost:
    """The builtin plugins plus this one: what a PostgreSQL project runs with."""
    host = PluginHost()
    host.load_builtins()
    host.register(mighub_postgresql.plugin, "postgresql", source="entry point")
    host.check_healthy()
    return host


@pytest.fixture
def host() -> PluginHost:
    return postgresql_host()


@pytest.fixture
def namespace(tmp_path: Path) -> Iterator[Namespace]:
    """A fresh schema on the server, first on the engine's ``search_path``."""
    ns = Namespace("postgresql", tmp_path)
    try:
        yield ns
    finally:
        ns.drop()


@pytest.fixture
def connection(namespace: Namespace) -> Iterator[sa.Connection]:
    with namespace.engine.connect() as conn:
        yield conn
        conn.rollback()


@pytest.fixture
def ops(connection: sa.Connection, host: PluginHost) -> Iterator[Operations]:
    """``op`` on the connection, with the plugin's implementation; committed after the test."""
    impl = host.dialects.get("postgresql")(connection.dialect, connection)
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    operations = Operations(impl, registry=host.operations, target_metadata=metadata)
    with use(operations):
        yield operations
    connection.commit()


def offline(fn: Callable[[], object], *, host: PluginHost | None = None) -> str:
    """The SQL ``fn`` writes offline, for PostgreSQL (``named`` paramstyle, as the runtime)."""
    host = host or postgresql_host()
    dialect = postgresql.dialect(paramstyle="named")
    buffer = io.StringIO()
    impl = host.dialects.get("postgresql")(dialect, as_sql=True, output=buffer)
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    operations = Operations(impl, registry=host.operations, target_metadata=metadata)
    with use(operations):
        fn()
    return buffer.getvalue()


def statements(*sql: str) -> str:
    return "".join(f"{s};\n\n" for s in sql)


@pytest.fixture
def project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[MigrationProject]:
    """A project (mighub.toml, migrations/) on a PostgreSQL database made for the test."""
    monkeypatch.chdir(tmp_path)
    database = fresh_database("postgresql", tmp_path)
    url = next(database)
    try:
        yield make_project(tmp_path / "project", url, capsys)
    finally:
        next(database, None)
