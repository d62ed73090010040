"""The plugin is found through its entry point and provides its dialects to a plugin host."""

from __future__ import annotations

from importlib import metadata

import pytest
from mighub_postgresql import __version__
from mighub_postgresql.impl import PostgresqlImpl

from mighub.host import PluginHost


def test_entry_point_is_installed() -> None:
    (ep,) = [ep for ep in metadata.entry_points(group="mighub") if ep.name == "postgresql"]
    assert ep.value == "mighub_postgresql.plugin"
    assert ep.dist is not None and ep.dist.version == __version__


def test_host_loads_plugin_from_entry_point() -> None:
    host = PluginHost.for_cli(project_plugins=())
    (info,) = [p for p in host.plugins if p.name == "postgresql"]
    assert info.status == "loaded", info.error
    assert info.source == "entry point"
    assert info.hooks == [
        "mighub_register_comparators",
        "mighub_register_dialects",
        "mighub_register_operations",
        "mighub_register_renderers",
    ]


def test_dialects_resolve_to_implementation() -> None:
    host = PluginHost.for_cli(project_plugins=())
    for name in ["postgresql"]:
        impl = host.dialects.get(name)
        assert impl is PostgresqlImpl
        assert impl.transactional_ddl is True
        assert impl.batch_separator is None
    assert {e.plugin for e in host.dialects.entries() if e.key in ["postgresql"]} == {"postgresql"}


def test_disabled_plugin_provides_nothing() -> None:
    host = PluginHost.for_cli(disabled=["postgresql"], project_plugins=())
    assert [p.status for p in host.plugins if p.name == "postgresql"] == ["disabled"]
    for name in ["postgresql"]:
        assert name not in host.dialects


def test_operations_are_registered_for_postgresql_only() -> None:
    from mighub_postgresql.ops import CreateEnumOp

    from mighub.errors import PluginError

    host = PluginHost.for_cli(project_plugins=())
    assert {e.key for e in host.operations.by_plugin("postgresql")} == {
        "create_exclude_constraint",
        "create_enum",
        "drop_enum",
        "add_enum_value",
        "drop_enum_value",
        "rename_enum_value",
        "rename_enum",
        "create_sequence",
        "alter_sequence",
        "drop_sequence",
    }
    batch = {e.key for e in host.operations.entries() if e.value.batch}
    assert "create_exclude_constraint" in batch and "create_enum" not in batch
    with pytest.raises(PluginError) as error:
        host.operations.implementation_for(CreateEnumOp, "sqlite")
    assert str(error.value) == (
        "no implementation is registered for operation CreateEnumOp on dialect 'sqlite'"
    )


def test_plugin_module_imports_no_sqlalchemy() -> None:
    """Commands that never touch a database load the plugin without paying for SQLAlchemy."""
    import subprocess
    import sys

    code = (
        "import sys, mighub_postgresql.plugin; "
        "print(any(m == 'sqlalchemy' or m.startswith('sqlalchemy.') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
