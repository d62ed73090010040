"""PostgreSQL statements that SQLAlchemy has no element for, as DDL elements.

Enum types (``CREATE TYPE ... AS ENUM``, ``ALTER TYPE ... ADD VALUE``,
``RENAME VALUE``, ``RENAME TO``, ``DROP TYPE``, ``COMMENT ON TYPE``),
``ALTER SEQUENCE``, and the identity and generated-column forms of ``ALTER
COLUMN``. They compile only for PostgreSQL and run on any SQLAlchemy
connection, like the kernel's constructs in :mod:`mighub.ddl.constructs`::

    conn.execute(AddEnumValue("status", "archived", after="closed"))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Identity
from sqlalchemy import types as sqltypes
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import ExecutableDDLElement
from sqlalchemy.sql.compiler import DDLCompiler

from mighub.ddl.constructs import AlterColumn, alter_column, format_comment, format_type

__all__ = [
    "SEQUENCE_OPTIONS",
    "AddEnumValue",
    "AddIdentity",
    "AlterIdentity",
    "AlterSequence",
    "CreateEnum",
    "DropEnum",
    "DropExpression",
    "DropIdentity",
    "EnumTypeComment",
    "RenameEnum",
    "RenameEnumValue",
    "format_type_name",
]

SEQUENCE_OPTIONS = (
    "data_type",
    "increment",
    "minvalue",
    "maxvalue",
    "start",
    "restart",
    "cache",
    "cycle",
    "owned_by",
)
"""What ``ALTER SEQUENCE`` can change, in the order PostgreSQL's grammar lists them."""


def format_type_name(compiler: DDLCompiler, name: str, schema: str | None) -> str:
    """A type's name quoted by PostgreSQL's rules, with its schema when given."""
    quoted = compiler.preparer.quote(name)
    if schema:
        return f"{compiler.preparer.quote_schema(schema)}.{quoted}"
    return quoted


def _literal(compiler: DDLCompiler, value: str) -> str:
    return compiler.sql_compiler.render_literal_value(value, sqltypes.String())


class _TypeElement(ExecutableDDLElement):
    def __init__(self, name: str, *, schema: str | None = None) -> None:
        self.name = name
        self.schema = schema


class CreateEnum(_TypeElement):
    """``CREATE TYPE name AS ENUM ('a', 'b')``."""

    def __init__(self, name: str, values: Sequence[str], *, schema: str | None = None) -> None:
        super().__init__(name, schema=schema)
        self.values = list(values)


class DropEnum(_TypeElement):
    """``DROP TYPE [IF EXISTS] name``."""

    def __init__(self, name: str, *, schema: str | None = None, if_exists: bool = False) -> None:
        super().__init__(name, schema=schema)
        self.if_exists = if_exists


class AddEnumValue(_TypeElement):
    """``ALTER TYPE name ADD VALUE [IF NOT EXISTS] 'v' [BEFORE 'x' | AFTER 'x']``."""

    def __init__(
        self,
        name: str,
        value: str,
        *,
        schema: str | None = None,
        before: str | None = None,
        after: str | None = None,
        if_not_exists: bool = False,
    ) -> None:
        super().__init__(name, schema=schema)
        if before is not None and after is not None:
            raise CompileError(f"a new value of type {name!r} goes BEFORE or AFTER, not both")
        self.value = value
        self.before = before
        self.after = after
        self.if_not_exists = if_not_exists


class RenameEnumValue(_TypeElement):
    """``ALTER TYPE name RENAME VALUE 'old' TO 'new'``."""

    def __init__(
        self, name: str, old_value: str, new_value: str, *, schema: str | None = None
    ) -> None:
        super().__init__(name, schema=schema)
        self.old_value = old_value
        self.new_value = new_value


class RenameEnum(_TypeElement):
    """``ALTER TYPE name RENAME TO new_name``: the type stays in its schema."""

    def __init__(self, name: str, new_name: str, *, schema: str | None = None) -> None:
        super().__init__(name, schema=schema)
        self.new_name = new_name


class EnumTypeComment(_TypeElement):
    """``COMMENT ON TYPE name IS '...'`` (or ``IS NULL``)."""

    def __init__(self, name: str, comment: str | None, *, schema: str | None = None) -> None:
        super().__init__(name, schema=schema)
        self.comment = comment


