"""The generic dialect implementation that every dialect plugin subclasses.

A dialect implementation answers the questions that differ between
databases: is DDL transactional, how does an offline script end and separate
statements, and how each operation becomes SQL. Class attributes carry the
simple answers so a plugin for a new database can start with a few lines::

    class DuckDBImpl(DialectImpl):
        name = "duckdb"
        transactional_ddl = True

One instance serves one migration run, in one of two modes:

- online, given a SQLAlchemy ``Connection``: statements are executed on it;
- offline (``as_sql=True``): statements are compiled for the dialect and
  written to ``output``, each followed by :attr:`DialectImpl.statement_terminator`
  and a blank line, then :attr:`DialectImpl.batch_separator` on its own line
  when the dialect has one.

Operations call one method per DDL action (:meth:`DialectImpl.add_column`,
:meth:`DialectImpl.alter_column`, ...). Each builds elements from
:mod:`mighub.ddl.constructs` or SQLAlchemy's own DDL elements and passes them
to :meth:`DialectImpl.execute`, so a plugin can change a dialect's SQL at
either level: override the method, or register a ``@compiles`` form of the
element for its dialect.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, ClassVar, TextIO

from sqlalchemy import insert, literal, text
from sqlalchemy import types as sqltypes
from sqlalchemy.engine.mock import MockConnection
from sqlalchemy.schema import (
    AddConstraint,
    Column,
    Constraint,
    CreateIndex,
    CreateTable,
    DropConstraint,
    DropIndex,
    DropTable,
    ExecutableDDLElement,
    ForeignKeyConstraint,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    SetColumnComment,
    SetTableComment,
    Table,
)
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.elements import ClauseElement, TextClause

from mighub.ddl import constructs
from mighub.errors import MighubError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Dialect

NOT_GIVEN: Any = False
"""Marks ``server_default`` and ``comment`` of :meth:`DialectImpl.alter_column` as unchanged.

