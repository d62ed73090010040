"""The autogenerate plugin's hook implementations, found through the ``mighub`` entry point.

Kept light: ``mighub heads`` imports this module, so everything heavy
(SQLAlchemy, the comparison) is imported inside the hooks, which run only
when ``revision`` or ``check`` needs them.
"""

from __future__ import annotations

from typing import Any

from mighub import hookimpl


@hookimpl
def mighub_register_commands(cli: Any) -> None:
    cli.add_command("mighub_autogen.commands:revision", "revision", replace=True)
    cli.add_command("mighub_autogen.commands:check", "check")


@hookimpl
def mighub_register_comparators(registry: Any) -> None:
    from mighub_autogen import comparators

    comparators.register(registry)


@hookimpl
def mighub_register_renderers(registry: Any) -> None:
    from mighub_autogen import render

    render.register(registry)
