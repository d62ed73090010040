"""Commands that touch a database: upgrade, downgrade, stamp, current, ensure-version."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import click

from mighub.clicommand import Command
from mighub.errors import CommandError
from mighub.project import Project
from mighub.runtime.lock import DEFAULT_TIMEOUT

SQL_HELP = "Write the SQL to stdout instead of running it (for a DBA); no database is touched."
TAG_HELP = "A value for env.py to read with context.get_tag_argument()."


class RevisionCommand(Command):
    """A command whose REVISION may look like an option: ``downgrade -1``, ``upgrade -2:+1``.

    Unknown options are kept as arguments so ``-1`` reaches REVISION; anything
    that still looks like a misspelled option (``--sqll``) is a usage error.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("context_settings", {})["ignore_unknown_options"] = True
        super().__init__(*args, **kwargs)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        known = {opt for param in self.get_params(ctx) for opt in param.opts}
        for arg in args:
            if arg == "--":
                break
            name = arg.split("=", 1)[0]
            if arg.startswith("-") and name not in known and not arg[1:2].isdigit():
                raise click.NoSuchOption(name, ctx=ctx)
        return super().parse_args(ctx, args)


def lock_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option(
        "--lock-timeout",
        type=click.FloatRange(min=0),
        default=DEFAULT_TIMEOUT,
        show_default=True,
        metavar="SECONDS",
        help="How long to wait for another mighub process that is migrating the same database.",
    )(f)
    return click.option(
        "--no-lock",
        is_flag=True,
        help="Do not take the migration lock (only when nothing else can migrate this database).",
    )(f)


def run_environment(project: Project, request: Any) -> Any:
    """Check plugins and configuration, then run env.py for ``request``."""
    project.require_database_ready()
    # env.py imports SQLAlchemy anyway. Imported here, a dozen frames higher up the
    # stack than env.py's own import statement, it costs less on CPython 3.11: from
    # inside env.py its deeply nested import keeps crossing an interpreter stack-chunk
    # boundary, and each crossing maps and unmaps memory (about 1,100 times for a
    # no-op 'mighub current'; about 250 from here).
    import sqlalchemy  # noqa: F401

    from mighub.runtime.environment import EnvironmentContext

    environment = EnvironmentContext(project, project.scripts, request)
    environment.run_env()
    return environment


def read_database_heads(project: Project) -> tuple[str, ...]:
    """The revisions the database is at, read through env.py, changing nothing."""
    return tuple(read_database(project).heads or ())


def read_database(project: Project) -> Any:
    """Run env.py only to read the version table (and incomplete records); change nothing."""
    return run_environment(project, _request("current", lambda heads, context: [], mutates=False))


def split_range(revision: str, *, sql: bool, command: str) -> tuple[str | None, str]:
    """``FROM:TO`` ranges are for offline runs; online the database says where we are."""
    if ":" not in revision:
        return None, revision
    if not sql:
        raise CommandError(
            f"{command} {revision}: a FROM:TO range only works with --sql (online, mighub reads "
            f"the starting point from the database)"
        )
    start, _, end = revision.partition(":")
    if not end:
        raise CommandError(f"{command} {revision}: the range has no TO revision")
    return start or None, end


def _request(command: str, plan: Any, **kwargs: Any) -> Any:
    from mighub.runtime.environment import RunRequest

    return RunRequest(command=command, plan=plan, **kwargs)


def _print_plan(project: Project, steps: Sequence[Any], as_json: bool) -> None:
    rows = [
        {
            "direction": step.direction,
            "revision": step.revision.revision,
            "from": list(step.from_revisions),
            "to": list(step.to_revisions),
            "doc": step.revision.doc,
            "path": str(step.revision.path),
        }
        for step in steps
    ]
    if as_json:
        project.echo(json.dumps({"steps": rows}, indent=2))
        return
    if not rows:
        project.echo("Nothing to do: the database is already there.")
    for row in rows:
        frm = ", ".join(row["from"]) or "base"
        to = ", ".join(row["to"]) or "base"
        doc = f", {row['doc']}" if row["doc"] else ""
        project.echo(f"{row['direction']} {frm} -> {to}{doc}")


@click.command(cls=RevisionCommand)
@click.argument("revision")
@click.option("--sql", is_flag=True, help=SQL_HELP)
@click.option("--tag", help=TAG_HELP)
@click.option(
    "--plan",
    "plan_only",
    is_flag=True,
    help="Print the revisions that would run, in order, and change nothing.",
)
@click.option("--json", "as_json", is_flag=True, help="With --plan: machine-readable output.")
@lock_options
@click.pass_obj
def upgrade(
    project: Project,
    revision: str,
    sql: bool,
    tag: str | None,
    plan_only: bool,
    as_json: bool,
    no_lock: bool,
    lock_timeout: float,
) -> None:
    """Upgrade the database to REVISION (head, heads, an id, +N, LABEL@head...).

    \b
    Examples:
      mighub upgrade head              everything, when there is one head
      mighub upgrade heads             every branch
      mighub upgrade +1                the next revision
      mighub upgrade head --plan       what would run, without running it
      mighub upgrade head --sql        the SQL, for a DBA
      mighub upgrade ae10:head --sql   the SQL from revision ae10 on
    """
    migrate(project, "upgrade", revision, sql, tag, plan_only, as_json, no_lock, lock_timeout)


