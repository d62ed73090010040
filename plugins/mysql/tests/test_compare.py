"""The autogenerate comparators, on what MariaDB really reports, and on MySQL's documented forms.

Each online test creates tables from a model on the test MariaDB server,
reflects them back, and checks that what only differs in the server's way of
reporting compares equal while real changes do not.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from mighub_mysql.compare import (
    compare_column_default,
    compare_column_type,
    defaults_match,
    ignore_implicit_fk_indexes,
    implicit_fk_indexes,
    model_default_text,
    normalize_default,
    reflected_default_text,
    types_match,
)
from sqlalchemy.dialects import mysql

from mighub.operations.ops import (
    NOT_GIVEN,
    AlterColumnOp,
    DropConstraintOp,
    DropIndexOp,
    ModifyTableOps,
)

ON_UPDATE = sa.text("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP")


def model() -> sa.MetaData:
    """A model with what the servers report differently from how it is written."""
    metadata = sa.MetaData()
    sa.Table("user", metadata, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "account",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("flag", mysql.TINYINT(display_width=1), server_default="0"),
        sa.Column("status", sa.Enum("on", "off", "gone"), server_default="on"),
        sa.Column("count", sa.Integer, server_default="5"),
        sa.Column("price", sa.Numeric(5, 2), server_default="1.5"),
        sa.Column("ratio", sa.Float, server_default=sa.text("0.25")),
        sa.Column("name", sa.String(40), server_default="it's"),
        sa.Column("word", sa.String(10), server_default="NULL"),
        sa.Column("code", sa.String(10, collation="utf8mb4_bin")),
        sa.Column("seen", sa.DateTime, server_default=sa.func.now()),
        sa.Column("stamp", mysql.DATETIME(fsp=3), server_default=sa.text("CURRENT_TIMESTAMP(3)")),
        sa.Column("changed", sa.TIMESTAMP, nullable=False, server_default=ON_UPDATE),
        sa.Column("total", sa.Integer, server_default=sa.text("(1 + 2)")),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("user.id", name="fk_account_user")),
        sa.Column("owner_id", sa.Integer),
        sa.ForeignKeyConstraint(["owner_id"], ["user.id"]),
        mysql_collate="utf8mb4_general_ci",
    )
    return metadata


@pytest.fixture
def reflected(connection):
    """The model created on MariaDB, and its ``account`` table reflected back."""
    metadata = model()
    metadata.create_all(connection)
    connection.commit()
    return metadata.tables["account"], sa.Table("account", sa.MetaData(), autoload_with=connection)


def table_defaults(table: sa.Table) -> dict[str, str]:
    options = {k.split("_", 1)[1]: v for k, v in table.kwargs.items()}
    return {"table_charset": options["default charset"], "table_collation": options["collate"]}


# -- on what MariaDB reports --------------------------------------------------


def test_every_reflected_type_matches_its_model(reflected):
    ours, theirs = reflected
    verdicts = {
        c.name: types_match(theirs.c[c.name].type, c.type, **table_defaults(theirs))
        for c in ours.columns
    }
    assert verdicts["active"] is True  # BOOL reflected as TINYINT(1)
    assert verdicts["flag"] is True
    assert verdicts["status"] is True  # ENUM, same values
    assert verdicts["code"] is None  # same collation: nothing to say
    assert False not in verdicts.values()
    assert type(theirs.c.active.type) is mysql.TINYINT


def test_every_reflected_default_matches_its_model(reflected, connection):
    ours, theirs = reflected
    mismatched = {
        c.name: (reflected_default_text(theirs.c[c.name].server_default), c.server_default)
        for c in ours.columns
        if not defaults_match(
            reflected_default_text(theirs.c[c.name].server_default),
            model_default_text(c.server_default, connection.dialect),
        )
    }
    assert mismatched == {}
    # What MariaDB reported, to show there was something to normalise:
    reported = {c.name: reflected_default_text(c.server_default) for c in theirs.columns}
    assert reported["count"] == "5"
    assert reported["price"] == "1.50"
    assert reported["seen"] == "current_timestamp()"
    assert reported["total"] == "(1 + 2)"
    assert reported["changed"] == "current_timestamp() ON UPDATE current_timestamp()"


def test_real_changes_are_not_hidden(reflected, connection):
    _, theirs = reflected
    defaults = table_defaults(theirs)
    assert types_match(theirs.c.status.type, sa.Enum("on", "off"), **defaults) is False
    assert types_match(theirs.c.status.type, sa.Enum("off", "on", "gone"), **defaults) is False
    assert types_match(theirs.c.code.type, sa.String(10, collation="utf8mb4_general_ci")) is False
    assert types_match(theirs.c.name.type, sa.String(40, collation="utf8mb4_bin"), **defaults) is (
        False
    )
    assert types_match(theirs.c.active.type, sa.Integer) is None  # the generic check decides
    changed = {
        "count": "6",
        "price": "1.25",
        "name": "its",
        "word": sa.text("NULL"),
        "seen": sa.text("CURRENT_DATE"),
        "changed": sa.text("CURRENT_TIMESTAMP"),
        "total": sa.text("1 + 3"),
    }
    for name, default in changed.items():
        model_text = model_default_text(sa.DefaultClause(default), connection.dialect)
        reported = reflected_default_text(theirs.c[name].server_default)
        assert not defaults_match(reported, model_text), name


def test_the_server_indexes_foreign_keys_that_have_none(reflected):
    _, theirs = reflected
    assert implicit_fk_indexes(theirs.indexes, theirs.foreign_key_constraints) == {
        "fk_account_user": "fk_account_user",  # named after the constraint
        "owner_id": "account_ibfk_1",  # no name given: after the column
    }


def test_an_index_the_model_declares_is_not_implicit(connection):
    metadata = sa.MetaData()
    sa.Table("user", metadata, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "account",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("user.id", name="fk_user"), index=True),
        sa.Column("other_id", sa.Integer, sa.ForeignKey("user.id", name="fk_other")),
        sa.Index("ix_other_unique", "other_id", unique=True),
    )
    metadata.create_all(connection)
    connection.commit()
    theirs = sa.Table("account", sa.MetaData(), autoload_with=connection)
    assert {ix.name for ix in theirs.indexes} == {"ix_account_user_id", "ix_other_unique"}
    assert implicit_fk_indexes(theirs.indexes, theirs.foreign_key_constraints) == {}


# -- the comparators, correcting what the generic ones produced ---------------------


class Context:
    """What the comparators use of autogenerate's context."""

    def __init__(self, dialect, connection=None):
        self.dialect = dialect
        self.connection = connection


