"""Bring both sides to one spelling before comparing: types, server defaults, SQL expressions.

A database rarely gives back what it was given: PostgreSQL writes
``'x'::character varying`` for the default ``'x'``, MariaDB ``int(11)`` for
``INTEGER``, every database its own parentheses and quotes. Each side is
normalised the same way, in three passes:

1. a generic pass (case, white space, outer parentheses, numeric literals);
2. the normalisers registered for the dialect
   (``registry.register_normaliser(function, kind=..., dialect=...)``),
   highest priority first, each ``function(text, info) -> str | None``;
3. for types, the registered type synonyms map a spelling to a canonical one.

``info`` (:class:`NormaliseInfo`) says which side the text comes from and
what it belongs to. A server-default normaliser returning ``None`` means
"no default worth comparing" (PostgreSQL's ``nextval(...)`` of a serial
column, for example).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.sql.elements import ClauseElement, False_, Null, TextClause, True_
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import NullType, TypeEngine

if TYPE_CHECKING:
    from mighub_autogen.context import AutogenContext
    from mighub_autogen.reflect import ReflectedColumn

DATABASE = "database"
MODEL = "model"


@dataclass
class NormaliseInfo:
    """What a normaliser is told about the text it is given."""

    side: str
    """``"database"`` (reflected) or ``"model"`` (from the target metadata)."""
    context: AutogenContext
    table_name: str | None = None
    schema: str | None = None
    db_column: ReflectedColumn | None = None
    model_column: sa.Column[Any] | None = None
    type_: Any = None
    """The column's type on this side (type normalisers and server defaults)."""
    what: str | None = None
    """For ``"expression"``: ``"index"``, ``"check"``, ``"computed"`` or ``"index_where"``."""


# ---------------------------------------------------------------------------
# Types
# ---------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
_TYPE_NAME = re.compile(r"^([A-Z_][A-Z0-9_ ]*?)\s*(\(.*)?$")


def type_text(type_: Any, dialect: sa.Dialect, cache: dict[Any, Any] | None = None) -> str | None:
    """The type as the dialect writes it in DDL, upper case; ``None`` when unknown.

    Compiling a type is the costliest step of comparing a column, and a schema
    repeats a handful of types: ``cache`` keeps the text by the type's values.
    """
    if type_ is None or isinstance(type_, NullType):
        return None
    key = type_signature(type_) if cache is not None else None
    if key is not None:
        if key in cache:  # type: ignore[operator]
            return cache[key]  # type: ignore[index]
        text = _compile_type(type_, dialect)
        cache[key] = text  # type: ignore[index]
        return text
    return _compile_type(type_, dialect)


_SIMPLE = (str, int, float, bool, type(None))


def type_signature(type_: Any) -> Any:
    """A hashable key for ``type_`` made of its class and public values; ``None`` if it has none."""
    items = []
    for name, value in vars(type_).items():
        if name.startswith("_") and name != "_variant_mapping":
            continue
        if isinstance(value, _SIMPLE):
            items.append((name, value))
        elif isinstance(value, TypeEngine):
            nested = type_signature(value)
            if nested is None:
                return None
            items.append((name, nested))
        elif isinstance(value, (list, tuple)) and all(isinstance(v, _SIMPLE) for v in value):
            items.append((name, tuple(value)))
        elif name == "_variant_mapping":
            if not value:
                continue
            nested_items = tuple(sorted((k, type_signature(v)) for k, v in value.items()))
            if any(v is None for _, v in nested_items):
                return None
            items.append((name, nested_items))
        else:
            return None
    return (type(type_), tuple(sorted(items)))


def _compile_type(type_: Any, dialect: sa.Dialect) -> str | None:
    try:
        impl = type_.dialect_impl(dialect)
        if isinstance(impl, NullType):
            return None
        text = dialect.type_compiler_instance.process(impl)
    except (sa_exc.CompileError, sa_exc.UnsupportedCompilationError, NotImplementedError):
        return None
    return _SPACES.sub(" ", str(text)).strip().upper().replace(", ", ",")


def normalise_type_text(text: str, info: NormaliseInfo) -> str | None:
    """Run the type normalisers and synonyms over a type's DDL spelling."""
    context = info.context
    for normaliser in context.normalisers("type"):
        text = normaliser.function(text, info)
        if text is None:
            return None
    synonyms = context.type_synonyms()
    return apply_synonyms(text, synonyms) if synonyms else text


