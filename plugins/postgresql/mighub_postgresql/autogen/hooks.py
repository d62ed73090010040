"""PostgreSQL's comparators as ``mighub-autogen`` calls them: adapters around :mod:`.compare`.

The rules themselves live in :mod:`.compare` (reflect, then compare, then
operations), so they can be tested and reused without the autogenerate
machinery. The calling conventions are autogen's (docs/autogenerate.md,
"Extending autogenerate"):

- ``schema`` level: ``fn(context, upgrade_ops, schemas)``, once per run;
- ``table`` level: ``fn(context, modify_table_ops, schema, table_name,
  db_table, model_table)``, for each table both sides have.

Column-bound enum types are created and dropped by the plugin's DDL with
the first and last column that use them (see docs/postgresql.md), so the
enum comparator writes no ``create_enum`` for a type the models need and
no ``drop_enum`` for a type mighub created that way: it compares the values
of types both sides have, and drops the project's own (unmarked) types that
no model uses any more.

:mod:`.compare` needs SQLAlchemy's PostgreSQL dialect, so each comparator
imports it when it runs: registering them must not load that dialect for a
``check`` on another database.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from mighub.operations.ops import ModifyTableOps, UpgradeOps
from mighub_postgresql.ops import CreateEnumOp, DropEnumOp


def compare_enum_types(
    context: Any, upgrade_ops: UpgradeOps, schemas: Iterable[str | None]
) -> None:
    """Value changes of existing types first; the project's types no model uses, last."""
    from mighub_postgresql.autogen import compare

    schemas = list(schemas)
    reflected = compare.reflect_enums(context.connection, schemas)
    wanted = compare.model_enums(context.model_tables.values())
    implicit = compare.reflect_implicit_enums(context.connection, schemas)
    before, after = compare.compare_enums(reflected, wanted)
    before = [op for op in before if not isinstance(op, CreateEnumOp)]
    after = [
        op for op in after if not (isinstance(op, DropEnumOp) and (op.schema, op.name) in implicit)
    ]
    upgrade_ops.ops[:0] = before
    upgrade_ops.ops.extend(after)


def compare_sequences(context: Any, upgrade_ops: UpgradeOps, schemas: Iterable[str | None]) -> None:
    """Free-standing sequences of the models (``MetaData`` sequences) against the database."""
    from mighub_postgresql.autogen import compare

    schemas = [context.schema_key(s) for s in schemas]
    reflected = compare.reflect_sequences(context.connection, schemas)
    wanted: dict[Any, sa.Sequence] = {}
    for metadata in context.metadatas:
        for (schema, name), sequence in compare.model_sequences(metadata).items():
            key = (context.schema_key(schema), name)
            if key[0] in schemas:
                wanted[key] = sequence
    before, after = compare.compare_sequences(reflected, wanted)
    upgrade_ops.ops[:0] = before
    upgrade_ops.ops.extend(after)


def compare_exclusion_constraints(
    context: Any,
    modify_table_ops: ModifyTableOps,
    schema: str | None,
    table_name: str,
    db_table: Any,
    model_table: sa.Table,
) -> None:
    """Exclusion constraints of a table both sides have (a new table brings its own)."""
    from mighub_postgresql.autogen import compare

    cache = context.cache
    if "postgresql.exclusion" not in cache:  # one query per run, not one per table
        schemas = {key[0] for key in context.db_tables}
        cache["postgresql.exclusion"] = compare.reflect_all_exclusion_constraints(
            context.connection, schemas
        )
    reflected = cache["postgresql.exclusion"].get((context.schema_key(schema), table_name), {})
    modify_table_ops.ops.extend(
        compare.compare_exclusion_constraints(table_name, schema, reflected, model_table)
    )


COMPARATORS = [
    # (name, function, level)
    ("postgresql.enum_types", compare_enum_types, "schema"),
    ("postgresql.sequences", compare_sequences, "schema"),
    ("postgresql.exclusion_constraints", compare_exclusion_constraints, "constraint"),
]
