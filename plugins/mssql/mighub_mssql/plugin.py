"""The SQL Server plugin's hook implementations, found through the ``mighub`` entry point.

Kept free of heavy imports: the dialect implementation is registered as a
``"module:Class"`` string and imported only when a SQL Server database is
used; the other hooks import their modules when they run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mighub import hookimpl

if TYPE_CHECKING:
    from mighub.registries import ComparatorRegistry, DialectRegistry, OperationRegistry


@hookimpl
def mighub_register_dialects(registry: DialectRegistry) -> None:
    registry.register("mssql", "mighub_mssql.impl:MSSQLImpl")


@hookimpl
def mighub_register_operations(registry: OperationRegistry) -> None:
    from mighub.operations.ops import DropIndexOp
    from mighub_mssql import operations

    registry.register_implementation(DropIndexOp, operations.drop_index, dialect="mssql")


@hookimpl
def mighub_register_comparators(registry: ComparatorRegistry) -> None:
    """SQL Server's type synonyms, normalisers and identity rule (run by ``mighub-autogen``)."""
    from mighub_mssql import spelling

    spelling.register(registry)
