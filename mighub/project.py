"""The object every command receives: the project's configuration, plugins and output.

Built by the CLI from the global options (``-c``, ``-n``, ``-x``, ``--url``,
``-p``, ``-q``) and handed to commands as the click context object, so a
plugin's command gets exactly what a core command gets::

    @cli.command()
    @click.pass_obj
    def seed(project: Project) -> None:
        def insert(context: MigrationContext) -> None:
            context.connection.execute(...)

        project.run_with_connection(insert)

Everything is loaded on first use: ``mighub --help`` never reads the
configuration, and ``mighub heads`` never imports a database dialect.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

import click

from mighub.config import Config, expand_env, load_config, url_secrets
from mighub.errors import CommandError, MighubError
from mighub.host import PluginHost

if TYPE_CHECKING:
    from mighub.runtime.migration import MigrationContext
    from mighub.script import ScriptDirectory

T = TypeVar("T")


class Options:
    """The global command-line options, as given."""

    __slots__ = ("config", "disabled", "name", "quiet", "traceback", "url", "x_arguments")

    def __init__(
        self,
        config: str | None = None,
        name: str | None = None,
        x_arguments: Sequence[str] = (),
        url: str | None = None,
        disabled: Sequence[str] = (),
        quiet: bool = False,
        traceback: bool = False,
    ) -> None:
        self.config = config
        self.name = name
        self.x_arguments = x_arguments
        self.url = url
        self.disabled = disabled
        self.quiet = quiet
        self.traceback = traceback


class Project:
    """Configuration, plugin host and output channels of one mighub invocation."""

    def __init__(self, options: Options | None = None) -> None:
        self.options = options if options is not None else Options()
        self._config_error: MighubError | None = None
        self._secrets: list[str] = []
        self._secrets_key: Any = None

    # -- configuration and plugins ---------------------------------------------

    @cached_property
    def _loaded_config(self) -> Config | None:
        o = self.options
        try:
            return load_config(o.config, name=o.name, url=o.url, x_arguments=o.x_arguments)
        except MighubError as exc:
            self._config_error = exc
            return None

    @property
    def config(self) -> Config:
        """The validated configuration (``config.exists`` is False when there is none)."""
        config = self._loaded_config
        if config is None:
            assert self._config_error is not None
            raise self._config_error
        return config

    def config_error(self) -> MighubError | None:
        """Why the configuration could not be loaded, if it could not."""
        return self._config_error if self._loaded_config is None else None

    @cached_property
    def host(self) -> PluginHost:
        """Builtin, installed and project plugins; a broken configuration loads no project ones."""
        config = self._loaded_config
        project_plugins: list[str] = config.get("plugins") if config is not None else []
        root = config.root_dir() if config is not None else None
        return PluginHost.for_cli(
            disabled=self.options.disabled,
            project_plugins=project_plugins,
            project_root=root,
        )

    @cached_property
    def scripts(self) -> ScriptDirectory:
        """The revision scripts and their graph (headers read without running them)."""
        from mighub.script import ScriptDirectory

        config = self.config
        config.require()
        return ScriptDirectory(
            config.version_location_strings(),
            recursive=config.get("recursive_version_locations"),
        )

    def require_database_ready(self) -> Config:
        """Check what a command needs before it touches a database, and return the config.

        Refuses when the configuration is missing or wrong, or when any plugin
        failed to load: a migration never runs with a plugin silently missing.
        """
        config = self.config
        config.require()
        self.host.check_healthy()
        return config

    def run_with_connection(
        self,
        fn: Callable[[MigrationContext], T],
        *,
        read_only: bool = False,
        command: str | None = None,
    ) -> list[T]:
        """Call ``fn(context)`` with the database connection that the project's env.py makes.

        For plugin commands that need the database (``mighub seed``): env.py
        is where a project says how to connect (its URL, ``-n NAME``, driver
        options, a schema on the search path, an async engine), so mighub runs
        it exactly as ``mighub upgrade`` would, and where ``upgrade`` would run
        revisions it calls ``fn`` with the
        :class:`~mighub.runtime.migration.MigrationContext`:
        ``context.connection`` (a SQLAlchemy ``Connection``),
        ``context.dialect``, ``context.impl`` and ``context.get_current_heads()``.

        ``fn`` runs inside the transaction env.py begins: it commits when
        ``fn`` returns and rolls back when it raises. Unless ``read_only``,
        mighub first takes the migration lock (so the command never runs
        while a deploy migrates the same database) and refuses while a
        revision is left incomplete (``mighub resolve``); it never creates
        the version table. Plugins and configuration are checked first, as
        for every database command.

        Returns what ``fn`` returned, once per database env.py configured
        (one, except in a multidb project). An error the database raises
        becomes a one-line :class:`~mighub.errors.CommandError` naming the
        command and the SQL; a :class:`~mighub.errors.MighubError` raised by
        ``fn`` is shown as it is; anything else is a bug in the command and
        keeps its traceback (``--traceback``).
        """
        self.require_database_ready()
        from mighub.runtime.environment import EnvironmentContext, RunRequest

        name = command or _current_command_name()
        results: list[T] = []
        raised: list[BaseException] = []

        def call(heads: tuple[str, ...], context: MigrationContext) -> list[Any]:
            try:
                results.append(fn(context))
            except MighubError:
                raise
            except Exception as exc:
                raised.append(exc)
                # Through env.py untouched: env.py's own errors are reported as env.py's.
                raise _CommandFailed() from exc
            return []

        request = RunRequest(
            command=name, plan=call, mutates=not read_only, creates_version_table=False
        )
        environment = EnvironmentContext(self, self.scripts, request)
        try:
            environment.run_env()
        except _CommandFailed:
            original = raised[0]
            error = _database_error(name, original)
            if error is original:
                raise original from None
            raise error from original
        return results

    def warn_if_unhealthy(self) -> None:
        """Commands that touch no database still work with a broken plugin, but say so."""
        for info in self.host.failed:
            self.warn(
                f"plugin {info.describe()} failed to load ({info.error}); "
                f"'mighub plugins' has details"
            )

    # -- output -----------------------------------------------------------------

    def secrets(self) -> list[str]:
        """Every database password this invocation could know of, for redaction."""
        config = self._loaded_config
        key = (self.options.url, os.environ.get("MIGHUB_URL"), id(config))
        if self._secrets_key != key:
            self._secrets = self._find_secrets()
            self._secrets_key = key
        return self._secrets

    def _find_secrets(self) -> list[str]:
        found: list[str] = []
        found += url_secrets(self.options.url)
        found += url_secrets(os.environ.get("MIGHUB_URL"))
        config = self._loaded_config
        if config is not None:
            urls = [config.values.get("url")]
            urls += [db.get("url") for db in config.values.get("databases", {}).values()]
            for raw in urls:
                if raw is None:
                    continue
                found += url_secrets(raw)
                with contextlib.suppress(MighubError):  # an unset ${VAR} hides nothing
                    found += url_secrets(expand_env(raw, config.location))
        return sorted(set(found), key=len, reverse=True)

    def redact(self, text: str) -> str:
        """``text`` with every known password replaced by ``***``."""
        for secret in self.secrets():
            if secret not in text:
                continue
            text = text.replace(secret, "***")
        return text

    def echo(self, message: str = "", *, nl: bool = True) -> None:
        """Command output (what the user asked to see); ``-q`` does not silence it."""
        click.echo(self.redact(message), nl=nl)

    def status(self, message: str) -> None:
        """Progress a person follows; ``-q`` silences it."""
        if not self.options.quiet:
            click.echo(self.redact(message))

    def warn_line(self, message: str) -> None:
        """A progress line on stderr, keeping stdout for answers and SQL; ``-q`` silences it.

        Written to the stream directly: a run prints two of these per revision, and
        ``click.echo``'s stream and colour handling would be most of their cost.
        """
        if not self.options.quiet:
            stream = sys.stderr
            if stream is not None:
                stream.write(self.redact(message) + "\n")
                stream.flush()

    def warn(self, message: str) -> None:
        """A warning on stderr; ``-q`` silences it."""
        if not self.options.quiet:
            click.echo(f"Warning: {self.redact(message)}", err=True)

    def error_line(self, exc: BaseException) -> str:
        """The one line printed on stderr for a user-facing error."""
        return self.redact(f"Error: {exc}")


class _CommandFailed(MighubError):
    """Carries a command's own exception out through env.py, which would blame itself."""


