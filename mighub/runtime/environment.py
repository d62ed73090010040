"""The environment context: what ``from mighub import context`` is while env.py runs.

A command (``upgrade``, ``current``, ...) describes what it wants as a
:class:`RunRequest`, then runs the project's env.py inside an
:class:`EnvironmentContext`. env.py connects its way and calls
``context.configure(...)`` and ``context.run_migrations()``; the request's
``plan`` function turns the heads found in the database into steps.
"""

from __future__ import annotations

import contextvars
import runpy
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from mighub.errors import MighubError
from mighub.runtime.lock import DEFAULT_TIMEOUT

if TYPE_CHECKING:
    import sqlalchemy as sa

    from mighub.config import Config
    from mighub.project import Project
    from mighub.runtime.migration import MigrationContext

_current: contextvars.ContextVar[EnvironmentContext] = contextvars.ContextVar("mighub_environment")


class EnvPyError(MighubError):
    """env.py used the context API wrongly, or is missing."""


@dataclass
class RunRequest:
    """What a command asks of a run: how to plan steps from the heads, and how to run them."""

    command: str
    plan: Callable[[tuple[str, ...], MigrationContext], Sequence[Any]]
    as_sql: bool = False
    starting_rev: str | None = None
    destination: str | None = None
    tag: str | None = None
    purge: bool = False
    mutates: bool = True
    """False for commands that only read (``current``): no version table is created, no lock."""
    creates_version_table: bool = True
    """False for runs that take the lock but leave mighub's tables alone (plugin commands)."""
    lock: bool = True
    lock_timeout: float = DEFAULT_TIMEOUT


def current_environment() -> EnvironmentContext:
    """The environment of the env.py running now; a clear error outside one."""
    try:
        return _current.get()
    except LookupError:
        raise EnvPyError(
            "mighub.context is only available while mighub runs env.py "
            "(for example during 'mighub upgrade')"
        ) from None


