"""The comparison: read the database, pair its tables with the models', run the comparators.

The run, for one ``MetaData`` and one connection:

1. list the schemas (the default one, or all of them with ``include_schemas``),
   after ``include_name(name, "schema", {})``;
2. read every table of those schemas in a few batched queries
   (:mod:`mighub_autogen.reflect`), after ``include_name`` and without the
   version table, into ``context.db_tables``; collect the models' tables of
   the same schemas into ``context.model_tables``;
3. run the **schema** chain once: ``fn(context, upgrade_ops, schemas)``. The
   built-in ``autogen.tables`` comparator creates the tables only the models
   have, drops those only the database has, and compares every table both
   have with :func:`compare_table_pair`, which runs the **table**,
   **column** (for each column both sides have) and **constraint** chains.

A chain is every comparator registered for its level and this dialect (or
for every dialect), highest priority first; a comparator that returns
:data:`mighub.registries.STOP` ends it for the object at hand.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import conv

from mighub.operations.ops import (
    AddColumnOp,
    AddConstraintOp,
    AlterColumnOp,
    CreateForeignKeyOp,
    CreateIndexOp,
    CreateTableCommentOp,
    CreateTableOp,
    DropColumnOp,
    DropConstraintOp,
    DropIndexOp,
    DropTableCommentOp,
    DropTableOp,
    ModifyTableOps,
    Operation,
    UpgradeOps,
)
from mighub.registries import STOP
from mighub_autogen.context import AutogenContext
from mighub_autogen.reflect import ReflectedColumn, ReflectedTable, TableKey, reflect_tables


def produce_upgrade_ops(context: AutogenContext, *, upgrade_token: str = "upgrades") -> UpgradeOps:
    """Compare the models with the database: the operations that bring the database there."""
    upgrade_ops = UpgradeOps(upgrade_token=upgrade_token)
    # The models and what is read are many small objects that live until the end:
    # keep the garbage collector from walking them again and again meanwhile.
    gc.freeze()
    try:
        schemas = list_schemas(context)
        read_database(context, schemas)
        collect_models(context, schemas)
        for comparator in context.comparator_chain("schema"):
            if comparator.function(context, upgrade_ops, schemas) is STOP:
                break
    finally:
        gc.unfreeze()
    return upgrade_ops


# ---------------------------------------------------------------------------
# What to compare
# ---------------------------------------------------------------------------


def list_schemas(context: AutogenContext) -> list[str | None]:
    """``[None]`` (the default schema), plus every other schema with ``include_schemas``."""
    schemas: list[str | None] = [None]
    if context.option("include_schemas"):
        system = context.system_schemas()
        default = context.default_schema
        for name in context.inspector.get_schema_names():
            if name not in system and name != default:
                schemas.append(name)
    return [s for s in schemas if context.run_name_filters(s, "schema", {})]


def read_database(context: AutogenContext, schemas: Sequence[str | None]) -> None:
    """Fill ``context.db_tables`` with the included tables of ``schemas``."""
    inspector = context.inspector
    for schema in schemas:
        every = inspector.get_table_names(schema=schema)
        names = [
            name
            for name in every
            if not context.is_version_table(schema, name)
            and context.run_name_filters(name, "table", {"schema_name": schema})
        ]
        include_column = None
        if context.opts.get("include_name") is not None:

            def include_column(table: ReflectedTable, column: str) -> bool:
                parents = {"schema_name": table.schema, "table_name": table.name}
                return context.run_name_filters(column, "column", parents)

        tables = reflect_tables(
            inspector,
            schema,
            names,
            all_names=len(names) == len(every),
            include_column=include_column,
            reader=context.schema_reader(),
        )
        context.db_tables.update(tables)


def collect_models(context: AutogenContext, schemas: Sequence[str | None]) -> None:
    """Fill ``context.model_tables`` with the models' tables of ``schemas``."""
    wanted = set(schemas)
    for table in context.metadata_tables():
        key = (context.schema_key(table.schema), table.name)
        if key[0] not in wanted:
            continue
        if key in context.model_tables:
            raise_duplicate(context, table)
        context.model_tables[key] = table


def raise_duplicate(context: AutogenContext, table: sa.Table) -> None:
    from mighub_autogen.context import AutogenerateError

    raise AutogenerateError(
        f"table {table.name!r} appears twice in the target metadata once the default "
        f"schema {context.default_schema!r} is taken into account"
    )