def _current_command_name() -> str:
    ctx = click.get_current_context(silent=True)
    return ctx.command_path.removeprefix("mighub ") if ctx is not None else "command"


def _database_error(command: str, exc: BaseException) -> BaseException:
    """A refusal by the database is the user's to fix: one line. Anything else is a bug."""
    from sqlalchemy.exc import DBAPIError

    if not isinstance(exc, DBAPIError):
        return exc
    detail = exc.orig if exc.orig is not None else exc
    first = (str(detail).strip().splitlines() or [""])[0]
    sql = f"; SQL: {' '.join(exc.statement.split())}" if exc.statement else ""
    return CommandError(
        f"{command} failed: {type(detail).__name__}: {first}{sql}; its transaction was rolled back"
    )


def print_error(project: Project | None, exc: BaseException, *, bug: bool = False) -> None:
    """Report ``exc`` on stderr in one line (plus a traceback with ``--traceback``)."""
    show_traceback = project is not None and project.options.traceback
    if show_traceback:
        import traceback

        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        sys.stderr.write(project.redact(text) if project else text)
    if bug:
        message: Any = (
            f"unexpected {type(exc).__name__}: {exc} (this is a bug in mighub or in a "
            f"plugin; run again with --traceback for details)"
        )
    else:
        message = exc
    line = project.error_line(message) if project else f"Error: {message}"
    click.echo(line, err=True)
