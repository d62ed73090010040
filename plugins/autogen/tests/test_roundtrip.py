"""The round trip on real databases: autogenerate from nothing, upgrade, check clean,
downgrade to nothing; then each kind of change autogenerates exactly its operation."""

from __future__ import annotations

import builtins
import dis
import importlib.util
import json
import types
from pathlib import Path

from tests.runtime.conftest import MigrationProject


def generated_files(project: MigrationProject) -> list[Path]:
    return sorted(project.versions.glob("*.py"))


def load_script(path: Path) -> types.ModuleType:
    """Import a generated revision as Python does, and check every global name it uses exists."""
    spec = importlib.util.spec_from_file_location(f"generated_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for function in (module.upgrade, module.downgrade):
        missing = sorted(
            name
            for name in _global_names(function.__code__)
            if name not in vars(module) and not hasattr(builtins, name)
        )
        assert not missing, f"{path.name} uses {missing} without importing them"
    return module


def _global_names(code: types.CodeType) -> set[str]:
    names = {i.argval for i in dis.get_instructions(code) if i.opname == "LOAD_GLOBAL"}
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def test_round_trip(autogen_project: MigrationProject, database_objects) -> None:
    project = autogen_project
    result = project.ok("revision", "--autogenerate", "-m", "initial schema")
    (script,) = generated_files(project)
    assert f"Generated {script}" in result.stdout
    text = script.read_text(encoding="utf-8")
    assert "import roundtrip_types" in text
    assert "roundtrip_types.HexUUID()" in text
    load_script(script)

    project.ok("upgrade", "head")
    check = project.run("check")
    assert check.exit_code == 0, check.stdout + check.stderr
    assert "No differences" in check.stdout

    project.ok("downgrade", "base")
    assert database_objects(project) == {}


def test_check_reports_a_real_difference(autogen_project: MigrationProject, change_models) -> None:
    project = autogen_project
    project.ok("revision", "--autogenerate", "-m", "initial schema")
    project.ok("upgrade", "head")
    change_models("add_column")
    result = project.run("check")
    assert result.exit_code == 1
    assert "add_column: column account.phone is in the models only" in result.stdout
    result = project.run("check", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["clean"] is False
    assert report["differences"] == [
        {
            "kind": "add_column",
            "database": None,
            "schema": None,
            "table": "account",
            "name": "phone",
            "from": None,
            "to": None,
            "message": "column account.phone is in the models only",
        }
    ]
