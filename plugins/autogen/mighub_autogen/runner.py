"""Run env.py for autogenerate: get each configured connection and its target metadata.

The commands describe a read-only run to the runtime (``RunRequest`` with
``mutates=False``: no lock, no version table created). For every
``context.configure()`` + ``run_migrations()`` in env.py (one, or one per
database with the ``multidb`` template), the runtime calls our ``plan``
with the heads in the version table and the ``MigrationContext``. We check
the database is at the heads of the scripts, compare, collect the
operations, let ``process_revision_directives`` have its say, and plan no
step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mighub.errors import MighubError
from mighub_autogen.api import _downgrade, autogen_context
from mighub_autogen.compare import produce_upgrade_ops
from mighub_autogen.context import AutogenContext, AutogenerateError
from mighub_autogen.script import MigrationScript

if TYPE_CHECKING:
    from mighub.project import Project


class NotAtHeadsError(MighubError):
    """The database lacks revisions the scripts have: comparing now would draft them again."""

    def __init__(self, message: str, pending: Sequence[str], heads: Sequence[str]) -> None:
        super().__init__(message)
        self.pending = list(pending)
        self.heads = list(heads)


@dataclass
class AutogenRun:
    """What one run of env.py produced."""

    directives: list[MigrationScript]
    contexts: dict[str, AutogenContext] = field(default_factory=dict)
    """The context each ``upgrade_token`` was compared (and is rendered) with."""
    last_context: AutogenContext | None = None
    heads: tuple[str, ...] = ()

    @property
    def warnings(self) -> list[str]:
        seen: dict[str, None] = {}
        for context in self.contexts.values():
            seen.update(dict.fromkeys(context.warnings))
        return list(seen)


def run_env(project: Project, script: MigrationScript, *, autogenerate: bool) -> AutogenRun:
    """Run env.py once; compare when ``autogenerate``; return the (rewritten) directives."""
    project.require_database_ready()
    from mighub.runtime.environment import EnvironmentContext, RunRequest

    run = AutogenRun(directives=[script])
    revision_args = (script.head, script.rev_id)

    def plan(heads: tuple[str, ...], migration_context: Any) -> list[Any]:
        run.heads = tuple(heads)
        require_at_heads(project, heads)
        context = autogen_context(migration_context)
        options = migration_context.options
        if autogenerate:
            if options.target_metadata is None:
                raise AutogenerateError(
                    f"{project.config.script_location / 'env.py'}: context.configure() got no "
                    f"target_metadata; set target_metadata in env.py to your models' MetaData "
                    f"(for example: from myapp.models import Base; target_metadata = Base.metadata)"
                )
            if migration_context.connection is None:
                raise AutogenerateError(
                    "autogenerate compares with a live database: env.py must pass "
                    "context.configure(connection=...)"
                )
            upgrade_ops = produce_upgrade_ops(context, upgrade_token=options.upgrade_token)
            script.upgrade_ops_list.append(upgrade_ops)
            downgrade_ops = _downgrade(upgrade_ops, options.downgrade_token, context)
            script.downgrade_ops_list.append(downgrade_ops)
        run.contexts[options.upgrade_token] = context
        run.last_context = context
        hook = migration_context.opts.get("process_revision_directives")
        if hook is not None:
            hook(migration_context, revision_args, run.directives)
        return []

    environment = EnvironmentContext(
        project, project.scripts, RunRequest(command="autogenerate", plan=plan, mutates=False)
    )
    environment.run_env()
    return run


def require_at_heads(project: Project, heads: Sequence[str]) -> None:
    """Refuse unless every revision of the scripts is applied, naming those that are not."""
    revision_map = project.scripts.revision_map
    steps = revision_map.upgrade_steps(tuple(heads), "heads")
    pending = [step.revision.revision for step in steps]
    if pending:
        shown = ", ".join(pending[:10]) + (
            f" and {len(pending) - 10} more" if len(pending) > 10 else ""
        )
        raise NotAtHeadsError(
            f"the database is not at the heads of the scripts: {len(pending)} revision(s) not "
            f"applied ({shown}); run 'mighub upgrade heads' first",
            pending,
            heads,
        )
