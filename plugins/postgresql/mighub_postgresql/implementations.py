"""How the PostgreSQL operations run: operation object -> :class:`PostgresqlImpl` calls.

Registered for the ``postgresql`` dialect only: on any other database these
operations fail with the kernel's "no implementation" error, which names the
operation and the dialect.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mighub.errors import MighubError
from mighub.operations import implementations as core_implementations
from mighub.operations import ops as core
from mighub_postgresql import ops

if TYPE_CHECKING:
    from mighub.operations.base import Operations
    from mighub_postgresql.impl import PostgresqlImpl


def _impl(operations: Operations) -> PostgresqlImpl:
    return operations.impl  # type: ignore[return-value]


def create_enum(operations: Operations, op: ops.CreateEnumOp) -> None:
    _impl(operations).create_enum(op.name, op.values, schema=op.schema)


def drop_enum(operations: Operations, op: ops.DropEnumOp) -> None:
    _impl(operations).drop_enum(op.name, schema=op.schema, if_exists=op.if_exists)


def add_enum_value(operations: Operations, op: ops.AddEnumValueOp) -> None:
    """In the run's transaction, unless the server is older than PostgreSQL 12."""
    impl = _impl(operations)

    def add() -> None:
        impl.add_enum_value(
            op.name,
            op.value,
            schema=op.schema,
            before=op.before,
            after=op.after,
            if_not_exists=op.if_not_exists,
        )

    if not impl.add_enum_value_needs_autocommit() or impl.autocommit_active():
        add()
        return
    context = operations.migration_context
    if context is None:
        raise MighubError(
            f"{op.describe()}: this PostgreSQL server cannot add an enum value inside a "
            f"transaction; run it on a connection in autocommit mode"
        )
    with context.autocommit_block():
        add()


def drop_enum_value(operations: Operations, op: ops.DropEnumValueOp) -> None:
    _impl(operations).drop_enum_value(op.name, op.value, schema=op.schema)


def rename_enum_value(operations: Operations, op: ops.RenameEnumValueOp) -> None:
    _impl(operations).rename_enum_value(op.name, op.old_value, op.new_value, schema=op.schema)


def rename_enum(operations: Operations, op: ops.RenameEnumOp) -> None:
    _impl(operations).rename_enum(op.name, op.new_name, schema=op.schema)


def create_sequence(operations: Operations, op: ops.CreateSequenceOp) -> None:
    _impl(operations).create_sequence(op.to_sequence(), if_not_exists=op.if_not_exists)


def drop_sequence(operations: Operations, op: ops.DropSequenceOp) -> None:
    _impl(operations).drop_sequence(op.to_sequence(), if_exists=op.if_exists)


def alter_sequence(operations: Operations, op: ops.AlterSequenceOp) -> None:
    _impl(operations).alter_sequence(op.sequence_name, op.changes, schema=op.schema)


def drop_column(operations: Operations, op: core.DropColumnOp) -> None:
    """The core drop, telling the implementation what the column was when that is known."""
    known = op._reverse.column if op._reverse is not None else None
    _impl(operations).drop_column(
        op.table_name,
        op.column_name,
        schema=op.schema,
        if_exists=op.if_exists,
        known_column=known,
        **op.kw,
    )


# The core implementation serves create_exclude_constraint (an AddConstraintOp).
add_constraint = core_implementations.add_constraint