# ---------------------------------------------------------------------------
# Running the chains for a table both sides have
# ---------------------------------------------------------------------------


def compare_table_pair(
    context: AutogenContext, db_table: ReflectedTable, model_table: sa.Table
) -> ModifyTableOps:
    """Run the table, column and constraint chains; the operations that change the table."""
    schema = model_table.schema
    name = model_table.name
    modify_ops = ModifyTableOps(name, schema=schema)
    for comparator in context.comparator_chain("table"):
        if comparator.function(context, modify_ops, schema, name, db_table, model_table) is STOP:
            break
    column_chain = context.comparator_chain("column")
    for column in model_table.columns:
        db_column = db_table.columns.get(column.name)
        if db_column is None or not context.run_object_filters(
            column, column.name, "column", False, db_column
        ):
            continue
        if not context.run_object_filters(db_column, column.name, "column", True, column):
            continue
        alter = alter_column_op(schema, name, db_column)
        for comparator in column_chain:
            result = comparator.function(
                context, alter, schema, name, column.name, db_column, column
            )
            if result is STOP:
                break
        if alter.has_changes() or any(k.startswith("modify_") for k in alter.kw):
            modify_ops.ops.append(alter)
    for comparator in context.comparator_chain("constraint"):
        if comparator.function(context, modify_ops, schema, name, db_table, model_table) is STOP:
            break
    arrange_table_ops(modify_ops)
    return modify_ops


def alter_column_op(
    schema: str | None, table_name: str, db_column: ReflectedColumn
) -> AlterColumnOp:
    """An ``alter_column`` that changes nothing yet and knows the column as it is."""
    return AlterColumnOp(
        table_name,
        db_column.name,
        schema=schema,
        existing_type=db_column.type,
        existing_nullable=db_column.nullable,
        existing_server_default=existing_default(db_column),
        existing_comment=db_column.comment,
    )


def existing_default(db_column: ReflectedColumn) -> Any:
    if db_column.computed is not None:
        return sa.Computed(
            sa.text(db_column.computed["sqltext"]), persisted=db_column.computed.get("persisted")
        )
    if db_column.identity is not None:
        column = db_column.to_column()
        return column.identity
    if db_column.server_default is None:
        return None
    return sa.DefaultClause(sa.text(db_column.server_default))


_PHASES: list[tuple[type, int]] = [
    (DropConstraintOp, 1),
    (DropIndexOp, 1),
    (AddColumnOp, 2),
    (AlterColumnOp, 3),
    (CreateTableCommentOp, 3),
    (DropTableCommentOp, 3),
    (DropColumnOp, 4),
    (CreateIndexOp, 5),
    (CreateForeignKeyOp, 6),
    (AddConstraintOp, 5),
]


def _phase(op: Operation) -> int:
    if isinstance(op, DropConstraintOp) and op.type_ == "foreignkey":
        return 0
    for cls, phase in _PHASES:
        if isinstance(op, cls):
            return phase
    return 3


def arrange_table_ops(modify_ops: ModifyTableOps) -> None:
    """Order a table's operations so each one finds what it needs.

    Foreign keys are dropped first and created last; other constraints and
    indexes are dropped before columns change and created after; columns
    are added, altered, then dropped. Operations of other kinds (from
    plugins) stay with the column changes. The order is stable, so the
    downgrade, which is the reverse, is right too.
    """
    modify_ops.ops.sort(key=_phase)


# ---------------------------------------------------------------------------
# Building operations from tables
# ---------------------------------------------------------------------------


def bare_column(column: sa.Column[Any]) -> sa.Column[Any]:
    """The column without the constraints and indexes it declares (they become operations)."""
    args: list[Any] = []
    server_default = column.server_default
    if column.computed is not None:
        args.append(column.computed._copy())
        server_default = None
    elif column.identity is not None:
        args.append(column.identity._copy())
        server_default = None
    type_ = column.type
    if isinstance(type_, sa.types.SchemaType):
        type_ = type_.copy()
    if server_default is not None:
        server_default = (
            server_default._copy() if hasattr(server_default, "_copy") else server_default
        )
    return sa.Column(
        column.name,
        type_,
        *args,
        server_default=server_default,
        nullable=column.nullable,
        comment=column.comment,
        autoincrement=column.autoincrement,
    )


