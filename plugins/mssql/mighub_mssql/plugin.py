"""The SQL Server plugin's hook implementations, found through the ``mighub`` entry point.

Kept free of heavy imports: the dialect implementation is registered as a
``"module:Class"`` string and imported only when a SQL Server database is used.
"""

from __future__ import annotations

from mighub import hookimpl
from mighub.registries import DialectRegistry


@hookimpl
def mighub_register_dialects(registry: DialectRegistry) -> None:
    registry.register("mssql", "mighub_mssql.impl:MSSQLImpl")
