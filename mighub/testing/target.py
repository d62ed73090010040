"""What a dialect plugin's author tells the conformance suite about the database under test."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mighub.host import PluginHost

FEATURES = frozenset({"alter_column", "constraints", "comments"})
"""What a database may be unable to do in place, so the suite expects a refusal instead:

- ``alter_column``: change a column's type, nullability or server default
  (renaming a column is always expected to work);
- ``constraints``: add or drop a primary key, unique, foreign key or check
  constraint on an existing table;
- ``comments``: table and column comments.

Where a feature is missing, the dialect implementation must refuse the
operation with a :class:`mighub.errors.MighubError` before it changes
anything (SQLite's refusals point to batch mode, for example).
"""

DatabaseFactory = Callable[[Path], AbstractContextManager[str]]
"""Given a test's temporary directory, a context manager yielding the URL of an empty database."""


@dataclass(frozen=True)
class DialectTarget:
    """The database a conformance run tests, as the ``mighub_target`` fixture returns it.

    ``dialect`` is the SQLAlchemy dialect name the plugin registers
    (``engine.dialect.name``). ``offline_url`` is a URL of that dialect for
    offline (``--sql``) scripts; no connection is made with it
    (``"postgresql+psycopg://"``). ``databases`` makes an empty database for
    each test (:func:`sqlite_databases`, :func:`server_databases`, or your
    own); ``None`` runs only the tests that need no database, for a plugin
    whose database cannot run where its tests run. ``features`` is the subset
    of :data:`FEATURES` the database supports. ``check_sql`` is called with
    every statement of the offline scripts the suite writes, to check it with
    a parser of the database's SQL, for example.
    """

    dialect: str
    offline_url: str
    databases: DatabaseFactory | None = None
    features: frozenset[str] = FEATURES
    check_sql: Callable[[str], None] | None = None

    def __post_init__(self) -> None:
        unknown = set(self.features) - FEATURES
        if unknown:
            raise ValueError(
                f"unknown conformance features {sorted(unknown)}; known: {sorted(FEATURES)}"
            )

    def supports(self, feature: str | None) -> bool:
        return feature is None or feature in self.features

    def host(self) -> PluginHost:
        """The plugins a user of this database gets: builtins and installed distributions.

        Raises :class:`mighub.errors.MighubError` when they cannot serve this target: a
        plugin failed to load, none registers the dialect, or SQLAlchemy has no dialect
        for ``offline_url``; most often because the plugin under test is not installed
        where the tests run.
        """
        import sqlalchemy as sa

        from mighub.errors import MighubError
        from mighub.host import PluginHost

        host = PluginHost.for_cli(disabled=(), project_plugins=())
        host.check_healthy()
        install = (
            "the suite tests installed plugins: install yours where pytest runs (pip install -e .)"
        )
        if self.dialect not in host.dialects:
            raise MighubError(
                f"no installed mighub plugin registers the dialect {self.dialect!r} of the "
                f"conformance target (installed: {', '.join(sorted(host.dialects))}); {install}"
            )
        try:
            sa.make_url(self.offline_url).get_dialect()
        except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
            raise MighubError(
                f"SQLAlchemy cannot load the dialect of the conformance target's offline_url "
                f"{self.offline_url!r}: {exc}; {install}"
            ) from exc
        return host


def sqlite_databases() -> DatabaseFactory:
    """An empty SQLite file in each test's temporary directory."""

    @contextlib.contextmanager
    def database(tmp_path: Path) -> Iterator[str]:
        yield f"sqlite:///{tmp_path / 'conformance.db'}"

    return database


def server_databases(
    url: str,
    *,
    drop_sql: str = "DROP DATABASE IF EXISTS {name}",
    required: bool = False,
) -> DatabaseFactory:
    """A database created on the server at ``url`` for each test, and dropped after it.

    ``url`` names a server and a user allowed to ``CREATE DATABASE``. When the
    server cannot be reached, the test is skipped with the reason, or fails
    when ``required``. ``drop_sql`` is how the database is dropped
    (PostgreSQL: ``"DROP DATABASE IF EXISTS {name} WITH (FORCE)"``).
    """

    @contextlib.contextmanager
    def database(tmp_path: Path) -> Iterator[str]:
        import pytest
        import sqlalchemy as sa

        server = sa.make_url(url)
        admin = sa.create_engine(server, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                name = f"mighub_conf_{uuid.uuid4().hex[:12]}"
                conn.exec_driver_sql(f"CREATE DATABASE {name}")
        except sa.exc.DBAPIError as exc:
            admin.dispose()
            reason = (
                f"cannot create a database on {server.render_as_string()}: "
                f"{type(exc.orig).__name__}: {str(exc.orig).strip().splitlines()[0]}"
            )
            if required:
                pytest.fail(reason, pytrace=False)
            pytest.skip(reason)
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(drop_sql.format(name=name))
            admin.dispose()

    return database
