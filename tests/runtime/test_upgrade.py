"""Online and offline runs on SQLite, PostgreSQL and MariaDB: the README's quick start and more."""

from __future__ import annotations

import re
import uuid

import pytest
import sqlalchemy as sa

CREATE_ACCOUNT = """\
op.create_table(
    "account",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False),
)
"""


def test_quick_start_round_trip(project) -> None:
    project.revision(
        "a1b2c3d4e5f6", None, CREATE_ACCOUNT, 'op.drop_table("account")', doc="create account table"
    )
    result = project.ok("upgrade", "head")
    assert "Running upgrade base -> a1b2c3d4e5f6, create account table" in result.stderr
    assert re.search(r"  done in \d+ ms", result.stderr)
    assert result.stdout == ""
    assert "account" in project.tables()
    assert project.version_rows() == ["a1b2c3d4e5f6"]

    assert project.ok("current").stdout == "a1b2c3d4e5f6 (head)\n"

    result = project.ok("downgrade", "base")
    assert "Running downgrade a1b2c3d4e5f6 -> base, create account table" in result.stderr
    assert "account" not in project.tables()
    assert project.version_rows() == []
    assert project.ok("current").stdout == ""


def test_upgrade_at_head_is_a_quiet_no_op(project) -> None:
    project.revision("aaaa00000001", None, CREATE_ACCOUNT, 'op.drop_table("account")')
    project.ok("upgrade", "head")
    result = project.ok("upgrade", "head")
    assert result.stderr == "" and result.stdout == ""
    assert project.version_rows() == ["aaaa00000001"]


def test_offline_sql_is_the_only_stdout(project, backend) -> None:
    project.revision(
        "a1b2c3d4e5f6", None, CREATE_ACCOUNT, 'op.drop_table("account")', doc="create account table"
    )
    result = project.ok("upgrade", "head", "--sql")
    sql = result.stdout
    assert "CREATE TABLE mighub_version" in sql
    assert "-- Running upgrade  -> a1b2c3d4e5f6" in sql or "-- Running upgrade <base>" in sql
    assert "CREATE TABLE account" in sql
    assert "INSERT INTO mighub_version (version_num) VALUES ('a1b2c3d4e5f6');" in sql
    transactional = backend in ("sqlite", "postgresql")
    assert ("BEGIN;" in sql) is transactional
    assert ("COMMIT;" in sql) is transactional
    # Nothing touched the database.
    assert project.tables() == set()


def test_offline_ranges(project) -> None:
    project.revision("aaaa00000001", None, CREATE_ACCOUNT, 'op.drop_table("account")')
    project.revision(
        "bbbb00000002",
        "aaaa00000001",
        'op.add_column("account", sa.Column("email", sa.String(100)))',
        'op.drop_column("account", "email")',
    )
    sql = project.ok("upgrade", "aaaa00000001:head", "--sql").stdout
    assert "CREATE TABLE mighub_version" not in sql
    assert "CREATE TABLE account" not in sql
    assert "ADD COLUMN email" in sql
    assert (
        "UPDATE mighub_version SET version_num='bbbb00000002' "
        "WHERE mighub_version.version_num = 'aaaa00000001';"
    ) in sql

    sql = project.ok("downgrade", "bbbb00000002:aaaa00000001", "--sql").stdout
    assert "DROP COLUMN email" in sql
    assert "CREATE TABLE mighub_version" not in sql

    result = project.run("downgrade", "base", "--sql")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: downgrade base --sql: give a range FROM:TO (offline there is no database to "
        "read the current revision from)\n"
    )
    result = project.run("upgrade", "aaaa00000001:head")
    assert result.exit_code == 1
    assert "a FROM:TO range only works with --sql" in result.stderr


