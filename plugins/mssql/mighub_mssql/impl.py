"""How mighub speaks SQL Server.

SQL Server runs DDL inside transactions, so a failed revision leaves
nothing behind. Offline scripts are written for ``sqlcmd`` and SQL Server
Management Studio: ``BEGIN TRANSACTION``, and a batch separator (``GO``)
after every statement. The separator is an option of ``context.configure()``
in env.py: ``mssql_batch_separator="GO"`` by default, ``""`` for none.

What differs from the generic DDL, and why:

- ``ALTER COLUMN`` restates the column's type and nullability, so a
  nullability change needs the type and a type change needs the
  nullability; a missing one is an error naming the argument, never a guess
  (SQL Server would make the column nullable).
- A column's default is a constraint with a name SQL Server chose. It is
  looked up in ``sys.default_constraints`` and dropped before the default
  changes; around a type change it is dropped and created again.
- Renames are ``sp_rename``; comments are the extended property
  ``MS_Description``; ``DROP INDEX`` names its table.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TextIO

from sqlalchemy import Column, Computed, Identity, Index, Table
from sqlalchemy import Sequence as SequenceDefault
from sqlalchemy.schema import (
    CreateIndex,
    CreateTable,
    DropColumnComment,
    DropTableComment,
    SetColumnComment,
    SetTableComment,
)
from sqlalchemy.sql.elements import ClauseElement

from mighub.ddl import constructs
from mighub.ddl.impl import NOT_GIVEN, DialectImpl
from mighub.errors import MighubError
from mighub_mssql.constructs import (
    AlterColumnKeepingDefault,
    Comment,
    ConstraintKind,
    DropColumnConstraints,
    IdentityInsert,
    IfMissing,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Dialect

DROP_COLUMN_OPTIONS: dict[str, ConstraintKind] = {
    "mssql_drop_default": "default",
    "mssql_drop_check": "check",
    "mssql_drop_foreign_key": "foreign_key",
}
"""``op.drop_column()`` options: drop what is bound to the column before the column itself."""


class MSSQLImpl(DialectImpl):
    name = "mssql"
    transactional_ddl = True
    batch_separator: ClassVar[str | None] = "GO"
    begin_statement = "BEGIN TRANSACTION"
    commit_statement = "COMMIT TRANSACTION"

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
        super().__init__(
            dialect,
            connection,
            as_sql=as_sql,
            output=output,
            literal_binds=literal_binds,
            options=options,
        )
        separator = self.options.get("mssql_batch_separator", type(self).batch_separator)
        if separator is not None and (not isinstance(separator, str) or "\n" in separator):
            raise MighubError(
                f"mssql_batch_separator must be one line of text ('' for none), not {separator!r}"
            )
        self.batch_separator = (separator or "").strip() or None  # type: ignore[misc]
        self._numbers = itertools.count(1)
        if as_sql and getattr(dialect, "deprecate_large_types", False) is None:
            # Online, SQLAlchemy decides from the server's version; a script has
            # no server, so write for every supported one (2012 and later):
            # VARCHAR(max), not the deprecated TEXT, as an online run would.
            dialect.deprecate_large_types = True  # type: ignore[attr-defined]

    def _number(self) -> int | None:
        """A suffix for the T-SQL variables of one statement, when they could clash.

        Variables live for one batch. Online every statement is a batch of
        its own, and so is every statement of a script with a separator;
        only a script without one runs as a single batch.
        """
        if self.as_sql and not self.batch_separator:
            return next(self._numbers)
        return None

    # -- execution ---------------------------------------------------------

    def execute(
        self,
        statement: str | Any,
        params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
        *,
        execution_options: Mapping[str, Any] | None = None,
    ) -> Any:
        """Run ``statement``, in T-SQL where SQLAlchemy's mssql DDL falls short.

        Comment statements become :class:`Comment`: SQLAlchemy writes them
        with the dialect's default schema, which an offline dialect does not
        know; ours use the connection's, ``SCHEMA_NAME()``, when the table
        has none. ``CREATE TABLE`` / ``CREATE INDEX`` with ``if_not_exists``
        become :class:`IfMissing`: SQLAlchemy writes ``IF NOT EXISTS``, which
        SQL Server rejects, for a table, and drops it for an index.
        """
        if isinstance(statement, (CreateTable, CreateIndex)) and statement.if_not_exists:
            statement = IfMissing(statement)
        return super().execute(
            self._comment_statement(statement), params, execution_options=execution_options
        )

    def _comment_statement(self, statement: Any) -> Any:
        """Comment elements (SQLAlchemy's, the kernel's) as a numbered :class:`Comment`."""
        if not isinstance(statement, ClauseElement):
            return statement
        existing: Literal["none", "some"] = "none"
        if isinstance(statement, (constructs.ColumnComment, constructs.TableComment)):
            name, schema, comment = statement.table_name, statement.schema, statement.comment
            column_name = getattr(statement, "column_name", None)
            existing = "some" if statement.existing_comment is not None else "none"
        elif isinstance(statement, (SetTableComment, DropTableComment)):
            table, column_name = statement.element, None
            name, schema = table.name, table.schema
            comment = table.comment if isinstance(statement, SetTableComment) else None
        elif isinstance(statement, (SetColumnComment, DropColumnComment)):
            table, column_name = statement.element.table, statement.element.name
            name, schema = table.name, table.schema
            comment = statement.element.comment if isinstance(statement, SetColumnComment) else None
        else:
            return statement
        return Comment(
            name, column_name, comment, schema=schema, existing=existing, number=self._number()
        )

    def migration_lock(
        self,
        *,
        scope: str,
        timeout: float,
        on_wait: Callable[[str], None] | None = None,
    ) -> AbstractContextManager[None] | None:
        from mighub_mssql.lock import application_lock

        assert self.connection is not None
        return application_lock(self.connection, scope=scope, timeout=timeout, on_wait=on_wait)

    # -- tables --------------------------------------------------------------

    def create_table_comment(
        self,
        table_name: str,
        comment: str,
        *,
        schema: str | None = None,
        existing_comment: str | None = None,
    ) -> None:
        self.execute(
            Comment(
                table_name,
                None,
                comment,
                schema=schema,
                existing="some" if existing_comment is not None else "unknown",
                number=self._number(),
            )
        )

    def drop_table_comment(
        self, table_name: str, *, schema: str | None = None, existing_comment: str | None = None
    ) -> None:
        self.execute(Comment(table_name, None, None, schema=schema, number=self._number()))

    # -- columns -------------------------------------------------------------

    def drop_column(
        self,
        table_name: str,
        column_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        """``DROP COLUMN``, after the constraints that ``mssql_drop_*`` options name.

        SQL Server refuses to drop a column that a default, check or foreign
        key constraint is bound to; ``mssql_drop_default=True``,
        ``mssql_drop_check=True`` and ``mssql_drop_foreign_key=True`` find
        those by the column and drop them first.
        """
        unknown = sorted(k for k in kw if k.startswith("mssql_") and k not in DROP_COLUMN_OPTIONS)
        if unknown:
            raise MighubError(
                f"op.drop_column({table_name!r}, {column_name!r}): unknown SQL Server option "
                f"{', '.join(unknown)} (known: {', '.join(DROP_COLUMN_OPTIONS)})"
            )
        for option, kind in DROP_COLUMN_OPTIONS.items():
            if kw.get(option):
                self.execute(
                    DropColumnConstraints(
                        table_name, column_name, kind, schema=schema, number=self._number()
                    )
                )
        super().drop_column(table_name, column_name, schema=schema, if_exists=if_exists)

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
        """Change a column in as few statements as T-SQL allows, checked before any is run.

        In order: the old default is dropped when the default changes; one
        ``ALTER COLUMN <type> NULL|NOT NULL`` carries a type and a
        nullability change together (around a type change alone, the default
        constraint is dropped and created again, since SQL Server will not
        change the type under it); the new default is added as ``ADD DEFAULT
        ... FOR``; then the comment, and ``sp_rename`` last. Options of other
        dialects (``postgresql_using``) are ignored.
        """
        where = f"op.alter_column({table_name!r}, {column_name!r})"
        changes_default = server_default is not NOT_GIVEN
        if isinstance(server_default, (Identity, Computed)):
            kind = "an identity" if isinstance(server_default, Identity) else "a computed"
            raise MighubError(
                f"{where}: SQL Server cannot turn an existing column into {kind} column; "
                f"drop the column and add it again"
            )
        column_type = type_ if type_ is not None else existing_type
        null = nullable if nullable is not None else existing_nullable
        if nullable is not None and column_type is None:
            raise MighubError(
                f"{where}: SQL Server's ALTER COLUMN restates the column's type, so a "
                f"nullability change needs existing_type= (or type_=)"
            )
        if type_ is not None and null is None:
            raise MighubError(
                f"{where}: SQL Server's ALTER COLUMN without NULL or NOT NULL makes the column "
                f"nullable, so a type change needs existing_nullable= (or nullable=)"
            )
        options = {"schema": schema}
        if changes_default:
            self.execute(
                DropColumnConstraints(
                    table_name, column_name, "default", schema=schema, number=self._number()
                )
            )
        if type_ is not None and not changes_default:
            self.execute(
                AlterColumnKeepingDefault(
                    table_name, column_name, type_, bool(null), schema=schema, number=self._number()
                )
            )
        elif type_ is not None:
            self.execute(
                constructs.ColumnType(
                    table_name, column_name, type_, existing_nullable=null, **options
                )
            )
        elif nullable is not None:
            self.execute(
                constructs.ColumnNullable(
                    table_name, column_name, nullable, existing_type=column_type, **options
                )
            )
        if changes_default and server_default is not None:
            self.execute(
                constructs.ColumnDefault(table_name, column_name, server_default, **options)
            )
        if comment is not NOT_GIVEN:
            self.execute(
                Comment(
                    table_name,
                    column_name,
                    comment,
                    schema=schema,
                    existing="some" if existing_comment is not None else "unknown",
                    number=self._number(),
                )
            )
        if new_column_name is not None and new_column_name != column_name:
            self.execute(constructs.ColumnName(table_name, column_name, new_column_name, **options))

    # -- indexes -------------------------------------------------------------

    def create_index(self, index: Index, *, if_not_exists: bool | None = None) -> None:
        """``CREATE INDEX``; ``mssql_include`` may name columns the index's table does not list.

        The table an operation builds knows only the indexed columns, and
        SQLAlchemy looks the included ones up in it, so they are added to it
        as placeholders.
        """
        table = index.table
        if table is not None:
            for name in index.dialect_options["mssql"]["include"] or ():
                if isinstance(name, str) and name not in table.c:
                    table.append_column(Column(name))
        super().create_index(index, if_not_exists=if_not_exists)

    def drop_index(self, index: Index, *, if_exists: bool | None = None) -> None:
        if index.table is None:
            raise MighubError(
                f"drop_index({index.name!r}): SQL Server's DROP INDEX names the table; "
                f"pass table_name="
            )
        super().drop_index(index, if_exists=if_exists)

    # -- data ----------------------------------------------------------------

    def bulk_insert(
        self,
        table: Any,
        rows: Iterable[Mapping[str, Any]],
        *,
        multiinsert: bool = True,
    ) -> None:
        """Insert rows; explicit values for an identity column need ``IDENTITY_INSERT``.

        It is switched on around the inserts when the rows give a value to
        the table's identity column. Online, SQLAlchemy already does so for
        an identity primary key; this covers the other identity columns, and
        every case offline. A lightweight ``sqlalchemy.table()`` does not
        say which column is the identity: use a ``Table`` there.
        """
        rows = [dict(row) for row in rows]
        column = _identity_column(table)
        given = column is not None and any(column.key in row for row in rows)
        driver_handles = not self.as_sql and column is getattr(table, "_autoincrement_column", None)
        if not given or driver_handles:
            super().bulk_insert(table, rows, multiinsert=multiinsert)
            return
        self.execute(IdentityInsert(table, True))
        super().bulk_insert(table, rows, multiinsert=multiinsert)
        self.execute(IdentityInsert(table, False))


def _identity_column(table: Any) -> Column[Any] | None:
    """The column SQL Server makes an IDENTITY, by the rule SQLAlchemy's DDL follows."""
    if not isinstance(table, Table):
        return None
    for column in table.columns:
        if column.identity is not None:
            return column
        sequence = isinstance(column.default, SequenceDefault) and not column.default.optional
        automatic = column is table._autoincrement_column or column.autoincrement is True
        if automatic and not sequence and column.computed is None:
            return column
    return None
