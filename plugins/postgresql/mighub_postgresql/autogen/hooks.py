"""The comparators as autogenerate calls them: thin adapters around :mod:`.compare`.

The autogenerate plugin is written in parallel; these adapters assume the
calling conventions below (Alembic's, which mighub's users and plugin
authors know), and all the rules live in :mod:`.compare` so that only this
module changes if the final API differs:

- ``schema`` level: ``fn(autogen_context, upgrade_ops, schemas)``;
- ``table`` level: ``fn(autogen_context, modify_table_ops, schema, table_name,
  conn_table, metadata_table)``, ``conn_table``/``metadata_table`` being
  ``None`` for a table on one side only;
- ``column`` level: ``fn(autogen_context, alter_column_op, schema, table_name,
  column_name, conn_col, metadata_col)`` with reflected and model ``Column``
  objects;
- ``autogen_context`` has ``connection`` (a SQLAlchemy ``Connection``) and
  ``metadata`` (the target ``MetaData``, or a list of them).

Each returns :data:`mighub.registries.STOP` when it has settled the question
for the object at hand, so a generic comparator further down the chain does
not report it again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from mighub.operations.ops import CreateIndexOp, DropIndexOp
from mighub.registries import STOP
from mighub_postgresql.autogen import compare


def _metadatas(context: Any) -> list[sa.MetaData]:
    metadata = getattr(context, "metadata", None)
    if metadata is None:
        return []
    return list(metadata) if isinstance(metadata, (list, tuple)) else [metadata]


def _tables(context: Any, schemas: Iterable[str | None]) -> list[sa.Table]:
    wanted = set(schemas)
    return [t for md in _metadatas(context) for t in md.tables.values() if t.schema in wanted]


def compare_enum_types(context: Any, upgrade_ops: Any, schemas: Iterable[str | None]) -> None:
    """New, dropped and changed enum types: ``create_enum`` first, ``drop_enum`` last."""
    schemas = list(schemas)
    reflected = compare.reflect_enums(context.connection, schemas)
    wanted = compare.model_enums(_tables(context, schemas))
    before, after = compare.compare_enums(reflected, wanted)
    upgrade_ops.ops[:0] = before
    upgrade_ops.ops.extend(after)


def compare_sequences(context: Any, upgrade_ops: Any, schemas: Iterable[str | None]) -> None:
    """Free-standing sequences of the model (``MetaData`` sequences) against the database."""
    schemas = list(schemas)
    reflected = compare.reflect_sequences(context.connection, schemas)
    wanted: dict[Any, sa.Sequence] = {}
    for metadata in _metadatas(context):
        wanted.update(
            {k: v for k, v in compare.model_sequences(metadata).items() if k[0] in schemas}
        )
    before, after = compare.compare_sequences(reflected, wanted)
    upgrade_ops.ops[:0] = before
    upgrade_ops.ops.extend(after)


def compare_exclusion_constraints(
    context: Any,
    modify_table_ops: Any,
    schema: str | None,
    table_name: str,
    conn_table: sa.Table | None,
    metadata_table: sa.Table | None,
) -> None:
    """Exclusion constraints of a table both sides have (a new table brings its own)."""
    if conn_table is None or metadata_table is None:
        return
    reflected = compare.reflect_exclusion_constraints(context.connection, table_name, schema)
    modify_table_ops.ops.extend(
        compare.compare_exclusion_constraints(table_name, schema, reflected, metadata_table)
    )


def drop_equivalent_index_changes(
    context: Any,
    modify_table_ops: Any,
    schema: str | None,
    table_name: str,
    conn_table: sa.Table | None,
    metadata_table: sa.Table | None,
) -> None:
    """Remove index changes that only a different spelling caused (runs last).

    PostgreSQL gives an expression index back as ``lower((name)::text)``
    for the model's ``lower(name)``; compared by text it would be dropped
    and created again on every run.
    """
    if conn_table is None or metadata_table is None:
        return
    reflected = {
        ix["name"]: ix
        for ix in sa.inspect(context.connection).get_indexes(table_name, schema=schema)
    }
    model = {ix.name: ix for ix in metadata_table.indexes if ix.name is not None}
    same = {
        name
        for name in set(reflected) & set(model)
        if compare.indexes_equal(reflected[name], model[name])
    }
    modify_table_ops.ops = [
        op
        for op in modify_table_ops.ops
        if not (isinstance(op, (CreateIndexOp, DropIndexOp)) and op.index_name in same)
    ]


def compare_server_default(
    context: Any,
    alter_column_op: Any,
    schema: str | None,
    table_name: str,
    column_name: str,
    conn_col: sa.Column[Any],
    metadata_col: sa.Column[Any],
) -> Any:
    """Defaults compared after normalising casts and quoting; identity and serial columns
    reported only for a real change."""
    reflected_identity = _identity_dict(conn_col.identity)
    model_identity = metadata_col.identity
    if reflected_identity is not None or model_identity is not None:
        if compare.identity_changed(reflected_identity, model_identity, metadata_col.type):
            alter_column_op.existing_server_default = conn_col.identity
            alter_column_op.modify_server_default = model_identity
        return STOP
    if isinstance(metadata_col.server_default, sa.Computed) or conn_col.computed is not None:
        return STOP  # a generation expression cannot change in place
    reflected = _default_text(conn_col.server_default)
    if compare.server_default_changed(reflected, metadata_col):
        alter_column_op.existing_server_default = conn_col.server_default
        alter_column_op.modify_server_default = metadata_col.server_default
    return STOP


def _default_text(default: Any) -> str | None:
    if default is None:
        return None
    arg = getattr(default, "arg", default)
    return arg.text if hasattr(arg, "text") else str(arg)


def _identity_dict(identity: sa.Identity | None) -> dict[str, Any] | None:
    if identity is None:
        return None
    return {
        key: getattr(identity, key)
        for key in ("always", "start", "increment", "minvalue", "maxvalue", "cycle", "cache")
    }


COMPARATORS = [
    # (function, level, priority): higher priority runs first
    (compare_enum_types, "schema", 0),
    (compare_sequences, "schema", 0),
    (compare_exclusion_constraints, "table", 0),
    (drop_equivalent_index_changes, "table", -100),
    (compare_server_default, "column", 100),
]
