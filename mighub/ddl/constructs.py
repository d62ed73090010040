"""ALTER statements as SQLAlchemy DDL elements, usable without the rest of mighub.

SQLAlchemy can create and drop whole tables, indexes and constraints, but it
has no element for changing a table in place. The elements here fill that
gap. They name tables and columns by string (a migration rarely has the
``Table`` object of the schema as it was), execute on any SQLAlchemy
``Connection`` like any other DDL element, and compile per dialect through
:func:`sqlalchemy.ext.compiler.compiles`::

    from sqlalchemy import create_engine
    from mighub.ddl.constructs import RenameTable

    engine = create_engine("postgresql+psycopg://localhost/app")
    with engine.begin() as conn:
        conn.execute(RenameTable("account", "customer", schema="sales"))

The generic forms follow the SQL standard as PostgreSQL implements it.
SQLite's forms are here too; where SQLite has no in-place form the element
raises :class:`sqlalchemy.exc.CompileError` saying so rather than emitting
SQL that would fail on the server. A dialect plugin adds its own forms by
decorating a function with ``@compiles(Element, "dialect_name")``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import types as sqltypes
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import (
    Column,
    Computed,
    DefaultClause,
    ExecutableDDLElement,
    FetchedValue,
    Identity,
    MetaData,
    Table,
)
from sqlalchemy.sql.compiler import DDLCompiler
from sqlalchemy.sql.elements import BindParameter, ClauseElement

__all__ = [
    "AddColumn",
    "AlterColumn",
    "AlterTable",
    "ColumnComment",
    "ColumnDefault",
    "ColumnName",
    "ColumnNullable",
    "ColumnType",
    "DropColumn",
    "RenameTable",
    "TableComment",
    "format_column_name",
    "format_table_name",
    "inline_literal",
]


class AlterTable(ExecutableDDLElement):
    """Base of every element that changes one table, named by string."""

    def __init__(self, table_name: str, *, schema: str | None = None) -> None:
        self.table_name = table_name
        self.schema = schema


class RenameTable(AlterTable):
    """``ALTER TABLE <schema.old> RENAME TO <new>``: the table stays in its schema."""

    def __init__(self, table_name: str, new_table_name: str, *, schema: str | None = None) -> None:
        super().__init__(table_name, schema=schema)
        self.new_table_name = new_table_name


class AddColumn(AlterTable):
    """``ALTER TABLE t ADD COLUMN [IF NOT EXISTS] <column definition>``.

    The definition (type, ``NOT NULL``, server default, computed and identity
    clauses) is what the dialect would write inside ``CREATE TABLE``. The
    column's foreign key is written inline as ``REFERENCES`` only when asked:
    a separate ``ADD CONSTRAINT`` is what gets a name from a naming
    convention, and what every database can drop again by name. A column
    that belongs to no table is attached to a placeholder ``Table`` named
    ``table_name``, because dialects look at the table to decide things such
    as PostgreSQL's ``SERIAL``.
    """

    def __init__(
        self,
        table_name: str,
        column: Column[Any],
        *,
        schema: str | None = None,
        if_not_exists: bool = False,
        inline_references: bool = False,
        inline_primary_key: bool = False,
    ) -> None:
        super().__init__(table_name, schema=schema)
        if column.table is None:
            Table(table_name, MetaData(), column, schema=schema)
        self.column = column
        self.if_not_exists = if_not_exists
        self.inline_references = inline_references
        self.inline_primary_key = inline_primary_key


class DropColumn(AlterTable):
    """``ALTER TABLE t DROP COLUMN [IF EXISTS] c``."""

    def __init__(
        self,
        table_name: str,
        column_name: str,
        *,
        schema: str | None = None,
        if_exists: bool = False,
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.column_name = column_name
        self.if_exists = if_exists


class AlterColumn(AlterTable):
    """Base of the elements that change one attribute of an existing column.

    The ``existing_*`` values describe the column as it is. The generic forms
    do not need them; dialects that restate the whole column in one clause
    (MySQL's ``MODIFY``, SQL Server's ``ALTER COLUMN``) do.
    """

    def __init__(
        self,
        table_name: str,
        column_name: str,
        *,
        schema: str | None = None,
        existing_type: Any = None,
        existing_nullable: bool | None = None,
        existing_server_default: Any = None,
        existing_comment: str | None = None,
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.column_name = column_name
        self.existing_type = _to_type(existing_type)
        self.existing_nullable = existing_nullable
        self.existing_server_default = existing_server_default
        self.existing_comment = existing_comment


class ColumnNullable(AlterColumn):
    """``ALTER TABLE t ALTER COLUMN c SET NOT NULL`` or ``DROP NOT NULL``."""

    def __init__(self, table_name: str, column_name: str, nullable: bool, **kw: Any) -> None:
        super().__init__(table_name, column_name, **kw)
        self.nullable = nullable


class ColumnType(AlterColumn):
    """``ALTER TABLE t ALTER COLUMN c TYPE <type>``.

    ``using`` is an SQL expression (a string is taken as SQL) that converts
    the existing values; the generic form writes it as PostgreSQL's
    ``USING`` clause, the only database among those we know to have one.
    """

    def __init__(
        self,
        table_name: str,
        column_name: str,
        type_: Any,
        *,
        using: Any = None,
        **kw: Any,
    ) -> None:
        super().__init__(table_name, column_name, **kw)
        self.type_ = _to_type(type_)
        self.using = using


class ColumnDefault(AlterColumn):
    """``ALTER TABLE t ALTER COLUMN c SET DEFAULT <x>``, or ``DROP DEFAULT`` for ``None``.

    ``default`` takes what ``Column(server_default=...)`` takes: a string (a
    literal value), ``text()`` (SQL as written) or an SQL expression.
    """

    def __init__(self, table_name: str, column_name: str, default: Any, **kw: Any) -> None:
        super().__init__(table_name, column_name, **kw)
        self.default = default


class ColumnName(AlterColumn):
    """``ALTER TABLE t RENAME COLUMN c TO n``."""

    def __init__(self, table_name: str, column_name: str, new_column_name: str, **kw: Any) -> None:
        super().__init__(table_name, column_name, **kw)
        self.new_column_name = new_column_name


class ColumnComment(AlterColumn):
    """``COMMENT ON COLUMN t.c IS '...'``, or ``IS NULL`` for ``None``."""

    def __init__(self, table_name: str, column_name: str, comment: str | None, **kw: Any) -> None:
        super().__init__(table_name, column_name, **kw)
        self.comment = comment


class TableComment(AlterTable):
    """``COMMENT ON TABLE t IS '...'``, or ``IS NULL`` for ``None``.

    ``existing_comment`` is for dialects whose form needs it; the generic one
    does not.
    """

    def __init__(
        self,
        table_name: str,
        comment: str | None,
        *,
        schema: str | None = None,
        existing_comment: str | None = None,
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.comment = comment
        self.existing_comment = existing_comment


# ---------------------------------------------------------------------------
# Helpers for compile functions (public: dialect plugins use them too)
# ---------------------------------------------------------------------------


def format_table_name(compiler: DDLCompiler, name: str, schema: str | None) -> str:
    """The table name quoted by the dialect's rules, with its schema when given."""
    quoted = compiler.preparer.quote(name)
    if schema:
        return f"{compiler.preparer.quote_schema(schema)}.{quoted}"
    return quoted


