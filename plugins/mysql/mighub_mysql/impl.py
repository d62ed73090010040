"""How mighub speaks MariaDB/MySQL."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from mighub.ddl.impl import DialectImpl


class MySQLImpl(DialectImpl):
    name = "mysql"
    transactional_ddl = False

    def migration_lock(
        self,
        *,
        scope: str,
        timeout: float,
        on_wait: Callable[[str], None] | None = None,
    ) -> AbstractContextManager[None] | None:
        from mighub_mysql.lock import named_lock

        assert self.connection is not None
        return named_lock(self.connection, scope=scope, timeout=timeout, on_wait=on_wait)
