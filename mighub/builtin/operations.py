"""Builtin plugin ``mighub.operations``: the core ``op.*`` operations.

They are registered through the same hook a third-party plugin uses. The
operation classes are imported inside the hook, not at the top of this
module: the host imports every builtin plugin even for ``mighub heads``,
which must not import SQLAlchemy, and this hook only runs once a command
needs operations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mighub.hookspecs import hookimpl

if TYPE_CHECKING:
    from mighub.registries import OperationRegistry


@hookimpl
def mighub_register_operations(registry: OperationRegistry) -> None:
    from mighub.operations import implementations as impl
    from mighub.operations import ops

    # name, class, offered on batch_op too, implementation (None: the base class's)
    core = [
        ("create_table", ops.CreateTableOp, False, impl.create_table),
        ("drop_table", ops.DropTableOp, False, impl.drop_table),
        ("rename_table", ops.RenameTableOp, True, impl.rename_table),
        ("create_table_comment", ops.CreateTableCommentOp, True, impl.create_table_comment),
        ("drop_table_comment", ops.DropTableCommentOp, True, impl.drop_table_comment),
        ("add_column", ops.AddColumnOp, True, impl.add_column),
        ("drop_column", ops.DropColumnOp, True, impl.drop_column),
        ("alter_column", ops.AlterColumnOp, True, impl.alter_column),
        ("create_index", ops.CreateIndexOp, True, impl.create_index),
        ("drop_index", ops.DropIndexOp, True, impl.drop_index),
        ("create_primary_key", ops.CreatePrimaryKeyOp, True, None),
        ("create_unique_constraint", ops.CreateUniqueConstraintOp, True, None),
        ("create_foreign_key", ops.CreateForeignKeyOp, True, None),
        ("create_check_constraint", ops.CreateCheckConstraintOp, True, None),
        ("drop_constraint", ops.DropConstraintOp, True, impl.drop_constraint),
        ("bulk_insert", ops.BulkInsertOp, False, impl.bulk_insert),
        ("execute", ops.ExecuteSQLOp, True, impl.execute),
    ]
    for name, op_class, batch, function in core:
        registry.register_operation(name, op_class, batch=batch)
        if function is not None:
            registry.register_implementation(op_class, function)
    # One implementation for every constraint a create_* operation adds, plugins' included.
    registry.register_implementation(ops.AddConstraintOp, impl.add_constraint)
