"""Commands that read or extend the revision graph: heads, branches, history, show,
revision, merge, edit. None of them needs a database, except where ``current`` is asked for.

Output is meant for people and stable enough to grep; the one-line form of a
revision is ``PARENTS -> REV (labels) (head) (branchpoint) (mergepoint), message``.
``--json`` gives the same facts with stable keys.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import click

from mighub.clicommand import Command
from mighub.errors import CommandError
from mighub.project import Project


def _json(data: Any, indent: int = 2) -> str:
    import json  # only --json needs it

    return json.dumps(data, indent=indent)


def _labels(rev: Any) -> str:
    return f" ({', '.join(sorted(rev.branch_labels))})" if rev.branch_labels else ""


def _markers(rev: Any, *, tree: bool = True, current: Sequence[str] = ()) -> str:
    out = _labels(rev)
    if rev.is_head:
        out += " (effective head)" if rev.is_effective_head else " (head)"
    if tree and rev.is_branch_point:
        out += " (branchpoint)"
    if tree and rev.is_merge_point:
        out += " (mergepoint)"
    if rev.revision in current:
        out += " (current)"
    return out


def one_line(rev: Any, *, current: Sequence[str] = ()) -> str:
    """``a, b -> c (head) (mergepoint), message``: history's line for one revision."""
    parents = ", ".join(rev.down_revisions) or "<base>"
    return f"{parents} -> {rev.revision}{_markers(rev, current=current)}, {rev.doc}"


def log_entry(rev: Any, *, current: Sequence[str] = ()) -> str:
    """The full entry ``show`` and ``history -v`` print."""
    lines = [f"Rev: {rev.revision}{_markers(rev, current=current)}"]
    if rev.is_merge_point:
        lines.append(f"Merges: {', '.join(rev.down_revisions)}")
    else:
        lines.append(f"Parent: {rev.down_revisions[0] if rev.down_revisions else '<base>'}")
    if rev.dependencies:
        lines.append(f"Also depends on: {', '.join(rev.dependencies)}")
    if rev.is_branch_point:
        lines.append(f"Branches into: {', '.join(rev.nextrev)}")
    if rev.own_branch_labels:
        lines.append(f"Branch names: {', '.join(rev.own_branch_labels)}")
    lines.append(f"Path: {rev.filename}")
    lines.append("")
    lines.extend(f"    {line}".rstrip() for line in rev.longdoc.splitlines())
    return "\n".join(lines) + "\n"


def as_dict(rev: Any, *, current: Sequence[str] = ()) -> dict[str, Any]:
    return {
        "revision": rev.revision,
        "down_revisions": list(rev.down_revisions),
        "depends_on": list(rev.dependencies),
        "branch_labels": sorted(rev.branch_labels),
        "is_head": rev.is_head,
        "is_effective_head": rev.is_effective_head,
        "is_base": rev.is_base,
        "is_branch_point": rev.is_branch_point,
        "is_merge_point": rev.is_merge_point,
        "is_current": rev.revision in current,
        "children": list(rev.nextrev),
        "doc": rev.doc,
        "path": str(rev.filename),
    }


def _named_revisions(project: Project, revision: str) -> tuple[list[Any], tuple[str, ...]]:
    """The scripts REVISION names, and the database's heads when it is ``current``."""
    current = _database_heads(project) if revision == "current" else ()
    idents = current if revision == "current" else (revision,)
    scripts = project.scripts
    revs = [r for ident in idents for r in scripts.get_revisions(ident) if r is not None]
    return revs, current


def _database_heads(project: Project) -> tuple[str, ...]:
    """Read the database's heads through env.py, changing nothing."""
    from mighub.commands.migrate import read_database_heads

    return read_database_heads(project)


