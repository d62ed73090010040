"""Whole projects on a PostgreSQL database of their own, through the real CLI.

Failures roll back everything, ``CREATE INDEX CONCURRENTLY`` runs in an
autocommit block while a second ``mighub upgrade`` waits on the lock, and the
enum lifecycle survives downgrade to base and upgrade again.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

ACCOUNT = """\
op.create_table(
    "account",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50)),
)
"""


def catalog_state(project) -> dict[str, object]:
    """Everything a revision could leave behind in the public schema, read from pg_catalog."""
    engine = project.engine()
    try:
        with engine.connect() as conn:

            def names(sql: str) -> list[str]:
                return sorted(conn.execute(sa.text(sql)).scalars())

            return {
                "tables": names(
                    "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace "
                    "AND relkind = 'r'"
                ),
                "indexes": names(
                    "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace "
                    "AND relkind = 'i'"
                ),
                "sequences": names(
                    "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace "
                    "AND relkind = 'S'"
                ),
                "types": names(
                    "SELECT typname FROM pg_type WHERE typnamespace = 'public'::regnamespace "
                    "AND typtype = 'e'"
                ),
                "columns": names(
                    "SELECT attrelid::regclass || '.' || attname FROM pg_attribute "
                    "WHERE attrelid IN (SELECT oid FROM pg_class WHERE relkind = 'r' "
                    "AND relnamespace = 'public'::regnamespace) AND attnum > 0 "
                    "AND NOT attisdropped"
                ),
            }
    finally:
        engine.dispose()


ONLY_THE_VERSION_TABLE = {
    "tables": ["mighub_version"],
    "indexes": ["mighub_version_pkc"],
    "sequences": [],
    "types": [],
    "columns": ["mighub_version.version_num"],
}


def test_a_revision_failing_after_several_statements_leaves_everything_as_it_was(project):
    project.revision("aaaa00000001", None, ACCOUNT, 'op.drop_table("account")')
    project.ok("upgrade", "head")
    before = catalog_state(project)
    project.revision(
        "bbbb00000002",
        "aaaa00000001",
        """\
        from sqlalchemy.dialects import postgresql
        op.create_table(
            "invoice",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("status", postgresql.ENUM("open", "paid", name="invoice_status")),
        )
        op.add_column("account", sa.Column("email", sa.String(100)))
        op.create_index("ix_account_email", "account", ["email"])
        op.create_sequence("invoice_no", start=1000)
        op.create_enum("currency", ["EUR", "USD"])
        op.execute("INSERT INTO no_such_table VALUES (1)")
        """,
    )
    result = project.run("upgrade", "head")
    assert result.exit_code == 1
    assert "upgrade of revision bbbb00000002" in result.stderr
    assert 'relation "no_such_table" does not exist' in result.stderr
    assert "nothing of this run was kept" in result.stderr
    assert catalog_state(project) == before
    assert project.version_rows() == ["aaaa00000001"]


def mighub(root: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIGHUB_")}
    return subprocess.Popen(
        [sys.executable, "-m", "mighub", *args],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until(condition, what: str, *, limit: float = 60) -> None:
    """Poll ``condition`` until it holds; ``limit`` only stops a hung test, it asserts nothing."""
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def test_create_index_concurrently_while_a_second_upgrade_waits_on_the_lock(project):
    project.revision("aaaa00000001", None, ACCOUNT)
    project.ok("upgrade", "head")
    project.revision(
        "bbbb00000002",
        "aaaa00000001",
        """\
        op.create_table("note", sa.Column("id", sa.Integer, primary_key=True))
        with op.get_context().autocommit_block():
            op.create_index(
                "ix_account_name", "account", ["name"], postgresql_concurrently=True
            )
        op.add_column("account", sa.Column("email", sa.String(100)))
        op.create_index("ix_account_email", "account", ["email"])
        """,
    )
    engine = project.engine()
    blocker = engine.connect()
    try:
        # Hold a lock that CREATE INDEX CONCURRENTLY waits for, so the first
        # process is caught inside its autocommit block, holding the migration lock.
        blocker.execute(sa.text("LOCK TABLE account IN SHARE MODE"))

        def building_concurrently() -> bool:
            with engine.connect() as watcher:
                return bool(
                    watcher.execute(
                        sa.text(
                            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = "
                            "'Lock' AND query LIKE 'CREATE INDEX CONCURRENTLY ix_account_name%'"
                        )
                    ).scalar()
                )

        first = mighub(project.root, "upgrade", "head")
        wait_until(building_concurrently, "the first upgrade to reach CREATE INDEX CONCURRENTLY")
        second = mighub(project.root, "upgrade", "head", "--lock-timeout", "120")
        waiting = second.stderr.readline()
        assert "waiting for the migration lock (PostgreSQL advisory lock" in waiting
        assert "held by server process" in waiting
        assert second.poll() is None  # still waiting
        blocker.commit()  # let the index build finish
        assert first.wait(timeout=120) == 0, first.stderr.read()
        assert second.wait(timeout=120) == 0, second.stderr.read()
        first_err, second_err = first.stderr.read(), second.stderr.read()
    finally:
        blocker.close()
        engine.dispose()
    assert "Running upgrade aaaa00000001 -> bbbb00000002" in first_err
    assert "Running upgrade" not in second_err  # it found the work done
    assert project.version_rows() == ["bbbb00000002"]
    engine = project.engine()
    with engine.connect() as conn:
        valid = dict(
            conn.execute(
                sa.text(
                    "SELECT c.relname, i.indisvalid FROM pg_index i "
                    "JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 'ix_account_%'"
                )
            ).all()
        )
    engine.dispose()
    assert valid == {"ix_account_name": True, "ix_account_email": True}


def test_concurrently_outside_the_block_fails_before_the_revision_changes_anything(project):
    project.revision("aaaa00000001", None, ACCOUNT)
    project.revision(
        "bbbb00000002",
        "aaaa00000001",
        """\
        op.add_column("account", sa.Column("email", sa.String(100)))
        op.create_index("ix_account_name", "account", ["name"], postgresql_concurrently=True)
        """,
    )
    result = project.run("upgrade", "head")
    assert result.exit_code == 1
    path = project.versions / "bbbb00000002_bbbb00000002.py"
    assert result.stderr.splitlines()[-1] == (
        f"Error: upgrade of revision bbbb00000002 ({path}) failed in CreateIndexOp: "
        "MighubError: op.create_index('ix_account_name', 'account', "
        "postgresql_concurrently=True) must run inside "
        "'with op.get_context().autocommit_block():', because PostgreSQL "
        "cannot build an index CONCURRENTLY inside a transaction; nothing was run; "
        "the transaction was rolled back (nothing of this run was kept)"
    )
    assert catalog_state(project)["tables"] == []
    assert project.version_rows() == []


ENUM_MODEL = """\
from sqlalchemy.dialects import postgresql
status = postgresql.ENUM("open", "closed", name="status")
op.create_table(
    "ticket",
    sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
    sa.Column("status", status, nullable=False, server_default="open"),
    sa.Column("title", sa.String(80)),
)
op.create_table(
    "task",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("status", status),
    sa.Column("priority", sa.Enum("low", "high", name="priority")),
)
op.create_index("ix_ticket_title", "ticket", [sa.text("lower(title)")])
"""

ENUM_MODEL_DOWN = """\
op.drop_index("ix_ticket_title", "ticket")
op.drop_table("task")
op.drop_table("ticket")
"""


def test_enum_types_survive_downgrade_to_base_and_upgrade_again(project):
    project.revision("aaaa00000001", None, ENUM_MODEL, ENUM_MODEL_DOWN)
    project.revision(
        "bbbb00000002",
        "aaaa00000001",
        'op.add_enum_value("status", "pending", before="closed")',
        'op.drop_enum_value("status", "pending")',
    )
    project.ok("upgrade", "head")
    up = catalog_state(project)
    assert up["types"] == ["priority", "status"]
    engine = project.engine()
    with engine.connect() as conn:
        labels = conn.execute(sa.text("SELECT enum_range(NULL::status)::text[]")).scalar()
    engine.dispose()
    assert labels == ["open", "pending", "closed"]
    project.ok("downgrade", "base")
    assert catalog_state(project) == ONLY_THE_VERSION_TABLE
    project.ok("upgrade", "head")
    assert catalog_state(project) == up


def test_add_enum_value_before_postgresql_12_runs_in_an_autocommit_block(project):
    """Old servers refuse ADD VALUE in a transaction: mighub commits around it.

    This server is newer, so a project plugin reports an older version; the
    autocommit block is real, and shows in what a later failure keeps.
    """
    (project.root / "old_server.py").write_text(
        "from mighub import hookimpl\n\n\n"
        "@hookimpl\n"
        "def mighub_before_revision(context, step):\n"
        "    context.dialect.server_version_info = (11, 22)\n"
    )
    config = project.root / "mighub.toml"
    config.write_text(config.read_text() + '\nplugins = ["old_server.py"]\n')
    project.revision("aaaa00000001", None, 'op.create_enum("status", ["a"])')
    project.ok("upgrade", "head")
    project.revision(
        "bbbb00000002",
        "aaaa00000001",
        'op.add_enum_value("status", "b")\nop.execute("SELECT * FROM no_such_table")',
    )
    assert project.run("upgrade", "head").exit_code == 1
    engine = project.engine()
    with engine.connect() as conn:
        labels = conn.execute(sa.text("SELECT enum_range(NULL::status)::text[]")).scalar()
    engine.dispose()
    assert labels == ["a", "b"]  # committed by the autocommit block before the failure
    assert project.version_rows() == ["aaaa00000001"]


def test_add_enum_value_is_transactional_on_current_servers(project):
    project.revision("aaaa00000001", None, 'op.create_enum("status", ["a"])')
    project.ok("upgrade", "head")
    project.revision(
        "bbbb00000002",
        "aaaa00000001",
        'op.add_enum_value("status", "b")\nop.execute("SELECT * FROM no_such_table")',
    )
    assert project.run("upgrade", "head").exit_code == 1
    engine = project.engine()
    with engine.connect() as conn:
        labels = conn.execute(sa.text("SELECT enum_range(NULL::status)::text[]")).scalar()
    engine.dispose()
    assert labels == ["a"]


def test_offline_script_runs_in_psql(project, tmp_path):
    """The ``--sql`` output of upgrade and of downgrade is what psql runs, as it is."""
    import shutil

    psql = shutil.which("psql")
    if psql is None:
        import pytest

        pytest.skip("psql is not installed")
    project.revision("aaaa00000001", None, ENUM_MODEL, ENUM_MODEL_DOWN)
    project.revision(
        "bbbb00000002",
        "aaaa00000001",
        """\
        op.create_sequence("ticket_no", start=100)
        op.create_enum("colour", ["red", "it's blue"])
        op.add_enum_value("colour", "green", after="red")
        op.rename_enum_value("colour", "green", "lime")
        op.add_column("task", sa.Column("colour", sa.Enum(name="colour", create_type=False)))
        op.create_exclude_constraint("ex_task", "task", ("int4range(id, id, '[]')", "&&"))
        op.alter_column("ticket", "id", server_default=sa.Identity(always=True),
                        existing_server_default=sa.Identity())
        with op.get_context().autocommit_block():
            op.create_index("ix_task_colour", "task", ["colour"], postgresql_concurrently=True)
        """,
        """\
        with op.get_context().autocommit_block():
            op.drop_index("ix_task_colour", "task", postgresql_concurrently=True)
        op.alter_column("ticket", "id", server_default=sa.Identity(),
                        existing_server_default=sa.Identity(always=True))
        op.drop_constraint("ex_task", "task")
        op.drop_column("task", "colour")
        op.drop_enum("colour")
        op.drop_sequence("ticket_no")
        """,
    )
    up = project.ok("upgrade", "head", "--sql").stdout
    down = project.ok("downgrade", "head:base", "--sql").stdout
    (tmp_path / "up.sql").write_text(up)
    (tmp_path / "down.sql").write_text(down)
    url = sa.make_url(project.url)
    target = url.set(drivername="postgresql").render_as_string(hide_password=False)

    def run_psql(script: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", target, "-f", script],
            capture_output=True,
            text=True,
            timeout=120,
        )

    # up, down, and up again: the enum types the first run left behind would break the
    # second (the version table stays after a downgrade script, as with Alembic)
    (tmp_path / "reset.sql").write_text("DROP TABLE mighub_version;\n")
    for script in ("up.sql", "down.sql", "reset.sql", "up.sql"):
        done = run_psql(str(tmp_path / script))
        assert done.returncode == 0, f"{script}: {done.stderr}"
    after = catalog_state(project)
    assert after["types"] == ["colour", "priority", "status"]
    assert after["sequences"] == ["ticket_no"] or "ticket_no" in after["sequences"]
    assert project.version_rows() == ["bbbb00000002"]
    done = run_psql(str(tmp_path / "down.sql"))
    assert done.returncode == 0, done.stderr
    assert catalog_state(project) == ONLY_THE_VERSION_TABLE


def test_the_readme_example_runs_both_ways(project):
    """plugins/postgresql/README.md's revision, as written there."""
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    code = readme.split("```python\n", 1)[1].split("```", 1)[0]
    path = project.revision("aaaa00000001", None)
    text = path.read_text()
    head = text[: text.index("def upgrade():")]
    path.write_text(head + code)
    project.ok("upgrade", "head")
    engine = project.engine()
    with engine.connect() as conn:
        labels = conn.execute(sa.text("SELECT enum_range(NULL::status)::text[]")).scalar()
        valid = conn.execute(
            sa.text(
                "SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_ticket_status'::regclass"
            )
        ).scalar()
    engine.dispose()
    assert labels == ["open", "pending", "closed"]
    assert valid is True
    project.ok("downgrade", "base")
    assert catalog_state(project) == ONLY_THE_VERSION_TABLE
