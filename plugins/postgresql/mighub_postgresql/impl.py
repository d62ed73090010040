"""How mighub speaks PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from mighub.ddl.impl import DialectImpl


class PostgresqlImpl(DialectImpl):
    name = "postgresql"
    transactional_ddl = True

    def migration_lock(
        self,
        *,
        scope: str,
        timeout: float,
        on_wait: Callable[[str], None] | None = None,
    ) -> AbstractContextManager[None] | None:
        from mighub_postgresql.lock import advisory_lock

        assert self.connection is not None
        return advisory_lock(self.connection, scope=scope, timeout=timeout, on_wait=on_wait)
