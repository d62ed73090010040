"""The Python API: compare models with a database, get the operations, render them.

::

    import sqlalchemy as sa
    from mighub_autogen import compare_metadata, produce_migrations, render_python_code

    engine = sa.create_engine("postgresql+psycopg://app@db/app")
    with engine.connect() as connection:
        for diff in compare_metadata(connection, Base.metadata):
            print(diff)  # ("add_column", None, "account", Column("email", ...))
        script = produce_migrations(connection, Base.metadata)
        print(render_python_code(script.upgrade_ops, connection=connection))

Each function takes a SQLAlchemy ``Connection``, or the ``MigrationContext``
env.py made (``context.get_context()``), whose options (``compare_type``,
``include_object``...) then apply. Options can also be given as keywords.
Comparators and renderers come from the plugin host of the running command,
or else from every installed plugin.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from mighub.operations.base import IrreversibleOperationError
from mighub.operations.ops import (
    NOT_GIVEN,
    AddColumnOp,
    AlterColumnOp,
    CreateIndexOp,
    CreateTableCommentOp,
    CreateTableOp,
    DowngradeOps,
    DropColumnOp,
    DropConstraintOp,
    DropIndexOp,
    DropTableCommentOp,
    DropTableOp,
    ModifyTableOps,
    OpContainer,
    Operation,
    UpgradeOps,
)
from mighub_autogen.compare import produce_upgrade_ops
from mighub_autogen.context import AutogenContext
from mighub_autogen.render import render_python_code as _render
from mighub_autogen.script import MigrationScript


def autogen_context(
    connection: Any,
    metadata: sa.MetaData | Sequence[sa.MetaData] | None = None,
    *,
    host: Any = None,
    **opts: Any,
) -> AutogenContext:
    """An :class:`AutogenContext` for a ``Connection`` or a mighub ``MigrationContext``."""
    migration_context = None
    version_table = None
    options: dict[str, Any] = {}
    if hasattr(connection, "environment") and hasattr(connection, "options"):
        migration_context = connection
        options.update(migration_context.opts)
        if metadata is None:
            metadata = migration_context.options.target_metadata
        if host is None:
            host = migration_context.environment.project.host
        vt = migration_context.version_table
        version_table = (vt.schema, vt.name)
        connection = migration_context.connection
    if host is None:
        host = _installed_plugins()
    if version_table is None:
        from mighub.config import KEYS

        version_table = (None, str(KEYS["version_table"].default))
    options.update(opts)
    return AutogenContext(
        metadata,
        connection=connection,
        dialect=connection.dialect if connection is not None else None,
        opts=options,
        comparators=host.comparators,
        renderers=host.renderers,
        migration_context=migration_context,
        version_table=version_table,
    )


def _installed_plugins() -> Any:
    from mighub.host import PluginHost

    host = PluginHost.for_cli(project_plugins=())
    host.check_healthy()
    return host


def compare_metadata(
    connection: Any, metadata: sa.MetaData | Sequence[sa.MetaData] | None = None, **opts: Any
) -> list[Any]:
    """The differences as diff tuples (``("add_table", Table)``...), as Alembic users know them.

    Column changes come as ``modify_*`` tuples, one per attribute that changes.
    """
    context = autogen_context(connection, metadata, **opts)
    return produce_upgrade_ops(context).as_diffs()


def produce_migrations(
    connection: Any, metadata: sa.MetaData | Sequence[sa.MetaData] | None = None, **opts: Any
) -> MigrationScript:
    """A :class:`MigrationScript` whose ``upgrade_ops`` bring the database to the models."""
    context = autogen_context(connection, metadata, **opts)
    upgrade_ops = produce_upgrade_ops(context)
    return MigrationScript(
        upgrade_ops_list=[upgrade_ops], downgrade_ops_list=[_downgrade(upgrade_ops, None, context)]
    )


def _downgrade(
    upgrade_ops: UpgradeOps, token: str | None = None, context: AutogenContext | None = None
) -> DowngradeOps:
    """The reverse of ``upgrade_ops``; an operation with no reverse is left out, with a warning."""
    downgrade = DowngradeOps(
        _reversed(upgrade_ops, context),
        downgrade_token=token or upgrade_ops.upgrade_token.replace("upgrade", "downgrade", 1),
    )
    return downgrade


def _reversed(container: OpContainer, context: AutogenContext | None) -> list[Operation]:
    out: list[Operation] = []
    for op in reversed(container.ops):
        if isinstance(op, ModifyTableOps):
            inner = _reversed(op, context)
            if inner:
                out.append(ModifyTableOps(op.table_name, inner, schema=op.schema))
            continue
        try:
            out.append(op.reverse())
        except IrreversibleOperationError as exc:
            if context is not None:
                context.warn(f"{exc}; write its part of downgrade() by hand")
    return out


def render_python_code(
    ops: OpContainer,
    *,
    connection: Any = None,
    dialect: sa.Dialect | None = None,
    context: AutogenContext | None = None,
    imports: set[str] | None = None,
    host: Any = None,
    **opts: Any,
) -> str:
    """Python source for ``ops`` (an ``UpgradeOps`` or ``DowngradeOps``).

    Give a ``connection`` or ``dialect`` (types and SQL expressions are
    written for it), or an :class:`AutogenContext`. Options are
    ``render_as_batch``, ``render_item``, ``user_module_prefix``,
    ``sqlalchemy_module_prefix`` and ``mighub_module_prefix``. ``imports``,
    when given, receives the import lines the code needs. The renderers are
    ``host``'s, else every installed plugin's.
    """
    if context is None:
        if connection is not None:
            context = autogen_context(connection, None, host=host, **opts)
        else:
            if dialect is None:
                dialect = sa.engine.default.DefaultDialect()
            renderers = (host if host is not None else _installed_plugins()).renderers
            context = AutogenContext(None, dialect=dialect, opts=opts, renderers=renderers)
    text = _render(ops, context)
    if imports is not None:
        imports.update(context.imports)
    return text


# ---------------------------------------------------------------------------
# Differences in plain data, for `mighub check`
# ---------------------------------------------------------------------------


def differences(container: OpContainer, *, database: str | None = None) -> list[dict[str, Any]]:
    """Each change as a dict with the keys ``mighub check --json`` documents."""
    out: list[dict[str, Any]] = []
    for op in container.ops:
        if isinstance(op, OpContainer):
            out.extend(differences(op, database=database))
            continue
        out.extend(_describe(op, database))
    return out


def _row(
    kind: str,
    message: str,
    *,
    database: str | None,
    schema: str | None,
    table: str | None,
    name: str | None = None,
    old: Any = None,
    new: Any = None,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "database": database,
        "schema": schema,
        "table": table,
        "name": name,
        "from": old,
        "to": new,
        "message": message,
    }


def _where(schema: str | None, table: str | None) -> str:
    return f"{schema}.{table}" if schema else str(table)


def _text(value: Any, dialect: sa.Dialect | None = None) -> Any:
    if value is None or value is NOT_GIVEN:
        return None
    if isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, sa.DefaultClause):
        arg = value.arg
        return arg if isinstance(arg, str) else str(getattr(arg, "text", arg))
    if isinstance(value, sa.types.TypeEngine):
        try:
            return str(value.compile(dialect=dialect)) if dialect else repr(value)
        except Exception:  # a type with no DDL form here
            return repr(value)
    return repr(value)


def _describe(op: Operation, database: str | None) -> list[dict[str, Any]]:
    common: dict[str, Any] = {"database": database}
    if isinstance(op, CreateTableOp):
        where = _where(op.schema, op.table_name)
        return [
            _row(
                "add_table",
                f"table {where} is in the models only",
                schema=op.schema,
                table=op.table_name,
                **common,
            )
        ]
    if isinstance(op, DropTableOp):
        where = _where(op.schema, op.table_name)
        return [
            _row(
                "remove_table",
                f"table {where} is in the database only",
                schema=op.schema,
                table=op.table_name,
                **common,
            )
        ]
    if isinstance(op, AddColumnOp):
        where = f"{_where(op.schema, op.table_name)}.{op.column.name}"
        return [
            _row(
                "add_column",
                f"column {where} is in the models only",
                schema=op.schema,
                table=op.table_name,
                name=op.column.name,
                **common,
            )
        ]
    if isinstance(op, DropColumnOp):
        where = f"{_where(op.schema, op.table_name)}.{op.column_name}"
        return [
            _row(
                "remove_column",
                f"column {where} is in the database only",
                schema=op.schema,
                table=op.table_name,
                name=op.column_name,
                **common,
            )
        ]
    if isinstance(op, AlterColumnOp):
        return _describe_alter(op, database)
    if isinstance(op, CreateIndexOp):
        return [
            _row(
                "add_index",
                f"index {op.index_name} on {_where(op.schema, op.table_name)} is "
                f"in the models only",
                schema=op.schema,
                table=op.table_name,
                name=_text(op.index_name),
                **common,
            )
        ]
    if isinstance(op, DropIndexOp):
        return [
            _row(
                "remove_index",
                f"index {op.index_name} on {_where(op.schema, op.table_name)} "
                f"is in the database only",
                schema=op.schema,
                table=op.table_name,
                name=_text(op.index_name),
                **common,
            )
        ]
    if isinstance(op, DropConstraintOp):
        kind = "remove_fk" if op.type_ == "foreignkey" else "remove_constraint"
        what = _constraint_word(op.type_)
        return [
            _row(
                kind,
                f"{what} {op.constraint_name} on {_where(op.schema, op.table_name)} is in "
                f"the database only",
                schema=op.schema,
                table=op.table_name,
                name=_text(op.constraint_name),
                **common,
            )
        ]
    if isinstance(op, CreateTableCommentOp):
        where = _where(op.schema, op.table_name)
        return [
            _row(
                "add_table_comment",
                f"table {where} comment changes",
                schema=op.schema,
                table=op.table_name,
                old=op.existing_comment,
                new=op.comment,
                **common,
            )
        ]
    if isinstance(op, DropTableCommentOp):
        where = _where(op.schema, op.table_name)
        return [
            _row(
                "remove_table_comment",
                f"table {where} comment is dropped",
                schema=op.schema,
                table=op.table_name,
                old=op.existing_comment,
                **common,
            )
        ]
    table_name, schema = _constraint_table(op)
    if table_name is not None:
        kind = (
            "add_fk" if getattr(op, "constraint_type", None) == "foreignkey" else "add_constraint"
        )
        name = getattr(op, "constraint_name", None)
        what = _constraint_word(getattr(op, "constraint_type", None))
        return [
            _row(
                kind,
                f"{what} {name} on {_where(schema, table_name)} is in the models only",
                schema=schema,
                table=table_name,
                name=_text(name),
                **common,
            )
        ]
    return [
        _row(
            getattr(op, "op_name", type(op).__name__),
            f"{op.describe()}",
            schema=getattr(op, "schema", None),
            table=getattr(op, "table_name", None),
            **common,
        )
    ]


def _constraint_table(op: Operation) -> tuple[str | None, str | None]:
    try:
        return op.constraint_table  # type: ignore[attr-defined,no-any-return]
    except (AttributeError, NotImplementedError):
        return None, None


def _constraint_word(type_: str | None) -> str:
    return {
        "primary": "primary key",
        "unique": "unique constraint",
        "foreignkey": "foreign key",
        "check": "check constraint",
    }.get(str(type_), "constraint")


def _describe_alter(op: AlterColumnOp, database: str | None) -> list[dict[str, Any]]:
    where = f"{_where(op.schema, op.table_name)}.{op.column_name}"
    rows = []
    common = {
        "database": database,
        "schema": op.schema,
        "table": op.table_name,
        "name": op.column_name,
    }
    if op.modify_type is not None:
        old, new = _text(op.existing_type), _text(op.modify_type)
        rows.append(
            _row("modify_type", f"column {where} type: {old} -> {new}", old=old, new=new, **common)
        )
    if op.modify_nullable is not None:
        old, new = op.existing_nullable, op.modify_nullable
        rows.append(
            _row(
                "modify_nullable",
                f"column {where} nullable: {old} -> {new}",
                old=old,
                new=new,
                **common,
            )
        )
    if op.modify_server_default is not NOT_GIVEN:
        old, new = _text(op.existing_server_default), _text(op.modify_server_default)
        rows.append(
            _row(
                "modify_default",
                f"column {where} server default: {old} -> {new}",
                old=old,
                new=new,
                **common,
            )
        )
    if op.modify_comment is not NOT_GIVEN:
        old, new = _text(op.existing_comment), op.modify_comment
        rows.append(
            _row(
                "modify_comment",
                f"column {where} comment: {old!r} -> {new!r}",
                old=old,
                new=new,
                **common,
            )
        )
    for key, value in op.kw.items():
        if key.startswith("modify_"):
            rows.append(
                _row(key, f"column {where} {key[7:]}: -> {value!r}", new=_text(value), **common)
            )
    return rows
