"""DialectImpl: online and offline execution, output format, and the DDL methods' statements."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from mighub.ddl.impl import DialectImpl
from mighub.ddl.sqlite import SQLiteImpl
from mighub.errors import MighubError


def offline(cls=DialectImpl, dialect=None, **kw):
    buffer = io.StringIO()
    impl = cls(dialect or postgresql.dialect(), as_sql=True, output=buffer, **kw)
    return impl, buffer


def test_class_attributes():
    assert (DialectImpl.name, DialectImpl.transactional_ddl) == ("default", False)
    assert (DialectImpl.statement_terminator, DialectImpl.batch_separator) == (";", None)
    assert (SQLiteImpl.name, SQLiteImpl.transactional_ddl) == ("sqlite", True)


def test_constructor_needs_exactly_one_mode(tmp_path):
    with pytest.raises(MighubError, match="needs a connection; pass as_sql=True"):
        DialectImpl(sqlite.dialect())
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn, pytest.raises(MighubError, match="not both"):
        DialectImpl(conn.dialect, conn, as_sql=True)


def test_offline_output_format():
    impl, buffer = offline()
    impl.execute("SELECT 1")
    impl.create_table(sa.Table("t", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True)))
    impl.static_output("-- note")
    assert buffer.getvalue() == (
        "SELECT 1;\n\n"
        "CREATE TABLE t (\n    id SERIAL NOT NULL,\n    PRIMARY KEY (id)\n);\n\n"
        "-- note\n\n"
    )


def test_terminator_and_batch_separator_come_from_the_subclass():
    class TSQLImpl(DialectImpl):
        statement_terminator = ""
        batch_separator = "GO"

    impl, buffer = offline(TSQLImpl)
    impl.execute("SELECT 1")
    impl.execute("SELECT 2")
    assert buffer.getvalue() == "SELECT 1\n\nGO\n\nSELECT 2\n\nGO\n\n"


def test_offline_params_are_written_as_literals():
    impl, buffer = offline()
    impl.execute(sa.text("UPDATE t SET a = :a"), {"a": "x'y"})
    impl.execute(sa.text("UPDATE t SET a = :a"), [{"a": 1}, {"a": 2}])
    impl.execute(sa.table("t", sa.column("a", sa.Integer)).insert(), {"a": 3})
    assert buffer.getvalue() == (
        "UPDATE t SET a = 'x''y';\n\nUPDATE t SET a = 1;\n\nUPDATE t SET a = 2;\n\n"
        "INSERT INTO t (a) VALUES (3);\n\n"
    )


def test_offline_options_are_kept_for_subclasses():
    impl, _ = offline(options={"batch_separator": "GO"})
    assert impl.options == {"batch_separator": "GO"}
    assert impl.bind.dialect.name == "postgresql"


def test_online_execute_returns_the_result(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        impl = SQLiteImpl(conn.dialect, conn)
        assert impl.bind is conn
        impl.execute("CREATE TABLE t (a INTEGER)")
        impl.execute(sa.text("INSERT INTO t (a) VALUES (:a)"), [{"a": 1}, {"a": 2}])
        assert impl.execute("SELECT sum(a) FROM t").scalar() == 3
        impl.bulk_insert(sa.table("t", sa.column("a")), [{"a": 10}])
        impl.bulk_insert(sa.table("t", sa.column("a")), [])
        assert impl.execute("SELECT sum(a) FROM t").scalar() == 13


def test_create_table_comments_where_they_are_not_inline():
    impl, buffer = offline()
    impl.create_table(
        sa.Table(
            "t",
            sa.MetaData(),
            sa.Column("a", sa.Integer, comment="col"),
            comment="tab",
        )
    )
    assert buffer.getvalue().split(";\n\n")[1:] == [
        "COMMENT ON TABLE t IS 'tab'",
        "COMMENT ON COLUMN t.a IS 'col'",
        "",
    ]


def test_alter_column_order_puts_rename_last():
    impl, buffer = offline()
    impl.alter_column(
        "t", "c", new_column_name="d", comment="x", nullable=True, server_default="1", type_=sa.Text
    )
    assert buffer.getvalue().split(";\n\n")[:-1] == [
        "ALTER TABLE t ALTER COLUMN c TYPE TEXT",
        "ALTER TABLE t ALTER COLUMN c SET DEFAULT '1'",
        "ALTER TABLE t ALTER COLUMN c DROP NOT NULL",
        "COMMENT ON COLUMN t.c IS 'x'",
        "ALTER TABLE t RENAME COLUMN c TO d",
    ]


def test_alter_column_with_nothing_to_change_emits_nothing():
    impl, buffer = offline()
    impl.alter_column("t", "c", new_column_name="c", existing_type=sa.Integer)
    assert buffer.getvalue() == ""


def test_enum_type_is_created_offline_through_the_mock_connection():
    impl, buffer = offline()
    impl.create_table(
        sa.Table(
            "t",
            sa.MetaData(),
            sa.Column("a", sa.Enum("x", "y", name="kind")),
            sa.Column("b", sa.Enum("x", "y", name="kind")),
        )
    )
    assert buffer.getvalue().startswith("CREATE TYPE kind AS ENUM ('x', 'y');\n\nCREATE TABLE")
    assert buffer.getvalue().count("CREATE TYPE") == 1


def test_offline_output_never_changes_what_the_user_wrote():
    impl, buffer = offline()
    impl.execute("INSERT INTO t VALUES ('a, \n\tb  \n')")
    assert buffer.getvalue() == "INSERT INTO t VALUES ('a, \n\tb  \n');\n\n"
