"""Every hook a mighub plugin can implement: this module is the plugin author's reference.

A plugin is a module (or any object) with functions marked ``@hookimpl`` whose
names match the specifications below::

    from mighub import hookimpl


    @hookimpl
    def mighub_register_dialects(registry):
        registry.register("duckdb", "mighub_duckdb.impl:DuckDBImpl")

Rules that hold for every hook:

- Names start with ``mighub_``. A marked function whose name matches no
  specification is an error that disables the plugin (a misspelled hook would
  otherwise be silently ignored).
- An implementation may accept fewer arguments than the specification lists;
  new arguments can be added to a specification without breaking plugins.
- ``register`` hooks receive a registry that the plugin host owns. They are
  called once per plugin, in load order (builtin plugins, then installed
  distributions sorted by entry-point name, then project plugins in the order
  the configuration lists them), so a later plugin sees what earlier ones
  registered. Registering a name that another plugin already registered is an
  error naming both plugins, unless the newcomer passes ``replace=True``.
- Registration hooks are called lazily, the first time a command needs that
  registry: ``mighub heads`` never asks for dialects, so a dialect plugin's
  heavy imports should happen inside the classes it registers (pass
  ``"module:attribute"`` strings), not at the top of the plugin module.
- Event hooks (``mighub_before_revision``, then ``mighub_after_revision``
  or ``mighub_revision_failed``) are ordinary pluggy calls: every
  implementation runs, the most recently loaded plugin first.

Hooks are grouped below by phase, in the order a migration run meets them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from mighub.registries import (
        CommandRegistry,
        ComparatorRegistry,
        DialectRegistry,
        OperationRegistry,
        RendererRegistry,
        TemplateRegistry,
    )

PROJECT_NAME = "mighub"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


@hookspec
def mighub_register_commands(cli: CommandRegistry) -> None:
    """Add click commands (or groups) to the ``mighub`` command line.

    Called once per plugin whenever the command line is built, before any
    argument after the global options is parsed. ``cli`` collects commands
    for this plugin; use it like a ``click.Group``::

        @hookimpl
        def mighub_register_commands(cli):
            @cli.command()
            @click.pass_obj
            def lint(project):
                \"\"\"Check revision scripts for risky operations.\"\"\"
                for script in project.scripts.walk_revisions():
                    ...

    ``cli.add_command("my_plugin.commands:lint", "lint")`` registers a command
    by reference instead: its module is imported only when the command runs
    (or ``--help`` lists it), so other commands do not pay for it. The module
    must be importable where ``mighub`` runs, as an installed distribution's
    is; the project's directory is not on ``sys.path``, so a project plugin
    registers its command objects. A reference that does not import fails
    that command with the reason, and ``--help`` shows it beside its name.

    ``mighub --help`` lists the commands under the plugin that added them.
    Commands receive the :class:`mighub.project.Project` as the click
    context object (``@click.pass_obj``): the configuration, the plugin host
    and, when the command needs them, the script directory and a database
    connection. Raise :class:`mighub.errors.MighubError` for a user-facing
    error: the CLI prints it on one line and exits 1.

    Two plugins adding the same command name is an error naming both, unless
    the later one registers with ``cli.add_command(cmd, replace=True)``.

    Returns nothing. In project plugins: allowed (a team's own commands).
    """


@hookspec
def mighub_register_templates(registry: TemplateRegistry) -> None:
    """Add project templates for ``mighub init -t NAME``.

    A template is a directory holding ``env.py``, ``script.py.mako``, a
    ``README`` whose first line describes the template (shown by
    ``mighub list-templates``), which ``init`` copies into the new project,
    and ``config.toml.mako``: the Mako source of the configuration that
    ``init`` writes. It receives ``script_location``, ``in_pyproject`` and
    ``header(table="")``, which spells a table's header for the file the
    configuration goes to (``header()`` is ``[tool.mighub]`` in a
    ``pyproject.toml``, nothing in a ``mighub.toml``). Register it with
    ``registry.register(name, directory, config_target="mighub.toml")`` on
    ``registry``, the host's :class:`mighub.registries.TemplateRegistry`,
    where ``config_target`` (``"mighub.toml"``, the default, or
    ``"pyproject.toml"``) is where ``init`` writes the configuration.

    Called once per plugin, when ``init`` or ``list-templates`` runs.
    Returns nothing. In project plugins: allowed, though a project plugin is
    only found once a configuration exists, so such templates serve
    re-initialisation of further environments rather than the first ``init``.
    """


# ---------------------------------------------------------------------------
# Database dialects and operations
# ---------------------------------------------------------------------------


@hookspec
def mighub_register_dialects(registry: DialectRegistry) -> None:
    """Provide the DDL implementation for one or more SQLAlchemy dialects.

    ``registry`` is the host's :class:`mighub.registries.DialectRegistry`.
    ``registry.register(dialect_name, impl)`` maps a SQLAlchemy dialect name
    (``engine.dialect.name``: ``"postgresql"``, ``"mssql"``, ``"mysql"``,
    ``"mariadb"``, or a third-party name) to a subclass of
    :class:`mighub.ddl.impl.DialectImpl`, given as the class or as a
    ``"module:ClassName"`` string that is imported only when a database of
    that dialect is used. The implementation says whether DDL is
    transactional, how offline scripts separate statements, how the
    migration lock is taken, and how each operation becomes SQL where the
    generic form is wrong for the dialect.

    Called once per plugin, the first time a command needs a dialect. When no
    plugin registers the dialect of the database in use, the command fails,
    listing the dialects that are installed.

    Returns nothing. In project plugins: allowed (for example to subclass an
    installed implementation and ``replace=True`` it).
    """


@hookspec
def mighub_register_operations(registry: OperationRegistry) -> None:
    """Add ``op.<name>`` operations and their per-dialect implementations.

    An operation is a reversible data object (a subclass of
    :class:`mighub.operations.base.Operation`) whose ``reverse()`` gives the
    operation that undoes it. Register it on ``registry``, the host's
    :class:`mighub.registries.OperationRegistry`, with
    ``registry.register_operation(name, op_class, batch=True)`` (``batch``
    also adds it to ``batch_alter_table``'s ``batch_op``) and say how it runs
    with ``registry.register_implementation(op_class, function,
    dialect="default")``; a dialect-specific implementation wins over the
    ``"default"`` one for that dialect.

    Called once per plugin, the first time a revision script runs or an
    operation is rendered. An operation name registered by two plugins is an
    error naming both, unless the later one passes ``replace=True``.

    Returns nothing. In project plugins: allowed (``op.create_view``,
    ``op.grant_select`` and other team operations).
    """


@hookspec(firstresult=True)
def mighub_batch_strategy(dialect_name: str) -> Any:
    """Return the object that carries out ``op.batch_alter_table`` ("move and copy").

    ``dialect_name`` is the SQLAlchemy dialect name of the database in use.
    Return a batch strategy object for it, or ``None`` to let another plugin
    answer. The first non-``None`` answer wins; plugins loaded later are asked
    first, so a project plugin can override an installed strategy.

    A strategy has one method, a context manager that yields the
    ``batch_op`` of the ``with`` block::

        def batch_alter_table(self, operations, table_name, **options): ...

    It receives the running :class:`mighub.operations.Operations` and every
    other argument of ``op.batch_alter_table`` as a keyword: ``schema``,
    ``recreate`` (already checked to be ``"auto"``, ``"always"`` or
    ``"never"``), ``copy_from``, ``reflect_args``, ``reflect_kwargs``,
    ``table_args``, ``table_kwargs``, ``naming_convention`` and
    ``partial_reordering``.

    The ``batch_op`` it yields is usually a subclass of
    :class:`mighub.operations.BatchOperations` that collects the operations
    and applies them when the block ends without an error.

    Called when a revision script enters ``op.batch_alter_table``. When no
    plugin answers, the error tells the user to install ``mighub-sqlite-batch``.

    In project plugins: allowed.
    """


# ---------------------------------------------------------------------------
# Autogenerate
# ---------------------------------------------------------------------------


@hookspec
def mighub_register_comparators(registry: ComparatorRegistry) -> None:
    """Add autogenerate comparators: functions that find differences between models and database.

    ``registry`` is the host's :class:`mighub.registries.ComparatorRegistry`:
    ``registry.register(function, level=..., dialect=None, priority=0)``
    where ``level`` is ``"schema"``, ``"table"``, ``"column"`` or
    ``"constraint"``. Comparators of a level run in descending ``priority``,
    dialect-specific ones (``dialect="postgresql"``) only against that
    dialect; a comparator returns :data:`mighub.registries.STOP` to end the
    chain for the object at hand, anything else to continue.

    A dialect plugin usually needs less than a comparator: it teaches the
    built-in comparison how the database spells what it stores, with
    ``registry.register_type_synonyms(canonical, *spellings, dialect=...)``
    and ``registry.register_normaliser(function, kind=..., dialect=...)``
    (``kind`` is ``"type"``, ``"server_default"`` or ``"expression"``).
    What each comparator level and normaliser receives is documented by the
    autogenerate plugin (docs/autogenerate.md, "Extending autogenerate").

    A dialect whose SQLAlchemy inspector reads one table at a time may also
    supply a schema reader, so that comparing a schema costs the same few
    queries for 5 tables or 5,000:
    ``registry.register_reader(function, dialect=...)``, where
    ``function(inspector, schema, names)`` returns, for each kind of object
    it reads (``"columns"``, ``"pk_constraint"``, ``"foreign_keys"``,
    ``"indexes"``, ``"unique_constraints"``, ``"check_constraints"``,
    ``"table_comment"``), what ``Inspector.get_multi_<kind>()`` would
    return; kinds it leaves out are read with the inspector. One reader per
    dialect (a second one needs ``replace=True``).

    Called once per plugin, the first time ``revision --autogenerate`` or
    ``check`` runs. Returns nothing. In project plugins: allowed.
    """


@hookspec
def mighub_register_renderers(registry: RendererRegistry) -> None:
    """Add renderers that turn an operation object into Python source for a revision script.

    ``registry`` is the host's :class:`mighub.registries.RendererRegistry`:
    ``registry.register(op_class, function)`` where ``function(context, op)``
    returns the source text of the call, and records the imports it needs on
    ``context`` so the rendered script never refers to an unimported name.
    A class that is costly to import may be named instead, as
    ``"module:QualifiedName"``.

    Called once per plugin, the first time an autogenerated script is
    rendered. A second renderer for the same class is an error naming both
    plugins, unless the later one passes ``replace=True``.

    Returns nothing. In project plugins: allowed (render a custom operation).
    """


# ---------------------------------------------------------------------------
# Running revisions
# ---------------------------------------------------------------------------


@hookspec
def mighub_before_revision(context: Any, step: Any) -> None:
    """Called just before a revision's ``upgrade()`` or ``downgrade()`` runs.

    ``context`` is the :class:`mighub.runtime.migration.MigrationContext` of
    the run: ``context.connection`` (``None`` offline), ``context.dialect``,
    ``context.impl`` (the dialect implementation), ``context.as_sql`` (true
    for ``--sql`` runs, where the script writes SQL instead of running it)
    and ``context.config``. ``step`` is the revision about to run:
    ``step.revision.revision`` (its id), ``step.revision.doc`` (its message),
    ``step.revision.path`` (its file), ``step.direction`` (``"upgrade"`` or
    ``"downgrade"``), ``step.is_upgrade``, and ``step.from_revisions`` /
    ``step.to_revisions`` (the heads it moves from and to). ``stamp`` and
    ``resolve`` run no script, so they call no revision hook.

    Runs inside the migration's transaction where the database has one, so an
    exception raised here stops the run: the revision fails (and
    :func:`mighub_revision_failed` is called) without its script running.

    Every implementation runs; returns nothing. In project plugins: allowed.
    """


@hookspec
def mighub_after_revision(context: Any, step: Any, duration: float) -> None:
    """Called after a revision's ``upgrade()`` or ``downgrade()`` finished without error.

    Receives the same ``context`` and ``step`` as
    :func:`mighub_before_revision`, and ``duration``, the seconds the script
    took. Runs before the version table is moved and before the transaction
    commits, so an exception raised here fails the revision and rolls it
    back (a team's last check). Where the whole run is one transaction (the
    default on databases with transactional DDL), a revision is kept only if
    the run commits: a later revision that fails undoes it too, and its
    :func:`mighub_revision_failed` call says so.

    Not called when the revision fails: see :func:`mighub_revision_failed`.
    Every implementation runs; returns nothing. In project plugins: allowed.
    """


@hookspec
def mighub_revision_failed(context: Any, step: Any, error: Exception, duration: float) -> None:
    """Called when a revision failed: the other outcome of :func:`mighub_before_revision`.

    Receives the same ``context`` and ``step`` as
    :func:`mighub_before_revision`; ``error``, the
    :class:`mighub.errors.MighubError` the user is about to see (it names the
    revision, the operation and the SQL that failed, and says what was rolled
    back or what stayed applied); and ``duration``, the seconds from the start
    of the revision to the failure. Called whatever failed: the script, a
    ``mighub_before_revision`` or ``mighub_after_revision`` implementation, or
    moving the version table.

    The database's work is being undone as the error leaves the run, so do
    not use ``context.connection`` here (on PostgreSQL its transaction is
    already aborted); report, notify, record elsewhere. An exception raised
    here is shown as a warning and never replaces ``error``.

    A separate hook rather than ``mighub_after_revision`` with an outcome
    argument: an implementation may take fewer arguments than the
    specification, so an ``after_revision`` written for success would
    otherwise announce failures as successes.

    Every implementation runs; returns nothing. In project plugins: allowed.
    """
