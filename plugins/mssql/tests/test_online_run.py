"""``mighub upgrade`` online, through the CLI and the project's env.py, on a SQL Server stand-in.

env.py creates its engine from the ``mssql+pyodbc`` URL as usual; the
``pyodbc`` module it imports is the stand-in DBAPI, which records what the
run sends: the lock, the version table, the revisions' DDL, and where the
transaction commits.
"""

from __future__ import annotations

import os
import re
import sys

import pytest

from mighub.cli import main

URL = "mssql+pyodbc://mighub@sqlserver/app?driver=ODBC+Driver+18+for+SQL+Server"

REVISION = '''"""{message}

Revision ID: {rev}
Revises: {down}
"""
import sqlalchemy as sa

from mighub import op

revision = {rev!r}
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade():
    {body}


def downgrade():
    pass
'''


@pytest.fixture
def project(tmp_path, monkeypatch, capsys, server):
    for name in list(os.environ):
        if name.startswith("MIGHUB_") and not name.startswith("MIGHUB_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.setitem(sys.modules, "pyodbc", server.module())
    monkeypatch.chdir(tmp_path)
    assert main(["-q", "init", "migrations"]) == 0
    config = tmp_path / "mighub.toml"
    text = re.sub(r'(?m)^url = ".*"$', f'url = "{URL}"', config.read_text(encoding="utf-8"))
    config.write_text(text, encoding="utf-8")
    versions = tmp_path / "migrations" / "versions"
    revisions = [
        (
            "r1",
            None,
            "create",
            'op.create_table("account", sa.Column("id", sa.Integer, primary_key=True))',
        ),
        ("r2", "r1", "name", 'op.add_column("account", sa.Column("name", sa.Unicode(20)))'),
    ]
    for rev, down, message, body in revisions:
        (versions / f"{rev}.py").write_text(
            REVISION.format(rev=rev, down=down, message=message, body=body), encoding="utf-8"
        )
    capsys.readouterr()
    return tmp_path


def test_upgrade_runs_every_revision_in_one_transaction_under_the_lock(project, server, capsys):
    server.answers.insert(0, (r"sp_getapplock", [(0,)]))
    code = main(["-q", "upgrade", "head"])
    assert code == 0, capsys.readouterr().err
    sent = [
        " ".join(s.split())
        for s, _ in server.statements
        if not s.lstrip().upper().startswith(("SELECT", "SET TRANSACTION", "<ROLLBACK>"))
    ]
    lock = (
        "SET NOCOUNT ON; DECLARE @mighub_result INT; EXEC @mighub_result = sp_getapplock "
        "@Resource = ?, @LockMode = N'Exclusive', @LockOwner = N'Session', @LockTimeout = 0; "
        "SELECT @mighub_result"
    )
    release = "EXEC sp_releaseapplock @Resource = ?, @LockOwner = N'Session'"
    migration = [
        "CREATE TABLE mighub_version ( version_num VARCHAR(32) NOT NULL, "
        "CONSTRAINT mighub_version_pkc PRIMARY KEY (version_num) )",
        "CREATE TABLE account ( id INTEGER NOT NULL IDENTITY, PRIMARY KEY (id) )",
        "ALTER TABLE account ADD name NVARCHAR(20) NULL",
        "INSERT INTO mighub_version (version_num) VALUES (?)",
    ]
    # The lock is taken before the version table is read, and given back at the end;
    # the whole run, version table included, is one transaction: one commit, after it all.
    # Inside it the version table is written once, with the run's final head.
    assert [s for s in sent if s != "<commit>"] == [lock, *migration, release]
    assert sent.count("<commit>") == 1
    assert sent.index("<commit>") > sent.index(migration[-1])
    params = [p for s, p in server.statements if s.startswith(("INSERT", "UPDATE", "EXEC sp_"))]
    assert params == [("r2",), ("mighub:mighub_version",)]


def test_a_failed_revision_rolls_the_whole_run_back(project, server, capsys):
    server.answers.insert(0, (r"sp_getapplock", [(0,)]))
    server.failures.append((r"^ALTER TABLE account ADD name", "Column names must be unique"))
    assert main(["-q", "upgrade", "head"]) == 1
    err = capsys.readouterr().err
    assert "upgrade of revision r2" in err
    assert "ProgrammingError: Column names must be unique" in err
    assert "the transaction was rolled back (nothing of this run was kept)" in err
    markers = [s for s, _ in server.statements if s.startswith("<")]
    assert "<commit>" not in markers
    assert "<rollback>" in markers
    assert any(s.startswith("EXEC sp_releaseapplock") for s, _ in server.statements)
