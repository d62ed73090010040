"""Offline scripts for SQL Server: transactions, batch separators, a whole history for sqlcmd."""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

from mighub import op
from mighub.cli import main
from mighub.errors import MighubError

URL = "mssql+pyodbc://mighub@sqlserver/app?driver=ODBC+Driver+18+for+SQL+Server"


def sqlcmd_batches(script: str) -> list[str]:
    """Split a script as sqlcmd does: at each line that holds only the batch separator."""
    batches = re.split(r"^[ \t]*GO[ \t]*$", script, flags=re.M)
    return [b.strip() for b in batches if b.strip()]


# ---------------------------------------------------------------------------
# The batch separator
# ---------------------------------------------------------------------------


def drop_default_twice() -> None:
    op.drop_column("account", "age", mssql_drop_default=True)
    op.drop_column("account", "size", mssql_drop_default=True)


def test_a_custom_batch_separator_follows_every_statement(offline, split):
    script = offline(lambda: op.drop_column("account", "age"), mssql_batch_separator="go")
    assert script == "ALTER TABLE account DROP COLUMN age;\n\ngo\n\n"
    assert split(script, separator="go") == ["ALTER TABLE account DROP COLUMN age"]


def test_without_a_separator_the_script_is_one_batch_and_variables_do_not_clash(offline, tsql):
    script = offline(drop_default_twice, mssql_batch_separator="")
    assert "GO" not in script
    assert re.findall(r"DECLARE (@\w+)", script) == ["@mighub_drop_1", "@mighub_drop_2"]
    # The whole script is one batch: it parses as one.
    kinds = [type(e).__name__ for e in tsql(script)]
    assert kinds == ["Declare", "Select", "ExecuteSql", "Alter"] * 2


def test_without_a_separator_no_variable_is_declared_twice(offline, tsql):
    def fn():
        op.create_table("account", sa.Column("id", sa.Integer), comment="a")
        op.add_column("account", sa.Column("name", sa.String(5), comment="b"))
        op.alter_column("account", "name", comment="c")
        op.alter_column("account", "name", type_=sa.String(9), existing_nullable=True)
        op.create_table_comment("account", "d")
        op.drop_table_comment("account")
        op.drop_column("account", "name", mssql_drop_check=True, mssql_drop_foreign_key=True)

    script = offline(fn, mssql_batch_separator="")
    declared = re.findall(r"(@mighub_\w+) (?:sysname|NVARCHAR)", script)
    assert len(declared) == 11
    assert len(set(declared)) == len(declared)
    tsql(script)


def test_with_a_separator_each_statement_declares_its_own_variables(offline):
    script = offline(drop_default_twice)
    assert re.findall(r"DECLARE (@\w+)", script) == ["@mighub_drop", "@mighub_drop"]
    assert len(sqlcmd_batches(script)) == 4


@pytest.mark.parametrize("value", [5, "GO\nGO"])
def test_a_batch_separator_must_be_one_line_of_text(offline, value):
    with pytest.raises(MighubError) as info:
        offline(lambda: None, mssql_batch_separator=value)
    assert str(info.value) == (
        f"mssql_batch_separator must be one line of text ('' for none), not {value!r}"
    )


# ---------------------------------------------------------------------------
# A project's offline upgrade, through the CLI
# ---------------------------------------------------------------------------

HISTORY = [
    (
        "create account",
        """
        op.create_table(
            "account",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.Unicode(50), nullable=False),
            comment="customers",
        )
        """,
    ),
    (
        "add age",
        'op.add_column("account", '
        'sa.Column("age", sa.Integer, nullable=False, server_default="0"))',
    ),
    (
        "index names",
        'op.create_index("ix_account_name", "account", ["name"], mssql_include=["age"], '
        "mssql_clustered=False)",
    ),
    (
        "longer names",
        'op.alter_column("account", "name", type_=sa.Unicode(100), existing_nullable=False)',
    ),
    ("adults", 'op.alter_column("account", "age", server_default="18")'),
    (
        "seed",
        """
        account = sa.Table(
            "account",
            sa.MetaData(),
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.Unicode(100)),
        )
        op.bulk_insert(account, [{"id": 1, "name": "Ada"}, {"id": 2, "name": "Grace"}])
        """,
    ),
    ("full name", 'op.alter_column("account", "name", new_column_name="full_name")'),
    ("comment", 'op.create_table_comment("account", "people we serve")'),
    ("drop age", 'op.drop_column("account", "age", mssql_drop_default=True)'),
    ("customer", 'op.rename_table("account", "customer")'),
]

