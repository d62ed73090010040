"""The constructs executed on a plain SQLAlchemy connection, as any application would.

No plugin host, no Operations, no runtime: ``conn.execute(RenameTable(...))``.
Each backend runs what it can do with the generic forms, and MariaDB with the
forms that importing ``mighub_mysql.constructs`` registers (skipped, saying
so, when the mysql plugin is not installed); the results are checked by
reflection.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from mighub.ddl.constructs import (
    AddColumn,
    ColumnComment,
    ColumnDefault,
    ColumnName,
    ColumnNullable,
    ColumnType,
    DropColumn,
    RenameTable,
    TableComment,
)
from tests._backends import NEEDS_MYSQL_PLUGIN, has_mysql_plugin


@pytest.fixture
def account(connection):
    metadata = sa.MetaData()
    table = sa.Table(
        "account",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(20)),
    )
    metadata.create_all(connection)
    connection.execute(table.insert(), [{"id": 1, "name": "a"}])
    connection.commit()
    return table


def cols(connection, table="account", schema=None):
    return {c["name"]: c for c in sa.inspect(connection).get_columns(table, schema=schema)}


def not_on_sqlite(backend):
    if backend == "mysql":
        if not has_mysql_plugin():
            pytest.skip(NEEDS_MYSQL_PLUGIN)
        import mighub_mysql.constructs  # noqa: F401  (registers the MariaDB forms)
    if backend == "sqlite":
        pytest.skip("SQLite has no in-place form (the construct raises CompileError)")


def test_rename_table(connection, account):
    connection.execute(RenameTable("account", "customer"))
    connection.commit()
    assert sa.inspect(connection).get_table_names() == ["customer"]


def test_rename_table_in_another_schema(connection, namespace):
    other = namespace.other_schema(connection)
    connection.execute(sa.text(f"CREATE TABLE {other}.t (id INTEGER)"))
    connection.execute(RenameTable("t", "u", schema=other))
    connection.commit()
    assert sa.inspect(connection).get_table_names(schema=other) == ["u"]


def test_add_and_drop_column(connection, account):
    connection.execute(
        AddColumn("account", sa.Column("n", sa.Integer, nullable=False, server_default="5"))
    )
    connection.commit()
    assert cols(connection)["n"]["nullable"] is False
    assert connection.execute(sa.text("SELECT n FROM account")).scalar() == 5
    connection.execute(DropColumn("account", "n"))
    connection.commit()
    assert list(cols(connection)) == ["id", "name"]


def test_add_column_with_inline_references(connection, account, backend):
    connection.execute(sa.text("CREATE TABLE owner (id INTEGER PRIMARY KEY)"))
    connection.execute(
        AddColumn(
            "account",
            sa.Column("owner_id", sa.Integer, sa.ForeignKey("owner.id")),
            inline_references=True,
        )
    )
    connection.commit()
    [fk] = sa.inspect(connection).get_foreign_keys("account")
    assert (fk["constrained_columns"], fk["referred_table"]) == (["owner_id"], "owner")


def test_if_not_exists_and_if_exists(connection, account, backend):
    if backend == "sqlite":
        pytest.skip("SQLite has no IF [NOT] EXISTS for columns")
    connection.execute(AddColumn("account", sa.Column("name", sa.Text), if_not_exists=True))
    connection.execute(DropColumn("account", "nothing", if_exists=True))
    connection.commit()
    assert list(cols(connection)) == ["id", "name"]


def test_rename_column(connection, account):
    connection.execute(ColumnName("account", "name", "title"))
    connection.commit()
    assert list(cols(connection)) == ["id", "title"]


def test_set_and_drop_default(connection, account, backend):
    if backend == "sqlite":
        pytest.skip("SQLite has no in-place form (the construct raises CompileError)")
    connection.execute(ColumnDefault("account", "name", "anon"))
    connection.commit()
    assert "anon" in cols(connection)["name"]["default"]
    connection.execute(ColumnDefault("account", "name", None))
    connection.commit()
    assert cols(connection)["name"]["default"] is None


def test_nullable_and_type(connection, account, backend):
    not_on_sqlite(backend)
    # MariaDB restates the whole column: the existing_* values say what to keep.
    connection.execute(ColumnNullable("account", "name", False, existing_type=sa.String(20)))
    connection.execute(ColumnType("account", "name", sa.String(99), existing_nullable=False))
    connection.commit()
    name = cols(connection)["name"]
    assert (name["nullable"], name["type"].length) == (False, 99)


def test_comments(connection, account, backend):
    not_on_sqlite(backend)
    connection.execute(TableComment("account", "accounts"))
    connection.execute(
        ColumnComment("account", "name", "it's the name", existing_type=sa.String(20))
    )
    connection.commit()
    assert sa.inspect(connection).get_table_comment("account")["text"] == "accounts"
    assert cols(connection)["name"]["comment"] == "it's the name"
    connection.execute(TableComment("account", None))
    connection.execute(ColumnComment("account", "name", None, existing_type=sa.String(20)))
    connection.commit()
    assert sa.inspect(connection).get_table_comment("account")["text"] is None
    assert cols(connection)["name"]["comment"] is None
