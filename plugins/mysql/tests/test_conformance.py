"""mighub's dialect conformance suite, run by the MariaDB/MySQL plugin on the real server.

The server is ``$MIGHUB_TEST_MYSQL_URL`` (default: the local MariaDB), reached
as ``mariadb+pymysql``, the dialect name MariaDB projects use; each test gets
a database of its own. Without a server the database tests are skipped with
the reason, unless ``$MIGHUB_REQUIRE_BACKENDS`` names ``mysql``; the offline
tests run regardless.
"""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from mighub.testing import DialectTarget, server_databases
from mighub.testing.suite import *  # noqa: F403

SERVER = sa.make_url(
    os.environ.get("MIGHUB_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test")
).set(drivername="mariadb+pymysql")


@pytest.fixture(scope="session")
def mighub_target() -> DialectTarget:
    required = "mysql" in os.environ.get("MIGHUB_REQUIRE_BACKENDS", "").split(",")
    return DialectTarget(
        "mariadb",
        "mariadb+pymysql://",
        databases=server_databases(SERVER.render_as_string(hide_password=False), required=required),
    )
