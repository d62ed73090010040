"""One test's database: run operations on it (online, or as an offline script), and look at it.

The suite compares what the database reports (SQLAlchemy's inspector) before
and after each operation, so a plugin is judged by what its SQL did, never by
the SQL's text.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from mighub.host import PluginHost
from mighub.operations import Operation, Operations
from mighub.testing.target import DialectTarget

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MODES = ("online", "offline")
"""``online``: operations run on a connection. ``offline``: they are written as a script for
the target's dialect, and the script is run on the database, as a DBA would."""


def offline_dialect(url: str) -> sa.Dialect:
    """The dialect of ``url`` as offline runs use it (``named`` parameters, as env.py asks)."""
    return sa.make_url(url).get_dialect()(paramstyle="named")


def write_script(
    host: PluginHost,
    target: DialectTarget,
    operations: Iterable[Operation],
    *,
    naming_convention: Mapping[str, str] | None = NAMING_CONVENTION,
) -> str:
    """The offline script of ``operations`` for the target's dialect; constraints without a
    name are named by ``naming_convention`` (``None``: SQLAlchemy's default, as in a project
    whose env.py gives no target metadata)."""
    dialect = offline_dialect(target.offline_url)
    buffer = io.StringIO()
    impl = host.dialects.get(dialect.name)(dialect, as_sql=True, output=buffer)
    metadata = sa.MetaData(naming_convention=naming_convention)
    ops = Operations(impl, registry=host.operations, target_metadata=metadata, host=host)
    for operation in operations:
        ops.invoke(operation)
    return buffer.getvalue()


def script_statements(script: str, target: DialectTarget, host: PluginHost) -> list[str]:
    """The statements of an offline script, without terminators, separators and comments."""
    dialect = offline_dialect(target.offline_url)
    impl_class = host.dialects.get(dialect.name)
    terminator = impl_class.statement_terminator
    statements = []
    for chunk in script.split("\n\n"):
        text = chunk.strip()
        if not text or text == impl_class.batch_separator or text.startswith("--"):
            continue
        statements.append(text.removesuffix(terminator).strip() if terminator else text)
    return statements


class ConformanceDatabase:
    """An empty database made for one test, with the plugins a user of it gets."""

    def __init__(self, url: str, target: DialectTarget, host: PluginHost) -> None:
        self.url = url
        self.target = target
        self.host = host
        self.engine = sa.create_engine(url, poolclass=sa.pool.NullPool)

    def dispose(self) -> None:
        self.engine.dispose()

    # -- running operations ------------------------------------------------------

    def run(self, *operations: Operation, mode: str = "online") -> None:
        """Run ``operations`` online, or write them offline and run the script; commit."""
        if mode == "offline":
            script = write_script(self.host, self.target, operations)
            self.run_script(script)
            return
        with self.engine.connect() as connection:
            impl = self.host.dialects.get(connection.dialect.name)(connection.dialect, connection)
            ops = Operations(
                impl,
                registry=self.host.operations,
                target_metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
                host=self.host,
            )
            for operation in operations:
                ops.invoke(operation)
            connection.commit()

    def run_script(self, script: str) -> None:
        """Run an offline script's statements on the database, in one transaction where DDL
        is transactional, committing at the end."""
        statements = script_statements(script, self.target, self.host)
        with self.engine.connect() as connection:
            for statement in statements:
                if statement.upper() in ("BEGIN", "COMMIT", "BEGIN TRANSACTION"):
                    continue  # the connection manages its transaction
                connection.exec_driver_sql(statement)
            connection.commit()

    # -- looking at the database ------------------------------------------------------

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        with self.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text(sql))]

    def execute(self, *statements: str) -> None:
        with self.engine.begin() as connection:
            for statement in statements:
                connection.execute(sa.text(statement))

    def refuses(self, *statements: str) -> bool:
        """Whether the database rejects one of ``statements``; nothing of them is kept."""
        with self.engine.connect() as connection:
            try:
                for statement in statements:
                    connection.execute(sa.text(statement))
            except sa.exc.DBAPIError:
                return True
            finally:
                connection.rollback()
        return False

    def snapshot(self) -> dict[str, Any]:
        """Every table as the inspector sees it: columns, keys, indexes, constraints, comments."""
        with self.engine.connect() as connection:
            inspector = sa.inspect(connection)
            dialect = connection.dialect
            return {
                table: self._table(inspector, dialect, table)
                for table in sorted(inspector.get_table_names())
            }

    def _table(self, inspector: Any, dialect: sa.Dialect, table: str) -> dict[str, Any]:
        comments = self.target.supports("comments")
        columns = [
            {
                "name": c["name"],
                "type": _type_text(c["type"], dialect),
                "nullable": c["nullable"],
                "default": _default_text(c.get("default")),
                **({"comment": c.get("comment")} if comments else {}),
            }
            for c in inspector.get_columns(table)
        ]
        snapshot = {
            "columns": columns,
            "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
            "foreign_keys": sorted(
                (
                    fk["name"],
                    tuple(fk["constrained_columns"]),
                    fk["referred_table"],
                    tuple(fk["referred_columns"]),
                )
                for fk in inspector.get_foreign_keys(table)
            ),
            "indexes": sorted(
                (ix["name"], tuple(ix["column_names"]), bool(ix["unique"]))
                for ix in inspector.get_indexes(table)
            ),
            "unique_constraints": sorted(
                (uq["name"], tuple(uq["column_names"]))
                for uq in inspector.get_unique_constraints(table)
            ),
            "check_constraints": sorted(
                str(ck["name"]) for ck in inspector.get_check_constraints(table)
            ),
        }
        if comments:
            snapshot["comment"] = inspector.get_table_comment(table)["text"]
        return snapshot


def _type_text(type_: Any, dialect: sa.Dialect) -> str:
    try:
        return str(type_.compile(dialect=dialect))
    except Exception:  # a reflected type the dialect cannot write back
        return repr(type_)


def _default_text(default: Any) -> str | None:
    if default is None:
        return None
    text = str(default).strip()
    while text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    return text.strip("'")
