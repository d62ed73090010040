"""What a generated revision is before it is written, and how users rewrite it.

``process_revision_directives(context, revision, directives)`` in env.py
receives a list holding one :class:`MigrationScript`: change its message or
id, change its operations (``script.upgrade_ops.ops``), or empty the list to
write nothing. :class:`Rewriter` is a ready ``process_revision_directives``
that rewrites operations of chosen classes::

    from mighub_autogen import Rewriter
    from mighub.operations import ops

    writer = Rewriter()


    @writer.rewrites(ops.AddColumnOp)
    def add_nullable_first(context, revision, op):
        # add NOT NULL columns as nullable first, then tighten them
        if op.column.nullable:
            return op
        op.column.nullable = True
        return [
            op,
            ops.AlterColumnOp(
                op.table_name,
                op.column.name,
                schema=op.schema,
                modify_nullable=False,
                existing_type=op.column.type,
            ),
        ]


    context.configure(..., process_revision_directives=writer)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mighub.operations.base import Operation

if TYPE_CHECKING:  # the operation classes import SQLAlchemy; plain `revision` needs none
    from mighub.operations.ops import DowngradeOps, OpContainer, UpgradeOps

RewriteFunction = Callable[[Any, Any, Operation], "Operation | Sequence[Operation] | None"]


@dataclass
class MigrationScript:
    """A revision about to be written: its header values and its operations.

    ``upgrade_ops_list`` holds one :class:`UpgradeOps` per ``configure()``
    call of env.py (several with the ``multidb`` template, each with its
    ``upgrade_token``); ``upgrade_ops`` is the only one, when there is one.
    """

    rev_id: str | None = None
    message: str | None = None
    head: str | Sequence[str] = "head"
    splice: bool = False
    branch_label: Sequence[str] = ()
    version_path: str | None = None
    depends_on: Sequence[str] = ()
    upgrade_ops_list: list[UpgradeOps] = field(default_factory=list)
    downgrade_ops_list: list[DowngradeOps] = field(default_factory=list)
    imports: set[str] = field(default_factory=set)
    """Extra import lines for the script, added to the ones rendering finds."""

    @property
    def upgrade_ops(self) -> UpgradeOps:
        return _only(self.upgrade_ops_list, "upgrade_ops")

    @upgrade_ops.setter
    def upgrade_ops(self, value: UpgradeOps) -> None:
        self.upgrade_ops_list = [value]

    @property
    def downgrade_ops(self) -> DowngradeOps:
        return _only(self.downgrade_ops_list, "downgrade_ops")

    @downgrade_ops.setter
    def downgrade_ops(self, value: DowngradeOps) -> None:
        self.downgrade_ops_list = [value]


def _only(items: list[Any], what: str) -> Any:
    if len(items) != 1:
        raise ValueError(f"this script has {len(items)} {what} (one per database); use {what}_list")
    return items[0]


class Rewriter:
    """A ``process_revision_directives`` that replaces operations of chosen classes.

    A function registered with :meth:`rewrites` is called as
    ``function(context, revision, op)`` for every operation of that class
    (subclasses included), in the upgrade and the downgrade, and returns the
    operation to keep, a list of operations to put in its place, or an empty
    list to drop it. Operations inside ``ModifyTableOps`` are visited too.
    """

    def __init__(self) -> None:
        self._functions: list[tuple[type, RewriteFunction]] = []
        self._next: Rewriter | None = None

    def rewrites(self, op_class: type) -> Callable[[RewriteFunction], RewriteFunction]:
        def decorator(function: RewriteFunction) -> RewriteFunction:
            self._functions.append((op_class, function))
            return function

        return decorator

    def chain(self, other: Rewriter) -> Rewriter:
        """A rewriter that runs this one, then ``other``, on the result."""
        combined = Rewriter()
        combined._functions = list(self._functions)
        combined._next = other
        return combined

    def __call__(self, context: Any, revision: Any, directives: list[MigrationScript]) -> None:
        for script in directives:
            for container in [*script.upgrade_ops_list, *script.downgrade_ops_list]:
                self.rewrite_container(context, revision, container)
        if self._next is not None:
            self._next(context, revision, directives)

    def rewrite_container(self, context: Any, revision: Any, container: OpContainer) -> None:
        from mighub.operations.ops import OpContainer

        new_ops: list[Operation] = []
        for op in container.ops:
            for result in self._rewrite(context, revision, op):
                if isinstance(result, OpContainer):
                    self.rewrite_container(context, revision, result)
                new_ops.append(result)
        container.ops = new_ops

    def _rewrite(self, context: Any, revision: Any, op: Operation) -> list[Operation]:
        for op_class, function in self._functions:
            if isinstance(op, op_class):
                result = function(context, revision, op)
                if result is None:
                    return [op]
                if isinstance(result, Operation):
                    return [result]
                return list(result)
        return [op]
