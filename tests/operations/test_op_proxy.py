"""``from mighub import op`` and ``use()``: which Operations a script reaches, and when."""

from __future__ import annotations

import asyncio
import threading

import pytest
import sqlalchemy as sa

import mighub.op
from mighub import op
from mighub.errors import MighubError
from mighub.operations import Operations, current, use
from tests._backends import offline_operations


def test_op_outside_a_migration_says_so():
    with pytest.raises(MighubError) as info:
        op.add_column("t", sa.Column("x", sa.Integer))
    assert str(info.value) == (
        "op.add_column used outside a migration: op works while mighub runs a revision "
        "script; to use it elsewhere, wrap the code in "
        "'with mighub.operations.use(Operations(...)):'"
    )


def test_unknown_operation_names_the_installed_ones():
    ops, _ = offline_operations("sqlite")
    with use(ops), pytest.raises(AttributeError) as info:
        op.add_colum  # noqa: B018
    message = str(info.value)
    assert message.startswith("there is no operation op.add_colum (installed operations: ")
    assert "add_column, alter_column, bulk_insert" in message
    assert message.endswith("operations come from plugins, see 'mighub plugins'")


def test_dunder_lookups_never_reach_the_operations():
    # import machinery and tools probe modules for these; they must not raise MighubError
    assert not hasattr(mighub.op, "__path__")
    assert not hasattr(mighub.op, "__wrapped__")


def test_use_nests_and_restores():
    first, _ = offline_operations("sqlite")
    second, _ = offline_operations("postgresql")
    with use(first):
        assert current() is first
        with use(second):
            assert current() is second
            assert op.get_bind().dialect.name == "postgresql"
        assert current() is first
    with pytest.raises(MighubError):
        current()


def test_use_restores_after_an_error():
    ops, _ = offline_operations("sqlite")
    with pytest.raises(RuntimeError), use(ops):
        raise RuntimeError("boom")
    with pytest.raises(MighubError):
        current()


def test_each_thread_sees_its_own_operations():
    ops, _ = offline_operations("sqlite")
    seen: list[object] = []

    def other_thread() -> None:
        try:
            current()
        except MighubError:
            seen.append("none")

    with use(ops):
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
        assert current() is ops
    assert seen == ["none"]


def test_each_task_sees_its_own_operations():
    a, buffer_a = offline_operations("sqlite")
    b, buffer_b = offline_operations("sqlite")

    async def migrate(ops: Operations, table: str) -> None:
        with use(ops):
            await asyncio.sleep(0)
            op.drop_table(table)
            await asyncio.sleep(0)
            op.drop_table(table + "_2")

    async def main() -> None:
        await asyncio.gather(migrate(a, "a"), migrate(b, "b"))

    asyncio.run(main())
    assert buffer_a.getvalue() == "DROP TABLE a;\n\nDROP TABLE a_2;\n\n"
    assert buffer_b.getvalue() == "DROP TABLE b;\n\nDROP TABLE b_2;\n\n"


def test_op_functions_carry_the_operation_signature():
    ops, _ = offline_operations("sqlite")
    with use(ops):
        add_column = op.add_column
        assert add_column.__name__ == "add_column"
        import inspect

        params = list(inspect.signature(add_column).parameters)
        assert params[:2] == ["table_name", "column"]
        assert "if_not_exists" in params
        assert "add_column" in dir(op)


def test_utilities():
    ops, _ = offline_operations("sqlite")
    with use(ops):
        name = op.f("ix_final")
        assert isinstance(name, sa.sql.elements.conv)
        assert name == "ix_final"
        with pytest.raises(MighubError, match=r"op.get_context\(\) has no migration context"):
            op.get_context()
        with pytest.raises(MighubError, match="cannot run in offline"):
            op.run_async(lambda conn: None)
    marker = object()
    ops.migration_context = marker
    with use(ops):
        assert op.get_context() is marker


def test_invoke_runs_an_operation_object():
    from mighub.operations.ops import RenameTableOp

    ops, buffer = offline_operations("sqlite")
    with use(ops):
        op.invoke(RenameTableOp("a", "b"))
    assert buffer.getvalue() == "ALTER TABLE a RENAME TO b;\n\n"


def test_default_builders_show_the_constructor_signature():
    import inspect

    ops, _ = offline_operations("sqlite")
    with use(ops):
        assert list(inspect.signature(op.execute).parameters) == ["sqltext", "execution_options"]
        assert list(inspect.signature(op.rename_table).parameters) == [
            "old_table_name",
            "new_table_name",
            "schema",
        ]
        assert op.bulk_insert.__doc__.startswith("``op.bulk_insert(table, rows")
