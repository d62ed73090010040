"""mighub's dialect conformance suite, run by the PostgreSQL plugin on the real server.

The server is ``$MIGHUB_TEST_POSTGRESQL_URL`` (default: the local one); each
test gets a database of its own. Without a server the database tests are
skipped with the reason, unless ``$MIGHUB_REQUIRE_BACKENDS`` names
``postgresql``; the offline tests run regardless.
"""

from __future__ import annotations

import os

import pytest

from mighub.testing import DialectTarget, server_databases
from mighub.testing.suite import *  # noqa: F403

SERVER = os.environ.get(
    "MIGHUB_TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(scope="session")
def mighub_target() -> DialectTarget:
    required = "postgresql" in os.environ.get("MIGHUB_REQUIRE_BACKENDS", "").split(",")
    return DialectTarget(
        "postgresql",
        "postgresql+psycopg://",
        databases=server_databases(
            SERVER, drop_sql="DROP DATABASE IF EXISTS {name} WITH (FORCE)", required=required
        ),
    )
