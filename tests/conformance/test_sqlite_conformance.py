"""The dialect conformance suite on SQLite, the kernel's own dialect.

SQLite changes tables in place only by renaming and adding or dropping
columns: every other change must be refused (batch mode recreates the table
instead), which the suite checks too.
"""

from __future__ import annotations

import pytest

from mighub.testing import DialectTarget, sqlite_databases
from mighub.testing.suite import *  # noqa: F403


@pytest.fixture(scope="session")
def mighub_target() -> DialectTarget:
    return DialectTarget("sqlite", "sqlite://", databases=sqlite_databases(), features=frozenset())
