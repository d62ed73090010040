"""``mighub revision --autogenerate`` and ``mighub check``.

``revision`` replaces the core command: it keeps every core option and adds
``--autogenerate``. Without it, and without ``revision_environment = true``
in the configuration, it writes an empty revision exactly as the core
command does, without touching a database (and without importing
SQLAlchemy: ``mighub --help`` imports this module).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from mighub.commands.graph import revision as core_revision
from mighub.commands.graph import write_revision
from mighub.project import Project

if TYPE_CHECKING:
    from mighub_autogen.runner import AutogenRun
    from mighub_autogen.script import MigrationScript


AUTOGENERATE = click.Option(
    ["--autogenerate"],
    is_flag=True,
    help="Compare the models (env.py's target_metadata) with the database and write the "
    "operations that bring the database there.",
)


@click.pass_obj
def _revision(
    project: Project,
    message: str | None,
    autogenerate: bool,
    head: str,
    splice: bool,
    branch_labels: tuple[str, ...],
    depends_on: tuple[str, ...],
    version_path: str | None,
    rev_id: str | None,
) -> None:
    """The core command's work, with env.py run first when asked to compare."""
    from mighub_autogen.script import MigrationScript

    script = MigrationScript(
        rev_id=rev_id,
        message=message,
        head=head,
        splice=splice,
        branch_label=branch_labels,
        version_path=version_path,
        depends_on=depends_on,
    )
    if not autogenerate and not project.config.get("revision_environment"):
        project.warn_if_unhealthy()
        _write(project, script, None)
        return
    from mighub_autogen.runner import run_env

    run = run_env(project, script, autogenerate=autogenerate)
    for warning in run.warnings:
        project.warn(warning)
    if not run.directives:
        project.status("process_revision_directives left nothing to write")
    for directive in run.directives:
        _write(project, directive, run)


REVISION_HELP = """Write a new revision script; with --autogenerate, drafted from your models.

\b
Examples:
  mighub revision -m "add account table"
  mighub revision --autogenerate -m "add account table"
  mighub revision -m "start billing" --head base --branch-label billing
"""

# Every option of the core command, so replacing it takes nothing away; plus --autogenerate.
revision = click.Command(
    "revision",
    callback=_revision,
    params=[
        core_revision.params[0],
        AUTOGENERATE,
        # The core's own hidden --autogenerate only explains that this plugin is missing.
        *(p for p in core_revision.params[1:] if p.name != "autogenerate"),
    ],
    help=REVISION_HELP,
)


def _write(project: Project, script: MigrationScript, run: AutogenRun | None) -> Any:
    template_args: dict[str, Any] = {}
    if run is not None:
        template_args = _rendered(script, run)
    return write_revision(
        project,
        script.message,
        head=script.head,
        splice=script.splice,
        branch_labels=tuple(script.branch_label or ()),
        depends_on=tuple(script.depends_on or ()),
        version_path=script.version_path,
        rev_id=script.rev_id,
        template_args=template_args,
    )


def _rendered(script: MigrationScript, run: AutogenRun) -> dict[str, Any]:
    """The template variables: each token's rendered operations, and the imports they need."""
    from mighub_autogen.render import imports_text, render_python_code

    args: dict[str, Any] = {}
    context = run.last_context
    if context is not None and context.migration_context is not None:
        args.update(context.migration_context.options.template_args)
    imports: set[str] = set(script.imports)
    pairs = list(zip(script.upgrade_ops_list, script.downgrade_ops_list, strict=False))
    for upgrade_ops, downgrade_ops in pairs:
        ctx = run.contexts.get(upgrade_ops.upgrade_token, context)
        if ctx is None:
            continue
        args[upgrade_ops.upgrade_token] = render_python_code(upgrade_ops, ctx)
        args[downgrade_ops.downgrade_token] = render_python_code(downgrade_ops, ctx)
        imports |= ctx.imports
    if not pairs and context is not None:  # revision_environment without --autogenerate
        for token in ("upgrades", "downgrades"):
            args.setdefault(token, None)
    if imports:
        args["imports"] = imports_text(imports)
    return args


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (keys: see docs).")
@click.pass_obj
@click.pass_context
def check(ctx: click.Context, project: Project, as_json: bool) -> None:
    """Exit 1 if the models and the database differ (or revisions are not applied), else 0.

    The database must be at the heads of the scripts. The differences are
    what 'mighub revision --autogenerate' would write.
    """
    from mighub_autogen.api import differences
    from mighub_autogen.runner import NotAtHeadsError, run_env
    from mighub_autogen.script import MigrationScript

    script = MigrationScript()
    try:
        run = run_env(project, script, autogenerate=True)
    except NotAtHeadsError as exc:
        if as_json:
            report = {
                "clean": False,
                "error": str(exc),
                "pending": exc.pending,
                "database_heads": exc.heads,
                "differences": [],
                "warnings": [],
            }
            project.echo(json.dumps(report, indent=2))
        raise
    rows: list[dict[str, Any]] = []
    for upgrade_ops in script.upgrade_ops_list:
        token = upgrade_ops.upgrade_token
        database = None if token == "upgrades" else token.removesuffix("_upgrades")
        rows.extend(differences(upgrade_ops, database=database))
    warnings = run.warnings
    if as_json:
        report = {
            "clean": not rows,
            "error": None,
            "pending": [],
            "database_heads": list(run.heads),
            "differences": rows,
            "warnings": warnings,
        }
        project.echo(json.dumps(report, indent=2, default=str))
    else:
        for warning in warnings:
            project.warn(warning)
        if rows:
            project.echo(f"{len(rows)} difference(s) between the models and the database:")
            for row in rows:
                prefix = f"[{row['database']}] " if row["database"] else ""
                project.echo(f"  {prefix}{row['kind']}: {row['message']}")
        else:
            project.echo("No differences: the models and the database agree.")
    if rows:
        ctx.exit(1)
