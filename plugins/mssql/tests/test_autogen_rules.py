"""SQL Server's rules inside autogen's real comparison, without a server.

The database side is what SQLAlchemy's own mssql reflection code
(``_parse_column_info``) makes of the values SQL Server's catalog holds,
wrapped as autogen wraps an inspection (``ReflectedColumn.from_inspector``);
autogen's table comparison (``compare_table_pair``) then runs every
comparator, normaliser and type synonym the plugin host has for ``mssql``.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from mighub_autogen.compare import compare_table_pair
from mighub_autogen.context import AutogenContext
from mighub_autogen.reflect import ReflectedColumn, ReflectedPrimaryKey, ReflectedTable
from sqlalchemy.dialects import mssql

from mighub.ddl.impl import NOT_GIVEN
from mighub.host import PluginHost
from mighub.operations.ops import AlterColumnOp

LATIN = "SQL_Latin1_General_CP1_CI_AS"


@pytest.fixture
def host() -> PluginHost:
    """The builtins, mighub-autogen and this plugin, as the CLI loads them from entry points."""
    import mighub_autogen.plugin
    import mighub_mssql.plugin

    host = PluginHost()
    host.load_builtins()
    host.register(mighub_autogen.plugin, "autogen", source="entry point")
    host.register(mighub_mssql.plugin, "mssql", source="entry point")
    host.check_healthy()
    return host


def catalog_column(
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
) -> dict[str, Any]:
    """A column as SQLAlchemy's inspector returns it from sys.columns (``max_length`` in bytes)."""
    return mssql.dialect()._parse_column_info(
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


def differences(host: PluginHost, model: sa.Column[Any], **stored: Any) -> dict[str, Any]:
    """What autogen's comparison finds between ``model`` and the stored column: ``modify_*``."""
    database = ReflectedTable(None, "account")
    info = catalog_column(model.name, **stored)
    database.columns[model.name] = ReflectedColumn.from_inspector(info, database)
    table = sa.Table("account", sa.MetaData(), model)
    if model.primary_key:
        database.primary_key = ReflectedPrimaryKey(f"PK__account__{model.name}", [model.name])
    dialect = mssql.dialect()
    dialect.deprecate_large_types = True
    context = AutogenContext(table.metadata, dialect=dialect, comparators=host.comparators)
    ops = compare_table_pair(context, database, table).ops
    (alter,) = [op for op in ops if isinstance(op, AlterColumnOp)] or [None]
    if alter is None:
        return {}
    found: dict[str, Any] = {}
    if alter.modify_type is not None:
        found["type"] = str(alter.modify_type.compile(dialect=dialect))
    if alter.modify_nullable is not None:
        found["nullable"] = alter.modify_nullable
    if alter.modify_server_default is not NOT_GIVEN:
        found["server_default"] = alter.modify_server_default
    return found


def test_the_rules_are_registered_for_mssql(host: PluginHost) -> None:
    synonyms = host.comparators.type_synonyms("mssql")
    assert synonyms == {"NVARCHAR": "VARCHAR", "NCHAR": "CHAR", "NUMERIC": "DECIMAL"}
    assert "NVARCHAR" not in host.comparators.type_synonyms("postgresql")
    assert [n.name for n in host.comparators.normalisers("server_default", "mssql")] == [
        "mssql.server_default"
    ]
    assert [n.name for n in host.comparators.normalisers("type", "mssql")] == ["mssql.type"]
    assert "mssql.identity" in [c.name for c in host.comparators.chain("column", "mssql")]
    assert "mssql.identity" not in [c.name for c in host.comparators.chain("column", "sqlite")]
    # it runs after the generic comparators, whose findings it reviews
    assert host.comparators.chain("column", "mssql")[-1].name == "mssql.identity"


@pytest.mark.parametrize(
    ("stored", "model"),
    [
        (dict(type_name="nvarchar", max_length=100, collation=LATIN), sa.String(50)),
        (dict(type_name="varchar", max_length=50, collation=LATIN), sa.String(50)),
        (dict(type_name="nchar", max_length=20, collation=LATIN), sa.CHAR(10)),
        (dict(type_name="nvarchar", max_length=-1, collation=LATIN), sa.String()),
        (dict(type_name="numeric", precision=10, scale=2), sa.DECIMAL(10, 2)),
        (dict(type_name="decimal", precision=10, scale=2), sa.Numeric(10, 2)),
        (
            dict(type_name="varchar", max_length=50, collation=LATIN),
            sa.String(50, collation=LATIN),
        ),
    ],
)
def test_synonyms_and_reported_collations_are_no_change(host, stored, model) -> None:
    assert differences(host, sa.Column("name", model), **stored) == {}


@pytest.mark.parametrize(
    ("stored", "model", "found"),
    [
        (dict(type_name="nvarchar", max_length=100), sa.String(80), "VARCHAR(80)"),
        (dict(type_name="numeric", precision=10, scale=2), sa.Numeric(12, 2), "NUMERIC(12, 2)"),
        (
            dict(type_name="varchar", max_length=50, collation=LATIN),
            sa.String(50, collation="Latin1_General_BIN"),
            "VARCHAR(50) COLLATE Latin1_General_BIN",
        ),
        (dict(type_name="int"), sa.BigInteger(), "BIGINT"),
    ],
)
def test_real_type_changes_are_found(host, stored, model, found) -> None:
    assert differences(host, sa.Column("name", model), **stored) == {"type": found}


@pytest.mark.parametrize(
    ("stored", "declared"),
    [
        ("((0))", "0"),
        ("('0')", sa.text("0")),
        ("(N'0')", "0"),
        ("(N'abc')", "abc"),
        ("('it''s')", "it's"),
        ("(getdate())", sa.func.getdate()),
        ("(getdate())", sa.text("CURRENT_TIMESTAMP")),
        ("(CONVERT([bit],(0)))", sa.text("CONVERT(bit, 0)")),
        ("((1)+(2))", sa.text("1 + 2")),
        ("((1.5))", "1.50"),
    ],
)
def test_defaults_as_sql_server_stores_them_are_no_change(host, stored, declared) -> None:
    model = sa.Column("age", sa.Integer, server_default=declared)
    assert differences(host, model, type_name="int", default=stored) == {}


@pytest.mark.parametrize(
    ("stored", "declared"),
    [("((0))", "1"), ("('abc')", "ABC"), ("(getdate())", sa.text("getutcdate()")), (None, "0")],
)
def test_changed_defaults_are_found(host, stored, declared) -> None:
    model = sa.Column("age", sa.Integer, server_default=declared)
    found = differences(host, model, type_name="int", default=stored)
    assert found == {"server_default": model.server_default}


def test_an_autoincrement_key_is_the_identity_the_database_reflects(host) -> None:
    key = sa.Column("id", sa.Integer, primary_key=True)
    assert differences(host, key, type_name="int", identity=(1, 1), nullable=False) == {}
    always = sa.Column("id", sa.Integer, sa.Identity(always=True, cache=5), primary_key=True)
    assert differences(host, always, type_name="int", identity=(1, 1), nullable=False) == {}


def test_identity_changes_are_found(host) -> None:
    seeded = sa.Column("id", sa.Integer, sa.Identity(start=1000), primary_key=True)
    found = differences(host, seeded, type_name="int", identity=(1, 1), nullable=False)
    assert list(found) == ["server_default"]
    assert repr(found["server_default"]) == "Identity(start=1000)"
    plain = sa.Column("n", sa.Integer, nullable=False)
    found = differences(host, plain, type_name="int", identity=(1, 1), nullable=False)
    assert found == {"server_default": None}
    # a column that becomes an identity: the model's Identity, copied
    becomes = sa.Column("n", sa.Integer, sa.Identity(start=5, increment=2), nullable=False)
    found = differences(host, becomes, type_name="int", nullable=False)
    assert repr(found["server_default"]) == "Identity(start=5, increment=2)"
    assert found["server_default"] is not becomes.identity