def format_column_name(compiler: DDLCompiler, name: str) -> str:
    return compiler.preparer.quote(name)


def alter_table(compiler: DDLCompiler, element: AlterTable) -> str:
    """``ALTER TABLE <name>``, the start of most statements here."""
    return f"ALTER TABLE {format_table_name(compiler, element.table_name, element.schema)}"


def alter_column(compiler: DDLCompiler, element: AlterColumn) -> str:
    """``ALTER TABLE <name> ALTER COLUMN <column>``."""
    column = format_column_name(compiler, element.column_name)
    return f"{alter_table(compiler, element)} ALTER COLUMN {column}"


def format_type(compiler: DDLCompiler, type_: Any) -> str:
    return compiler.dialect.type_compiler_instance.process(type_)


def format_comment(compiler: DDLCompiler, comment: str | None) -> str:
    if comment is None:
        return "NULL"
    return compiler.sql_compiler.render_literal_value(comment, sqltypes.String())


def format_server_default(compiler: DDLCompiler, default: Any) -> str:
    """Render a ``server_default`` value as the dialect writes it after ``DEFAULT``."""
    if isinstance(default, (Computed, Identity)):
        raise CompileError(
            f"cannot change a column into a {type(default).__name__.lower()} column with "
            f"ALTER COLUMN ... SET DEFAULT; drop and re-add the column instead"
        )
    if isinstance(default, FetchedValue) and not isinstance(default, DefaultClause):
        raise CompileError(
            "a FetchedValue says the database sets the value by itself: "
            "there is no default expression to write"
        )
    holder = Column("_default", server_default=default)
    rendered = compiler.get_column_default_string(holder)
    if rendered is None:  # pragma: no cover - every accepted value renders
        raise CompileError(f"cannot render {default!r} as a server default")
    return rendered


