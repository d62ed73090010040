"""The MariaDB/MySQL migration lock: ``GET_LOCK`` on a connection of its own.

Named locks belong to the session, survive the implicit commits that DDL
causes on these servers, and are freed when the session ends, so a holder
killed with SIGKILL never blocks the next run. The name is scoped to the
database (and version table), since named locks are server-wide.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterator

import sqlalchemy as sa

from mighub.runtime.lock import wait_for

MAX_NAME = 64


def lock_name(database: str, scope: str) -> str:
    name = f"mighub:{database}.{scope}"
    if len(name) > MAX_NAME:
        digest = hashlib.sha256(name.encode()).hexdigest()[:16]
        name = f"{name[: MAX_NAME - 17]}~{digest}"
    return name


@contextlib.contextmanager
def named_lock(
    connection: sa.Connection,
    *,
    scope: str,
    timeout: float,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    with connection.engine.connect() as lock_connection:
        lock_connection = lock_connection.execution_options(isolation_level="AUTOCOMMIT")
        # Asked on the lock's own connection: a query on the migration connection
        # would open a transaction there before the run decides how to begin.
        database = lock_connection.execute(sa.text("SELECT DATABASE()")).scalar() or ""
        name = lock_name(database, scope)

        def try_acquire() -> bool:
            got = lock_connection.execute(
                sa.text("SELECT GET_LOCK(:name, 0)"), {"name": name}
            ).scalar()
            return got == 1

        def holder() -> str | None:
            row = lock_connection.execute(
                sa.text(
                    "SELECT p.ID, p.USER, p.HOST FROM information_schema.PROCESSLIST p "
                    "WHERE p.ID = IS_USED_LOCK(:name)"
                ),
                {"name": name},
            ).first()
            if row is None:
                return None
            return f"connection {row[0]}, user {row[1]} from {row[2]}"

        wait_for(
            try_acquire,
            timeout=timeout,
            what=f"(named lock {name!r})",
            holder=holder,
            on_wait=on_wait,
        )
        try:
            yield
        finally:
            lock_connection.execute(sa.text("SELECT RELEASE_LOCK(:name)"), {"name": name})