def alter_op(**kw) -> AlterColumnOp:
    return AlterColumnOp("account", "c", **kw)


def test_compare_column_type_undoes_synonyms_and_adds_enum_changes(reflected, connection):
    ours, theirs = reflected
    context = Context(connection.dialect)
    flagged = alter_op(modify_type=ours.c.active.type, existing_type=theirs.c.active.type)
    compare_column_type(context, flagged, None, "account", "active", theirs.c.active, ours.c.active)
    assert flagged.modify_type is None

    unflagged = alter_op(existing_type=theirs.c.status.type)
    new_status = sa.Column("status", sa.Enum("on", "off"))
    compare_column_type(context, unflagged, None, "account", "status", theirs.c.status, new_status)
    assert list(unflagged.modify_type.enums) == ["on", "off"]
    assert list(unflagged.existing_type.enums) == ["on", "off", "gone"]

    other = alter_op(modify_type=sa.BigInteger(), existing_type=theirs.c.count.type)
    new_count = sa.Column("count", sa.BigInteger)
    compare_column_type(context, other, None, "account", "count", theirs.c.count, new_count)
    assert isinstance(other.modify_type, sa.BigInteger)  # not this plugin's business


def test_compare_column_default_undoes_spelling_changes(reflected, connection):
    ours, theirs = reflected
    context = Context(connection.dialect)
    for name in ("count", "price", "seen", "changed", "total", "active"):
        flagged = alter_op(modify_server_default=ours.c[name].server_default)
        compare_column_default(
            context, flagged, None, "account", name, theirs.c[name], ours.c[name]
        )
        assert flagged.modify_server_default is NOT_GIVEN, name
    real = sa.Column("count", sa.Integer, server_default="7")
    flagged = alter_op(modify_server_default=real.server_default)
    compare_column_default(context, flagged, None, "account", "count", theirs.c.count, real)
    assert flagged.modify_server_default is real.server_default


def test_ignore_implicit_fk_indexes_keeps_real_drops(reflected):
    _, theirs = reflected
    ops = ModifyTableOps(
        "account",
        [
            DropIndexOp("fk_account_user", "account"),
            DropIndexOp("owner_id", "account"),
            DropIndexOp("ix_gone", "account"),
            DropConstraintOp("account_ibfk_1", "account", "foreignkey"),
        ],
    )
    ignore_implicit_fk_indexes(None, ops, None, "account", theirs, None)
    assert [getattr(op, "index_name", None) or op.constraint_name for op in ops.ops] == [
        "owner_id",  # its foreign key goes too, so the index really goes
        "ix_gone",
        "account_ibfk_1",
    ]


