"""Builtin plugin ``mighub.templates``: the project templates of ``mighub init``."""

from __future__ import annotations

from mighub.hookspecs import hookimpl
from mighub.registries import TemplateRegistry


@hookimpl
def mighub_register_templates(registry: TemplateRegistry) -> None:
    from pathlib import Path  # only init and list-templates get here

    templates = Path(__file__).resolve().parent.parent / "templates"
    registry.register("generic", templates / "generic")
    registry.register("async", templates / "async")
    registry.register("multidb", templates / "multidb")
    registry.register("pyproject", templates / "pyproject", config_target="pyproject.toml")