def format_inline_references(compiler: DDLCompiler, column: Column[Any]) -> str:
    """`` REFERENCES remote (col) ...`` for a column with exactly one single-column foreign key."""
    fks = list(column.foreign_keys)
    if not fks:
        return ""
    if len(fks) > 1:
        raise CompileError(
            f"column {column.name!r} has {len(fks)} foreign keys; only one can be written "
            f"inline, add the others as constraints"
        )
    fk = fks[0]
    constraint = fk.constraint
    if constraint is not None and len(constraint.elements) > 1:
        raise CompileError(
            f"the foreign key of column {column.name!r} spans several columns; "
            f"add it as a constraint instead of inline"
        )
    parts = fk.target_fullname.rsplit(".", 2)
    remote_schema = parts[0] if len(parts) == 3 else None
    remote_table, remote_column = parts[-2], parts[-1]
    text = (
        f" REFERENCES {format_table_name(compiler, remote_table, remote_schema)} "
        f"({format_column_name(compiler, remote_column)})"
    )
    if constraint is not None:
        text += compiler.define_constraint_match(constraint)
        text += compiler.define_constraint_cascades(constraint)
        text += compiler.define_constraint_deferrability(constraint)
    return text


def _to_type(type_: Any) -> Any:
    """Accept a type class as well as an instance, as ``Column`` does."""
    if isinstance(type_, type):
        return type_()
    return type_


def _unsupported(dialect: str, what: str, instead: str) -> CompileError:
    return CompileError(f"{dialect} cannot {what}; {instead}")


# ---------------------------------------------------------------------------
# Generic forms (the SQL standard as PostgreSQL implements it)
# ---------------------------------------------------------------------------


@compiles(RenameTable)
def _rename_table(element: RenameTable, compiler: DDLCompiler, **kw: Any) -> str:
    new_name = format_table_name(compiler, element.new_table_name, None)
    return f"{alter_table(compiler, element)} RENAME TO {new_name}"


@compiles(AddColumn)
def _add_column(element: AddColumn, compiler: DDLCompiler, **kw: Any) -> str:
    text = f"{alter_table(compiler, element)} ADD COLUMN "
    if element.if_not_exists:
        text += "IF NOT EXISTS "
    text += compiler.get_column_specification(element.column)
    if element.inline_primary_key:
        text += " PRIMARY KEY"
    if element.inline_references:
        text += format_inline_references(compiler, element.column)
    # Constraints given to the Column itself, written as CREATE TABLE writes them.
    for constraint in element.column.constraints:
        text += " " + compiler.process(constraint)
    return text


@compiles(DropColumn)
def _drop_column(element: DropColumn, compiler: DDLCompiler, **kw: Any) -> str:
    text = f"{alter_table(compiler, element)} DROP COLUMN "
    if element.if_exists:
        text += "IF EXISTS "
    return text + format_column_name(compiler, element.column_name)


@compiles(ColumnNullable)
def _column_nullable(element: ColumnNullable, compiler: DDLCompiler, **kw: Any) -> str:
    action = "DROP NOT NULL" if element.nullable else "SET NOT NULL"
    return f"{alter_column(compiler, element)} {action}"


@compiles(ColumnType)
def _column_type(element: ColumnType, compiler: DDLCompiler, **kw: Any) -> str:
    text = f"{alter_column(compiler, element)} TYPE {format_type(compiler, element.type_)}"
    if element.using is not None:
        using = element.using
        if isinstance(using, ClauseElement):
            using = compiler.sql_compiler.process(using, literal_binds=True)
        text += f" USING {using}"
    return text


@compiles(ColumnDefault)
def _column_default(element: ColumnDefault, compiler: DDLCompiler, **kw: Any) -> str:
    if element.default is None:
        return f"{alter_column(compiler, element)} DROP DEFAULT"
    default = format_server_default(compiler, element.default)
    return f"{alter_column(compiler, element)} SET DEFAULT {default}"


