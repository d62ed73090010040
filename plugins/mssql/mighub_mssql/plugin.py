"""The SQL Server plugin's hook implementations, found through the ``mighub`` entry point.

Kept free of heavy imports: the dialect implementation is registered as a
``"module:Class"`` string and imported only when a SQL Server database is
used; the other hooks import their modules when they run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mighub import hookimpl

if TYPE_CHECKING:
    from mighub.registries import DialectRegistry, OperationRegistry


@hookimpl
def mighub_register_dialects(registry: DialectRegistry) -> None:
    registry.register("mssql", "mighub_mssql.impl:MSSQLImpl")


@hookimpl
def mighub_register_operations(registry: OperationRegistry) -> None:
    from mighub.operations.ops import DropIndexOp
    from mighub_mssql import operations

    registry.register_implementation(DropIndexOp, operations.drop_index, dialect="mssql")


COMPARE_PRIORITY = -100
"""Below the generic comparators (priority 0): SQL Server's comparator reviews their findings."""
