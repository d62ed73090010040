"""A revision that fails part-way on MariaDB: a record, a refusal, and two ways out."""

from __future__ import annotations

import json

import pytest

THREE_STATEMENTS = """\
op.create_table("first", sa.Column("id", sa.Integer, primary_key=True))
op.execute("INSERT INTO no_such_table VALUES (1)")
op.create_table("third", sa.Column("id", sa.Integer, primary_key=True))
"""

mariadb_only = pytest.mark.parametrize("backend", ["mysql"], indirect=True)


def half_applied(project) -> None:
    project.revision("aaaa00000001", None, doc="base")
    project.revision(
        "bbbb00000002",
        "aaaa00000001",
        THREE_STATEMENTS,
        'op.drop_table("third")\nop.drop_table("first")',
        doc="three statements",
    )
    result = project.run("upgrade", "head")
    assert result.exit_code == 1
    error = result.stderr.splitlines()[-1]
    assert "upgrade of revision bbbb00000002" in error
    assert "these statements of the revision stay applied: CREATE TABLE first" in error
    assert "'mighub resolve bbbb00000002 --applied' or '--rolled-back'" in error
    assert project.version_rows() == ["aaaa00000001"]
    assert "first" in project.tables() and "third" not in project.tables()


@mariadb_only
def test_failure_leaves_a_record_and_upgrade_refuses(project) -> None:
    half_applied(project)
    result = project.run("upgrade", "head")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: revision bbbb00000002 failed part-way during an earlier upgrade at "
    )
    assert (
        "(1 statement(s) of it stayed applied; see 'mighub current -v'); check the database, "
        "then run 'mighub resolve bbbb00000002 --applied' if you completed it by hand, or "
        "'mighub resolve bbbb00000002 --rolled-back' if you undid it\n"
    ) in result.stderr
    # Downgrade and stamp are refused too: nothing moves until a person has looked.
    assert project.run("downgrade", "base").exit_code == 1
    assert project.run("stamp", "head").exit_code == 1
    # current says what happened, and changes nothing.
    result = project.ok("current", "-v")
    assert "Incomplete: bbbb00000002 (upgrade)" in result.stdout
    assert "  applied: CREATE TABLE first" in result.stdout
    assert "mighub resolve bbbb00000002" in result.stderr
    data = json.loads(project.ok("current", "--json").stdout)
    (record,) = data["incomplete"]
    assert record["revision"] == "bbbb00000002"
    assert record["statements_applied"][0].startswith("CREATE TABLE first")


@mariadb_only
def test_resolve_rolled_back_runs_the_revision_again(project) -> None:
    half_applied(project)
    project.engine().connect().exec_driver_sql("DROP TABLE first").close()
    project.revision(  # the author fixes the script
        "bbbb00000002",
        "aaaa00000001",
        'op.create_table("first", sa.Column("id", sa.Integer, primary_key=True))\n'
        'op.create_table("third", sa.Column("id", sa.Integer, primary_key=True))',
        doc="three statements",
    )
    result = project.ok("resolve", "bbbb0000", "--rolled-back")
    assert (
        result.stdout
        == "Recorded revision bbbb0000 as rolled back; it will run again on upgrade.\n"
    )
    assert project.version_rows() == ["aaaa00000001"]
    project.ok("upgrade", "head")
    assert project.version_rows() == ["bbbb00000002"]
    assert {"first", "third"} <= project.tables()
    assert "mighub_version_incomplete" in project.tables()  # the table stays, empty
    assert json.loads(project.ok("current", "--json").stdout)["incomplete"] == []


@mariadb_only
def test_resolve_applied_moves_the_version_table(project) -> None:
    half_applied(project)
    project.engine().connect().exec_driver_sql(
        "CREATE TABLE third (id INTEGER PRIMARY KEY)"
    ).close()
    project.ok("resolve", "bbbb00000002", "--applied")
    assert project.version_rows() == ["bbbb00000002"]
    assert project.ok("upgrade", "head").stderr == ""  # nothing left to do
    project.ok("downgrade", "aaaa00000001")
    assert "third" not in project.tables()


@mariadb_only
def test_reads_are_not_statements_that_stay_applied(project) -> None:
    project.revision("aaaa00000001", None, doc="base")
    project.revision(
        "bbbb00000002",
        "aaaa00000001",
        'op.get_bind().execute(sa.text("SELECT 1"))\n'
        'op.create_table("first", sa.Column("id", sa.Integer, primary_key=True))\n'
        'op.get_bind().execute(sa.text("SELECT COUNT(*) FROM first"))\n'
        'op.execute("INSERT INTO no_such_table VALUES (1)")\n',
        doc="reads",
    )
    error = project.run("upgrade", "head").stderr.splitlines()[-1]
    assert "so these statements of the revision stay applied: CREATE TABLE first" in error
    assert "SELECT" not in error.split("stay applied:")[1]


@mariadb_only
def test_resolve_needs_an_outcome_and_a_record(project) -> None:
    project.revision("aaaa00000001", None)
    project.ok("upgrade", "head")
    result = project.run("resolve", "aaaa00000001")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: resolve aaaa00000001: say what you did: --applied (you finished it by hand) "
        "or --rolled-back (you undid it)\n"
    )
    result = project.run("resolve", "aaaa00000001", "--applied")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: resolve aaaa00000001: no record of revision aaaa00000001 failing part-way "
        "(incomplete revisions: none)\n"
    )


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_transactional_databases_keep_no_record(project) -> None:
    half_applied_transactional = project.revision(
        "aaaa00000001", None, THREE_STATEMENTS, doc="three statements"
    )
    assert half_applied_transactional.is_file()
    assert project.run("upgrade", "head").exit_code == 1
    assert project.tables() == set()  # rolled back, nothing to resolve
    assert project.run("upgrade", "head").exit_code == 1  # fails the same way, no refusal


@mariadb_only
def test_nothing_applied_means_nothing_to_resolve(project) -> None:
    project.revision("aaaa00000001", None)
    project.revision(
        "bbbb00000002",
        "aaaa00000001",
        'op.execute("INSERT INTO no_such_table VALUES (1)")\n' + THREE_STATEMENTS,
    )
    result = project.run("upgrade", "head")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].endswith(
        "; no statement of the revision had run, so nothing stays applied"
    )
    assert "mighub_version_incomplete" not in project.tables()
    result = project.run("upgrade", "head")  # fails the same way again; no refusal
    assert "failed part-way" not in result.stderr
