"""The built-in comparators, registered by this plugin at priority 0 under ``autogen.*`` names.

========================  ==========  ================================================
name                      level       finds
========================  ==========  ================================================
autogen.tables            schema      tables added and removed; compares the others
autogen.columns           table       columns added and removed
autogen.table_comment     table       table comments
autogen.type              column      type changes (dialect aware, with synonyms)
autogen.nullable          column      NULL / NOT NULL
autogen.server_default    column      server defaults, normalised per dialect
autogen.identity          column      identity columns and their options
autogen.computed          column      computed columns (a warning: they cannot be altered)
autogen.column_comment    column      column comments
autogen.primary_key       constraint  primary key changes
autogen.indexes           constraint  indexes (expressions too) and unique constraints
autogen.foreign_keys      constraint  foreign keys and their options
autogen.check_constraints constraint  CHECK constraints
========================  ==========  ================================================
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import conv

from mighub.operations.ops import (
    AddColumnOp,
    AlterColumnOp,
    CreateCheckConstraintOp,
    CreateForeignKeyOp,
    CreatePrimaryKeyOp,
    CreateTableCommentOp,
    CreateUniqueConstraintOp,
    DropColumnOp,
    DropConstraintOp,
    DropTableCommentOp,
    ModifyTableOps,
    UpgradeOps,
)
from mighub_autogen.compare import (
    bare_column,
    compare_table_pair,
    create_index_op,
    create_table_op,
    drop_foreign_key_op,
    drop_index_op,
    drop_table_ops,
)
from mighub_autogen.context import AutogenContext
from mighub_autogen.names import final_name_of, plain
from mighub_autogen.normalise import (
    DATABASE,
    MODEL,
    NormaliseInfo,
    expression_sql,
    model_default_text,
    normalise_type_text,
    normalised_default,
    normalised_expression,
    type_text,
)
from mighub_autogen.reflect import (
    ReflectedCheck,
    ReflectedColumn,
    ReflectedForeignKey,
    ReflectedIndex,
    ReflectedTable,
    ReflectedUnique,
)

# ---------------------------------------------------------------------------
# schema level
# ---------------------------------------------------------------------------


def compare_tables(
    context: AutogenContext, upgrade_ops: UpgradeOps, schemas: list[str | None]
) -> None:
    """Create what only the models have, drop what only the database has, compare the rest."""
    db_tables = context.db_tables
    model_tables = context.model_tables
    added = [
        table
        for key, table in model_tables.items()
        if key not in db_tables
        and context.run_object_filters(table, table.name, "table", False, None)
    ]
    removed = [
        rt
        for key, rt in db_tables.items()
        if key not in model_tables and context.run_object_filters(rt, rt.name, "table", True, None)
    ]
    order = sa.schema.sort_tables_and_constraints(added)
    later: list[Any] = []
    separate = order[-1][1] if order and order[-1][0] is None else []
    if not context.dialect.supports_alter:
        # SQLite cannot add a foreign key later, and does not need to: it checks none
        # when a table is created, so a cycle's foreign keys stay with their tables.
        separate = []
    for table, foreign_keys in order:
        if table is None:
            later.extend(_create_foreign_key_op(context, fkc) for fkc in separate)
            continue
        inline = list(foreign_keys)
        if not separate:
            inline = list(table.foreign_key_constraints)
        upgrade_ops.ops.append(create_table_op(context, table, inline))
        for index in sorted(table.indexes, key=lambda i: str(i.name or "")):
            if context.run_object_filters(index, plain(index.name), "index", False, None):
                upgrade_ops.ops.append(create_index_op(context, index))
    for op in later:
        upgrade_ops.ops.append(ModifyTableOps(op.source_table, [op], schema=op.source_schema))
    for key in sorted(model_tables, key=lambda k: (k[0] or "", k[1])):
        db_table = db_tables.get(key)
        if db_table is None:
            continue
        model_table = model_tables[key]
        if not context.run_object_filters(model_table, model_table.name, "table", False, db_table):
            continue
        if not context.run_object_filters(db_table, db_table.name, "table", True, model_table):
            continue
        modify_ops = compare_table_pair(context, db_table, model_table)
        if modify_ops.ops:
            upgrade_ops.ops.append(modify_ops)
    first, drops = drop_table_ops(context, sorted(removed, key=lambda t: (t.schema or "", t.name)))
    upgrade_ops.ops.extend(first)
    upgrade_ops.ops.extend(drops)


def _create_foreign_key_op(
    context: AutogenContext, fkc: sa.ForeignKeyConstraint
) -> CreateForeignKeyOp:
    table = fkc.table
    targets = [element.target_fullname.rsplit(".", 2) for element in fkc.elements]
    referent = targets[0]
    kw = _fk_options_of(fkc)
    return CreateForeignKeyOp(
        final_name_of(fkc, context.dialect),
        table.name,
        referent[-2],
        [element.parent.name for element in fkc.elements],
        [t[-1] for t in targets],
        source_schema=table.schema,
        referent_schema=referent[0] if len(referent) == 3 else None,
        kw=kw,
    )


def _fk_options_of(fkc: sa.ForeignKeyConstraint) -> dict[str, Any]:
    kw = {
        key: getattr(fkc, key)
        for key in ("onupdate", "ondelete", "deferrable", "initially", "match")
        if getattr(fkc, key, None) is not None
    }
    kw.update(fkc.dialect_kwargs)
    return kw


# ---------------------------------------------------------------------------
# table level
# ---------------------------------------------------------------------------


def compare_columns(
    context: AutogenContext,
    modify_ops: ModifyTableOps,
    schema: str | None,
    table_name: str,
    db_table: ReflectedTable,
    model_table: sa.Table,
) -> None:
    """Columns only the models have are added; columns only the database has are dropped."""
    for column in model_table.columns:
        if column.name in db_table.columns:
            continue
        if context.run_object_filters(column, column.name, "column", False, None):
            modify_ops.ops.append(AddColumnOp(table_name, bare_column(column), schema=schema))
    model_names = {c.name for c in model_table.columns}
    for name, db_column in db_table.columns.items():
        if name in model_names:
            continue
        if context.run_object_filters(db_column, name, "column", True, None):
            add = AddColumnOp(table_name, db_column.to_column(), schema=schema)
            modify_ops.ops.append(DropColumnOp(table_name, name, schema=schema, _reverse=add))


def compare_table_comment(
    context: AutogenContext,
    modify_ops: ModifyTableOps,
    schema: str | None,
    table_name: str,
    db_table: ReflectedTable,
    model_table: sa.Table,
) -> None:
    if not context.dialect.supports_comments:
        return
    wanted = model_table.comment or None
    found = db_table.comment or None
    if wanted == found:
        return
    if wanted is None:
        modify_ops.ops.append(DropTableCommentOp(table_name, existing_comment=found, schema=schema))
    else:
        modify_ops.ops.append(
            CreateTableCommentOp(table_name, wanted, existing_comment=found, schema=schema)
        )


# ---------------------------------------------------------------------------
# column level
# ---------------------------------------------------------------------------


def _infos(
    context: AutogenContext,
    schema: str | None,
    table_name: str,
    db_column: ReflectedColumn,
    model_column: sa.Column[Any],
) -> tuple[NormaliseInfo, NormaliseInfo]:
    common = {
        "context": context,
        "table_name": table_name,
        "schema": schema,
        "db_column": db_column,
        "model_column": model_column,
    }
    return (
        NormaliseInfo(DATABASE, type_=db_column.type, **common),
        NormaliseInfo(MODEL, type_=model_column.type, **common),
    )


def compare_type(
    context: AutogenContext,
    alter: AlterColumnOp,
    schema: str | None,
    table_name: str,
    column_name: str,
    db_column: ReflectedColumn,
    model_column: sa.Column[Any],
) -> None:
    setting = context.option("compare_type")
    if setting is False:
        return
    if callable(setting):
        decided = setting(
            context.migration_context, db_column, model_column, db_column.type, model_column.type
        )
        if decided is not None:
            if decided:
                alter.modify_type = model_column.type
            return
    cache = context.cache.setdefault("type_text", {})
    found = type_text(db_column.type, context.dialect, cache)
    wanted = type_text(model_column.type, context.dialect, cache)
    if found is None or wanted is None:
        return  # a type the dialect cannot spell: nothing to compare
    if found == wanted:
        return  # spelled alike: normalisers are for spellings that differ
    db_info, model_info = _infos(context, schema, table_name, db_column, model_column)
    found = normalise_type_text(found, db_info)
    wanted = normalise_type_text(wanted, model_info)
    if found is None or wanted is None:
        return
    if found != wanted:
        alter.modify_type = model_column.type


def compare_nullable(
    context: AutogenContext,
    alter: AlterColumnOp,
    schema: str | None,
    table_name: str,
    column_name: str,
    db_column: ReflectedColumn,
    model_column: sa.Column[Any],
) -> None:
    if model_column.computed is not None or db_column.computed is not None:
        return
    if model_column.identity is not None and db_column.identity is not None:
        return
    table = db_column.table
    if model_column.primary_key and table is not None and column_name in table.primary_key.columns:
        return  # a primary key is NOT NULL, whatever SQLite says of INTEGER PRIMARY KEY
    if bool(model_column.nullable) != db_column.nullable:
        alter.modify_nullable = bool(model_column.nullable)


def compare_server_default(
    context: AutogenContext,
    alter: AlterColumnOp,
    schema: str | None,
    table_name: str,
    column_name: str,
    db_column: ReflectedColumn,
    model_column: sa.Column[Any],
) -> None:
    setting = context.option("compare_server_default")
    if setting is False:
        return
    if model_column.computed is not None or model_column.identity is not None:
        return
    if db_column.computed is not None or db_column.identity is not None:
        return
    rendered = model_default_text(
        model_column, context.dialect, context.cache.setdefault("default_text", {})
    )
    if rendered is False:
        return  # a FetchedValue: the database fills it its own way
    if callable(setting):
        decided = setting(
            context.migration_context,
            db_column,
            model_column,
            db_column.server_default,
            model_column.server_default,
            rendered,
        )
        if decided is not None:
            if decided:
                alter.modify_server_default = model_column.server_default
            return
    if rendered == db_column.server_default:
        return
    db_info, model_info = _infos(context, schema, table_name, db_column, model_column)
    found = normalised_default(db_column.server_default, db_info)
    wanted = normalised_default(rendered, model_info)  # type: ignore[arg-type]
    if found != wanted:
        alter.modify_server_default = model_column.server_default


IDENTITY_OPTIONS = ("start", "increment", "minvalue", "maxvalue", "cycle", "cache", "on_null")


def compare_identity(
    context: AutogenContext,
    alter: AlterColumnOp,
    schema: str | None,
    table_name: str,
    column_name: str,
    db_column: ReflectedColumn,
    model_column: sa.Column[Any],
) -> None:
    if not getattr(context.dialect, "supports_identity_columns", False):
        return
    wanted = model_column.identity
    found = db_column.identity
    if wanted is None and found is None:
        return
    changed = (wanted is None) != (found is None)
    if not changed and wanted is not None and found is not None:
        if bool(wanted.always) != bool(found.get("always")):
            changed = True
        for option in IDENTITY_OPTIONS:
            value = getattr(wanted, option, None)
            if value is not None and found.get(option) is not None and value != found[option]:
                changed = True
    if changed:
        alter.modify_server_default = wanted._copy() if wanted is not None else None


def compare_computed(
    context: AutogenContext,
    alter: AlterColumnOp,
    schema: str | None,
    table_name: str,
    column_name: str,
    db_column: ReflectedColumn,
    model_column: sa.Column[Any],
) -> None:
    wanted = model_column.computed
    found = db_column.computed
    where = f"{schema + '.' if schema else ''}{table_name}.{column_name}"
    if wanted is None and found is None:
        return
    if (wanted is None) != (found is None):
        context.warn(
            f"column {where}: {'becomes' if wanted is not None else 'stops being'} a computed "
            f"column; a column cannot be altered into or out of one: drop and re-add it"
        )
        return
    assert wanted is not None and found is not None
    info = NormaliseInfo(
        MODEL, context, table_name, schema, db_column, model_column, what="computed"
    )
    wanted_sql = normalised_expression(expression_sql(wanted.sqltext, context.dialect), info)
    info.side = DATABASE
    found_sql = normalised_expression(found.get("sqltext"), info)
    if wanted_sql != found_sql:
        context.warn(
            f"column {where}: its computed expression changed; a computed column cannot be "
            f"altered: drop and re-add it"
        )


def compare_column_comment(
    context: AutogenContext,
    alter: AlterColumnOp,
    schema: str | None,
    table_name: str,
    column_name: str,
    db_column: ReflectedColumn,
    model_column: sa.Column[Any],
) -> None:
    if not context.dialect.supports_comments:
        return
    wanted = model_column.comment or None
    if wanted != (db_column.comment or None):
        alter.modify_comment = wanted


# ---------------------------------------------------------------------------
# constraint level
# ---------------------------------------------------------------------------


def compare_primary_key(
    context: AutogenContext,
    modify_ops: ModifyTableOps,
    schema: str | None,
    table_name: str,
    db_table: ReflectedTable,
    model_table: sa.Table,
) -> None:
    wanted = [c.name for c in model_table.primary_key.columns]
    found = list(db_table.primary_key.columns)
    if wanted == found:
        return
    if found:
        name = db_table.primary_key.name
        if name is None:
            context.warn(
                f"table {db_table.fullname}: its primary key changes, but the database gives "
                f"no name to drop it by; change it by hand"
            )
            return
        create_old = CreatePrimaryKeyOp(conv(name), table_name, found, schema=schema)
        modify_ops.ops.append(
            DropConstraintOp(conv(name), table_name, "primary", schema=schema, _reverse=create_old)
        )
    if wanted:
        name = final_name_of(model_table.primary_key, context.dialect)
        modify_ops.ops.append(CreatePrimaryKeyOp(name, table_name, wanted, schema=schema))


def compare_indexes(
    context: AutogenContext,
    modify_ops: ModifyTableOps,
    schema: str | None,
    table_name: str,
    db_table: ReflectedTable,
    model_table: sa.Table,
) -> None:
    """Indexes by name; unique constraints by name, or by columns when either is unnamed."""
    dialect = context.dialect
    model_indexes = {
        plain(final_name_of(ix, dialect)): ix
        for ix in model_table.indexes
        if context.run_object_filters(ix, plain(ix.name), "index", False, None)
    }
    model_uniques = [
        uq
        for uq in model_table.constraints
        if isinstance(uq, sa.UniqueConstraint)
        and context.run_object_filters(uq, plain(uq.name), "unique_constraint", False, None)
    ]
    db_uniques = list(db_table.unique_constraints)
    db_indexes = [ix for ix in db_table.indexes if not ix.duplicates_constraint]
    # Where the database keeps a unique constraint as a unique index (MariaDB, MySQL),
    # it reports both: keep the one the models declare.
    for uq in list(db_uniques):
        backing = uq.duplicates_index or (uq.name if _named_index(db_indexes, uq.name) else None)
        if backing is None:
            continue
        if backing in model_indexes:
            db_uniques.remove(uq)
        else:
            db_indexes = [ix for ix in db_indexes if ix.name != backing]
    db_uniques = [
        uq
        for uq in db_uniques
        if context.run_name_filters(uq.name, "unique_constraint", _parents(db_table))
        and context.run_object_filters(uq, uq.name, "unique_constraint", True, None)
    ]
    db_indexes = [
        ix
        for ix in db_indexes
        if context.run_name_filters(ix.name, "index", _parents(db_table))
        and context.run_object_filters(ix, ix.name, "index", True, None)
    ]
    _compare_uniques(context, modify_ops, schema, table_name, db_uniques, model_uniques)
    _compare_index_list(context, modify_ops, db_table, db_indexes, model_indexes)


def _named_index(indexes: Iterable[ReflectedIndex], name: str | None) -> bool:
    return name is not None and any(ix.name == name and ix.unique for ix in indexes)


def _parents(db_table: ReflectedTable) -> dict[str, Any]:
    return {"schema_name": db_table.schema, "table_name": db_table.name}


def _compare_uniques(
    context: AutogenContext,
    modify_ops: ModifyTableOps,
    schema: str | None,
    table_name: str,
    db_uniques: list[ReflectedUnique],
    model_uniques: list[sa.UniqueConstraint],
) -> None:
    dialect = context.dialect
    unmatched = list(db_uniques)
    to_add: list[sa.UniqueConstraint] = []
    for uq in model_uniques:
        name = plain(final_name_of(uq, dialect))
        columns = [c.name for c in uq.columns]
        match = None
        if name is not None:
            match = next((d for d in unmatched if d.name == name), None)
        if match is None:
            # an unnamed side can only be recognised by its columns
            match = next(
                (d for d in unmatched if d.columns == columns and (name is None or d.name is None)),
                None,
            )
        if match is None:
            to_add.append(uq)
            continue
        unmatched.remove(match)
        if match.columns != columns:
            modify_ops.ops.append(_drop_unique(context, match, schema, table_name))
            to_add.append(uq)
    for found in unmatched:
        if found.name is None:
            context.warn(
                f"table {_qualified(schema, table_name)}: an unnamed unique constraint on "
                f"{', '.join(found.columns)} is not in the models and cannot be dropped by name"
            )
            continue
        modify_ops.ops.append(_drop_unique(context, found, schema, table_name))
    for uq in to_add:
        modify_ops.ops.append(
            CreateUniqueConstraintOp(
                final_name_of(uq, dialect),
                table_name,
                [c.name for c in uq.columns],
                schema=schema,
                kw=_unique_options(uq),
            )
        )


def _unique_options(uq: sa.UniqueConstraint) -> dict[str, Any]:
    kw = {k: getattr(uq, k) for k in ("deferrable", "initially") if getattr(uq, k) is not None}
    kw.update(uq.dialect_kwargs)
    return kw


def _drop_unique(
    context: AutogenContext, found: ReflectedUnique, schema: str | None, table_name: str
) -> DropConstraintOp:
    create = CreateUniqueConstraintOp(
        conv(found.name), table_name, list(found.columns), schema=schema
    )
    return DropConstraintOp(conv(found.name), table_name, "unique", schema=schema, _reverse=create)


def _qualified(schema: str | None, name: str) -> str:
    return f"{schema}.{name}" if schema else name


def _compare_index_list(
    context: AutogenContext,
    modify_ops: ModifyTableOps,
    db_table: ReflectedTable,
    db_indexes: list[ReflectedIndex],
    model_indexes: dict[str | None, sa.Index],
) -> None:
    found_by_name = {ix.name: ix for ix in db_indexes if ix.name is not None}
    for name, index in model_indexes.items():
        found = found_by_name.pop(name, None) if name is not None else None
        if found is None:
            modify_ops.ops.append(create_index_op(context, index))
        elif _index_differs(context, db_table, found, index):
            modify_ops.ops.append(drop_index_op(found))
            modify_ops.ops.append(create_index_op(context, index))
    for found in found_by_name.values():
        modify_ops.ops.append(drop_index_op(found))


def _index_differs(
    context: AutogenContext, db_table: ReflectedTable, found: ReflectedIndex, index: sa.Index
) -> bool:
    if bool(index.unique) != found.unique:
        return True
    info = NormaliseInfo(MODEL, context, db_table.name, db_table.schema, what="index")
    wanted: list[tuple[str, str | None]] = []
    for expression in index.expressions:
        if isinstance(expression, sa.Column) and expression.table is index.table:
            wanted.append(("column", expression.name))
        else:
            sql = expression_sql(expression, context.dialect)
            wanted.append(("expression", normalised_expression(sql, info)))
    info.side = DATABASE
    have: list[tuple[str, str | None]] = []
    for position, column in enumerate(found.columns):
        if column is not None:
            have.append(("column", column))
        elif found.expressions is not None:
            have.append(("expression", normalised_expression(found.expressions[position], info)))
        else:
            have.append(("expression", None))  # the database did not say: assume unchanged
    if len(wanted) != len(have):
        return True
    for (kind_w, value_w), (kind_h, value_h) in zip(wanted, have, strict=True):
        if kind_h == "expression" and value_h is None and kind_w == "expression":
            continue
        if kind_w == "expression" and kind_h == "column":
            if value_w != normalised_expression(value_h, info):
                return True
            continue
        if (kind_w, value_w) != (kind_h, value_h):
            return True
    return _index_options_differ(context, found, index)


def _index_options_differ(context: AutogenContext, found: ReflectedIndex, index: sa.Index) -> bool:
    """Dialect options, where the database reports them (PostgreSQL's WHERE, INCLUDE, USING)."""
    if not found.dialect_options:
        return False  # this dialect does not reflect index options: nothing to compare
    prefix = f"{context.dialect_name}_"
    given = dict(index.dialect_kwargs)  # only what was set: asking for one option costs more
    keys = {k for k in found.dialect_options if k.startswith(prefix)}
    keys |= {k for k in given if k.startswith(prefix) and k in _REFLECTED_OPTIONS}
    info = NormaliseInfo(MODEL, context, found.table.name, found.table.schema, what="index_where")
    for key in keys:
        given_value = given.get(key)
        found_value = found.dialect_options.get(key)
        if isinstance(found_value, dict) and _is_number(given_value):
            # one value for every column (MariaDB/MySQL's mysql_length=10) is what the
            # database reports column by column
            given_value = dict.fromkeys((c for c in found.columns if c is not None), given_value)
        wanted = _option_value(context, given_value, key, info)
        info.side = DATABASE
        have = _option_value(context, found_value, key, info)
        info.side = MODEL
        if wanted != have:
            return True
    return False


_REFLECTED_OPTIONS = {
    "postgresql_where",
    "postgresql_include",
    "postgresql_using",
    "postgresql_nulls_not_distinct",
}


def _option_value(context: AutogenContext, value: Any, key: str, info: NormaliseInfo) -> Any:
    if value is None or value is False or (isinstance(value, (list, tuple, dict)) and not value):
        return None  # (never ``value in (...)``: a column compares with ``==`` into SQL)
    if key.endswith("_using") and str(value).lower() == "btree":
        return None
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    if isinstance(value, dict):  # by column: {"name": 10}
        return tuple(sorted((getattr(k, "name", str(k)), str(v)) for k, v in value.items()))
    if isinstance(value, bool) or _is_number(value):
        return value
    sql = expression_sql(value, context.dialect) if not isinstance(value, str) else value
    return normalised_expression(sql, info)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


FK_OPTION_DEFAULTS: dict[str, Any] = {
    "onupdate": "NO ACTION",
    "ondelete": "NO ACTION",
    "deferrable": False,
    "initially": "IMMEDIATE",
    "match": "SIMPLE",
}

FK_OPTIONS_REFLECTED: dict[str, tuple[str, ...]] = {
    "postgresql": ("onupdate", "ondelete", "deferrable", "initially", "match"),
}
"""Which foreign key options each dialect's reflection reports; others: ON UPDATE/DELETE."""


def compare_foreign_keys(
    context: AutogenContext,
    modify_ops: ModifyTableOps,
    schema: str | None,
    table_name: str,
    db_table: ReflectedTable,
    model_table: sa.Table,
) -> None:
    """Foreign keys by what they link (their names are often the database's own)."""
    parents = _parents(db_table)
    found = [
        fk
        for fk in db_table.foreign_keys
        if context.run_name_filters(fk.name, "foreign_key_constraint", parents)
        and context.run_object_filters(fk, fk.name, "foreign_key_constraint", True, None)
    ]
    wanted = [
        fkc
        for fkc in model_table.foreign_key_constraints
        if context.run_object_filters(fkc, plain(fkc.name), "foreign_key_constraint", False, None)
    ]
    options = FK_OPTIONS_REFLECTED.get(context.dialect_name, ("onupdate", "ondelete"))
    unmatched = list(found)
    for fkc in wanted:
        signature = _model_fk_signature(context, fkc)
        match = next((fk for fk in unmatched if _db_fk_signature(context, fk) == signature), None)
        if match is not None:
            unmatched.remove(match)
            if not _fk_options_differ(fkc, match, options):
                continue
            if match.name is None:
                context.warn(
                    f"table {db_table.fullname}: the options of its unnamed foreign key on "
                    f"{', '.join(match.columns)} changed, but it cannot be dropped by name"
                )
                continue
            modify_ops.ops.append(drop_foreign_key_op(match))
        modify_ops.ops.append(_create_foreign_key_op(context, fkc))
    for fk in unmatched:
        if fk.name is None:
            context.warn(
                f"table {db_table.fullname}: an unnamed foreign key on {', '.join(fk.columns)} "
                f"is not in the models and cannot be dropped by name"
            )
            continue
        modify_ops.ops.append(drop_foreign_key_op(fk))


def _model_fk_signature(context: AutogenContext, fkc: sa.ForeignKeyConstraint) -> tuple[Any, ...]:
    targets = [element.target_fullname.rsplit(".", 2) for element in fkc.elements]
    first = targets[0]
    referred_schema = first[0] if len(first) == 3 else fkc.table.schema
    return (
        tuple(element.parent.name for element in fkc.elements),
        context.schema_key(referred_schema),
        first[-2],
        tuple(t[-1] for t in targets),
    )


def _db_fk_signature(context: AutogenContext, fk: ReflectedForeignKey) -> tuple[Any, ...]:
    referred_schema = fk.referred_schema if fk.referred_schema is not None else fk.table.schema
    return (
        tuple(fk.columns),
        context.schema_key(referred_schema),
        fk.referred_table,
        tuple(fk.referred_columns),
    )


def _fk_options_differ(
    fkc: sa.ForeignKeyConstraint, fk: ReflectedForeignKey, options: tuple[str, ...]
) -> bool:
    for option in options:
        default = FK_OPTION_DEFAULTS[option]
        wanted = getattr(fkc, option, None)
        have = fk.options.get(option)
        wanted = default if wanted is None else wanted
        have = default if have is None else have
        if isinstance(default, str):
            wanted, have = str(wanted).upper(), str(have).upper()
        else:
            wanted, have = bool(wanted), bool(have)
        if wanted != have:
            return True
    return False


def compare_check_constraints(
    context: AutogenContext,
    modify_ops: ModifyTableOps,
    schema: str | None,
    table_name: str,
    db_table: ReflectedTable,
    model_table: sa.Table,
) -> None:
    """CHECK constraints by name, and by condition (unless ``compare_check_constraints="name"``)."""
    setting = context.option("compare_check_constraints")
    if setting is False:
        return
    by_condition = setting != "name"
    dialect = context.dialect
    parents = _parents(db_table)
    found = [
        ck
        for ck in db_table.check_constraints
        if context.run_name_filters(ck.name, "check_constraint", parents)
        and context.run_object_filters(ck, ck.name, "check_constraint", True, None)
    ]
    wanted = [
        ck
        for ck in model_table.constraints
        if isinstance(ck, sa.CheckConstraint)
        and context.run_object_filters(ck, plain(ck.name), "check_constraint", False, None)
    ]
    info = NormaliseInfo(MODEL, context, table_name, schema, what="check")

    def condition(text: str, side: str) -> str | None:
        info.side = side
        return normalised_expression(text, info)

    unmatched = list(found)
    for ck in wanted:
        name = plain(final_name_of(ck, dialect))
        sql = condition(expression_sql(ck.sqltext, dialect), MODEL)
        type_bound = getattr(ck, "_type_bound", False)
        match: ReflectedCheck | None = None
        if name is not None:
            match = next((f for f in unmatched if f.name == name), None)
        if match is None:
            match = next((f for f in unmatched if condition(f.sqltext, DATABASE) == sql), None)
        if match is not None:
            unmatched.remove(match)
            if not by_condition or condition(match.sqltext, DATABASE) == sql or type_bound:
                continue
            if match.name is None:
                context.warn(
                    f"table {db_table.fullname}: an unnamed CHECK constraint changed, "
                    f"but it cannot be dropped by name"
                )
                continue
            modify_ops.ops.append(_drop_check(match, schema, table_name))
        if type_bound:
            continue  # comes and goes with its column's type
        modify_ops.ops.append(
            CreateCheckConstraintOp(
                final_name_of(ck, dialect),
                table_name,
                ck.sqltext,
                schema=schema,
                kw={k: getattr(ck, k) for k in ("deferrable", "initially") if getattr(ck, k)},
            )
        )
    for ck in unmatched:
        if ck.name is None:
            context.warn(
                f"table {db_table.fullname}: an unnamed CHECK constraint ({ck.sqltext}) is not "
                f"in the models and cannot be dropped by name"
            )
            continue
        modify_ops.ops.append(_drop_check(ck, schema, table_name))


def _drop_check(ck: ReflectedCheck, schema: str | None, table_name: str) -> DropConstraintOp:
    create = CreateCheckConstraintOp(conv(ck.name), table_name, sa.text(ck.sqltext), schema=schema)
    return DropConstraintOp(conv(ck.name), table_name, "check", schema=schema, _reverse=create)


# ---------------------------------------------------------------------------
# registration
# ---------------------------------------------------------------------------

BUILTIN: list[tuple[str, str, Any]] = [
    ("autogen.tables", "schema", compare_tables),
    ("autogen.columns", "table", compare_columns),
    ("autogen.table_comment", "table", compare_table_comment),
    ("autogen.type", "column", compare_type),
    ("autogen.nullable", "column", compare_nullable),
    ("autogen.server_default", "column", compare_server_default),
    ("autogen.identity", "column", compare_identity),
    ("autogen.computed", "column", compare_computed),
    ("autogen.column_comment", "column", compare_column_comment),
    ("autogen.primary_key", "constraint", compare_primary_key),
    ("autogen.indexes", "constraint", compare_indexes),
    ("autogen.foreign_keys", "constraint", compare_foreign_keys),
    ("autogen.check_constraints", "constraint", compare_check_constraints),
]


def register(registry: Any) -> None:
    for name, level, function in BUILTIN:
        registry.register(function, level=level, name=name)
    registry.register_reader("mighub_autogen.dialects.sqlite:read_schema", dialect="sqlite")


__all__ = [
    "BUILTIN",
    "compare_check_constraints",
    "compare_column_comment",
    "compare_columns",
    "compare_computed",
    "compare_foreign_keys",
    "compare_identity",
    "compare_indexes",
    "compare_nullable",
    "compare_primary_key",
    "compare_server_default",
    "compare_table_comment",
    "compare_tables",
    "compare_type",
    "register",
]
