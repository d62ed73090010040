"""Tables, indexes, constraints and data on SQL Server: the exact T-SQL online and offline."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from mighub import op
from mighub.errors import MighubError


def test_create_table_with_identity_comments_and_index(emitted):
    def fn():
        op.create_table(
            "account",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.Unicode(50), nullable=False, comment="who"),
            sa.Column("created", sa.DateTime, server_default=sa.text("SYSUTCDATETIME()")),
            sa.Index("ix_account_name", "name", mssql_include=["created"]),
            comment="customer accounts",
            schema="sales",
        )
        op.create_table("note", sa.Column("body", sa.Text), comment="free text")

    assert emitted(fn) == [
        "CREATE TABLE sales.account (\n"
        "    id INTEGER NOT NULL IDENTITY,\n"
        "    name NVARCHAR(50) NOT NULL,\n"
        "    created DATETIME NULL DEFAULT SYSUTCDATETIME(),\n"
        "    PRIMARY KEY (id)\n"
        ")",
        "EXEC sp_addextendedproperty @name = N'MS_Description', @value = N'customer accounts', "
        "@level0type = N'SCHEMA', @level0name = N'sales', "
        "@level1type = N'TABLE', @level1name = N'account'",
        "EXEC sp_addextendedproperty @name = N'MS_Description', @value = N'who', "
        "@level0type = N'SCHEMA', @level0name = N'sales', "
        "@level1type = N'TABLE', @level1name = N'account', "
        "@level2type = N'COLUMN', @level2name = N'name'",
        "CREATE INDEX ix_account_name ON sales.account (name) INCLUDE (created)",
        "CREATE TABLE note (\n    body VARCHAR(max) NULL\n)",
        # No schema: the connection's default schema, as for the table itself.
        "DECLARE @mighub_schema sysname = SCHEMA_NAME();\n"
        "EXEC sp_addextendedproperty @name = N'MS_Description', @value = N'free text', "
        "@level0type = N'SCHEMA', @level0name = @mighub_schema, "
        "@level1type = N'TABLE', @level1name = N'note'",
    ]


def test_create_table_and_index_if_not_exists_ask_the_catalog(emitted):
    def fn():
        op.create_table(
            "account",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("email", sa.String(80), index=True),
            schema="sales",
            if_not_exists=True,
        )
        op.create_index("ix_account_name", "account", ["name"], if_not_exists=True)

    assert emitted(fn) == [
        "IF OBJECT_ID(N'sales.account', N'U') IS NULL\n"
        "CREATE TABLE sales.account (\n"
        "    id INTEGER NOT NULL IDENTITY,\n"
        "    email VARCHAR(80) NULL,\n"
        "    PRIMARY KEY (id)\n"
        ")",
        "IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(N'sales.account') "
        "AND name = N'ix_sales_account_email')\n"
        "CREATE INDEX ix_sales_account_email ON sales.account (email)",
        "IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(N'account') "
        "AND name = N'ix_account_name')\n"
        "CREATE INDEX ix_account_name ON account (name)",
    ]


def test_drop_and_rename_tables(emitted):
    def fn():
        op.drop_table("account", schema="sales")
        op.drop_table("note", if_exists=True)
        op.rename_table("account", "customer", schema="sales")
        op.rename_table("order", "purchase")

    assert emitted(fn) == [
        "DROP TABLE sales.account",
        "DROP TABLE IF EXISTS note",
        # The table stays in its schema; the new name is a bare name.
        "EXEC sp_rename N'sales.account', N'customer'",
        "EXEC sp_rename N'[order]', N'purchase'",
    ]


def test_table_comments(emitted):
    def fn():
        op.create_table_comment("account", "customers", schema="sales")
        op.create_table_comment("account", "clients", existing_comment="customers")
        op.drop_table_comment("account", schema="sales", existing_comment="clients")

    table_levels = (
        "@level0type = N'SCHEMA', @level0name = N'sales', "
        "@level1type = N'TABLE', @level1name = N'account'"
    )
    assert emitted(fn) == [
        # Whether a comment is there is not known: ask, then add or update.
        "DECLARE @mighub_procedure sysname = N'sp_addextendedproperty';\n"
        "SELECT @mighub_procedure = N'sp_updateextendedproperty'\n"
        "FROM fn_listextendedproperty(N'MS_Description', N'SCHEMA', N'sales', "
        "N'TABLE', N'account', NULL, NULL);\n"
        "EXEC @mighub_procedure @name = N'MS_Description', @value = N'customers', " + table_levels,
        "DECLARE @mighub_schema sysname = SCHEMA_NAME();\n"
        "EXEC sp_updateextendedproperty @name = N'MS_Description', @value = N'clients', "
        "@level0type = N'SCHEMA', @level0name = @mighub_schema, "
        "@level1type = N'TABLE', @level1name = N'account'",
        "EXEC sp_dropextendedproperty @name = N'MS_Description', " + table_levels,
    ]


def test_comment_text_is_a_unicode_literal(emitted):
    def fn():
        op.create_table_comment("account", "l'été", existing_comment="x", schema="dbo")

    assert emitted(fn) == [
        "EXEC sp_updateextendedproperty @name = N'MS_Description', @value = N'l''été', "
        "@level0type = N'SCHEMA', @level0name = N'dbo', "
        "@level1type = N'TABLE', @level1name = N'account'",
    ]


# ---------------------------------------------------------------------------
# Indexes
# ---------------------------------------------------------------------------


def test_index_options_include_clustered_where(emitted):
    def fn():
        op.create_index(
            "ix_account_email",
            "account",
            ["email"],
            unique=True,
            mssql_include=["name", "created"],
            mssql_clustered=False,
            mssql_where=sa.text("email IS NOT NULL"),
            schema="sales",
        )
        op.create_index("ix_account_id", "account", ["id"], mssql_clustered=True)
        op.create_index("ix_account_active", "account", ["name"], mssql_where="active = 1")

    assert emitted(fn) == [
        "CREATE UNIQUE NONCLUSTERED INDEX ix_account_email ON sales.account (email) "
        "INCLUDE (name, created) WHERE email IS NOT NULL",
        "CREATE CLUSTERED INDEX ix_account_id ON account (id)",
        "CREATE INDEX ix_account_active ON account (name) WHERE active = 1",
    ]


def test_drop_index_names_its_table(emitted):
    def fn():
        op.drop_index("ix_account_email", "account", schema="sales")
        op.drop_index("ix_account_id", table_name="account", if_exists=True)

    assert emitted(fn) == [
        "DROP INDEX ix_account_email ON sales.account",
        "DROP INDEX IF EXISTS ix_account_id ON account",
    ]


def test_drop_index_without_its_table_is_an_error_naming_the_argument(offline):
    with pytest.raises(MighubError) as info:
        offline(lambda: op.drop_index("ix_account_email"))
    assert str(info.value) == (
        "op.drop_index('ix_account_email') on SQL Server needs table_name=: "
        "DROP INDEX names the index's table"
    )


# ---------------------------------------------------------------------------
# Constraints
# ---------------------------------------------------------------------------


def test_constraints(emitted):
    def fn():
        op.create_primary_key("pk_account", "account", ["id"], schema="sales")
        op.create_unique_constraint("uq_account_email", "account", ["email"])
        op.create_foreign_key(
            "fk_account_owner", "account", "person", ["owner_id"], ["id"], ondelete="SET NULL"
        )
        op.create_check_constraint("ck_account_age", "account", "age >= 0")
        op.drop_constraint("ck_account_age", "account", type_="check")
        op.drop_constraint("uq_account_email", "account", if_exists=True)

    assert emitted(fn) == [
        "ALTER TABLE sales.account ADD CONSTRAINT pk_account PRIMARY KEY (id)",
        "ALTER TABLE account ADD CONSTRAINT uq_account_email UNIQUE (email)",
        "ALTER TABLE account ADD CONSTRAINT fk_account_owner FOREIGN KEY(owner_id) "
        "REFERENCES person (id) ON DELETE SET NULL",
        "ALTER TABLE account ADD CONSTRAINT ck_account_age CHECK (age >= 0)",
        "ALTER TABLE account DROP CONSTRAINT ck_account_age",
        "ALTER TABLE account DROP CONSTRAINT IF EXISTS uq_account_email",
    ]


# ---------------------------------------------------------------------------
# Names that need quoting, and schemas
# ---------------------------------------------------------------------------


def test_names_are_quoted_where_t_sql_needs_it(emitted):
    def fn():
        op.add_column("user", sa.Column("select", sa.Integer), schema="my schema")
        op.alter_column("user", "select", server_default="x", schema="my schema")
        op.drop_column("user", "select", schema="my schema", mssql_drop_default=True)

    drop_default = (
        "DECLARE @mighub_drop NVARCHAR(MAX) = N'';\n"
        "SELECT @mighub_drop = @mighub_drop + N'ALTER TABLE [my schema].[user] DROP CONSTRAINT '"
        " + QUOTENAME(name) + N'; '\n"
        "FROM sys.default_constraints\n"
        "WHERE parent_object_id = OBJECT_ID(N'[my schema].[user]')\n"
        "AND COL_NAME(parent_object_id, parent_column_id) = N'select';\n"
        "EXEC sp_executesql @mighub_drop"
    )
    assert emitted(fn) == [
        "ALTER TABLE [my schema].[user] ADD [select] INTEGER NULL",
        drop_default,
        "ALTER TABLE [my schema].[user] ADD DEFAULT 'x' FOR [select]",
        drop_default,
        "ALTER TABLE [my schema].[user] DROP COLUMN [select]",
    ]


# ---------------------------------------------------------------------------
# bulk_insert and IDENTITY_INSERT
# ---------------------------------------------------------------------------


def account_table(*extra: sa.Column) -> sa.Table:
    return sa.Table(
        "account",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(20)),
        *extra,
        schema="sales",
    )


def test_offline_bulk_insert_of_identity_values_switches_identity_insert_on_and_off(
    offline, split, tsql
):
    table, rows = account_table(), [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]
    script = offline(lambda: op.bulk_insert(table, rows))
    assert split(script) == [
        "SET IDENTITY_INSERT sales.account ON",
        "INSERT INTO sales.account (id, name) VALUES (1, 'a')",
        "INSERT INTO sales.account (id, name) VALUES (2, 'b')",
        "SET IDENTITY_INSERT sales.account OFF",
    ]
    for statement in split(script):
        tsql(statement)


def test_offline_bulk_insert_without_identity_values_leaves_identity_insert_alone(
    offline, split, tsql
):
    plain = sa.Table("tag", sa.MetaData(), sa.Column("code", sa.String(5), primary_key=True))
    lightweight = sa.table("note", sa.column("id", sa.Integer), sa.column("body"))

    def fn():
        op.bulk_insert(account_table(), [{"name": "a"}])
        op.bulk_insert(plain, [{"code": "x"}])
        # A lightweight table() does not say which column is the identity.
        op.bulk_insert(lightweight, [{"id": 1, "body": "b"}])

    statements = split(offline(fn))
    assert statements == [
        "INSERT INTO sales.account (name) VALUES ('a')",
        "INSERT INTO tag (code) VALUES ('x')",
        "INSERT INTO note (id, body) VALUES (1, 'b')",
    ]
    for statement in statements:
        tsql(statement)


def test_online_bulk_insert_of_identity_key_values_is_switched_by_sqlalchemy(online, server, tsql):
    table = account_table()
    rows = [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]
    # SQLAlchemy's mssql dialect switches IDENTITY_INSERT itself for an identity key,
    # and sends an executemany as one multi-row INSERT.
    assert online(lambda: op.bulk_insert(table, rows)) == [
        "SET IDENTITY_INSERT sales.account ON",
        "INSERT INTO sales.account (id, name) VALUES (?, ?), (?, ?)",
        "SET IDENTITY_INSERT sales.account OFF",
    ]
    assert server.statements[1][1] == (1, "a", 2, "b")
    for statement, _ in server.statements:
        tsql(statement)


def test_bulk_insert_into_an_identity_column_that_is_not_the_key(online, offline, split, tsql):
    table = sa.Table(
        "ledger",
        sa.MetaData(),
        sa.Column("code", sa.String(5), primary_key=True),
        sa.Column("seq", sa.Integer, sa.Identity()),
    )
    rows = [{"code": "a", "seq": 10}]
    expected = [
        "SET IDENTITY_INSERT ledger ON",
        "INSERT INTO ledger (code, seq) VALUES (?, ?)",
        "SET IDENTITY_INSERT ledger OFF",
    ]
    assert online(lambda: op.bulk_insert(table, rows)) == expected
    expected[1] = "INSERT INTO ledger (code, seq) VALUES ('a', 10)"
    assert split(offline(lambda: op.bulk_insert(table, rows))) == expected
    for statement in expected:
        tsql(statement)
