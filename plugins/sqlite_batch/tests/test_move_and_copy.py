"""The move and copy on real databases: every row, constraint, index, trigger and view survives.

One table carries everything a recreate can lose: 100,000 rows, two indexes,
a unique constraint, a named and an unnamed CHECK, a foreign key to another
table and one from another table, a trigger and a view. A batch changes a
column's type, drops a column, adds one and renames another; afterwards the
rows hash the same and each rule is still enforced. SQLite recreates on
``"auto"``; PostgreSQL and MariaDB with ``recreate="always"``.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

ROWS = 100_000

CREATE = """\
op.create_table("owner", sa.Column("id", sa.Integer, primary_key=True, autoincrement=False))
op.create_table("audit", sa.Column("item_id", sa.Integer))
op.create_table(
    "item",
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("code", sa.String(20), nullable=False),
    sa.Column("qty", sa.Integer, nullable=False),
    sa.Column("price", sa.Numeric(10, 2)),
    sa.Column("note", sa.String(50)),
    sa.Column("owner_id", sa.Integer, sa.ForeignKey("owner.id", name="fk_item_owner")),
    sa.UniqueConstraint("code", name="uq_item_code"),
    sa.CheckConstraint("qty >= 0", name="ck_item_qty"),
    sa.CheckConstraint("price < 100000"),
)
op.create_index("ix_item_owner", "item", ["owner_id"])
op.create_index("ix_item_qty_price", "item", ["qty", "price"])
op.create_table(
    "line",
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("item_id", sa.Integer, sa.ForeignKey("item.id", name="fk_line_item")),
)
op.execute("CREATE VIEW item_view AS SELECT id, code, qty FROM item")
dialect = op.get_bind().dialect.name
if dialect == "sqlite":
    op.execute(
        "CREATE TRIGGER item_audit AFTER INSERT ON item "
        "BEGIN INSERT INTO audit (item_id) VALUES (new.id); END"
    )
elif dialect == "postgresql":
    op.execute(
        "CREATE FUNCTION item_audit() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN INSERT INTO audit (item_id) VALUES (NEW.id); RETURN NEW; END $$"
    )
    op.execute(
        "CREATE TRIGGER item_audit AFTER INSERT ON item "
        "FOR EACH ROW EXECUTE FUNCTION item_audit()"
    )
else:
    op.execute(
        "CREATE TRIGGER item_audit AFTER INSERT ON item "
        "FOR EACH ROW INSERT INTO audit (item_id) VALUES (NEW.id)"
    )
"""

BATCH = """\
with op.batch_alter_table("item", recreate={recreate!r}) as batch_op:
    batch_op.alter_column("code", type_=sa.String(40), existing_type=sa.String(20))
    batch_op.drop_column("note")
    batch_op.add_column(sa.Column("extra", sa.String(10), server_default="x"))
    batch_op.alter_column("qty", new_column_name="quantity")