class AlterSequence(ExecutableDDLElement):
    """``ALTER SEQUENCE name <options>``.

    ``options`` maps names of :data:`SEQUENCE_OPTIONS` to values. ``None``
    means the server's default where one exists (``NO MINVALUE``, ``NO
    CYCLE``, ``OWNED BY NONE``, ``INCREMENT BY 1``, ``CACHE 1``);
    ``restart=True`` restarts at the start value, an integer at that value;
    ``owned_by`` is ``"table.column"`` (or ``"schema.table.column"``).
    """

    def __init__(self, name: str, options: Mapping[str, Any], *, schema: str | None = None) -> None:
        unknown = sorted(set(options) - set(SEQUENCE_OPTIONS))
        if unknown:
            raise CompileError(
                f"ALTER SEQUENCE {name} has no option {', '.join(unknown)} "
                f"(options: {', '.join(SEQUENCE_OPTIONS)})"
            )
        if not options:
            raise CompileError(f"ALTER SEQUENCE {name} needs at least one option to change")
        self.name = name
        self.schema = schema
        self.options = dict(options)
        if isinstance(self.options.get("data_type"), type):  # sa.Integer as well as sa.Integer()
            self.options["data_type"] = self.options["data_type"]()


class AddIdentity(AlterColumn):
    """``ALTER TABLE t ALTER COLUMN c ADD GENERATED {ALWAYS | BY DEFAULT} AS IDENTITY (...)``."""

    def __init__(self, table_name: str, column_name: str, identity: Identity, **kw: Any) -> None:
        super().__init__(table_name, column_name, **kw)
        self.identity = identity


class AlterIdentity(AlterColumn):
    """``ALTER TABLE t ALTER COLUMN c SET GENERATED ... SET INCREMENT BY ...``.

    ``changes`` maps ``always`` and the identity's sequence options
    (``start``, ``increment``, ``minvalue``, ``maxvalue``, ``cycle``,
    ``cache``) to their new values; ``None`` means the default, as for
    :class:`AlterSequence`.
    """

    def __init__(
        self, table_name: str, column_name: str, changes: Mapping[str, Any], **kw: Any
    ) -> None:
        super().__init__(table_name, column_name, **kw)
        self.changes = dict(changes)


class DropIdentity(AlterColumn):
    """``ALTER TABLE t ALTER COLUMN c DROP IDENTITY [IF EXISTS]``: the values stay, plain."""

    def __init__(
        self, table_name: str, column_name: str, *, if_exists: bool = False, **kw: Any
    ) -> None:
        super().__init__(table_name, column_name, **kw)
        self.if_exists = if_exists


class DropExpression(AlterColumn):
    """``ALTER TABLE t ALTER COLUMN c DROP EXPRESSION``: a generated column becomes plain."""


# ---------------------------------------------------------------------------
# PostgreSQL forms (these elements have no generic form: other dialects fail to compile)
# ---------------------------------------------------------------------------


@compiles(CreateEnum, "postgresql")
def _create_enum(element: CreateEnum, compiler: DDLCompiler, **kw: Any) -> str:
    values = ", ".join(_literal(compiler, v) for v in element.values)
    return (
        f"CREATE TYPE {format_type_name(compiler, element.name, element.schema)} AS ENUM ({values})"
    )


@compiles(DropEnum, "postgresql")
def _drop_enum(element: DropEnum, compiler: DDLCompiler, **kw: Any) -> str:
    if_exists = "IF EXISTS " if element.if_exists else ""
    return f"DROP TYPE {if_exists}{format_type_name(compiler, element.name, element.schema)}"


@compiles(AddEnumValue, "postgresql")
def _add_enum_value(element: AddEnumValue, compiler: DDLCompiler, **kw: Any) -> str:
    text = f"ALTER TYPE {format_type_name(compiler, element.name, element.schema)} ADD VALUE "
    if element.if_not_exists:
        text += "IF NOT EXISTS "
    text += _literal(compiler, element.value)
    if element.before is not None:
        text += f" BEFORE {_literal(compiler, element.before)}"
    elif element.after is not None:
        text += f" AFTER {_literal(compiler, element.after)}"
    return text


@compiles(RenameEnumValue, "postgresql")
def _rename_enum_value(element: RenameEnumValue, compiler: DDLCompiler, **kw: Any) -> str:
    return (
        f"ALTER TYPE {format_type_name(compiler, element.name, element.schema)} RENAME VALUE "
        f"{_literal(compiler, element.old_value)} TO {_literal(compiler, element.new_value)}"
    )


