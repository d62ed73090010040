"""The dialect implementation on the real server: columns, identity, comments, schemas, indexes.

Every result is read back from the catalog (reflection or pg_catalog).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from mighub import op
from mighub.errors import MighubError

from .conftest import offline, statements


def scalar(connection: sa.Connection, sql: str, **params: object) -> object:
    return connection.execute(sa.text(sql), params).scalar()


def columns(connection: sa.Connection, table: str, schema: str | None = None) -> dict[str, dict]:
    return {c["name"]: c for c in sa.inspect(connection).get_columns(table, schema=schema)}


def make_account() -> sa.Table:
    return op.create_table(
        "account",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(50)),
        sa.Column("code", sa.String(20)),
    )


# -- alter_column ----------------------------------------------------------------


def test_alter_column_type_using_converts_the_values(ops, connection):
    table = make_account()
    op.bulk_insert(table, [{"id": 1, "code": "42"}, {"id": 2, "code": " 7"}])
    op.alter_column("account", "code", type_=sa.Integer, postgresql_using="trim(code)::integer")
    assert isinstance(columns(connection, "account")["code"]["type"], sa.Integer)
    rows = connection.execute(sa.text("SELECT code FROM account ORDER BY id")).scalars().all()
    assert rows == [42, 7]


def test_using_without_type_is_an_error_naming_the_column(ops, connection):
    make_account()
    with pytest.raises(MighubError) as error:
        op.alter_column("account", "code", nullable=False, postgresql_using="code::int")
    message = str(error.value)
    assert message.startswith("op.alter_column('account', 'code'): postgresql_using is given")
    assert "pass type_= as well" in message
    assert columns(connection, "account")["code"]["nullable"] is True  # nothing ran


def identity_of(connection: sa.Connection, table: str, column: str) -> dict | None:
    return columns(connection, table)[column].get("identity")


def test_identity_added_changed_and_dropped(ops, connection):
    op.create_table("ticket", sa.Column("id", sa.Integer, nullable=False))
    op.alter_column("ticket", "id", server_default=sa.Identity(start=10, increment=5))
    identity = identity_of(connection, "ticket", "id")
    assert identity is not None
    assert (identity["always"], identity["start"], identity["increment"]) == (False, 10, 5)
    connection.execute(sa.text("INSERT INTO ticket DEFAULT VALUES"))
    connection.execute(sa.text("INSERT INTO ticket DEFAULT VALUES"))
    assert connection.execute(sa.text("SELECT id FROM ticket ORDER BY id")).scalars().all() == [
        10,
        15,
    ]

    op.alter_column(
        "ticket",
        "id",
        server_default=sa.Identity(always=True, start=10, increment=2, cycle=True, maxvalue=99),
        existing_server_default=sa.Identity(start=10, increment=5),
    )
    identity = identity_of(connection, "ticket", "id")
    assert (identity["always"], identity["increment"], identity["cycle"], identity["maxvalue"]) == (
        True,
        2,
        True,
        99,
    )

    op.alter_column(
        "ticket",
        "id",
        server_default=None,
        existing_server_default=sa.Identity(always=True, start=10, increment=2),
    )
    assert identity_of(connection, "ticket", "id") is None
    assert scalar(connection, "SELECT count(*) FROM ticket") == 2  # the values stay


def test_identity_replaces_a_plain_default(ops, connection):
    op.create_table(
        "ticket", sa.Column("id", sa.Integer, nullable=False, server_default=sa.text("0"))
    )
    op.alter_column(
        "ticket",
        "id",
        server_default=sa.Identity(always=True),
        existing_server_default=sa.text("0"),
    )
    column = columns(connection, "ticket")["id"]
    assert column["identity"]["always"] is True
    assert column["default"] is None


def test_computed_column_added_then_made_plain(ops, connection):
    table = make_account()
    op.bulk_insert(table, [{"id": 1, "name": "Ada"}])
    op.add_column(
        "account", sa.Column("shout", sa.Text, sa.Computed("upper(name)", persisted=True))
    )
    column = columns(connection, "account")["shout"]
    assert column["computed"]["sqltext"] == "upper((name)::text)"
    assert scalar(connection, "SELECT shout FROM account") == "ADA"
    op.alter_column(
        "account", "shout", server_default=None, existing_server_default=sa.Computed("upper(name)")
    )
    assert "computed" not in columns(connection, "account")["shout"]
    assert scalar(connection, "SELECT shout FROM account") == "ADA"


def test_computed_target_is_refused_before_any_sql(ops, connection):
    make_account()
    with pytest.raises(MighubError, match="drop the column and add it again with Computed"):
        op.alter_column("account", "code", server_default=sa.Computed("name"))


# -- comments, schemas, rename --------------------------------------------------------


def test_comments_use_comment_on(ops, connection):
    op.create_table(
        "account",
        sa.Column("id", sa.Integer, primary_key=True, comment="the key"),
        comment="customers",
    )
    op.alter_column("account", "id", comment="renumbered", existing_comment="the key")
    op.create_table_comment("account", "all customers", existing_comment="customers")
    inspector = sa.inspect(connection)
    assert inspector.get_table_comment("account")["text"] == "all customers"
    assert columns(connection, "account")["id"]["comment"] == "renumbered"
    op.drop_table_comment("account", existing_comment="all customers")
    op.alter_column("account", "id", comment=None, existing_comment="renumbered")
    assert sa.inspect(connection).get_table_comment("account")["text"] is None
    assert columns(connection, "account")["id"]["comment"] is None


def test_schemas_everywhere_and_rename_stays_in_its_schema(ops, connection, namespace):
    other = namespace.other_schema(connection)
    op.create_table(
        "account",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("status", postgresql.ENUM("on", "off", name="status", schema=other)),
        schema=other,
    )
    op.add_column("account", sa.Column("name", sa.String(20)), schema=other)
    op.create_index("ix_account_name", "account", ["name"], schema=other)
    op.rename_table("account", "customer", schema=other)
    inspector = sa.inspect(connection)
    assert inspector.get_table_names(schema=other) == ["customer"]
    assert inspector.get_table_names() == []
    assert [e["name"] for e in inspector.get_enums(schema=other)] == ["status"]
    assert [i["name"] for i in inspector.get_indexes("customer", schema=other)] == [
        "ix_account_name"
    ]
    op.drop_table("customer", schema=other)
    assert sa.inspect(connection).get_enums(schema=other) == []


# -- indexes ------------------------------------------------------------------------


def index_definition(connection: sa.Connection, name: str) -> str:
    return str(scalar(connection, "SELECT pg_get_indexdef(to_regclass(:n))", n=name))


def test_index_options(ops, connection, namespace):
    op.create_table(
        "account",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50)),
        sa.Column("email", sa.String(50)),
        sa.Column("active", sa.Boolean),
    )
    op.create_index(
        "ix_active_email",
        "account",
        ["email"],
        unique=True,
        postgresql_where=sa.text("active"),
        postgresql_include=["name"],
        postgresql_nulls_not_distinct=True,
    )
    op.create_index(
        "ix_name_pattern", "account", ["name"], postgresql_ops={"name": "text_pattern_ops"}
    )
    op.create_index("ix_name_hash", "account", ["name"], postgresql_using="hash")
    op.create_index("ix_lower_name", "account", [sa.text("lower(name)")])
    s = namespace.name
    assert index_definition(connection, "ix_active_email") == (
        f"CREATE UNIQUE INDEX ix_active_email ON {s}.account USING btree (email) "
        f"INCLUDE (name) NULLS NOT DISTINCT WHERE active"
    )
    assert index_definition(connection, "ix_name_pattern") == (
        f"CREATE INDEX ix_name_pattern ON {s}.account USING btree (name text_pattern_ops)"
    )
    assert index_definition(connection, "ix_name_hash") == (
        f"CREATE INDEX ix_name_hash ON {s}.account USING hash (name)"
    )
    assert index_definition(connection, "ix_lower_name") == (
        f"CREATE INDEX ix_lower_name ON {s}.account USING btree (lower((name)::text))"
    )
    reflected = {i["name"]: i for i in sa.inspect(connection).get_indexes("account")}
    assert reflected["ix_lower_name"]["expressions"] == ["lower(name::text)"]
    op.drop_index("ix_lower_name", "account")
    assert "ix_lower_name" not in {i["name"] for i in sa.inspect(connection).get_indexes("account")}


def test_concurrently_outside_an_autocommit_block_is_refused_before_any_sql(ops, connection):
    make_account()
    connection.commit()
    with pytest.raises(MighubError) as error:
        op.create_index("ix_name", "account", ["name"], postgresql_concurrently=True)
    assert str(error.value) == (
        "op.create_index('ix_name', 'account', postgresql_concurrently=True) must run inside "
        "'with op.get_context().autocommit_block():', because PostgreSQL cannot build an "
        "index CONCURRENTLY inside a transaction; nothing was run"
    )
    assert not connection.in_transaction()  # not a single statement was sent


def test_concurrently_on_an_autocommit_connection(ops, connection):
    make_account()
    connection.commit()
    connection.execution_options(isolation_level="AUTOCOMMIT")
    op.create_index("ix_name", "account", ["name"], postgresql_concurrently=True)
    assert scalar(
        connection, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_name'::regclass"
    )
    op.drop_index("ix_name", "account", postgresql_concurrently=True)
    assert scalar(connection, "SELECT to_regclass('ix_name')") is None


# -- offline --------------------------------------------------------------------------


def test_offline_alter_column_forms():
    def fn():
        op.alter_column("t", "c", type_=sa.Integer, postgresql_using="c::integer", schema="s")
        op.alter_column(
            "t", "id", server_default=sa.Identity(start=3), existing_server_default=None
        )
        op.alter_column(
            "t",
            "id",
            server_default=sa.Identity(always=True, start=3, minvalue=None, cycle=False),
            existing_server_default=sa.Identity(start=3, minvalue=2, cycle=True),
        )
        op.alter_column("t", "id", server_default=None, existing_server_default=sa.Identity())
        op.alter_column("t", "g", server_default=None, existing_server_default=sa.Computed("c"))
        op.add_column("t", sa.Column("g2", sa.Integer, sa.Computed("c * 2")))

    assert offline(fn) == statements(
        "ALTER TABLE s.t ALTER COLUMN c TYPE INTEGER USING c::integer",
        "ALTER TABLE t ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (START WITH 3)",
        "ALTER TABLE t ALTER COLUMN id SET GENERATED ALWAYS SET NO MINVALUE SET NO CYCLE",
        "ALTER TABLE t ALTER COLUMN id DROP IDENTITY",
        "ALTER TABLE t ALTER COLUMN g DROP EXPRESSION",
        "ALTER TABLE t ADD COLUMN g2 INTEGER GENERATED ALWAYS AS (c * 2) STORED",
    )


def test_offline_concurrently_needs_the_autocommit_block(host):
    with pytest.raises(MighubError, match=r"must run inside 'with op\.get_context"):
        offline(lambda: op.create_index("ix", "t", ["c"], postgresql_concurrently=True), host=host)


def test_offline_index_with_include_and_expression():
    def fn():
        op.create_index(
            "ix_t",
            "t",
            ["a", sa.text("lower(b)")],
            postgresql_include=["c"],
            postgresql_where=sa.text("a > 0"),
            schema="s",
        )

    assert offline(fn) == statements(
        "CREATE INDEX ix_t ON s.t (a, lower(b)) INCLUDE (c) WHERE a > 0"
    )
