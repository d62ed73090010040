"""The PostgreSQL comparators and renderers, on data reflected from the real server.

The autogenerate plugin (which drives them) is built separately; these
tests call the comparison functions and the hook adapters directly, apply
the operations they return, and compare again: a second comparison must
find nothing (no false positives).
"""

from __future__ import annotations

from types import SimpleNamespace

import sqlalchemy as sa
from mighub_postgresql.autogen import compare, hooks
from mighub_postgresql.autogen.normalize import normalize_default, normalize_sql
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
from mighub.operations.ops import (
    AlterColumnOp,
    CreateIndexOp,
    DropConstraintOp,
    DropIndexOp,
    ModifyTableOps,
    UpgradeOps,
)
from mighub.registries import STOP


def apply(operations) -> None:
    for operation in operations:
        op.invoke(operation)


def context(connection, metadata=None):
    return SimpleNamespace(connection=connection, metadata=metadata, imports=set())


# -- normalising -----------------------------------------------------------------------


def test_normalized_spellings():
    same = [
        ("'open'::status", "'open'"),
        ("nextval('ticket_id_seq'::regclass)", "nextval('ticket_id_seq')"),
        ("lower((name)::text)", "lower(name)"),
        ("'0'", "0"),
        ("'it''s'::character varying", "'it''s'"),
        ("CURRENT_TIMESTAMP", "current_timestamp"),
        ("(price * (2)::numeric)", "price * 2"),
        ("'2020-01-01'::timestamp without time zone", "'2020-01-01'"),
        ('"name"', "name"),
    ]
    for reflected, model in same:
        assert normalize_default(reflected) == normalize_default(model), reflected
    assert normalize_sql('"Name"') != normalize_sql("name")  # quoted names keep their case
    assert normalize_default("'A'") != normalize_default("'a'")  # literals keep theirs


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


def test_enum_hook_puts_creates_first_and_drops_last(ops, connection):
    op.create_enum("old", ["a"])
    metadata = sa.MetaData()
    model_table(metadata, "t", postgresql.ENUM("x", name="fresh"))
    upgrade = UpgradeOps([ModifyTableOps("t", [])])
    hooks.compare_enum_types(context(connection, metadata), upgrade, [None])
    kinds = [type(o).__name__ for o in upgrade.ops]
    assert kinds == ["CreateEnumOp", "ModifyTableOps", "DropEnumOp"]


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


def test_exclusion_hook_ignores_tables_on_one_side(ops, connection):
    modify = ModifyTableOps("booking", [])
    hooks.compare_exclusion_constraints(
        context(connection), modify, None, "booking", None, booking(sa.MetaData())
    )
    assert modify.ops == []


# -- server defaults, serial, identity -----------------------------------------------------


def reflected_table(connection, name):
    return sa.Table(name, sa.MetaData(), autoload_with=connection)


def test_server_defaults_without_false_positives(ops, connection):
    status = postgresql.ENUM("open", "closed", name="status")
    columns = [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(20), server_default="it's"),
        sa.Column("qty", sa.Integer, server_default="0"),
        sa.Column("price", sa.Numeric(10, 2), server_default=sa.text("1.50")),
        sa.Column("created", sa.DateTime, server_default=sa.func.now()),
        sa.Column("day", sa.Date, server_default=sa.text("CURRENT_DATE")),
        sa.Column("state", status, server_default="open"),
        sa.Column("tags", postgresql.ARRAY(sa.Text), server_default=sa.text("'{}'::text[]")),
        sa.Column("flag", sa.Boolean, server_default=sa.true()),
        sa.Column("big", sa.BigInteger, sa.Identity(start=10)),
    ]
    op.create_table("item", *[c._copy() for c in columns])
    model = sa.Table("item", sa.MetaData(), *columns)
    conn_table = reflected_table(connection, "item")
    for column in model.columns:
        alter = AlterColumnOp("item", column.name)
        outcome = hooks.compare_server_default(
            context(connection), alter, None, "item", column.name, conn_table.c[column.name], column
        )
        assert outcome is STOP
        assert not alter.has_changes(), column.name
    changed = sa.Column("qty", sa.Integer, server_default="1")
    alter = AlterColumnOp("item", "qty")
    hooks.compare_server_default(
        context(connection), alter, None, "item", "qty", conn_table.c.qty, changed
    )
    assert alter.modify_server_default is changed.server_default
    identity = sa.Column("big", sa.BigInteger, sa.Identity(start=10, increment=5))
    alter = AlterColumnOp("item", "big")
    hooks.compare_server_default(
        context(connection), alter, None, "item", "big", conn_table.c.big, identity
    )
    assert alter.modify_server_default is identity.identity
    apply([alter])  # the change found runs, and then there is none
    conn_table = reflected_table(connection, "item")
    again = AlterColumnOp("item", "big")
    hooks.compare_server_default(
        context(connection), again, None, "item", "big", conn_table.c.big, identity
    )
    assert not again.has_changes()


