"""MariaDB for the plugin's tests: a fresh database per test, and operations on it or offline.

The server is the repository's test MariaDB (``$MIGHUB_TEST_MYSQL_URL``,
default ``mysql+pymysql://root@127.0.0.1:3306/test``), reached through the
fixtures in ``tests/_backends.py``: unreachable, the tests skip, unless
``$MIGHUB_REQUIRE_BACKENDS`` names ``mysql``. Offline tests need no server:
they compile for a MySQL dialect (``is_mariadb`` false) and a MariaDB one.
The autogenerate tests compare through ``mighub-autogen`` (:func:`found`) and
build their schemas the way a project would (:func:`build_with_mighub`).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from mighub import op
from mighub.host import PluginHost
from mighub.operations import Operations, use
from mighub.operations.ops import ModifyTableOps
from tests._backends import NAMING_CONVENTION, Namespace


def mysql_host() -> PluginHost:
    """The builtins and this plugin, loaded as its entry point would load it."""
    import mighub_mysql.plugin

    host = PluginHost()
    host.load_builtins()
    host.register(mighub_mysql.plugin, "mysql", source="entry point")
    host.check_healthy()
    return host


def metadata() -> sa.MetaData:
    return sa.MetaData(naming_convention=NAMING_CONVENTION)


def found(connection: sa.Connection, metadata: sa.MetaData) -> list[Any]:
    """What autogenerate finds, through its real comparison with every installed plugin;
    each table's operations in line with the others."""
    from mighub_autogen import produce_migrations

    flat: list[Any] = []
    for item in produce_migrations(connection, metadata).upgrade_ops.ops:
        flat.extend(item.ops if isinstance(item, ModifyTableOps) else [item])
    return flat


def build_with_mighub(connection: sa.Connection, metadata: sa.MetaData) -> None:
    """Autogenerate from the database and run what it wrote through this plugin, as a
    project whose env.py gives ``metadata`` as the target would."""
    from mighub_autogen import produce_migrations

    host = mysql_host()
    impl = host.dialects.get(connection.dialect.name)(connection.dialect, connection)
    with use(Operations(impl, registry=host.operations, target_metadata=metadata)):
        for operation in produce_migrations(connection, metadata).upgrade_ops.ops:
            op.invoke(operation)


@pytest.fixture
def namespace(tmp_path: Path) -> Iterator[Namespace]:
    ns = Namespace("mysql", tmp_path)
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
def ops(connection: sa.Connection) -> Iterator[Operations]:
    """``op`` on the test's MariaDB database, through this plugin's implementation."""
    host = mysql_host()
    impl = host.dialects.get(connection.dialect.name)(connection.dialect, connection)
    operations = Operations(impl, registry=host.operations, target_metadata=metadata())
    with use(operations):
        yield operations


class Offline:
    """``op`` writing SQL for one dialect; ``sql()`` returns the statements written so far."""

    def __init__(self, url: str) -> None:
        host = mysql_host()
        self.dialect = sa.make_url(url).get_dialect()(paramstyle="named")
        self.buffer = io.StringIO()
        impl = host.dialects.get(self.dialect.name)(self.dialect, as_sql=True, output=self.buffer)
        self.operations = Operations(impl, registry=host.operations, target_metadata=metadata())

    def sql(self) -> list[str]:
        """The statements, without terminators, and forget them."""
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return [s.strip().removesuffix(";") for s in text.split(";\n\n") if s.strip()]


@pytest.fixture(params=["mysql", "mariadb"])
def offline(request: pytest.FixtureRequest) -> Iterator[Offline]:
    """Operations that write SQL for MySQL (``mysql://``) and MariaDB (``mariadb://``)."""
    out = Offline(f"{request.param}+pymysql://")
    with use(out.operations):
        yield out


@pytest.fixture
def mysql_offline() -> Offline:
    """SQL for MySQL; the test makes it current with ``with use(mysql_offline.operations)``."""
    return Offline("mysql+pymysql://")


@pytest.fixture
def mariadb_offline() -> Offline:
    """SQL for MariaDB; the test makes it current with ``with use(mariadb_offline.operations)``."""
    return Offline("mariadb+pymysql://")
