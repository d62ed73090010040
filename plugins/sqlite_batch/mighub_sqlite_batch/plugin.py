"""The batch plugin's hook implementations, found through the ``mighub`` entry point.

``mighub_batch_strategy`` answers for every dialect: the move-and-copy
strategy recreates SQLite tables whenever SQLite cannot ALTER in place, and
any database's tables with ``recreate="always"``. Its modules (and
SQLAlchemy) are imported when a revision enters ``op.batch_alter_table``,
not when the plugin loads.
"""

from __future__ import annotations

from typing import Any

from mighub import hookimpl


@hookimpl
def mighub_batch_strategy(dialect_name: str) -> Any:
    from mighub_sqlite_batch.strategy import MoveAndCopy

    return MoveAndCopy()
