"""The migration lock: ``sp_getapplock`` on a session of its own.

The stand-in DBAPI plays the server's part: it answers ``sp_getapplock``
with the results a test scripts (0 granted, -1 taken by another session),
and records the statements, which must be the T-SQL a server expects.
"""

from __future__ import annotations

import pytest
from mighub_mssql.impl import MSSQLImpl
from mighub_mssql.lock import ACQUIRE, HOLDER, RELEASE, resource_name

from mighub.errors import MighubError
from mighub.runtime.lock import LockTimeout


def script_results(server, *results: int) -> list[int]:
    """Answer successive sp_getapplock calls with ``results`` (the last one repeats)."""
    remaining = list(results)

    def answer(sql, params):
        return [(remaining.pop(0) if len(remaining) > 1 else remaining[0],)]

    server.answers.insert(0, (r"sp_getapplock", answer))
    return remaining


def lock_statements(server) -> list[tuple[str, tuple]]:
    return [(sql, params) for sql, params in server.statements if "applock" in sql]


def test_the_lock_is_taken_on_its_own_session_and_released(connection, server, tsql):
    script_results(server, 0)
    impl = MSSQLImpl(connection.dialect, connection)
    connections = server.connections
    lock = impl.migration_lock(scope="dbo.mighub_version", timeout=10)
    assert lock is not None
    with lock:
        assert server.connections == connections + 1
        assert lock_statements(server) == [
            (str(ACQUIRE).replace(":resource", "?"), ("mighub:dbo.mighub_version",))
        ]
    assert lock_statements(server)[-1] == (
        "EXEC sp_releaseapplock @Resource = ?, @LockOwner = N'Session'",
        ("mighub:dbo.mighub_version",),
    )
    for sql, _ in lock_statements(server):
        tsql(sql.replace("?", "N'mighub:dbo.mighub_version'"))


def test_the_lock_statements_are_t_sql(tsql):
    for statement in (ACQUIRE, RELEASE, HOLDER):
        sql = str(statement).replace(":resource", "N'mighub:v'").replace(":pattern", "N'%v%'")
        tsql(sql)
    assert "@LockOwner = N'Session'" in str(ACQUIRE)
    assert "@LockTimeout = 0" in str(ACQUIRE)


def test_a_held_lock_is_waited_for_and_its_holder_named(connection, server):
    script_results(server, -1, -1, 0)
    server.answers.insert(0, (r"dm_tran_locks", [(57, "deploy", "ci-runner-3", "mighub")]))
    messages: list[str] = []
    impl = MSSQLImpl(connection.dialect, connection)
    with impl.migration_lock(scope="mighub_version", timeout=60, on_wait=messages.append):
        pass
    assert messages == [
        "waiting for the migration lock (SQL Server application lock 'mighub:mighub_version'), "
        "held by session 57, login deploy on ci-runner-3, program 'mighub'"
    ]
    acquires = [s for s in lock_statements(server) if "sp_getapplock" in s[0]]
    assert len(acquires) == 3
    holder_query = next(p for s, p in server.statements if "dm_tran_locks" in s)
    assert holder_query == ("%mighub:mighub[_]version%",)


def test_a_lock_held_past_the_timeout_is_an_error(connection, server):
    script_results(server, -1)
    impl = MSSQLImpl(connection.dialect, connection)
    with pytest.raises(LockTimeout) as info, impl.migration_lock(scope="v", timeout=0):
        pass
    assert str(info.value).startswith(
        "timed out after 0 s waiting for the migration lock "
        "(SQL Server application lock 'mighub:v'); another mighub process is migrating"
    )
    assert not any("sp_releaseapplock" in s for s, _ in server.statements)


def test_a_failed_request_is_an_error_with_its_reason(connection, server):
    script_results(server, -3)
    impl = MSSQLImpl(connection.dialect, connection)
    with pytest.raises(MighubError) as info, impl.migration_lock(scope="v", timeout=10):
        pass
    assert str(info.value) == (
        "sp_getapplock for the migration lock 'mighub:v' returned -3 (chosen as a deadlock victim)"
    )


def test_resource_names_fit_sp_getapplock():
    assert resource_name("sales.mighub_version") == "mighub:sales.mighub_version"
    long = resource_name("s" * 300)
    assert len(long) == 255
    assert long != resource_name("s" * 299)
    assert long.startswith("mighub:sss")