EXPECTED_UPGRADE = """\
BEGIN TRANSACTION;

GO

CREATE TABLE mighub_version (
    version_num VARCHAR(32) NOT NULL,
    CONSTRAINT mighub_version_pkc PRIMARY KEY (version_num)
);

GO

-- Running upgrade <base> -> r01

CREATE TABLE account (
    id INTEGER NOT NULL IDENTITY,
    name NVARCHAR(50) NOT NULL,
    PRIMARY KEY (id)
);

GO

DECLARE @mighub_schema sysname = SCHEMA_NAME();
EXEC sp_addextendedproperty @name = N'MS_Description', @value = N'customers', \
@level0type = N'SCHEMA', @level0name = @mighub_schema, @level1type = N'TABLE', \
@level1name = N'account';

GO

INSERT INTO mighub_version (version_num) VALUES ('r01');

GO

-- Running upgrade r01 -> r02

ALTER TABLE account ADD age INTEGER NOT NULL DEFAULT '0';

GO

UPDATE mighub_version SET version_num='r02' WHERE mighub_version.version_num = 'r01';

GO

-- Running upgrade r02 -> r03

CREATE NONCLUSTERED INDEX ix_account_name ON account (name) INCLUDE (age);

GO

UPDATE mighub_version SET version_num='r03' WHERE mighub_version.version_num = 'r02';

GO

-- Running upgrade r03 -> r04

DECLARE @mighub_drop NVARCHAR(MAX) = N'', @mighub_restore NVARCHAR(MAX) = N'';
SELECT @mighub_drop = N'ALTER TABLE account DROP CONSTRAINT ' + QUOTENAME(name),
@mighub_restore = N'ALTER TABLE account ADD CONSTRAINT ' + QUOTENAME(name) + N' DEFAULT ' \
+ definition + N' FOR name'
FROM sys.default_constraints
WHERE parent_object_id = OBJECT_ID(N'account')
AND COL_NAME(parent_object_id, parent_column_id) = N'name';
EXEC sp_executesql @mighub_drop;
ALTER TABLE account ALTER COLUMN name NVARCHAR(100) NOT NULL;
EXEC sp_executesql @mighub_restore;

GO

UPDATE mighub_version SET version_num='r04' WHERE mighub_version.version_num = 'r03';

GO

-- Running upgrade r04 -> r05

DECLARE @mighub_drop NVARCHAR(MAX) = N'';
SELECT @mighub_drop = @mighub_drop + N'ALTER TABLE account DROP CONSTRAINT ' \
+ QUOTENAME(name) + N'; '
FROM sys.default_constraints
WHERE parent_object_id = OBJECT_ID(N'account')
AND COL_NAME(parent_object_id, parent_column_id) = N'age';
EXEC sp_executesql @mighub_drop;

GO

ALTER TABLE account ADD DEFAULT '18' FOR age;

GO

UPDATE mighub_version SET version_num='r05' WHERE mighub_version.version_num = 'r04';

GO

-- Running upgrade r05 -> r06

SET IDENTITY_INSERT account ON;

GO

INSERT INTO account (id, name) VALUES (1, N'Ada');

GO

INSERT INTO account (id, name) VALUES (2, N'Grace');

GO

SET IDENTITY_INSERT account OFF;

GO

UPDATE mighub_version SET version_num='r06' WHERE mighub_version.version_num = 'r05';

GO

-- Running upgrade r06 -> r07

EXEC sp_rename N'account.name', N'full_name', 'COLUMN';

GO

UPDATE mighub_version SET version_num='r07' WHERE mighub_version.version_num = 'r06';

GO

-- Running upgrade r07 -> r08

DECLARE @mighub_procedure sysname = N'sp_addextendedproperty', \
@mighub_schema sysname = SCHEMA_NAME();
SELECT @mighub_procedure = N'sp_updateextendedproperty'
FROM fn_listextendedproperty(N'MS_Description', N'SCHEMA', @mighub_schema, N'TABLE', \
N'account', NULL, NULL);
EXEC @mighub_procedure @name = N'MS_Description', @value = N'people we serve', \
@level0type = N'SCHEMA', @level0name = @mighub_schema, @level1type = N'TABLE', \
@level1name = N'account';

GO

UPDATE mighub_version SET version_num='r08' WHERE mighub_version.version_num = 'r07';

GO

-- Running upgrade r08 -> r09

DECLARE @mighub_drop NVARCHAR(MAX) = N'';
SELECT @mighub_drop = @mighub_drop + N'ALTER TABLE account DROP CONSTRAINT ' \
+ QUOTENAME(name) + N'; '
FROM sys.default_constraints
WHERE parent_object_id = OBJECT_ID(N'account')
AND COL_NAME(parent_object_id, parent_column_id) = N'age';
EXEC sp_executesql @mighub_drop;

GO

ALTER TABLE account DROP COLUMN age;

GO

UPDATE mighub_version SET version_num='r09' WHERE mighub_version.version_num = 'r08';

GO

-- Running upgrade r09 -> r10

EXEC sp_rename N'account', N'customer';

GO

UPDATE mighub_version SET version_num='r10' WHERE mighub_version.version_num = 'r09';

GO

COMMIT TRANSACTION;

GO

"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> Path:
    """A mighub project for SQL Server with the ten revisions of HISTORY."""
    for name in list(os.environ):
        if name.startswith("MIGHUB_") and not name.startswith("MIGHUB_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    assert main(["-q", "init", "migrations"]) == 0
    config = tmp_path / "mighub.toml"
    text = re.sub(r'(?m)^url = ".*"$', f'url = "{URL}"', config.read_text(encoding="utf-8"))
    config.write_text(text, encoding="utf-8")
    down = None
    for number, (message, body) in enumerate(HISTORY, start=1):
        rev = f"r{number:02d}"
        script = "\n".join(
            [
                f'"""{message}',
                "",
                f"Revision ID: {rev}",
                f"Revises: {down or ''}",
                '"""',
                "import sqlalchemy as sa",
                "",
                "from mighub import op",
                "",
                f"revision = {rev!r}",
                f"down_revision = {down!r}",
                "branch_labels = None",
                "depends_on = None",
                "",
                "",
                "def upgrade():",
                textwrap.indent(textwrap.dedent(body).strip(), "    "),
                "",
                "",
                "def downgrade():",
                "    pass",
                "",
            ]
        )
        (tmp_path / "migrations" / "versions" / f"{rev}.py").write_text(script, encoding="utf-8")
        down = rev
    capsys.readouterr()
    return tmp_path


