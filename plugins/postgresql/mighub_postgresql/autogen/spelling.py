"""How PostgreSQL writes back types, defaults and expressions, for autogenerate's comparators.

Registered as type synonyms and normalisers (``postgresql.type``,
``postgresql.server_default``, ``postgresql.expression``): the built-in
comparators of ``mighub-autogen`` (types, server defaults, index
expressions, CHECK conditions) run them before comparing.

- types: ``FLOAT`` is ``DOUBLE PRECISION``, ``FLOAT(p)`` is ``REAL`` up to
  ``p = 24``, and the short names (``INT4``, ``BOOL``...) are synonyms;
- defaults and expressions: casts (``'x'::character varying``) go, ``= ANY
  (ARRAY[...])`` reads as ``IN (...)``, and the ``nextval(...)`` default of
  a serial column counts as no default when the model column autoincrements.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

DIALECT = "postgresql"

_CAST = re.compile(
    r"::\s*(?:\"[^\"]+\"|[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?)"
    r"(?:\s+(?:varying|precision|with(?:out)?\s+time\s+zone))?"
    r"(?:\s*\(\d+(?:\s*,\s*\d+)?\))?"
    r"(?:\s+with(?:out)?\s+time\s+zone)?"
    r"(?:\[\])*",
    re.IGNORECASE,
)
_ANY_ARRAY = re.compile(r"=\s*ANY\s*\(\s*\(?\s*ARRAY\s*\[(.*?)\]\s*\)?\s*\)", re.IGNORECASE)
_FLOAT = re.compile(r"^FLOAT\((\d+)\)$")


def strip_casts(text: str) -> str:
    """``'x'::character varying`` -> ``'x'``; never inside a quoted literal."""
    out: list[str] = []
    for position, part in enumerate(re.split(r"('(?:[^']|'')*')", text)):
        out.append(part if position % 2 else _CAST.sub("", part))
    return "".join(out)


def normalise_type(text: str, info: Any) -> str:
    match = _FLOAT.match(text)
    if match:
        return "REAL" if int(match.group(1)) <= 24 else "DOUBLE PRECISION"
    return text


def normalise_default(text: str, info: Any) -> str | None:
    if info.side == "database" and text.lower().startswith("nextval("):
        column = info.model_column
        if column is not None and column.server_default is None and _autoincrements(column):
            return None
    text = strip_casts(text).strip()
    if isinstance(info.type_, sa.Boolean):
        lowered = text.strip("'").lower()
        if lowered in ("t", "true", "1", "y", "yes", "on"):
            return "true"
        if lowered in ("f", "false", "0", "n", "no", "off"):
            return "false"
    return text


def _autoincrements(column: sa.Column[Any]) -> bool:
    table = column.table
    return table is not None and table.autoincrement_column is column


def normalise_expression(text: str, info: Any) -> str:
    text = strip_casts(text)
    return _ANY_ARRAY.sub(lambda m: f"IN ({m.group(1)})", text)


SYNONYMS = {
    "DOUBLE PRECISION": ("FLOAT", "FLOAT8", "DOUBLE"),
    "REAL": ("FLOAT4",),
    "INTEGER": ("INT", "INT4"),
    "BIGINT": ("INT8",),
    "SMALLINT": ("INT2",),
    "NUMERIC": ("DECIMAL",),
    "BOOLEAN": ("BOOL",),
    "TIMESTAMP WITHOUT TIME ZONE": ("TIMESTAMP",),
    "TIME WITHOUT TIME ZONE": ("TIME",),
    "TIMESTAMP WITH TIME ZONE": ("TIMESTAMPTZ",),
    "VARCHAR": ("CHARACTER VARYING",),
}


def register(registry: Any) -> None:
    for canonical, spellings in SYNONYMS.items():
        registry.register_type_synonyms(canonical, *spellings, dialect=DIALECT)
    registry.register_normaliser(
        normalise_type, kind="type", dialect=DIALECT, name="postgresql.type"
    )
    registry.register_normaliser(
        normalise_default,
        kind="server_default",
        dialect=DIALECT,
        name="postgresql.server_default",
    )
    registry.register_normaliser(
        normalise_expression,
        kind="expression",
        dialect=DIALECT,
        name="postgresql.expression",
    )
