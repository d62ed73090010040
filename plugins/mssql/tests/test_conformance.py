"""mighub's dialect conformance suite, as far as SQL Server can be tested without a server.

No SQL Server runs where mighub is developed, so the target has no databases:
the suite's database tests are skipped with that reason, and the rest run.
Every offline script it writes (each core operation and its reverse, each
operation rendered by autogenerate into a revision, a whole ``mighub upgrade
--sql``) must parse as T-SQL, statement by statement, with the plugin's own
checker (``assert_tsql`` in this folder's conftest.py).
"""

from __future__ import annotations

import pytest

from mighub.testing import DialectTarget
from mighub.testing.suite import *  # noqa: F403
from plugins.mssql.tests.conftest import assert_tsql


@pytest.fixture(scope="session")
def mighub_target() -> DialectTarget:
    return DialectTarget("mssql", "mssql+pyodbc://", databases=None, check_sql=assert_tsql)
