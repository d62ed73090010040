"""The batch strategy: collect ``batch_op`` calls, then ALTER in place or move and copy.

``op.batch_alter_table(...)`` (in the kernel) asks the ``mighub_batch_strategy``
hook for a strategy and enters :meth:`MoveAndCopy.batch_alter_table`. Inside
the ``with`` block ``batch_op`` only records operations; when the block ends
without an error, :class:`Batch` decides:

- ``recreate="never"``, or ``"auto"`` where nothing needs a new table: each
  operation runs as it would outside the batch, in order;
- otherwise the table is recreated with every change at once, by the runner
  for the dialect (:mod:`mighub_sqlite_batch.sqlite` for SQLite, including
  offline scripts; :mod:`mighub_sqlite_batch.server` for PostgreSQL and
  MariaDB/MySQL).

Operations that other plugins add (a project's ``op.create_view``) are not
table changes the batch can model: they never make it recreate the table,
and run after the recreation when something else needs one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from mighub.operations import BatchOperations, Operation, Operations
from mighub.operations import ops as core
from mighub_sqlite_batch.model import BatchError, is_modelled

_IN_PLACE_ON_SQLITE = (
    core.CreateIndexOp,
    core.DropIndexOp,
    core.RenameTableOp,
    core.ExecuteSQLOp,
)


class CollectingBatchOperations(BatchOperations):
    """``batch_op``: builds each operation as ``BatchOperations`` does, and keeps it for later."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.collected: list[Operation] = []

    def invoke(self, operation: Operation) -> None:
        """Record the operation; the batch applies them all when its block ends."""
        self.collected.append(operation)


@dataclass
class BatchOptions:
    """The arguments of ``op.batch_alter_table`` beyond the table's name."""

    schema: str | None = None
    recreate: str = "auto"
    copy_from: Any = None
    reflect_args: tuple[Any, ...] = ()
    reflect_kwargs: dict[str, Any] = field(default_factory=dict)
    table_args: tuple[Any, ...] = ()
    table_kwargs: dict[str, Any] = field(default_factory=dict)
    naming_convention: dict[str, str] | None = None
    partial_reordering: list[tuple[str, ...]] | None = None


class MoveAndCopy:
    """What ``mighub_batch_strategy`` returns: serves every dialect.

    SQLite is recreated whenever ``"auto"`` finds a change it cannot make in
    place; other databases only with ``recreate="always"``.
    """

    @contextmanager
    def batch_alter_table(
        self, operations: Operations, table_name: str, **options: Any
    ) -> Iterator[CollectingBatchOperations]:
        settings = BatchOptions(**options)
        if settings.table_kwargs:
            raise BatchError(
                f"op.batch_alter_table({table_name!r}): table_kwargs= is not supported; the new "
                f"table keeps the old one's options"
            )
        if settings.recreate == "always" and operations.impl.as_sql and settings.copy_from is None:
            raise _needs_copy_from(table_name)
        batch_op = CollectingBatchOperations(
            operations.impl,
            registry=operations.registry,
            table_name=table_name,
            schema=settings.schema,
            migration_context=operations.migration_context,
            target_metadata=operations.target_metadata,
            host=operations.host,
        )
        yield batch_op
        Batch(operations, table_name, settings).run(batch_op.collected)


class Batch:
    """One ``batch_alter_table`` block's operations, applied when the block ends."""

    def __init__(self, operations: Operations, table_name: str, options: BatchOptions) -> None:
        self.operations = operations
        self.table_name = table_name
        self.options = options
        self.dialect_name = operations.impl.dialect.name

    def run(self, collected: Sequence[Operation]) -> None:
        if self.wants_recreate(collected):
            if self.operations.impl.as_sql and self.options.copy_from is None:
                raise _needs_copy_from(self.table_name)
            self.runner().run(list(collected))
            return
        if self.options.partial_reordering:
            raise BatchError(
                f"op.batch_alter_table({self.table_name!r}): partial_reordering= needs the "
                f"table recreated; use recreate='always'"
            )
        for op in collected:
            self.operations.invoke(_without_position(op))

    def wants_recreate(self, collected: Sequence[Operation]) -> bool:
        recreate = self.options.recreate
        if recreate == "always":
            return True
        reason = self.sqlite_reason(collected) if self.dialect_name == "sqlite" else None
        if recreate == "never":
            if reason is not None:
                raise BatchError(
                    f"op.batch_alter_table({self.table_name!r}, recreate='never'): SQLite cannot "
                    f"{reason} in place; use recreate='auto' to recreate the table"
                )
            return False
        return reason is not None or bool(self.options.partial_reordering)

    def sqlite_reason(self, collected: Sequence[Operation]) -> str | None:
        """What in the batch SQLite's ALTER TABLE cannot do, or ``None``."""
        for op in collected:
            if isinstance(op, _IN_PLACE_ON_SQLITE) or not is_modelled(op):
                continue
            if isinstance(op, core.AlterColumnOp):
                only_rename = (
                    op.modify_name is not None
                    and op.modify_type is None
                    and op.modify_nullable is None
                    and op.modify_server_default is core.NOT_GIVEN
                    and op.modify_comment is core.NOT_GIVEN
                    and not _position(op)
                )
                if only_rename:
                    continue
                return f"alter column {op.column_name!r}"
            if isinstance(op, core.AddColumnOp) and _adds_in_place(op):
                continue
            return op.op_name.replace("_", " ")
        return None

    def runner(self) -> Any:
        if self.dialect_name == "sqlite":
            from mighub_sqlite_batch.sqlite import SQLiteMoveAndCopy

            return SQLiteMoveAndCopy(self.operations, self.table_name, self.options)
        from mighub_sqlite_batch.server import ServerMoveAndCopy

        return ServerMoveAndCopy(self.operations, self.table_name, self.options)


def _position(op: Operation) -> bool:
    kw = getattr(op, "kw", {})
    return kw.get("insert_before") is not None or kw.get("insert_after") is not None


def _without_position(op: Operation) -> Operation:
    """The operation without ``insert_before`` / ``insert_after``: only a new table has them."""
    kw = getattr(op, "kw", None)
    if kw and ("insert_before" in kw or "insert_after" in kw):
        op.kw = {k: v for k, v in kw.items() if k not in ("insert_before", "insert_after")}  # type: ignore[attr-defined]
    return op


def _adds_in_place(op: core.AddColumnOp) -> bool:
    """Whether SQLite's ``ADD COLUMN`` can add this column with everything it brings."""
    from sqlalchemy import Column, MetaData, Table
    from sqlalchemy.schema import DefaultClause, ForeignKeyConstraint

    if _position(op):
        return False
    column: Column[Any] = op.column._copy() if op.column.table is not None else op.column
    table = Table("t", MetaData(), column)
    if column.primary_key or column.computed is not None:
        return False
    if any(not isinstance(c, ForeignKeyConstraint) for c in table.constraints if c.columns):
        return False  # UNIQUE, or the CHECK a Boolean / Enum brings
    default = column.server_default
    if isinstance(default, DefaultClause) and not isinstance(default.arg, str):
        return False  # an expression default: SQLite only adds constant ones
    return column.nullable or default is not None


def _needs_copy_from(table_name: str) -> BatchError:
    return BatchError(
        f"op.batch_alter_table({table_name!r}) recreates the table, and offline (--sql) there "
        f"is no database to read its definition from: pass copy_from=sa.Table({table_name!r}, "
        f"sa.MetaData(), ...) describing the table as it is before the batch"
    )
