"""SQLite: transactional DDL, and ALTER limited to what SQLite can do in place.

SQLite's ``ALTER TABLE`` renames tables and columns and adds and drops
columns; nothing else. Anything more (constraints, a column's type,
nullability or default) means recreating the table, which is what batch
mode (``op.batch_alter_table``, from the ``mighub-sqlite-batch`` plugin)
does. Outside batch mode those operations fail before any SQL is emitted,
with an error that says so, rather than emitting SQL that SQLite rejects.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.schema import (
    CheckConstraint,
    Column,
    Constraint,
    ForeignKeyConstraint,
    PrimaryKeyConstraint,
    UniqueConstraint,
)

from mighub.ddl.impl import NOT_GIVEN, DialectImpl
from mighub.errors import MighubError
from mighub.runtime.lock import file_lock

_ADD_OPERATIONS = {
    PrimaryKeyConstraint: ("add a primary key", "create_primary_key"),
    UniqueConstraint: ("add a unique constraint", "create_unique_constraint"),
    ForeignKeyConstraint: ("add a foreign key", "create_foreign_key"),
    CheckConstraint: ("add a check constraint", "create_check_constraint"),
}


def batch_hint(what: str, table_name: str, operation: str) -> MighubError:
    """The error for a change SQLite can only make by recreating the table."""
    return MighubError(
        f"SQLite cannot {what} with ALTER TABLE; run it in batch mode, which recreates "
        f"the table: 'with op.batch_alter_table({table_name!r}) as batch_op: "
        f"batch_op.{operation}(...)' (batch mode comes from the mighub-sqlite-batch "
        f"plugin: pip install mighub-sqlite-batch)"
    )


def _is_type_bound(constraint: Constraint) -> bool:
    """The CHECK a ``Boolean`` or ``Enum`` type brings along, rather than one the user wrote."""
    return bool(getattr(constraint, "_type_bound", False))


class SQLiteImpl(DialectImpl):
    name = "sqlite"
    transactional_ddl = True

    _driver_connection: Any = None
    _saved_isolation_level: Any = None
    _restore_foreign_keys = False

    def prepare_connection(self) -> None:
        """Make DDL transactional: the sqlite3 driver only opens transactions before DML.

        Left alone, pysqlite runs ``CREATE TABLE`` outside any transaction, so a
        failed revision would keep its DDL. Put the driver in autocommit mode
        and emit ``BEGIN`` ourselves whenever SQLAlchemy begins a transaction
        (SQLAlchemy's documented recipe), then undo it in
        :meth:`release_connection`.
        """
        connection = self.connection
        assert connection is not None
        if connection.in_transaction():
            warnings.warn(
                "the SQLite connection was already in a transaction when mighub got it; "
                "its DDL is not transactional (configure the context before using it)",
                stacklevel=2,
            )
            return
        # The DBAPI connection as SQLAlchemy adapts it: synchronous for pysqlite and
        # for aiosqlite alike (the driver object itself is async with aiosqlite).
        driver = connection.connection.dbapi_connection
        if driver is None or not hasattr(driver, "isolation_level"):
            return
        self._driver_connection = driver
        self._saved_isolation_level = driver.isolation_level
        # Foreign key enforcement can only change outside a transaction, and with
        # it on, rebuilding a table (batch mode) would fire other tables' ON DELETE
        # actions. So the run goes without it, and every foreign key is checked
        # before each commit instead: a violation rolls the run back.
        self._restore_foreign_keys = bool(_pragma(driver, "PRAGMA foreign_keys"))
        if self._restore_foreign_keys:
            _pragma(driver, "PRAGMA foreign_keys = OFF")
        driver.isolation_level = None
        event.listen(connection, "begin", _emit_begin)

    def before_commit(self) -> None:
        """With enforcement paused for the run, prove the foreign keys hold before committing."""
        if not self._restore_foreign_keys:
            return
        assert self.connection is not None
        rows = self.connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if rows:
            tables = sorted({f"{row[0]} (rows referring to {row[2]})" for row in rows})
            raise MighubError(
                f"foreign keys do not hold after the migration: {len(rows)} row(s) in "
                f"{', '.join(tables)} refer to rows that do not exist; nothing was committed "
                f"(SQLite's ON DELETE actions do not run during a mighub run, see docs/running.md)"
            )

    def release_connection(self) -> None:
        driver = self._driver_connection
        if driver is None:
            return
        self._driver_connection = None
        if self.connection is not None:
            with contextlib.suppress(Exception):
                event.remove(self.connection, "begin", _emit_begin)
        with contextlib.suppress(Exception):  # a closed connection needs no restoring
            driver.isolation_level = self._saved_isolation_level
            if self._restore_foreign_keys:
                _pragma(driver, "PRAGMA foreign_keys = ON")

    def migration_lock(
        self,
        *,
        scope: str,
        timeout: float,
        on_wait: Callable[[str], None] | None = None,
    ) -> AbstractContextManager[None] | None:
        """A file lock beside the database file, held across connections and processes."""
        assert self.connection is not None
        database = self.connection.engine.url.database
        if not database or database == ":memory:" or database.startswith("file::memory:"):
            return contextlib.nullcontext()  # private to this connection: nothing to race
        path = Path(database.removeprefix("file:").split("?")[0])
        lock_path = path.with_name(f"{path.name}.mighub-lock")
        return file_lock(lock_path, timeout=timeout, on_wait=on_wait)

    def add_column(
        self,
        table_name: str,
        column: Column[Any],
        *,
        schema: str | None = None,
        if_not_exists: bool | None = None,
        inline_references: bool = False,
        inline_primary_key: bool = False,
    ) -> None:
        """A foreign key goes inline as ``REFERENCES``: SQLite cannot add it afterwards."""
        if column.table is not None:
            for constraint in column.table.constraints:
                if column.name not in {c.name for c in constraint.columns}:
                    continue
                if isinstance(constraint, (UniqueConstraint, PrimaryKeyConstraint)):
                    raise batch_hint(
                        f"add column {column.name!r} with a {_kind(constraint)}",
                        table_name,
                        "add_column",
                    )
        super().add_column(
            table_name,
            column,
            schema=schema,
            if_not_exists=if_not_exists,
            inline_references=bool(column.foreign_keys) or inline_references,
            inline_primary_key=inline_primary_key,
        )

    def add_constraint(self, constraint: Constraint) -> None:
        if _is_type_bound(constraint):
            warnings.warn(
                f"SQLite cannot add the CHECK constraint of a {type(constraint).__name__} "
                f"type to an existing table; skipped (batch mode can recreate the table "
                f"with it)",
                stacklevel=2,
            )
            return
        what, operation = next(
            (v for k, v in _ADD_OPERATIONS.items() if isinstance(constraint, k)),
            ("add a constraint", "create_*"),
        )
        raise batch_hint(what, constraint.table.name, operation)

    def drop_constraint(self, constraint: Constraint, *, if_exists: bool | None = None) -> None:
        raise batch_hint("drop a constraint", constraint.table.name, "drop_constraint")

    def alter_column(
        self,
        table_name: str,
        column_name: str,
        *,
        nullable: bool | None = None,
        server_default: Any = NOT_GIVEN,
        type_: Any = None,
        new_column_name: str | None = None,
        comment: str | None = NOT_GIVEN,
        **kw: Any,
    ) -> None:
        """Only a rename happens in place; anything else needs the table recreated."""
        changes = [
            name
            for name, changed in (
                ("nullability", nullable is not None),
                ("default", server_default is not NOT_GIVEN),
                ("type", type_ is not None),
            )
            if changed
        ]
        if changes:
            listed = " and ".join(
                [", ".join(changes[:-1]), changes[-1]] if changes[1:] else changes
            )
            raise batch_hint(
                f"change the {listed} of column {column_name!r}",
                table_name,
                "alter_column",
            )
        if comment is not NOT_GIVEN:
            raise _no_comments(f"op.alter_column({table_name!r}, {column_name!r}, comment=...)")
        super().alter_column(table_name, column_name, new_column_name=new_column_name, **kw)

    def create_schema(self, schema: str) -> None:
        raise MighubError(
            f"SQLite cannot create schema {schema!r}: a SQLite schema is an attached "
            f"database; attach it in env.py ('ATTACH DATABASE ... AS {schema}') and "
            f"leave create_version_table_schema off"
        )

    def create_table_comment(self, table_name: str, comment: str, **kw: Any) -> None:
        raise _no_comments(f"op.create_table_comment({table_name!r}, ...)")

    def drop_table_comment(self, table_name: str, **kw: Any) -> None:
        raise _no_comments(f"op.drop_table_comment({table_name!r})")


def _pragma(dbapi_connection: Any, statement: str) -> Any:
    """Run a PRAGMA on the DBAPI connection (no SQLAlchemy transaction begins)."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(statement)
        row = cursor.fetchone()
        return row[0] if row else None
    finally:
        cursor.close()


def _emit_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def _kind(constraint: Constraint) -> str:
    if isinstance(constraint, PrimaryKeyConstraint):
        return "primary key"
    return "unique constraint"


def _no_comments(call: str) -> MighubError:
    return MighubError(
        f"SQLite does not store comments, so {call} cannot run on it; leave it out for "
        f"SQLite (e.g. 'if op.get_bind().dialect.name != \"sqlite\":')"
    )