@click.command(cls=RevisionCommand)
@click.argument("revision")
@click.option("--sql", is_flag=True, help=SQL_HELP + " Needs a range FROM:TO.")
@click.option("--tag", help=TAG_HELP)
@click.option(
    "--plan",
    "plan_only",
    is_flag=True,
    help="Print the revisions that would be undone, in order, and change nothing.",
)
@click.option("--json", "as_json", is_flag=True, help="With --plan: machine-readable output.")
@lock_options
@click.pass_obj
def downgrade(
    project: Project,
    revision: str,
    sql: bool,
    tag: str | None,
    plan_only: bool,
    as_json: bool,
    no_lock: bool,
    lock_timeout: float,
) -> None:
    """Downgrade the database to REVISION (base, an id, -N, LABEL@base...).

    \b
    Examples:
      mighub downgrade -1                 undo the last revision
      mighub downgrade base               undo everything
      mighub downgrade head:ae10 --sql    the SQL to go from head down to ae10
    """
    migrate(project, "downgrade", revision, sql, tag, plan_only, as_json, no_lock, lock_timeout)


def migrate(
    project: Project,
    direction: str,
    revision: str,
    sql: bool,
    tag: str | None,
    plan_only: bool,
    as_json: bool,
    no_lock: bool,
    lock_timeout: float,
) -> None:
    """What ``upgrade`` and ``downgrade`` share: range, plan, ``--plan`` or a run of env.py."""
    if plan_only and sql:
        raise CommandError("--plan and --sql do not go together: --sql already shows the work")
    start, destination = split_range(revision, sql=sql, command=direction)
    if direction == "downgrade" and sql and start is None:
        raise CommandError(
            f"downgrade {revision} --sql: give a range FROM:TO (offline there is no database "
            f"to read the current revision from)"
        )

    def plan(heads: tuple[str, ...], context: Any) -> Sequence[Any]:
        revision_map = project.scripts.revision_map
        if direction == "upgrade":
            return revision_map.upgrade_steps(heads, destination)
        return revision_map.downgrade_steps(heads, destination)

    if plan_only:
        _show_plan(project, plan, as_json)
        return
    run_environment(
        project,
        _request(
            direction,
            plan,
            as_sql=sql,
            starting_rev=start,
            destination=destination,
            tag=tag,
            lock=not no_lock,
            lock_timeout=lock_timeout,
        ),
    )


def _show_plan(project: Project, plan: Any, as_json: bool) -> None:
    """Read the heads (changing nothing), plan, and print the plan."""
    found: list[Any] = []

    def read_only(heads: tuple[str, ...], context: Any) -> Sequence[Any]:
        found.extend(plan(heads, context))
        return []

    run_environment(project, _request("plan", read_only, mutates=False))
    _print_plan(project, found, as_json)


@click.command(cls=RevisionCommand)
@click.argument("revisions", nargs=-1, required=True)
@click.option("--sql", is_flag=True, help=SQL_HELP)
@click.option("--tag", help=TAG_HELP)
@click.option(
    "--purge",
    is_flag=True,
    help="Empty the version table first (when it names revisions that no longer exist).",
)
@lock_options
@click.pass_obj
def stamp(
    project: Project,
    revisions: tuple[str, ...],
    sql: bool,
    tag: str | None,
    purge: bool,
    no_lock: bool,
    lock_timeout: float,
) -> None:
    """Set the version table to REVISIONS without running any migration.

    For a database whose schema is already at those revisions (built by
    other means, or taken over from another tool).

    \b
    Examples:
      mighub stamp head
      mighub stamp --purge head       when the table names a deleted revision
      mighub stamp base               forget every revision
    """
    if purge and sql:
        raise CommandError("--purge works online only: there is no table to empty in --sql mode")
    start: str | None = None
    destinations = list(revisions)
    if sql and any(":" in r for r in revisions):
        if len(revisions) != 1:
            raise CommandError("stamp --sql takes one FROM:TO range, or revisions without one")
        start, destination = split_range(revisions[0], sql=True, command="stamp")
        destinations = [destination]

    def plan(heads: tuple[str, ...], context: Any) -> Sequence[Any]:
        return project.scripts.revision_map.stamp_steps(heads, destinations)

    run_environment(
        project,
        _request(
            "stamp",
            plan,
            as_sql=sql,
            starting_rev=start,
            destination=" ".join(destinations),
            tag=tag,
            purge=purge,
            lock=not no_lock,
            lock_timeout=lock_timeout,
        ),
    )


