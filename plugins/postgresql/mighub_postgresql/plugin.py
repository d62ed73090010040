"""The PostgreSQL plugin's hook implementations, found through the ``mighub`` entry point.

Kept free of heavy imports: the dialect implementation is registered as a
``"module:Class"`` string and imported only when a PostgreSQL database is
used; the operation classes are imported inside the hook, which runs only
once a revision script runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mighub import hookimpl

if TYPE_CHECKING:
    from mighub.registries import (
        DialectRegistry,
        OperationRegistry,
    )

DIALECT = "postgresql"


@hookimpl
def mighub_register_dialects(registry: DialectRegistry) -> None:
    registry.register(DIALECT, "mighub_postgresql.impl:PostgresqlImpl")


@hookimpl
def mighub_register_operations(registry: OperationRegistry) -> None:
    from mighub.operations import ops as core
    from mighub_postgresql import implementations as impl
    from mighub_postgresql import ops

    # name, class, offered on batch_op too, implementation
    operations = [
        ("create_exclude_constraint", ops.CreateExcludeConstraintOp, True, impl.add_constraint),
        ("create_enum", ops.CreateEnumOp, False, impl.create_enum),
        ("drop_enum", ops.DropEnumOp, False, impl.drop_enum),
        ("add_enum_value", ops.AddEnumValueOp, False, impl.add_enum_value),
        ("drop_enum_value", ops.DropEnumValueOp, False, impl.drop_enum_value),
        ("rename_enum_value", ops.RenameEnumValueOp, False, impl.rename_enum_value),
        ("rename_enum", ops.RenameEnumOp, False, impl.rename_enum),
        ("create_sequence", ops.CreateSequenceOp, False, impl.create_sequence),
        ("alter_sequence", ops.AlterSequenceOp, False, impl.alter_sequence),
        ("drop_sequence", ops.DropSequenceOp, False, impl.drop_sequence),
    ]
    for name, op_class, batch, function in operations:
        registry.register_operation(name, op_class, batch=batch)
        registry.register_implementation(op_class, function, dialect=DIALECT)
    registry.register_implementation(core.DropColumnOp, impl.drop_column, dialect=DIALECT)