@compiles(ColumnName)
def _column_name(element: ColumnName, compiler: DDLCompiler, **kw: Any) -> str:
    return (
        f"{alter_table(compiler, element)} RENAME COLUMN "
        f"{format_column_name(compiler, element.column_name)} TO "
        f"{format_column_name(compiler, element.new_column_name)}"
    )


@compiles(ColumnComment)
def _column_comment(element: ColumnComment, compiler: DDLCompiler, **kw: Any) -> str:
    table = format_table_name(compiler, element.table_name, element.schema)
    column = format_column_name(compiler, element.column_name)
    return f"COMMENT ON COLUMN {table}.{column} IS {format_comment(compiler, element.comment)}"


@compiles(TableComment)
def _table_comment(element: TableComment, compiler: DDLCompiler, **kw: Any) -> str:
    table = format_table_name(compiler, element.table_name, element.schema)
    return f"COMMENT ON TABLE {table} IS {format_comment(compiler, element.comment)}"


# ---------------------------------------------------------------------------
# SQLite: RENAME TO, RENAME COLUMN, ADD COLUMN and DROP COLUMN only
# ---------------------------------------------------------------------------

_SQLITE_BATCH = (
    "recreate the table instead: op.batch_alter_table() does that (pip install mighub-sqlite-batch)"
)


@compiles(AddColumn, "sqlite")
def _sqlite_add_column(element: AddColumn, compiler: DDLCompiler, **kw: Any) -> str:
    if element.if_not_exists:
        raise _unsupported(
            "SQLite", "ADD COLUMN IF NOT EXISTS", "check the table with inspect() first"
        )
    if element.inline_primary_key:
        raise _unsupported("SQLite", "add a PRIMARY KEY column", _SQLITE_BATCH)
    return _add_column(element, compiler, **kw)


@compiles(DropColumn, "sqlite")
def _sqlite_drop_column(element: DropColumn, compiler: DDLCompiler, **kw: Any) -> str:
    if element.if_exists:
        raise _unsupported(
            "SQLite", "DROP COLUMN IF EXISTS", "check the table with inspect() first"
        )
    return _drop_column(element, compiler, **kw)


@compiles(ColumnNullable, "sqlite")
def _sqlite_column_nullable(element: ColumnNullable, compiler: DDLCompiler, **kw: Any) -> str:
    raise _unsupported("SQLite", "change a column's nullability with ALTER TABLE", _SQLITE_BATCH)


@compiles(ColumnType, "sqlite")
def _sqlite_column_type(element: ColumnType, compiler: DDLCompiler, **kw: Any) -> str:
    raise _unsupported("SQLite", "change a column's type with ALTER TABLE", _SQLITE_BATCH)


@compiles(ColumnDefault, "sqlite")
def _sqlite_column_default(element: ColumnDefault, compiler: DDLCompiler, **kw: Any) -> str:
    raise _unsupported("SQLite", "change a column's default with ALTER TABLE", _SQLITE_BATCH)


@compiles(ColumnComment, "sqlite")
def _sqlite_column_comment(element: ColumnComment, compiler: DDLCompiler, **kw: Any) -> str:
    raise _unsupported("SQLite", "store comments", "leave the comment out on SQLite")


@compiles(TableComment, "sqlite")
def _sqlite_table_comment(element: TableComment, compiler: DDLCompiler, **kw: Any) -> str:
    raise _unsupported("SQLite", "store comments", "leave the comment out on SQLite")


# ---------------------------------------------------------------------------
# Values written into the SQL
# ---------------------------------------------------------------------------


class InlineLiteral(BindParameter[Any]):
    """A bound value that every compilation writes as a literal, never as a placeholder.

    Statement caching is off for it: a cached statement would keep the first
    value it was compiled with.
    """

    inherit_cache = False


def inline_literal(value: Any, type_: Any = None) -> InlineLiteral:
    """``value`` as an SQL literal, typed by ``type_`` or else by its Python type.

    For UPDATE, INSERT and WHERE clauses in migrations that also run offline
    (``--sql``), where parameters have no way to reach the database.
    """
    return InlineLiteral(None, value, type_=_to_type(type_), unique=True)


@compiles(InlineLiteral)
def _inline_literal(element: InlineLiteral, compiler: Any, **kw: Any) -> str:
    return compiler.render_literal_bindparam(element, **kw)
