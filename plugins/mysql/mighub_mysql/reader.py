"""MariaDB/MySQL for autogenerate: a whole schema from ``information_schema`` in six queries.

SQLAlchemy's inspector reads these servers one table at a time (a ``SHOW
CREATE TABLE`` per table), so comparing 500 tables costs 500 round trips;
and its parser of ``SHOW CREATE TABLE`` drops the defaults it has no
pattern for (MariaDB's ``concat('a','b')``) and the ``ON UPDATE`` of a
nullable column. :func:`read_schema` asks ``information_schema`` instead:
one query each for tables, columns, indexes, foreign key columns, foreign
key rules and CHECK constraints, whatever the number of tables, and answers
in the layout of ``Inspector.get_multi_*()``, which is what
``mighub-autogen`` consumes. This plugin registers it with
``registry.register_reader`` for both dialect names.

Where the servers leave a choice, the answers are what SQLAlchemy's own
reflection gives, so that the comparison rules stay the same:

- types are parsed from ``COLUMN_TYPE`` by the dialect's own parser (the one
  behind its reflection), stating the character set and collation only of
  a column whose collation is not the table's;
- a default is the SQL text after ``DEFAULT`` (``'it''s'``, ``5``,
  ``current_timestamp()``), followed by ``ON UPDATE ...`` when there is one;
  MySQL's ``information_schema`` gives literals unquoted and expressions
  with escaped quotes, which are put back into that form;
- a foreign key's ``ON UPDATE``/``ON DELETE`` is given unless it is
  ``NO ACTION``, or, on MariaDB, ``RESTRICT``, which MariaDB reports for
  foreign keys that state nothing;
- a primary key has no name (autogen's MariaDB rule names it ``PRIMARY``);
  every unique index is also a unique constraint (``duplicates_index``);
  prefix lengths and FULLTEXT/SPATIAL are the index options
  ``<dialect>_length`` / ``<dialect>_prefix``;
- CHECK constraints include MariaDB's column-level ones, but not the
  ``json_valid()`` check MariaDB adds by itself to a ``JSON`` column.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.mysql import BIT
from sqlalchemy.dialects.mysql.reflection import MySQLTableDefinitionParser
from sqlalchemy.types import SchemaType

__all__ = ["column_default", "read_schema"]

TableKey = tuple[str | None, str]

_TABLES = """
SELECT TABLE_NAME, TABLE_COLLATION, TABLE_COMMENT
FROM information_schema.TABLES
WHERE TABLE_SCHEMA = :schema AND TABLE_TYPE = 'BASE TABLE'
"""

_COLUMNS = """
SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT,
       EXTRA, COLUMN_COMMENT, CHARACTER_SET_NAME, COLLATION_NAME, GENERATION_EXPRESSION
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = :schema
"""

_STATISTICS = """
SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, SUB_PART, INDEX_TYPE,
       {expression}
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = :schema
"""

# Two queries rather than a join, which MariaDB answers three times slower.
_FOREIGN_KEY_COLUMNS = """
SELECT TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION, COLUMN_NAME,
       REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME
FROM information_schema.KEY_COLUMN_USAGE
WHERE TABLE_SCHEMA = :schema AND REFERENCED_TABLE_NAME IS NOT NULL
"""

_FOREIGN_KEY_RULES = """
SELECT TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE
FROM information_schema.REFERENTIAL_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = :schema
"""

# MariaDB names each CHECK constraint per table and says which table it is on.
_MARIADB_CHECKS = """
SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE
FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = :schema
"""

# MySQL's CHECK_CONSTRAINTS has no table; its names are unique in a schema.
_MYSQL_CHECKS = """
SELECT t.TABLE_NAME, c.CONSTRAINT_NAME, c.CHECK_CLAUSE
FROM information_schema.CHECK_CONSTRAINTS AS c
JOIN information_schema.TABLE_CONSTRAINTS AS t
  ON t.CONSTRAINT_SCHEMA = c.CONSTRAINT_SCHEMA
 AND t.CONSTRAINT_NAME = c.CONSTRAINT_NAME
 AND t.CONSTRAINT_TYPE = 'CHECK'
