"""The ALTER constructs compiled for each dialect, without a server: the exact SQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.exc import CompileError

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
    inline_literal,
)

PG = postgresql.dialect()
SQLITE = sqlite.dialect()
MYSQL = mysql.dialect()


def sql(element, dialect=PG) -> str:
    return str(element.compile(dialect=dialect))


@pytest.mark.parametrize(
    ("element", "expected"),
    [
        (RenameTable("account", "customer"), "ALTER TABLE account RENAME TO customer"),
        (
            RenameTable("account", "customer", schema="sales"),
            "ALTER TABLE sales.account RENAME TO customer",
        ),
        (
            AddColumn("t", sa.Column("n", sa.Integer, nullable=False, server_default="0")),
            "ALTER TABLE t ADD COLUMN n INTEGER DEFAULT '0' NOT NULL",
        ),
        (
            AddColumn("t", sa.Column("n", sa.Integer), schema="s", if_not_exists=True),
            "ALTER TABLE s.t ADD COLUMN IF NOT EXISTS n INTEGER",
        ),
        (
            AddColumn(
                "t",
                sa.Column("r", sa.Integer, sa.ForeignKey("o.r.id", ondelete="CASCADE")),
                inline_references=True,
            ),
            "ALTER TABLE t ADD COLUMN r INTEGER REFERENCES o.r (id) ON DELETE CASCADE",
        ),
        (
            AddColumn("t", sa.Column("id", sa.Integer), inline_primary_key=True),
            "ALTER TABLE t ADD COLUMN id INTEGER PRIMARY KEY",
        ),
        (
            AddColumn(
                "t", sa.Column("c", sa.String(3), sa.Computed("upper(name)", persisted=True))
            ),
            "ALTER TABLE t ADD COLUMN c VARCHAR(3) GENERATED ALWAYS AS (upper(name)) STORED",
        ),
        (DropColumn("t", "n"), "ALTER TABLE t DROP COLUMN n"),
        (
            DropColumn("t", "n", schema="s", if_exists=True),
            "ALTER TABLE s.t DROP COLUMN IF EXISTS n",
        ),
        (ColumnNullable("t", "c", False), "ALTER TABLE t ALTER COLUMN c SET NOT NULL"),
        (ColumnNullable("t", "c", True), "ALTER TABLE t ALTER COLUMN c DROP NOT NULL"),
        (ColumnType("t", "c", sa.String(20)), "ALTER TABLE t ALTER COLUMN c TYPE VARCHAR(20)"),
        (ColumnType("t", "c", sa.BigInteger), "ALTER TABLE t ALTER COLUMN c TYPE BIGINT"),
        (
            ColumnType("t", "c", sa.Integer, using="c::integer"),
            "ALTER TABLE t ALTER COLUMN c TYPE INTEGER USING c::integer",
        ),
        (
            ColumnType("t", "c", sa.Integer, using=sa.cast(sa.column("c"), sa.Integer)),
            "ALTER TABLE t ALTER COLUMN c TYPE INTEGER USING CAST(c AS INTEGER)",
        ),
        (ColumnDefault("t", "c", "x"), "ALTER TABLE t ALTER COLUMN c SET DEFAULT 'x'"),
        (ColumnDefault("t", "c", "it's"), "ALTER TABLE t ALTER COLUMN c SET DEFAULT 'it''s'"),
        (
            ColumnDefault("t", "c", sa.text("now()")),
            "ALTER TABLE t ALTER COLUMN c SET DEFAULT now()",
        ),
        (
            ColumnDefault("t", "c", sa.func.coalesce(None, 1)),
            "ALTER TABLE t ALTER COLUMN c SET DEFAULT coalesce(NULL, 1)",
        ),
        (ColumnDefault("t", "c", None), "ALTER TABLE t ALTER COLUMN c DROP DEFAULT"),
        (ColumnName("t", "a", "b", schema="s"), "ALTER TABLE s.t RENAME COLUMN a TO b"),
        (ColumnComment("t", "c", "it's"), "COMMENT ON COLUMN t.c IS 'it''s'"),
        (ColumnComment("t", "c", None, schema="s"), "COMMENT ON COLUMN s.t.c IS NULL"),
        (TableComment("t", "hello"), "COMMENT ON TABLE t IS 'hello'"),
        (TableComment("t", None, schema="s"), "COMMENT ON TABLE s.t IS NULL"),
    ],
)
def test_generic_forms_on_postgresql(element, expected):
    assert sql(element) == expected


def test_identifiers_are_quoted_by_the_dialects_rules():
    assert sql(RenameTable("Order", "select", schema="My Schema")) == (
        'ALTER TABLE "My Schema"."Order" RENAME TO "select"'
    )
    assert sql(ColumnName("user", "from", "To")) == (
        'ALTER TABLE "user" RENAME COLUMN "from" TO "To"'
    )
    assert sql(ColumnComment("Order", "group", "x")) == (
        'COMMENT ON COLUMN "Order"."group" IS \'x\''
    )
    assert sql(ColumnName("order", "key", "Key"), MYSQL) == (
        "ALTER TABLE `order` RENAME COLUMN `key` TO `Key`"
    )


@pytest.mark.parametrize(
    ("element", "expected"),
    [
        (RenameTable("a", "b", schema="aux"), "ALTER TABLE aux.a RENAME TO b"),
        (
            AddColumn("t", sa.Column("n", sa.Integer, server_default=sa.text("1 + 1"))),
            "ALTER TABLE t ADD COLUMN n INTEGER DEFAULT (1 + 1)",
        ),
        (
            AddColumn("t", sa.Column("n", sa.Integer, sa.CheckConstraint("n > 0"))),
            "ALTER TABLE t ADD COLUMN n INTEGER CHECK (n > 0)",
        ),
        (DropColumn("t", "n"), "ALTER TABLE t DROP COLUMN n"),
        (ColumnName("t", "a", "b"), "ALTER TABLE t RENAME COLUMN a TO b"),
    ],
)
def test_sqlite_forms(element, expected):
    assert sql(element, SQLITE) == expected


@pytest.mark.parametrize(
    ("element", "message"),
    [
        (
            AddColumn("t", sa.Column("n", sa.Integer), if_not_exists=True),
            "SQLite cannot ADD COLUMN IF NOT EXISTS; check the table with inspect() first",
        ),
        (
            AddColumn("t", sa.Column("n", sa.Integer), inline_primary_key=True),
            "SQLite cannot add a PRIMARY KEY column; recreate the table instead",
        ),
        (
            DropColumn("t", "n", if_exists=True),
            "SQLite cannot DROP COLUMN IF EXISTS; check the table with inspect() first",
        ),
        (ColumnNullable("t", "c", False), "SQLite cannot change a column's nullability"),
        (ColumnType("t", "c", sa.Integer), "SQLite cannot change a column's type"),
        (ColumnDefault("t", "c", None), "SQLite cannot change a column's default"),
        (ColumnComment("t", "c", "x"), "SQLite cannot store comments"),
        (TableComment("t", "x"), "SQLite cannot store comments"),
    ],
)
def test_sqlite_refuses_what_it_cannot_do_in_place(element, message):
    with pytest.raises(CompileError) as info:
        sql(element, SQLITE)
    assert str(info.value).startswith(message)


def test_sqlite_batch_hint_names_the_plugin():
    with pytest.raises(CompileError) as info:
        sql(ColumnType("t", "c", sa.Integer), SQLITE)
    assert str(info.value) == (
        "SQLite cannot change a column's type with ALTER TABLE; recreate the table instead: "
        "op.batch_alter_table() does that (pip install mighub-sqlite-batch)"
    )


def test_add_column_attaches_a_free_column_to_a_placeholder_table():
    column = sa.Column("n", sa.Integer)
    AddColumn("t", column, schema="s")
    assert (column.table.name, column.table.schema) == ("t", "s")
    table = sa.Table("real", sa.MetaData(), sa.Column("m", sa.Integer))
    AddColumn("t", table.c.m)
    assert table.c.m.table is table  # a column of a table stays where it is


def test_inline_references_need_a_single_single_column_foreign_key():
    two = sa.Column("r", sa.Integer, sa.ForeignKey("a.id"), sa.ForeignKey("b.id"))
    with pytest.raises(CompileError, match="has 2 foreign keys; only one can be written"):
        sql(AddColumn("t", two, inline_references=True))
    assert sql(AddColumn("t2", sa.Column("r", sa.Integer, sa.ForeignKey("a.id")))) == (
        "ALTER TABLE t2 ADD COLUMN r INTEGER"  # not inline unless asked
    )


def test_server_default_of_computed_or_fetched_values_is_refused():
    with pytest.raises(CompileError, match="drop and re-add the column instead"):
        sql(ColumnDefault("t", "c", sa.Computed("a + 1")))
    with pytest.raises(CompileError, match="there is no default expression to write"):
        sql(ColumnDefault("t", "c", sa.FetchedValue()))


def test_existing_values_are_kept_for_dialects_that_restate_the_column():
    element = ColumnType(
        "t",
        "c",
        sa.Integer,
        existing_nullable=False,
        existing_server_default="0",
        existing_comment="n",
        existing_type=sa.String,
    )
    assert isinstance(element.type_, sa.Integer)
    assert isinstance(element.existing_type, sa.String)
    assert (element.existing_nullable, element.existing_server_default) == (False, "0")
    assert element.existing_comment == "n"


def test_inline_literal_is_always_written_inline():
    table = sa.table("t", sa.column("x", sa.Integer), sa.column("y", sa.String))
    statement = table.update().values(y=inline_literal("a'b")).where(table.c.x == inline_literal(3))
    assert sql(statement) == "UPDATE t SET y='a''b' WHERE t.x = 3"
    assert sql(sa.select(inline_literal(2, sa.Integer)), SQLITE) == "SELECT 2 AS anon_1"


def test_inline_literal_is_never_cached_with_a_stale_value(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'c.db'}")
    with engine.connect() as conn:
        assert conn.execute(sa.select(inline_literal(1))).scalar() == 1
        assert conn.execute(sa.select(inline_literal(2))).scalar() == 2
