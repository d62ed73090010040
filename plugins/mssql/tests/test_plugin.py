"""The plugin is found through its entry point and provides its dialects to a plugin host."""

from __future__ import annotations

from importlib import metadata

from mighub_mssql import __version__
from mighub_mssql.impl import MSSQLImpl

from mighub.host import PluginHost


def test_entry_point_is_installed() -> None:
    (ep,) = [ep for ep in metadata.entry_points(group="mighub") if ep.name == "mssql"]
    assert ep.value == "mighub_mssql.plugin"
    assert ep.dist is not None and ep.dist.version == __version__


def test_host_loads_plugin_from_entry_point() -> None:
    host = PluginHost.for_cli(project_plugins=())
    (info,) = [p for p in host.plugins if p.name == "mssql"]
    assert info.status == "loaded", info.error
    assert info.source == "entry point"
    assert info.hooks == [
        "mighub_register_comparators",
        "mighub_register_dialects",
        "mighub_register_operations",
    ]


def test_dialects_resolve_to_implementation() -> None:
    host = PluginHost.for_cli(project_plugins=())
    for name in ["mssql"]:
        impl = host.dialects.get(name)
        assert impl is MSSQLImpl
        assert impl.transactional_ddl is True
        assert impl.batch_separator == "GO"
    assert {e.plugin for e in host.dialects.entries() if e.key in ["mssql"]} == {"mssql"}


def test_disabled_plugin_provides_nothing() -> None:
    host = PluginHost.for_cli(disabled=["mssql"], project_plugins=())
    assert [p.status for p in host.plugins if p.name == "mssql"] == ["disabled"]
    for name in ["mssql"]:
        assert name not in host.dialects