# -- MySQL's forms, which no server here can produce --------------------------


@pytest.mark.parametrize(
    ("mysql_says", "mariadb_says"),
    [
        ("'5'", "5"),  # MySQL quotes numbers
        ("'1.50'", "1.50"),
        ("(now())", "current_timestamp()"),  # and parenthesises expressions
        ("CURRENT_TIMESTAMP", "current_timestamp()"),
        ("CURRENT_TIMESTAMP(3)", "current_timestamp(3)"),
        ("(1 + 2)", "(1 + 2)"),
        ("(concat(_utf8mb4'a',_utf8mb4'b'))", "concat('a','b')"),
        ("(`price` * 2)", "`price` * 2"),
        ("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP", "current_timestamp() ON UPDATE now()"),
        ("'it''s'", "'it''s'"),
        ("NULL", None),
    ],
)
def test_mysql_and_mariadb_spellings_match(mysql_says, mariadb_says):
    assert defaults_match(mysql_says, mariadb_says)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("'5'", "'6'"),
        ("'x'", "'X'"),  # literal text keeps its case
        ("'a b'", "'ab'"),  # and its spaces
        ("'NULL'", "NULL"),  # the word, not the value
        ("CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP(3)"),
        ("CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP"),
        ("(1 + 2)", "(1 + 3)"),
        ("(a) + (b)", "a + b + c"),
    ],
)
def test_real_default_changes_stay(one, other):
    assert not defaults_match(one, other)


def test_normalize_default_forms():
    assert normalize_default("((1 + 2))") == "1+2"
    assert normalize_default("(a) + (b)") == "(a)+(b)"  # not one pair around it all
    assert normalize_default("'(x)'") == "'(x)'"
    assert normalize_default("TRUE") == "1"
    assert normalize_default("5.00") == "5"
    assert normalize_default("now(6)") == "current_timestamp(6)"
    assert normalize_default("curdate()") == "current_date"


def test_types_match_on_mysql_types_without_a_server():
    assert types_match(mysql.TINYINT(display_width=1), sa.Boolean()) is True
    assert types_match(mysql.BOOLEAN(), mysql.TINYINT(1)) is True
    assert types_match(mysql.TINYINT(display_width=4), sa.Boolean()) is None
    assert types_match(mysql.TINYINT(display_width=1, unsigned=True), sa.Boolean()) is None
    assert types_match(mysql.ENUM("a", "b"), sa.Enum("a", "b")) is True
    assert types_match(mysql.ENUM("a", "b"), sa.Enum("a", "b", native_enum=False)) is None
    assert types_match(
        mysql.VARCHAR(10, charset="latin1"), mysql.VARCHAR(10, charset="utf8mb4")
    ) is (False)
    assert types_match(mysql.VARCHAR(10), sa.String(10, collation="utf8mb4_bin")) is None
    assert (
        types_match(
            mysql.VARCHAR(10),
            sa.String(10, collation="utf8mb4_bin"),
            table_collation="utf8mb4_general_ci",
        )
        is False
    )


def test_a_default_sqlalchemy_cannot_reflect_is_read_from_information_schema(connection):
    metadata = sa.MetaData()
    ours = sa.Table(
        "t",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(9), server_default=sa.text("concat('a', 'b')")),
    )
    metadata.create_all(connection)
    connection.commit()
    theirs = sa.Table("t", sa.MetaData(), autoload_with=connection)
    assert theirs.c.code.server_default is None  # SQLAlchemy's reflection misses it

    def compared(model_default, context) -> bool:
        op = alter_op(modify_server_default=sa.DefaultClause(model_default))
        column = sa.Column("code", sa.String(9), server_default=model_default)
        compare_column_default(context, op, None, "t", "code", theirs.c.code, column)
        return op.modify_server_default is not NOT_GIVEN

    same = ours.c.code.server_default.arg
    assert compared(same, Context(connection.dialect, connection)) is False
    assert compared(same, Context(connection.dialect)) is True  # no connection: cannot tell
    assert compared(sa.text("concat('a', 'c')"), Context(connection.dialect, connection))
    assert compared("ab", Context(connection.dialect, connection))  # a literal is not the call
