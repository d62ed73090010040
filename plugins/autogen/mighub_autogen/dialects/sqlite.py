"""SQLite: read the expression indexes that SQLAlchemy's reflection skips.

SQLite keeps each index's ``CREATE INDEX`` statement in ``sqlite_master``;
one query per schema gives the expressions back, so expression indexes
compare like any other.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from mighub.operations.ops import UpgradeOps
from mighub_autogen.reflect import ReflectedIndex

DIALECT = "sqlite"

_CREATE_INDEX = re.compile(
    r"^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?\S+\s+ON\s+\S+?\s*\((.*)\)"
    r"(?:\s+WHERE\s+(.*))?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_IDENTIFIER = re.compile(r'^(?:"([^"]+)"|`([^`]+)`|\[([^\]]+)\]|([A-Za-z_][A-Za-z0-9_]*))$')


def expression_indexes(context: Any, upgrade_ops: UpgradeOps, schemas: list[str | None]) -> None:
    for schema in schemas:
        tables = {name: table for (s, name), table in context.db_tables.items() if s == schema}
        if not tables:
            continue
        master = f'"{schema}".sqlite_master' if schema else "sqlite_master"
        rows = context.connection.execute(
            sa.text(
                f"SELECT name, tbl_name, sql FROM {master} WHERE type = 'index' AND sql IS NOT NULL"
            )
        )
        for name, table_name, sql in rows:
            table = tables.get(table_name)
            if table is None or any(ix.name == name for ix in table.indexes):
                continue
            match = _CREATE_INDEX.match(sql)
            if match is None:
                continue
            parts = split_top_level(match.group(2))
            columns: list[str | None] = []
            for part in parts:
                identifier = _IDENTIFIER.match(part.strip())
                columns.append(next(g for g in identifier.groups() if g) if identifier else None)
            options = {"sqlite_where": match.group(3)} if match.group(3) else {}
            table.indexes.append(
                ReflectedIndex(
                    name, columns, [p.strip() for p in parts], bool(match.group(1)), options, table
                )
            )


def split_top_level(text: str) -> list[str]:
    """``a, lower(b), c`` -> three parts: commas inside parentheses or quotes do not split."""
    parts: list[str] = []
    depth = 0
    quote: str | None = None
    current = ""
    for char in text:
        if quote:
            current += char
            if char == quote:
                quote = None
            continue
        if char in "'\"`":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += char
    parts.append(current)
    return [p.strip() for p in parts]


def register(registry: Any) -> None:
    registry.register(
        expression_indexes,
        level="schema",
        dialect=DIALECT,
        priority=100,
        name="autogen.sqlite.expression_indexes",
    )
