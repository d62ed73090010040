"""The plugin is found through its entry point and loads cleanly."""

from __future__ import annotations

from importlib import metadata

from mighub_sqlite_batch import __version__

from mighub.host import PluginHost


def test_entry_point_is_installed() -> None:
    (ep,) = [ep for ep in metadata.entry_points(group="mighub") if ep.name == "sqlite_batch"]
    assert ep.value == "mighub_sqlite_batch.plugin"
    assert ep.dist is not None and ep.dist.version == __version__


def test_host_loads_plugin_from_entry_point() -> None:
    host = PluginHost.for_cli(project_plugins=())
    (info,) = [p for p in host.plugins if p.name == "sqlite_batch"]
    assert info.status == "loaded", info.error
    assert info.source == "entry point"
    assert info.distribution == "mighub-sqlite-batch"
