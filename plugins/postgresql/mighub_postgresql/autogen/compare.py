"""What autogenerate finds on PostgreSQL: pure comparisons of reflected data with the model.

Each ``reflect_*`` function reads one kind of object from the catalog; each
``compare_*`` function takes what was reflected and what the model says and
returns operation objects (never SQL, never rendered text). The hook
adapters in :mod:`mighub_postgresql.autogen.hooks` only call these, so the
rules can be tested, and reused, without the autogenerate machinery.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, ENUM, ExcludeConstraint

from mighub.operations.base import Operation
from mighub.operations.ops import DropConstraintOp
from mighub_postgresql.autogen.normalize import normalize_sql
from mighub_postgresql.ops import (
    AddEnumValueOp,
    AlterSequenceOp,
    CreateEnumOp,
    CreateExcludeConstraintOp,
    CreateSequenceOp,
    DropEnumOp,
    DropEnumValueOp,
    DropSequenceOp,
    RenameEnumValueOp,
)

TypeKey = tuple[str | None, str]
"""(schema, name); ``None`` is the connection's default schema."""


# ---------------------------------------------------------------------------
# Enum types
# ---------------------------------------------------------------------------


def reflect_enums(
    connection: sa.Connection, schemas: Iterable[str | None]
) -> dict[TypeKey, list[str]]:
    """Every enum type of ``schemas`` (``None``: the default schema) with its values in order."""
    default = connection.execute(sa.text("SELECT current_schema()")).scalar()
    wanted = {s or default: s for s in schemas}
    rows = connection.execute(
        sa.text(
            "SELECT n.nspname, t.typname, "
            "array_agg(e.enumlabel ORDER BY e.enumsortorder) AS labels "
            "FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
            "JOIN pg_enum e ON e.enumtypid = t.oid "
            "WHERE n.nspname = ANY(:schemas) GROUP BY n.nspname, t.typname"
        ),
        {"schemas": list(wanted)},
    )
    return {(wanted[row.nspname], row.typname): list(row.labels) for row in rows}


def reflect_implicit_enums(
    connection: sa.Connection, schemas: Iterable[str | None]
) -> set[TypeKey]:
    """The enum types of ``schemas`` that mighub created with a column (marked by a comment):
    they are dropped with the last column that uses them, never by an operation of their own."""
    from mighub_postgresql.catalog import IMPLICIT_TYPE_COMMENT

    default = connection.execute(sa.text("SELECT current_schema()")).scalar()
    wanted = {s or default: s for s in schemas}
    rows = connection.execute(
        sa.text(
            "SELECT n.nspname, t.typname FROM pg_type t "
            "JOIN pg_namespace n ON n.oid = t.typnamespace "
            "WHERE t.typtype = 'e' AND n.nspname = ANY(:schemas) "
            "AND obj_description(t.oid, 'pg_type') = :mark"
        ),
        {"schemas": list(wanted), "mark": IMPLICIT_TYPE_COMMENT},
    )
    return {(wanted[row.nspname], row.typname) for row in rows}


def model_enums(tables: Iterable[sa.Table]) -> dict[TypeKey, list[str]]:
    """The named PostgreSQL enum types the model's columns use (arrays of them included)."""
    dialect = _dialect()
    found: dict[TypeKey, list[str]] = {}
    for table in tables:
        for column in table.columns:
            type_ = column.type
            if isinstance(type_, ARRAY):
                type_ = type_.item_type
            if not isinstance(type_, sa.Enum):
                continue
            impl = type_.dialect_impl(dialect)
            if isinstance(impl, ENUM) and impl.name and impl.enums:
                found.setdefault((impl.schema, str(impl.name)), list(impl.enums))
    return found


def compare_enum_values(
    name: str, schema: str | None, old: Sequence[str], new: Sequence[str]
) -> list[Operation]:
    """The operations that turn the values ``old`` into ``new``, never recreating the type
    for an added value.

    A value that disappears from between two values that stay, where
    exactly one new value appears between the same two, is a rename
    (``rename_enum_value``: rows follow it). Other new values are added in
    place (``add_enum_value`` with ``before``/``after``), other vanished
    ones dropped (``drop_enum_value``, which recreates the type). The order
    of the values that stay cannot change in PostgreSQL, so it is not
    compared.
    """
    kept = [v for v in old if v in new]
    removed = [v for v in old if v not in new]
    ops: list[Operation] = []
    gaps_old = _gaps(old, kept)
    gaps_new = _gaps(new, kept)
    renames = {
        gaps_old[gap][0]: gaps_new[gap][0]
        for gap in gaps_old
        if len(gaps_old[gap]) == 1 and len(gaps_new.get(gap, [])) == 1
    }
    for o, n in renames.items():
        ops.append(RenameEnumValueOp(name, o, n, schema=schema))
    current = [renames.get(v, v) for v in old]
    for value in removed:
        if value in renames:
            continue
        i = current.index(value)
        after = current[i - 1] if i > 0 else None
        before = current[i + 1] if after is None and i + 1 < len(current) else None
        ops.append(DropEnumValueOp(name, value, schema=schema, before=before, after=after))
        current.remove(value)
    for value in new:
        if value in current:
            continue
        i = new.index(value)
        if i > 0:
            ops.append(AddEnumValueOp(name, value, schema=schema, after=new[i - 1]))
            current.insert(current.index(new[i - 1]) + 1, value)
        elif current:
            ops.append(AddEnumValueOp(name, value, schema=schema, before=current[0]))
            current.insert(0, value)
        else:
            ops.append(AddEnumValueOp(name, value, schema=schema))
            current.append(value)
    return ops


