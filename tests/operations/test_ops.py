"""Operation objects as data: building, reversing, diff tuples, containers, batch forms."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from mighub.errors import MighubError
from mighub.operations import BatchOperations, IrreversibleOperationError, Operations
from mighub.operations import ops as o
from tests._backends import NAMING_CONVENTION, offline_operations, plugin_host


def roundtrip(op: o.Operation) -> o.Operation:
    return op.reverse().reverse()


# -- reverse -------------------------------------------------------------------


def test_create_table_reverses_to_a_drop_that_reverses_back():
    create = o.CreateTableOp("t", [sa.Column("id", sa.Integer, primary_key=True)], schema="s")
    drop = create.reverse()
    assert isinstance(drop, o.DropTableOp)
    assert (drop.table_name, drop.schema) == ("t", "s")
    assert drop.reverse() is create


def test_drop_table_without_definition_is_irreversible():
    with pytest.raises(IrreversibleOperationError) as info:
        o.DropTableOp("t").reverse()
    assert str(info.value) == (
        "op.drop_table('t') cannot be reversed: the table's definition is not known "
        "(build it with DropTableOp.from_table(table) to make it reversible)"
    )


def test_drop_table_from_table_rebuilds_the_table():
    metadata = sa.MetaData()
    table = sa.Table(
        "t",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(10), unique=True, index=True),
        sa.Column("other", sa.Integer),
        sa.CheckConstraint("other > 0", name="ck_other"),
        sa.Index("ix_other", "other"),
        schema="s",
        comment="c",
    )
    rebuilt = o.DropTableOp.from_table(table).reverse().to_table()
    assert rebuilt is not table
    assert [c.name for c in rebuilt.c] == ["id", "name", "other"]
    assert rebuilt.schema == "s"
    assert rebuilt.comment == "c"
    indexes = {i.name: i.unique for i in rebuilt.indexes}
    assert indexes == {"ix_other": False, "ix_s_t_name": True}  # from index=True, unique=True
    assert {c.name for c in rebuilt.constraints if isinstance(c, sa.CheckConstraint)} == {
        "ck_other"
    }
    # Building twice works: items that already belong to a table are copied.
    assert o.DropTableOp.from_table(table).reverse().to_table().c.keys() == rebuilt.c.keys()


def test_rename_table_reverses():
    back = o.RenameTableOp("a", "b", schema="s").reverse()
    assert (back.table_name, back.new_table_name, back.schema) == ("b", "a", "s")


def test_add_and_drop_column_reverse():
    column = sa.Column("x", sa.Integer)
    add = o.AddColumnOp("t", column, schema="s")
    drop = add.reverse()
    assert (drop.table_name, drop.column_name, drop.schema) == ("t", "x", "s")
    assert drop.reverse() is add
    with pytest.raises(IrreversibleOperationError, match="the column's definition is not known"):
        o.DropColumnOp("t", "x").reverse()
    table = sa.Table("t", sa.MetaData(), sa.Column("x", sa.Integer), schema="s")
    from_column = o.DropColumnOp.from_column(table.c.x)
    assert from_column.reverse().column is table.c.x
    assert from_column.reverse().schema == "s"


def test_alter_column_reverse_swaps_changes_and_existing_values():
    op = o.AlterColumnOp(
        "t",
        "c",
        schema="s",
        modify_type=sa.String(20),
        existing_type=sa.String(10),
        modify_nullable=False,
        existing_nullable=True,
        modify_server_default="x",
        existing_server_default=None,
        modify_comment="new",
        existing_comment="old",
        modify_name="d",
        kw={"autoincrement": True, "existing_autoincrement": False},
    )
    back = op.reverse()
    assert (back.table_name, back.column_name, back.modify_name) == ("t", "d", "c")
    assert back.modify_type.length == 10 and back.existing_type.length == 20
    assert (back.modify_nullable, back.existing_nullable) == (True, False)
    assert (back.modify_server_default, back.existing_server_default) == (None, "x")
    assert (back.modify_comment, back.existing_comment) == ("old", "new")
    assert back.kw == {"autoincrement": False, "existing_autoincrement": True}
    assert roundtrip(op).modify_type.length == 20


def test_alter_column_reverse_keeps_unchanged_attributes_unchanged():
    back = o.AlterColumnOp("t", "c", modify_name="d", existing_type=sa.Integer()).reverse()
    assert back.modify_type is None
    assert back.modify_nullable is None
    assert back.modify_server_default is o.NOT_GIVEN
    assert back.modify_comment is o.NOT_GIVEN
    assert isinstance(back.existing_type, sa.Integer)


def test_alter_column_reverse_names_what_is_missing():
    op = o.AlterColumnOp(
        "t", "c", modify_type=sa.Integer(), modify_nullable=False, modify_server_default=None
    )
    with pytest.raises(IrreversibleOperationError) as info:
        op.reverse()
    assert str(info.value) == (
        "op.alter_column('t', 'c') cannot be reversed: pass existing_type, existing_nullable, "
        "existing_server_default so the column can be put back as it was"
    )


def test_index_ops_reverse():
    create = o.CreateIndexOp("ix", "t", ["a"], unique=True)
    drop = create.reverse()
    assert (drop.index_name, drop.table_name) == ("ix", "t")
    assert drop.reverse() is create
    with pytest.raises(IrreversibleOperationError, match="the index's columns are not known"):
        o.DropIndexOp("ix").reverse()
    table = sa.Table("t", sa.MetaData(), sa.Column("a", sa.Integer), sa.Index("ix_a", "a"))
    back = o.DropIndexOp.from_index(next(iter(table.indexes))).reverse()
    assert (back.index_name, back.table_name, back.unique) == ("ix_a", "t", False)


@pytest.mark.parametrize(
    ("op", "type_"),
    [
        (o.CreatePrimaryKeyOp("pk_t", "t", ["id"]), "primary"),
        (o.CreateUniqueConstraintOp("uq_t", "t", ["a"]), "unique"),
        (o.CreateForeignKeyOp("fk_t", "t", "r", ["r_id"], ["id"]), "foreignkey"),
        (o.CreateCheckConstraintOp("ck_t", "t", "a > 0"), "check"),
    ],
)
def test_constraint_ops_reverse(op, type_):
    drop = op.reverse()
    assert (drop.constraint_name, drop.table_name, drop.type_) == (
        op.constraint_name,
        "t",
        type_,
    )
    assert drop.reverse() is op


def test_constraint_without_name_reverses_with_the_conventions_name():
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    op = o.CreateUniqueConstraintOp(None, "t", ["a"])
    constraint = op.to_constraint(metadata)
    assert constraint.name == "uq_t_a"


def test_reverse_of_a_named_check_drops_the_name_the_convention_gave_it():
    """A ``ck`` convention runs explicit names through %(constraint_name)s; the drop that
    undoes the create must use the name the database got, not the one written."""
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    create = o.CreateCheckConstraintOp("positive", "t", "x > 0")
    assert create.to_constraint(metadata).name == "ck_t_positive"
    assert create.reverse().to_constraint(metadata).name == "ck_t_positive"


def test_constraint_of_a_table_comes_back_under_its_final_name():
    """``from_constraint`` takes a name the table already settled: re-adding it must not run
    it through the convention again (``ck_t_ck_t_positive``)."""
    table = sa.Table(
        "t",
        sa.MetaData(naming_convention=NAMING_CONVENTION),
        sa.Column("x", sa.Integer),
        sa.CheckConstraint("x > 0", name="positive"),
    )
    check = next(c for c in table.constraints if isinstance(c, sa.CheckConstraint))
    drop = o.DropConstraintOp.from_constraint(check)
    converted = sa.MetaData(naming_convention=NAMING_CONVENTION)
    assert drop.to_constraint(converted).name == "ck_t_positive"
    assert drop.reverse().to_constraint(converted).name == "ck_t_positive"
    reflected = sa.Table(
        "t", sa.MetaData(), sa.Column("x", sa.Integer), sa.CheckConstraint("x > 0", name="ck_t_x")
    )
    check = next(c for c in reflected.constraints if isinstance(c, sa.CheckConstraint))
    add = o.DropConstraintOp.from_constraint(check).reverse()
    assert add.to_constraint(converted).name == "ck_t_x"


def test_drop_constraint_from_constraint_and_type_checks():
    metadata = sa.MetaData()
    sa.Table("r", metadata, sa.Column("id", sa.Integer, primary_key=True))
    table = sa.Table(
        "t",
        metadata,
        sa.Column("r_id", sa.Integer),
        sa.ForeignKeyConstraint(["r_id"], ["r.id"], name="fk_r", ondelete="CASCADE"),
    )
    fk = next(c for c in table.constraints if isinstance(c, sa.ForeignKeyConstraint))
    drop = o.DropConstraintOp.from_constraint(fk)
    assert (drop.constraint_name, drop.type_) == ("fk_r", "foreignkey")
    add = drop.reverse()
    assert isinstance(add, o.CreateForeignKeyOp)
    assert (add.referent_table, add.local_cols, add.remote_cols) == ("r", ["r_id"], ["id"])
    assert add.kw == {"ondelete": "CASCADE"}
    with pytest.raises(MighubError, match="type_='fk'; expected one of 'primary'"):
        o.DropConstraintOp("x", "t", "fk")
    with pytest.raises(IrreversibleOperationError, match="constraint's definition is not known"):
        o.DropConstraintOp("x", "t").reverse()


def test_table_comment_ops_reverse():
    back = o.CreateTableCommentOp("t", "new").reverse()
    assert isinstance(back, o.DropTableCommentOp)
    assert back.existing_comment == "new"
    back = o.CreateTableCommentOp("t", "new", existing_comment="old").reverse()
    assert (back.comment, back.existing_comment) == ("old", "new")
    assert o.DropTableCommentOp("t", existing_comment="old").reverse().comment == "old"
    with pytest.raises(IrreversibleOperationError, match="pass existing_comment="):
        o.DropTableCommentOp("t").reverse()


@pytest.mark.parametrize("op", [o.BulkInsertOp(sa.table("t"), []), o.ExecuteSQLOp("DELETE FROM t")])
def test_data_operations_are_irreversible(op):
    with pytest.raises(IrreversibleOperationError, match=r"cannot be reversed"):
        op.reverse()


# -- containers and diff tuples ---------------------------------------------------


def test_upgrade_ops_reverse_into_downgrade_ops_in_reverse_order():
    upgrade = o.UpgradeOps(
        [
            o.CreateTableOp("t", [sa.Column("id", sa.Integer)]),
            o.ModifyTableOps(
                "t",
                [
                    o.AddColumnOp("t", sa.Column("x", sa.Integer)),
                    o.CreateIndexOp("ix", "t", ["x"]),
                ],
            ),
        ]
    )
    downgrade = upgrade.reverse()
    assert isinstance(downgrade, o.DowngradeOps)
    assert downgrade.downgrade_token == "downgrades"
    modify, drop = downgrade.ops
    assert isinstance(drop, o.DropTableOp)
    assert [type(x) for x in modify.ops] == [o.DropIndexOp, o.DropColumnOp]
    assert isinstance(downgrade.reverse(), o.UpgradeOps)
    assert [d[0] for d in upgrade.as_diffs()] == ["add_table", "add_column", "add_index"]


def test_diff_tuples():
    column = sa.Column("x", sa.Integer)
    assert o.AddColumnOp("t", column, schema="s").to_diff_tuple() == (
        "add_column",
        "s",
        "t",
        column,
    )
    assert o.DropColumnOp("t", "x").to_diff_tuple()[:3] == ("remove_column", None, "t")
    assert o.DropTableOp("t").to_diff_tuple()[0] == "remove_table"
    assert o.CreateForeignKeyOp("fk", "t", "r", ["a"], ["b"]).to_diff_tuple()[0] == "add_fk"
    assert o.DropConstraintOp("fk", "t", "foreignkey").to_diff_tuple()[0] == "remove_fk"
    assert o.DropConstraintOp("uq", "t", "unique").to_diff_tuple()[0] == "remove_constraint"
    alter = o.AlterColumnOp(
        "t", "c", modify_nullable=False, existing_nullable=True, modify_server_default="1"
    )
    kinds = [(d[0], d[5], d[6]) for d in alter.to_diff_tuple()]
    assert kinds == [("modify_nullable", True, False), ("modify_default", None, "1")]


# -- building from calls ------------------------------------------------------------


@pytest.fixture
def operations() -> Operations:
    ops, _ = offline_operations("postgresql")
    return ops


def test_build_matches_the_call_signatures(operations):
    alter = o.AlterColumnOp.build(
        operations, "t", "c", nullable=False, type_=sa.Integer, postgresql_using="c::int"
    )
    assert (alter.modify_nullable, alter.kw) == (False, {"postgresql_using": "c::int"})
    assert isinstance(alter.modify_type, sa.Integer)  # a type class is instantiated
    fk = o.CreateForeignKeyOp.build(
        operations, "fk", "t", "r", ["a"], ["b"], ondelete="CASCADE", deferrable=True
    )
    assert fk.kw == {"ondelete": "CASCADE", "deferrable": True}
    index = o.CreateIndexOp.build(operations, "ix", "t", "a")
    assert index.columns == ["a"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda ops: o.AddColumnOp.build(ops, "t", "x"),
            "op.add_column('t', ...) takes a sqlalchemy Column, not str",
        ),
        (
            lambda ops: o.CreateForeignKeyOp.build(ops, "fk", "t", "r", ["a", "b"], ["id"]),
            "op.create_foreign_key('fk', ...) has 2 local and 1 remote columns; they must pair up",
        ),
        (
            lambda ops: o.DropConstraintOp.build(ops, None, "t"),
            "op.drop_constraint(None, 't') needs the constraint's name; a naming convention "
            "cannot work it out without the columns",
        ),
    ],
)
def test_build_rejects_wrong_arguments(operations, call, message):
    with pytest.raises(MighubError) as info:
        call(operations)
    assert str(info.value) == message


def test_batch_operations_fill_in_the_table():
    host = plugin_host()
    ops, buffer = offline_operations("postgresql", host=host)
    batch = BatchOperations(ops.impl, registry=host.operations, table_name="t", schema="s")
    batch.add_column(sa.Column("x", sa.Integer))
    batch.alter_column("x", new_column_name="y")
    batch.create_index("ix_y", ["y"])
    batch.create_unique_constraint("uq_y", ["y"])
    batch.create_foreign_key("fk_y", "r", ["y"], ["id"])
    batch.create_check_constraint("ck_y", "y > 0")
    batch.create_primary_key("pk_t", ["y"])
    batch.drop_constraint("uq_y", "unique")
    batch.drop_index("ix_y")
    batch.create_table_comment("c")
    batch.drop_table_comment()
    batch.execute("SELECT 1")
    batch.drop_column("y")
    assert buffer.getvalue().split(";\n\n")[:-1] == [
        "ALTER TABLE s.t ADD COLUMN x INTEGER",
        "ALTER TABLE s.t RENAME COLUMN x TO y",
        "CREATE INDEX ix_y ON s.t (y)",
        "ALTER TABLE s.t ADD CONSTRAINT uq_y UNIQUE (y)",
        "ALTER TABLE s.t ADD CONSTRAINT fk_y FOREIGN KEY(y) REFERENCES r (id)",
        "ALTER TABLE s.t ADD CONSTRAINT ck_y CHECK (y > 0)",
        "ALTER TABLE s.t ADD CONSTRAINT pk_t PRIMARY KEY (y)",
        "ALTER TABLE s.t DROP CONSTRAINT uq_y",
        "DROP INDEX s.ix_y",
        "COMMENT ON TABLE s.t IS 'c'",
        "COMMENT ON TABLE s.t IS NULL",
        "SELECT 1",
        "ALTER TABLE s.t DROP COLUMN y",
    ]


def test_batch_add_column_keeps_the_position_for_the_batch_plugin():
    host = plugin_host()
    ops, _ = offline_operations("postgresql", host=host)
    batch = BatchOperations(ops.impl, registry=host.operations, table_name="t")
    op = o.AddColumnOp.batch_build(batch, sa.Column("x", sa.Integer), insert_after="id")
    assert (op.table_name, op.kw) == ("t", {"insert_after": "id"})


def test_batch_operations_offer_only_batch_operations():
    host = plugin_host()
    ops, _ = offline_operations("postgresql", host=host)
    batch = BatchOperations(ops.impl, registry=host.operations, table_name="t")
    with pytest.raises(AttributeError) as info:
        batch.create_table  # noqa: B018
    assert str(info.value).startswith(
        "there is no batch operation batch_op.create_table (batch operations: add_column, "
    )
    assert "create_table" not in dir(batch)
    assert "add_column" in dir(batch)
