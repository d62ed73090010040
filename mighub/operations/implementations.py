"""The default implementations of the core operations: operation object -> dialect calls.

Each function takes the :class:`~mighub.operations.base.Operations` of the
run and the operation object, builds the SQLAlchemy objects the operation
describes (in a ``MetaData`` carrying the target metadata's naming
convention, so ``None`` names are completed), and hands them to the
:class:`~mighub.ddl.impl.DialectImpl`. What differs between databases lives
in the dialect implementation, so these functions serve every dialect;
a plugin that needs a different flow for one dialect registers its own
function with ``register_implementation(op_class, function, dialect=...)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Table

from mighub.operations import ops
from mighub.operations.ops import NOT_GIVEN

if TYPE_CHECKING:
    from mighub.operations.base import Operations


def create_table(operations: Operations, op: ops.CreateTableOp) -> Table:
    """Returns the new ``Table``, ready for ``op.bulk_insert``.

    The table is built in the run's ``MetaData`` of created tables, where a later
    foreign key to it finds it (see :meth:`Operations.created_tables_metadata`).
    """
    table = op.to_table(operations.created_tables_metadata(op.schema, op.table_name))
    operations.impl.create_table(table, if_not_exists=op.if_not_exists)
    operations._created_tables[(op.schema, op.table_name)] = table
    return table


def drop_table(operations: Operations, op: ops.DropTableOp) -> None:
    operations.impl.drop_table(op.to_table(operations.metadata()), if_exists=op.if_exists)


def rename_table(operations: Operations, op: ops.RenameTableOp) -> None:
    operations.impl.rename_table(op.table_name, op.new_table_name, schema=op.schema)


def create_table_comment(operations: Operations, op: ops.CreateTableCommentOp) -> None:
    operations.impl.create_table_comment(
        op.table_name, op.comment, schema=op.schema, existing_comment=op.existing_comment
    )


def drop_table_comment(operations: Operations, op: ops.DropTableCommentOp) -> None:
    operations.impl.drop_table_comment(
        op.table_name, schema=op.schema, existing_comment=op.existing_comment
    )


def add_column(operations: Operations, op: ops.AddColumnOp) -> None:
    column = op.column
    if column.table is not None:  # the op ran before, or came from a model's table
        column = column._copy()
    # A table in the convention's MetaData, so the column's unique / foreign key /
    # index=True get the names the models would give them.
    Table(op.table_name, operations.metadata(), column, schema=op.schema)
    operations.impl.add_column(
        op.table_name,
        column,
        schema=op.schema,
        if_not_exists=op.if_not_exists,
        inline_references=op.inline_references,
        inline_primary_key=op.inline_primary_key,
    )


def drop_column(operations: Operations, op: ops.DropColumnOp) -> None:
    operations.impl.drop_column(
        op.table_name, op.column_name, schema=op.schema, if_exists=op.if_exists, **op.kw
    )


def alter_column(operations: Operations, op: ops.AlterColumnOp) -> None:
    operations.impl.alter_column(
        op.table_name,
        op.column_name,
        nullable=op.modify_nullable,
        server_default=op.modify_server_default,
        type_=op.modify_type,
        new_column_name=op.modify_name,
        comment=op.modify_comment,
        schema=op.schema,
        existing_type=op.existing_type,
        existing_server_default=_known(op.existing_server_default),
        existing_nullable=op.existing_nullable,
        existing_comment=_known(op.existing_comment),
        **op.kw,
    )


def create_index(operations: Operations, op: ops.CreateIndexOp) -> None:
    table = _created_table_for(operations, op)
    if table is None:
        index = op.to_index(operations.metadata())
        operations.impl.create_index(index, if_not_exists=op.if_not_exists)
        return
    # The index is built on the table op.create_table just made, in its MetaData (the
    # same naming convention), instead of on a stand-in table of NullType columns:
    # building a Table costs more than the rest of the operation. The table is left
    # as op.create_table returned it.
    index = op.to_index(table.metadata)
    try:
        operations.impl.create_index(index, if_not_exists=op.if_not_exists)
    finally:
        table.indexes.discard(index)


def _created_table_for(operations: Operations, op: ops.CreateIndexOp) -> Table | None:
    """The table of ``op`` if op.create_table made it in this revision and it has every
    column the index names; ``None`` when the index needs a stand-in table.

    Only plain indexes qualify: dialect options (``postgresql_include``...) may add
    columns to the index's table, which must never touch the table the script holds.
    """
    table = operations._created_tables.get((op.schema, op.table_name))
    if table is None or op.kw:
        return None
    columns = table.c
    for column in op.columns:
        if not isinstance(column, str) or column not in columns:
            return None
    return table


def drop_index(operations: Operations, op: ops.DropIndexOp) -> None:
    operations.impl.drop_index(op.to_index(operations.metadata()), if_exists=op.if_exists)


def add_constraint(operations: Operations, op: ops.AddConstraintOp) -> None:
    operations.impl.add_constraint(op.to_constraint(operations.metadata()))


def drop_constraint(operations: Operations, op: ops.DropConstraintOp) -> None:
    operations.impl.drop_constraint(op.to_constraint(operations.metadata()), if_exists=op.if_exists)


def bulk_insert(operations: Operations, op: ops.BulkInsertOp) -> None:
    operations.impl.bulk_insert(op.table, op.rows, multiinsert=op.multiinsert)


def execute(operations: Operations, op: ops.ExecuteSQLOp) -> None:
    operations.impl.execute(op.sqltext, execution_options=op.execution_options)


def _known(value: Any) -> Any:
    return None if value is NOT_GIVEN else value
