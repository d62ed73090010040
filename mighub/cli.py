"""The ``mighub`` command line: global options, plugin-provided commands, error handling.

Every command, the core ones included, comes from a plugin through
``mighub_register_commands``; this module only builds the group around them.
Exit status: 0 success, 1 a user-facing error (one line on stderr), 2 a usage
error (click's).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from mighub import __version__
from mighub.clicommand import Group
from mighub.errors import MighubError
from mighub.project import Options, Project, print_error

BUILTIN_PREFIX = "mighub."

PLUGIN_COMMANDS = {"check": "mighub-autogen"}
"""Commands of first-party plugins, so their absence is explained rather than unknown."""

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _project(ctx: click.Context) -> Project:
    """The invocation's Project, configured from the global options.

    ``--help`` is acted on as soon as click reads it, possibly before a later
    ``-p`` or ``-c``; those two decide which plugins (and so which commands)
    exist, so they are taken from a scan of the raw arguments instead.
    """
    root = ctx.find_root()
    project = root.obj
    if not isinstance(project, Project):
        project = root.obj = Project()
    params = root.params
    early = root.meta.get(EARLY_OPTIONS, {})
    project.options = Options(
        config=params.get("config") or early.get("config"),
        name=params.get("name"),
        x_arguments=tuple(params.get("x_arguments") or ()),
        url=params.get("url"),
        disabled=tuple(params.get("disabled") or early.get("disabled") or ()),
        quiet=bool(params.get("quiet")),
        traceback=bool(params.get("traceback")),
    )
    return project


EARLY_OPTIONS = "mighub.early_options"


def scan_global_options(args: Sequence[str]) -> dict[str, Any]:
    """``-c`` and ``-p no:NAME`` among the global options (before the command name)."""
    found: dict[str, Any] = {"disabled": []}
    takes_value = {"-c", "--config", "-n", "--name", "-x", "--url", "-p"}
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, inline = arg.partition("=")
        if not arg.startswith("-") or arg == "--":
            break  # the command: what follows is its own
        value = None
        if eq and name in takes_value:
            value = inline
        elif arg in takes_value and i + 1 < len(args):
            value = args[i + 1]
            i += 1
        elif arg[:2] in ("-c", "-p") and len(arg) > 2:
            name, value = arg[:2], arg[2:]
        if value is not None and name in ("-c", "--config"):
            found["config"] = value
        elif value is not None and name == "-p" and value.startswith("no:"):
            found["disabled"].append(value[3:])
        i += 1
    return found


class MighubGroup(Group):
    """A click group whose commands come from the plugin host, listed by plugin in --help."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[EARLY_OPTIONS] = scan_global_options(args)
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_project(ctx).host.commands)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = _project(ctx).host.commands.get(cmd_name)
        if command is None and cmd_name in PLUGIN_COMMANDS:
            distribution = PLUGIN_COMMANDS[cmd_name]
            raise click.UsageError(
                f"'mighub {cmd_name}' comes with the {distribution} plugin, which is not "
                f"installed or is disabled (see 'mighub plugins'): pip install {distribution}",
                ctx,
            )
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        project = _project(ctx)
        registry = project.host.commands
        sections: dict[str, list[tuple[str, str]]] = {}
        for entry in sorted(registry.entries(), key=lambda e: e.key):
            plugin = entry.plugin
            title = "Commands" if plugin.startswith(BUILTIN_PREFIX) else f"Commands from {plugin}"
            try:
                cmd = registry.get(entry.key)
            except MighubError as exc:
                # One command registered by a reference that does not import: --help still
                # lists the rest, and says what is wrong with this one.
                sections.setdefault(title, []).append((entry.key, f"(cannot be loaded) {exc}"))
                continue
            assert cmd is not None
            if cmd.hidden:
                continue
            limit = formatter.width - 6 - len(entry.key)
            sections.setdefault(title, []).append((entry.key, cmd.get_short_help_str(limit)))
        for title in sorted(sections, key=lambda t: (t != "Commands", t)):
            with formatter.section(title):
                formatter.write_dl(sections[title])
        failed = project.host.failed
        if failed:
            with formatter.section("Plugins that failed to load"):
                formatter.write_dl(
                    [(p.name, f"{p.error} (disable with -p no:{p.name})") for p in failed]
                )


