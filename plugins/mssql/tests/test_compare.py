"""Autogenerate's SQL Server rules: defaults, type synonyms and identities as SQL Server means them.

The reflected side is built by SQLAlchemy's own mssql reflection code
(``_parse_column_info``) from the values SQL Server's catalog holds, so the
types, defaults and identities are the ones a real inspection returns.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from mighub_mssql.compare import (
    compare_column,
    defaults_equivalent,
    identity_differences,
    normalize_default,
    normalize_index_options,
    render_default,
    types_equivalent,
)
from sqlalchemy.dialects import mssql

from mighub.ddl.impl import NOT_GIVEN
from mighub.operations.ops import AlterColumnOp

LATIN = "SQL_Latin1_General_CP1_CI_AS"


def reflected(
    name: str,
    type_name: str,
    *,
    max_length: int | None = None,
    precision: int | None = None,
    scale: int | None = None,
    default: str | None = None,
    collation: str | None = None,
    identity: tuple[int, int] | None = None,
    nullable: bool = True,
) -> sa.Column[Any]:
    """A column as SQLAlchemy reflects it from sys.columns (``max_length`` in bytes)."""
    info = mssql.dialect()._parse_column_info(
        name,
        type_name,
        nullable,
        max_length,
        precision,
        scale,
        default,
        collation,
        None,
        None,
        1 if identity else None,
        identity[0] if identity else None,
        identity[1] if identity else None,
        None,
    )
    args: list[Any] = []
    if "identity" in info:
        args.append(sa.Identity(**info["identity"]))
    column = sa.Column(
        info["name"],
        info["type"],
        *args,
        nullable=info["nullable"],
        server_default=sa.text(info["default"]) if info["default"] is not None else None,
        autoincrement=info["autoincrement"],
    )
    sa.Table("account", sa.MetaData(), column)
    return column


def model(column: sa.Column[Any], *others: sa.Column[Any]) -> sa.Column[Any]:
    sa.Table("account", sa.MetaData(), column, *others)
    return column


# ---------------------------------------------------------------------------
# Server defaults
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "declared"),
    [
        ("((0))", "0"),
        ("('0')", "'0'"),
        ("((0))", "'0'"),  # SQL Server converts the string
        ("('abc')", "'abc'"),
        ("(N'abc')", "'abc'"),
        ("('it''s')", "N'it''s'"),
        ("(getdate())", "getdate()"),
        ("(getdate())", "CURRENT_TIMESTAMP"),
        ("(newid())", "NEWID()"),
        ("(CONVERT([bit],(0)))", "CONVERT(bit, 0)"),
        ("((1)+(2))", "1 + 2"),
        ("((1.5))", "1.5"),
        (None, None),
    ],
)
def test_defaults_as_sql_server_stores_them_equal_the_declared_ones(stored, declared):
    assert defaults_equivalent(stored, declared)


@pytest.mark.parametrize(
    ("stored", "declared"),
    [
        ("((0))", "1"),
        ("('abc')", "'ABC'"),  # a string's text is compared as it is
        ("('a  b')", "'a b'"),
        ("('(1)')", "1"),  # parentheses inside a string are text
        ("(round((1.5),(0)))", "round(1.5, 1)"),
        ("(getdate())", "getutcdate()"),
        ("((0))", None),
        (None, "0"),
    ],
)
def test_different_defaults_stay_different(stored, declared):
    assert not defaults_equivalent(stored, declared)


def test_normal_form():
    assert normalize_default("(CONVERT([bit],(0)))") == "convert(bit,0)"
    assert normalize_default("('(x)')") == "'(x)'"
    assert normalize_default("round(1)") == "round(1)"


def test_model_defaults_are_rendered_as_sql_server_ddl_writes_them():
    assert render_default("0") == "'0'"
    assert render_default(sa.text("getdate()")) == "getdate()"
    assert render_default(sa.func.current_timestamp()) == "CURRENT_TIMESTAMP"
    assert render_default(sa.schema.DefaultClause(sa.text("((0))"))) == "((0))"
    assert render_default(sa.schema.FetchedValue()) is None
    assert render_default(None) is None


# ---------------------------------------------------------------------------
# Types
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "declared"),
    [
        (reflected("name", "nvarchar", max_length=100, collation=LATIN), sa.String(50)),
        (reflected("name", "varchar", max_length=50, collation=LATIN), sa.Unicode(50)),
        (reflected("name", "nvarchar", max_length=-1, collation=LATIN), sa.String()),
        (reflected("name", "nvarchar", max_length=-1, collation=LATIN), sa.Text()),
        (reflected("code", "nchar", max_length=10, collation=LATIN), sa.CHAR(5)),
        (reflected("name", "varchar", max_length=50, collation=LATIN), sa.String(50)),
        (
            reflected("name", "nvarchar", max_length=100, collation=LATIN),
            sa.VARCHAR(50, collation=LATIN),
        ),
        (reflected("n", "int"), sa.Integer()),
        (reflected("n", "decimal", precision=10, scale=2), sa.Numeric(10, 2)),
    ],
)
def test_synonyms_and_collations_are_no_change(column, declared):
    assert types_equivalent(column.type, declared) is True


@pytest.mark.parametrize(
    ("column", "declared"),
    [
        (reflected("name", "nvarchar", max_length=100, collation=LATIN), sa.String(100)),
        (reflected("name", "nvarchar", max_length=100, collation=LATIN), sa.String()),
        (reflected("code", "nchar", max_length=10, collation=LATIN), sa.String(5)),
        (
            reflected("name", "varchar", max_length=50, collation=LATIN),
            sa.String(50, collation="Latin1_General_BIN2"),
        ),
        (reflected("n", "int"), sa.BigInteger()),
        (reflected("n", "decimal", precision=10, scale=2), sa.Numeric(12, 2)),
    ],
)
def test_real_type_changes_are_left_to_the_generic_comparison(column, declared):
    assert types_equivalent(column.type, declared) is None


# ---------------------------------------------------------------------------
# Identity
# ---------------------------------------------------------------------------


def test_identity_compares_seed_and_increment_only():
    assert (
        identity_differences(
            sa.Identity(start=1, increment=1),
            sa.Identity(start=1, increment=1, cycle=True, cache=5),
        )
        == []
    )
    assert identity_differences(sa.Identity(start=1, increment=1), sa.Identity()) == []
    assert identity_differences(sa.Identity(start=1, increment=1), sa.Identity(start=100)) == [
        "start"
    ]
    assert identity_differences(
        sa.Identity(start=5, increment=2), sa.Identity(start=1, increment=1)
    ) == ["start", "increment"]
    assert identity_differences(None, sa.Identity()) == ["identity"]
    assert identity_differences(sa.Identity(start=1, increment=1), None) == ["identity"]
    assert identity_differences(None, None) == []


def test_an_autoincrement_key_is_the_identity_the_database_reflects():
    assert (
        identity_differences(sa.Identity(start=1, increment=1), None, implicit_identity=True) == []
    )
    assert identity_differences(
        sa.Identity(start=10, increment=1), None, implicit_identity=True
    ) == ["start"]


def test_empty_reflected_index_options_are_dropped():
    options = {"mssql_include": [], "mssql_clustered": False, "mssql_where": None}
    assert normalize_index_options(options) == {"mssql_where": None}
    kept = {"mssql_include": ["a"], "mssql_clustered": True}
    assert normalize_index_options(kept) == kept


# ---------------------------------------------------------------------------
# The comparator, reviewing what the generic comparators found
# ---------------------------------------------------------------------------


def reported(inspected: sa.Column[Any], **changes: Any) -> AlterColumnOp:
    """An AlterColumnOp as a generic comparator fills it for ``inspected``."""
    return AlterColumnOp(
        "account",
        inspected.name,
        existing_type=inspected.type,
        existing_nullable=inspected.nullable,
        **changes,
    )


def run(op: AlterColumnOp, inspected: sa.Column[Any], declared: sa.Column[Any]) -> AlterColumnOp:
    assert compare_column(None, op, None, "account", inspected.name, inspected, declared) is None
    return op


def test_comparator_withdraws_a_synonym_type_and_keeps_a_real_change():
    inspected = reflected("name", "nvarchar", max_length=100, collation=LATIN)
    op = run(
        reported(inspected, modify_type=sa.String(50)),
        inspected,
        model(sa.Column("name", sa.String(50))),
    )
    assert op.modify_type is None
    assert not op.has_changes()
    op = run(
        reported(inspected, modify_type=sa.String(80)),
        inspected,
        model(sa.Column("name", sa.String(80))),
    )
    assert isinstance(op.modify_type, sa.String) and op.modify_type.length == 80


def test_comparator_withdraws_a_default_sql_server_only_spelled_differently():
    inspected = reflected("age", "int", default="((0))")
    same = model(sa.Column("age", sa.Integer, server_default="0"))
    op = run(reported(inspected, modify_server_default=same.server_default), inspected, same)
    assert op.modify_server_default is NOT_GIVEN
    changed = model(sa.Column("age", sa.Integer, server_default="18"))
    op = run(reported(inspected, modify_server_default=changed.server_default), inspected, changed)
    assert op.modify_server_default is changed.server_default


def test_comparator_withdraws_the_identity_of_an_autoincrement_key():
    inspected = reflected("id", "int", identity=(1, 1), nullable=False)
    key = model(sa.Column("id", sa.Integer, primary_key=True))
    op = run(reported(inspected, modify_server_default=None), inspected, key)
    assert op.modify_server_default is NOT_GIVEN
    seeded = model(sa.Column("id", sa.Integer, sa.Identity(start=1000), primary_key=True))
    op = run(reported(inspected, modify_server_default=seeded.identity), inspected, seeded)
    assert op.modify_server_default is seeded.identity


def test_comparator_leaves_untouched_what_was_not_reported():
    inspected = reflected("age", "int", default="((0))", nullable=False)
    op = run(
        reported(inspected, modify_nullable=True), inspected, model(sa.Column("age", sa.Integer))
    )
    assert op.modify_nullable is True
    assert op.modify_type is None and op.modify_server_default is NOT_GIVEN
