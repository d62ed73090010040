"""The kernel's ALTER constructs on a plain SQLAlchemy connection to SQL Server (no mighub run).

Importing ``mighub_mssql.constructs`` gives them their T-SQL forms; they need
what T-SQL needs, and say so with SQLAlchemy's ``CompileError``.
"""

from __future__ import annotations

import mighub_mssql.constructs
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mssql
from sqlalchemy.exc import CompileError

from mighub.ddl import constructs


def sql(element) -> str:
    return str(element.compile(dialect=mssql.dialect()))


def test_constructs_compile_to_t_sql(tsql):
    statements = [
        sql(constructs.RenameTable("account", "customer", schema="sales")),
        sql(constructs.ColumnName("account", "name", "full_name")),
        sql(constructs.AddColumn("account", sa.Column("age", sa.Integer))),
        sql(constructs.ColumnNullable("account", "age", False, existing_type=sa.Integer)),
        sql(constructs.ColumnType("account", "age", sa.BigInteger, existing_nullable=True)),
        sql(constructs.ColumnDefault("account", "age", "0")),
        sql(constructs.ColumnComment("account", "age", "years", existing_comment="old")),
        sql(constructs.TableComment("account", None, schema="sales")),
    ]
    assert statements == [
        "EXEC sp_rename N'sales.account', N'customer'",
        "EXEC sp_rename N'account.name', N'full_name', 'COLUMN'",
        "ALTER TABLE account ADD age INTEGER NULL",
        "ALTER TABLE account ALTER COLUMN age INTEGER NOT NULL",
        "ALTER TABLE account ALTER COLUMN age BIGINT NULL",
        "ALTER TABLE account ADD DEFAULT '0' FOR age",
        "DECLARE @mighub_schema sysname = SCHEMA_NAME();\n"
        "EXEC sp_updateextendedproperty @name = N'MS_Description', @value = N'years', "
        "@level0type = N'SCHEMA', @level0name = @mighub_schema, "
        "@level1type = N'TABLE', @level1name = N'account', "
        "@level2type = N'COLUMN', @level2name = N'age'",
        "EXEC sp_dropextendedproperty @name = N'MS_Description', "
        "@level0type = N'SCHEMA', @level0name = N'sales', "
        "@level1type = N'TABLE', @level1name = N'account'",
    ]
    for statement in statements:
        tsql(statement)


def test_dropping_a_default_finds_its_constraint(tsql):
    statement = sql(constructs.ColumnDefault("account", "age", None, schema="sales"))
    assert statement.startswith("DECLARE @mighub_drop NVARCHAR(MAX) = N'';\n")
    assert "FROM sys.default_constraints\n" in statement
    assert "WHERE parent_object_id = OBJECT_ID(N'sales.account')\n" in statement
    tsql(statement)


def test_alter_column_constructs_need_what_t_sql_restates():
    with pytest.raises(CompileError, match="needs existing_type"):
        sql(constructs.ColumnNullable("account", "age", False))
    with pytest.raises(CompileError, match="needs existing_nullable"):
        sql(constructs.ColumnType("account", "age", sa.BigInteger))


def test_constraint_kind_is_checked():
    with pytest.raises(ValueError, match="kind must be one of default, check, foreign_key"):
        mighub_mssql.constructs.DropColumnConstraints("account", "age", "unique")
