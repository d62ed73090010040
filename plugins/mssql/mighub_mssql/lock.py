"""The SQL Server migration lock: an application lock (``sp_getapplock``) owned by a session.

It is taken on a connection of its own, in autocommit mode, with
``@LockOwner = 'Session'``: a migration that commits (``autocommit_block()``)
neither releases it nor waits on it, and the server frees it when the
session ends, so a holder killed with SIGKILL never blocks the next run.
Application locks are per database, like the version table they guard.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterator

import sqlalchemy as sa

from mighub.errors import MighubError
from mighub.runtime.lock import wait_for

RESOURCE_LENGTH = 255
"""The longest resource name ``sp_getapplock`` accepts."""

ACQUIRE = sa.text(
    "SET NOCOUNT ON;\n"
    "DECLARE @mighub_result INT;\n"
    "EXEC @mighub_result = sp_getapplock @Resource = :resource, @LockMode = N'Exclusive', "
    "@LockOwner = N'Session', @LockTimeout = 0;\n"
    "SELECT @mighub_result"
)
"""One attempt that never waits on the server: :func:`wait_for` waits, with its messages."""

RELEASE = sa.text("EXEC sp_releaseapplock @Resource = :resource, @LockOwner = N'Session'")

HOLDER = sa.text(
    "SELECT s.session_id, s.login_name, s.host_name, s.program_name\n"
    "FROM sys.dm_tran_locks AS l\n"
    "JOIN sys.dm_exec_sessions AS s ON s.session_id = l.request_session_id\n"
    "WHERE l.resource_type = N'APPLICATION' AND l.request_status = N'GRANT'\n"
    "AND l.resource_database_id = DB_ID() AND l.resource_description LIKE :pattern"
)
"""Who holds the lock; needs VIEW SERVER STATE, so it is only ever a courtesy."""

GRANTED = (0, 1)
"""``sp_getapplock`` results that mean the lock is ours (1: after a wait)."""

TIMED_OUT = -1

FAILURES = {-2: "the request was cancelled", -3: "chosen as a deadlock victim", -999: "bad call"}


def resource_name(scope: str) -> str:
    """``mighub:<scope>``, readable in the server's lock lists; hashed when too long."""
    name = f"mighub:{scope}"
    if len(name) <= RESOURCE_LENGTH:
        return name
    digest = hashlib.sha256(scope.encode()).hexdigest()[:16]
    return f"{name[: RESOURCE_LENGTH - 17]}:{digest}"


def _like_pattern(resource: str) -> str:
    """A LIKE pattern for the lock's ``resource_description``, which shows the name's start."""
    escaped = "".join(f"[{c}]" if c in "%_[" else c for c in resource[:32])
    return f"%{escaped}%"


@contextlib.contextmanager
def application_lock(
    connection: sa.Connection,
    *,
    scope: str,
    timeout: float,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    resource = resource_name(scope)
    with connection.engine.connect() as lock_connection:
        lock_connection = lock_connection.execution_options(isolation_level="AUTOCOMMIT")

        def try_acquire() -> bool:
            result = lock_connection.execute(ACQUIRE, {"resource": resource}).scalar()
            if result in GRANTED:
                return True
            if result == TIMED_OUT:
                return False
            reason = FAILURES.get(result, "unknown result") if isinstance(result, int) else ""
            raise MighubError(
                f"sp_getapplock for the migration lock {resource!r} returned {result!r}"
                + (f" ({reason})" if reason else "")
            )

        def holder() -> str | None:
            try:
                row = lock_connection.execute(HOLDER, {"pattern": _like_pattern(resource)}).first()
            except sa.exc.DBAPIError:  # no VIEW SERVER STATE permission
                return None
            if row is None:
                return None
            session, login, host_name, program_name = row
            program = f", program {program_name!r}" if program_name else ""
            host = f" on {host_name}" if host_name else ""
            return f"session {session}, login {login}{host}{program}"

        wait_for(
            try_acquire,
            timeout=timeout,
            what=f"(SQL Server application lock {resource!r})",
            holder=holder,
            on_wait=on_wait,
        )
        try:
            yield
        finally:
            lock_connection.execute(RELEASE, {"resource": resource})
