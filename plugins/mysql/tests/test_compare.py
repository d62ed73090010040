"""The autogenerate comparators, on what MariaDB really reports, and on MySQL's documented forms.

Each online test creates tables from a model on the test MariaDB server,
reflects them back, and checks that what only differs in the server's way of
reporting compares equal while real changes do not.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from mighub_mysql.compare import (
    defaults_match,
    model_default_text,
    normalize_default,
    reflected_default_text,
    types_match,
)
from sqlalchemy.dialects import mysql

from .conftest import found

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


# -- the comparators, correcting what the generic ones produced ---------------------


def test_autogenerate_finds_no_false_differences(reflected, connection):
    """BOOL/TINYINT(1), defaults as the server writes them, ENUM, collations, FK indexes."""
    assert found(connection, model()) == []


def test_autogenerate_finds_real_changes(reflected, connection):
    metadata = model()
    account = metadata.tables["account"]
    account.c.status.type = sa.Enum("on", "off")
    account.c["count"].server_default = sa.DefaultClause("7")
    account.c.code.type = sa.String(10, collation="utf8mb4_general_ci")
    sa.Index("ix_account_name", account.c.name)
    changes = found(connection, metadata)
    described = sorted(
        (type(o).__name__, getattr(o, "column_name", None) or getattr(o, "index_name", None))
        for o in changes
    )
    assert described == [
        ("AlterColumnOp", "code"),
        ("AlterColumnOp", "count"),
        ("AlterColumnOp", "status"),
        ("CreateIndexOp", "ix_account_name"),
    ]
    status = next(o for o in changes if getattr(o, "column_name", None) == "status")
    assert list(status.modify_type.enums) == ["on", "off"]


def test_autogenerate_drops_an_implicit_fk_index_only_with_its_foreign_key(reflected, connection):
    metadata = model()
    account = metadata.tables["account"]
    fk = next(c for c in account.constraints if getattr(c, "name", None) == "fk_account_user")
    account.constraints.discard(fk)
    account.foreign_keys.difference_update(fk.elements)
    account.c.user_id.foreign_keys.clear()
    changes = found(connection, metadata)
    assert sorted(
        (type(o).__name__, getattr(o, "constraint_name", None) or o.index_name) for o in changes
    ) == [("DropConstraintOp", "fk_account_user"), ("DropIndexOp", "fk_account_user")]


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
