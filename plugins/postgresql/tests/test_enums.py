"""Enum types on the real server: the implicit lifecycle and every enum operation.

Results are read from pg_catalog (``pg_type``, ``pg_enum``, ``obj_description``).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from mighub_postgresql.catalog import IMPLICIT_TYPE_COMMENT
from mighub_postgresql.ops import (
    AddEnumValueOp,
    CreateEnumOp,
    DropEnumOp,
    DropEnumValueOp,
    RenameEnumOp,
    RenameEnumValueOp,
)
from sqlalchemy.dialects import postgresql

from mighub import op
from mighub.errors import MighubError

from .conftest import offline, statements


def enums(connection: sa.Connection, schema: str | None = None) -> dict[str, list[str]]:
    """Enum types of the schema (the test's own by default) and their values, in order."""
    rows = connection.execute(
        sa.text(
            "SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder) "
            "FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid "
            "JOIN pg_namespace n ON n.oid = t.typnamespace "
            "WHERE n.nspname = coalesce(:schema, current_schema()) GROUP BY t.typname"
        ),
        {"schema": schema},
    )
    return {name: list(values) for name, values in rows}


def type_comment(connection: sa.Connection, name: str) -> str | None:
    return connection.execute(
        sa.text("SELECT obj_description(to_regtype(:n), 'pg_type')"), {"n": name}
    ).scalar()


STATUS = ("active", "closed")


def status_column(name: str = "status", **kw: object) -> sa.Column:
    return sa.Column(name, postgresql.ENUM(*STATUS, name="status", **kw))


# -- the implicit lifecycle -------------------------------------------------------------


def test_a_type_shared_by_two_tables_is_created_once_and_dropped_with_the_last(ops, connection):
    op.create_table("account", sa.Column("id", sa.Integer, primary_key=True), status_column())
    op.create_table(
        "invoice",
        sa.Column("id", sa.Integer, primary_key=True),
        status_column(),
        status_column("previous_status"),
    )
    assert enums(connection) == {"status": list(STATUS)}
    assert type_comment(connection, "status") == IMPLICIT_TYPE_COMMENT
    op.drop_table("invoice")  # by name only, as downgrades are written
    assert enums(connection) == {"status": list(STATUS)}  # account still uses it
    op.drop_table("account")
    assert enums(connection) == {}
    # the next upgrade does not trip over a leftover type
    op.create_table("account", sa.Column("id", sa.Integer, primary_key=True), status_column())
    assert enums(connection) == {"status": list(STATUS)}


def test_generic_enum_and_arrays_follow_the_same_rule(ops, connection):
    op.create_table(
        "account",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.Enum("person", "company", name="kind")),
        sa.Column("tags", postgresql.ARRAY(postgresql.ENUM("a", "b", name="tag"))),
    )
    assert enums(connection) == {"kind": ["person", "company"], "tag": ["a", "b"]}
    op.drop_table("account")
    assert enums(connection) == {}


def test_explicit_type_is_the_projects_and_stays(ops, connection):
    op.create_enum("status", list(STATUS))
    op.create_table(
        "account",
        sa.Column("id", sa.Integer, primary_key=True),
        status_column(create_type=False),
        status_column("other"),  # create_type=True, same values: the type is there already
    )
    assert type_comment(connection, "status") is None
    op.drop_table("account")
    assert enums(connection) == {"status": list(STATUS)}
    op.drop_enum("status")
    assert enums(connection) == {}


def test_existing_type_with_other_values_is_an_error(ops, connection):
    op.create_enum("status", ["on", "off"])
    with pytest.raises(MighubError) as error:
        op.create_table("account", sa.Column("id", sa.Integer), status_column())
    assert "enum type" in str(error.value)
    assert "exists with the values ['on', 'off'], but table account wants" in str(error.value)
    assert "account" not in sa.inspect(connection).get_table_names()


def test_add_and_drop_column_create_and_drop_the_type(ops, connection):
    op.create_table("account", sa.Column("id", sa.Integer, primary_key=True))
    op.add_column("account", status_column())
    assert enums(connection) == {"status": list(STATUS)}
    op.drop_column("account", "status")
    assert enums(connection) == {}


def test_alter_column_to_an_enum_and_back(ops, connection):
    table = op.create_table(
        "account", sa.Column("id", sa.Integer, primary_key=True), sa.Column("state", sa.Text)
    )
    op.bulk_insert(table, [{"id": 1, "state": "closed"}])
    op.alter_column(
        "account",
        "state",
        type_=postgresql.ENUM(*STATUS, name="status"),
        postgresql_using="state::status",
    )
    assert enums(connection) == {"status": list(STATUS)}
    op.alter_column(
        "account",
        "state",
        type_=sa.Text,
        existing_type=postgresql.ENUM(*STATUS, name="status"),
    )
    assert enums(connection) == {}
    assert connection.execute(sa.text("SELECT state FROM account")).scalar() == "closed"


# -- operations ----------------------------------------------------------------------


def test_add_enum_value_positions(ops, connection):
    op.create_enum("status", ["b", "d"])
    op.add_enum_value("status", "a", before="b")
    op.add_enum_value("status", "c", after="b")
    op.add_enum_value("status", "e")
    op.add_enum_value("status", "e", if_not_exists=True)  # already there: nothing happens
    assert enums(connection) == {"status": ["a", "b", "c", "d", "e"]}