@click.command(cls=Command)
@click.option("-v", "--verbose", is_flag=True, help="Show each revision's details and the URL.")
@click.option(
    "--check-heads",
    is_flag=True,
    help="Exit with status 1 unless the database is at every head of the scripts.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def current(project: Project, verbose: bool, check_heads: bool, as_json: bool) -> None:
    """Show the revisions the database is at. Creates nothing."""
    environment = read_database(project)
    heads = tuple(environment.heads or ())
    revision_map = project.scripts.revision_map
    script_heads = set(revision_map.get_heads())
    rows = []
    for head in heads:
        rev = revision_map[head] if head in revision_map else None  # noqa: SIM401
        rows.append(
            {
                "revision": head,
                "is_head": head in script_heads,
                "doc": rev.doc if rev is not None else None,
                "path": str(rev.path) if rev is not None else None,
            }
        )
    pending = sorted(script_heads - set(heads))
    incomplete = [
        {
            "revision": r["version_num"],
            "direction": r["direction"],
            "failed_at": r["failed_at"],
            "statements_applied": r["statements"].splitlines(),
            "error": r["error"],
        }
        for r in environment.incomplete
    ]
    if as_json:
        project.echo(
            json.dumps({"heads": rows, "at_heads": not pending, "incomplete": incomplete}, indent=2)
        )
    else:
        if verbose:
            project.echo(f"Current revision(s) for {project.config.url}:")
        for row in rows:
            mark = " (head)" if row["is_head"] else ""
            if row["path"] is None:
                mark = " (unknown: no script has this revision)"
            if verbose and row["path"]:
                project.echo(
                    f"Rev: {row['revision']}{mark}\nPath: {row['path']}\n\n    {row['doc']}\n"
                )
            else:
                project.echo(f"{row['revision']}{mark}")
    for record in incomplete:
        project.warn(
            f"revision {record['revision']} failed part-way during {record['direction']} at "
            f"{record['failed_at']}; run 'mighub resolve {record['revision']} --applied' or "
            f"'--rolled-back' once you have checked the database"
        )
        if verbose and not as_json:
            project.echo(f"Incomplete: {record['revision']} ({record['direction']})")
            project.echo(f"  error: {record['error']}")
            for statement in record["statements_applied"] or ["(none)"]:
                project.echo(f"  applied: {statement}")
    if check_heads and pending:
        raise CommandError(
            f"the database is not at the heads of the scripts: "
            f"{', '.join(pending)} not applied (run 'mighub upgrade heads')"
        )


@click.command("ensure-version", cls=Command)
@click.option("--sql", is_flag=True, help=SQL_HELP)
@click.pass_obj
def ensure_version(project: Project, sql: bool) -> None:
    """Create the version table if it does not exist, and nothing else."""
    run_environment(project, _request("ensure-version", lambda heads, context: [], as_sql=sql))


@click.command(cls=Command)
@click.argument("revision")
@click.option(
    "--applied",
    "outcome",
    flag_value="applied",
    help="You completed the revision's remaining work by hand: mark it as run.",
)
@click.option(
    "--rolled-back",
    "outcome",
    flag_value="rolled-back",
    help="You undid what the revision had done: leave the version table as it is.",
)
@lock_options
@click.pass_obj
def resolve(
    project: Project, revision: str, outcome: str | None, no_lock: bool, lock_timeout: float
) -> None:
    """Say what happened to a revision that failed part-way, so migrating can go on.

    On databases without transactional DDL (MariaDB, MySQL), a revision that
    fails after some of its statements ran leaves them applied; mighub records
    that and refuses to migrate until you check the database and say which
    way you settled it. 'mighub current -v' shows what ran.

    \b
    Examples:
      mighub resolve ae1027a6acf --rolled-back
      mighub resolve ae1027a6acf --applied
    """
    if outcome is None:
        raise CommandError(
            f"resolve {revision}: say what you did: --applied (you finished it by hand) or "
            f"--rolled-back (you undid it)"
        )
    from mighub.runtime.migration import ResolutionStep
    from mighub.script.graph import MigrationStep

    def plan(heads: tuple[str, ...], context: Any) -> Sequence[Any]:
        records = {r["version_num"]: r for r in context.environment.incomplete}
        revision_map = project.scripts.revision_map
        script = project.scripts.get_revision(revision)
        rev_id = script.revision if script is not None else revision
        record = records.get(rev_id)
        if record is None:
            waiting = ", ".join(records) or "none"
            raise CommandError(
                f"resolve {revision}: no record of revision {rev_id} failing part-way "
                f"(incomplete revisions: {waiting})"
            )
        completed = None
        if outcome == "applied":
            completed = MigrationStep(revision_map, script, record["direction"] == "upgrade")
        return [ResolutionStep(rev_id, completed)]

    run_environment(
        project,
        _request(
            "resolve",
            plan,
            destination=revision,
            lock=not no_lock,
            lock_timeout=lock_timeout,
        ),
    )
    project.status(
        f"Recorded revision {revision} as "
        + ("applied." if outcome == "applied" else "rolled back; it will run again on upgrade.")
    )