def _split_disable(
    ctx: click.Context, param: click.Parameter, values: Sequence[str]
) -> tuple[str, ...]:
    names = []
    for value in values:
        if not value.startswith("no:") or not value[3:]:
            raise click.BadParameter(
                f"{value!r}: use -p no:NAME to disable the plugin NAME", ctx, param
            )
        names.append(value[3:])
    return tuple(names)


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    click.echo(f"mighub {__version__}")
    ctx.exit()


@click.group(cls=MighubGroup, context_settings=CONTEXT_SETTINGS)
@click.option(
    "-c",
    "--config",
    metavar="PATH",
    is_eager=True,
    help="Configuration file (mighub.toml, or a pyproject.toml with [tool.mighub]). "
    "Default: $MIGHUB_CONFIG, ./mighub.toml, ./pyproject.toml.",
)
@click.option(
    "-n",
    "--name",
    metavar="NAME",
    help="Use the database of the [databases.NAME] table (multidb projects).",
)
@click.option(
    "-x",
    "x_arguments",
    metavar="KEY=VALUE",
    multiple=True,
    help="A value for env.py to read with context.get_x_argument(); repeatable.",
)
@click.option(
    "--url",
    metavar="URL",
    help="Database URL; overrides $MIGHUB_URL and the 'url' key.",
)
@click.option(
    "-p",
    "disabled",
    metavar="no:NAME",
    multiple=True,
    is_eager=True,
    callback=_split_disable,
    help="Disable the plugin NAME (as does MIGHUB_DISABLE_PLUGINS=NAME,...); repeatable.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only what was asked for and errors.")
@click.option("--traceback", is_flag=True, help="Show the full traceback of an error.")
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
@click.pass_context
def cli(ctx: click.Context, **_: Any) -> None:
    """Database schema migrations for SQLAlchemy.

    Revision scripts in a graph, run online or rendered as SQL, drafted from
    your models by autogenerate. Start with 'mighub init migrations'.
    """
    project = _project(ctx)
    for name in project.host.unknown_disabled():
        project.warn(f"-p no:{name} / MIGHUB_DISABLE_PLUGINS names no known plugin")


def main(argv: Sequence[str] | None = None, project: Project | None = None) -> int:
    """Run the CLI and turn every outcome into an exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    project = Project() if project is None else project
    try:
        rv = cli.main(args=args, prog_name="mighub", standalone_mode=False, obj=project)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except MighubError as exc:
        print_error(project, exc)
        return 1
    except BrokenPipeError:
        # The reader went away (`mighub history | head`): nothing left to say, and
        # Python's own flush of stdout at exit must not complain about it either.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:
        print_error(project, exc, bug=True)
        return 1
    # With standalone_mode=False click returns ctx.exit()'s code; commands return None.
    return rv if isinstance(rv, int) else 0


def run() -> None:
    """Console-script entry point."""
    # The project (and the revision graph it read) stays referenced until the
    # process ends: freeing thousands of objects one by one only to exit is work.
    project = Project()
    code = main(project=project)
    if _nothing_to_tear_down():
        _exit_at_once(code)
    sys.exit(code)


def _nothing_to_tear_down() -> bool:
    """Whether ending the process now loses nothing that a normal exit would do.

    A normal exit waits for other threads, runs ``atexit`` functions, flushes
    the standard streams and then frees every object and module.  Freeing is
    pure cost for a command that used no database: after ``mighub heads`` on
    2,000 revisions it is 4% of the command.  So when no other thread runs,
    nothing is registered with ``atexit`` (no plugin or library asked to run
    at exit) and SQLAlchemy was never imported (no connection waits to be
    closed politely), the process ends as soon as its output is flushed.
    """
    import atexit
    import threading

    count = getattr(atexit, "_ncallbacks", None)
    return (
        count is not None
        and count() == 0
        and threading.active_count() == 1
        and "sqlalchemy" not in sys.modules
    )


def _exit_at_once(code: int) -> None:
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return  # let the normal exit deal with (and report) a stream that fails
    os._exit(code)
