"""click classes for mighub's commands: click's own, with a ``--help`` option that skips gettext.

click builds each command's ``--help`` option when it parses the command line,
and asks :func:`gettext.gettext` for the option's help text.  The first such
call imports the :mod:`locale` module, whose tables cost more than anything
else ``mighub heads`` does after reading the graph (about 1.5% of the whole
command).  mighub's messages are English only, so its commands build the same
option with a plain string.  Plugin commands may use :class:`Command` too; a
plain ``click.Command`` works the same, only a little slower to start.
"""

from __future__ import annotations

import click

HELP_TEXT = "Show this message and exit."

#: The option's own name: no command parameter may be called this.
_HELP_NAME = "mighub_show_help"


def _show_help(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(ctx.get_help(), color=ctx.color)
        ctx.exit()


class PlainHelp:
    """Mix-in for a click command class: the ``--help`` option with :data:`HELP_TEXT`."""

    _mighub_help: click.Option | None = None

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        names = self.get_help_option_names(ctx)  # type: ignore[attr-defined]
        if not names or not self.add_help_option:  # type: ignore[attr-defined]
            return None
        # Built once per command, as click does: its ordering of eager callbacks
        # compares parameters by identity.
        if self._mighub_help is None:
            self._mighub_help = click.Option(
                [*names, _HELP_NAME],
                is_flag=True,
                expose_value=False,
                is_eager=True,
                help=HELP_TEXT,
                callback=_show_help,
            )
        return self._mighub_help


class Command(PlainHelp, click.Command):
    """``@click.command(cls=Command)``: a click command with :class:`PlainHelp`."""


class Group(PlainHelp, click.Group):
    """A click group with :class:`PlainHelp`; ``@group.command()`` makes a :class:`Command`."""

    command_class = Command


__all__ = ["HELP_TEXT", "Command", "Group", "PlainHelp"]
