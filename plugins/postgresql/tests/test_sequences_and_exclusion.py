"""Sequences and exclusion constraints on the real server, read back from pg_catalog."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from mighub_postgresql.ops import (
    AlterSequenceOp,
    CreateExcludeConstraintOp,
    CreateSequenceOp,
    DropSequenceOp,
)
from sqlalchemy.dialects.postgresql import TSRANGE

from mighub import op
from mighub.errors import MighubError
from mighub.operations import BatchOperations

from .conftest import offline, statements


def sequence(connection: sa.Connection, name: str, schema: str | None = None) -> dict | None:
    row = (
        connection.execute(
            sa.text(
                "SELECT data_type::text, start_value, min_value, max_value, increment_by, "
                "cycle, cache_size FROM pg_sequences "
                "WHERE schemaname = coalesce(:schema, current_schema()) AND sequencename = :name"
            ),
            {"name": name, "schema": schema},
        )
        .mappings()
        .first()
    )
    return dict(row) if row is not None else None


# -- sequences ------------------------------------------------------------------------


def test_create_alter_drop_sequence(ops, connection, namespace):
    other = namespace.other_schema(connection)
    op.create_sequence(
        "ticket_no",
        schema=other,
        start=100,
        increment=10,
        minvalue=50,
        maxvalue=1000,
        cycle=True,
        cache=5,
        data_type=sa.SmallInteger,
    )
    assert sequence(connection, "ticket_no", other) == {
        "data_type": "smallint",
        "start_value": 100,
        "min_value": 50,
        "max_value": 1000,
        "increment_by": 10,
        "cycle": True,
        "cache_size": 5,
    }
    assert connection.execute(sa.text(f"SELECT nextval('{other}.ticket_no')")).scalar() == 100
    op.alter_sequence(
        "ticket_no",
        schema=other,
        data_type=sa.Integer,
        increment=1,
        minvalue=None,
        maxvalue=None,
        cycle=False,
        cache=None,
        restart=7,
    )
    assert sequence(connection, "ticket_no", other) == {
        "data_type": "integer",
        "start_value": 100,
        "min_value": 1,
        "max_value": 2147483647,
        "increment_by": 1,
        "cycle": False,
        "cache_size": 1,
    }
    assert connection.execute(sa.text(f"SELECT nextval('{other}.ticket_no')")).scalar() == 7
    op.drop_sequence("ticket_no", schema=other)
    assert sequence(connection, "ticket_no", other) is None


def test_sequence_owned_by_goes_with_its_column(ops, connection):
    op.create_table("ticket", sa.Column("no", sa.Integer))
    op.create_sequence("ticket_no")
    op.alter_sequence("ticket_no", owned_by="ticket.no")
    op.drop_column("ticket", "no")
    assert sequence(connection, "ticket_no") is None


def test_sequence_operations_reverse(ops, connection):
    create = CreateSequenceOp("s", options={"start": 5, "increment": 2})
    alter = AlterSequenceOp("s", changes={"increment": 3}, existing={"increment": 2})
    op.invoke(create)
    op.invoke(alter)
    assert sequence(connection, "s")["increment_by"] == 3
    op.invoke(alter.reverse())
    assert sequence(connection, "s")["increment_by"] == 2
    drop = create.reverse()
    op.invoke(drop)
    assert sequence(connection, "s") is None
    op.invoke(drop.reverse())
    assert sequence(connection, "s")["start_value"] == 5
    reflected = DropSequenceOp.from_sequence(sa.Sequence("s", start=5, cycle=True))
    assert reflected.reverse().options == {"start": 5, "cycle": True}


def test_sequence_errors_name_the_sequence():
    with pytest.raises(MighubError, match=r"op.alter_sequence\('s'\): unknown option colour"):
        AlterSequenceOp.build(None, "s", colour=3)
    with pytest.raises(MighubError, match=r"op.alter_sequence\('s'\) changes nothing"):
        AlterSequenceOp.build(None, "s")
    with pytest.raises(MighubError, match=r"pass existing=\{\.\.\.\} with the previous cache"):
        AlterSequenceOp("s", changes={"cache": 3}).reverse()
    with pytest.raises(MighubError, match="the sequence's definition is not known"):
        DropSequenceOp("s").reverse()


def test_offline_sequences():
    def fn():
        op.create_sequence("s", schema="x", start=3, increment=2, if_not_exists=True)
        op.alter_sequence(
            "s",
            schema="x",
            increment=5,
            minvalue=None,
            maxvalue=10,
            restart=True,
            cycle=True,
            owned_by="t.id",
        )
        op.alter_sequence("s", schema="x", restart=4, cache=None)
        op.drop_sequence("s", schema="x", if_exists=True)

    assert offline(fn) == statements(
        "CREATE SEQUENCE IF NOT EXISTS x.s INCREMENT BY 2 START WITH 3",
        "ALTER SEQUENCE x.s INCREMENT BY 5 NO MINVALUE MAXVALUE 10 RESTART CYCLE OWNED BY t.id",
        "ALTER SEQUENCE x.s RESTART WITH 4 CACHE 1",
        "DROP SEQUENCE IF EXISTS x.s",
    )


# -- exclusion constraints ---------------------------------------------------------------


def constraint_definition(connection: sa.Connection, name: str) -> str | None:
    return connection.execute(
        sa.text("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = :n"),
        {"n": name},
    ).scalar()


ROOM = "int4range(room, room, '[]')"  # gist knows ranges without the btree_gist extension


def make_booking() -> None:
    op.create_table(
        "booking",
        sa.Column("room", sa.Integer),
        sa.Column("period", TSRANGE),
        sa.Column("cancelled", sa.Boolean),
    )


def test_exclusion_constraint_created_enforced_and_dropped(ops, connection):
    make_booking()
    op.create_exclude_constraint(
        "no_double_booking",
        "booking",
        (ROOM, "&&"),
        ("period", "&&"),
        where="NOT cancelled",
        using="gist",
    )
    assert constraint_definition(connection, "no_double_booking") == (
        "EXCLUDE USING gist (int4range(room, room, '[]'::text) WITH &&, period WITH &&) "
        "WHERE ((NOT cancelled))"
    )
    insert = sa.text(
        "INSERT INTO booking VALUES (1, '[2024-01-01 10:00, 2024-01-01 12:00)', false)"
    )
    connection.execute(insert)
    connection.commit()
    with pytest.raises(sa.exc.IntegrityError, match="no_double_booking"):
        connection.execute(insert)
    connection.rollback()
    op.drop_constraint("no_double_booking", "booking")
    assert constraint_definition(connection, "no_double_booking") is None


def test_exclusion_constraint_in_batch_form_and_reversed(ops, connection, host):
    make_booking()
    batch_op = BatchOperations(
        ops.impl,
        registry=host.operations,
        table_name="booking",
        target_metadata=ops.target_metadata,
    )
    batch_op.create_exclude_constraint("one_room", (ROOM, "&&"), ("period", "&&"), deferrable=True)
    assert constraint_definition(connection, "one_room") == (
        "EXCLUDE USING gist (int4range(room, room, '[]'::text) WITH &&, period WITH &&) DEFERRABLE"
    )
    create = CreateExcludeConstraintOp("one_room", "booking", [("period", "&&")])
    op.invoke(create.reverse())
    assert constraint_definition(connection, "one_room") is None


def test_exclusion_constraint_from_a_model_table_round_trips(ops, connection):
    from sqlalchemy.dialects.postgresql import ExcludeConstraint

    make_booking()
    model = sa.Table(
        "booking",
        sa.MetaData(),
        sa.Column("room", sa.Integer),
        sa.Column("period", TSRANGE),
        ExcludeConstraint((sa.text(ROOM), "&&"), ("period", "&&"), name="ex_room"),
    )
    (constraint,) = [c for c in model.constraints if isinstance(c, ExcludeConstraint)]
    create = CreateExcludeConstraintOp.from_constraint(constraint)
    op.invoke(create)
    assert constraint_definition(connection, "ex_room") == (
        "EXCLUDE USING gist (int4range(room, room, '[]'::text) WITH &&, period WITH &&)"
    )
    op.invoke(create.reverse())
    assert constraint_definition(connection, "ex_room") is None


def test_exclusion_constraint_element_errors():
    with pytest.raises(MighubError, match="needs at least one"):
        CreateExcludeConstraintOp.build(None, "x", "t")
    with pytest.raises(MighubError, match=r"is an \(expression, operator\) pair, not 'room'"):
        CreateExcludeConstraintOp.build(None, "x", "t", "room")


def test_offline_exclusion_constraint():
    def fn():
        op.create_exclude_constraint(
            "ex", "booking", ("room", "="), ("period", "&&"), where="room > 0", schema="s"
        )
        op.drop_constraint("ex", "booking", schema="s")

    assert offline(fn) == statements(
        "ALTER TABLE s.booking ADD CONSTRAINT ex EXCLUDE USING gist "
        "(room WITH =, period WITH &&) WHERE (room > 0)",
        "ALTER TABLE s.booking DROP CONSTRAINT ex",
    )


def test_exclusion_constraint_inside_create_table(ops, connection):
    from sqlalchemy.dialects.postgresql import ExcludeConstraint

    op.create_table(
        "booking",
        sa.Column("room", sa.Integer),
        sa.Column("period", TSRANGE),
        ExcludeConstraint((sa.text(ROOM), "&&"), ("period", "&&"), name="ex_inline"),
    )
    assert constraint_definition(connection, "ex_inline") == (
        "EXCLUDE USING gist (int4range(room, room, '[]'::text) WITH &&, period WITH &&)"
    )