def test_plan_changes_nothing(project) -> None:
    project.revision(
        "aaaa00000001", None, CREATE_ACCOUNT, 'op.drop_table("account")', doc="create account"
    )
    project.revision("bbbb00000002", "aaaa00000001", doc="second")
    result = project.ok("upgrade", "head", "--plan")
    assert result.stdout == (
        "upgrade base -> aaaa00000001, create account\n"
        "upgrade aaaa00000001 -> bbbb00000002, second\n"
    )
    assert project.tables() == set()  # not even the version table
    project.ok("upgrade", "head")
    assert project.ok("downgrade", "base", "--plan").stdout == (
        "downgrade bbbb00000002 -> aaaa00000001, second\n"
        "downgrade aaaa00000001 -> base, create account\n"
    )
    assert project.ok("upgrade", "head", "--plan").stdout == (
        "Nothing to do: the database is already there.\n"
    )


def test_current_check_heads(project) -> None:
    project.revision("aaaa00000001", None)
    project.revision("bbbb00000002", "aaaa00000001")
    project.ok("upgrade", "aaaa00000001")
    result = project.run("current", "--check-heads")
    assert result.exit_code == 1
    assert result.stdout == "aaaa00000001\n"
    assert result.stderr == (
        "Error: the database is not at the heads of the scripts: bbbb00000002 not applied "
        "(run 'mighub upgrade heads')\n"
    )
    project.ok("upgrade", "head")
    assert project.ok("current", "--check-heads").stdout == "bbbb00000002 (head)\n"


def test_current_creates_nothing(project) -> None:
    project.revision("aaaa00000001", None)
    assert project.ok("current").stdout == ""
    assert project.tables() == set()


def test_ensure_version_creates_only_the_table(project) -> None:
    project.revision("aaaa00000001", None, CREATE_ACCOUNT)
    project.ok("ensure-version")
    assert project.tables() == {"mighub_version"}
    assert project.version_rows() == []


def test_branches_add_rows_and_merge_collapses_them(project) -> None:
    project.revision("aaaa00000001", None)
    project.revision("b1b1b1b1b1b1", "aaaa00000001")
    project.revision("b2b2b2b2b2b2", "aaaa00000001")
    project.ok("upgrade", "b1b1b1b1b1b1")
    assert project.version_rows() == ["b1b1b1b1b1b1"]
    project.ok("upgrade", "b2b2b2b2b2b2")
    assert project.version_rows() == ["b1b1b1b1b1b1", "b2b2b2b2b2b2"]
    result = project.run("upgrade", "head")
    assert result.exit_code == 1
    assert "head" in result.stderr and "heads" in result.stderr
    project.revision("mmmm00000003", ("b1b1b1b1b1b1", "b2b2b2b2b2b2"), doc="merge")
    project.ok("upgrade", "head")
    assert project.version_rows() == ["mmmm00000003"]
    # Unmerging: undoing the merge brings back a row per branch.
    project.ok("downgrade", "b1b1b1b1b1b1")
    assert project.version_rows() == ["b1b1b1b1b1b1", "b2b2b2b2b2b2"]
    # A relative step through a merge is ambiguous, as in Alembic.
    project.ok("upgrade", "head")
    result = project.run("downgrade", "-1")
    assert result.exit_code == 1
    assert "Ambiguous walk" in result.stderr


def test_downgrading_one_root_keeps_the_other(project) -> None:
    project.revision("r1r1r1r1r1r1", None, branch_labels="one")
    project.revision(
        "r2r2r2r2r2r2",
        None,
        'op.create_table("two", sa.Column("id", sa.Integer, primary_key=True))',
        'op.drop_table("two")',
        branch_labels="two",
    )
    project.ok("upgrade", "heads")
    assert project.version_rows() == ["r1r1r1r1r1r1", "r2r2r2r2r2r2"]
    project.ok("downgrade", "two@base")
    assert project.version_rows() == ["r1r1r1r1r1r1"]
    assert "two" not in project.tables()


def test_stamp_moves_rows_without_running_scripts(project) -> None:
    project.revision("aaaa00000001", None, CREATE_ACCOUNT)
    project.revision("bbbb00000002", "aaaa00000001")
    project.ok("stamp", "head")
    assert project.version_rows() == ["bbbb00000002"]
    assert "account" not in project.tables()
    project.ok("stamp", "aaaa00000001")
    assert project.version_rows() == ["aaaa00000001"]
    project.ok("stamp", "base")
    assert project.version_rows() == []