def create_table_op(
    context: AutogenContext, table: sa.Table, foreign_keys: Sequence[sa.ForeignKeyConstraint]
) -> CreateTableOp:
    """``create_table`` for ``table``: bare columns, then every constraint named as it will be."""
    from mighub_autogen.names import final_name_of

    items: list[Any] = [bare_column(c) for c in table.columns]
    pk = table.primary_key
    if pk is not None and len(pk.columns):
        items.append(
            sa.PrimaryKeyConstraint(
                *[c.name for c in pk.columns], name=final_name_of(pk, context.dialect)
            )
        )
    constraints = sorted(
        (c for c in table.constraints if not isinstance(c, sa.PrimaryKeyConstraint)),
        key=_constraint_sort_key,
    )
    for constraint in constraints:
        if isinstance(constraint, sa.ForeignKeyConstraint):
            if constraint in foreign_keys:
                items.append(copy_constraint(context, constraint))
        elif getattr(constraint, "_type_bound", False):
            continue  # the type brings it back (Boolean / Enum with create_constraint)
        else:
            items.append(copy_constraint(context, constraint))
    kw: dict[str, Any] = {}
    if table.comment is not None:
        kw["comment"] = table.comment
    kw.update(table.dialect_kwargs)
    return CreateTableOp(table.name, items, schema=table.schema, kw=kw)


def _constraint_sort_key(constraint: sa.Constraint) -> tuple[int, str]:
    order = {sa.UniqueConstraint: 0, sa.CheckConstraint: 1, sa.ForeignKeyConstraint: 2}
    return order.get(type(constraint), 3), str(constraint.name or "")


def copy_constraint(context: AutogenContext, constraint: sa.Constraint) -> sa.Constraint:
    """An unattached copy of ``constraint`` under its final name, for an operation."""
    from mighub_autogen.names import final_name_of

    name = final_name_of(constraint, context.dialect)
    kw = _constraint_options(constraint)
    if isinstance(constraint, sa.UniqueConstraint):
        return sa.UniqueConstraint(*[c.name for c in constraint.columns], name=name, **kw)
    if isinstance(constraint, sa.CheckConstraint):
        return sa.CheckConstraint(constraint.sqltext, name=name, **kw)
    if isinstance(constraint, sa.ForeignKeyConstraint):
        return sa.ForeignKeyConstraint(
            [e.parent.name for e in constraint.elements],
            [e.target_fullname for e in constraint.elements],
            name=name,
            onupdate=constraint.onupdate,
            ondelete=constraint.ondelete,
            match=constraint.match,
            use_alter=constraint.use_alter,
            **kw,
        )
    return constraint._copy()


def _constraint_options(constraint: sa.Constraint) -> dict[str, Any]:
    kw: dict[str, Any] = {
        key: getattr(constraint, key)
        for key in ("deferrable", "initially")
        if getattr(constraint, key, None) is not None
    }
    kw.update(constraint.dialect_kwargs)
    return kw


def create_index_op(context: AutogenContext, index: sa.Index) -> CreateIndexOp:
    from mighub_autogen.names import final_name_of
    from mighub_autogen.normalise import expression_sql

    table = index.table
    assert table is not None
    columns: list[Any] = []
    for expression in index.expressions:
        if isinstance(expression, sa.Column) and expression.table is table:
            columns.append(expression.name)
        elif isinstance(expression, str):
            columns.append(expression)
        else:
            columns.append(sa.text(expression_sql(expression, context.dialect)))
    return CreateIndexOp(
        final_name_of(index, context.dialect),
        table.name,
        columns,
        schema=table.schema,
        unique=bool(index.unique),
        kw=dict(index.dialect_kwargs),
    )


