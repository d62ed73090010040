"""Autogenerate on MariaDB/MySQL: real differences, not the servers' ways of reporting a schema.

What the servers report differs from what a model says in ways that mean
nothing, and autogenerate would otherwise write a change for each on every
run:

- ``BOOL`` is stored as ``TINYINT(1)`` and reflected as such;
- a foreign key without an index of its own gets one, named after the
  constraint (or its first column), which no model declares;
- defaults come back rewritten, and not the same way on both servers: MySQL
  quotes numbers (``'5'``) and puts expressions in parentheses
  (``(now())``, with ``_utf8mb4'...'`` introducers and backquotes), MariaDB
  writes ``5``, ``current_timestamp()``, ``(1 + 2)``, and a decimal as
  ``1.50``;
- a native ``ENUM`` is only equal to another with the same values in the
  same order (the order is the sort order), which a type comparison by
  class misses;
- charset and collation matter only where both sides state them (a column
  that states none has the table's).

The functions here decide (:func:`types_match`, :func:`normalize_default`,
:func:`defaults_match`); they take SQLAlchemy types and strings and know
nothing of autogenerate. :mod:`mighub_mysql.spelling` registers them with
``mighub-autogen``, with the implicit foreign key index rule.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.schema import (
    Computed,
    DefaultClause,
    FetchedValue,
    Identity,
)
from sqlalchemy.sql.elements import ClauseElement, TextClause

__all__ = [
    "defaults_match",
    "model_default_text",
    "normalize_default",
    "reflected_default_text",
    "types_match",
]


# ---------------------------------------------------------------------------
# Types
# ---------------------------------------------------------------------------


def _unwrap(type_: Any) -> Any:
    if isinstance(type_, sa.types.TypeDecorator):
        return type_.impl_instance
    return type_


def _is_bool_storage(type_: Any) -> bool:
    """``BOOL``/``BOOLEAN`` or ``TINYINT(1)``: one type under two names."""
    if isinstance(type_, sa.Boolean):
        return True
    return (
        isinstance(type_, sa.dialects.mysql.TINYINT)
        and getattr(type_, "display_width", None) == 1
        and not getattr(type_, "unsigned", False)
        and not getattr(type_, "zerofill", False)
    )


def _is_native_enum(type_: Any) -> bool:
    return isinstance(type_, sa.Enum) and getattr(type_, "native_enum", True)


def _stated(type_: Any, attribute: str, table_default: str | None) -> str | None:
    value = getattr(type_, attribute, None)
    if value is None and isinstance(type_, (sa.String, sa.Enum)):
        value = table_default
    return value.lower() if isinstance(value, str) else None


def types_match(
    inspected: Any,
    model: Any,
    *,
    table_charset: str | None = None,
    table_collation: str | None = None,
) -> bool | None:
    """Whether the reflected type and the model's are the same type on these servers.

    ``True``: the same, whatever a generic comparison says. ``False``:
    different (a native ENUM with other values, or another charset or
    collation where both state one). ``None``: no opinion, the generic
    comparison decides. ``table_charset``/``table_collation`` are the
    table's defaults, which a string column that states none has: pass them
    for the reflected side, whose columns state only what differs.
    """
    inspected, model = _unwrap(inspected), _unwrap(model)
    if _is_bool_storage(inspected) and _is_bool_storage(model):
        return True
    for attribute, table_default in (("charset", table_charset), ("collation", table_collation)):
        theirs = _stated(inspected, attribute, table_default)
        ours = _stated(model, attribute, None)
        if theirs is not None and ours is not None and theirs != ours:
            return False
    if _is_native_enum(inspected) and _is_native_enum(model):
        return list(inspected.enums) == list(model.enums)
    return None


# ---------------------------------------------------------------------------
# Server defaults
# ---------------------------------------------------------------------------

_TOKENS = re.compile(r"'(?:[^'\\]|''|\\.)*'|\"(?:[^\"\\]|\"\"|\\.)*\"|[^'\"]+")
_INTRODUCER = re.compile(r"_[a-z0-9]+$")
_NOW = re.compile(r"^(?:current_timestamp|now|localtime|localtimestamp)(?:\((\d*)\))?$")
_TODAY = re.compile(r"^(?:current_date|curdate)(?:\(\))?$")
_ON_UPDATE = re.compile(r"\s+on\s+update\s+", re.I)


def _canonical_number(text: str) -> str | None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    normal = number.normalize()
    return format(normal, "f") if normal == normal.to_integral() else str(normal)


def _unquote(literal: str) -> str:
    quote = literal[0]
    body = literal[1:-1]
    return body.replace(quote * 2, quote).replace("\\" + quote, quote)


def _encloses(text: str) -> bool:
    """Whether the ``(`` that starts ``text`` is closed by its last character."""
    depth, quote, i = 0, "", 0
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\" or (char == quote and text[i + 1 : i + 2] == quote):
                i += 1  # an escaped character or a doubled quote: skip the pair
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0 and i != len(text) - 1:
                return False
        i += 1
    return True


def _strip_parentheses(text: str) -> str:
    """Take off parentheses that enclose the whole expression, as often as they do."""
    while text.startswith("(") and text.endswith(")") and _encloses(text):
        text = text[1:-1]
    return text


def _normalize_expression(text: str) -> str | None:
    parts = []
    for token in _TOKENS.findall(text):
        if token[0] in "'\"":
            if parts and _INTRODUCER.search(parts[-1]):  # _utf8mb4'x' -> 'x'
                parts[-1] = _INTRODUCER.sub("", parts[-1])
            parts.append("'" + _unquote(token).replace("'", "''") + "'")
        else:
            parts.append(re.sub(r"\s+|`", "", token).lower())
    text = _strip_parentheses("".join(parts))
    if text in ("", "null"):
        return None
    if text in ("true", "false"):
        return "1" if text == "true" else "0"
    literal = len(_TOKENS.findall(text)) == 1 and text[0] == "'"
    number = _canonical_number(_unquote(text) if literal else text)
    if number is not None:
        return number
    match = _NOW.match(text)
    if match:
        precision = match.group(1)
        return f"current_timestamp({precision})" if precision else "current_timestamp"
    if _TODAY.match(text):
        return "current_date"
    return text


def normalize_default(text: str | None) -> str | None:
    """A server default as SQL text, in one spelling for every way the servers write it.

    ``None`` and ``NULL`` give ``None``; numbers, quoted or not, give their
    shortest decimal form (``'5'``, ``5``, ``5.00`` -> ``5``; ``true`` ->
    ``1``); string literals keep their content exactly; an expression loses
    enclosing parentheses, whitespace, backquotes, charset introducers and
    letter case outside its literals; ``now()``, ``CURRENT_TIMESTAMP``,
    ``current_timestamp()`` and their kin become ``current_timestamp``
    (with the precision, when there is one). ``ON UPDATE`` is kept, with its
    own expression normalised.
    """
    if text is None:
        return None
    parts = _ON_UPDATE.split(text.strip())
    normal = [_normalize_expression(part) for part in parts]
    if normal[0] is None and len(normal) == 1:
        return None
    return " on update ".join(part or "null" for part in normal)


def reflected_default_text(server_default: Any) -> str | None:
    """The SQL text of a reflected column's ``server_default`` (a ``DefaultClause`` of text)."""
    if server_default is None or isinstance(server_default, (Computed, Identity)):
        return None
    arg = server_default.arg if isinstance(server_default, DefaultClause) else server_default
    if isinstance(arg, TextClause):
        return arg.text
    return arg if isinstance(arg, str) else None


def model_default_text(server_default: Any, dialect: Any) -> str | None:
    """The SQL that a model column's ``server_default`` writes after ``DEFAULT``.

    A string is a literal (quoted), ``text()`` is SQL as written, an
    expression is compiled for ``dialect``. ``None`` for none, and for what
    is not a default (``Computed``, ``Identity``, a bare ``FetchedValue``).
    """
    if server_default is None or isinstance(server_default, (Computed, Identity)):
        return None
    if isinstance(server_default, FetchedValue) and not isinstance(server_default, DefaultClause):
        return None
    arg = server_default.arg if isinstance(server_default, DefaultClause) else server_default
    if isinstance(arg, str):
        return "'" + arg.replace("'", "''") + "'"
    if isinstance(arg, TextClause):
        return arg.text
    if isinstance(arg, ClauseElement):
        return str(arg.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    return None


def defaults_match(inspected: str | None, model: str | None) -> bool:
    """Whether two server defaults, as SQL text, are the same default."""
    return normalize_default(inspected) == normalize_default(model)
