"""``mighub plugins``: every plugin, where it came from, and whether it works."""

from __future__ import annotations

import json

import click

from mighub import __version__
from mighub.clicommand import Command
from mighub.errors import MighubError
from mighub.host import PluginInfo
from mighub.project import Project

COLUMNS = ("NAME", "VERSION", "SOURCE", "STATUS", "HOOKS")


def _version(info: PluginInfo) -> str:
    if info.version:
        return info.version
    return __version__ if info.source == "builtin" else "-"


@click.command("plugins", cls=Command)
@click.option("-v", "--verbose", is_flag=True, help="Also list what each plugin registered.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def plugins(project: Project, verbose: bool, as_json: bool) -> None:
    """List every plugin: name, version, source, status and the hooks it implements.

    Plugins load in this order: builtin, installed distributions (entry
    point group 'mighub', sorted by name), then the project plugins that the
    configuration lists. Exits with status 1 when any plugin failed to load.
    Disable a plugin with -p no:NAME or MIGHUB_DISABLE_PLUGINS=NAME.
    """
    host = project.host
    rows = []
    for info in host.plugins:
        row = info.as_dict()
        row["version"] = _version(info)
        if verbose and info.status == "loaded":
            try:
                row["registered"] = host.registrations(info.name)
            except MighubError as exc:
                row["registered"] = {}
                row["error"] = str(exc)
        rows.append(row)

    if as_json:
        project.echo(json.dumps({"mighub_version": __version__, "plugins": rows}, indent=2))
    else:
        _print_table(project, rows, verbose)
    config_error = project.config_error()
    if config_error is not None:
        click.echo(
            project.redact(f"Error: {config_error} (project plugins were not loaded)"), err=True
        )
    if host.failed or config_error is not None or any(r.get("error") for r in rows):
        click.get_current_context().exit(1)


def _print_table(project: Project, rows: list[dict], verbose: bool) -> None:
    table = [
        (r["name"], r["version"], r["source"], r["status"], ", ".join(r["hooks"]) or "-")
        for r in rows
    ]
    widths = [max(len(str(c)) for c in col) for col in zip(COLUMNS, *table, strict=True)]
    for line in (COLUMNS, *table):
        project.echo("  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
    for r in rows:
        if r.get("error"):
            where = (
                f" (distribution {r['distribution']} {r['version']})" if r["distribution"] else ""
            )
            project.echo(f"\n{r['name']}{where} failed: {r['error']}")
            project.echo(
                f"  disable it with -p no:{r['name']} or MIGHUB_DISABLE_PLUGINS={r['name']}"
            )
        if verbose and r.get("registered"):
            project.echo(f"\n{r['name']} registered:")
            for kind, names in r["registered"].items():
                project.echo(f"  {kind}: {', '.join(names)}")
