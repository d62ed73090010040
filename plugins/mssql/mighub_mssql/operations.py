"""Operation implementations that differ on SQL Server before any SQL is written."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mighub.errors import MighubError
from mighub.operations import implementations, ops

if TYPE_CHECKING:
    from mighub.operations.base import Operations


def drop_index(operations: Operations, op: ops.DropIndexOp) -> None:
    """``DROP INDEX name ON table``: without the table there is no statement to write."""
    if op.table_name is None and op._reverse is None:
        raise MighubError(
            f"op.drop_index({op.index_name!r}) on SQL Server needs table_name=: "
            f"DROP INDEX names the index's table"
        )
    implementations.drop_index(operations, op)
