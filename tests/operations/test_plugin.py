"""The builtin ``mighub.operations`` plugin, and plugins that add or replace operations."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from mighub import hookimpl, op
from mighub.errors import MighubError, PluginError
from mighub.host import PluginHost
from mighub.operations import Operation, use
from mighub.operations import ops as o
from tests._backends import offline_operations, online_operations

CORE = {
    "add_column": True,
    "alter_column": True,
    "bulk_insert": False,
    "create_check_constraint": True,
    "create_foreign_key": True,
    "create_index": True,
    "create_primary_key": True,
    "create_table": False,
    "create_table_comment": True,
    "create_unique_constraint": True,
    "drop_column": True,
    "drop_constraint": True,
    "drop_index": True,
    "drop_table": False,
    "drop_table_comment": True,
    "execute": True,
    "rename_table": True,
}


def builtin_host() -> PluginHost:
    host = PluginHost()
    host.load_builtins()
    return host


def test_builtin_plugin_registers_every_core_operation():
    host = builtin_host()
    registry = host.operations
    got = {e.key: e.value.batch for e in registry.entries()}
    assert got == CORE
    assert {e.plugin for e in registry.entries()} == {"mighub.operations"}
    assert host.registrations("mighub.operations")["operations"][:2] == [
        "create_table",
        "drop_table",
    ]
    for name in CORE:
        op_class = next(e.value.op_class for e in registry.entries() if e.key == name)
        assert callable(registry.implementation_for(op_class, "sqlite"))
        assert issubclass(op_class, Operation)


def test_loading_builtins_and_operations_does_not_import_sqlalchemy():
    code = (
        "import sys\n"
        "from mighub.host import PluginHost\n"
        "import mighub.op, mighub.operations\n"
        "from mighub import op\n"
        "host = PluginHost.for_cli(entry_points=False)\n"
        "assert 'mighub.operations' in [p.name for p in host.plugins]\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'sqlalchemy')\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@dataclass(eq=False)
class CreateViewOp(Operation):
    """A project's own operation, to show the plugin API end to end."""

    op_name = "create_view"

    view_name: str
    select: str

    def reverse(self) -> DropViewOp:
        return DropViewOp(self.view_name, self)


@dataclass(eq=False)
class DropViewOp(Operation):
    op_name = "drop_view"

    view_name: str
    _reverse: CreateViewOp | None = None


class ViewPlugin:
    @hookimpl
    def mighub_register_operations(self, registry):
        registry.register_operation("create_view", CreateViewOp)
        registry.register_implementation(CreateViewOp, self.create_view)
        registry.register_implementation(CreateViewOp, self.create_view_sqlite, dialect="sqlite")

    @staticmethod
    def create_view(operations, view):
        operations.impl.execute(f"CREATE VIEW {view.view_name} AS {view.select}")

    @staticmethod
    def create_view_sqlite(operations, view):
        operations.impl.execute(f"CREATE VIEW IF NOT EXISTS {view.view_name} AS {view.select}")


def test_a_plugin_adds_an_operation_with_a_dialect_specific_implementation():
    host = builtin_host()
    host.register(ViewPlugin(), "views")
    for dialect, expected in [
        ("postgresql", "CREATE VIEW v AS SELECT 1;\n\n"),
        ("sqlite", "CREATE VIEW IF NOT EXISTS v AS SELECT 1;\n\n"),
    ]:
        ops, buffer = offline_operations(dialect, host=host)
        with use(ops):
            op.create_view("v", "SELECT 1")
        assert buffer.getvalue() == expected
    assert isinstance(CreateViewOp("v", "x").reverse(), DropViewOp)


class ReplaceAddColumn:
    @hookimpl
    def mighub_register_operations(self, registry):
        registry.register_implementation(
            o.AddColumnOp, lambda operations, add: operations.impl.static_output("-- custom")
        )


def test_replacing_a_core_implementation_needs_replace_true():
    host = builtin_host()
    host.register(ReplaceAddColumn(), "mine")
    with pytest.raises(PluginError) as info:
        host.operations  # noqa: B018
    assert str(info.value) == (
        "implementation for AddColumnOp on dialect 'default' is registered by both plugin "
        "'mighub.operations' and plugin 'mine'; the later one must pass replace=True to "
        "override it"
    )


def test_a_dialect_plugin_overrides_one_operation_for_its_dialect():
    class Plugin:
        @hookimpl
        def mighub_register_operations(self, registry):
            registry.register_implementation(
                o.AddColumnOp,
                lambda operations, add: operations.impl.static_output(f"-- {add.table_name}"),
                dialect="postgresql",
            )

    host = builtin_host()
    host.register(Plugin(), "pg-add-column")
    ops, buffer = offline_operations("postgresql", host=host)
    ops.impl.name = "postgresql"  # what a PostgreSQL DialectImpl subclass says
    with use(ops):
        op.add_column("t", sa.Column("x", sa.Integer))
    assert buffer.getvalue() == "-- t\n\n"


def test_run_async_awaits_on_the_migration_connection(tmp_path):
    pytest.importorskip("aiosqlite")
    pytest.importorskip("greenlet")
    from sqlalchemy.ext.asyncio import create_async_engine

    async def count(async_connection, table):
        result = await async_connection.execute(sa.text(f"SELECT count(*) FROM {table}"))
        return result.scalar()

    def migrate(connection):
        ops = online_operations(connection)
        with use(ops):
            op.create_table("t", sa.Column("id", sa.Integer, primary_key=True))
            op.execute("INSERT INTO t (id) VALUES (1), (2)")
            return op.run_async(count, "t")

    async def main():
        engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}")
        async with engine.connect() as connection:
            result = await connection.run_sync(migrate)
        await engine.dispose()
        return result

    import asyncio

    assert asyncio.run(main()) == 2


def test_run_async_needs_an_async_driver(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'a.db'}")
    with engine.connect() as connection:
        ops = online_operations(connection)
        with use(ops), pytest.raises(MighubError) as info:
            op.run_async(lambda c: None)
    assert str(info.value) == (
        "op.run_async needs an async driver (such as sqlite+aiosqlite or postgresql+asyncpg); "
        "this connection uses 'pysqlite'"
    )