def _gaps(
    values: Sequence[str], kept: Sequence[str]
) -> dict[tuple[str | None, str | None], list[str]]:
    """The values not in ``kept``, grouped by the kept values around them."""
    gaps: dict[tuple[str | None, str | None], list[str]] = {}
    previous: str | None = None
    pending: list[str] = []
    for value in [*values, None]:
        if value is None or value in kept:
            if pending:
                gaps[(previous, value)] = pending
            previous, pending = value, []
        else:
            pending.append(value)
    return gaps


def compare_enums(
    reflected: Mapping[TypeKey, Sequence[str]], wanted: Mapping[TypeKey, Sequence[str]]
) -> tuple[list[Operation], list[Operation]]:
    """(operations before the table changes, operations after them).

    New types and value changes come first, so tables and defaults can
    use them; dropped types last, after the tables that used them, and
    with ``if_exists`` since mighub drops a type it created along with its
    last column.
    """
    before: list[Operation] = []
    after: list[Operation] = []
    for key in sorted(wanted, key=_sort_key):
        schema, name = key
        if key not in reflected:
            before.append(CreateEnumOp(name, list(wanted[key]), schema=schema))
        elif list(reflected[key]) != list(wanted[key]):
            before += compare_enum_values(name, schema, reflected[key], wanted[key])
    for key in sorted(set(reflected) - set(wanted), key=_sort_key):
        schema, name = key
        after.append(DropEnumOp(name, schema=schema, if_exists=True, values=list(reflected[key])))
    return before, after


def _sort_key(key: TypeKey) -> tuple[str, str]:
    return (key[0] or "", key[1])


# ---------------------------------------------------------------------------
# Sequences
# ---------------------------------------------------------------------------

SEQUENCE_COMPARED = ("start", "increment", "minvalue", "maxvalue", "cycle", "cache")


def reflect_sequences(
    connection: sa.Connection, schemas: Iterable[str | None]
) -> dict[TypeKey, dict[str, Any]]:
    """Free-standing sequences: not those of ``SERIAL`` or identity columns (owned by them)."""
    default = connection.execute(sa.text("SELECT current_schema()")).scalar()
    wanted = {s or default: s for s in schemas}
    rows = connection.execute(
        sa.text(
            "SELECT s.schemaname, s.sequencename, s.start_value AS start, "
            "s.increment_by AS increment, s.min_value AS minvalue, s.max_value AS maxvalue, "
            "s.cycle, s.cache_size AS cache, s.data_type::text AS data_type "
            "FROM pg_sequences s "
            "WHERE s.schemaname = ANY(:schemas) AND NOT EXISTS ("
            "SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass "
            "AND d.objid = (quote_ident(s.schemaname) || '.' || "
            "quote_ident(s.sequencename))::regclass AND d.deptype IN ('a', 'i'))"
        ),
        {"schemas": list(wanted)},
    ).mappings()
    return {
        (wanted[row["schemaname"]], row["sequencename"]): {
            k: row[k] for k in (*SEQUENCE_COMPARED, "data_type")
        }
        for row in rows
    }


def model_sequences(metadata: sa.MetaData) -> dict[TypeKey, sa.Sequence]:
    return {(s.schema, s.name): s for s in metadata._sequences.values()}


def compare_sequences(
    reflected: Mapping[TypeKey, Mapping[str, Any]], wanted: Mapping[TypeKey, sa.Sequence]
) -> tuple[list[Operation], list[Operation]]:
    """(creates and changes, drops). Only the options the model sets are compared."""
    before: list[Operation] = []
    after: list[Operation] = []
    for key in sorted(wanted, key=_sort_key):
        sequence = wanted[key]
        if key not in reflected:
            before.append(CreateSequenceOp.from_sequence(sequence))
            continue
        found = reflected[key]
        changes = {
            option: getattr(sequence, option)
            for option in SEQUENCE_COMPARED
            if getattr(sequence, option, None) is not None
            and getattr(sequence, option) != found[option]
        }
        if changes:
            before.append(
                AlterSequenceOp(
                    key[1],
                    schema=key[0],
                    changes=changes,
                    existing={option: found[option] for option in changes},
                )
            )
    for key in sorted(set(reflected) - set(wanted), key=_sort_key):
        found = reflected[key]
        options = {k: found[k] for k in SEQUENCE_COMPARED}
        create = CreateSequenceOp(key[1], schema=key[0], options=options)
        after.append(DropSequenceOp(key[1], schema=key[0], _reverse=create))
    return before, after


# ---------------------------------------------------------------------------
# Exclusion constraints
# ---------------------------------------------------------------------------