@compiles(RenameEnum, "postgresql")
def _rename_enum(element: RenameEnum, compiler: DDLCompiler, **kw: Any) -> str:
    return (
        f"ALTER TYPE {format_type_name(compiler, element.name, element.schema)} "
        f"RENAME TO {compiler.preparer.quote(element.new_name)}"
    )


@compiles(EnumTypeComment, "postgresql")
def _type_comment(element: EnumTypeComment, compiler: DDLCompiler, **kw: Any) -> str:
    return (
        f"COMMENT ON TYPE {format_type_name(compiler, element.name, element.schema)} "
        f"IS {format_comment(compiler, element.comment)}"
    )


def sequence_clauses(
    compiler: DDLCompiler, options: Mapping[str, Any], *, prefix: str
) -> list[str]:
    """The option clauses of ``ALTER SEQUENCE`` (``prefix=""``) or of an identity (``"SET "``)."""
    clauses = []
    for key in SEQUENCE_OPTIONS:
        if key not in options:
            continue
        value = options[key]
        if key == "data_type":
            if prefix:
                raise CompileError("an identity column's type changes with the column's type")
            clauses.append(f"AS {format_type(compiler, value)}")
        elif key == "increment":
            clauses.append(f"{prefix}INCREMENT BY {1 if value is None else int(value)}")
        elif key in ("minvalue", "maxvalue"):
            word = key.upper()
            clauses.append(
                f"{prefix}NO {word}" if value is None else f"{prefix}{word} {int(value)}"
            )
        elif key == "start":
            if value is None:
                raise CompileError("a sequence's start value cannot be reset to 'none'")
            clauses.append(f"{prefix}START WITH {int(value)}")
        elif key == "restart":
            if value is True:
                clauses.append("RESTART")
            elif value not in (None, False):
                clauses.append(f"RESTART WITH {int(value)}")
        elif key == "cache":
            clauses.append(f"{prefix}CACHE {1 if value is None else int(value)}")
        elif key == "cycle":
            clauses.append(f"{prefix}CYCLE" if value else f"{prefix}NO CYCLE")
        elif key == "owned_by":
            if prefix:
                raise CompileError("an identity column's sequence is always owned by its column")
            owner = "NONE" if value is None else _owned_by(compiler, str(value))
            clauses.append(f"OWNED BY {owner}")
    return clauses


def _owned_by(compiler: DDLCompiler, dotted: str) -> str:
    parts = dotted.split(".")
    if len(parts) not in (2, 3):
        raise CompileError(f"owned_by={dotted!r}: expected 'table.column' or 'schema.table.column'")
    return ".".join(compiler.preparer.quote(p) for p in parts)


@compiles(AlterSequence, "postgresql")
def _alter_sequence(element: AlterSequence, compiler: DDLCompiler, **kw: Any) -> str:
    clauses = sequence_clauses(compiler, element.options, prefix="")
    name = format_type_name(compiler, element.name, element.schema)
    return f"ALTER SEQUENCE {name} {' '.join(clauses)}"


@compiles(AddIdentity, "postgresql")
def _add_identity(element: AddIdentity, compiler: DDLCompiler, **kw: Any) -> str:
    identity = element.identity
    when = "ALWAYS" if identity.always else "BY DEFAULT"
    text = f"{alter_column(compiler, element)} ADD GENERATED {when} AS IDENTITY"
    options = compiler.get_identity_options(identity)
    if options:
        text += f" ({options})"
    return text


@compiles(AlterIdentity, "postgresql")
def _alter_identity(element: AlterIdentity, compiler: DDLCompiler, **kw: Any) -> str:
    changes = dict(element.changes)
    clauses = []
    if "always" in changes:
        clauses.append("SET GENERATED " + ("ALWAYS" if changes.pop("always") else "BY DEFAULT"))
    clauses += sequence_clauses(compiler, changes, prefix="SET ")
    if not clauses:
        raise CompileError("an identity change needs at least one attribute to change")
    return f"{alter_column(compiler, element)} {' '.join(clauses)}"


@compiles(DropIdentity, "postgresql")
def _drop_identity(element: DropIdentity, compiler: DDLCompiler, **kw: Any) -> str:
    if_exists = " IF EXISTS" if element.if_exists else ""
    return f"{alter_column(compiler, element)} DROP IDENTITY{if_exists}"


@compiles(DropExpression, "postgresql")
def _drop_expression(element: DropExpression, compiler: DDLCompiler, **kw: Any) -> str:
    return f"{alter_column(compiler, element)} DROP EXPRESSION"
