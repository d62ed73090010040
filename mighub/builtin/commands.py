"""Builtin plugin ``mighub.commands``: the core commands of the ``mighub`` CLI."""

from __future__ import annotations

from mighub.commands import graph, init, migrate, plugins
from mighub.hookspecs import hookimpl
from mighub.registries import CommandRegistry


@hookimpl
def mighub_register_commands(cli: CommandRegistry) -> None:
    cli.add_command(init.init)
    cli.add_command(init.list_templates)
    cli.add_command(plugins.plugins)
    for command in (
        graph.revision,
        graph.merge,
        graph.heads,
        graph.branches,
        graph.history,
        graph.show,
        graph.edit,
        migrate.upgrade,
        migrate.downgrade,
        migrate.current,
        migrate.stamp,
        migrate.ensure_version,
    ):
        cli.add_command(command)
