"""``mighub init`` and ``mighub list-templates``: start a migration environment from a template."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import click

from mighub.clicommand import Command
from mighub.config import CONFIG_FILE, PYPROJECT_FILE
from mighub.errors import CommandError
from mighub.project import Project
from mighub.registries import Template

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

COPIED_FILES = ("env.py", "script.py.mako", "README")


@click.command("list-templates", cls=Command)
@click.pass_obj
def list_templates(project: Project) -> None:
    """List the templates that 'mighub init -t NAME' can use."""
    project.warn_if_unhealthy()
    templates = sorted(project.host.templates.entries(), key=lambda e: e.key)
    width = max((len(e.key) for e in templates), default=0)
    project.echo("Available templates:\n")
    for entry in templates:
        template: Template = entry.value
        origin = "" if entry.plugin.startswith("mighub.") else f"  [plugin {entry.plugin}]"
        project.echo(f"  {template.name.ljust(width)}  {template.description}{origin}")
    project.echo("\nUse: mighub init DIRECTORY -t TEMPLATE")


@click.command("init", cls=Command)
@click.argument("directory", type=click.Path(file_okay=True, dir_okay=True, path_type=Path))
@click.option(
    "-t",
    "--template",
    default="generic",
    show_default=True,
    help="Template to use; 'mighub list-templates' shows them.",
)
@click.option(
    "--package", is_flag=True, help="Write __init__.py in DIRECTORY and its versions/ folder."
)
@click.pass_obj
def init(project: Project, directory: Path, template: str, package: bool) -> None:
    """Create a migration environment in DIRECTORY, and its configuration.

    DIRECTORY gets env.py (how to connect; yours to edit), script.py.mako
    (the template of new revisions) and versions/. The configuration is
    written to mighub.toml in the current directory (or the file given with
    -c), or to [tool.mighub] in pyproject.toml for the pyproject template.
    An existing configuration is never overwritten.

    \b
    Example:
      mighub init migrations
      mighub init migrations -t async
    """
    project.warn_if_unhealthy()
    chosen = project.host.templates.get(template)
    directory = directory.expanduser()
    if directory.exists():
        if not directory.is_dir():
            raise CommandError(f"{directory}: exists and is not a directory")
        if any(directory.iterdir()):
            raise CommandError(
                f"{directory}: directory is not empty; choose a new directory for the "
                f"migration environment"
            )

    config_path = _config_path(project, chosen)
    location = _relative_location(directory, config_path.parent)
    config_text = _render_config(chosen, location, in_pyproject=config_path.name == PYPROJECT_FILE)
    write_config = _plan_config(config_path)

    # Everything that can fail has been checked: now write.
    versions = directory / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    project.status(f"Created {versions}")
    for name in COPIED_FILES:
        shutil.copyfile(chosen.directory / name, directory / name)
        project.status(f"Created {directory / name}")
    if package:
        for folder in (directory, versions):
            (folder / "__init__.py").write_text("", encoding="utf-8")
            project.status(f"Created {folder / '__init__.py'}")

    if write_config == "create":
        config_path.write_text(config_text, encoding="utf-8")
        project.status(f"Created {config_path}")
    elif write_config == "append":
        existing = config_path.read_text(encoding="utf-8")
        separator = "" if existing.endswith("\n\n") or not existing else "\n"
        if existing and not existing.endswith("\n"):
            separator = "\n\n"
        config_path.write_text(existing + separator + config_text, encoding="utf-8")
        project.status(f"Added [tool.mighub] to {config_path}")
    else:
        project.status(
            f"Left {config_path} unchanged: it already has a configuration; make sure it "
            f"says script_location = {location!r}"
        )
    project.status(
        f"\nNext: set the database URL in {config_path.name}, then write a revision with "
        f"'mighub revision -m \"create account table\"'."
    )


def _config_path(project: Project, template: Template) -> Path:
    explicit = project.options.config
    if explicit:
        return Path(explicit).expanduser().absolute()
    target = CONFIG_FILE if template.config_target == CONFIG_FILE else PYPROJECT_FILE
    return Path.cwd() / target


def _relative_location(directory: Path, root: Path) -> str:
    """The script_location to write: relative to the config file's folder when possible."""
    absolute = directory.absolute()
    try:
        return Path(os.path.relpath(absolute, root.absolute())).as_posix()
    except ValueError:  # another drive on Windows
        return absolute.as_posix()


def _render_config(template: Template, location: str, *, in_pyproject: bool) -> str:
    """Render config.toml.mako; ``header(table)`` spells table headers for the target file."""
    from mako.template import Template as MakoTemplate

    def header(table: str = "") -> str:
        if in_pyproject:
            return f"[tool.mighub.{table}]" if table else "[tool.mighub]"
        return f"[{table}]" if table else ""

    source = template.directory / "config.toml.mako"
    try:
        text = MakoTemplate(filename=str(source)).render(
            script_location=location, header=header, in_pyproject=in_pyproject
        )
    except Exception as exc:
        raise CommandError(f"{source}: cannot render the configuration: {exc}") from exc
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CommandError(f"{source}: renders invalid TOML: {exc}") from exc
    return text.lstrip("\n")


def _plan_config(path: Path) -> str:
    """'create', 'append' (a pyproject.toml without [tool.mighub]) or 'keep'."""
    if not path.exists():
        return "create"
    if path.name == PYPROJECT_FILE:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise CommandError(f"{path}: not valid TOML: {exc}") from exc
        return "keep" if "mighub" in data.get("tool", {}) else "append"
    return "keep"
