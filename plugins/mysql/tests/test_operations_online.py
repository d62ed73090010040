"""Every operation on the real MariaDB server, through the plugin, checked by reflection."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from mighub import op
from mighub.errors import MighubError


def cols(connection, table: str = "account") -> dict[str, dict]:
    return {c["name"]: c for c in sa.inspect(connection).get_columns(table)}


def show_create(connection, table: str = "account") -> str:
    return connection.exec_driver_sql(f"SHOW CREATE TABLE `{table}`").one()[1]


def make_account() -> sa.Table:
    return op.create_table(
        "account",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(50), nullable=False, server_default="anon", comment="who"),
        sa.Column("code", sa.String(20)),
    )


NAME = {"existing_nullable": False, "existing_server_default": "anon", "existing_comment": "who"}
"""The ``existing_*`` that describe ``account.name`` as :func:`make_account` creates it."""


# -- tables -------------------------------------------------------------------


def test_create_table_with_comments_enum_boolean_defaults_and_foreign_key(ops, connection):
    op.create_table("user", sa.Column("id", sa.Integer, primary_key=True))
    op.create_table(
        "account",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False, comment="it's who"),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("status", sa.Enum("on", "off", name="status"), server_default="on"),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("user.id", ondelete="CASCADE")),
        sa.Index(None, "name", mysql_length=5),
        comment="accounts",
        mysql_engine="InnoDB",
    )
    i = sa.inspect(connection)
    c = cols(connection)
    assert i.get_table_comment("account")["text"] == "accounts"
    assert c["name"]["comment"] == "it's who"
    assert c["id"]["autoincrement"] is True
    assert (type(c["active"]["type"]), c["active"]["type"].display_width) == (
        sa.dialects.mysql.TINYINT,
        1,
    )
    assert c["active"]["default"] == "1"
    assert list(c["status"]["type"].enums) == ["on", "off"]
    assert c["status"]["default"] == "'on'"
    [fk] = i.get_foreign_keys("account")
    assert (fk["name"], fk["options"]["ondelete"]) == ("fk_account_user_id_user", "CASCADE")
    [ix] = [ix for ix in i.get_indexes("account") if ix["name"] == "ix_account_name"]
    assert ix["dialect_options"]["mysql_length"] == {"name": 5}
    assert "ENGINE=InnoDB" in show_create(connection)


def test_drop_table(ops, connection):
    make_account()
    op.drop_table("account")
    op.drop_table("account", if_exists=True)
    assert sa.inspect(connection).get_table_names() == []


def test_bulk_insert_and_execute(ops, connection):
    table = make_account()
    op.bulk_insert(table, [{"id": 1, "name": "a"}, {"id": 2, "code": "it's"}], multiinsert=False)
    op.execute("UPDATE account SET code = 'x\\:y' WHERE id = 1")
    rows = connection.execute(sa.text("SELECT id, name, code FROM account ORDER BY id")).all()
    assert rows == [(1, "a", "x:y"), (2, "anon", "it's")]


def test_rename_table(ops, connection):
    make_account()
    op.rename_table("account", "customer")
    assert sa.inspect(connection).get_table_names() == ["customer"]


def test_table_comments(ops, connection):
    make_account()
    op.create_table_comment("account", "it's the accounts")
    assert sa.inspect(connection).get_table_comment("account")["text"] == "it's the accounts"
    op.drop_table_comment("account", existing_comment="it's the accounts")
    assert sa.inspect(connection).get_table_comment("account")["text"] is None


# -- adding and dropping columns -------------------------------------------------------


def test_add_column_with_comment_foreign_key_unique_and_index(ops, connection):
    op.create_table("user", sa.Column("id", sa.Integer, primary_key=True))
    make_account()
    op.add_column(
        "account",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("user.id"), index=True, comment="owner"),
    )
    op.add_column("account", sa.Column("email", sa.String(90), unique=True))
    i = sa.inspect(connection)
    assert cols(connection)["user_id"]["comment"] == "owner"
    assert [fk["name"] for fk in i.get_foreign_keys("account")] == ["fk_account_user_id_user"]
    assert [u["name"] for u in i.get_unique_constraints("account")] == ["uq_account_email"]
    assert "ix_account_user_id" in {ix["name"] for ix in i.get_indexes("account")}


def test_add_column_with_inline_references(ops, connection):
    op.create_table("user", sa.Column("id", sa.Integer, primary_key=True))
    make_account()
    op.add_column(
        "account",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("user.id")),
        inline_references=True,
    )
    [fk] = sa.inspect(connection).get_foreign_keys("account")
    assert (fk["constrained_columns"], fk["referred_table"]) == (["user_id"], "user")


def test_add_and_drop_column_if_exists(ops, connection):
    make_account()
    op.add_column("account", sa.Column("code", sa.Integer), if_not_exists=True)
    assert cols(connection)["code"]["type"].length == 20  # untouched
    op.drop_column("account", "code")
    op.drop_column("account", "code", if_exists=True)
    assert list(cols(connection)) == ["id", "name"]


# -- alter_column -------------------------------------------------------------


def test_type_change_restates_what_it_is_told(ops, connection):
    make_account()
    op.alter_column("account", "name", type_=sa.String(80), **NAME)
    name = cols(connection)["name"]
    assert (name["type"].length, name["nullable"], name["default"], name["comment"]) == (
        80,
        False,
        "'anon'",
        "who",
    )


def test_type_change_that_would_drop_attributes_is_refused(ops, connection):
    make_account()
    with pytest.raises(MighubError) as failure:
        op.alter_column("account", "name", type_=sa.String(80))
    assert str(failure.value) == (
        "alter_column('account', 'name') would drop what the column has and the call does "
        "not restate, since MariaDB rewrites the whole column: it is NOT NULL (pass "
        "existing_nullable=False); its default is 'anon' (pass existing_server_default=...); "
        "its comment is 'who' (pass existing_comment=...); or, if that is meant, ask for it "
        "(nullable=True, server_default=None, comment=None, autoincrement=False)"
    )
    name = cols(connection)["name"]
    assert (name["type"].length, name["nullable"], name["default"]) == (50, False, "'anon'")


def test_asking_for_the_loss_is_allowed(ops, connection):
    make_account()
    op.alter_column(
        "account", "name", type_=sa.String(80), nullable=True, server_default=None, comment=None
    )
    name = cols(connection)["name"]
    assert (name["nullable"], name["default"], name["comment"]) == (True, None, None)


def test_change_without_the_type_names_what_is_missing(ops, connection):
    make_account()
    with pytest.raises(MighubError) as failure:
        op.alter_column("account", "name", nullable=True, comment="x")
    assert str(failure.value) == (
        "alter_column('account', 'name') changes the column's nullability and comment, "
        "which MariaDB does by restating the whole column (MODIFY); pass existing_type= "
        "(the type the column has now)"
    )
    assert cols(connection)["name"]["nullable"] is False


def test_nullable(ops, connection):
    make_account()
    op.alter_column("account", "code", nullable=False, existing_type=sa.String(20))
    assert cols(connection)["code"]["nullable"] is False
    op.alter_column("account", "code", nullable=True, existing_type=sa.String(20))
    assert cols(connection)["code"]["nullable"] is True


def test_comment(ops, connection):
    make_account()
    op.alter_column("account", "code", comment="it's a code", existing_type=sa.String(20))
    assert cols(connection)["code"]["comment"] == "it's a code"
    op.alter_column(
        "account", "code", comment=None, existing_type=sa.String(20), existing_comment="x"
    )
    assert cols(connection)["code"]["comment"] is None


def test_default_alone_needs_no_type(ops, connection):
    make_account()
    op.add_column("account", sa.Column("seen", sa.DateTime))
    op.alter_column("account", "name", server_default="nobody")
    op.alter_column("account", "seen", server_default=sa.func.now())
    op.alter_column("account", "code", server_default=sa.text("concat('a', 'b')"))
    c = cols(connection)
    assert (c["name"]["default"], c["seen"]["default"]) == ("'nobody'", "current_timestamp()")
    # SQLAlchemy's reflection cannot read a function default back; SHOW CREATE can.
    assert "`code` varchar(20) DEFAULT concat('a','b')" in show_create(connection)
    assert (c["name"]["nullable"], c["name"]["comment"]) == (False, "who")  # untouched
    op.alter_column("account", "name", server_default=None)
    assert cols(connection)["name"]["default"] is None


def test_rename_alone_needs_no_type_and_keeps_the_column(ops, connection):
    make_account()
    op.alter_column("account", "name", new_column_name="title")
    title = cols(connection)["title"]
    assert (title["nullable"], title["default"], title["comment"]) == (False, "'anon'", "who")


def test_rename_with_a_default_needs_no_type(ops, connection):
    make_account()
    op.alter_column("account", "name", new_column_name="title", server_default="x")
    assert cols(connection)["title"]["default"] == "'x'"


def test_rename_with_other_changes_is_one_change(ops, connection):
    make_account()
    op.alter_column(
        "account",
        "code",
        new_column_name="ref",
        type_=sa.String(40),
        nullable=False,
        server_default="n/a",
        comment="reference",
    )
    ref = cols(connection)["ref"]
    assert (ref["type"].length, ref["nullable"], ref["default"], ref["comment"]) == (
        40,
        False,
        "'n/a'",
        "reference",
    )
    assert "code" not in cols(connection)


def test_autoincrement_on_and_off(ops, connection):
    make_account()
    op.alter_column(
        "account", "id", autoincrement=True, existing_type=sa.Integer, existing_nullable=False
    )
    assert cols(connection)["id"]["autoincrement"] is True
    connection.execute(sa.text("INSERT INTO account (name) VALUES ('a'), ('b')"))
    assert connection.execute(sa.text("SELECT max(id) FROM account")).scalar() == 2
    with pytest.raises(MighubError, match=r"it is AUTO_INCREMENT \(pass existing_autoincrement"):
        op.alter_column("account", "id", type_=sa.BigInteger, existing_nullable=False)
    op.alter_column(
        "account", "id", type_=sa.BigInteger, existing_nullable=False, existing_autoincrement=True
    )
    assert cols(connection)["id"]["autoincrement"] is True
    op.alter_column(
        "account",
        "id",
        autoincrement=False,
        existing_type=sa.BigInteger,
        existing_nullable=False,
        existing_autoincrement=True,
    )
    assert cols(connection)["id"]["autoincrement"] is False


def test_on_update_is_kept_only_when_restated(ops, connection):
    on_update = sa.text("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP")
    make_account()
    op.add_column("account", sa.Column("changed", sa.TIMESTAMP, server_default=on_update))
    with pytest.raises(MighubError, match=r"it has ON UPDATE CURRENT_TIMESTAMP\(\)"):
        op.alter_column("account", "changed", nullable=False, existing_type=sa.TIMESTAMP)
    op.alter_column(
        "account",
        "changed",
        nullable=False,
        existing_type=sa.TIMESTAMP,
        existing_server_default=on_update,
    )
    changed = cols(connection)["changed"]
    assert changed["nullable"] is False
    assert changed["default"] == "current_timestamp() ON UPDATE current_timestamp()"


def test_a_default_with_on_update_restates_the_column(ops, connection):
    make_account()
    op.add_column("account", sa.Column("changed", sa.TIMESTAMP, nullable=True))
    on_update = sa.text("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP")
    with pytest.raises(MighubError, match="default with ON UPDATE, which MariaDB does by"):
        op.alter_column("account", "changed", server_default=on_update)
    op.alter_column(
        "account",
        "changed",
        server_default=on_update,
        existing_type=sa.TIMESTAMP,
        existing_nullable=True,
    )
    assert "ON UPDATE" in cols(connection)["changed"]["default"]


def test_collation_is_kept_only_when_the_type_states_it(ops, connection):
    make_account()
    op.add_column("account", sa.Column("tag", sa.String(10, collation="utf8mb4_bin")))
    with pytest.raises(MighubError, match="its collation is utf8mb4_bin, not the table's"):
        op.alter_column("account", "tag", type_=sa.String(30), existing_nullable=True)
    op.alter_column(
        "account", "tag", type_=sa.String(30, collation="utf8mb4_bin"), existing_nullable=True
    )
    tag = cols(connection)["tag"]["type"]
    assert (tag.length, tag.collation) == (30, "utf8mb4_bin")


def test_generated_column_is_kept_only_when_restated(ops, connection):
    make_account()
    op.add_column("account", sa.Column("upper_name", sa.String(50), sa.Computed("upper(name)")))
    with pytest.raises(MighubError, match=r"it is generated as \(ucase\(`name`\)\)"):
        op.alter_column("account", "upper_name", type_=sa.String(60), existing_nullable=True)
    op.alter_column(
        "account",
        "upper_name",
        type_=sa.String(60),
        existing_server_default=sa.Computed("upper(name)"),
    )
    assert "GENERATED ALWAYS AS (ucase(`name`))" in show_create(connection)


# -- constraints and indexes --------------------------------------------------


def test_drop_each_kind_of_constraint(ops, connection):
    op.create_table("user", sa.Column("id", sa.Integer, primary_key=True))
    op.create_table(
        "t",
        sa.Column("a", sa.Integer, nullable=False),
        sa.Column("b", sa.Integer),
        sa.Column("user_id", sa.Integer),
    )
    op.create_primary_key(None, "t", ["a"])
    op.create_unique_constraint(None, "t", ["b"])
    op.create_foreign_key(None, "t", "user", ["user_id"], ["id"])
    op.create_check_constraint("positive", "t", sa.column("b") > 0)
    i = sa.inspect(connection)
    assert i.get_pk_constraint("t")["constrained_columns"] == ["a"]
    assert [u["name"] for u in i.get_unique_constraints("t")] == ["uq_t_b"]
    assert [f["name"] for f in i.get_foreign_keys("t")] == ["fk_t_user_id_user"]
    assert [c["name"] for c in i.get_check_constraints("t")] == ["ck_t_positive"]

    op.drop_constraint("pk_t", "t", "primary")
    op.drop_constraint("uq_t_b", "t", "unique")
    op.drop_constraint("fk_t_user_id_user", "t", "foreignkey")
    op.drop_constraint(op.f("ck_t_positive"), "t", "check")
    i = sa.inspect(connection)
    assert i.get_pk_constraint("t")["constrained_columns"] == []
    assert i.get_unique_constraints("t") == []
    assert i.get_foreign_keys("t") == []
    assert i.get_check_constraints("t") == []


@pytest.mark.parametrize("kind", ["primary", "unique", "foreignkey", "check"])
def test_drop_constraint_if_exists(ops, connection, kind):
    op.create_table("t", sa.Column("a", sa.Integer))
    op.drop_constraint(op.f("nothing"), "t", kind, if_exists=True)
    assert sa.inspect(connection).has_table("t")


def test_drop_constraint_without_its_kind_says_what_the_database_knows(ops, connection):
    make_account()
    op.create_unique_constraint(None, "account", ["code"])
    with pytest.raises(MighubError) as failure:
        op.drop_constraint("uq_account_code", "account")
    assert str(failure.value) == (
        "drop_constraint('uq_account_code', 'account') needs type_ on MariaDB, which drops "
        "each kind of constraint with its own statement: pass type_='foreignkey', 'unique', "
        "'check' or 'primary' (the database says it is a UNIQUE constraint: type_='unique')"
    )
    assert len(sa.inspect(connection).get_unique_constraints("account")) == 1


def test_indexes_with_mysql_options(ops, connection):
    make_account()
    op.create_index("ix_name", "account", ["name", "code"], mysql_length={"name": 4})
    op.create_index("ft_code", "account", ["code"], mysql_prefix="FULLTEXT")
    op.create_index("ix_hash", "account", ["id", "code"], mysql_using="HASH")
    op.create_index(None, "account", ["code"], unique=True, if_not_exists=True)
    op.create_index("ix_account_code", "account", ["code"], unique=True, if_not_exists=True)
    found = {ix["name"]: ix for ix in sa.inspect(connection).get_indexes("account")}
    assert found["ix_name"]["dialect_options"]["mysql_length"] == {"name": 4}
    assert found["ft_code"]["dialect_options"]["mysql_prefix"] == "FULLTEXT"
    assert found["ix_account_code"]["unique"]
    assert found["ix_hash"]["column_names"] == ["id", "code"]  # InnoDB makes it a BTREE
    op.drop_index("ix_name", "account")
    op.drop_index("ix_hash", "account")
    op.drop_index("ix_name", "account", if_exists=True)
    names = {ix["name"] for ix in sa.inspect(connection).get_indexes("account")}
    assert names == {"ft_code", "ix_account_code"}


# -- a mariadb:// URL -----------------------------------------------------------------


def test_a_mariadb_url_gets_the_same_implementation_and_mysql_options(namespace):
    from mighub.operations import Operations, use
    from tests._backends import NAMING_CONVENTION

    from .conftest import mysql_host

    url = namespace.engine.url.set(drivername="mariadb+pymysql")
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            assert connection.dialect.name == "mariadb"
            host = mysql_host()
            impl = host.dialects.get("mariadb")(connection.dialect, connection)
            metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
            with use(Operations(impl, registry=host.operations, target_metadata=metadata)):
                make_account()
                op.create_index("ix_name", "account", ["name"], mysql_length=3)
                op.alter_column("account", "code", type_=sa.String(30))
            [ix] = sa.inspect(connection).get_indexes("account")
            assert ix["dialect_options"]["mariadb_length"] == {"name": 3}
            assert cols(connection)["code"]["type"].length == 30
    finally:
        engine.dispose()
