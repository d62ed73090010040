"""Questions mighub asks PostgreSQL's catalog while it migrates (online only).

Kept apart from the DDL so the rules that depend on them (create an enum type
once, drop it with the last column that uses it, recreate it without a
value) read as plain code in :mod:`mighub_postgresql.impl`.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

IMPLICIT_TYPE_COMMENT = "mighub: created with a column; dropped with the last column that uses it"
"""The comment that marks an enum type mighub created because a column needed it.

Only such types are dropped when their last column goes: a type created
with ``op.create_enum`` (or by hand) is the project's, and stays until it is
dropped explicitly.
"""


@dataclass(frozen=True)
class EnumType:
    """An enum type as the catalog has it."""

    oid: int
    schema: str
    name: str
    values: tuple[str, ...]
    comment: str | None

    @property
    def implicit(self) -> bool:
        return self.comment == IMPLICIT_TYPE_COMMENT


def qualified(dialect: sa.Dialect, name: str, schema: str | None) -> str:
    """``schema.name`` quoted as SQL, for ``to_regtype`` and ``to_regclass``."""
    preparer = dialect.identifier_preparer
    quoted = preparer.quote(name)
    return f"{preparer.quote_schema(schema)}.{quoted}" if schema else quoted


def find_enum(connection: sa.Connection, name: str, schema: str | None) -> EnumType | None:
    """The enum type ``name`` resolves to (through ``search_path`` without a schema), if any."""
    row = connection.execute(
        sa.text(
            "SELECT t.oid, n.nspname, t.typname, t.typtype, "
            "obj_description(t.oid, 'pg_type') AS comment, "
            "ARRAY(SELECT e.enumlabel FROM pg_enum e WHERE e.enumtypid = t.oid "
            "ORDER BY e.enumsortorder) AS labels "
            "FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
            "WHERE t.oid = to_regtype(:name)"
        ),
        {"name": qualified(connection.dialect, name, schema)},
    ).first()
    if row is None or row.typtype != "e":
        return None
    return EnumType(row.oid, row.nspname, row.typname, tuple(row.labels), row.comment)


def enum_types_used_by(
    connection: sa.Connection, table_name: str, schema: str | None, column_name: str | None = None
) -> list[int]:
    """The enum types (by oid) the table's columns use, directly or as arrays."""
    sql = (
        "SELECT DISTINCT t.oid FROM pg_attribute a "
        "JOIN pg_type t ON a.atttypid IN (t.oid, t.typarray) "
        "WHERE a.attrelid = to_regclass(:table) AND a.attnum > 0 AND NOT a.attisdropped "
        "AND t.typtype = 'e'"
    )
    params: dict[str, object] = {"table": qualified(connection.dialect, table_name, schema)}
    if column_name is not None:
        sql += " AND a.attname = :column"
        params["column"] = column_name
    return [row[0] for row in connection.execute(sa.text(sql), params)]


_UNUSED = (
    "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.refclassid = 'pg_type'::regclass "
    "AND d.refobjid IN (t.oid, t.typarray) AND d.deptype = 'n')"
)


def implicit_orphans(connection: sa.Connection, oids: list[int]) -> list[tuple[str, str]]:
    """(schema, name) of the types among ``oids`` that mighub created and nothing uses now."""
    if not oids:
        return []
    rows = connection.execute(
        sa.text(
            "SELECT n.nspname, t.typname FROM pg_type t "
            "JOIN pg_namespace n ON n.oid = t.typnamespace "
            f"WHERE t.oid = ANY(:oids) AND obj_description(t.oid, 'pg_type') = :marker "
            f"AND {_UNUSED} ORDER BY n.nspname, t.typname"
        ),
        {"oids": list(oids), "marker": IMPLICIT_TYPE_COMMENT},
    )
    return [(row.nspname, row.typname) for row in rows]


def orphan_sweep_sql() -> str:
    """A ``DO`` block that drops every type mighub created that no column uses any more.

    Offline there is no catalog to ask which types a dropped table used, so
    the script asks the server when it runs. Types created with
    ``op.create_enum`` or by hand carry no mark and are never touched.
    """
    marker = IMPLICIT_TYPE_COMMENT.replace("'", "''")
    return (
        "DO $$\n"
        "DECLARE\n"
        "    orphan regtype;\n"
        "BEGIN\n"
        "    FOR orphan IN\n"
        "        SELECT t.oid::regtype FROM pg_type t\n"
        f"        WHERE t.typtype = 'e' AND obj_description(t.oid, 'pg_type') = '{marker}'\n"
        f"        AND {_UNUSED}\n"
        "    LOOP\n"
        "        EXECUTE format('DROP TYPE %s', orphan);\n"
        "    END LOOP;\n"
        "END\n"
        "$$"
    )


@dataclass(frozen=True)
class ColumnUse:
    """A table column whose type is an enum type (or an array of it), with its default."""

    schema: str
    table: str
    column: str
    is_array: bool
    default: str | None


def columns_using(connection: sa.Connection, oid: int) -> list[ColumnUse]:
    """Every table column of type ``oid`` or ``oid[]``: what recreating the type must convert."""
    rows = connection.execute(
        sa.text(
            "SELECT n.nspname, c.relname, a.attname, a.atttypid = t.typarray AS is_array, "
            "pg_get_expr(ad.adbin, ad.adrelid) AS default_sql "
            "FROM pg_type t "
            "JOIN pg_attribute a ON a.atttypid IN (t.oid, t.typarray) "
            "JOIN pg_class c ON c.oid = a.attrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum "
            "WHERE t.oid = :oid AND a.attnum > 0 AND NOT a.attisdropped "
            "AND c.relkind IN ('r', 'p') ORDER BY n.nspname, c.relname, a.attnum"
        ),
        {"oid": oid},
    )
    return [
        ColumnUse(row.nspname, row.relname, row.attname, row.is_array, row.default_sql)
        for row in rows
    ]