WHERE c.CONSTRAINT_SCHEMA = :schema AND t.TABLE_SCHEMA = :schema
"""


class Server:
    """What differs between the servers and their versions, for reading ``information_schema``."""

    def __init__(self, dialect: Any) -> None:
        self.name = str(dialect.name)
        self.mariadb = bool(getattr(dialect, "is_mariadb", False))
        version = tuple(getattr(dialect, "server_version_info", None) or ())
        # MariaDB 10.2.7 and later write COLUMN_DEFAULT as SQL; MySQL as the bare value.
        self.defaults_as_sql = self.mariadb and version >= (10, 2, 7)
        self.has_checks = version >= ((10, 2, 22) if self.mariadb else (8, 0, 16))
        self.has_index_expressions = not self.mariadb and version >= (8, 0, 13)
        self.unstated_rules = {"NO ACTION", "RESTRICT"} if self.mariadb else {"NO ACTION"}

    def unescape(self, text: str) -> str:
        """MySQL writes the quotes inside expressions as ``\\'``; MariaDB does not."""
        return text if self.mariadb else text.replace("\\'", "'")


def read_schema(
    inspector: sa.Inspector, schema: str | None, names: list[str] | None
) -> dict[str, dict[TableKey, Any]]:
    """The tables ``names`` of ``schema`` (``None``: all), as the inspector's batched methods.

    ``schema`` ``None`` is the connection's default database; the answers
    are keyed by ``(schema, table_name)`` with ``schema`` as given.
    """
    connection = inspector.bind
    assert isinstance(connection, sa.Connection)
    server = Server(inspector.dialect)
    database = schema if schema is not None else inspector.default_schema_name
    wanted = set(names) if names is not None else None
    tables: dict[str, tuple[str | None, str | None]] = {}  # name: (collation, comment)
    for name, collation, comment in connection.execute(sa.text(_TABLES), {"schema": database}):
        if wanted is None or name in wanted:
            tables[name] = (collation, comment or None)

    def rows(sql: str) -> Iterable[Any]:
        """The rows of the tables asked for: the queries read the whole schema."""
        for row in connection.execute(sa.text(sql), {"schema": database}):
            if row[0] in tables:
                yield row

    keys = {name: (schema, name) for name in tables}
    columns = _columns(inspector.dialect, server, rows(_COLUMNS), tables)
    expression = "EXPRESSION" if server.has_index_expressions else "NULL"
    indexes, uniques, primary_keys = _indexes(
        server, rows(_STATISTICS.format(expression=expression))
    )
    rules = {(row[0], row[1]): (row[2], row[3]) for row in rows(_FOREIGN_KEY_RULES)}
    foreign_keys = _foreign_keys(server, rows(_FOREIGN_KEY_COLUMNS), rules, database, schema)
    checks = {}
    if server.has_checks:
        checks = _checks(server, rows(_MARIADB_CHECKS if server.mariadb else _MYSQL_CHECKS))
    return {
        "columns": {keys[t]: columns.get(t, []) for t in tables},
        "pk_constraint": {
            keys[t]: {"constrained_columns": primary_keys.get(t, []), "name": None} for t in tables
        },
        "indexes": {keys[t]: indexes.get(t, []) for t in tables},
        "unique_constraints": {keys[t]: uniques.get(t, []) for t in tables},
        "foreign_keys": {keys[t]: foreign_keys.get(t, []) for t in tables},
        "check_constraints": {keys[t]: checks.get(t, []) for t in tables},
        "table_comment": {keys[t]: {"text": tables[t][1]} for t in tables},
    }


# ---------------------------------------------------------------------------
# Columns
# ---------------------------------------------------------------------------


