"""Every core operation on real databases, checked by reflection.

Each test runs on SQLite (a file), PostgreSQL and MariaDB, in a namespace of
its own. PostgreSQL runs on the generic implementation: what the kernel
supports before its plugin. MariaDB runs on the mysql plugin's, since the
generic DDL cannot change its columns (its tests skip, saying so, when that
plugin is not installed). Where SQLite cannot do something in place the test
checks the error and that nothing changed.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from mighub import op
from mighub.errors import MighubError
from mighub.operations import use
from tests._backends import (
    NAMING_CONVENTION,
    NEEDS_MYSQL_PLUGIN,
    has_mysql_plugin,
    online_operations,
)

BATCH_HINT = "run it in batch mode"


@pytest.fixture
def ops(connection):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    operations = online_operations(connection, target_metadata=metadata)
    with use(operations):
        yield operations
    connection.commit()


def insp(connection) -> sa.engine.Inspector:
    return sa.inspect(connection)


def columns(connection, table: str, schema: str | None = None) -> dict[str, dict]:
    return {c["name"]: c for c in insp(connection).get_columns(table, schema=schema)}


def needs_mysql_plugin(backend: str) -> None:
    if backend == "mysql" and not has_mysql_plugin():
        pytest.skip(NEEDS_MYSQL_PLUGIN)


def make_account(**extra_columns: sa.Column) -> sa.Table:
    return op.create_table(
        "account",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(50)),
        sa.Column("code", sa.String(20)),
        *extra_columns.values(),
    )


# -- tables -------------------------------------------------------------------


def test_create_table(ops, connection, backend):
    op.create_table("user", sa.Column("id", sa.Integer, primary_key=True))
    table = op.create_table(
        "account",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False, comment="who"),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("user.id")),
        sa.Column("status", sa.Enum("on", "off", name="account_status")),
        sa.UniqueConstraint("name"),
        sa.Index(None, "user_id"),
        comment="accounts",
    )
    assert isinstance(table, sa.Table)
    i = insp(connection)
    cols = columns(connection, "account")
    assert list(cols) == ["id", "name", "user_id", "status"]
    assert cols["name"]["nullable"] is False
    assert i.get_pk_constraint("account")["constrained_columns"] == ["id"]
    assert [fk["referred_table"] for fk in i.get_foreign_keys("account")] == ["user"]
    uniques = i.get_unique_constraints("account")
    assert [u["column_names"] for u in uniques] == [["name"]]
    assert {ix["name"] for ix in i.get_indexes("account")} >= {"ix_account_user_id"}
    if backend == "postgresql":
        assert uniques[0]["name"] == "uq_account_name"
        assert i.get_table_comment("account")["text"] == "accounts"
        assert cols["name"]["comment"] == "who"
        assert [e["name"] for e in i.get_enums()] == ["account_status"]
    if backend == "mysql":  # comments are inline in MySQL's CREATE TABLE
        assert i.get_table_comment("account")["text"] == "accounts"


def test_create_table_if_not_exists(ops, connection):
    op.create_table("t", sa.Column("id", sa.Integer, primary_key=True), if_not_exists=True)
    op.create_table("t", sa.Column("id", sa.Integer, primary_key=True), if_not_exists=True)
    assert insp(connection).has_table("t")


def test_drop_table(ops, connection, backend):
    make_account()
    op.drop_table("account")
    assert not insp(connection).has_table("account")
    op.drop_table("account", if_exists=True)


def test_drop_table_built_from_a_table_and_reversed(ops, connection):
    from mighub.operations.ops import DropTableOp

    table = op.create_table(
        "t", sa.Column("id", sa.Integer, primary_key=True), sa.Column("s", sa.String(5))
    )
    drop = DropTableOp.from_table(table)
    op.invoke(drop)
    assert not insp(connection).has_table("t")
    op.invoke(drop.reverse())
    assert list(columns(connection, "t")) == ["id", "s"]


def test_rename_table(ops, connection):
    make_account()
    op.rename_table("account", "customer")
    i = insp(connection)
    assert not i.has_table("account")
    assert i.has_table("customer")


def test_rename_table_in_another_schema(ops, connection, namespace):
    other = namespace.other_schema(connection)
    op.create_table("account", sa.Column("id", sa.Integer, primary_key=True), schema=other)
    op.rename_table("account", "customer", schema=other)
    assert insp(connection).get_table_names(schema=other) == ["customer"]


def test_table_comments(ops, connection, backend):
    needs_mysql_plugin(backend)
    make_account()
    if backend == "sqlite":
        with pytest.raises(MighubError, match="SQLite does not store comments"):
            op.create_table_comment("account", "accounts")
        return
    op.create_table_comment("account", "it's the accounts")
    assert insp(connection).get_table_comment("account")["text"] == "it's the accounts"
    op.drop_table_comment("account", existing_comment="it's the accounts")
    assert insp(connection).get_table_comment("account")["text"] is None


# -- columns ------------------------------------------------------------------


def test_add_column_fills_existing_rows_with_the_default(ops, connection, backend):
    table = make_account()
    op.bulk_insert(table, [{"id": 1, "name": "a"}])
    op.add_column("account", sa.Column("balance", sa.Integer, server_default="7", nullable=False))
    cols = columns(connection, "account")
    assert cols["balance"]["nullable"] is False
    assert "7" in cols["balance"]["default"]
    assert connection.execute(sa.text("SELECT balance FROM account")).scalar() == 7


def test_add_column_with_foreign_key_and_index(ops, connection, backend):
    op.create_table("user", sa.Column("id", sa.Integer, primary_key=True))
    make_account()
    op.add_column(
        "account",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("user.id", ondelete="CASCADE"), index=True),
    )
    i = insp(connection)
    [fk] = i.get_foreign_keys("account")
    assert (fk["constrained_columns"], fk["referred_table"]) == (["user_id"], "user")
    if backend == "sqlite":  # reflection misses the options of an inline REFERENCES
        pragma = connection.exec_driver_sql("PRAGMA foreign_key_list(account)").one()
        assert pragma[6] == "CASCADE"
    else:  # SQLite's inline REFERENCES has no name either
        assert fk["options"]["ondelete"] == "CASCADE"
        assert fk["name"] == "fk_account_user_id_user"
    assert "ix_account_user_id" in {ix["name"] for ix in i.get_indexes("account")}


def test_add_column_unique(ops, connection, backend):
    make_account()
    column = sa.Column("email", sa.String(100), unique=True)
    if backend == "sqlite":
        with pytest.raises(MighubError, match=BATCH_HINT):
            op.add_column("account", column)
        assert "email" not in columns(connection, "account")  # failed before any SQL
        return
    op.add_column("account", column)
    uniques = insp(connection).get_unique_constraints("account")
    assert [(u["name"], u["column_names"]) for u in uniques] == [("uq_account_email", ["email"])]


def test_add_column_if_not_exists(ops, connection, backend):
    make_account()
    if backend == "sqlite":
        with pytest.raises(sa.exc.CompileError, match="IF NOT EXISTS"):
            op.add_column("account", sa.Column("name", sa.String(5)), if_not_exists=True)
        return
    op.add_column("account", sa.Column("name", sa.String(5)), if_not_exists=True)
    assert columns(connection, "account")["name"]["type"].length == 50  # untouched


def test_add_column_in_another_schema(ops, connection, namespace):
    other = namespace.other_schema(connection)
    op.create_table("account", sa.Column("id", sa.Integer, primary_key=True), schema=other)
    op.add_column("account", sa.Column("name", sa.String(10)), schema=other)
    op.create_index("ix_name", "account", ["name"], schema=other)
    assert list(columns(connection, "account", other)) == ["id", "name"]
    assert [ix["name"] for ix in insp(connection).get_indexes("account", schema=other)] == [
        "ix_name"
    ]


def test_drop_column(ops, connection, backend):
    make_account()
    op.drop_column("account", "code")
    assert "code" not in columns(connection, "account")
    if backend != "sqlite":
        op.drop_column("account", "code", if_exists=True)


def test_alter_column_rename(ops, connection):
    make_account()
    op.alter_column("account", "code", new_column_name="reference")
    assert list(columns(connection, "account")) == ["id", "name", "reference"]


def test_alter_column_server_default(ops, connection, backend):
    make_account()
    if backend == "sqlite":
        with pytest.raises(MighubError, match=BATCH_HINT):
            op.alter_column("account", "code", server_default="x")
        return
    op.alter_column("account", "code", server_default="none yet")
    assert "none yet" in columns(connection, "account")["code"]["default"]
    op.alter_column("account", "code", server_default=None)
    assert columns(connection, "account")["code"]["default"] is None


def test_alter_column_nullable(ops, connection, backend):
    needs_mysql_plugin(backend)
    make_account()
    if backend == "sqlite":
        with pytest.raises(MighubError, match=BATCH_HINT):
            op.alter_column("account", "name", nullable=False)
        return
    op.alter_column("account", "name", nullable=False, existing_type=sa.String(50))
    assert columns(connection, "account")["name"]["nullable"] is False
    op.alter_column("account", "name", nullable=True, existing_type=sa.String(50))
    assert columns(connection, "account")["name"]["nullable"] is True


def test_alter_column_type(ops, connection, backend):
    needs_mysql_plugin(backend)
    table = make_account()
    if backend == "sqlite":
        with pytest.raises(MighubError, match=BATCH_HINT):
            op.alter_column("account", "code", type_=sa.Integer)
        return
    op.bulk_insert(table, [{"id": 1, "code": "42"}])
    if backend != "postgresql":  # PostgreSQL needs USING, which its plugin provides (tested there)
        op.alter_column("account", "code", type_=sa.Integer)
        assert isinstance(columns(connection, "account")["code"]["type"], sa.Integer)
        assert connection.execute(sa.text("SELECT code FROM account")).scalar() == 42
    op.alter_column("account", "name", type_=sa.String(200))
    assert columns(connection, "account")["name"]["type"].length == 200


def test_alter_column_comment(ops, connection, backend):
    needs_mysql_plugin(backend)
    make_account()
    if backend == "sqlite":
        with pytest.raises(MighubError, match="SQLite does not store comments"):
            op.alter_column("account", "name", comment="x")
        return
    op.alter_column("account", "name", comment="the name", existing_type=sa.String(50))
    assert columns(connection, "account")["name"]["comment"] == "the name"
    op.alter_column("account", "name", comment=None, existing_type=sa.String(50))
    assert columns(connection, "account")["name"]["comment"] is None


def test_alter_column_several_changes_then_rename(ops, connection, backend):
    needs_mysql_plugin(backend)
    if backend == "sqlite":
        pytest.skip("SQLite cannot change columns in place (covered above)")
    make_account()
    op.alter_column(
        "account",
        "code",
        type_=sa.String(40),
        nullable=False,
        server_default="n/a",
        new_column_name="ref",
    )
    col = columns(connection, "account")["ref"]
    assert (col["type"].length, col["nullable"]) == (40, False)
    assert "n/a" in col["default"]


# -- indexes ------------------------------------------------------------------


def test_create_and_drop_index(ops, connection, backend):
    make_account()
    op.create_index(None, "account", ["name", "code"], unique=True)
    op.create_index("ix_code", "account", ["code"])
    found = {ix["name"]: ix for ix in insp(connection).get_indexes("account")}
    assert found["ix_account_name"]["column_names"] == ["name", "code"]
    assert found["ix_account_name"]["unique"]
    op.drop_index("ix_code", "account")
    assert "ix_code" not in {ix["name"] for ix in insp(connection).get_indexes("account")}


def test_index_if_exists_and_if_not_exists(ops, connection):
    make_account()
    op.create_index("ix_code", "account", ["code"], if_not_exists=True)
    op.create_index("ix_code", "account", ["code"], if_not_exists=True)
    op.drop_index("ix_code", "account", if_exists=True)
    op.drop_index("ix_code", "account", if_exists=True)
    assert insp(connection).get_indexes("account") == []


# -- constraints --------------------------------------------------------------


def _sqlite_refuses(backend: str, call) -> bool:
    if backend != "sqlite":
        return False
    with pytest.raises(MighubError, match=BATCH_HINT):
        call()
    return True


def test_primary_key(ops, connection, backend):
    op.create_table("t", sa.Column("a", sa.Integer, nullable=False), sa.Column("b", sa.Integer))
    if _sqlite_refuses(backend, lambda: op.create_primary_key(None, "t", ["a"])):
        return
    op.create_primary_key(None, "t", ["a"])
    pk = insp(connection).get_pk_constraint("t")
    assert pk["constrained_columns"] == ["a"]
    if backend == "postgresql":
        assert pk["name"] == "pk_t"
    op.drop_constraint("pk_t", "t", "primary")
    assert insp(connection).get_pk_constraint("t")["constrained_columns"] == []


def test_unique_constraint(ops, connection, backend):
    make_account()
    if _sqlite_refuses(backend, lambda: op.create_unique_constraint(None, "account", ["name"])):
        return
    op.create_unique_constraint(None, "account", ["name", "code"])
    [uq] = insp(connection).get_unique_constraints("account")
    assert (uq["name"], uq["column_names"]) == ("uq_account_name", ["name", "code"])
    op.drop_constraint("uq_account_name", "account", "unique")
    assert insp(connection).get_unique_constraints("account") == []


def test_foreign_key(ops, connection, backend):
    op.create_table("user", sa.Column("id", sa.Integer, primary_key=True))
    make_account(user_id=sa.Column("user_id", sa.Integer))
    call = lambda: op.create_foreign_key(  # noqa: E731
        None, "account", "user", ["user_id"], ["id"], ondelete="SET NULL"
    )
    if _sqlite_refuses(backend, call):
        return
    call()
    [fk] = insp(connection).get_foreign_keys("account")
    assert fk["name"] == "fk_account_user_id_user"
    assert (fk["referred_table"], fk["referred_columns"]) == ("user", ["id"])
    assert fk["options"]["ondelete"] == "SET NULL"
    op.drop_constraint("fk_account_user_id_user", "account", "foreignkey")
    assert insp(connection).get_foreign_keys("account") == []


def test_foreign_key_across_schemas(ops, connection, backend, namespace):
    if backend == "sqlite":
        pytest.skip("SQLite cannot refer to a table in another attached database")
    other = namespace.other_schema(connection)
    op.create_table("user", sa.Column("id", sa.Integer, primary_key=True), schema=other)
    make_account(user_id=sa.Column("user_id", sa.Integer))
    op.create_foreign_key("fk_user", "account", "user", ["user_id"], ["id"], referent_schema=other)
    [fk] = insp(connection).get_foreign_keys("account")
    assert (fk["referred_schema"], fk["referred_table"]) == (other, "user")


def test_check_constraint(ops, connection, backend):
    make_account(balance=sa.Column("balance", sa.Integer))
    call = lambda: op.create_check_constraint(  # noqa: E731
        "positive", "account", sa.column("balance") >= 0
    )
    if _sqlite_refuses(backend, call):
        return
    call()
    connection.commit()
    names = [c["name"] for c in insp(connection).get_check_constraints("account")]
    assert "ck_account_positive" in names
    with pytest.raises(sa.exc.DBAPIError):
        connection.execute(sa.text("INSERT INTO account (id, balance) VALUES (1, -5)"))
    connection.rollback()
    op.drop_constraint(op.f("ck_account_positive"), "account", "check")
    names = [c["name"] for c in insp(connection).get_check_constraints("account")]
    assert "ck_account_positive" not in names


def test_drop_constraint_if_exists(ops, connection, backend):
    needs_mysql_plugin(backend)
    make_account()
    if _sqlite_refuses(backend, lambda: op.drop_constraint("nope", "account", "unique")):
        return
    op.drop_constraint("uq_nope", "account", "unique", if_exists=True)


# -- data and utilities -------------------------------------------------------


@pytest.mark.parametrize("multiinsert", [True, False])
def test_bulk_insert(ops, connection, multiinsert):
    table = make_account()
    rows = [{"id": 1, "name": "a"}, {"id": 2, "name": "b'c", "code": None}]
    op.bulk_insert(table, rows, multiinsert=multiinsert)
    light = sa.table("account", sa.column("id"), sa.column("name"))
    op.bulk_insert(light, [{"id": 3, "name": op.inline_literal("lit")}])
    got = connection.execute(sa.text("SELECT id, name FROM account ORDER BY id")).all()
    assert got == [(1, "a"), (2, "b'c"), (3, "lit")]


def test_execute(ops, connection):
    table = make_account()
    op.execute("INSERT INTO account (id, name) VALUES (1, 'a')")
    op.execute(
        sa.update(table).where(table.c.id == op.inline_literal(1)).values(name="b"),
        execution_options={"timeout": 5},
    )
    op.execute(sa.text("UPDATE account SET code = 'x\\:y'"))
    assert connection.execute(sa.text("SELECT name, code FROM account")).one() == ("b", "x:y")


def test_get_bind_is_the_connection(ops, connection):
    assert op.get_bind() is connection


def test_upgrade_then_its_reverse_restores_the_schema(ops, connection, backend):
    """What a generated downgrade does: the reversed operations, last first."""
    from mighub.operations import ops as o

    make_account()
    before = {t: list(columns(connection, t)) for t in insp(connection).get_table_names()}
    upgrade = o.UpgradeOps(
        [
            o.CreateTableOp(
                "tag", [sa.Column("id", sa.Integer, primary_key=True), sa.Column("label", sa.Text)]
            ),
            o.AddColumnOp("account", sa.Column("tag_id", sa.Integer)),
            o.CreateIndexOp("ix_account_tag_id", "account", ["tag_id"]),
            o.RenameTableOp("tag", "label"),
        ]
    )
    for operation in upgrade.ops:
        op.invoke(operation)
    assert set(insp(connection).get_table_names()) == {"account", "label"}
    for operation in upgrade.reverse().ops:
        op.invoke(operation)
    after = {t: list(columns(connection, t)) for t in insp(connection).get_table_names()}
    assert after == before
    assert insp(connection).get_indexes("account") == []
