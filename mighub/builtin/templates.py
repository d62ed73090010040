"""Builtin plugin ``mighub.templates``: the project templates of ``mighub init``."""

from __future__ import annotations

from pathlib import Path

from mighub.hookspecs import hookimpl
from mighub.registries import TemplateRegistry

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@hookimpl
def mighub_register_templates(registry: TemplateRegistry) -> None:
    registry.register("generic", TEMPLATES / "generic")
    registry.register("async", TEMPLATES / "async")
    registry.register("multidb", TEMPLATES / "multidb")
    registry.register("pyproject", TEMPLATES / "pyproject", config_target="pyproject.toml")
