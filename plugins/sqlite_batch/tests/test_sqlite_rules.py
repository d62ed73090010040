"""SQLite batch rules: when it recreates, what it keeps, and what it refuses (with which error)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from mighub.errors import MighubError
from mighub.host import PluginHost
from mighub.operations import Operations


@pytest.fixture
def host() -> PluginHost:
    return PluginHost.for_cli(project_plugins=())


@pytest.fixture
def engine(tmp_path: Path) -> sa.Engine:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'rules.db'}")
    yield engine
    engine.dispose()


def _ops(connection: sa.Connection, host: PluginHost) -> Operations:
    impl = host.dialects.get("sqlite")(connection.dialect, connection)
    return Operations(impl, registry=host.operations, host=host)


def _offline(host: PluginHost) -> tuple[Operations, io.StringIO]:
    from sqlalchemy.dialects import sqlite

    buffer = io.StringIO()
    impl = host.dialects.get("sqlite")(sqlite.dialect(), as_sql=True, output=buffer)
    return Operations(impl, registry=host.operations, host=host), buffer


def _sql(conn: sa.Connection, name: str) -> str:
    return conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).scalar()


def _setup(engine: sa.Engine, *statements: str) -> None:
    with engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)


def test_auto_adds_a_plain_column_in_place(host) -> None:
    ops, buffer = _offline(host)
    with ops.batch_alter_table("t") as batch_op:
        batch_op.add_column(sa.Column("x", sa.Integer))
        batch_op.create_index("ix_t_x", ["x"])
    assert (
        buffer.getvalue()
        == "ALTER TABLE t ADD COLUMN x INTEGER;\n\nCREATE INDEX ix_t_x ON t (x);\n\n"
    )


def test_never_refuses_what_sqlite_cannot_alter(host) -> None:
    ops, buffer = _offline(host)
    with pytest.raises(MighubError) as info, ops.batch_alter_table("t", recreate="never") as b:
        b.drop_column("x")
    assert str(info.value) == (
        "op.batch_alter_table('t', recreate='never'): SQLite cannot drop column in place; "
        "use recreate='auto' to recreate the table"
    )
    assert buffer.getvalue() == ""


def test_offline_recreate_needs_copy_from_before_any_output(host) -> None:
    ops, buffer = _offline(host)
    with pytest.raises(MighubError) as info, ops.batch_alter_table("t") as batch_op:
        batch_op.drop_column("x")
    assert "offline (--sql) there is no database to read its definition from" in str(info.value)
    assert "copy_from=sa.Table('t', sa.MetaData(), ...)" in str(info.value)
    assert buffer.getvalue() == ""


def test_offline_recreate_from_copy_from(host) -> None:
    ops, buffer = _offline(host)
    source = sa.Table(
        "t",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("x", sa.String(10)),
        sa.Column("y", sa.Integer, sa.CheckConstraint("y > 0")),
        sa.Index("ix_t_y", "y"),
    )
    with ops.batch_alter_table("t", copy_from=source) as batch_op:
        batch_op.drop_column("x")
        batch_op.alter_column("y", new_column_name="z")
    sql = buffer.getvalue()
    assert "ALTER TABLE t RENAME COLUMN y TO z;" in sql
    assert "CREATE TABLE _mighub_tmp_t (" in sql
    assert "CHECK (z > 0)" in sql
    assert "INSERT INTO _mighub_tmp_t (id, z) SELECT id, z FROM t;" in sql
    assert sql.index("DROP TABLE t;") < sql.index("ALTER TABLE _mighub_tmp_t RENAME TO t;")
    assert "CREATE INDEX ix_t_y ON t (z);" in sql


def test_column_checks_collations_and_unnamed_checks_survive(engine, host) -> None:
    _setup(
        engine,
        "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, "
        "a INT CHECK (a > 0), b TEXT COLLATE NOCASE NOT NULL, c REAL, CHECK (a < 10))",
        "INSERT INTO t (a, b, c) VALUES (1, 'x', 1.0), (2, 'Y', 2.0)",
        "DELETE FROM t WHERE id = 2",
    )
    with engine.connect() as conn:
        with _ops(conn, host).batch_alter_table("t") as batch_op:
            batch_op.alter_column("c", type_=sa.Integer)
        conn.commit()
        sql = _sql(conn, "t")
        assert "a INT CHECK (a > 0)" in sql and "CHECK (a < 10)" in sql
        assert "b TEXT COLLATE NOCASE NOT NULL" in sql
        assert "id INTEGER PRIMARY KEY AUTOINCREMENT" in sql
        assert "c INTEGER" in sql
        # the AUTOINCREMENT counter carries on past the deleted row
        conn.exec_driver_sql("INSERT INTO t (a, b) VALUES (3, 'z')")
        assert conn.exec_driver_sql("SELECT max(id) FROM t").scalar() == 3
        for bad in ("(0, 'q')", "(11, 'q')"):
            with pytest.raises(sa.exc.IntegrityError):
                conn.exec_driver_sql(f"INSERT INTO t (a, b) VALUES {bad}")
        assert conn.exec_driver_sql("SELECT count(*) FROM t WHERE b = 'X'").scalar() == 1


def test_rowids_are_kept_for_tables_without_an_integer_primary_key(engine, host) -> None:
    _setup(
        engine,
        "CREATE TABLE t (name TEXT, n INT)",
        "INSERT INTO t VALUES ('a', 1), ('b', 2), ('c', 3)",
        "DELETE FROM t WHERE n = 2",
    )
    with engine.connect() as conn:
        with _ops(conn, host).batch_alter_table("t") as batch_op:
            batch_op.alter_column("n", nullable=False)
        conn.commit()
        assert conn.exec_driver_sql("SELECT rowid, name FROM t").all() == [(1, "a"), (3, "c")]
        assert "n INT NOT NULL" in _sql(conn, "t")


def test_dropping_a_column_another_check_uses_is_refused(engine, host) -> None:
    _setup(engine, "CREATE TABLE t (a INT, b INT, CHECK (a < b))")
    with engine.connect() as conn:
        with pytest.raises(MighubError) as info, _ops(conn, host).batch_alter_table("t") as b:
            b.drop_column("a")
        assert str(info.value) == (
            "dropping column 'a' of table 't' would break the unnamed check constraint "
            "CHECK (a < b), which also uses b; drop that constraint in the batch first"
        )
        assert _sql(conn, "t") == "CREATE TABLE t (a INT, b INT, CHECK (a < b))"


def test_a_view_broken_by_the_batch_fails_it_and_nothing_changes(engine, host) -> None:
    _setup(
        engine,
        "CREATE TABLE t (a INT, b INT)",
        "CREATE VIEW v AS SELECT a, b FROM t",
        "INSERT INTO t VALUES (1, 2)",
    )
    with engine.connect() as conn:
        with pytest.raises(MighubError) as info, _ops(conn, host).batch_alter_table("t") as b:
            b.drop_column("b")
        assert "breaks view 'v': no such column: b" in str(info.value)
        conn.rollback()
        assert _sql(conn, "t") == "CREATE TABLE t (a INT, b INT)"
        assert conn.exec_driver_sql("SELECT * FROM v").all() == [(1, 2)]


def test_enforced_foreign_keys_from_other_tables_are_refused_clearly(engine, host) -> None:
    _setup(
        engine,
        "CREATE TABLE p (id INTEGER PRIMARY KEY, x INT)",
        "CREATE TABLE c (id INTEGER PRIMARY KEY, pid INT REFERENCES p(id) ON DELETE CASCADE)",
        "INSERT INTO p VALUES (1, 1)",
        "INSERT INTO c VALUES (1, 1)",
    )
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys = ON")
        with pytest.raises(MighubError) as info, _ops(conn, host).batch_alter_table("p") as b:
            b.alter_column("x", type_=sa.String(10))
        message = str(info.value)
        assert (
            "while SQLite enforces foreign keys (PRAGMA foreign_keys=ON) and 'c' refer" in message
        )
        assert "run migrations on a connection without PRAGMA foreign_keys=ON" in message
        conn.rollback()
        assert conn.exec_driver_sql("SELECT * FROM c").all() == [(1, 1)]


def test_a_self_referencing_table_is_recreated_with_enforcement_on(engine, host) -> None:
    _setup(
        engine,
        "CREATE TABLE node (id INTEGER PRIMARY KEY, parent INT REFERENCES node(id) "
        "ON DELETE CASCADE, label TEXT)",
        "INSERT INTO node VALUES (1, NULL, 'root'), (2, 1, 'a'), (3, 2, 'b')",
    )
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys = ON")
        with _ops(conn, host).batch_alter_table("node") as batch_op:
            batch_op.alter_column("label", nullable=False)
        conn.commit()
        assert conn.exec_driver_sql("SELECT count(*) FROM node").scalar() == 3
        assert "REFERENCES node(id)" in _sql(conn, "node").replace('"node"', "node")
        with pytest.raises(sa.exc.IntegrityError):
            conn.exec_driver_sql("INSERT INTO node VALUES (4, 99, 'orphan')")


def test_new_foreign_key_violations_roll_the_batch_back(engine, host) -> None:
    _setup(
        engine,
        "CREATE TABLE p (id INTEGER PRIMARY KEY)",
        "CREATE TABLE c (id INTEGER PRIMARY KEY, pid INT)",
        "INSERT INTO p VALUES (1)",
        "INSERT INTO c VALUES (1, 1), (2, 7)",
    )
    with engine.connect() as conn:
        with pytest.raises(MighubError) as info, _ops(conn, host).batch_alter_table("c") as b:
            b.create_foreign_key("fk_c_p", "p", ["pid"], ["id"])
        assert "1 row(s) of table(s) 'c' refer to rows that do not exist" in str(info.value)
        conn.rollback()
        assert _sql(conn, "c") == "CREATE TABLE c (id INTEGER PRIMARY KEY, pid INT)"


def test_rename_table_position_and_reordering(engine, host) -> None:
    _setup(engine, "CREATE TABLE t (a INT, b INT, c INT)", "INSERT INTO t VALUES (1, 2, 3)")
    with engine.connect() as conn:
        with _ops(conn, host).batch_alter_table("t", partial_reordering=[("c", "a")]) as b:
            b.add_column(sa.Column("x", sa.Integer, server_default="9"), insert_before="b")
            b.rename_table("t2")
        conn.commit()
        assert [c["name"] for c in sa.inspect(conn).get_columns("t2")] == ["c", "x", "b", "a"]
        assert conn.exec_driver_sql("SELECT c, x, b, a FROM t2").all() == [(3, 9, 2, 1)]
        assert not sa.inspect(conn).has_table("t")


def test_dropping_an_unnamed_unique_by_its_conventional_name(engine, host) -> None:
    _setup(engine, "CREATE TABLE t (a INT, b INT, UNIQUE (a))", "INSERT INTO t VALUES (1, 1)")
    convention = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
    with engine.connect() as conn:
        with _ops(conn, host).batch_alter_table("t", naming_convention=convention) as b:
            b.drop_constraint("uq_t_a", type_="unique")
        conn.commit()
        assert _sql(conn, "t") == 'CREATE TABLE "t" (\n    a INT,\n    b INT\n)'
        conn.exec_driver_sql("INSERT INTO t VALUES (1, 2)")
