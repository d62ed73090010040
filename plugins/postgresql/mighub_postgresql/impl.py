"""How mighub speaks PostgreSQL."""

from __future__ import annotations

from mighub.ddl.impl import DialectImpl


class PostgresqlImpl(DialectImpl):
    name = "postgresql"
    transactional_ddl = True
