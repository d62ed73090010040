"""Builtin plugin ``mighub.commands``: the core commands of the ``mighub`` CLI.

Registered by reference, so running one command imports only its module.
"""

from __future__ import annotations

from mighub.hookspecs import hookimpl
from mighub.registries import CommandRegistry

COMMANDS = {
    "init": "mighub.commands.init:init",
    "list-templates": "mighub.commands.init:list_templates",
    "plugins": "mighub.commands.plugins:plugins",
    "revision": "mighub.commands.graph:revision",
    "merge": "mighub.commands.graph:merge",
    "heads": "mighub.commands.graph:heads",
    "branches": "mighub.commands.graph:branches",
    "history": "mighub.commands.graph:history",
    "show": "mighub.commands.graph:show",
    "edit": "mighub.commands.graph:edit",
    "upgrade": "mighub.commands.migrate:upgrade",
    "downgrade": "mighub.commands.migrate:downgrade",
    "current": "mighub.commands.migrate:current",
    "stamp": "mighub.commands.migrate:stamp",
    "ensure-version": "mighub.commands.migrate:ensure_version",
    "resolve": "mighub.commands.migrate:resolve",
}


@hookimpl
def mighub_register_commands(cli: CommandRegistry) -> None:
    for name, reference in COMMANDS.items():
        cli.add_command(reference, name)