@click.command(cls=Command)
@click.option("-v", "--verbose", is_flag=True, help="Full entry for each head.")
@click.option(
    "--resolve-dependencies",
    is_flag=True,
    help="Treat depends_on as parents: hide revisions that are heads only by dependency.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def heads(project: Project, verbose: bool, resolve_dependencies: bool, as_json: bool) -> None:
    """Show the head revisions of the scripts."""
    project.warn_if_unhealthy()
    scripts = project.scripts
    revs = [scripts.get_revision(h) for h in scripts.get_heads(resolve_dependencies)]
    if as_json:
        project.echo(_json({"heads": [as_dict(r) for r in revs]}, indent=2))
        return
    for rev in revs:
        if verbose:
            project.echo(log_entry(rev))
        else:
            project.echo(f"{rev.revision}{_markers(rev, tree=False)}")


@click.command(cls=Command)
@click.option("-v", "--verbose", is_flag=True, help="Full entry for each branch point.")
@click.pass_obj
def branches(project: Project, verbose: bool) -> None:
    """Show the branch points of the scripts and the revisions they branch into."""
    project.warn_if_unhealthy()
    scripts = project.scripts
    for rev in scripts.walk_revisions():
        if not rev.is_branch_point:
            continue
        if verbose:
            project.echo(log_entry(rev))
        else:
            project.echo(f"{rev.revision}{_markers(rev)}, {rev.doc}")
        for child_id in rev.nextrev:
            child = scripts.get_revision(child_id)
            project.echo(
                f"{' ' * len(rev.revision)} -> {child.revision}{_markers(child)}, {child.doc}"
            )


@click.command(cls=Command)
@click.option(
    "-r",
    "--rev-range",
    metavar="[START]:[END]",
    help="Only this range; either end may be a revision, current, or relative (-3:current).",
)
@click.option("-v", "--verbose", is_flag=True, help="Full entry for each revision.")
@click.option(
    "-i", "--indicate-current", is_flag=True, help="Mark the database's revisions (current)."
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def history(
    project: Project, rev_range: str | None, verbose: bool, indicate_current: bool, as_json: bool
) -> None:
    """List revisions, newest first.

    \b
    Examples:
      mighub history
      mighub history -r ae10:head
      mighub history -r -3:current      the three before what the database is at
    """
    project.warn_if_unhealthy()
    scripts = project.scripts
    base: Any = "base"
    head: Any = "heads"
    if rev_range is not None:
        if ":" not in rev_range:
            raise CommandError(
                f"history -r {rev_range}: a range is START:END (either may be empty)"
            )
        start, _, end = rev_range.partition(":")
        base, head = start or "base", end or "heads"
    uses_current = "current" in (base, head)
    current: tuple[str, ...] = ()
    if uses_current or indicate_current:
        current = _database_heads(project)
    if base == "current":
        base = current or "base"
    if head == "current":
        head = current or "base"
    revs = scripts.walk_revisions(base, head)
    if not indicate_current:
        current = ()  # read only to resolve the range; marked only with -i
    if as_json:
        project.echo(_json({"revisions": [as_dict(r, current=current) for r in revs]}, indent=2))
        return
    render = log_entry if verbose else one_line
    lines = [render(rev, current=current) for rev in revs]
    if lines:
        project.echo("\n".join(lines))


@click.command(cls=Command)
@click.argument("revision")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def show(project: Project, revision: str, as_json: bool) -> None:
    """Show the full entry of REVISION (an id, head, LABEL@head, current...)."""
    project.warn_if_unhealthy()
    revs, current = _named_revisions(project, revision)
    if revision == "current" and not current:
        project.echo("The database is at base (no revision).")
        return
    if not revs:
        raise CommandError(f"show {revision}: names no revision (base has no entry)")
    if as_json:
        project.echo(_json({"revisions": [as_dict(r, current=current) for r in revs]}, indent=2))
        return
    for rev in revs:
        project.echo(log_entry(rev, current=current))


@click.command(cls=Command)
@click.option("-m", "--message", help="What the revision does; it names the file too.")
@click.option(
    "--head",
    default="head",
    show_default=True,
    help="What the revision builds on: head, base (a new root), LABEL@head, or a revision.",
)
@click.option("--splice", is_flag=True, help="Allow --head to be a non-head (starts a branch).")
@click.option("--branch-label", "branch_labels", multiple=True, help="Label the new branch.")
@click.option(
    "--depends-on", multiple=True, help="A revision or label this one depends on; repeatable."
)
@click.option("--version-path", help="Directory for the file (needed for a new root with several).")
@click.option("--rev-id", help="Use this revision id instead of a random one.")
@click.option("--autogenerate", is_flag=True, hidden=True)
@click.pass_obj
def revision(
    project: Project,
    message: str | None,
    head: str,
    splice: bool,
    branch_labels: tuple[str, ...],
    depends_on: tuple[str, ...],
    version_path: str | None,
    rev_id: str | None,
    autogenerate: bool = False,
) -> None:
    """Write a new revision script from the environment's script.py.mako.

    \b
    Examples:
      mighub revision -m "add account table"
      mighub revision -m "start billing" --head base --branch-label billing
      mighub revision -m "invoice table" --head billing@head
    """
    if autogenerate:  # the autogen plugin replaces this command when it is installed
        raise CommandError(
            "--autogenerate comes with the mighub-autogen plugin, which is not installed or is "
            "disabled (see 'mighub plugins'): pip install mighub-autogen"
        )
    project.warn_if_unhealthy()
    write_revision(
        project,
        message,
        head=head,
        splice=splice,
        branch_labels=branch_labels,
        depends_on=depends_on,
        version_path=version_path,
        rev_id=rev_id,
    )


@click.command(cls=Command)
@click.argument("revisions", nargs=-1, required=True)
@click.option("-m", "--message", help="What the merge is for.")
@click.option("--branch-label", "branch_labels", multiple=True, help="Label the merged line.")
@click.option("--rev-id", help="Use this revision id instead of a random one.")
@click.pass_obj
def merge(
    project: Project,
    revisions: tuple[str, ...],
    message: str | None,
    branch_labels: tuple[str, ...],
    rev_id: str | None,
) -> None:
    """Write a revision that merges REVISIONS (or 'heads') into one line.

    \b
    Example:
      mighub merge heads -m "merge billing and accounts"
    """
    project.warn_if_unhealthy()
    scripts = project.scripts
    parents: list[str] = []
    for ident in revisions:
        for rev in scripts.get_revisions(ident):
            if rev is None or isinstance(rev, str):
                raise CommandError(f"merge {ident}: names no revision to merge")
            parents.append(rev.revision)
    if len(set(parents)) < 2:
        raise CommandError(
            f"merge needs at least two revisions; {' '.join(revisions)} names "
            f"{', '.join(parents) or 'none'}"
        )
    write_revision(
        project,
        message,
        head=tuple(dict.fromkeys(parents)),
        splice=True,
        branch_labels=branch_labels,
        rev_id=rev_id,
    )


def write_revision(
    project: Project,
    message: str | None,
    *,
    head: str | Sequence[str],
    splice: bool = False,
    branch_labels: Sequence[str] = (),
    depends_on: Sequence[str] = (),
    version_path: str | None = None,
    rev_id: str | None = None,
    template_args: dict[str, Any] | None = None,
) -> Any:
    """Write a revision file, run the post-write hooks, and say where it went.

    Plugins that draft revisions (autogenerate) call this with the rendered
    operations in ``template_args``.
    """
    config = project.config
    config.require()
    template = config.script_location / "script.py.mako"
    if not template.is_file():
        raise CommandError(f"{template}: not found; check script_location in {config.location}")
    args = {"config": config, "imports": "", "upgrades": None, "downgrades": None}
    args.update(template_args or {})
    script = project.scripts.generate_revision(
        template,
        message,
        rev_id=rev_id,
        head=head,
        splice=splice,
        branch_labels=list(branch_labels) or None,
        depends_on=list(depends_on) or None,
        version_path=config.resolve_path(version_path) if version_path else None,
        file_template=config.get("file_template"),
        truncate_slug_length=config.get("truncate_slug_length"),
        timezone=config.get("timezone"),
        template_args=args,
    )
    project.status(f"Generated {script.path}")
    from mighub.write_hooks import run_post_write_hooks

    run_post_write_hooks(project, script.path)
    return script


EDITORS = ("sensible-editor", "editor", "nano", "vim", "vi", "code")


@click.command(cls=Command)
@click.argument("revision")
@click.pass_obj
def edit(project: Project, revision: str) -> None:
    """Open the file of REVISION (or 'current') in $VISUAL or $EDITOR."""
    paths = [str(r.path) for r in _named_revisions(project, revision)[0]]
    if not paths:
        raise CommandError(f"edit {revision}: names no revision")
    import shlex
    import shutil
    import subprocess

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    command = shlex.split(editor) if editor else None
    if command is None:
        found = next((e for e in EDITORS if shutil.which(e)), None)
        if found is None:
            raise CommandError("no editor found: set $EDITOR (for example EDITOR=nano)")
        command = [found]
    for path in paths:
        done = subprocess.run([*command, path], check=False)
        if done.returncode != 0:
            raise CommandError(f"the editor {' '.join(command)} exited with {done.returncode}")