def reflect_exclusion_constraints(
    connection: sa.Connection, table_name: str, schema: str | None
) -> dict[str, str]:
    """name -> ``pg_get_constraintdef`` of the table's exclusion constraints."""
    from mighub_postgresql.catalog import qualified

    rows = connection.execute(
        sa.text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'x' AND conrelid = to_regclass(:table)"
        ),
        {"table": qualified(connection.dialect, table_name, schema)},
    )
    return dict(rows.all())


def reflect_all_exclusion_constraints(
    connection: sa.Connection, schemas: Iterable[str | None]
) -> dict[TypeKey, dict[str, str]]:
    """(schema, table) -> {name: definition} for every table of ``schemas``, in one query."""
    default = connection.execute(sa.text("SELECT current_schema()")).scalar()
    wanted = {s or default: s for s in schemas}
    rows = connection.execute(
        sa.text(
            "SELECT n.nspname, t.relname, c.conname, pg_get_constraintdef(c.oid) AS definition "
            "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace "
            "WHERE c.contype = 'x' AND n.nspname = ANY(:schemas)"
        ),
        {"schemas": list(wanted)},
    )
    found: dict[TypeKey, dict[str, str]] = {}
    for row in rows:
        key = (wanted[row.nspname], row.relname)
        found.setdefault(key, {})[row.conname] = row.definition
    return found


def model_exclusion_definition(constraint: ExcludeConstraint) -> str:
    """The model's constraint as ``pg_get_constraintdef`` would spell it (before normalising)."""
    compiled = str(sa.schema.AddConstraint(constraint).compile(dialect=_dialect()))
    return compiled[compiled.index(" EXCLUDE ") + 1 :]


def exclusion_definitions_equal(reflected: str, constraint: ExcludeConstraint) -> bool:
    model = model_exclusion_definition(constraint)
    # the model qualifies WHERE columns with the table name; the catalog does not
    table = constraint.table.name if constraint.table is not None else None
    if table:
        model = re.sub(rf"\b{re.escape(table)}\.", "", model)
    return _normalize_constraint(reflected) == _normalize_constraint(model)


def _normalize_constraint(definition: str) -> str | None:
    text = normalize_sql(definition) or ""
    return re.sub(r"\busing btree\b|\basc\b", "", text).replace("  ", " ").strip()


def compare_exclusion_constraints(
    table_name: str,
    schema: str | None,
    reflected: Mapping[str, str],
    model_table: sa.Table,
) -> list[Operation]:
    """Constraints to add, to drop, and to replace (drop, then add) when they differ."""
    model = {
        str(c.name): c
        for c in model_table.constraints
        if isinstance(c, ExcludeConstraint) and c.name is not None
    }
    ops: list[Operation] = []
    for name in sorted(set(reflected) - set(model)):
        ops.append(_drop_exclusion(name, table_name, schema, reflected[name]))
    for name in sorted(model):
        create = CreateExcludeConstraintOp.from_constraint(model[name])
        if name not in reflected:
            ops.append(create)
        elif not exclusion_definitions_equal(reflected[name], model[name]):
            ops.append(_drop_exclusion(name, table_name, schema, reflected[name]))
            ops.append(create)
    return ops


_EXCLUDE = re.compile(
    r"^EXCLUDE USING (?P<using>\w+) \((?P<elements>.*?)\)"
    r"(?: WHERE \((?P<where>.*)\))?(?P<deferrable> DEFERRABLE)?(?: INITIALLY (?P<initially>\w+))?$",
    re.DOTALL,
)


def parse_exclusion_definition(
    name: str, table_name: str, schema: str | None, definition: str
) -> CreateExcludeConstraintOp:
    """The operation that creates a reflected exclusion constraint again (for downgrades)."""
    match = _EXCLUDE.match(definition.strip())
    if match is None:
        raise ValueError(f"not an exclusion constraint definition: {definition!r}")
    elements = []
    for part in _split_top_level(match["elements"]):
        expression, _, operator = part.rpartition(" WITH ")
        elements.append((expression.strip(), operator.strip()))
    kw: dict[str, Any] = {"using": match["using"]}
    if match["where"]:
        kw["where"] = match["where"]
    if match["deferrable"]:
        kw["deferrable"] = True
    if match["initially"]:
        kw["initially"] = match["initially"]
    return CreateExcludeConstraintOp(name, table_name, elements, schema=schema, kw=kw)


def _split_top_level(text: str) -> list[str]:
    parts, depth, start, in_literal = [], 0, 0, False
    for i, ch in enumerate(text):
        if ch == "'":
            in_literal = not in_literal
        elif not in_literal and ch == "(":
            depth += 1
        elif not in_literal and ch == ")":
            depth -= 1
        elif not in_literal and ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _drop_exclusion(name: str, table_name: str, schema: str | None, definition: str) -> Operation:
    create = parse_exclusion_definition(name, table_name, schema, definition)
    return DropConstraintOp(name, table_name, None, schema=schema, _reverse=create)


def _dialect() -> sa.Dialect:
    from sqlalchemy.dialects import postgresql

    return postgresql.dialect()
