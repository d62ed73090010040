"""The PostgreSQL comparators and renderers, on data reflected from the real server.

The pipeline tests run ``mighub-autogen``'s real comparison
(``produce_migrations``, with every installed plugin's comparators), apply
the operations it finds, and compare again: a second comparison must find
nothing (no false positives). The rule tests call :mod:`.compare` directly.
"""

from __future__ import annotations

from types import SimpleNamespace

import sqlalchemy as sa
from mighub_autogen import produce_migrations
from mighub_postgresql.autogen import compare
from mighub_postgresql.autogen.render import RENDERERS
from mighub_postgresql.ops import (
    AddEnumValueOp,
    AlterSequenceOp,
    CreateEnumOp,
    CreateExcludeConstraintOp,
    CreateSequenceOp,
    DropEnumOp,
    DropEnumValueOp,
    DropSequenceOp,
    RenameEnumValueOp,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import TSRANGE, ExcludeConstraint

from mighub import op
from mighub.operations.ops import DropConstraintOp, ModifyTableOps


def apply(operations) -> None:
    for operation in operations:
        op.invoke(operation)


def context(connection, metadata=None):
    return SimpleNamespace(connection=connection, metadata=metadata, imports=set())


def found(connection, metadata):
    """What autogenerate finds, table groups flattened, in order."""
    flat = []
    for item in produce_migrations(connection, metadata).upgrade_ops.ops:
        flat.extend(item.ops if isinstance(item, ModifyTableOps) else [item])
    return flat


def upgrade_ops(connection, metadata):
    return produce_migrations(connection, metadata).upgrade_ops.ops


# -- enum types --------------------------------------------------------------------------


def model_table(metadata, name, *enums):
    return sa.Table(
        name,
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        *[sa.Column(f"c{i}", e) for i, e in enumerate(enums)],
    )


def test_enum_changes_round_trip(ops, connection):
    op.create_enum("status", ["new", "open", "shut"])
    op.create_enum("size", ["s", "m", "l"])
    op.create_enum("gone", ["x"])
    op.create_table(
        "ticket",
        sa.Column("status", postgresql.ENUM(name="status", create_type=False)),
    )
    connection.execute(sa.text("INSERT INTO ticket VALUES ('shut')"))
    metadata = sa.MetaData()
    model_table(
        metadata,
        "ticket",
        postgresql.ENUM("draft", "new", "open", "closed", name="status"),
        postgresql.ENUM("xs", "s", "l", "xl", name="size"),
        sa.Enum("red", "green", name="colour"),
    )
    reflected = compare.reflect_enums(connection, [None])
    assert reflected == {
        (None, "status"): ["new", "open", "shut"],
        (None, "size"): ["s", "m", "l"],
        (None, "gone"): ["x"],
    }
    before, after = compare.compare_enums(reflected, compare.model_enums(metadata.tables.values()))
    assert [type(o).__name__ for o in before] == [
        "CreateEnumOp",  # colour
        "DropEnumValueOp",  # size: m
        "AddEnumValueOp",  # size: xs
        "AddEnumValueOp",  # size: xl
        "RenameEnumValueOp",  # status: shut -> closed, in place
        "AddEnumValueOp",  # status: draft
    ]
    assert before[4].old_value == "shut" and before[4].new_value == "closed"
    assert (before[5].value, before[5].before) == ("draft", "new")
    assert (before[2].value, before[2].before, before[3].after) == ("xs", "s", "l")
    assert [type(o) for o in after] == [DropEnumOp]
    assert (after[0].name, after[0].if_exists, after[0].values) == ("gone", True, ["x"])
    apply(before + after)
    assert connection.execute(sa.text("SELECT status::text FROM ticket")).scalar() == "closed"
    again = compare.compare_enums(
        compare.reflect_enums(connection, [None]),
        compare.model_enums(metadata.tables.values()),
    )
    assert again == ([], [])
    # and back: every operation found reverses
    apply(o.reverse() for o in reversed(before + after))
    assert compare.reflect_enums(connection, [None]) == reflected


def test_enum_value_rules_without_a_server():
    ops = compare.compare_enum_values("t", None, ["a"], ["a", "b"])
    assert [(type(o), o.value, o.after) for o in ops] == [(AddEnumValueOp, "b", "a")]
    ops = compare.compare_enum_values("t", None, ["b"], ["a", "b"])
    assert [(type(o), o.value, o.before) for o in ops] == [(AddEnumValueOp, "a", "b")]
    ops = compare.compare_enum_values("t", None, ["a", "b", "c"], ["a", "c"])
    assert [(type(o), o.value, o.after) for o in ops] == [(DropEnumValueOp, "b", "a")]
    ops = compare.compare_enum_values("t", "s", ["a", "b"], ["a", "B"])
    assert [(type(o), o.old_value, o.new_value, o.schema) for o in ops] == [
        (RenameEnumValueOp, "b", "B", "s")
    ]
    assert compare.compare_enum_values("t", None, ["a", "b"], ["b", "a"]) == []  # order
    ops = compare.compare_enum_values("t", None, ["a", "x", "b"], ["a", "y", "z", "b"])
    assert [type(o) for o in ops] == [DropEnumValueOp, AddEnumValueOp, AddEnumValueOp]


# -- sequences --------------------------------------------------------------------------


def test_sequences_round_trip_and_owned_ones_are_ignored(ops, connection):
    op.create_table("serial_table", sa.Column("id", sa.Integer, primary_key=True))  # SERIAL
    op.create_table("identity_table", sa.Column("id", sa.Integer, sa.Identity(), primary_key=True))
    op.create_sequence("kept", start=5, increment=2)
    op.create_sequence("stale")
    reflected = compare.reflect_sequences(connection, [None])
    assert set(reflected) == {(None, "kept"), (None, "stale")}
    metadata = sa.MetaData()
    sa.Sequence("kept", start=5, increment=3, metadata=metadata)
    sa.Sequence("fresh", start=100, data_type=sa.BigInteger, metadata=metadata)
    before, after = compare.compare_sequences(reflected, compare.model_sequences(metadata))
    assert [type(o) for o in before] == [CreateSequenceOp, AlterSequenceOp]
    assert before[1].changes == {"increment": 3} and before[1].existing == {"increment": 2}
    assert [type(o) for o in after] == [DropSequenceOp]
    apply(before + after)
    assert compare.compare_sequences(
        compare.reflect_sequences(connection, [None]), compare.model_sequences(metadata)
    ) == ([], [])
    apply(o.reverse() for o in reversed(before + after))
    assert compare.reflect_sequences(connection, [None]) == reflected


# -- exclusion constraints ----------------------------------------------------------------

ROOM = "int4range(room, room, '[]')"


def booking(metadata, *constraints):
    return sa.Table(
        "booking",
        metadata,
        sa.Column("room", sa.Integer),
        sa.Column("period", TSRANGE),
        sa.Column("cancelled", sa.Boolean),
        *constraints,
    )


def test_exclusion_constraints_round_trip(ops, connection):
    op.create_table(
        "booking",
        sa.Column("room", sa.Integer),
        sa.Column("period", TSRANGE),
        sa.Column("cancelled", sa.Boolean),
    )
    op.create_exclude_constraint("ex_same", "booking", (ROOM, "&&"), ("period", "&&"))
    op.create_exclude_constraint("ex_changed", "booking", ("period", "&&"))
    op.create_exclude_constraint(
        "ex_gone", "booking", ("period", "&&"), where="NOT cancelled", deferrable=True
    )
    metadata = sa.MetaData()
    table = booking(
        metadata,
        ExcludeConstraint((sa.text(ROOM), "&&"), ("period", "&&"), name="ex_same"),
        ExcludeConstraint(("period", "&&"), name="ex_changed", where=sa.text("NOT cancelled")),
        ExcludeConstraint((sa.text("int4range(room, room)"), "&&"), name="ex_new"),
    )
    reflected = compare.reflect_exclusion_constraints(connection, "booking", None)
    assert set(reflected) == {"ex_same", "ex_changed", "ex_gone"}
    found = compare.compare_exclusion_constraints("booking", None, reflected, table)
    assert [(type(o).__name__, o.constraint_name) for o in found] == [
        ("DropConstraintOp", "ex_gone"),
        ("DropConstraintOp", "ex_changed"),
        ("CreateExcludeConstraintOp", "ex_changed"),
        ("CreateExcludeConstraintOp", "ex_new"),
    ]
    apply(found)
    again = compare.reflect_exclusion_constraints(connection, "booking", None)
    assert compare.compare_exclusion_constraints("booking", None, again, table) == []
    apply(o.reverse() for o in reversed(found))  # a reflected drop knows its definition
    assert compare.reflect_exclusion_constraints(connection, "booking", None) == reflected


# -- through autogenerate ------------------------------------------------------------------


def test_autogenerate_compares_enum_values_and_leaves_column_types_to_the_ddl(ops, connection):
    op.create_table(
        "ticket",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("status", postgresql.ENUM("new", "open", name="status")),
    )  # the DDL creates "status" with the column, marked as its own
    op.create_enum("gone", ["x"])  # the project's own type, which no model uses any more
    metadata = sa.MetaData()
    sa.Table(
        "ticket",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("status", postgresql.ENUM("new", "open", "closed", name="status")),
    )
    model_table(metadata, "task", postgresql.ENUM("low", "high", name="priority"))
    changes = upgrade_ops(connection, metadata)
    kinds = [type(o).__name__ for o in changes]
    assert kinds == ["AddEnumValueOp", "CreateTableOp", "DropEnumOp"], kinds
    assert (changes[0].name, changes[0].value, changes[0].after) == ("status", "closed", "open")
    assert (changes[2].name, changes[2].if_exists) == ("gone", True)
    apply(changes)  # "priority" comes with its table, marked
    assert found(connection, metadata) == []
    assert compare.reflect_implicit_enums(connection, [None]) == {
        (None, "status"),
        (None, "priority"),
    }
    op.drop_table("task")  # and goes with it: nothing for autogenerate to drop
    assert (None, "priority") not in compare.reflect_enums(connection, [None])


def test_autogenerate_finds_no_false_default_identity_or_index_changes(ops, connection):
    status = postgresql.ENUM("open", "closed", name="status")
    columns = [
        sa.Column("id", sa.Integer, primary_key=True),  # SERIAL: nextval() is the model's own
        sa.Column("name", sa.String(20), server_default="it's"),
        sa.Column("qty", sa.Integer, server_default="0"),
        sa.Column("price", sa.Numeric(10, 2), server_default=sa.text("1.50")),
        sa.Column("created", sa.DateTime, server_default=sa.func.now()),
        sa.Column("day", sa.Date, server_default=sa.text("CURRENT_DATE")),
        sa.Column("state", status, server_default="open"),
        sa.Column("tags", postgresql.ARRAY(sa.Text), server_default=sa.text("'{}'::text[]")),
        sa.Column("flag", sa.Boolean, server_default=sa.true()),
        sa.Column("big", sa.BigInteger, sa.Identity(start=10)),
        sa.Column("email", sa.String(50)),
    ]
    op.create_table("item", *[c._copy() for c in columns])
    op.create_index("ix_lower", "item", [sa.text("lower(name)")])
    op.create_index(
        "ix_email",
        "item",
        ["email"],
        unique=True,
        postgresql_where=sa.text("flag"),
        postgresql_include=["name"],
    )
    metadata = sa.MetaData()
    item = sa.Table("item", metadata, *columns)
    sa.Index("ix_lower", sa.func.lower(item.c.name))
    sa.Index(
        "ix_email", item.c.email, unique=True, postgresql_where=item.c.flag,
        postgresql_include=["name"],
    )  # fmt: skip
    assert found(connection, metadata) == []

    changed = sa.MetaData()
    changed_columns = [c._copy() for c in columns]
    changed_columns[2] = sa.Column("qty", sa.Integer, server_default="1")
    changed_columns[9] = sa.Column("big", sa.BigInteger, sa.Identity(start=10, increment=5))
    item2 = sa.Table("item", changed, *changed_columns)
    sa.Index("ix_lower", sa.func.upper(item2.c.name))
    sa.Index(
        "ix_email", item2.c.email, unique=True, postgresql_where=item2.c.flag,
        postgresql_include=["name"],
    )  # fmt: skip
    changes = found(connection, changed)
    described = sorted(
        (type(o).__name__, getattr(o, "column_name", None) or getattr(o, "index_name", None))
        for o in changes
    )
    assert described == [
        ("AlterColumnOp", "big"),
        ("AlterColumnOp", "qty"),
        ("CreateIndexOp", "ix_lower"),
        ("DropIndexOp", "ix_lower"),
    ]
    apply(changes)
    assert found(connection, changed) == []


def test_autogenerate_compares_sequences(ops, connection):
    op.create_sequence("kept", start=5, increment=2)
    op.create_sequence("stale")
    metadata = sa.MetaData()
    sa.Table("t", metadata, sa.Column("id", sa.Integer, sa.Identity(), primary_key=True))
    op.create_table("t", sa.Column("id", sa.Integer, sa.Identity(), primary_key=True))
    sa.Sequence("kept", start=5, increment=3, metadata=metadata)
    sa.Sequence("fresh", start=100, metadata=metadata)
    changes = upgrade_ops(connection, metadata)
    assert [type(o) for o in changes] == [CreateSequenceOp, AlterSequenceOp, DropSequenceOp]
    apply(changes)
    assert found(connection, metadata) == []


def test_autogenerate_compares_exclusion_constraints(ops, connection):
    op.create_table(
        "booking",
        sa.Column("room", sa.Integer),
        sa.Column("period", TSRANGE),
        sa.Column("cancelled", sa.Boolean),
    )
    op.create_exclude_constraint("ex_same", "booking", (ROOM, "&&"), ("period", "&&"))
    op.create_exclude_constraint("ex_gone", "booking", ("period", "&&"))
    metadata = sa.MetaData()
    booking(
        metadata,
        ExcludeConstraint((sa.text(ROOM), "&&"), ("period", "&&"), name="ex_same"),
        ExcludeConstraint(("period", "&&"), name="ex_new", where=sa.text("NOT cancelled")),
    )
    changes = found(connection, metadata)
    assert sorted((type(o).__name__, o.constraint_name) for o in changes) == [
        ("CreateExcludeConstraintOp", "ex_new"),
        ("DropConstraintOp", "ex_gone"),
    ]
    apply(changes)
    assert found(connection, metadata) == []


# -- rendering ----------------------------------------------------------------------------------


def test_rendered_calls_run(ops, connection):
    """Each renderer's text is a call that runs, with the imports it recorded."""
    ctx = context(connection)
    steps = [
        CreateEnumOp("status", ["a", "it's"]),
        AddEnumValueOp("status", "b", after="a", if_not_exists=True),
        RenameEnumValueOp("status", "b", "c"),
        DropEnumValueOp("status", "c", after="a"),
        CreateSequenceOp("s", options={"start": 3, "data_type": sa.BigInteger()}),
        AlterSequenceOp("s", changes={"minvalue": None, "cycle": True}, existing={"minvalue": 1}),
        DropSequenceOp("s"),
        DropEnumOp("status", if_exists=True, values=["a", "it's"]),
    ]
    sources = [RENDERERS[type(step)](ctx, step) for step in steps]
    assert sources[0] == "op.create_enum('status', ['a', \"it's\"])"
    assert sources[4] == "op.create_sequence('s', start=3, data_type=sa.BigInteger())"
    assert sources[5] == (
        "op.alter_sequence('s', minvalue=None, cycle=True, existing={'minvalue': 1})"
    )
    assert ctx.imports == {"import sqlalchemy as sa"}
    for source in sources:
        exec(source, {"op": op, "sa": sa})
    assert compare.reflect_enums(connection, [None]) == {}
    assert compare.reflect_sequences(connection, [None]) == {}


def test_rendered_exclusion_constraint_runs(ops, connection):
    op.create_table("booking", sa.Column("room", sa.Integer), sa.Column("period", TSRANGE))
    table = booking(sa.MetaData())
    constraint = ExcludeConstraint(
        (sa.text(ROOM), "&&"), ("period", "&&"), name="ex", where=sa.text("room > 0")
    )
    table.append_constraint(constraint)
    create = CreateExcludeConstraintOp.from_constraint(constraint)
    source = RENDERERS[CreateExcludeConstraintOp](context(connection), create)
    assert source == (
        "op.create_exclude_constraint('ex', 'booking', (\"int4range(room, room, '[]')\", '&&'), "
        "('period', '&&'), using='gist', where='room > 0')"
    )
    exec(source, {"op": op})
    assert set(compare.reflect_exclusion_constraints(connection, "booking", None)) == {"ex"}
    assert isinstance(create.reverse(), DropConstraintOp)
