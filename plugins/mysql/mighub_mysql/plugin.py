"""The MariaDB/MySQL plugin's hook implementations, found through the ``mighub`` entry point.

Kept free of heavy imports: the dialect implementation is registered as a
``"module:Class"`` string and imported only when a MariaDB/MySQL database is
used; the comparators are imported only when autogenerate asks for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mighub import hookimpl

if TYPE_CHECKING:
    from mighub.registries import ComparatorRegistry, DialectRegistry

DIALECTS = ("mysql", "mariadb")
"""SQLAlchemy's names for these servers: ``mariadb://`` URLs get the second."""


@hookimpl
def mighub_register_dialects(registry: DialectRegistry) -> None:
    for dialect in DIALECTS:
        registry.register(dialect, "mighub_mysql.impl:MySQLImpl")


@hookimpl
def mighub_register_comparators(registry: ComparatorRegistry) -> None:
    """MariaDB/MySQL spelling rules, comparators and schema reader (run by ``mighub-autogen``)."""
    from mighub_mysql import spelling

    spelling.register(registry)
    for dialect in DIALECTS:
        registry.register_reader("mighub_mysql.reader:read_schema", dialect=dialect)
