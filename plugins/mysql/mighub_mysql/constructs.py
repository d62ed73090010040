"""MariaDB and MySQL forms of mighub's ALTER constructs, and the constructs only they need.

Importing this module registers the forms with SQLAlchemy's compiler
extension for the ``mysql`` and ``mariadb`` dialects; the plugin's dialect
implementation imports it, and an application that uses the constructs on a
plain connection imports it itself::

    import mighub_mysql.constructs  # noqa: F401  (registers the MariaDB/MySQL forms)
    from mighub.ddl.constructs import ColumnType

    conn.execute(ColumnType("account", "name", sa.String(99), existing_nullable=False))
    # ALTER TABLE account MODIFY name VARCHAR(99) NOT NULL

Only mighub's own elements get forms here: SQLAlchemy's (``DropConstraint``,
``CreateIndex``...) keep SQLAlchemy's MySQL SQL for everyone who imports this.

These servers change a column's type, nullability, comment or
``AUTO_INCREMENT`` only by restating the whole column (``MODIFY``, or
``CHANGE`` when it is renamed too). What the statement does not restate is
lost: a ``MODIFY`` that leaves out ``NOT NULL``, the default or the comment
drops them. So the elements that change one attribute build the rest from
their ``existing_*`` values, and raise :class:`~sqlalchemy.exc.CompileError`
when the type is not among them rather than guess it.

MariaDB and MySQL differ in a few forms: MariaDB drops a CHECK constraint with
``DROP CONSTRAINT`` and MySQL with ``DROP CHECK``, and only MariaDB has
``IF [NOT] EXISTS`` for columns, indexes and constraints. The dialect's
``is_mariadb`` decides: it is true for a ``mariadb://`` URL and, once
connected, for a ``mysql://`` URL that reaches a MariaDB server.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import Column, CreateIndex, MetaData, Table
from sqlalchemy.sql.compiler import DDLCompiler

from mighub.ddl.constructs import (
    AddColumn,
    AlterColumn,
    AlterTable,
    ColumnComment,
    ColumnDefault,
    ColumnName,
    ColumnNullable,
    ColumnType,
    DropColumn,
    RenameTable,
    TableComment,
    alter_column,
    alter_table,
    format_column_name,
    format_comment,
    format_inline_references,
    format_server_default,
    format_table_name,
)

__all__ = [
    "CreateIndexUsing",
    "DropConstraintOfKind",
    "ModifyColumn",
    "column_definition",
    "is_mariadb",
]

CONSTRAINT_KINDS = ("primary", "unique", "foreignkey", "check")

DIALECTS = ("mysql", "mariadb")


def is_mariadb(dialect: Any) -> bool:
    return bool(getattr(dialect, "is_mariadb", False))


def _server(dialect: Any) -> str:
    return "MariaDB" if is_mariadb(dialect) else "MySQL"


def _mariadb_only(compiler: DDLCompiler, what: str) -> None:
    if not is_mariadb(compiler.dialect):
        raise CompileError(
            f"MySQL has no {what} (MariaDB has); check the schema first, or use a "
            f"mariadb:// URL if the server is MariaDB"
        )


# ---------------------------------------------------------------------------
# Constructs of their own
# ---------------------------------------------------------------------------


class ModifyColumn(AlterColumn):
    """``ALTER TABLE t MODIFY c <definition>``, or ``CHANGE c n <definition>`` to rename too.

    The definition is the whole column as ``CREATE TABLE`` would write it:
    ``type_``, ``NOT NULL`` unless ``nullable``, ``server_default`` (what
    ``Column(server_default=...)`` takes; ``None`` for none), ``comment``
    (``None`` for none) and ``AUTO_INCREMENT`` when ``autoincrement``.
    """

    def __init__(
        self,
        table_name: str,
        column_name: str,
        type_: Any,
        *,
        nullable: bool = True,
        server_default: Any = None,
        comment: str | None = None,
        autoincrement: bool = False,
        new_column_name: str | None = None,
        schema: str | None = None,
    ) -> None:
        super().__init__(
            table_name,
            column_name,
            schema=schema,
            existing_type=type_,
            existing_nullable=nullable,
            existing_server_default=server_default,
            existing_comment=comment,
        )
        if self.existing_type is None:
            raise CompileError(
                f"ModifyColumn({table_name!r}, {column_name!r}) needs the column's type"
            )
        self.autoincrement = autoincrement
        self.new_column_name = new_column_name


class DropConstraintOfKind(AlterTable):
    """Drop a named constraint the way MariaDB/MySQL drop its kind.

    ``kind`` is ``"primary"`` (``DROP PRIMARY KEY``), ``"unique"`` (``DROP
    INDEX``: a unique constraint is a unique index), ``"foreignkey"`` (``DROP
    FOREIGN KEY``) or ``"check"`` (``DROP CONSTRAINT`` on MariaDB, ``DROP
    CHECK`` on MySQL). ``if_exists`` works on MariaDB only.
    """

    def __init__(
        self,
        table_name: str,
        constraint_name: str | None,
        kind: str,
        *,
        schema: str | None = None,
        if_exists: bool = False,
    ) -> None:
        super().__init__(table_name, schema=schema)
        if kind not in CONSTRAINT_KINDS:
            raise CompileError(
                f"cannot drop constraint {constraint_name!r} of kind {kind!r}; "
                f"kinds are {', '.join(CONSTRAINT_KINDS)}"
            )
        if kind != "primary" and not constraint_name:
            raise CompileError(f"dropping a {kind} constraint needs its name")
        self.constraint_name = constraint_name
        self.kind = kind
        self.if_exists = if_exists


class CreateIndexUsing(CreateIndex):
    """SQLAlchemy's ``CREATE INDEX``, with ``USING BTREE|HASH|RTREE`` left unquoted.

    SQLAlchemy quotes the index type as an identifier, and ``USING `HASH```
    is a syntax error. A subclass of its own, so SQLAlchemy's element keeps
    its SQL for everyone else.
    """


# ---------------------------------------------------------------------------
# The column definition
# ---------------------------------------------------------------------------


def column_definition(
    compiler: DDLCompiler,
    name: str,
    type_: Any,
    *,
    nullable: bool,
    server_default: Any,
    comment: str | None,
    autoincrement: bool,
) -> str:
    """The column as SQLAlchemy's MySQL/MariaDB compiler writes it inside ``CREATE TABLE``.

    Reusing that compiler keeps its rules: parentheses around expression
    defaults, ``NULL`` spelled out for ``TIMESTAMP``, generated columns, and
    the comment's quoting; ``NULL`` is spelled out for every nullable column.
    ``AUTO_INCREMENT`` is written only for the
    autoincrement column of a table's primary key, so the throwaway table
    makes the column that when asked.
    """
    column = Column(
        name,
        type_,
        nullable=nullable,
        server_default=server_default,
        comment=comment,
        primary_key=autoincrement,
        autoincrement=autoincrement,
    )
    Table("_mighub_modify", MetaData(), column)
    spec = compiler.get_column_specification(column)
    if nullable and column.computed is None:
        # Say NULL outright: a MODIFY that makes a column nullable should read so.
        type_text = compiler.dialect.type_compiler_instance.process(
            column.type, type_expression=column
        )
        head = f"{compiler.preparer.format_column(column)} {type_text}"
        rest = spec[len(head) :]
        if spec.startswith(head) and not rest.startswith(" NULL"):
            spec = f"{head} NULL{rest}"
    return spec


def _restate(
    compiler: DDLCompiler,
    element: AlterColumn,
    *,
    type_: Any,
    nullable: bool | None,
    server_default: Any,
    comment: str | None,
    autoincrement: bool = False,
    new_column_name: str | None = None,
    what: str,
) -> str:
    if type_ is None:
        raise CompileError(
            f"{_server(compiler.dialect)} changes the {what} of column "
            f"{element.table_name}.{element.column_name} by restating the whole column "
            f"(MODIFY), which needs its type: pass existing_type"
        )
    definition = column_definition(
        compiler,
        new_column_name or element.column_name,
        type_,
        nullable=True if nullable is None else nullable,
        server_default=server_default,
        comment=comment,
        autoincrement=autoincrement,
    )
    if new_column_name is not None and new_column_name != element.column_name:
        old = format_column_name(compiler, element.column_name)
        return f"{alter_table(compiler, element)} CHANGE {old} {definition}"
    return f"{alter_table(compiler, element)} MODIFY {definition}"


@compiles(ModifyColumn, "mysql")
@compiles(ModifyColumn, "mariadb")
def _modify_column(element: ModifyColumn, compiler: DDLCompiler, **kw: Any) -> str:
    return _restate(
        compiler,
        element,
        type_=element.existing_type,
        nullable=element.existing_nullable,
        server_default=element.existing_server_default,
        comment=element.existing_comment,
        autoincrement=element.autoincrement,
        new_column_name=element.new_column_name,
        what="definition",
    )


@compiles(ColumnNullable, "mysql")
@compiles(ColumnNullable, "mariadb")
def _column_nullable(element: ColumnNullable, compiler: DDLCompiler, **kw: Any) -> str:
    return _restate(
        compiler,
        element,
        type_=element.existing_type,
        nullable=element.nullable,
        server_default=element.existing_server_default,
        comment=element.existing_comment,
        what="nullability",
    )


@compiles(ColumnType, "mysql")
@compiles(ColumnType, "mariadb")
def _column_type(element: ColumnType, compiler: DDLCompiler, **kw: Any) -> str:
    if element.using is not None:
        raise CompileError(
            f"{_server(compiler.dialect)} has no USING clause; convert the values of "
            f"{element.table_name}.{element.column_name} with an UPDATE first"
        )
    return _restate(
        compiler,
        element,
        type_=element.type_,
        nullable=element.existing_nullable,
        server_default=element.existing_server_default,
        comment=element.existing_comment,
        what="type",
    )


@compiles(ColumnComment, "mysql")
@compiles(ColumnComment, "mariadb")
def _column_comment(element: ColumnComment, compiler: DDLCompiler, **kw: Any) -> str:
    return _restate(
        compiler,
        element,
        type_=element.existing_type,
        nullable=element.existing_nullable,
        server_default=element.existing_server_default,
        comment=element.comment,
        what="comment",
    )


# ---------------------------------------------------------------------------
# Forms that need no restating
# ---------------------------------------------------------------------------

_LITERAL_DEFAULT = re.compile(
    r"""^\s*(?:'.*'|".*"|[-+]?\d+(?:\.\d+)?|NULL|TRUE|FALSE|\(.*\))\s*$""", re.I | re.S
)


def set_default_value(compiler: DDLCompiler, default: Any) -> str:
    """The value after ``SET DEFAULT``: a literal as it is, any expression in parentheses.

    ``ALTER COLUMN ... SET DEFAULT`` takes a literal or a parenthesised
    expression (MySQL rejects a bare ``CURRENT_TIMESTAMP`` there; MariaDB
    takes both).
    """
    value = format_server_default(compiler, default)
    if re.search(r"\bON\s+UPDATE\b", value, re.I):
        raise CompileError(
            "ALTER COLUMN ... SET DEFAULT cannot carry ON UPDATE; restate the column "
            "with MODIFY (give alter_column the column's type)"
        )
    if _LITERAL_DEFAULT.match(value):
        return value
    return f"({value})"


@compiles(ColumnDefault, "mysql")
@compiles(ColumnDefault, "mariadb")
def _column_default(element: ColumnDefault, compiler: DDLCompiler, **kw: Any) -> str:
    if element.default is None:
        return f"{alter_column(compiler, element)} DROP DEFAULT"
    value = set_default_value(compiler, element.default)
    return f"{alter_column(compiler, element)} SET DEFAULT {value}"


@compiles(ColumnName, "mysql")
@compiles(ColumnName, "mariadb")
def _column_name(element: ColumnName, compiler: DDLCompiler, **kw: Any) -> str:
    """``RENAME COLUMN`` (MariaDB 10.5, MySQL 8.0): no restating, so no type needed."""
    return (
        f"{alter_table(compiler, element)} RENAME COLUMN "
        f"{format_column_name(compiler, element.column_name)} TO "
        f"{format_column_name(compiler, element.new_column_name)}"
    )


@compiles(TableComment, "mysql")
@compiles(TableComment, "mariadb")
def _table_comment(element: TableComment, compiler: DDLCompiler, **kw: Any) -> str:
    """``ALTER TABLE t COMMENT '...'``; an empty comment is how these servers remove one."""
    comment = format_comment(compiler, element.comment if element.comment is not None else "")
    return f"{alter_table(compiler, element)} COMMENT {comment}"


@compiles(AddColumn, "mysql")
@compiles(AddColumn, "mariadb")
def _add_column(element: AddColumn, compiler: DDLCompiler, **kw: Any) -> str:
    text = f"{alter_table(compiler, element)} ADD COLUMN "
    if element.if_not_exists:
        _mariadb_only(compiler, "ADD COLUMN IF NOT EXISTS")
        text += "IF NOT EXISTS "
    text += compiler.get_column_specification(element.column)
    if element.inline_primary_key:
        text += " PRIMARY KEY"
    if element.inline_references:
        text += format_inline_references(compiler, element.column)
    for constraint in element.column.constraints:
        text += " " + compiler.process(constraint)
    return text


@compiles(DropColumn, "mysql")
@compiles(DropColumn, "mariadb")
def _drop_column(element: DropColumn, compiler: DDLCompiler, **kw: Any) -> str:
    text = f"{alter_table(compiler, element)} DROP COLUMN "
    if element.if_exists:
        _mariadb_only(compiler, "DROP COLUMN IF EXISTS")
        text += "IF EXISTS "
    return text + format_column_name(compiler, element.column_name)


@compiles(DropConstraintOfKind, "mysql")
@compiles(DropConstraintOfKind, "mariadb")
def _drop_constraint(element: DropConstraintOfKind, compiler: DDLCompiler, **kw: Any) -> str:
    mariadb = is_mariadb(compiler.dialect)
    if element.if_exists:
        _mariadb_only(compiler, "IF EXISTS for constraints")
    exists = "IF EXISTS " if element.if_exists else ""
    name = (
        compiler.preparer.quote(element.constraint_name)
        if element.constraint_name is not None
        else ""
    )
    if element.kind == "primary":
        # DROP PRIMARY KEY has no IF EXISTS; the primary key is also the index PRIMARY.
        action = "DROP INDEX IF EXISTS `PRIMARY`" if element.if_exists else "DROP PRIMARY KEY"
    elif element.kind == "unique":
        action = f"DROP INDEX {exists}{name}"
    elif element.kind == "foreignkey":
        action = f"DROP FOREIGN KEY {exists}{name}"
    elif mariadb:
        action = f"DROP CONSTRAINT {exists}{name}"
    else:
        action = f"DROP CHECK {name}"
    return f"{alter_table(compiler, element)} {action}"


_INDEX_TYPES = ("BTREE", "HASH", "RTREE")


@compiles(CreateIndexUsing, "mysql")
@compiles(CreateIndexUsing, "mariadb")
def _create_index(element: CreateIndexUsing, compiler: DDLCompiler, **kw: Any) -> str:
    text = compiler.visit_create_index(element, **kw)
    using = element.element.get_dialect_option(
        compiler.dialect, "using", deprecated_fallback="mysql"
    )
    if isinstance(using, str) and using.upper() in _INDEX_TYPES:
        quoted = f" USING {compiler.preparer.quote(using)}"
        if text.endswith(quoted):
            text = f"{text[: -len(quoted)]} USING {using.upper()}"
    return text


@compiles(RenameTable, "mysql")
@compiles(RenameTable, "mariadb")
def _rename_table(element: RenameTable, compiler: Any, **kw: Any) -> str:
    """An unqualified new name would move the table into the connection's current database."""
    new_name = format_table_name(compiler, element.new_table_name, element.schema)
    return f"{alter_table(compiler, element)} RENAME TO {new_name}"
