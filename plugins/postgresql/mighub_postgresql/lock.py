"""The PostgreSQL migration lock: a session advisory lock on a connection of its own.

Its own connection, in autocommit mode, so that a migration that commits
(``autocommit_block()`` for ``CREATE INDEX CONCURRENTLY``) neither releases
the lock nor waits on it. The server frees a session lock when the session
ends, so a holder killed with SIGKILL never blocks the next run.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterator

import sqlalchemy as sa

from mighub.runtime.lock import wait_for


def lock_key(scope: str) -> int:
    """A stable signed 64-bit key for ``scope`` (advisory locks are per database already)."""
    digest = hashlib.sha256(f"mighub:{scope}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextlib.contextmanager
def advisory_lock(
    connection: sa.Connection,
    *,
    scope: str,
    timeout: float,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    key = lock_key(scope)
    unsigned = key & 0xFFFFFFFFFFFFFFFF
    classid, objid = unsigned >> 32, unsigned & 0xFFFFFFFF
    with connection.engine.connect() as lock_connection:
        lock_connection = lock_connection.execution_options(isolation_level="AUTOCOMMIT")

        def try_acquire() -> bool:
            return bool(
                lock_connection.execute(
                    sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": key}
                ).scalar()
            )

        def holder() -> str | None:
            row = lock_connection.execute(
                sa.text(
                    "SELECT a.pid, a.usename, a.application_name, a.client_addr "
                    "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND l.granted "
                    "AND l.classid = :classid AND l.objid = :objid AND l.objsubid = 1"
                ),
                {"classid": classid, "objid": objid},
            ).first()
            if row is None:
                return None
            app = f", application {row.application_name!r}" if row.application_name else ""
            client = f" from {row.client_addr}" if row.client_addr else ""
            return f"server process {row.pid}, user {row.usename}{client}{app}"

        wait_for(
            try_acquire,
            timeout=timeout,
            what=f"(PostgreSQL advisory lock {key} for {scope})",
            holder=holder,
            on_wait=on_wait,
        )
        try:
            yield
        finally:
            lock_connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": key})