def test_stamp_purge_recovers_from_a_deleted_revision(project) -> None:
    project.revision("aaaa00000001", None)
    engine = project.engine()
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE mighub_version (version_num VARCHAR(32) NOT NULL)"))
        conn.execute(sa.text("INSERT INTO mighub_version VALUES ('deadbeef0000')"))
    engine.dispose()
    result = project.run("upgrade", "head")
    assert result.exit_code == 1
    assert "deadbeef0000" in result.stderr
    project.ok("stamp", "--purge", "head")
    assert project.version_rows() == ["aaaa00000001"]


def test_failed_revision_leaves_everything_as_it_was(project, backend) -> None:
    project.revision("aaaa00000001", None, CREATE_ACCOUNT, 'op.drop_table("account")')
    path = project.revision(
        "bbbb00000002",
        "aaaa00000001",
        'op.create_table("half", sa.Column("id", sa.Integer, primary_key=True))\n'
        'op.execute("INSERT INTO no_such_table VALUES (1)")\n',
        doc="half done",
    )
    result = project.run("upgrade", "head")
    assert result.exit_code == 1
    error = result.stderr.splitlines()[-1] + "\n"
    assert error.startswith(f"Error: upgrade of revision bbbb00000002 ({path}) failed")
    assert "in ExecuteSQLOp" in error
    assert "SQL: INSERT INTO no_such_table VALUES (1)" in error
    if backend == "mysql":
        # No transactional DDL: the first revision is kept, the partial one is reported.
        assert project.version_rows() == ["aaaa00000001"]
        assert (
            "has no transactional DDL, so these statements of the revision stay applied: "
            "CREATE TABLE half" in error
        )
        assert "half" in project.tables()
    else:
        assert "the transaction was rolled back (nothing of this run was kept)" in error
        assert project.tables() == set()  # schema and version table exactly as before


def test_a_failure_after_an_operation_does_not_blame_it(sqlite_project) -> None:
    """The error names the operation only when the failure is in it: not the script's own code
    after it, not the end of a batch block, not the first of the next revision."""
    project = sqlite_project
    project.revision(
        "aaaa00000001",
        None,
        CREATE_ACCOUNT + 'raise RuntimeError("the script itself")\n',
        'op.drop_table("account")',
    )
    script = project.run("upgrade", "head")
    assert script.exit_code == 1
    assert (
        script.stderr.splitlines()[-1].startswith("Error: upgrade of revision aaaa00000001 ")
        and "failed: RuntimeError: the script itself;" in script.stderr.splitlines()[-1]
    )

    project.revision("aaaa00000001", None, CREATE_ACCOUNT, 'op.drop_table("account")')
    project.revision(
        "bbbb00000002",
        "aaaa00000001",
        "pass",
        'op.execute("SELECT 1")\n'
        'with op.batch_alter_table("account") as batch_op:\n'
        '    batch_op.alter_column("name", nullable=True)\n',
    )
    offline = project.run("downgrade", "bbbb00000002:aaaa00000001", "--sql")
    assert offline.exit_code == 1
    last = offline.stderr.splitlines()[-1]
    assert "failed: BatchError: op.batch_alter_table('account') recreates the table" in last

    project.revision(
        "cccc00000003", "bbbb00000002", 'op.execute("SELECT 1")', 'op.execute("SELECT 1")'
    )
    project.revision("dddd00000004", "cccc00000003", 'raise RuntimeError("before any op")')
    nothing_yet = project.run("upgrade", "head")
    assert nothing_yet.exit_code == 1
    assert nothing_yet.stderr.splitlines()[-1].endswith(
        "failed: RuntimeError: before any op; the transaction was rolled back "
        "(nothing of this run was kept)"
    )


def test_transaction_per_migration_keeps_earlier_revisions(project, backend) -> None:
    project.configure_also("transaction_per_migration=True")
    project.revision("aaaa00000001", None, CREATE_ACCOUNT)
    project.revision("bbbb00000002", "aaaa00000001", 'op.execute("SELECT * FROM nowhere")')
    result = project.run("upgrade", "head")
    assert result.exit_code == 1
    assert project.version_rows() == ["aaaa00000001"]
    assert "account" in project.tables()


