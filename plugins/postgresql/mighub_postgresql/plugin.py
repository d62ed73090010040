"""The PostgreSQL plugin's hook implementations, found through the ``mighub`` entry point.

Kept free of heavy imports: the dialect implementation is registered as a
``"module:Class"`` string and imported only when a PostgreSQL database is used.
"""

from __future__ import annotations

from mighub import hookimpl
from mighub.registries import DialectRegistry


@hookimpl
def mighub_register_dialects(registry: DialectRegistry) -> None:
    registry.register("postgresql", "mighub_postgresql.impl:PostgresqlImpl")