"""

FILL = f"""
INSERT INTO item (id, code, qty, price, note, owner_id)
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ROWS})
SELECT i, CONCAT('code-', i), i % 1000, (i % 5000) + 0.25, 'note', 1 + i % 3 FROM n
"""


def _rows_hash(connection: sa.Connection, qty: str) -> str:
    rows = connection.execute(
        sa.text(f"SELECT id, code, {qty}, price, owner_id FROM item ORDER BY id")
    ).all()
    digest = hashlib.sha256()
    for row in rows:
        digest.update(repr(tuple(str(v) for v in row)).encode())
    assert len(rows) == ROWS
    return digest.hexdigest()


def _fill(project) -> None:
    engine = project.engine()
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO owner (id) VALUES (1), (2), (3)")
        if conn.dialect.name == "sqlite":
            sql = FILL.replace("CONCAT('code-', i)", "'code-' || i")
        else:
            sql = FILL.replace("%", "%%")  # the drivers' paramstyle
        if conn.dialect.name in ("mysql", "mariadb"):
            conn.exec_driver_sql(f"SET SESSION max_recursive_iterations = {ROWS + 1}")
        conn.exec_driver_sql(sql)
        conn.exec_driver_sql("INSERT INTO line (id, item_id) VALUES (1, 7), (2, 99)")
        conn.exec_driver_sql("DELETE FROM audit")
    engine.dispose()


def _connect(project):
    engine = project.engine()
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def enforce(dbapi_connection, record):
            dbapi_connection.execute("PRAGMA foreign_keys = ON")

    return engine


def _columns(conn: sa.Connection) -> list[tuple[str, str, bool]]:
    return [
        (c["name"], str(c["type"]), c["nullable"]) for c in sa.inspect(conn).get_columns("item")
    ]


def _rejects(engine, sql: str) -> bool:
    with engine.connect() as conn:
        try:
            conn.exec_driver_sql(sql)
        except sa.exc.DBAPIError:
            return True
        finally:
            conn.rollback()
    return False


def test_batch_keeps_every_row_constraint_index_trigger_and_view(project, backend) -> None:
    recreate = "auto" if backend == "sqlite" else "always"
    project.revision("aaaa00000001", None, CREATE)
    project.revision("aaaa00000002", "aaaa00000001", BATCH.format(recreate=recreate))
    project.ok("upgrade", "aaaa00000001")
    _fill(project)
    engine = project.engine()
    with engine.connect() as conn:
        before = _rows_hash(conn, "qty")
        view_before = conn.exec_driver_sql("SELECT * FROM item_view ORDER BY id").all()
    engine.dispose()

    project.ok("upgrade", "head")

    engine = _connect(project)
    with engine.connect() as conn:
        assert _rows_hash(conn, "quantity") == before
        columns = {c["name"]: c for c in sa.inspect(conn).get_columns("item")}
        assert list(columns) == ["id", "code", "quantity", "price", "owner_id", "extra"]
        assert columns["code"]["type"].length == 40
        assert not columns["quantity"]["nullable"] and not columns["code"]["nullable"]
        assert conn.exec_driver_sql("SELECT count(*) FROM item WHERE extra = 'x'").scalar() == ROWS
        assert conn.exec_driver_sql("SELECT * FROM item_view ORDER BY id").all() == view_before
        indexes = {i["name"]: i["column_names"] for i in sa.inspect(conn).get_indexes("item")}
        assert indexes["ix_item_owner"] == ["owner_id"]
        assert indexes["ix_item_qty_price"] == ["quantity", "price"]
        assert conn.exec_driver_sql("SELECT count(*) FROM line").scalar() == 2
    insert = "INSERT INTO item (id, code, quantity, price, owner_id) VALUES "
    assert _rejects(engine, insert + "(200001, 'code-5', 1, 1, 1)")  # unique
    assert _rejects(engine, insert + "(200001, 'new', -1, 1, 1)")  # named check
    assert _rejects(engine, insert + "(200001, 'new', 1, 200000, 1)")  # unnamed check
    assert _rejects(engine, insert + "(200001, 'new', 1, 1, 42)")  # foreign key out
    assert _rejects(engine, "INSERT INTO line (id, item_id) VALUES (3, 424242)")  # and in
    assert _rejects(engine, insert + "(200001, NULL, 1, 1, 1)")  # NOT NULL kept
    with engine.begin() as conn:
        conn.exec_driver_sql(insert + "(200001, 'new', 1, 1, 1)")
        assert conn.exec_driver_sql("SELECT item_id FROM audit").scalars().all() == [200001]
        assert conn.exec_driver_sql("SELECT extra FROM item WHERE id = 200001").scalar() == "x"
    engine.dispose()
    assert "_mighub_tmp_item" not in project.tables()


FAILING_BATCH = """\
with op.batch_alter_table("item", recreate={recreate!r}) as batch_op:
    batch_op.add_column(sa.Column("extra", sa.Integer))
    batch_op.alter_column("note", nullable=False, existing_type=sa.String(50))
"""


def test_a_failed_copy_leaves_the_table_untouched(project, backend) -> None:
    recreate = "auto" if backend == "sqlite" else "always"
    project.revision("aaaa00000001", None, CREATE)
    project.revision("aaaa00000002", "aaaa00000001", FAILING_BATCH.format(recreate=recreate))
    project.ok("upgrade", "aaaa00000001")
    engine = project.engine()
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO owner (id) VALUES (1)")
        conn.exec_driver_sql(
            "INSERT INTO item (id, code, qty, note, owner_id) VALUES (1, 'a', 1, NULL, 1), "
            "(2, 'b', 2, 'n', 1)"
        )
    with engine.connect() as conn:
        columns_before = _columns(conn)
        rows_before = conn.exec_driver_sql("SELECT * FROM item ORDER BY id").all()

    result = project.run("upgrade", "head")

    assert result.exit_code == 1
    assert "aaaa00000002" in result.stderr
    with engine.connect() as conn:
        assert _columns(conn) == columns_before
        assert conn.exec_driver_sql("SELECT * FROM item ORDER BY id").all() == rows_before
        names = set(sa.inspect(conn).get_table_names())
        assert not any(n.startswith("_mighub_tmp") for n in names)
        assert {i["name"] for i in sa.inspect(conn).get_indexes("item")} >= {
            "ix_item_owner",
            "ix_item_qty_price",
        }
    engine.dispose()
    assert project.version_rows() == ["aaaa00000001"]
