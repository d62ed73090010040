"""Autogenerate on SQL Server: what counts as "the same" between a model and the database.

SQL Server reports a column differently from how a model declares it,
without any real difference:

- it stores a default as it normalised it: ``server_default="0"`` comes back
  as ``('0')``, ``text("0")`` as ``((0))``, ``func.current_timestamp()`` as
  ``(getdate())``, ``CONVERT(bit, 0)`` as ``(CONVERT([bit],(0)))``;
- a model's ``String`` is ``VARCHAR``, while the database may hold
  ``NVARCHAR`` of the same length (and ``CHAR`` / ``NCHAR``; ``NUMERIC`` is
  ``DECIMAL``), and reflected strings carry the database's collation;
- an integer primary key that SQLAlchemy creates as ``IDENTITY(1,1)`` is
  reflected with an explicit ``Identity``, and SQL Server's identities have
  only a seed and an increment.

The functions here decide those questions and nothing else; they are pure
(no database, no autogenerate context), so they can be tested and reused on
their own. :mod:`mighub_mssql.spelling` registers them on ``mighub-autogen``'s
API; :func:`compare_column` applies them to a pair of SQLAlchemy columns
for callers outside autogenerate.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from sqlalchemy import Column, Identity
from sqlalchemy.schema import DefaultClause, FetchedValue

from mighub.ddl.constructs import format_server_default
from mighub.ddl.impl import NOT_GIVEN

__all__ = [
    "SYNONYMS",
    "compare_column",
    "defaults_equivalent",
    "identity_differences",
    "normalize_default",
    "normalize_index_options",
    "render_type",
    "types_equivalent",
]

SYNONYMS: tuple[frozenset[str], ...] = (
    frozenset({"VARCHAR", "NVARCHAR"}),
    frozenset({"CHAR", "NCHAR"}),
    frozenset({"NUMERIC", "DECIMAL"}),
)
"""Type names SQL Server users treat as the same column type (the storage differs, not the data)."""

DEFAULT_FUNCTION_SYNONYMS = {"current_timestamp": "getdate()"}
"""Spellings that SQL Server stores under another name."""

_STRING = re.compile(r"N?'(?:[^']|'')*'", re.IGNORECASE)
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?")
# "(0)" or "('x')", but not the argument list of a call such as "round(1)".
_LITERAL_IN_PARENTHESES = re.compile(r"(?<![\w)])\((" + _NUMBER.pattern + r"|\x00\d+\x00)\)")


# ---------------------------------------------------------------------------
# Server defaults
# ---------------------------------------------------------------------------


def normalize_default(text: str | None) -> str | None:
    """A server default's SQL in one canonical spelling, for comparison only.

    Outside string literals: lower case, no whitespace, no ``[ ]`` around
    names, no parentheses around a literal or around the whole expression.
    String literals lose their ``N`` prefix and keep their text; a string
    that holds a number counts as that number (SQL Server converts it).
    ``CURRENT_TIMESTAMP`` counts as ``getdate()``. ``None`` stays ``None``.
    """
    if text is None:
        return None
    # String literals become placeholders, so nothing below touches their text.
    strings: list[str] = []
    parts: list[str] = []
    position = 0
    for match in _STRING.finditer(text):
        parts.append(_normalize_code(text[position : match.start()]))
        literal = match.group()
        literal = literal[1:] if literal[0] in "Nn" else literal
        inner = literal[1:-1].replace("''", "'")
        if _NUMBER.fullmatch(inner):
            parts.append(inner)
        else:
            parts.append(f"\x00{len(strings)}\x00")
            strings.append(literal)
        position = match.end()
    parts.append(_normalize_code(text[position:]))
    result = "".join(parts)
    previous = None
    while previous != result:
        previous = result
        result = _LITERAL_IN_PARENTHESES.sub(r"\1", result)
        if _wrapped(result):
            result = result[1:-1]
    return re.sub("\x00(\\d+)\x00", lambda m: strings[int(m.group(1))], result)


def _normalize_code(code: str) -> str:
    code = re.sub(r"\s+", "", code).lower().replace("[", "").replace("]", "")
    for spelling, canonical in DEFAULT_FUNCTION_SYNONYMS.items():
        code = re.sub(rf"\b{spelling}\b(?!\()", canonical, code)
    return code


def _wrapped(text: str) -> bool:
    """Whether the first ``(`` closes at the last character."""
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and i != len(text) - 1:
            return False
    return True


def defaults_equivalent(inspected: str | None, rendered_metadata: str | None) -> bool:
    """Whether a reflected default (``((0))``) and a model's rendered one (``0``) are the same."""
    return normalize_default(inspected) == normalize_default(rendered_metadata)


def render_default(default: Any) -> str | None:
    """A ``server_default`` (string, ``text()``, expression, reflected clause) as T-SQL text."""
    if default is None:
        return None
    if isinstance(default, DefaultClause):
        default = default.arg
    elif isinstance(default, FetchedValue):  # set by the database: no SQL to compare
        return None
    compiler = _dialect().ddl_compiler(_dialect(), None)
    return format_server_default(compiler, default)


# ---------------------------------------------------------------------------
# Types
# ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _dialect() -> Any:
    # Imported here: the plugin registers these rules for every autogenerate run, and
    # a run against another database must not load SQLAlchemy's SQL Server dialect.
    from sqlalchemy.dialects import mssql

    dialect = mssql.dialect()
    dialect.deprecate_large_types = True  # VARCHAR(max), as on every supported server
    return dialect


def render_type(type_: Any, *, collation: bool = True) -> str:
    """The type as SQL Server's DDL writes it (``NVARCHAR(50)``), optionally without collation."""
    if isinstance(type_, type):
        type_ = type_()
    if not collation and getattr(type_, "collation", None):
        type_ = type_.copy()
        type_.collation = None
    return str(type_.compile(dialect=_dialect()))


def _name_and_arguments(rendered: str) -> tuple[str, str]:
    name, _, arguments = rendered.partition("(")
    return name.strip().upper(), arguments.rstrip(")").replace(" ", "").lower()


def types_equivalent(inspected_type: Any, metadata_type: Any) -> bool | None:
    """``True`` when SQL Server holds the model's type under a synonym; ``None``: no opinion.

    ``NVARCHAR(50)`` in the database is ``VARCHAR(50)`` / ``String(50)`` in a
    model (and ``NCHAR`` ``CHAR``), ``max`` included. A reflected collation
    is ignored when the model names none. Anything else is left to the
    generic comparison, which is why this never answers ``False``.
    """
    model_collation = getattr(metadata_type, "collation", None)
    inspected = render_type(inspected_type, collation=model_collation is not None)
    metadata = render_type(metadata_type)
    if inspected == metadata:
        return True
    inspected_name, inspected_args = _name_and_arguments(inspected.split(" COLLATE ")[0])
    metadata_name, metadata_args = _name_and_arguments(metadata.split(" COLLATE ")[0])
    if inspected_args != metadata_args:
        return None
    synonyms = any({inspected_name, metadata_name} <= names for names in SYNONYMS)
    same_collation = model_collation is None or inspected.endswith(f" COLLATE {model_collation}")
    return True if synonyms and same_collation else None


# ---------------------------------------------------------------------------
# Identity columns
# ---------------------------------------------------------------------------

IDENTITY_ATTRIBUTES = ("start", "increment")
"""What a SQL Server identity has: a seed and an increment (no min, max, cycle or cache)."""


def _identity_values(identity: Identity) -> dict[str, Any]:
    return {
        "start": 1 if identity.start is None else identity.start,
        "increment": 1 if identity.increment is None else identity.increment,
    }


def identity_differences(
    inspected: Identity | None,
    metadata: Identity | None,
    *,
    implicit_identity: bool = False,
) -> list[str]:
    """The identity attributes that differ, ``["identity"]`` when only one side has one.

    ``implicit_identity`` says the model's column becomes ``IDENTITY(1,1)``
    without an ``Identity`` (an autoincrement integer primary key), which
    the database reflects as an explicit identity. Attributes SQL Server
    does not have are not compared.
    """
    if metadata is None and implicit_identity:
        metadata = Identity(start=1, increment=1)
    if inspected is None and metadata is None:
        return []
    if inspected is None or metadata is None:
        return ["identity"]
    old, new = _identity_values(inspected), _identity_values(metadata)
    return [name for name in IDENTITY_ATTRIBUTES if old[name] != new[name]]


def _implicit_identity(column: Column[Any]) -> bool:
    """Whether SQLAlchemy's SQL Server DDL makes this model column an IDENTITY by itself."""
    table = column.table
    automatic = column.autoincrement is True or (
        table is not None and column is table._autoincrement_column
    )
    return column.identity is None and automatic


# ---------------------------------------------------------------------------
# Indexes
# ---------------------------------------------------------------------------


def normalize_index_options(options: dict[str, Any]) -> dict[str, Any]:
    """Reflected index options without the empty ones SQL Server reports for every index.

    An index without included columns reflects ``mssql_include=[]`` and one
    that is neither clustered nor declared so ``mssql_clustered=False``;
    a model that says nothing about them must not differ.
    """
    cleaned = dict(options)
    if not cleaned.get("mssql_include"):
        cleaned.pop("mssql_include", None)
    if not cleaned.get("mssql_clustered"):
        cleaned.pop("mssql_clustered", None)
    return cleaned


# ---------------------------------------------------------------------------
# The autogenerate comparator
# ---------------------------------------------------------------------------


def compare_column(
    autogen_context: Any,
    alter_column_op: Any,
    schema: str | None,
    table_name: str,
    column_name: str,
    inspected_column: Column[Any],
    metadata_column: Column[Any],
) -> None:
    """Withdraw the column changes that the generic comparators reported but SQL Server has not.

    Given the findings of a generic comparison in ``alter_column_op`` (an
    :class:`mighub.operations.ops.AlterColumnOp`), for two SQLAlchemy
    columns (autogenerate itself uses :mod:`mighub_mssql.spelling`): a ``modify_type`` that is
    a synonym, a ``modify_server_default`` whose normalised SQL is the same,
    or one that only restates the identity the database already has, is set
    back to "unchanged". It never adds a change. Returns ``None``, so the
    chain goes on.
    """
    if alter_column_op.modify_type is not None and types_equivalent(
        inspected_column.type, metadata_column.type
    ):
        alter_column_op.modify_type = None
    if alter_column_op.modify_server_default is NOT_GIVEN:
        return
    inspected_identity = inspected_column.identity
    metadata_identity = metadata_column.identity
    if inspected_identity is not None or metadata_identity is not None:
        differences = identity_differences(
            inspected_identity,
            metadata_identity,
            implicit_identity=_implicit_identity(metadata_column),
        )
        if not differences:
            alter_column_op.modify_server_default = NOT_GIVEN
        return
    if defaults_equivalent(
        render_default(inspected_column.server_default),
        render_default(metadata_column.server_default),
    ):
        alter_column_op.modify_server_default = NOT_GIVEN