def _columns(
    dialect: Any,
    server: Server,
    rows: Iterable[Any],
    tables: dict[str, tuple[str | None, str | None]],
) -> dict[str, list[dict[str, Any]]]:
    types = TypeParser(dialect)
    found: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for (
        table,
        name,
        position,
        column_type,
        nullable,
        default,
        extra,
        comment,
        charset,
        collation,
        generated,
    ) in rows:
        extra = extra or ""
        stated = collation is not None and collation != tables[table][0]
        type_ = types.parse(
            name, column_type, charset if stated else None, collation if stated else None
        )
        column: dict[str, Any] = {
            "name": name,
            "type": type_,
            "nullable": nullable == "YES",
            "default": None,
            "comment": comment or None,
        }
        if generated:
            column["computed"] = {
                "sqltext": f"({server.unescape(generated)})",
                "persisted": "STORED" in extra.upper() or "PERSISTENT" in extra.upper(),
            }
        else:
            column["default"] = column_default(default, extra, type_, server)
        if "auto_increment" in extra.lower():
            column["autoincrement"] = True
        elif isinstance(type_, sa.Integer):
            column["autoincrement"] = False
        found[table].append((position, column))
    return {
        table: [c for _, c in sorted(cols, key=lambda p: p[0])] for table, cols in found.items()
    }


class TypeParser:
    """``COLUMN_TYPE`` to a SQLAlchemy type, by the dialect's own ``SHOW CREATE TABLE`` parser.

    A schema repeats a handful of types: each spelling is parsed once. Types
    that attach to a table (``ENUM``) are copied rather than shared.
    """

    def __init__(self, dialect: Any) -> None:
        self.parser = MySQLTableDefinitionParser(dialect, dialect.identifier_preparer)
        self.parsed: dict[tuple[str, str | None, str | None], Any] = {}

    def parse(
        self, column: str, column_type: str, charset: str | None, collation: str | None
    ) -> Any:
        """The type; ``column`` names the column in the parser's warning of an unknown type."""
        key = (column_type, charset, collation)
        type_ = self.parsed.get(key)
        if type_ is None:
            quoted = column.replace("`", "``")
            line = f"  `{quoted}` {column_type}"
            if charset is not None:
                line += f" CHARACTER SET {charset}"
            if collation is not None:
                line += f" COLLATE {collation}"
            state = self.parser.parse(line, None)
            type_ = state.columns[0]["type"] if state.columns else sa.types.NullType()
            self.parsed[key] = type_
        return type_.copy() if isinstance(type_, SchemaType) else type_


_ON_UPDATE = re.compile(r"\bon update (\w+(?:\(\d*\))?)", re.IGNORECASE)
_NOW = re.compile(
    r"^(?:current_timestamp|now|localtime|localtimestamp)(?:\(\d*\))?$", re.IGNORECASE
)
_BIT_LITERAL = re.compile(r"^b'[01]*'$")


def column_default(raw: str | None, extra: str, type_: Any, server: Server) -> str | None:
    """A column's default as the SQL after ``DEFAULT``, with its ``ON UPDATE``; ``None`` if none.

    ``raw`` and ``extra`` are ``information_schema.COLUMNS``'s
    ``COLUMN_DEFAULT`` and ``EXTRA``. MariaDB (10.2.7 and later) gives the SQL
    already, and the word ``NULL`` for a nullable column without a default.
    MySQL gives a literal's bare value (``it's``, ``5``), and marks an
    expression with ``DEFAULT_GENERATED`` in ``EXTRA``: the literal is quoted
    again, the expression put in the parentheses MySQL's DDL needs.
    """
    if server.defaults_as_sql:
        default = None if raw is None or raw == "NULL" else raw
    elif raw is None:
        default = None
    elif "DEFAULT_GENERATED" in extra.upper() or _NOW.match(raw):
        expression = server.unescape(raw)
        default = expression if _NOW.match(expression) else f"({expression})"
    elif isinstance(type_, BIT) and _BIT_LITERAL.match(raw):
        default = raw
    else:
        default = "'" + raw.replace("'", "''") + "'"
    on_update = _ON_UPDATE.search(extra)
    if on_update is None:
        return default
    return f"{default or 'NULL'} ON UPDATE {on_update.group(1)}"


