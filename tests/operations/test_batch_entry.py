"""``op.batch_alter_table`` in the kernel: it checks ``recreate``, then asks for a strategy."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from mighub import hookimpl
from mighub.errors import MighubError
from mighub.operations import BatchOperations
from tests._backends import offline_operations, plugin_host


def test_without_a_strategy_the_error_says_which_plugin_to_install() -> None:
    ops, _ = offline_operations("sqlite")
    ops.host = plugin_host()  # builtins only: nothing answers mighub_batch_strategy
    with pytest.raises(MighubError) as info, ops.batch_alter_table("account"):
        pass
    assert str(info.value) == (
        "op.batch_alter_table('account') needs a batch strategy for the sqlite dialect and no "
        "plugin provides one; install mighub-sqlite-batch (pip install mighub-sqlite-batch), "
        "and check 'mighub plugins' that it is loaded"
    )


def test_recreate_must_be_one_of_three_words() -> None:
    ops, _ = offline_operations("sqlite")
    expected = "recreate must be 'auto', 'always' or 'never'"
    with pytest.raises(MighubError, match=expected), ops.batch_alter_table("t", recreate="x"):
        pass


def test_the_latest_plugin_answers_and_receives_every_argument() -> None:
    seen: dict[str, object] = {}

    class Strategy:
        @contextmanager
        def batch_alter_table(self, operations, table_name, **options):
            seen.update(options, table_name=table_name)
            yield BatchOperations(
                operations.impl, registry=operations.registry, table_name=table_name
            )

    class Plugin:
        @hookimpl
        def mighub_batch_strategy(self, dialect_name):
            seen["dialect_name"] = dialect_name
            return Strategy()

    host = plugin_host()
    host.register(Plugin(), "project_batch")
    ops, buffer = offline_operations("sqlite", host=host)
    ops.host = host
    with ops.batch_alter_table("account", recreate="never", table_kwargs={"k": 1}) as batch_op:
        batch_op.add_column(sa.Column("x", sa.Integer))
    assert seen["dialect_name"] == "sqlite"
    assert seen["table_name"] == "account"
    assert seen["recreate"] == "never"
    assert seen["table_kwargs"] == {"k": 1}
    assert seen["copy_from"] is None
    assert "ALTER TABLE account ADD COLUMN x INTEGER" in buffer.getvalue()
