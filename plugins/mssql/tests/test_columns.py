"""Columns on SQL Server: add, drop, alter, rename, comment, the exact T-SQL online and offline.

Each test runs the operations twice through the ``emitted`` fixture: offline
into a script, and online on a connection of SQLAlchemy's mssql+pyodbc
dialect. Both must send the same statements, each must parse as T-SQL, and
the test compares them with the statements a SQL Server DBA would write.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from mighub import op
from mighub.errors import MighubError


def drop_bound(kind_source: str, table: str, column: str, *, name: str = "name") -> str:
    """The T-SQL that drops the constraints of one kind bound to ``column``."""
    table_id, column_id = "parent_object_id", "parent_column_id"
    if kind_source.startswith("sys.foreign_keys"):
        table_id, column_id = "fkc.parent_object_id", "fkc.parent_column_id"
    object_name = table.replace("'", "''")
    return (
        "DECLARE @mighub_drop NVARCHAR(MAX) = N'';\n"
        f"SELECT @mighub_drop = @mighub_drop + N'ALTER TABLE {object_name} DROP CONSTRAINT ' "
        f"+ QUOTENAME({name}) + N'; '\n"
        f"FROM {kind_source}\n"
        f"WHERE {table_id} = OBJECT_ID(N'{object_name}')\n"
        f"AND COL_NAME({table_id}, {column_id}) = N'{column}';\n"
        "EXEC sp_executesql @mighub_drop"
    )


DEFAULTS = "sys.default_constraints"
CHECKS = "sys.check_constraints"
FOREIGN_KEYS = (
    "sys.foreign_keys AS fk\n"
    "JOIN sys.foreign_key_columns AS fkc ON fkc.constraint_object_id = fk.object_id"
)


# ---------------------------------------------------------------------------
# add_column
# ---------------------------------------------------------------------------


def test_add_column_has_no_column_keyword(emitted):
    def fn():
        op.add_column("account", sa.Column("nickname", sa.String(30)))
        op.add_column("account", sa.Column("age", sa.Integer, nullable=False, server_default="0"))
        op.add_column("account", sa.Column("title", sa.Unicode(20)), schema="sales")

    assert emitted(fn) == [
        "ALTER TABLE account ADD nickname VARCHAR(30) NULL",
        "ALTER TABLE account ADD age INTEGER NOT NULL DEFAULT '0'",
        "ALTER TABLE sales.account ADD title NVARCHAR(20) NULL",
    ]


def test_add_column_if_not_exists_asks_col_length(emitted):
    def fn():
        op.add_column("account", sa.Column("note", sa.Text), if_not_exists=True, schema="sales")

    assert emitted(fn) == [
        "IF COL_LENGTH(N'sales.account', N'note') IS NULL "
        "ALTER TABLE sales.account ADD note VARCHAR(max) NULL",
    ]


def test_add_column_with_foreign_key_comment_and_index(emitted):
    def fn():
        op.add_column(
            "account",
            sa.Column(
                "owner_id",
                sa.Integer,
                sa.ForeignKey("person.id", name="fk_account_owner", ondelete="CASCADE"),
                index=True,
                comment="who owns it",
            ),
        )

    assert emitted(fn) == [
        "ALTER TABLE account ADD owner_id INTEGER NULL",
        "ALTER TABLE account ADD CONSTRAINT fk_account_owner FOREIGN KEY(owner_id) "
        "REFERENCES person (id) ON DELETE CASCADE",
        "CREATE INDEX ix_account_owner_id ON account (owner_id)",
        "DECLARE @mighub_schema sysname = SCHEMA_NAME();\n"
        "EXEC sp_addextendedproperty @name = N'MS_Description', @value = N'who owns it', "
        "@level0type = N'SCHEMA', @level0name = @mighub_schema, "
        "@level1type = N'TABLE', @level1name = N'account', "
        "@level2type = N'COLUMN', @level2name = N'owner_id'",
    ]


def test_add_identity_and_computed_columns(emitted):
    def fn():
        op.add_column("account", sa.Column("seq", sa.BigInteger, sa.Identity(start=10)))
        op.add_column("account", sa.Column("total", sa.Integer, sa.Computed("price * qty")))

    assert emitted(fn) == [
        "ALTER TABLE account ADD seq BIGINT NOT NULL IDENTITY(10,1)",
        "ALTER TABLE account ADD total AS (price * qty)",
    ]


# ---------------------------------------------------------------------------
# drop_column
# ---------------------------------------------------------------------------


def test_drop_column(emitted):
    def fn():
        op.drop_column("account", "nickname")
        op.drop_column("account", "note", schema="sales", if_exists=True)

    assert emitted(fn) == [
        "ALTER TABLE account DROP COLUMN nickname",
        "ALTER TABLE sales.account DROP COLUMN IF EXISTS note",
    ]


@pytest.mark.parametrize(
    ("option", "source", "name"),
    [
        ("mssql_drop_default", DEFAULTS, "name"),
        ("mssql_drop_check", CHECKS, "name"),
        ("mssql_drop_foreign_key", FOREIGN_KEYS, "fk.name"),
    ],
)
def test_drop_column_drops_what_is_bound_to_it_first(emitted, option, source, name):
    def fn():
        op.drop_column("account", "age", **{option: True})

    assert emitted(fn) == [
        drop_bound(source, "account", "age", name=name),
        "ALTER TABLE account DROP COLUMN age",
    ]


def test_drop_column_with_every_option_in_a_schema(emitted):
    def fn():
        op.drop_column(
            "account",
            "age",
            schema="sales",
            mssql_drop_default=True,
            mssql_drop_check=True,
            mssql_drop_foreign_key=True,
        )

    assert emitted(fn) == [
        drop_bound(DEFAULTS, "sales.account", "age"),
        drop_bound(CHECKS, "sales.account", "age"),
        drop_bound(FOREIGN_KEYS, "sales.account", "age", name="fk.name"),
        "ALTER TABLE sales.account DROP COLUMN age",
    ]


def test_drop_column_options_set_to_false_drop_nothing(emitted):
    def fn():
        op.drop_column("account", "age", mssql_drop_default=False, mssql_drop_check=False)

    assert emitted(fn) == ["ALTER TABLE account DROP COLUMN age"]


def test_drop_column_refuses_an_unknown_sql_server_option(offline):
    with pytest.raises(MighubError) as info:
        offline(lambda: op.drop_column("account", "age", mssql_drop_defaults=True))
    assert str(info.value) == (
        "op.drop_column('account', 'age'): unknown SQL Server option mssql_drop_defaults "
        "(known: mssql_drop_default, mssql_drop_check, mssql_drop_foreign_key)"
    )


# ---------------------------------------------------------------------------
# alter_column
# ---------------------------------------------------------------------------


def keep_default_and_alter(table: str, column: str, clause: str) -> str:
    return (
        "DECLARE @mighub_drop NVARCHAR(MAX) = N'', @mighub_restore NVARCHAR(MAX) = N'';\n"
        f"SELECT @mighub_drop = N'ALTER TABLE {table} DROP CONSTRAINT ' + QUOTENAME(name),\n"
        f"@mighub_restore = N'ALTER TABLE {table} ADD CONSTRAINT ' + QUOTENAME(name) "
        f"+ N' DEFAULT ' + definition + N' FOR {column}'\n"
        "FROM sys.default_constraints\n"
        f"WHERE parent_object_id = OBJECT_ID(N'{table}')\n"
        f"AND COL_NAME(parent_object_id, parent_column_id) = N'{column}';\n"
        "EXEC sp_executesql @mighub_drop;\n"
        f"ALTER TABLE {table} ALTER COLUMN {column} {clause};\n"
        "EXEC sp_executesql @mighub_restore"
    )


def test_nullability_restates_the_existing_type(emitted):
    def fn():
        op.alter_column("account", "name", nullable=False, existing_type=sa.String(50))
        op.alter_column("account", "name", nullable=True, existing_type=sa.Unicode(50))

    assert emitted(fn) == [
        "ALTER TABLE account ALTER COLUMN name VARCHAR(50) NOT NULL",
        "ALTER TABLE account ALTER COLUMN name NVARCHAR(50) NULL",
    ]


def test_nullability_without_a_type_names_the_missing_argument(offline):
    with pytest.raises(MighubError) as info:
        offline(lambda: op.alter_column("account", "name", nullable=False))
    assert str(info.value) == (
        "op.alter_column('account', 'name'): SQL Server's ALTER COLUMN restates the column's "
        "type, so a nullability change needs existing_type= (or type_=)"
    )


def test_type_change_keeps_the_default_constraint(emitted):
    def fn():
        op.alter_column("account", "name", type_=sa.Unicode(100), existing_nullable=False)

    assert emitted(fn) == [
        keep_default_and_alter("account", "name", "NVARCHAR(100) NOT NULL"),
    ]


def test_type_and_nullability_change_in_one_statement(emitted):
    def fn():
        op.alter_column(
            "account",
            "age",
            type_=sa.BigInteger,
            nullable=True,
            existing_type=sa.Integer,
            existing_nullable=False,
            schema="sales",
        )

    assert emitted(fn) == [keep_default_and_alter("sales.account", "age", "BIGINT NULL")]


def test_type_change_without_nullability_names_the_missing_argument(offline):
    with pytest.raises(MighubError) as info:
        offline(lambda: op.alter_column("account", "age", type_=sa.BigInteger))
    assert str(info.value) == (
        "op.alter_column('account', 'age'): SQL Server's ALTER COLUMN without NULL or NOT NULL "
        "makes the column nullable, so a type change needs existing_nullable= (or nullable=)"
    )


def test_new_default_replaces_the_one_sql_server_named(emitted):
    def fn():
        op.alter_column("account", "status", server_default="new")
        op.alter_column("account", "created", server_default=sa.text("SYSUTCDATETIME()"))
        op.alter_column("account", "status", server_default=None, schema="sales")

    assert emitted(fn) == [
        drop_bound(DEFAULTS, "account", "status"),
        "ALTER TABLE account ADD DEFAULT 'new' FOR status",
        drop_bound(DEFAULTS, "account", "created"),
        "ALTER TABLE account ADD DEFAULT SYSUTCDATETIME() FOR created",
        drop_bound(DEFAULTS, "sales.account", "status"),
    ]


def test_type_and_default_change_drop_the_old_default_and_add_the_new(emitted):
    def fn():
        op.alter_column(
            "account",
            "age",
            type_=sa.SmallInteger,
            existing_nullable=True,
            server_default=sa.text("1"),
        )

    assert emitted(fn) == [
        drop_bound(DEFAULTS, "account", "age"),
        "ALTER TABLE account ALTER COLUMN age SMALLINT NULL",
        "ALTER TABLE account ADD DEFAULT 1 FOR age",
    ]


@pytest.mark.parametrize("default", [sa.Identity(), sa.Computed("a + b")])
def test_alter_column_cannot_make_an_identity_or_computed_column(offline, default):
    with pytest.raises(MighubError, match=r"^op\.alter_column\('account', 'n'\): SQL Server "):
        offline(lambda: op.alter_column("account", "n", server_default=default))


def test_rename_column_with_sp_rename(emitted):
    def fn():
        op.alter_column("account", "name", new_column_name="full_name")
        op.alter_column("account", "order", new_column_name="rank", schema="sales")
        op.alter_column("user", "o'brien", new_column_name="[odd] name")

    assert emitted(fn) == [
        "EXEC sp_rename N'account.name', N'full_name', 'COLUMN'",
        "EXEC sp_rename N'sales.account.[order]', N'rank', 'COLUMN'",
        # The new name is a bare name, not an identifier: brackets would become part of it.
        "EXEC sp_rename N'[user].[o''brien]', N'[odd] name', 'COLUMN'",
    ]


def test_column_comment_set_updated_and_dropped(emitted):
    def fn():
        op.alter_column("account", "name", comment="full name")
        op.alter_column("account", "name", comment="legal name", existing_comment="full name")
        op.alter_column("account", "name", comment=None, schema="sales")

    schema_levels = (
        "@level0type = N'SCHEMA', @level0name = @mighub_schema, "
        "@level1type = N'TABLE', @level1name = N'account', "
        "@level2type = N'COLUMN', @level2name = N'name'"
    )
    assert emitted(fn) == [
        "DECLARE @mighub_procedure sysname = N'sp_addextendedproperty', "
        "@mighub_schema sysname = SCHEMA_NAME();\n"
        "SELECT @mighub_procedure = N'sp_updateextendedproperty'\n"
        "FROM fn_listextendedproperty(N'MS_Description', N'SCHEMA', @mighub_schema, "
        "N'TABLE', N'account', N'COLUMN', N'name');\n"
        "EXEC @mighub_procedure @name = N'MS_Description', @value = N'full name', " + schema_levels,
        "DECLARE @mighub_schema sysname = SCHEMA_NAME();\n"
        "EXEC sp_updateextendedproperty @name = N'MS_Description', @value = N'legal name', "
        + schema_levels,
        "EXEC sp_dropextendedproperty @name = N'MS_Description', "
        "@level0type = N'SCHEMA', @level0name = N'sales', "
        "@level1type = N'TABLE', @level1name = N'account', "
        "@level2type = N'COLUMN', @level2name = N'name'",
    ]


def test_every_change_at_once_runs_in_a_safe_order(emitted):
    def fn():
        op.alter_column(
            "account",
            "name",
            type_=sa.Unicode(80),
            nullable=False,
            server_default="n/a",
            comment="display name",
            existing_comment="name",
            new_column_name="display_name",
        )

    assert emitted(fn) == [
        drop_bound(DEFAULTS, "account", "name"),
        "ALTER TABLE account ALTER COLUMN name NVARCHAR(80) NOT NULL",
        "ALTER TABLE account ADD DEFAULT 'n/a' FOR name",
        "DECLARE @mighub_schema sysname = SCHEMA_NAME();\n"
        "EXEC sp_updateextendedproperty @name = N'MS_Description', @value = N'display name', "
        "@level0type = N'SCHEMA', @level0name = @mighub_schema, "
        "@level1type = N'TABLE', @level1name = N'account', "
        "@level2type = N'COLUMN', @level2name = N'name'",
        "EXEC sp_rename N'account.name', N'display_name', 'COLUMN'",
    ]


def test_options_of_other_dialects_are_ignored(emitted):
    def fn():
        op.alter_column(
            "account",
            "age",
            type_=sa.BigInteger,
            existing_nullable=True,
            postgresql_using="age::bigint",
        )

    assert emitted(fn) == [keep_default_and_alter("account", "age", "BIGINT NULL")]