def test_takes_over_an_alembic_database(project) -> None:
    engine = project.engine()
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        conn.execute(sa.text("INSERT INTO alembic_version VALUES ('aaaa00000001')"))
        conn.execute(sa.text("CREATE TABLE account (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    config = project.root / "mighub.toml"
    config.write_text(config.read_text() + '\nversion_table = "alembic_version"\n')
    project.revision("aaaa00000001", None, CREATE_ACCOUNT)
    project.revision(
        "bbbb00000002",
        "aaaa00000001",
        'op.add_column("account", sa.Column("email", sa.String(100)))',
    )
    result = project.ok("upgrade", "head")
    assert "Running upgrade base" not in result.stderr
    assert "Running upgrade aaaa00000001 -> bbbb00000002" in result.stderr
    assert project.version_rows("alembic_version") == ["bbbb00000002"]
    assert "mighub_version" not in project.tables()


def test_run_migrations_passes_keyword_arguments_and_x_values(sqlite_project) -> None:
    project = sqlite_project
    env_py = project.root / "migrations" / "env.py"
    env_py.write_text(
        env_py.read_text().replace(
            "            context.run_migrations()\n",
            "            context.run_migrations(tenant=context.get_x_argument(True)['tenant'])\n",
        )
    )
    project.revision(
        "aaaa00000001",
        None,
        'op.create_table(f"t_{tenant}", sa.Column("id", sa.Integer, primary_key=True))',
    )
    path = project.versions / "aaaa00000001_aaaa00000001.py"
    path.write_text(path.read_text().replace("def upgrade():", "def upgrade(tenant):"))
    project.ok("-x", "tenant=acme", "upgrade", "head")
    assert "t_acme" in project.tables()


def test_env_py_that_never_runs_migrations_is_an_error(sqlite_project) -> None:
    env_py = sqlite_project.root / "migrations" / "env.py"
    env_py.write_text("from mighub import context\n")
    result = sqlite_project.run("upgrade", "head")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {env_py}: did not call context.run_migrations(), so nothing ran\n"
    )


def test_unknown_target_is_one_line(sqlite_project) -> None:
    sqlite_project.revision("aaaa00000001", None)
    result = sqlite_project.run("upgrade", "zzzz")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "zzzz" in result.stderr


def test_env_py_failure_names_env_py_not_mighub(sqlite_project) -> None:
    env_py = sqlite_project.root / "migrations" / "env.py"
    env_py.write_text("from mighub import context\n\nimport myapp.models  # not installed\n")
    result = sqlite_project.run("upgrade", "head")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {env_py}, line 3: ModuleNotFoundError: No module named 'myapp'\n"
    )


def test_autocommit_block_runs_outside_the_transaction(project, backend) -> None:
    concurrently = "CONCURRENTLY " if backend == "postgresql" else ""
    project.revision("aaaa00000001", None, CREATE_ACCOUNT)
    project.revision(
        "bbbb00000002",
        "aaaa00000001",
        "with op.get_context().autocommit_block():\n"
        f'    op.execute("CREATE INDEX {concurrently}ix_account_name ON account (name)")\n'
        'op.add_column("account", sa.Column("email", sa.String(100)))\n',
    )
    project.ok("upgrade", "head")
    engine = project.engine()
    with engine.connect() as conn:
        indexes = {ix["name"] for ix in sa.inspect(conn).get_indexes("account")}
        columns = {c["name"] for c in sa.inspect(conn).get_columns("account")}
    engine.dispose()
    assert "ix_account_name" in indexes
    assert "email" in columns
    assert project.version_rows() == ["bbbb00000002"]
    sql = project.ok("upgrade", "aaaa00000001:head", "--sql").stdout
    if backend != "mysql":
        assert sql.index("COMMIT;") < sql.index("CREATE INDEX") < sql.rindex("BEGIN;")


