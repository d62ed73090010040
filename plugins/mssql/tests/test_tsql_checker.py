"""The T-SQL check the other tests rely on rejects what is not T-SQL.

sqlglot is lenient in places (it reads some unknown words as aliases), so
these cases are the mistakes it does catch, in the forms this plugin emits.
"""

from __future__ import annotations

import pytest
import sqlglot.errors


@pytest.mark.parametrize(
    "sql",
    [
        # Dynamic T-SQL is built with sample values and parsed too.
        "SELECT @v = N'ALTER TABLE account DRP CONSTRAINT ' + QUOTENAME(name) FROM x",
        "SELECT @v = N'ALTER TABLE t ADD CONSTRAINT ' + QUOTENAME(name) + N' DEFAULT ' "
        "+ definition + N' FOR' FROM x",
        # Forms sqlglot keeps as opaque commands are matched to their grammar.
        "ALTER TABLE t ADD DEFAULT FOR c",
        "ALTER TABLE t ADD DEFAULT (1 + ) FOR c",
        "GO",
        "SET IDENTITY_INSERT [my schema] t ON",
        # Plain syntax errors.
        "ALTER TABLE t ALTER COLUMN c NVARCHAR(100 NOT NULL",
        "ALTER TABLE t ADD c INT NUL",
        "DECLARE @x NVARCHAR(MAX) = N'';\nSELECT @x = @x + FROM sys.default_constraints",
    ],
)
def test_broken_t_sql_is_rejected(tsql, sql):
    with pytest.raises((AssertionError, sqlglot.errors.ParseError)):
        tsql(sql)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT @v = N'ALTER TABLE t ADD CONSTRAINT ' + QUOTENAME(name) + N' DEFAULT ' "
        "+ definition + N' FOR name' FROM x",
        "ALTER TABLE t ADD DEFAULT (1 + 2) FOR c",
        "SET IDENTITY_INSERT [my schema].[t] ON",
        "ALTER TABLE [my schema].[user] ADD DEFAULT N'x' FOR [select]",
    ],
)
def test_t_sql_is_accepted(tsql, sql):
    assert tsql(sql)
