"""Revision scripts run by the real ``mighub`` CLI on MariaDB, and written as SQL for a DBA."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.runtime.conftest import MigrationProject, fresh_database, make_project

CREATE = """\
op.create_table(
    "account",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False, server_default="anon", comment="who"),
    sa.Column("status", sa.Enum("on", "off", name="status"), nullable=False),
    comment="accounts",
)
"""

CHANGE = """\
op.alter_column(
    "account", "name", type_=sa.String(80), new_column_name="title",
    existing_type=sa.String(50), existing_nullable=False,
    existing_server_default="anon", existing_comment="who",
)
op.alter_column(
    "account", "status", type_=sa.Enum("on", "off", "gone", name="status"),
    existing_type=sa.Enum("on", "off", name="status"), existing_nullable=False,
)
op.create_index("ix_account_title", "account", ["title"], mysql_length=8)
op.create_check_constraint("ck_title", "account", sa.column("title") != "")
"""

UNDO_CHANGE = """\
op.drop_constraint("ck_title", "account", type_="check")
op.drop_index("ix_account_title", "account")
op.alter_column(
    "account", "status", type_=sa.Enum("on", "off", name="status"),
    existing_type=sa.Enum("on", "off", "gone", name="status"), existing_nullable=False,
)
op.alter_column(
    "account", "title", type_=sa.String(50), new_column_name="name",
    existing_type=sa.String(80), existing_nullable=False,
    existing_server_default="anon", existing_comment="who",
)
"""


@pytest.fixture
def project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[MigrationProject]:
    monkeypatch.chdir(tmp_path)
    database = fresh_database("mysql", tmp_path)
    url = next(database)
    try:
        yield make_project(tmp_path / "project", url, capsys)
    finally:
        next(database, None)


def columns(project: MigrationProject) -> dict[str, dict]:
    engine = project.engine()
    try:
        with engine.connect() as conn:
            return {c["name"]: c for c in sa.inspect(conn).get_columns("account")}
    finally:
        engine.dispose()


def test_upgrade_and_downgrade(project) -> None:
    project.revision("aaaa00000001", None, CREATE, 'op.drop_table("account")', doc="create")
    project.revision("bbbb00000002", "aaaa00000001", CHANGE, UNDO_CHANGE, doc="change")
    project.ok("upgrade", "head")
    title = columns(project)["title"]
    assert (title["type"].length, title["nullable"], title["default"], title["comment"]) == (
        80,
        False,
        "'anon'",
        "who",
    )
    assert list(columns(project)["status"]["type"].enums) == ["on", "off", "gone"]
    project.ok("downgrade", "aaaa00000001")
    name = columns(project)["name"]
    assert (name["type"].length, name["nullable"], name["default"], name["comment"]) == (
        50,
        False,
        "'anon'",
        "who",
    )
    assert project.version_rows() == ["aaaa00000001"]
    project.ok("downgrade", "base")
    assert project.tables() == {"mighub_version"}


def test_a_modify_that_would_drop_attributes_stops_the_run_before_any_sql(project) -> None:
    project.revision("aaaa00000001", None, CREATE, 'op.drop_table("account")', doc="create")
    path = project.revision(
        "bbbb00000002",
        "aaaa00000001",
        'op.alter_column("account", "name", type_=sa.String(80))',
        doc="careless",
    )
    result = project.run("upgrade", "head")
    assert result.exit_code == 1
    error = result.stderr.splitlines()[-1]
    assert error.startswith(f"Error: upgrade of revision bbbb00000002 ({path}) failed")
    assert "would drop what the column has and the call does not restate" in error
    assert "it is NOT NULL (pass existing_nullable=False)" in error
    assert "no statement of the revision had run, so nothing stays applied" in error
    assert project.version_rows() == ["aaaa00000001"]
    assert columns(project)["name"]["type"].length == 50
    # Nothing ran (the look at information_schema is a read): nothing to resolve.
    assert "failed part-way" not in project.run("upgrade", "head").stderr
    project.revision(
        "bbbb00000002",
        "aaaa00000001",
        'op.alter_column("account", "name", type_=sa.String(80), existing_nullable=False,\n'
        '                existing_server_default="anon", existing_comment="who")',
        doc="careless",
    )
    project.ok("upgrade", "head")
    name = columns(project)["name"]
    assert (name["type"].length, name["nullable"], name["comment"]) == (80, False, "who")


def test_offline_sql_for_mariadb(project) -> None:
    project.revision("aaaa00000001", None, CREATE, 'op.drop_table("account")', doc="create")
    project.revision("bbbb00000002", "aaaa00000001", CHANGE, UNDO_CHANGE, doc="change")
    url = sa.make_url(project.url).set(drivername="mariadb+pymysql")
    sql = project.ok("--url", url.render_as_string(), "upgrade", "head", "--sql").stdout
    assert "BEGIN;" not in sql  # no transactional DDL
    assert (
        "ALTER TABLE account CHANGE name title VARCHAR(80) NOT NULL COMMENT 'who' "
        "DEFAULT 'anon';" in sql
    )
    assert "ALTER TABLE account MODIFY status ENUM('on','off','gone') NOT NULL;" in sql
    assert "CREATE INDEX ix_account_title ON account (title(8));" in sql
    assert "COMMENT='accounts'" in sql
    down = project.ok("--url", url.render_as_string(), "downgrade", "head:base", "--sql").stdout
    assert "ALTER TABLE account DROP CONSTRAINT ck_title;" in down  # MariaDB's form
    mysql_url = url.set(drivername="mysql+pymysql").render_as_string()
    down = project.ok("--url", mysql_url, "downgrade", "head:base", "--sql").stdout
    assert "ALTER TABLE account DROP CHECK ck_title;" in down  # MySQL's
    assert project.tables() == set()  # nothing ran