``None`` cannot play that part: it means "drop the default" or "drop the comment".
"""


class DialectImpl:
    """Generic behaviour, right for databases that follow the SQL standard."""

    name: ClassVar[str] = "default"
    """The SQLAlchemy dialect name this implementation serves."""

    transactional_ddl: ClassVar[bool] = False
    """Whether DDL runs inside a transaction that a failure rolls back."""

    statement_terminator: ClassVar[str] = ";"
    """What ends each statement in offline (``--sql``) output."""

    batch_separator: ClassVar[str | None] = None
    """A line written after each statement in offline output (``GO`` on SQL Server)."""

    in_autocommit_block: bool = False
    """True while the run is inside ``autocommit_block()``, online and offline.

    Set by the migration context, so an operation that must not run inside a
    transaction (PostgreSQL's ``CREATE INDEX CONCURRENTLY``) can refuse up
    front, even offline, where there is no connection to ask.
    """

    def __init__(
        self,
        dialect: Dialect,
        connection: Connection | None = None,
        *,
        as_sql: bool = False,
        output: TextIO | None = None,
        literal_binds: bool = False,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        if as_sql and connection is not None:
            raise MighubError(
                "a dialect implementation is either online (a connection) or offline "
                "(as_sql=True), not both"
            )
        if not as_sql and connection is None:
            raise MighubError(
                "an online dialect implementation needs a connection; "
                "pass as_sql=True to write SQL instead"
            )
        self.dialect = dialect
        self.connection = connection
        self.as_sql = as_sql
        self.output: TextIO = output if output is not None else sys.stdout
        self.literal_binds = literal_binds
        self.options: dict[str, Any] = dict(options or {})
        self._mock: MockConnection | None = None

    # -- execution ---------------------------------------------------------

    @property
    def bind(self) -> Any:
        """What SQLAlchemy DDL events and ``op.get_bind()`` receive.

        Online, the connection. Offline, a mock connection whose every
        statement is written to the output: that is how DDL that SQLAlchemy
        emits from events (PostgreSQL's ``CREATE TYPE`` for an ``Enum``
        column) reaches an offline script.
        """
        if self.connection is not None:
            return self.connection
        if self._mock is None:
            self._mock = MockConnection(self.dialect, self._execute_from_mock)
        return self._mock

    def _execute_from_mock(self, statement: Any, parameters: Any = None, *a: Any, **k: Any) -> None:
        self.execute(statement, parameters or None)

    def execute(
        self,
        statement: str | Any,
        params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
        *,
        execution_options: Mapping[str, Any] | None = None,
    ) -> Any:
        """Run ``statement`` online, or write it to the output offline.

        A string is taken as SQL through ``text()``, so a literal colon is
        written ``\\:``. Offline, ``params`` are bound into the statement and
        written as literal values (one statement per row for a list), since a
        script for a DBA has nowhere to pass them; other DML keeps its bound
        parameters as placeholders unless the implementation was made with
        ``literal_binds=True``. Returns the ``CursorResult`` online, ``None``
        offline.
        """
        if isinstance(statement, str):
            statement = text(statement)
        if not self.as_sql:
            assert self.connection is not None
            return self.connection.execute(
                statement, params, execution_options=dict(execution_options or {})
            )
        if params is None:
            self._write(statement, literal=self.literal_binds)
        elif isinstance(params, Mapping):
            self._write(_bind(statement, params), literal=True)
        else:
            for row in params:
                self._write(_bind(statement, row), literal=True)
        return None

    def static_output(self, text: str) -> None:
        """Write ``text`` to the offline output as it is, followed by a blank line."""
        self.output.write(text + "\n\n")

    def _write(self, statement: Any, *, literal: bool) -> None:
        if isinstance(statement, ExecutableDDLElement) or not literal:
            compiled = statement.compile(dialect=self.dialect)
        else:
            compiled = statement.compile(
                dialect=self.dialect, compile_kwargs={"literal_binds": True}
            )
        sql = str(compiled).strip()
        if isinstance(statement, CreateTable):
            # SQLAlchemy lays CREATE TABLE out as ", \n\t<column>"; tidy only that
            # layout, never text the user wrote (a literal may hold such spaces).
            sql = sql.replace(", \n\t", ",\n    ").replace("(\n\t", "(\n    ")
        self.static_output(sql + self.statement_terminator)
        if self.batch_separator:
            self.static_output(self.batch_separator)

    # -- the run: transactions and the lock -------------------------------------

    begin_statement: ClassVar[str] = "BEGIN"
    """How an offline script opens a transaction."""

    commit_statement: ClassVar[str] = "COMMIT"
    """How an offline script commits it."""

    def emit_begin(self) -> None:
        """Write the start of a transaction to an offline script."""
        self._write_statement(self.begin_statement)

    def emit_commit(self) -> None:
        """Write the end of a transaction to an offline script."""
        self._write_statement(self.commit_statement)

    def _write_statement(self, sql: str) -> None:
        self.static_output(sql + self.statement_terminator)
        if self.batch_separator:
            self.static_output(self.batch_separator)

    def prepare_connection(self) -> None:
        """Make the driver honour transactions around DDL, before a transactional run.

        Called once, online, when the run's DDL is meant to be transactional.
        Most drivers need nothing; SQLite's does.
        """

    def release_connection(self) -> None:
        """Undo :meth:`prepare_connection` once env.py is done with the connection."""

    def before_commit(self) -> None:
        """Last checks before the run's transaction commits; raising rolls it back."""

    def migration_lock(
        self,
        *,
        scope: str,
        timeout: float,
        on_wait: Callable[[str], None] | None = None,
    ) -> AbstractContextManager[None] | None:
        """The lock that keeps two mighub processes from migrating this database at once.

        ``scope`` names what is being migrated (the version table, qualified
        by its schema), so projects sharing a server do not block each other.
        Wait at most ``timeout`` seconds, calling ``on_wait`` once with a
        message when the lock is taken by someone else. The lock must be
        released by the server or the operating system when its holder dies.
        ``None`` means the dialect has no lock; mighub then warns and runs
        unprotected.
        """
        return None

    # -- tables --------------------------------------------------------------

    def create_table(self, table: Table, *, if_not_exists: bool | None = None) -> None:
        """``CREATE TABLE``, its indexes and, where comments are not inline, its comments.

        The table's ``before_create`` / ``after_create`` events fire, so
        types that need DDL of their own (PostgreSQL's ``ENUM``) are created
        just as ``metadata.create_all()`` would.
        """
        _ensure_referred_tables(table)
        runner = self.ddl_runner()
        table.dispatch.before_create(table, self.bind, checkfirst=False, _ddl_runner=runner)
        self.execute(CreateTable(table, if_not_exists=bool(if_not_exists)))
        if self.dialect.supports_comments and not self.dialect.inline_comments:
            if table.comment is not None:
                self.execute(SetTableComment(table))
            for column in table.columns:
                if column.comment is not None:
                    self.execute(SetColumnComment(column))
        table.dispatch.after_create(table, self.bind, checkfirst=False, _ddl_runner=runner)
        for index in sorted(table.indexes, key=lambda i: i.name or ""):
            self.execute(CreateIndex(index, if_not_exists=bool(if_not_exists)))

    def drop_table(self, table: Table, *, if_exists: bool | None = None) -> None:
        """``DROP TABLE``, with the ``before_drop`` / ``after_drop`` events."""
        runner = self.ddl_runner()
        table.dispatch.before_drop(table, self.bind, checkfirst=False, _ddl_runner=runner)
        self.execute(DropTable(table, if_exists=bool(if_exists)))
        table.dispatch.after_drop(table, self.bind, checkfirst=False, _ddl_runner=runner)

    def ddl_runner(self) -> Any:
        """The memo that SQLAlchemy's table events share during one create or drop.

        Types that create themselves from table events (PostgreSQL's
        ``ENUM``) record their names in ``runner.memo`` and skip a name found
        there; a dialect that manages such types itself pre-fills it.
        """
        return _DDLRunner()

    def create_schema(self, schema: str) -> None:
        """``CREATE SCHEMA IF NOT EXISTS``: used for ``create_version_table_schema``."""
        from sqlalchemy.schema import CreateSchema

        self.execute(CreateSchema(schema, if_not_exists=True))

    def rename_table(
        self, table_name: str, new_table_name: str, *, schema: str | None = None
    ) -> None:
        self.execute(constructs.RenameTable(table_name, new_table_name, schema=schema))

    def create_table_comment(
        self,
        table_name: str,
        comment: str,
        *,
        schema: str | None = None,
        existing_comment: str | None = None,
    ) -> None:
        self.execute(
            constructs.TableComment(
                table_name, comment, schema=schema, existing_comment=existing_comment
            )
        )

    def drop_table_comment(
        self, table_name: str, *, schema: str | None = None, existing_comment: str | None = None
    ) -> None:
        self.execute(
            constructs.TableComment(
                table_name, None, schema=schema, existing_comment=existing_comment
            )
        )

    # -- columns -------------------------------------------------------------

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
        """``ADD COLUMN``, then what the column's definition implies beyond its clause.

        Column-level constraints become statements of their own: each
        foreign key an ``ADD CONSTRAINT`` (unless ``inline_references``),
        ``unique=True`` an ``ADD CONSTRAINT ... UNIQUE``, a CHECK that the type
        brings (``Boolean``, ``Enum``) an ``ADD CONSTRAINT ... CHECK``,
        ``index=True`` a ``CREATE INDEX``, and the comment a ``COMMENT ON
        COLUMN`` where the dialect cannot write it inline. Separate statements
        get names from the naming convention and can be dropped by name later.
        """
        table = column.table if column.table is not None else _placeholder(table_name, schema)
        if column.table is None:
            table.append_column(column)
        _ensure_referred_tables(table)
        self.execute(
            constructs.AddColumn(
                table_name,
                column,
                schema=schema,
                if_not_exists=bool(if_not_exists),
                inline_references=inline_references,
                inline_primary_key=inline_primary_key,
            )
        )
        for constraint in sorted(table.constraints, key=_constraint_order):
            if isinstance(constraint, PrimaryKeyConstraint):
                continue
            if inline_references and isinstance(constraint, ForeignKeyConstraint):
                continue
            if column.name not in {c.name for c in constraint.columns}:
                continue
            self.add_constraint(constraint)
        for index in table.indexes:
            self.create_index(index)
        if (
            column.comment is not None
            and self.dialect.supports_comments
            and not self.dialect.inline_comments
        ):
            self.execute(
                constructs.ColumnComment(table_name, column.name, column.comment, schema=schema)
            )

    def drop_column(
        self,
        table_name: str,
        column_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        """``DROP COLUMN``; ``kw`` carries dialect options (``mssql_drop_default``...)."""
        self.execute(
            constructs.DropColumn(table_name, column_name, schema=schema, if_exists=bool(if_exists))
        )

    def type_conversion(self, options: Mapping[str, Any]) -> Any:
        """How a column's values convert when its type changes (``TYPE ... USING expr``).

        ``options`` are the dialect keywords given to ``op.alter_column``. The
        generic answer is ``None``: the database converts the values itself.
        A dialect with a conversion clause returns the expression from its own
        option (PostgreSQL: ``postgresql_using``).
        """
        return None

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
        schema: str | None = None,
        existing_type: Any = None,
        existing_server_default: Any = None,
        existing_nullable: bool | None = None,
        existing_comment: str | None = None,
        **kw: Any,
    ) -> None:
        """One ``ALTER COLUMN`` statement per attribute that changes.

        The order avoids needless failures: a default that goes away is
        dropped before the type changes (the old default may not convert),
        a new default is set after it (it is written for the new type), and
        the rename comes last so every other statement names the column as
        it was. ``kw`` carries dialect options: a dialect reads the ones it
        owns (see :meth:`type_conversion`) and the rest are ignored, so one
        script can serve several databases.
        """
        using = self.type_conversion(kw) if type_ is not None else None
        existing = {
            "schema": schema,
            "existing_type": type_ if type_ is not None else existing_type,
            "existing_nullable": nullable if nullable is not None else existing_nullable,
            "existing_server_default": (
                server_default if server_default is not NOT_GIVEN else existing_server_default
            ),
            "existing_comment": comment if comment is not NOT_GIVEN else existing_comment,
        }
        if server_default is None:
            self.execute(constructs.ColumnDefault(table_name, column_name, None, **existing))
        if type_ is not None:
            self.execute(
                constructs.ColumnType(table_name, column_name, type_, using=using, **existing)
            )
        if server_default is not NOT_GIVEN and server_default is not None:
            self.execute(
                constructs.ColumnDefault(table_name, column_name, server_default, **existing)
            )
        if nullable is not None:
            self.execute(constructs.ColumnNullable(table_name, column_name, nullable, **existing))
        if comment is not NOT_GIVEN:
            self.execute(constructs.ColumnComment(table_name, column_name, comment, **existing))
        if new_column_name is not None and new_column_name != column_name:
            self.execute(
                constructs.ColumnName(table_name, column_name, new_column_name, **existing)
            )

    # -- indexes and constraints -------------------------------------------

    def create_index(self, index: Index, *, if_not_exists: bool | None = None) -> None:
        self.execute(CreateIndex(index, if_not_exists=bool(if_not_exists)))

    def drop_index(self, index: Index, *, if_exists: bool | None = None) -> None:
        self.execute(DropIndex(index, if_exists=bool(if_exists)))

    def add_constraint(self, constraint: Constraint) -> None:
        """``ALTER TABLE ... ADD CONSTRAINT``; constraints that render nothing are skipped."""
        if _renders_nothing(constraint, self.dialect):
            return
        self.execute(AddConstraint(constraint))

    def drop_constraint(self, constraint: Constraint, *, if_exists: bool | None = None) -> None:
        self.execute(DropConstraint(constraint, if_exists=bool(if_exists)))

    # -- data ----------------------------------------------------------------

    def bulk_insert(
        self,
        table: Any,
        rows: Iterable[Mapping[str, Any]],
        *,
        multiinsert: bool = True,
    ) -> None:
        """Insert ``rows`` (dicts keyed by column name) into ``table``.

        Online, one executemany when ``multiinsert`` and no value is an SQL
        expression (such as :func:`mighub.operations.inline_literal`); one
        statement per row otherwise. Offline, one ``INSERT`` per row with the
        values written as literals, each typed by its column, or by its
        Python value where the column has no type (``sqlalchemy.column("x")``).
        """
        rows = [dict(row) for row in rows]
        if not rows:
            return
        if not self.as_sql:
            has_sql = any(isinstance(v, ClauseElement) for row in rows for v in row.values())
            if multiinsert and not has_sql:
                self.execute(insert(table), rows)
            else:
                for row in rows:
                    self.execute(insert(table).values(row))
            return
        for row in rows:
            values = {key: _literal_for(table, key, value) for key, value in row.items()}
            # inline(): a script has no use for the new row's key, so no RETURNING / OUTPUT.
            self._write(insert(table).inline().values(values), literal=True)


class _DDLRunner:
    """What SQLAlchemy's table events expect as ``_ddl_runner``: a memo of types created.

    PostgreSQL's ``ENUM`` records there that it has been created, so a type
    used by two columns of one table is created once.
    """

    def __init__(self) -> None:
        self.memo: dict[str, Any] = {}


def _placeholder(table_name: str, schema: str | None) -> Table:
    return Table(table_name, MetaData(), schema=schema)


#: ``Table.info`` key marking a table mighub made up so a foreign key can resolve.
STAND_IN = "mighub_stand_in"


def _ensure_referred_tables(table: Table) -> None:
    """Give each foreign key of ``table`` a table to refer to in its ``MetaData``.

    A migration names the referred table by string; SQLAlchemy needs it in the
    same ``MetaData`` to write ``REFERENCES``. A table created earlier in the
    run is found there as it is; otherwise a stand-in with just the referred
    columns is added. A real table that lacks the column (added later by
    ``add_column``) is not changed: a stand-in takes its place in the
    ``MetaData`` instead.
    """
    metadata = table.metadata
    for fk in table.foreign_keys:
        parts = fk.target_fullname.rsplit(".", 2)
        schema = parts[0] if len(parts) == 3 else None
        name, column_name = parts[-2], parts[-1]
        key = f"{schema}.{name}" if schema else name
        referred = metadata.tables.get(key)
        if referred is not None and column_name in referred.c:
            continue
        if referred is not None and referred is not table and not referred.info.get(STAND_IN):
            metadata.remove(referred)
            referred = None
        if referred is None:
            referred = Table(name, metadata, schema=schema, info={STAND_IN: True})
        referred.append_column(Column(column_name, sqltypes.NullType()))


def _constraint_order(constraint: Constraint) -> tuple[int, str]:
    """Uniques and checks before foreign keys, then by name: a stable, readable order."""
    kind = 1 if isinstance(constraint, ForeignKeyConstraint) else 0
    return kind, str(constraint.name or "")


def _renders_nothing(constraint: Constraint, dialect: Dialect) -> bool:
    """Whether the constraint declines this dialect.

    A ``Boolean`` type's CHECK does where booleans are native. ``AddConstraint``
    replaces the rule, so it is asked first.
    """
    rule = getattr(constraint, "_create_rule", None)
    if rule is None:
        return False
    return not rule(SimpleNamespace(dialect=dialect))


def _bind(statement: Any, params: Mapping[str, Any]) -> Any:
    """Put ``params`` into ``statement`` so it compiles with literal values."""
    if isinstance(statement, TextClause):
        return statement.bindparams(**params)
    if isinstance(statement, Insert):
        return statement.values(**params)
    return statement.params(**params)


def _literal_for(table: Any, key: str, value: Any) -> Any:
    if isinstance(value, ClauseElement):
        return value
    column = table.c.get(key) if hasattr(table, "c") else None
    if column is None or isinstance(column.type, sqltypes.NullType):
        return literal(value)
    return literal(value, column.type)