# ---------------------------------------------------------------------------
# Indexes, unique constraints, primary keys
# ---------------------------------------------------------------------------


def _indexes(
    server: Server, rows: Iterable[Any]
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[dict[str, Any]]], dict[str, list[str]]]:
    parts: dict[tuple[str, str], list[tuple[int, Any]]] = defaultdict(list)
    for row in rows:
        parts[(row[0], row[1])].append((row[3], row))
    indexes: dict[str, list[dict[str, Any]]] = defaultdict(list)
    uniques: dict[str, list[dict[str, Any]]] = defaultdict(list)
    primary_keys: dict[str, list[str]] = {}
    for (table, name), positions in parts.items():
        ordered = [row for _, row in sorted(positions, key=lambda p: p[0])]
        columns = [row[4] for row in ordered]
        if name == "PRIMARY":
            primary_keys[table] = columns
            continue
        unique = not int(ordered[0][2])
        index: dict[str, Any] = {"name": name, "column_names": columns, "unique": unique}
        options: dict[str, Any] = {}
        kind = str(ordered[0][6] or "").upper()
        if kind in ("FULLTEXT", "SPATIAL"):
            options[f"{server.name}_prefix"] = kind
        lengths = {row[4]: int(row[5]) for row in ordered if row[5] is not None and row[4]}
        if lengths:
            options[f"{server.name}_length"] = lengths
        if options:
            index["dialect_options"] = options
        if None in columns:  # MySQL's functional key parts
            index["expressions"] = [
                row[4] if row[4] is not None else server.unescape(row[7] or "") for row in ordered
            ]
        indexes[table].append(index)
        if unique:
            uniques[table].append({"name": name, "column_names": columns, "duplicates_index": name})
    for found in (indexes, uniques):
        for entries in found.values():
            entries.sort(key=lambda entry: entry["name"])
    return indexes, uniques, primary_keys


# ---------------------------------------------------------------------------
# Foreign keys and CHECK constraints
# ---------------------------------------------------------------------------


def _foreign_keys(
    server: Server,
    rows: Iterable[Any],
    rules: dict[tuple[str, str], tuple[str, str]],
    database: str | None,
    schema: str | None,
) -> dict[str, list[dict[str, Any]]]:
    parts: dict[tuple[str, str], list[tuple[int, Any]]] = defaultdict(list)
    for row in rows:
        parts[(row[0], row[1])].append((row[2], row))
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (table, name), positions in sorted(parts.items()):
        ordered = [row for _, row in sorted(positions, key=lambda p: p[0])]
        first = ordered[0]
        on_update, on_delete = rules.get((table, name), (None, None))
        options = {
            option: rule
            for option, rule in (("onupdate", on_update), ("ondelete", on_delete))
            if rule is not None and rule.upper() not in server.unstated_rules
        }
        found[table].append(
            {
                "name": name,
                "constrained_columns": [row[3] for row in ordered],
                # same database: the schema as asked for (None for the default one)
                "referred_schema": schema if first[4] == database else first[4],
                "referred_table": first[5],
                "referred_columns": [row[6] for row in ordered],
                "options": options,
            }
        )
    return found


def _checks(server: Server, rows: Iterable[Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for table, name, clause in rows:
        if server.mariadb and clause == f"json_valid(`{name}`)":
            continue  # what MariaDB adds to a JSON column, named after it
        found[table].append({"name": name, "sqltext": server.unescape(clause)})
    for entries in found.values():
        entries.sort(key=lambda entry: entry["name"])
    return found
