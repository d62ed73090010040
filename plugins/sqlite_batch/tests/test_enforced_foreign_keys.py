"""A project whose env.py turns SQLite foreign keys on: batch still rebuilds referenced tables.

mighub pauses enforcement for the run (it can only change outside a
transaction) and checks every foreign key before committing, then turns it
back on. Through the real CLI, on a real SQLite file.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from mighub.cli import main

ENFORCING_ENV = """\
from sqlalchemy import create_engine, event, pool

from mighub import context

config = context.config
engine = create_engine(config.require_url(), poolclass=pool.NullPool)


@event.listens_for(engine, "connect")
def enforce_foreign_keys(dbapi_connection, record):
    dbapi_connection.execute("PRAGMA foreign_keys = ON")


def enforcing(connection):
    # Asked of the driver: a query through SQLAlchemy would begin a transaction.
    return connection.connection.driver_connection.execute("PRAGMA foreign_keys").fetchone()[0]


with engine.connect() as connection:
    assert enforcing(connection) == 1
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
    assert enforcing(connection) == 1, "not restored"
"""


def revision(versions: Path, rev: str, down: str | None, body: str) -> None:
    lines = [
        f'"""{rev}"""',
        "import sqlalchemy as sa",
        "from mighub import op",
        f"revision = {rev!r}",
        f"down_revision = {down!r}",
        "branch_labels = None",
        "depends_on = None",
        "",
        "def upgrade():",
        *("    " + line for line in body.strip().splitlines()),
        "",
        "def downgrade():",
        "    pass",
        "",
    ]
    (versions / f"{rev}.py").write_text("\n".join(lines))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> Path:
    monkeypatch.chdir(tmp_path)
    assert main(["-q", "init", "migrations"]) == 0
    url = f"sqlite:///{tmp_path / 'fk.db'}"
    config = tmp_path / "mighub.toml"
    config.write_text(config.read_text().replace('url = "sqlite:///app.db"', f'url = "{url}"'))
    (tmp_path / "migrations" / "env.py").write_text(ENFORCING_ENV)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE parent (id INTEGER PRIMARY KEY, x INT)")
        conn.exec_driver_sql(
            "CREATE TABLE child (id INTEGER PRIMARY KEY, "
            "pid INT REFERENCES parent(id) ON DELETE CASCADE)"
        )
        conn.exec_driver_sql("INSERT INTO parent VALUES (1, 1), (2, 2)")
        conn.exec_driver_sql("INSERT INTO child VALUES (10, 1), (20, 2)")
    engine.dispose()
    capsys.readouterr()
    return tmp_path


def rows(project: Path, sql: str) -> list[tuple]:
    engine = sa.create_engine(f"sqlite:///{project / 'fk.db'}")
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.exec_driver_sql(sql)]
    finally:
        engine.dispose()


def test_batch_rebuilds_a_referenced_table_without_cascading(project: Path, capsys) -> None:
    versions = project / "migrations" / "versions"
    revision(
        versions,
        "aaaa00000001",
        None,
        'with op.batch_alter_table("parent") as batch_op:\n'
        '    batch_op.alter_column("x", type_=sa.String(10))',
    )
    assert main(["upgrade", "head"]) == 0, capsys.readouterr().err
    # The old parent table was dropped and replaced: no cascade reached the children.
    assert rows(project, "SELECT id, pid FROM child ORDER BY id") == [(10, 1), (20, 2)]
    assert "VARCHAR(10)" in rows(project, "SELECT sql FROM sqlite_master WHERE name='parent'")[0][0]


def test_a_violation_found_before_commit_rolls_the_run_back(project: Path, capsys) -> None:
    versions = project / "migrations" / "versions"
    revision(versions, "aaaa00000001", None, 'op.execute("DELETE FROM parent WHERE id = 2")')
    assert main(["upgrade", "head"]) == 1
    error = capsys.readouterr().err.splitlines()[-1]
    assert error == (
        "Error: foreign keys do not hold after the migration: 1 row(s) in child (rows referring "
        "to parent) refer to rows that do not exist; nothing was committed (SQLite's ON DELETE "
        "actions do not run during a mighub run, see docs/running.md)"
    )
    assert rows(project, "SELECT id FROM parent ORDER BY id") == [(1,), (2,)]
    assert rows(project, "SELECT count(*) FROM sqlite_master WHERE name = 'mighub_version'") == [
        (0,)
    ]


def test_no_foreign_key_pragma_no_check(project: Path, capsys) -> None:
    env_py = project / "migrations" / "env.py"
    env_py.write_text(
        env_py.read_text()
        .replace('    dbapi_connection.execute("PRAGMA foreign_keys = ON")', "    pass")
        .replace("== 1", "== 0")
    )
    versions = project / "migrations" / "versions"
    revision(versions, "aaaa00000001", None, 'op.execute("DELETE FROM parent WHERE id = 2")')
    assert main(["upgrade", "head"]) == 0, capsys.readouterr().err
    assert rows(project, "SELECT id FROM parent") == [(1,)]
    assert os.path.exists(project / "fk.db")
