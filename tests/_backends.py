"""Real databases for the DDL and operations tests: SQLite files, PostgreSQL, MariaDB.

Each test gets a namespace of its own, so tests never see each other's
tables and clean-up is one statement: a fresh SQLite file, a fresh
PostgreSQL schema (the engine's ``search_path``), or a fresh MariaDB
database (the engine's default database). A server that cannot be reached
skips the test with the reason, unless ``$MIGHUB_REQUIRE_BACKENDS`` names it
(``postgresql``, ``mysql``): then the test fails.

Imported by ``tests/ddl/conftest.py`` and ``tests/operations/conftest.py``,
which re-export the fixtures.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

BACKENDS = ("sqlite", "postgresql", "mysql")

URLS = {
    "postgresql": os.environ.get(
        "MIGHUB_TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    ),
    "mysql": os.environ.get("MIGHUB_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test"),
}

NEEDS_MYSQL_PLUGIN = (
    "needs the mysql plugin: MariaDB/MySQL change columns with MODIFY/CHANGE and "
    "comments with ALTER TABLE ... COMMENT, which the generic DDL does not emit"
)

_unreachable: dict[str, str] = {}


def required_backends() -> set[str]:
    raw = os.environ.get("MIGHUB_REQUIRE_BACKENDS", "")
    return {name.strip() for name in raw.split(",") if name.strip()}


def unique_name(prefix: str = "mh") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def _unavailable(backend: str, reason: str) -> None:
    message = f"{backend} server not available at {URLS[backend]}: {reason}"
    if backend in required_backends():
        pytest.fail(f"{message} (required by MIGHUB_REQUIRE_BACKENDS)", pytrace=False)
    pytest.skip(message)


def admin_engine(backend: str) -> Engine:
    """An engine on the server's own database, for creating and dropping namespaces."""
    if backend in _unreachable:
        _unavailable(backend, _unreachable[backend])
    engine = sa.create_engine(URLS[backend], poolclass=sa.pool.NullPool)
    try:
        with engine.connect():
            pass
    except Exception as exc:  # any driver error means "not there"
        _unreachable[backend] = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
        _unavailable(backend, _unreachable[backend])
    return engine


class Namespace:
    """Where one test's tables live, and how to make another schema next to it."""

    def __init__(self, backend: str, tmp_path: Path) -> None:
        self.backend = backend
        self.tmp_path = tmp_path
        self.name = unique_name()
        self._schemas: list[str] = []
        self._admin: Engine | None = None
        if backend == "sqlite":
            self.engine = sa.create_engine(f"sqlite:///{tmp_path / 'test.db'}")
            return
        self._admin = admin_engine(backend)
        if backend == "postgresql":
            self._create_schema(self.name)
            self.engine = sa.create_engine(
                URLS[backend],
                poolclass=sa.pool.NullPool,
                connect_args={"options": f"-csearch_path={self.name}"},
            )
        else:
            self._create_schema(self.name)
            url = sa.make_url(URLS[backend]).set(database=self.name)
            self.engine = sa.create_engine(url, poolclass=sa.pool.NullPool)

    def _create_schema(self, name: str) -> None:
        assert self._admin is not None
        with self._admin.begin() as conn:
            word = "SCHEMA" if self.backend == "postgresql" else "DATABASE"
            conn.exec_driver_sql(f"CREATE {word} {name}")
        self._schemas.append(name)

    def other_schema(self, connection: Connection) -> str:
        """A second schema (an attached database on SQLite) that the test may use."""
        name = unique_name("mhs")
        if self.backend == "sqlite":
            connection.exec_driver_sql(f"ATTACH DATABASE '{self.tmp_path / name}.db' AS {name}")
        else:
            self._create_schema(name)
        return name

    def drop(self) -> None:
        self.engine.dispose()
        if self._admin is None:
            return
        with self._admin.begin() as conn:
            if self.backend == "mysql":  # a foreign key may cross the databases
                conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0")
            for name in reversed(self._schemas):
                if self.backend == "postgresql":
                    conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")
                else:
                    conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        self._admin.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def namespace(backend: str, tmp_path: Path) -> Iterator[Namespace]:
    ns = Namespace(backend, tmp_path)
    try:
        yield ns
    finally:
        ns.drop()


@pytest.fixture
def engine(namespace: Namespace) -> Engine:
    return namespace.engine


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection whose changes are committed as the test goes (``conn.commit()``)."""
    with engine.connect() as conn:
        yield conn
        conn.rollback()


# ---------------------------------------------------------------------------
# Operations on a connection, or offline for a dialect
# ---------------------------------------------------------------------------

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


DIALECT_PLUGINS = {
    "mysql": ("mysql", "mighub_mysql.plugin"),
    "mariadb": ("mysql", "mighub_mysql.plugin"),
}
"""Dialect -> (plugin name, module) that these tests load: the generic DDL cannot change a
MariaDB column."""


def plugin_host(dialect_name: str | None = None):
    """A fresh host with the builtin plugins, plus the plugin of ``dialect_name`` if listed.

    A listed plugin that is not installed is left out; the tests that need it
    skip with :data:`NEEDS_MYSQL_PLUGIN`.
    """
    import importlib

    from mighub.host import PluginHost

    host = PluginHost()
    host.load_builtins()
    name, module_name = DIALECT_PLUGINS.get(dialect_name or "", (None, None))
    if module_name is not None:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            pass
        else:
            host.register(module, name, source="entry point")
    host.check_healthy()
    return host


def has_mysql_plugin() -> bool:
    import importlib.util

    return importlib.util.find_spec("mighub_mysql") is not None


def impl_class(host, dialect_name: str):
    """The installed implementation for the dialect, else the generic one.

    PostgreSQL gets the generic :class:`DialectImpl` here: these tests are
    about what the kernel does before any dialect plugin. MariaDB gets the
    mysql plugin's, when installed, since it cannot change columns otherwise.
    """
    from mighub.ddl.impl import DialectImpl
    from mighub.errors import PluginError

    try:
        return host.dialects.get(dialect_name)
    except PluginError:
        return DialectImpl


def online_operations(connection: Connection, *, target_metadata=None, host=None):
    from mighub.operations import Operations

    host = host or plugin_host(connection.dialect.name)
    impl = impl_class(host, connection.dialect.name)(connection.dialect, connection)
    return Operations(impl, registry=host.operations, target_metadata=target_metadata)


def offline_operations(dialect_name: str, *, target_metadata=None, host=None, **impl_kw):
    """Operations that write SQL for ``dialect_name`` to a buffer (returned alongside).

    The dialect uses the ``named`` paramstyle, as the runtime's offline mode
    does (``dialect_opts`` in the project templates): with ``format`` or
    ``pyformat`` SQLAlchemy would double every ``%`` of the written SQL.
    """
    import io

    from sqlalchemy.dialects import registry

    from mighub.operations import Operations

    host = host or plugin_host()
    dialect = registry.load(dialect_name)(paramstyle="named")
    buffer = io.StringIO()
    impl = impl_class(host, dialect.name)(dialect, as_sql=True, output=buffer, **impl_kw)
    ops = Operations(impl, registry=host.operations, target_metadata=target_metadata)
    return ops, buffer