def drop_table_ops(
    context: AutogenContext, db_tables: Sequence[ReflectedTable]
) -> tuple[list[Operation], list[Operation]]:
    """(cyclic foreign keys to drop first; then each table's indexes and the table itself).

    Tables are dropped in reverse dependency order. Foreign keys that form a
    cycle cannot go with their table: they are dropped before any table, and
    their downgrade (recreating them) comes after every table is back.
    """
    if not db_tables:
        return [], []
    metadata = sa.MetaData()
    _add_placeholders(metadata, db_tables)
    built = {t.key: t.to_table(metadata) for t in db_tables}
    order = sa.schema.sort_tables_and_constraints(list(built.values()))
    leftover = order[-1][1] if order and order[-1][0] is None else []
    if not context.dialect.supports_alter:
        leftover = []  # SQLite: a table may be dropped while another still refers to it
    cyclic_ids = {id(fkc) for fkc in leftover}
    first: list[Operation] = []
    skipped: dict[TableKey, list[Any]] = {}
    for rt in db_tables:
        for fkc in built[rt.key].foreign_key_constraints:
            if id(fkc) not in cyclic_ids:
                continue
            fk = _reflected_fk_for(rt, fkc)
            if fk.name is None:
                context.warn(
                    f"table {rt.fullname}: its unnamed foreign key on {', '.join(fk.columns)} "
                    f"is part of a cycle and cannot be dropped by name; drop it by hand"
                )
                continue
            skipped.setdefault(rt.key, []).append(fk)
            first.append(ModifyTableOps(rt.name, [drop_foreign_key_op(fk)], schema=rt.schema))
    final_metadata = sa.MetaData()
    _add_placeholders(final_metadata, db_tables)
    by_id = {id(table): key for key, table in built.items()}
    ops: list[Operation] = []
    for table, _fks in reversed([entry for entry in order if entry[0] is not None]):
        key = by_id.get(id(table))
        if key is None:
            continue  # a stand-in for a table that stays
        rt = context.db_tables.get(key) or next(t for t in db_tables if t.key == key)
        final = rt.to_table(final_metadata, skip_foreign_keys=skipped.get(key, ()))
        ops.extend(drop_index_op(rix) for rix in own_indexes(rt))
        create = create_table_op(context, final, list(final.foreign_key_constraints))
        ops.append(DropTableOp(rt.name, schema=rt.schema, _reverse=create))
    return first, ops


def own_indexes(rt: ReflectedTable) -> list[Any]:
    """The table's indexes that are not the database's way of enforcing a unique constraint."""
    backing = {uq.duplicates_index for uq in rt.unique_constraints if uq.duplicates_index}
    backing |= {uq.name for uq in rt.unique_constraints if uq.name}
    return [
        rix
        for rix in rt.indexes
        if rix.name is not None and not rix.duplicates_constraint and rix.name not in backing
    ]


def drop_index_op(rix: Any) -> DropIndexOp:
    """``drop_index`` of a reflected index, reversible into the ``create_index`` it undoes."""
    table = rix.table
    columns: list[Any] = []
    for position, column in enumerate(rix.columns):
        if column is not None:
            columns.append(column)
        elif rix.expressions is not None:
            columns.append(sa.text(rix.expressions[position]))
    options = {k: v for k, v in rix.dialect_options.items() if v not in (None, [], {}, False)}
    create = CreateIndexOp(
        conv(rix.name),
        table.name,
        columns,
        schema=table.schema,
        unique=rix.unique,
        kw=options,
    )
    return DropIndexOp(conv(rix.name), table.name, schema=table.schema, _reverse=create)


def drop_foreign_key_op(fk: Any) -> DropConstraintOp:
    create = CreateForeignKeyOp(
        conv(fk.name) if fk.name is not None else None,
        fk.table.name,
        fk.referred_table,
        list(fk.columns),
        list(fk.referred_columns),
        source_schema=fk.table.schema,
        referent_schema=fk.referred_schema,
        kw={k: v for k, v in fk.options.items() if v is not None},
    )
    return DropConstraintOp(
        conv(fk.name), fk.table.name, "foreignkey", schema=fk.table.schema, _reverse=create
    )


def _add_placeholders(metadata: sa.MetaData, db_tables: Sequence[ReflectedTable]) -> None:
    """Stand-ins for tables that removed tables refer to, so foreign keys resolve."""
    for rt in db_tables:
        for fk in rt.foreign_keys:
            key = (
                f"{fk.referred_schema}.{fk.referred_table}"
                if fk.referred_schema
                else fk.referred_table
            )
            table = metadata.tables.get(key)
            if table is None:
                table = sa.Table(fk.referred_table, metadata, schema=fk.referred_schema)
            for column in fk.referred_columns:
                if column not in table.c:
                    table.append_column(sa.Column(column, sa.types.NullType()))


def _reflected_fk_for(rt: ReflectedTable, fkc: sa.ForeignKeyConstraint) -> Any:
    columns = [c.name for c in fkc.columns]
    for fk in rt.foreign_keys:
        if fk.columns == columns and (fk.name is None or fk.name == fkc.name):
            return fk
    raise AssertionError(f"no reflected foreign key for {fkc!r}")  # pragma: no cover