def test_rename_value_and_type(ops, connection, namespace):
    other = namespace.other_schema(connection)
    op.create_enum("status", ["open", "shut"], schema=other)
    table = op.create_table(
        "door",
        sa.Column("state", postgresql.ENUM(name="status", schema=other, create_type=False)),
    )
    op.bulk_insert(table, [{"state": "shut"}])
    op.rename_enum_value("status", "shut", "closed", schema=other)
    op.rename_enum("status", "door_state", schema=other)
    assert enums(connection, other) == {"door_state": ["open", "closed"]}
    assert connection.execute(sa.text("SELECT state::text FROM door")).scalar() == "closed"


def test_drop_enum_value_recreates_the_type_and_converts_columns(ops, connection):
    op.create_table(
        "account",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "status",
            postgresql.ENUM("new", "active", "closed", name="status"),
            server_default="new",
        ),
        sa.Column("history", postgresql.ARRAY(postgresql.ENUM(name="status", create_type=False))),
    )
    connection.execute(
        sa.text("INSERT INTO account (id, status, history) VALUES (1, 'closed', '{new,closed}')")
    )
    op.drop_enum_value("status", "active")
    assert enums(connection) == {"status": ["new", "closed"]}
    assert type_comment(connection, "status") == IMPLICIT_TYPE_COMMENT  # still implicit
    row = connection.execute(sa.text("SELECT status, history::text[] FROM account")).one()
    assert tuple(row) == ("closed", ["new", "closed"])
    connection.execute(sa.text("INSERT INTO account (id) VALUES (2)"))
    assert connection.execute(sa.text("SELECT status FROM account WHERE id = 2")).scalar() == "new"
    # the implicit lifecycle still holds for the recreated type
    op.drop_table("account")
    assert enums(connection) == {}


def test_drop_enum_value_in_use_fails_and_changes_nothing(ops, connection):
    table = op.create_table("account", sa.Column("status", postgresql.ENUM("a", "b", name="st")))
    op.bulk_insert(table, [{"status": "b"}])
    connection.commit()
    with pytest.raises(sa.exc.DataError, match='invalid input value for enum st: "b"'):
        op.drop_enum_value("st", "b")
    connection.rollback()
    assert enums(connection) == {"st": ["a", "b"]}


def test_drop_enum_value_errors_name_the_type(ops, connection):
    op.create_enum("st", ["a"])
    with pytest.raises(MighubError, match=r"has no value 'z' \(values: a\)"):
        op.drop_enum_value("st", "z")
    with pytest.raises(MighubError, match="there is no enum type 'nope'"):
        op.drop_enum_value("nope", "z")


def test_every_enum_operation_reverses(ops, connection):
    steps = [
        CreateEnumOp("status", ["b"]),
        AddEnumValueOp("status", "a", before="b"),
        RenameEnumValueOp("status", "b", "c"),
        RenameEnumOp("status", "state"),
    ]
    seen = []
    for step in steps:
        op.invoke(step)
        seen.append(enums(connection))
    assert seen[-1] == {"state": ["a", "c"]}
    for step, before in zip(reversed(steps), [*reversed(seen[:-1]), {}], strict=True):
        op.invoke(step.reverse())
        assert enums(connection) == before


def test_reverse_objects():
    assert DropEnumValueOp("s", "v", after="u").reverse().after == "u"
    drop = DropEnumOp("s", values=["a"])
    assert (drop.reverse().name, drop.reverse().values) == ("s", ["a"])
    with pytest.raises(MighubError, match=r"pass values=\[\.\.\.\]"):
        DropEnumOp("s").reverse()
    with pytest.raises(MighubError, match="give before= or after=, not both"):
        AddEnumValueOp("s", "v", before="a", after="b")


# -- offline ---------------------------------------------------------------------------


COMMENT = IMPLICIT_TYPE_COMMENT


def test_offline_enum_operations():
    def fn():
        op.create_enum("status", ["a", "it's"], schema="s")
        op.add_enum_value("status", "b", after="a", if_not_exists=True, schema="s")
        op.add_enum_value("status", "0", before="a", schema="s")
        op.rename_enum_value("status", "b", "c", schema="s")
        op.rename_enum("status", "state", schema="s")
        op.drop_enum("state", schema="s", if_exists=True)

    assert offline(fn) == statements(
        "CREATE TYPE s.status AS ENUM ('a', 'it''s')",
        "ALTER TYPE s.status ADD VALUE IF NOT EXISTS 'b' AFTER 'a'",
        "ALTER TYPE s.status ADD VALUE '0' BEFORE 'a'",
        "ALTER TYPE s.status RENAME VALUE 'b' TO 'c'",
        "ALTER TYPE s.status RENAME TO state",
        "DROP TYPE IF EXISTS s.state",
    )


def test_offline_tables_create_a_type_once_and_sweep_on_drop():
    def fn():
        op.create_table("account", sa.Column("id", sa.Integer), status_column())
        op.create_table("invoice", sa.Column("id", sa.Integer), status_column())
        op.drop_table("invoice")

    sql = offline(fn)
    assert sql.count("CREATE TYPE status AS ENUM ('active', 'closed');") == 1
    assert sql.startswith(
        statements(
            "CREATE TYPE status AS ENUM ('active', 'closed')",
            f"COMMENT ON TYPE status IS '{COMMENT}'",
        )
    )
    drop = sql.index("DROP TABLE invoice;")
    assert sql.index("DO $$", drop) > drop  # the sweep follows the drop


def test_offline_drop_enum_value_needs_the_database():
    with pytest.raises(MighubError, match=r"it cannot run offline \(--sql\)"):
        offline(lambda: op.drop_enum_value("status", "a"))
