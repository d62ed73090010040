"""The generic dialect implementation that every dialect plugin subclasses.

A dialect implementation answers the questions that differ between
databases: is DDL transactional, how does an offline script end and separate
statements, and (as operations land) how each operation becomes SQL.
Class attributes carry the simple answers so a plugin for a new database can
start with a few lines::

    class DuckDBImpl(DialectImpl):
        name = "duckdb"
        transactional_ddl = True
"""

from __future__ import annotations

from typing import ClassVar


class DialectImpl:
    """Generic behaviour, right for databases that follow the SQL standard."""

    name: ClassVar[str] = "default"
    """The SQLAlchemy dialect name this implementation serves."""

    transactional_ddl: ClassVar[bool] = False
    """Whether DDL runs inside a transaction that a failure rolls back."""

    statement_terminator: ClassVar[str] = ";"
    """What ends each statement in offline (``--sql``) output."""

    batch_separator: ClassVar[str | None] = None
    """A line written after each statement in offline output (``GO`` on SQL Server)."""