def upgrade_sql(capsys, *args: str) -> str:
    code = main(["-q", "upgrade", *args, "--sql"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def test_offline_upgrade_of_ten_revisions_is_a_script_for_sqlcmd(project, capsys, tsql):
    script = upgrade_sql(capsys, "head")
    assert script == EXPECTED_UPGRADE
    batches = sqlcmd_batches(script)
    assert batches[0] == "BEGIN TRANSACTION;"
    assert batches[-1] == "COMMIT TRANSACTION;"
    for batch in batches:
        tsql(batch)


def test_offline_upgrade_of_a_range_starts_from_its_revision(project, capsys, tsql):
    script = upgrade_sql(capsys, "r08:r10")
    assert "CREATE TABLE mighub_version" not in script
    assert script.startswith("BEGIN TRANSACTION;\n\nGO\n\n-- Running upgrade r08 -> r09\n\n")
    assert script.endswith(
        "UPDATE mighub_version SET version_num='r10' WHERE mighub_version.version_num = 'r09';"
        "\n\nGO\n\nCOMMIT TRANSACTION;\n\nGO\n\n"
    )
    for batch in sqlcmd_batches(script):
        tsql(batch)


def test_configure_passes_the_batch_separator_and_the_version_table_schema(project, capsys, tsql):
    env = project / "migrations" / "env.py"
    source = env.read_text(encoding="utf-8")
    source = source.replace(
        'dialect_opts={"paramstyle": "named"},',
        'dialect_opts={"paramstyle": "named"},\n'
        '        mssql_batch_separator="",\n'
        '        version_table_schema="deploy",',
    )
    env.write_text(source, encoding="utf-8")
    script = upgrade_sql(capsys, "r01:r03")
    assert "GO" not in script.split()
    assert script == (
        "BEGIN TRANSACTION;\n\n"
        "-- Running upgrade r01 -> r02\n\n"
        "ALTER TABLE account ADD age INTEGER NOT NULL DEFAULT '0';\n\n"
        "UPDATE deploy.mighub_version SET version_num='r02' "
        "WHERE deploy.mighub_version.version_num = 'r01';\n\n"
        "-- Running upgrade r02 -> r03\n\n"
        "CREATE NONCLUSTERED INDEX ix_account_name ON account (name) INCLUDE (age);\n\n"
        "UPDATE deploy.mighub_version SET version_num='r03' "
        "WHERE deploy.mighub_version.version_num = 'r02';\n\n"
        "COMMIT TRANSACTION;\n\n"
    )
    tsql(script)


def test_the_mssql_dialect_resolves_to_this_plugin(project, capsys):
    from mighub_mssql.impl import MSSQLImpl

    assert sa.make_url(URL).get_dialect().name == MSSQLImpl.name
