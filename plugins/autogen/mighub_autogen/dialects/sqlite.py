"""SQLite: indexes and unique constraints of a whole schema in one query.

SQLAlchemy reads SQLite one table at a time, several statements per table,
and reads unique constraints by listing every index again: at 500 tables
that is most of the time a comparison takes. SQLite's table-valued pragmas
give every index of every table, with its columns and its ``CREATE INDEX``
statement, in one query; the statement gives expression indexes back too,
which SQLAlchemy skips.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import sqlalchemy as sa

DIALECT = "sqlite"

_CREATE_INDEX = re.compile(
    r"^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?.+?\s+ON\s+.+?\s*\((.*)\)"
    r"(?:\s+WHERE\s+(.*?))?\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_NAMED_UNIQUE = re.compile(
    r'CONSTRAINT\s+(?:"((?:[^"]|"")+)"|`([^`]+)`|\[([^\]]+)\]|(\w+))\s+UNIQUE\s*\(([^)]*)\)',
    re.IGNORECASE,
)

_INDEX_QUERY = """
SELECT m.name, il.name, il."unique", il.origin, ii.cid, ii.name, sm.sql
FROM {master} AS m
JOIN pragma_index_list(m.name, :schema) AS il
JOIN pragma_index_xinfo(il.name, :schema) AS ii
LEFT JOIN {master} AS sm ON sm.type = 'index' AND sm.name = il.name
WHERE m.type = 'table' AND ii.key = 1
ORDER BY m.name, il.name, ii.seqno
"""


def read_schema(
    inspector: sa.Inspector, schema: str | None, names: list[str] | None
) -> dict[str, dict[Any, Any]]:
    """The schema reader autogen registers for SQLite: columns, primary keys, indexes and
    unique constraints (foreign keys, CHECK constraints and comments come from the inspector).
    """
    from mighub_autogen.reflect import read_with_inspector

    connection = inspector.bind
    assert isinstance(connection, sa.Connection)
    table_sql: dict[str, str] = {}  # each table's CREATE TABLE, read once
    indexes, uniques = read_indexes_and_uniques(connection, schema, names, table_sql)
    columns = read_with_inspector(inspector, "columns", schema, names)
    return {
        "columns": columns,
        "pk_constraint": primary_keys(connection, schema, columns, table_sql),
        "indexes": indexes,
        "unique_constraints": uniques,
    }


def _master(schema: str | None) -> str:
    return f'"{schema}".sqlite_master' if schema else "sqlite_master"


def read_indexes_and_uniques(
    connection: sa.Connection,
    schema: str | None,
    names: list[str] | None,
    table_sql: dict[str, str],
) -> tuple[dict[Any, list[dict[str, Any]]], dict[Any, list[dict[str, Any]]]]:
    """(indexes, unique constraints) of the schema's tables, as the inspector's batched methods
    return them. ``table_sql`` caches the tables' ``CREATE TABLE`` statements."""
    wanted = set(names) if names is not None else None
    rows = connection.execute(
        sa.text(_INDEX_QUERY.format(master=_master(schema))), {"schema": schema or "main"}
    ).all()
    by_index: dict[tuple[str, str], dict[str, Any]] = {}
    for table, index, unique, origin, cid, column, sql in rows:
        if wanted is not None and table not in wanted:
            continue
        entry = by_index.setdefault(
            (table, index),
            {"origin": origin, "unique": bool(unique), "columns": [], "sql": sql},
        )
        entry["columns"].append(column if cid >= 0 else None)
    indexes: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    uniques: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for (table, index), entry in by_index.items():
        key = (schema, table)
        if entry["origin"] == "c":
            indexes[key].append(_index(index, entry))
        elif entry["origin"] == "u":
            sql = _table_sql(connection, schema, table_sql).get(table, "")
            name = _unique_name(sql, entry["columns"])
            uniques[key].append({"name": name, "column_names": entry["columns"]})
    for key in indexes:
        indexes[key].sort(key=lambda ix: ix["name"])
    return dict(indexes), dict(uniques)


_NAMED_PRIMARY_KEY = re.compile(
    r'CONSTRAINT\s+(?:"((?:[^"]|"")+)"|`([^`]+)`|\[([^\]]+)\]|(\w+))\s+PRIMARY\s+KEY',
    re.IGNORECASE,
)


def primary_keys(
    connection: sa.Connection,
    schema: str | None,
    columns: dict[Any, list[dict[str, Any]]],
    table_sql: dict[str, str],
) -> dict[Any, dict[str, Any]]:
    """Each table's primary key, from the columns already read and the tables' SQL."""
    table_sql = _table_sql(connection, schema, table_sql)
    out: dict[Any, dict[str, Any]] = {}
    for key, table_columns in columns.items():
        ordered = sorted(
            (c["primary_key"], c["name"]) for c in table_columns if c.get("primary_key")
        )
        name = None
        if ordered:
            match = _NAMED_PRIMARY_KEY.search(table_sql.get(key[1], ""))
            if match is not None:
                name = next(g for g in match.groups() if g).replace('""', '"')
        out[key] = {"constrained_columns": [n for _, n in ordered], "name": name}
    return out


def _index(name: str, entry: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "column_names": entry["columns"],
        "unique": entry["unique"],
        "dialect_options": {},
    }
    match = _CREATE_INDEX.match(entry["sql"] or "")
    if match is not None:
        parts = split_top_level(match.group(1))
        if None in entry["columns"] and len(parts) == len(entry["columns"]):
            data["expressions"] = parts
        if match.group(2):
            data["dialect_options"] = {"sqlite_where": match.group(2).strip()}
    return data


def _table_sql(
    connection: sa.Connection, schema: str | None, cache: dict[str, str]
) -> dict[str, str]:
    if not cache:
        rows = connection.execute(
            sa.text(f"SELECT name, sql FROM {_master(schema)} WHERE type = 'table'")
        )
        cache.update((name, sql or "") for name, sql in rows)
    return cache


def _unique_name(table_sql: str, columns: list[str | None]) -> str | None:
    """The name a ``CONSTRAINT name UNIQUE (...)`` clause gives these columns, if any."""
    for match in _NAMED_UNIQUE.finditer(table_sql):
        name = next(g for g in match.groups()[:4] if g)
        listed = [_unquote(c) for c in split_top_level(match.group(5))]
        if listed == columns:
            return name.replace('""', '"')
    return None


def _unquote(identifier: str) -> str:
    identifier = identifier.strip()
    if identifier[:1] in '"`[' and len(identifier) > 1:
        return identifier[1:-1]
    return identifier


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