class EnvironmentContext:
    """The API env.py calls: configure, begin_transaction, run_migrations, and questions."""

    def __init__(
        self,
        project: Project,
        script: Any,
        request: RunRequest,
        *,
        output: IO[str] | None = None,
    ) -> None:
        self.project = project
        self.script = script
        self.request = request
        self.output: IO[str] = output if output is not None else sys.stdout
        self.migration_context: MigrationContext | None = None
        self.contexts: list[MigrationContext] = []
        """Every context configure() made (several in a multidb env.py)."""
        self.planned: list[Any] | None = None
        self.heads: tuple[str, ...] | None = None
        self.incomplete: list[Any] = []
        """Revisions an earlier run left half-applied (databases without transactional DDL)."""

    # -- running env.py ----------------------------------------------------------

    def run_env(self) -> None:
        """Run the project's env.py with this context as ``mighub.context``."""
        config = self.config
        env_py = config.script_location / "env.py"
        if not env_py.is_file():
            raise EnvPyError(f"{env_py}: not found; check script_location in {config.location}")
        try:
            with self._sys_path(), self.activate():
                runpy.run_path(str(env_py), run_name="mighub_env")
        except (MighubError, BrokenPipeError):
            raise  # ours, or the reader of --sql output went away (`| head`): not env.py's fault
        except Exception as exc:
            # env.py is the project's code: its failure is the user's to fix, not a mighub bug.
            where = _innermost_frame_in(exc, env_py)
            detail = (str(exc).strip().splitlines() or [""])[0]
            raise EnvPyError(f"{env_py}{where}: {type(exc).__name__}: {detail}") from exc
        finally:
            for context in self.contexts:
                context.close()
        for context in self.contexts:
            problem = context.lost_work()
            if problem is not None:
                raise EnvPyError(f"{env_py}: {problem}")
        if self.planned is None:
            raise EnvPyError(f"{env_py}: did not call context.run_migrations(), so nothing ran")

    @contextmanager
    def activate(self) -> Iterator[EnvironmentContext]:
        """Make this the current environment (what ``mighub.context`` refers to)."""
        token = _current.set(self)
        try:
            yield self
        finally:
            _current.reset(token)

    @contextmanager
    def _sys_path(self) -> Iterator[None]:
        config = self.config
        entries = [str(config.resolve_path(p)) for p in config.get("prepend_sys_path")]
        saved = list(sys.path)
        sys.path[:0] = [e for e in entries if e not in sys.path]
        try:
            yield
        finally:
            sys.path[:] = saved

    def progress(self, message: str) -> None:
        """A progress line on stderr (stdout stays for SQL and answers); ``-q`` silences it."""
        self.project.warn_line(message)

    # -- the env.py API ----------------------------------------------------------

    @property
    def config(self) -> Config:
        return self.project.config

    def configure(
        self,
        connection: sa.Connection | None = None,
        url: Any = None,
        dialect_name: str | None = None,
        dialect_opts: Mapping[str, Any] | None = None,
        transactional_ddl: bool | None = None,
        transaction_per_migration: bool = False,
        output_buffer: IO[str] | None = None,
        literal_binds: bool = False,
        starting_rev: str | None = None,
        tag: str | None = None,
        template_args: Mapping[str, Any] | None = None,
        version_table: str | None = None,
        version_table_schema: str | None = None,
        create_version_table_schema: bool | None = None,
        version_table_pk: bool = True,
        on_version_apply: Callable[..., Any] | Sequence[Callable[..., Any]] | None = None,
        target_metadata: Any = None,
        upgrade_token: str = "upgrades",
        downgrade_token: str = "downgrades",
        **kw: Any,
    ) -> None:
        """Say how to reach the database (or which dialect to write SQL for), and how to run.

        Online, pass ``connection`` (a SQLAlchemy ``Connection``). Offline
        (``--sql``), pass ``url`` or ``dialect_name``. Every other keyword is
        kept in ``get_context().opts`` for plugins (autogenerate options
        such as ``compare_type`` or ``include_object`` live there).
        """
        import sqlalchemy as sa

        from mighub.runtime.migration import MigrationContext, MigrationOptions

        if isinstance(connection, sa.Engine):
            raise EnvPyError(
                "context.configure(connection=...) needs a Connection, not an Engine: "
                "use 'with engine.connect() as connection:'"
            )
        if connection is not None and self.request.as_sql:
            connection = None  # offline: never touch the database, even if env.py connected
        if literal_binds and not self.request.as_sql:
            raise EnvPyError("literal_binds=True only applies to offline (--sql) runs")
        dialect = self._dialect(connection, url, dialect_name, dialect_opts)
        impl_class = self.project.host.dialects.get(dialect.name)
        if callable(on_version_apply):
            on_version_apply = (on_version_apply,)
        options = MigrationOptions(
            transactional_ddl=transactional_ddl,
            transaction_per_migration=transaction_per_migration,
            literal_binds=literal_binds,
            output_buffer=output_buffer,
            starting_rev=starting_rev,
            tag=tag,
            template_args=dict(template_args or {}),
            version_table=version_table,
            version_table_schema=version_table_schema,
            create_version_table_schema=create_version_table_schema,
            version_table_pk=version_table_pk,
            on_version_apply=tuple(on_version_apply or ()),
            target_metadata=target_metadata,
            upgrade_token=upgrade_token,
            downgrade_token=downgrade_token,
            extra=dict(kw),
        )
        self.migration_context = MigrationContext(self, dialect, impl_class, connection, options)
        self.contexts.append(self.migration_context)

    def _dialect(
        self,
        connection: Any,
        url: Any,
        dialect_name: str | None,
        dialect_opts: Mapping[str, Any] | None,
    ) -> sa.Dialect:
        from sqlalchemy.engine import make_url

        if connection is not None:
            return connection.dialect
        try:
            if url is not None:
                return make_url(url).get_dialect()(**dict(dialect_opts or {}))
            if dialect_name is not None:
                return make_url(f"{dialect_name}://").get_dialect()(**dict(dialect_opts or {}))
        except Exception as exc:
            name = dialect_name or str(url).partition(":")[0]
            raise EnvPyError(f"cannot load the SQLAlchemy dialect for {name!r}: {exc}") from exc
        raise EnvPyError(
            "context.configure() needs a connection (online), or a url or dialect_name (--sql)"
        )

    def get_context(self) -> MigrationContext:
        if self.migration_context is None:
            raise EnvPyError("call context.configure() before using the migration context")
        return self.migration_context

    def run_migrations(self, **kw: Any) -> None:
        """Run the command's steps; keyword arguments go to each upgrade()/downgrade()."""
        context = self.get_context()
        context.run_migrations(**kw)
        self.heads = context._heads

    def begin_transaction(self) -> Any:
        return self.get_context().begin_transaction()

    def is_offline_mode(self) -> bool:
        return self.request.as_sql

    def is_transactional_ddl(self) -> bool:
        return self.get_context().transactional_ddl

    def get_x_argument(self, as_dictionary: bool = False) -> list[str] | dict[str, str]:
        return self.config.x_argument(as_dictionary=as_dictionary)

    def get_bind(self) -> Any:
        return self.get_context().bind

    def execute(self, sql: Any, execution_options: Mapping[str, Any] | None = None) -> None:
        self.get_context().execute(sql, execution_options)

    def static_output(self, text: str) -> None:
        """Write ``text`` to the offline output (a comment or a statement of your own)."""
        if self.migration_context is not None:
            self.migration_context.impl.static_output(text)
        elif self.request.as_sql:
            self.output.write(text + "\n\n")

    def get_head_revision(self) -> str | None:
        return self.script.revision_map.get_current_head()

    def get_head_revisions(self) -> tuple[str, ...]:
        return self.script.revision_map.get_heads()

    def get_starting_revision_argument(self) -> str | None:
        return self.request.starting_rev

    def get_revision_argument(self) -> str | None:
        return self.request.destination

    def get_tag_argument(self) -> str | None:
        context = self.migration_context
        if context is not None and context.options.tag is not None:
            return context.options.tag
        return self.request.tag


def _innermost_frame_in(exc: BaseException, path: Path) -> str:
    """``, line N`` of the deepest traceback frame in ``path``, if any."""
    line = ""
    tb = exc.__traceback__
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename) == path:
            line = f", line {tb.tb_lineno}"
        tb = tb.tb_next
    return line
