"""How mighub speaks SQL Server."""

from __future__ import annotations

from mighub.ddl.impl import DialectImpl


class MSSQLImpl(DialectImpl):
    name = "mssql"
    transactional_ddl = True
    batch_separator = "GO"
