"""T-SQL for the ALTER constructs, and the SQL Server statements the kernel has no construct for.

Importing this module registers the SQL Server forms of the kernel's
constructs (:mod:`mighub.ddl.constructs`) with SQLAlchemy's compiler, so they
also work on a plain SQLAlchemy connection to SQL Server::

    from mighub.ddl.constructs import ColumnName
    import mighub_mssql.constructs  # noqa: F401  (registers the T-SQL forms)

    conn.execute(ColumnName("account", "name", "full_name"))
    # EXEC sp_rename N'account.name', N'full_name', 'COLUMN'

SQL Server names the constraints it creates for a column (a default, a
check, a foreign key) by itself, so a migration rarely knows their names.
The statements here that remove them look the names up in the catalog
(``sys.default_constraints``...) and drop them with dynamic T-SQL, in one
batch: ``DECLARE`` a variable, fill it with ``SELECT``, run it with
``sp_executesql``. Variables live for one batch, so each such statement
declares its own; ``number`` suffixes their names, which keeps them apart
when a script has no batch separator and so runs as a single batch.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import Column, CreateIndex, CreateTable, ExecutableDDLElement
from sqlalchemy.sql.compiler import DDLCompiler

from mighub.ddl.constructs import (
    AddColumn,
    AlterTable,
    ColumnComment,
    ColumnDefault,
    ColumnName,
    ColumnNullable,
    ColumnType,
    RenameTable,
    TableComment,
    alter_column,
    alter_table,
    format_column_name,
    format_inline_references,
    format_server_default,
    format_table_name,
    format_type,
)

__all__ = [
    "AlterColumnKeepingDefault",
    "Comment",
    "ConstraintKind",
    "DropColumnConstraints",
    "IdentityInsert",
    "IfMissing",
    "nstring",
]

ConstraintKind = Literal["default", "check", "foreign_key"]

# Where the constraints bound to one column are listed: (catalog rows, name, table id, column id).
_CATALOG: dict[str, tuple[str, str, str, str]] = {
    "default": ("sys.default_constraints", "name", "parent_object_id", "parent_column_id"),
    "check": ("sys.check_constraints", "name", "parent_object_id", "parent_column_id"),
    "foreign_key": (
        "sys.foreign_keys AS fk\n"
        "JOIN sys.foreign_key_columns AS fkc ON fkc.constraint_object_id = fk.object_id",
        "fk.name",
        "fkc.parent_object_id",
        "fkc.parent_column_id",
    ),
}


def nstring(value: str) -> str:
    """``value`` as a T-SQL Unicode string literal: ``N'...'`` with quotes doubled."""
    return "N'" + value.replace("'", "''") + "'"


def variable(name: str, number: int | None) -> str:
    """A T-SQL variable name, ``@mighub_<name>[_<number>]``."""
    return f"@mighub_{name}" if number is None else f"@mighub_{name}_{number}"


# ---------------------------------------------------------------------------
# Constructs of this plugin
# ---------------------------------------------------------------------------


class DropColumnConstraints(AlterTable):
    """Drop every constraint of one ``kind`` bound to a column, whatever SQL Server named it.

    ``kind`` is ``"default"`` (at most one), ``"check"`` (column-level checks)
    or ``"foreign_key"`` (the foreign keys the column takes part in). Finding
    none is not an error.
    """

    def __init__(
        self,
        table_name: str,
        column_name: str,
        kind: ConstraintKind,
        *,
        schema: str | None = None,
        number: int | None = None,
    ) -> None:
        super().__init__(table_name, schema=schema)
        if kind not in _CATALOG:
            raise ValueError(f"kind must be one of {', '.join(_CATALOG)}, not {kind!r}")
        self.column_name = column_name
        self.kind = kind
        self.number = number


class AlterColumnKeepingDefault(AlterTable):
    """``ALTER COLUMN`` to a new type, keeping the column's default constraint.

    SQL Server refuses to change the type of a column that a default
    constraint is bound to. This statement reads the constraint's name and
    definition from ``sys.default_constraints``, drops it, changes the type,
    and creates it again under the same name, all in one batch (and, within
    a migration, in its transaction). A default that cannot convert to the
    new type fails there, loudly. A column without a default just changes
    type.
    """

    def __init__(
        self,
        table_name: str,
        column_name: str,
        type_: Any,
        nullable: bool,
        *,
        schema: str | None = None,
        number: int | None = None,
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.column_name = column_name
        self.type_ = type_() if isinstance(type_, type) else type_
        self.nullable = nullable
        self.number = number


class Comment(ExecutableDDLElement):
    """A table's or a column's comment, stored as the extended property ``MS_Description``.

    ``existing`` says what is known of the current comment: ``"none"``
    (``sp_addextendedproperty``), ``"some"`` (``sp_updateextendedproperty``)
    or ``"unknown"``: the statement then asks ``fn_listextendedproperty`` and
    calls whichever of the two fits. ``comment=None`` drops the comment
    (``sp_dropextendedproperty``). Without a schema the property is set in
    the connection's default schema, ``SCHEMA_NAME()``, the same one an
    unqualified table name refers to.
    """

    def __init__(
        self,
        table_name: str,
        column_name: str | None,
        comment: str | None,
        *,
        schema: str | None = None,
        existing: Literal["none", "some", "unknown"] = "unknown",
        number: int | None = None,
    ) -> None:
        self.table_name = table_name
        self.column_name = column_name
        self.comment = comment
        self.schema = schema
        self.existing = existing
        self.number = number


class IfMissing(ExecutableDDLElement):
    """``IF <the table or index is missing> CREATE ...``: T-SQL's form of ``IF NOT EXISTS``.

    Wraps SQLAlchemy's ``CreateTable`` or ``CreateIndex``; SQL Server has no
    ``CREATE TABLE IF NOT EXISTS`` nor ``CREATE INDEX IF NOT EXISTS``.
    """

    def __init__(self, create: CreateTable | CreateIndex) -> None:
        if isinstance(create, CreateTable):
            self.create: CreateTable | CreateIndex = CreateTable(create.element)
        else:
            self.create = CreateIndex(create.element)


class IdentityInsert(ExecutableDDLElement):
    """``SET IDENTITY_INSERT <table> ON|OFF``: allow explicit values in an identity column."""

    def __init__(self, table: Any, enabled: bool) -> None:
        self.table = table
        self.enabled = enabled


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _object_name(compiler: DDLCompiler, table_name: str, schema: str | None) -> str:
    """The table as ``OBJECT_ID()`` and ``sp_rename`` read it: a quoted name in a string."""
    return nstring(format_table_name(compiler, table_name, schema))


def _column_clause(compiler: DDLCompiler, element: Any, type_: Any, nullable: bool) -> str:
    null = "NULL" if nullable else "NOT NULL"
    return f"{alter_column(compiler, element)} {format_type(compiler, type_)} {null}"


def _bound_to_column(compiler: DDLCompiler, element: Any, table_id: str, column_id: str) -> str:
    """The WHERE clause that picks the catalog rows of one column of one table."""
    table = _object_name(compiler, element.table_name, element.schema)
    return (
        f"WHERE {table_id} = OBJECT_ID({table})\n"
        f"AND COL_NAME({table_id}, {column_id}) = {nstring(element.column_name)}"
    )


def _needs(what: str, argument: str, element: Any) -> CompileError:
    return CompileError(
        f"SQL Server's ALTER COLUMN restates the column's type and nullability: "
        f"{what} of {element.table_name}.{element.column_name} needs {argument}"
    )


# ---------------------------------------------------------------------------
# The plugin's constructs in T-SQL
# ---------------------------------------------------------------------------


@compiles(DropColumnConstraints, "mssql")
def _drop_column_constraints(
    element: DropColumnConstraints, compiler: DDLCompiler, **kw: Any
) -> str:
    source, name, table_id, column_id = _CATALOG[element.kind]
    sql = variable("drop", element.number)
    drop = nstring(f"{alter_table(compiler, element)} DROP CONSTRAINT ")
    return (
        f"DECLARE {sql} NVARCHAR(MAX) = N'';\n"
        f"SELECT {sql} = {sql} + {drop} + QUOTENAME({name}) + N'; '\n"
        f"FROM {source}\n"
        f"{_bound_to_column(compiler, element, table_id, column_id)};\n"
        f"EXEC sp_executesql {sql}"
    )


@compiles(AlterColumnKeepingDefault, "mssql")
def _alter_column_keeping_default(
    element: AlterColumnKeepingDefault, compiler: DDLCompiler, **kw: Any
) -> str:
    drop, restore = variable("drop", element.number), variable("restore", element.number)
    table = alter_table(compiler, element)
    column = format_column_name(compiler, element.column_name)
    return (
        f"DECLARE {drop} NVARCHAR(MAX) = N'', {restore} NVARCHAR(MAX) = N'';\n"
        f"SELECT {drop} = {nstring(f'{table} DROP CONSTRAINT ')} + QUOTENAME(name),\n"
        f"{restore} = {nstring(f'{table} ADD CONSTRAINT ')} + QUOTENAME(name)"
        f" + N' DEFAULT ' + definition + {nstring(f' FOR {column}')}\n"
        f"FROM sys.default_constraints\n"
        f"{_bound_to_column(compiler, element, 'parent_object_id', 'parent_column_id')};\n"
        f"EXEC sp_executesql {drop};\n"
        f"{_column_clause(compiler, element, element.type_, element.nullable)};\n"
        f"EXEC sp_executesql {restore}"
    )


@compiles(Comment, "mssql")
def _comment(element: Comment, compiler: DDLCompiler, **kw: Any) -> str:
    declare: list[str] = []
    if element.schema is not None:
        schema = nstring(element.schema)
    else:
        schema = variable("schema", element.number)
        declare.append(f"{schema} sysname = SCHEMA_NAME()")
    levels = [("SCHEMA", schema), ("TABLE", nstring(element.table_name))]
    if element.column_name is not None:
        levels.append(("COLUMN", nstring(element.column_name)))
    level_args = ", ".join(
        f"@level{i}type = N'{kind}', @level{i}name = {name}"
        for i, (kind, name) in enumerate(levels)
    )
    if element.comment is None:
        call = f"EXEC sp_dropextendedproperty @name = N'MS_Description', {level_args}"
        lookup = ""
    else:
        value = f"@value = {nstring(element.comment)}"
        args = f"@name = N'MS_Description', {value}, {level_args}"
        if element.existing == "unknown":
            procedure = variable("procedure", element.number)
            declare.insert(0, f"{procedure} sysname = N'sp_addextendedproperty'")
            listed = [f"N'{kind}', {name}" for kind, name in levels]
            listed += ["NULL, NULL"] * (3 - len(levels))
            lookup = (
                f"SELECT {procedure} = N'sp_updateextendedproperty'\n"
                f"FROM fn_listextendedproperty(N'MS_Description', {', '.join(listed)});\n"
            )
            call = f"EXEC {procedure} {args}"
        else:
            verb = "update" if element.existing == "some" else "add"
            call = f"EXEC sp_{verb}extendedproperty {args}"
            lookup = ""
    head = f"DECLARE {', '.join(declare)};\n" if declare else ""
    return head + lookup + call


@compiles(IfMissing, "mssql")
def _if_missing(element: IfMissing, compiler: DDLCompiler, **kw: Any) -> str:
    create = element.create
    if isinstance(create, CreateTable):
        table = create.element
        name = _object_name(compiler, table.name, table.schema)
        condition = f"OBJECT_ID({name}, N'U') IS NULL"
    else:
        index, table = create.element, create.element.table
        name = _object_name(compiler, table.name, table.schema)
        condition = (
            f"NOT EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID({name}) "
            f"AND name = {nstring(str(index.name))})"
        )
    statement = compiler.process(create, **kw).strip()
    # The layout offline scripts give CREATE TABLE: one column a line, four spaces.
    statement = statement.replace(", \n\t", ",\n    ").replace("(\n\t", "(\n    ")
    return f"IF {condition}\n{statement}"


@compiles(IdentityInsert, "mssql")
def _identity_insert(element: IdentityInsert, compiler: DDLCompiler, **kw: Any) -> str:
    table = compiler.preparer.format_table(element.table)
    return f"SET IDENTITY_INSERT {table} {'ON' if element.enabled else 'OFF'}"


# ---------------------------------------------------------------------------
# The kernel's constructs in T-SQL
# ---------------------------------------------------------------------------


@compiles(RenameTable, "mssql")
def _rename_table(element: RenameTable, compiler: DDLCompiler, **kw: Any) -> str:
    """The new name is a bare name, not an identifier: quoting would become part of it."""
    old = _object_name(compiler, element.table_name, element.schema)
    return f"EXEC sp_rename {old}, {nstring(element.new_table_name)}"


@compiles(ColumnName, "mssql")
def _rename_column(element: ColumnName, compiler: DDLCompiler, **kw: Any) -> str:
    table = format_table_name(compiler, element.table_name, element.schema)
    old = nstring(f"{table}.{format_column_name(compiler, element.column_name)}")
    return f"EXEC sp_rename {old}, {nstring(element.new_column_name)}, 'COLUMN'"


@compiles(AddColumn, "mssql")
def _add_column(element: AddColumn, compiler: DDLCompiler, **kw: Any) -> str:
    """``ADD <column>``: T-SQL has neither ``ADD COLUMN`` nor ``IF NOT EXISTS`` (``COL_LENGTH``)."""
    column: Column[Any] = element.column
    text = f"{alter_table(compiler, element)} ADD {compiler.get_column_specification(column)}"
    if element.inline_primary_key:
        text += " PRIMARY KEY"
    if element.inline_references:
        text += format_inline_references(compiler, column)
    for constraint in column.constraints:
        text += " " + compiler.process(constraint)
    if element.if_not_exists:
        table = _object_name(compiler, element.table_name, element.schema)
        text = f"IF COL_LENGTH({table}, {nstring(column.name)}) IS NULL {text}"
    return text


@compiles(ColumnNullable, "mssql")
def _column_nullable(element: ColumnNullable, compiler: DDLCompiler, **kw: Any) -> str:
    if element.existing_type is None:
        raise _needs("a nullability change", "existing_type", element)
    return _column_clause(compiler, element, element.existing_type, element.nullable)


@compiles(ColumnType, "mssql")
def _column_type(element: ColumnType, compiler: DDLCompiler, **kw: Any) -> str:
    """Without NULL / NOT NULL, ALTER COLUMN would make a NOT NULL column nullable."""
    if element.existing_nullable is None:
        raise _needs("a type change", "existing_nullable", element)
    return _column_clause(compiler, element, element.type_, element.existing_nullable)


@compiles(ColumnDefault, "mssql")
def _column_default(element: ColumnDefault, compiler: DDLCompiler, **kw: Any) -> str:
    """A new default is a constraint of its own; ``None`` drops the one there is."""
    if element.default is None:
        drop = DropColumnConstraints(
            element.table_name, element.column_name, "default", schema=element.schema
        )
        return _drop_column_constraints(drop, compiler)
    default = format_server_default(compiler, element.default)
    column = format_column_name(compiler, element.column_name)
    return f"{alter_table(compiler, element)} ADD DEFAULT {default} FOR {column}"


@compiles(ColumnComment, "mssql")
def _column_comment(element: ColumnComment, compiler: DDLCompiler, **kw: Any) -> str:
    comment = Comment(
        element.table_name,
        element.column_name,
        element.comment,
        schema=element.schema,
        existing="some" if element.existing_comment is not None else "none",
    )
    return _comment(comment, compiler)


@compiles(TableComment, "mssql")
def _table_comment(element: TableComment, compiler: DDLCompiler, **kw: Any) -> str:
    comment = Comment(
        element.table_name,
        None,
        element.comment,
        schema=element.schema,
        existing="some" if element.existing_comment is not None else "none",
    )
    return _comment(comment, compiler)