def test_identity_rules():
    reflected = {"always": False, "start": 1, "increment": 1, "minvalue": 1,
                 "maxvalue": 2147483647, "cycle": False, "cache": 1}  # fmt: skip
    assert not compare.identity_changed(reflected, sa.Identity(), sa.Integer())
    assert compare.identity_changed(reflected, sa.Identity(always=True), sa.Integer())
    assert compare.identity_changed(reflected, None, sa.Integer())
    assert compare.identity_changed(None, sa.Identity(), sa.Integer())
    big = {**reflected, "maxvalue": 9223372036854775807}
    assert not compare.identity_changed(big, sa.Identity(), sa.BigInteger())


def test_serial_default_is_the_models_own(ops, connection):
    op.create_table("t", sa.Column("id", sa.Integer, primary_key=True))
    conn_table = reflected_table(connection, "t")
    default = conn_table.c.id.server_default.arg.text
    assert default.startswith("nextval(")
    assert not compare.server_default_changed(
        default, sa.Column("id", sa.Integer, primary_key=True)
    )
    assert compare.server_default_changed(default, sa.Column("id", sa.Integer))


# -- indexes --------------------------------------------------------------------------------


def test_expression_indexes_compare_equal(ops, connection):
    op.create_table(
        "person",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50)),
        sa.Column("email", sa.String(50)),
        sa.Column("active", sa.Boolean),
    )
    op.create_index("ix_lower", "person", [sa.text("lower(name)")])
    op.create_index(
        "ix_email",
        "person",
        ["email"],
        unique=True,
        postgresql_where=sa.text("active"),
        postgresql_include=["name"],
    )
    op.create_index("ix_both", "person", ["email", sa.text("lower(name)")])
    metadata = sa.MetaData()
    person = sa.Table(
        "person",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50)),
        sa.Column("email", sa.String(50)),
        sa.Column("active", sa.Boolean),
    )
    sa.Index("ix_lower", sa.func.lower(person.c.name))
    sa.Index(
        "ix_email",
        person.c.email,
        unique=True,
        postgresql_where=person.c.active,
        postgresql_include=["name"],
    )
    sa.Index("ix_both", person.c.email, sa.text("lower(name)"))
    reflected = {ix["name"]: ix for ix in sa.inspect(connection).get_indexes("person")}
    model = {ix.name: ix for ix in person.indexes}
    for name in model:
        assert compare.indexes_equal(reflected[name], model[name]), name
    elsewhere = sa.Table("person", sa.MetaData(), sa.Column("name", sa.String(50)))
    other = sa.Index("ix_lower", sa.func.upper(elsewhere.c.name))
    assert not compare.indexes_equal(reflected["ix_lower"], other)

    # what a text-comparing generic comparator would report is dropped again
    modify = ModifyTableOps(
        "person",
        [
            DropIndexOp("ix_lower", "person"),
            CreateIndexOp.from_index(model["ix_lower"]),
            CreateIndexOp("ix_new", "person", ["name"]),
        ],
    )
    conn_table = reflected_table(connection, "person")
    hooks.drop_equivalent_index_changes(
        context(connection), modify, None, "person", conn_table, person
    )
    assert [o.index_name for o in modify.ops] == ["ix_new"]


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
