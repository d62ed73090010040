"""The fast entry-point reader agrees with importlib.metadata on the real environment."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

from mighub import entry_points as reader


def oracle(group: str) -> set[tuple[str, str, str | None, str | None]]:
    return {
        (ep.name, ep.value, ep.dist.metadata["Name"], ep.dist.version)
        for ep in metadata.entry_points(group=group)
    }


def ours(group: str) -> set[tuple[str, str, str | None, str | None]]:
    return {(e.name, e.value, e.distribution, e.version) for e in reader.entry_points(group)}


def test_agrees_on_the_mighub_group() -> None:
    assert ours("mighub") == oracle("mighub")
    assert {e[0] for e in ours("mighub")} >= {"postgresql", "mssql", "mysql", "autogen"}


def test_agrees_on_a_busy_group() -> None:
    assert ours("console_scripts") == oracle("console_scripts")


def test_first_distribution_on_sys_path_wins(tmp_path: Path, monkeypatch) -> None:
    for where, version in (("first", "2.0"), ("second", "1.0")):
        meta = tmp_path / where / f"shadow_pkg-{version}.dist-info"
        meta.mkdir(parents=True)
        (meta / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: shadow-pkg\nVersion: {version}\n\n"
        )
        (meta / "entry_points.txt").write_text(
            f"[mighub.test]\nshadow = shadow_{where}.plugin\n\n[other]\nx = y:z\n"
        )
    monkeypatch.syspath_prepend(str(tmp_path / "second"))
    monkeypatch.syspath_prepend(str(tmp_path / "first"))
    assert ours("mighub.test") == oracle("mighub.test")
    assert ours("mighub.test") == {("shadow", "shadow_first.plugin", "shadow-pkg", "2.0")}


def test_egg_info_directories(tmp_path: Path, monkeypatch) -> None:
    meta = tmp_path / "old_style.egg-info"
    meta.mkdir()
    (meta / "PKG-INFO").write_text("Metadata-Version: 1.2\nName: old-style\nVersion: 0.9\n\n")
    (meta / "entry_points.txt").write_text("[mighub.test]\nold = old_style.plugin:hooks\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert (
        ours("mighub.test")
        == oracle("mighub.test")
        == {("old", "old_style.plugin:hooks", "old-style", "0.9")}
    )


def test_zip_on_sys_path_falls_back(tmp_path: Path, monkeypatch) -> None:
    archive = tmp_path / "bundle.zip"
    archive.write_bytes(b"")
    monkeypatch.syspath_prepend(str(archive))
    assert reader._needs_importlib_metadata()


def test_load_resolves_module_and_attribute() -> None:
    ep = reader.EntryPoint("x", "mighub.hookspecs:hookimpl", "g", None, None)
    from mighub.hookspecs import hookimpl

    assert ep.load() is hookimpl


def test_plugin_discovery_does_not_import_importlib_metadata(tmp_path: Path) -> None:
    code = (
        "import sys; from mighub.host import PluginHost; PluginHost.for_cli(); "
        "print('importlib.metadata' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.stdout.strip() == "False", done.stderr