def apply_synonyms(text: str, synonyms: dict[str, str]) -> str:
    """``text`` with its whole spelling, or else its name, replaced by the canonical one."""
    if text in synonyms:
        return synonyms[text]
    match = _TYPE_NAME.match(text)
    if match is None:
        return text
    name, args = match.group(1), match.group(2) or ""
    if name in synonyms:
        return synonyms[name] + args
    return text


# ---------------------------------------------------------------------------
# Server defaults
# ---------------------------------------------------------------------------


def model_default_text(
    column: sa.Column[Any], dialect: sa.Dialect, cache: dict[Any, str] | None = None
) -> str | bool | None:
    """The model's ``server_default`` as the dialect writes it after ``DEFAULT``.

    ``None`` when there is no default; ``False`` when the default is not an
    expression mighub can compare (``FetchedValue``: the database fills the
    value by means of its own, a trigger for example).
    """
    default = column.server_default
    if default is None:
        return None
    if not isinstance(default, sa.DefaultClause):
        return False
    arg = default.arg
    if isinstance(arg, str):
        return "'" + arg.replace("'", "''") + "'"
    if isinstance(arg, TextClause):
        return arg.text
    if isinstance(arg, ClauseElement):
        key = _expression_key(arg) if cache is not None else None
        if key is None:
            return expression_sql(arg, dialect)
        if key not in cache:  # type: ignore[operator]
            cache[key] = expression_sql(arg, dialect)  # type: ignore[index]
        return cache[key]  # type: ignore[index]
    return str(arg)


def _expression_key(expression: ClauseElement) -> Any:
    """A key for the expressions defaults repeat (``func.now()``, ``true()``), else ``None``."""
    if isinstance(expression, FunctionElement) and not len(expression.clauses.clauses):
        return ("function", type(expression), getattr(expression, "name", None))
    if isinstance(expression, (True_, False_, Null)):
        return (type(expression),)
    return None


def expression_sql(expression: Any, dialect: sa.Dialect) -> str:
    """SQL text for ``expression`` with literal values, unqualified column names."""
    if isinstance(expression, str):
        return expression
    if isinstance(expression, TextClause):
        return expression.text
    compiled = expression.compile(
        dialect=dialect, compile_kwargs={"literal_binds": True, "include_table": False}
    )
    return str(compiled)


_QUOTED_NUMBER = re.compile(r"'(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)'")


def normalised_default(text: str | None, info: NormaliseInfo) -> str | None:
    if text is None:
        return None
    text = _generic_default(text)
    for normaliser in info.context.normalisers("server_default"):
        text = normaliser.function(text, info)
        if text is None:
            return None
    return _generic_default(text)


def _generic_default(text: str) -> str:
    text = strip_outer_parentheses(text.strip())
    match = _QUOTED_NUMBER.fullmatch(text)
    if match:
        text = match.group(1)
    return _canonical_number(text)


def _canonical_number(text: str) -> str:
    """``1.50`` and ``1.5`` are the same default; ``'1.5'`` too (handled before)."""
    if not text or not (text[0].isdigit() or (text[0] == "-" and text[1:2].isdigit())):
        return text
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return str(number.normalize())


def strip_outer_parentheses(text: str) -> str:
    """``((x))`` -> ``x``, only when the parentheses wrap the whole text."""
    while text.startswith("(") and text.endswith(")") and _wraps(text):
        text = text[1:-1].strip()
    return text


def _wraps(text: str) -> bool:
    depth = 0
    quote: str | None = None
    for position, char in enumerate(text):
        if quote:
            if char == quote:
                quote = None
            continue
        if char in "'\"`":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0 and position != len(text) - 1:
                return False
    return True


# ---------------------------------------------------------------------------
# SQL expressions: index expressions, CHECK conditions, computed columns
# ---------------------------------------------------------------------------

_IDENTIFIER_QUOTES = re.compile(r'["`\[\]]')


def normalised_expression(text: str | None, info: NormaliseInfo) -> str | None:
    """A comparable form of an SQL expression: no quoting, spacing or parentheses."""
    if text is None:
        return None
    text = _IDENTIFIER_QUOTES.sub("", text).strip()
    for normaliser in info.context.normalisers("expression"):
        text = normaliser.function(text, info)
        if text is None:
            return None
    text = _QUOTED_NUMBER.sub(r"\1", text)
    return re.sub(r"[\s()]", "", text).lower()