def test_version_table_schema_is_created_only_when_asked(project, backend) -> None:
    if backend == "sqlite":
        project.revision("aaaa00000001", None, CREATE_ACCOUNT)
        config = project.root / "mighub.toml"
        config.write_text(
            config.read_text()
            + '\nversion_table_schema = "audit"\ncreate_version_table_schema = true\n'
        )
        result = project.run("upgrade", "head")
        assert result.exit_code == 1
        assert "SQLite cannot create schema 'audit'" in result.stderr
        assert "account" not in project.tables()
        return
    schema = f"vt_{uuid.uuid4().hex[:10]}"  # MariaDB: a database on a shared server
    project.revision("aaaa00000001", None, CREATE_ACCOUNT, 'op.drop_table("account")')
    config = project.root / "mighub.toml"
    base = config.read_text()
    config.write_text(base + f'\nversion_table_schema = "{schema}"\n')
    failed = project.run("upgrade", "head")
    assert failed.exit_code == 1  # the schema must exist unless the project asks
    assert "account" not in project.tables()
    sql = project.ok("upgrade", "head", "--sql").stdout
    assert "CREATE SCHEMA" not in sql
    config.write_text(
        base + f'\nversion_table_schema = "{schema}"\ncreate_version_table_schema = true\n'
    )
    sql = project.ok("upgrade", "head", "--sql").stdout
    assert sql.index(f"CREATE SCHEMA IF NOT EXISTS {schema}") < sql.index("CREATE TABLE")
    try:
        project.ok("upgrade", "head")
        engine = project.engine()
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            assert inspector.get_table_names(schema=schema) == ["mighub_version"]
            rows = conn.execute(sa.text(f"SELECT version_num FROM {schema}.mighub_version"))
            assert rows.scalars().all() == ["aaaa00000001"]
        engine.dispose()
        project.ok("downgrade", "base")
        project.ok("upgrade", "head")  # the schema is there now: created once
    finally:
        if backend == "mysql":  # MariaDB's schema is a database of its own on the server
            engine = project.engine()
            with engine.begin() as conn:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {schema}")
            engine.dispose()


def test_work_discarded_by_env_py_is_an_error_not_a_success(sqlite_project) -> None:
    project = sqlite_project
    env_py = project.root / "migrations" / "env.py"
    original = env_py.read_text()
    # A query before configure() begins a transaction that env.py then owns.
    env_py.write_text(
        original.replace(
            "        context.configure(connection=connection, target_metadata=target_metadata)",
            '        connection.exec_driver_sql("SELECT 1")\n'
            "        context.configure(connection=connection, target_metadata=target_metadata)",
        )
    )
    project.revision("aaaa00000001", None)  # no DDL: what is kept does not depend on a driver
    # mighub warns that it cannot make SQLite's DDL transactional on such a connection.
    with pytest.warns(UserWarning, match="already in a transaction when mighub got it"):
        result = project.run("upgrade", "head")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"Error: {env_py}: env.py's connection was already in a transaction when the "
        "migrations ran (a query before context.configure() begins one), and env.py ended it "
        "without committing: the version table was not updated and the changes were rolled "
        "back where the database could roll them back; call connection.commit() after "
        "context.run_migrations(), or make such queries after the migrations"
    )
    assert project.version_rows() == []
    # Committing in env.py, as the message says, keeps the work.
    env_py.write_text(
        env_py.read_text().replace(
            "            context.run_migrations()\n",
            "            context.run_migrations()\n        connection.commit()\n",
        )
    )
    with pytest.warns(UserWarning, match="already in a transaction when mighub got it"):
        project.ok("upgrade", "head")
    assert project.version_rows() == ["aaaa00000001"]


def test_config_from_another_directory_uses_the_same_sqlite_file(sqlite_project, tmp_path) -> None:
    project = sqlite_project
    config = project.root / "mighub.toml"
    config.write_text(config.read_text().replace(project.url, "sqlite:///app.db"))
    project.revision("aaaa00000001", None, CREATE_ACCOUNT)
    project.ok("upgrade", "head")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    import os

    os.chdir(elsewhere)
    assert project.ok("-c", str(config), "current").stdout == "aaaa00000001 (head)\n"
    assert not (elsewhere / "app.db").exists()
    assert (project.root / "app.db").exists()
