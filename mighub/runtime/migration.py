"""The migration context: one database (or one offline script), its transactions and its run.

``context.configure(...)`` in env.py builds a :class:`MigrationContext`;
``context.run_migrations()`` asks it to take the migration lock, read the
version table again, plan the steps from what it found, and run them, each
revision's DDL and its version-table change in the same transaction where the
database allows.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

import sqlalchemy as sa

from mighub.errors import MighubError
from mighub.operations import Operations, use
from mighub.runtime.version_table import IncompleteRecords, VersionTable
from mighub.script.graph import version_ops_between

if TYPE_CHECKING:
    from mighub.ddl.impl import DialectImpl
    from mighub.runtime.environment import EnvironmentContext


class MigrationError(MighubError):
    """A revision failed; the message names it, the operation and the SQL, and what was kept."""


class IncompleteRevisionError(MighubError):
    """An earlier run left a revision half-applied; a person must say what happened first."""


@dataclass
class MigrationOptions:
    """What ``context.configure()`` accepts beyond the connection and dialect."""

    transactional_ddl: bool | None = None
    transaction_per_migration: bool = False
    literal_binds: bool = False
    output_buffer: IO[str] | None = None
    starting_rev: str | None = None
    tag: str | None = None
    template_args: dict[str, Any] = field(default_factory=dict)
    version_table: str | None = None
    version_table_schema: str | None = None
    create_version_table_schema: bool | None = None
    version_table_pk: bool = True
    on_version_apply: Sequence[Callable[..., Any]] = ()
    target_metadata: Any = None
    upgrade_token: str = "upgrades"
    downgrade_token: str = "downgrades"
    extra: dict[str, Any] = field(default_factory=dict)
    """Every other keyword: autogenerate options and plugin settings, read by name."""


@dataclass
class VersionApplied:
    """What ``on_version_apply`` callbacks receive as ``step``."""

    step: Any
    is_upgrade: bool
    is_stamp: bool
    up_revision_ids: tuple[str, ...]
    down_revision_ids: tuple[str, ...]
    heads_before: tuple[str, ...]
    heads_after: tuple[str, ...]

    @property
    def is_migration(self) -> bool:
        return not self.is_stamp


class MigrationContext:
    """A connection (or an offline output), the dialect implementation, and how a run goes."""

    def __init__(
        self,
        environment: EnvironmentContext,
        dialect: sa.Dialect,
        impl_class: type[DialectImpl],
        connection: sa.Connection | None,
        options: MigrationOptions,
    ) -> None:
        self.environment = environment
        self.dialect = dialect
        self.connection = connection
        self.options = options
        self.as_sql = environment.request.as_sql
        self.impl: DialectImpl = impl_class(
            dialect,
            connection,
            as_sql=self.as_sql,
            output=options.output_buffer or environment.output,
            literal_binds=options.literal_binds,
            options={**options.extra, "transactional_ddl": options.transactional_ddl},
        )
        self.transactional_ddl = (
            options.transactional_ddl
            if options.transactional_ddl is not None
            else impl_class.transactional_ddl
        )
        config = environment.config
        self.version_table = VersionTable(
            options.version_table or config.get("version_table"),
            options.version_table_schema or config.get("version_table_schema"),
            primary_key=options.version_table_pk,
        )
        self.incomplete = IncompleteRecords(self.version_table)
        self._statement_sink: list[list[str]] = []
        self._statement_listener: Any = None
        self.create_version_table_schema = bool(
            options.create_version_table_schema
            if options.create_version_table_schema is not None
            else config.get("create_version_table_schema")
        )
        self._outer_transaction = False
        self._lock_held = False
        self._callers_transaction = False
        self._callers_outcome: dict[str, bool] | None = None
        self._heads: tuple[str, ...] | None = None
        self.current_operation: Any = None
        self._prepared = False
        self._operations: Operations | None = None
        # Inside a run-wide transaction, the version table is written once, at the
        # end (write_versions): what it holds now, and what it should hold.
        self._written_heads: tuple[str, ...] | None = None
        self._pending_heads: tuple[str, ...] | None = None

    # -- what env.py and scripts can ask -------------------------------------------

    @property
    def bind(self) -> Any:
        """The live connection online; offline, a mock that writes what it is given.

        Whoever asks may read the version table, so it is brought up to date first.
        """
        self.write_versions()
        return self.impl.bind

    @property
    def config(self) -> Any:
        return self.environment.config

    @property
    def opts(self) -> Mapping[str, Any]:
        return self.options.extra

    def execute(self, sql: Any, execution_options: Mapping[str, Any] | None = None) -> None:
        self.write_versions()
        self.impl.execute(sql, execution_options=execution_options)

    def get_current_heads(self) -> tuple[str, ...]:
        """The revisions the version table holds (offline: the ``FROM`` of a range)."""
        if self.as_sql:
            start = self.options.starting_rev or self.environment.request.starting_rev
            return self.environment.script.revision_map.offline_start(start)
        assert self.connection is not None
        self.write_versions()
        return self.version_table.read(self.connection)

    def get_current_revision(self) -> str | None:
        heads = self.get_current_heads()
        if len(heads) > 1:
            raise MighubError(
                f"the database has several heads ({', '.join(heads)}); use get_current_heads()"
            )
        return heads[0] if heads else None

    # -- transactions ----------------------------------------------------------------

    @contextlib.contextmanager
    def begin_transaction(self) -> Iterator[None]:
        """The run's transaction: one for the whole run, unless each revision gets its own.

        With ``transaction_per_migration``, or on a database without
        transactional DDL, this is a no-op and every revision runs in its own
        transaction. A connection already inside a transaction (begun by the
        caller) is respected: that transaction is the run's, and the caller
        commits it.
        """
        whole_run = self.transactional_ddl and not self.options.transaction_per_migration
        if self.as_sql:
            with self._written_transaction(whole_run):
                yield
            return
        assert self.connection is not None
        # The lock is taken before the transaction begins and released after it
        # commits: released any earlier, a waiting process could read the version
        # table before this run's changes are visible and run them again.
        callers_transaction = self.connection.in_transaction()  # before the lock queries
        with self._prepared_connection(), self._held_lock():
            if callers_transaction or self._outer_transaction:
                self._outer_transaction = True
                self._callers_transaction = self._callers_transaction or callers_transaction
                yield
                return
            if not whole_run:
                yield
                return
            self._outer_transaction = True
            try:
                with self._transaction():
                    yield
            finally:
                self._outer_transaction = False

    @contextlib.contextmanager
    def _written_transaction(self, active: bool) -> Iterator[None]:
        """Offline: ``BEGIN`` and ``COMMIT`` written around the block, when ``active``."""
        if active:
            self.impl.emit_begin()
        yield
        if active:
            self.impl.emit_commit()

    @contextlib.contextmanager
    def _prepared_connection(self) -> Iterator[None]:
        """The dialect's preparation of the connection, for the run and no longer.

        Taken by ``begin_transaction()`` (or by ``run_migrations()`` when env.py
        calls it alone) and given back when the run's transaction has ended, so
        the connection is as env.py made it for anything env.py does afterwards.
        """
        if self._prepared or self.connection is None or not self.transactional_ddl:
            yield
            return
        self.impl.prepare_connection()
        self._prepared = True
        try:
            yield
        finally:
            self._prepared = False
            self.impl.release_connection()

    @contextlib.contextmanager
    def _held_lock(self) -> Iterator[None]:
        """Hold the migration lock for the enclosed block, unless an outer block holds it."""
        if self._lock_held:
            yield
            return
        with self._lock():
            self._lock_held = True
            try:
                yield
            finally:
                self._lock_held = False

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """Begin; commit on success, roll back on error, whatever transaction is current then.

        Committing "the current transaction" rather than a Transaction object
        lets an autocommit block end the run's transaction and start another.
        """
        assert self.connection is not None
        connection = self.connection
        if connection.in_transaction():  # autobegun by a read: end it first
            connection.commit()
        connection.begin()
        try:
            yield
            if connection.in_transaction():
                self.impl.before_commit()
        except BaseException:
            self._pending_heads = self._written_heads = None  # rolled back with the rest
            if connection.in_transaction():
                connection.rollback()
            raise
        if connection.in_transaction():
            connection.commit()

    def _step_transaction(self) -> contextlib.AbstractContextManager[None]:
        """One revision's transaction, unless the whole run already has one."""
        if self.as_sql:
            return self._written_transaction(
                self.transactional_ddl and self.options.transaction_per_migration
            )
        assert self.connection is not None
        if self._outer_transaction:
            return _NOTHING
        return self._transaction()

    @contextlib.contextmanager
    def autocommit_block(self) -> Iterator[None]:
        """Run statements that cannot run in a transaction (``CREATE INDEX CONCURRENTLY``).

        Commits what the run did so far, runs the block in autocommit mode, then
        starts a new transaction for the rest of the run. Offline it writes
        ``COMMIT`` and ``BEGIN`` around the block.
        """
        if self.as_sql:
            if self.transactional_ddl:
                self.impl.emit_commit()
            with self._marked_autocommit():
                yield
            if self.transactional_ddl:
                self.impl.emit_begin()
            return
        assert self.connection is not None
        connection = self.connection
        was_in_transaction = connection.in_transaction()
        if was_in_transaction:
            self.write_versions()  # what this commit makes durable must be recorded
            connection.commit()
        previous = connection.get_isolation_level()
        connection.execution_options(isolation_level="AUTOCOMMIT")
        try:
            with self._marked_autocommit():
                yield
        finally:
            if connection.in_transaction():  # SQLAlchemy autobegins even in autocommit mode
                connection.commit()
            connection.execution_options(isolation_level=previous)
            if was_in_transaction:
                connection.begin()

    @contextlib.contextmanager
    def _marked_autocommit(self) -> Iterator[None]:
        """Tell the dialect implementation it is inside an autocommit block (CONCURRENTLY)."""
        self.impl.in_autocommit_block = True
        try:
            yield
        finally:
            self.impl.in_autocommit_block = False

    # -- running --------------------------------------------------------------------

    def run_migrations(self, **kw: Any) -> None:
        """Take the lock, read the heads, plan the steps and run them (env.py's main call)."""
        request = self.environment.request
        with self._prepared_connection(), self._held_lock():
            heads = self.get_current_heads()
            if request.purge and not self.as_sql:
                with self._step_transaction():
                    self.version_table.delete_all(self.impl)
                heads = ()
            if not self.as_sql:
                self._check_incomplete(request)
            if request.mutates and request.creates_version_table:
                self._ensure_version_table()
            steps = request.plan(heads, self)
            self.environment.planned = list(steps)
            for step in steps:
                heads = self._run_step(step, heads, kw)
            self._write_versions_at_end()
            self._heads = heads
            if steps and self._callers_transaction and self.connection is not None:
                self._watch_callers_transaction(self.connection)
            connection = self.connection
            if (
                connection is not None
                and connection.in_transaction()
                and not self._outer_transaction
            ):
                connection.commit()

    def _watch_callers_transaction(self, connection: sa.Connection) -> None:
        """Notice if the transaction holding this run's work is rolled back after it.

        The connection was already in a transaction when the run began (a query
        before ``context.configure()`` starts one), so committing is env.py's
        job. If env.py's ``with`` block closes the connection without committing,
        the migrations vanish; that must not pass as a success.
        """
        outcome = self._callers_outcome = {}

        def committed(conn: Any) -> None:
            outcome["committed"] = True

        def rolled_back(conn: Any) -> None:
            outcome.setdefault("rolled_back", True)

        sa.event.listen(connection, "commit", committed)
        sa.event.listen(connection, "rollback", rolled_back)

    def lost_work(self) -> str | None:
        """Why this run's migrations were not kept, when env.py discarded them."""
        outcome = self._callers_outcome
        if outcome is None or outcome.get("committed"):
            return None
        return (
            "env.py's connection was already in a transaction when the migrations ran "
            "(a query before context.configure() begins one), and env.py ended it without "
            "committing: the version table was not updated and the changes were rolled back "
            "where the database could roll them back; call connection.commit() after "
            "context.run_migrations(), or make such queries after the migrations"
        )

    def close(self) -> None:
        """Give the connection back as env.py gave it (undo driver preparation)."""
        if self._statement_listener is not None and self.connection is not None:
            with contextlib.suppress(Exception):
                sa.event.remove(self.connection, "after_cursor_execute", self._statement_listener)
            self._statement_listener = None
        self.impl.release_connection()

    def _lock(self) -> contextlib.AbstractContextManager[None]:
        request = self.environment.request
        if self.as_sql or not request.mutates or not request.lock:
            return contextlib.nullcontext()
        lock = self.impl.migration_lock(
            scope=self.version_table.display_name,
            timeout=request.lock_timeout,
            on_wait=self.environment.project.warn,
        )
        if lock is None:
            self.environment.project.warn(
                f"the {self.dialect.name} dialect provides no migration lock; this run is not "
                f"protected against another mighub process migrating the same database"
            )
            return contextlib.nullcontext()
        return lock

    def _ensure_version_table(self) -> None:
        if self.as_sql:
            start = self.options.starting_rev or self.environment.request.starting_rev
            if start in (None, "base"):
                self._create_version_table()
            return
        assert self.connection is not None
        if not self.version_table.exists(self.connection):
            with self._step_transaction():
                self._create_version_table()

    def _create_version_table(self) -> None:
        """The version table, and its schema first when the project asked for that."""
        schema = self.version_table.schema
        if schema and self.create_version_table_schema:
            self.impl.create_schema(schema)
        self.version_table.create(self.impl)

    def _run_step(self, step: Any, heads: tuple[str, ...], kw: dict[str, Any]) -> tuple[str, ...]:
        environment = self.environment
        is_stamp = not hasattr(step, "revision")
        if self.as_sql:
            self.impl.static_output(f"-- Running {step.short_log()}")
        if not is_stamp:
            environment.progress(f"Running {_describe(step)}")
        started = time.perf_counter()
        statements: list[str] = []
        self.current_operation = None
        try:
            with self._collect_statements(statements), self._step_transaction():
                if not is_stamp:
                    self._run_script(step, kw)
                ops = step.version_ops(heads)
                new_heads = step.apply(heads)
                if not is_stamp and self._defers_versions():
                    self.version_table.check(ops)
                    if self._pending_heads is None:
                        self._written_heads = heads
                    self._pending_heads = new_heads
                else:
                    self.write_versions()
                    self.version_table.apply(self.impl, ops, online=not self.as_sql)
                resolved = getattr(step, "clears_incomplete", None)
                if resolved is not None:
                    self.incomplete.clear(self.impl, resolved)
                self._notify(step, heads, new_heads, is_stamp, kw)
        except MigrationError:
            raise
        except Exception as exc:
            failure = self._failure(step, exc, statements)
            if not is_stamp and not self.as_sql and not self.transactional_ddl and statements:
                # Only when something stayed applied: with nothing run, the database
                # is as the revision found it and there is nothing to resolve.
                self._record_incomplete(step, statements, failure)
            if not is_stamp:
                self._notify_failure(step, failure, time.perf_counter() - started)
            raise failure from exc
        if not is_stamp:
            elapsed = time.perf_counter() - started
            environment.progress(f"  done in {_seconds(elapsed)}")
        return new_heads

    def _defers_versions(self) -> bool:
        """Whether the version table can wait for the end of the run.

        Only inside the run-wide transaction that mighub itself began on a
        database with transactional DDL: nobody else sees the rows before the
        commit, and a failure rolls them back with the schema anyway, so one
        write at the end leaves the same table as one per revision, for one
        statement instead of hundreds. A transaction begun by env.py's caller
        is not deferred: the caller decides what a failure commits.
        """
        return (
            self._outer_transaction
            and not self._callers_transaction
            and self.transactional_ddl
            and not self.as_sql
        )

    def write_versions(self) -> None:
        """Bring the version table up to date with the revisions run so far.

        Called before anything that may look at the table or make the
        transaction durable: the run's commit, ``autocommit_block()``,
        ``op.execute()``, ``op.get_bind()``, ``context.get_bind()``, reading
        the heads, ``on_version_apply`` callbacks and revision hooks.
        """
        pending = self._pending_heads
        if pending is None:
            return
        written = self._written_heads or ()
        self._pending_heads = self._written_heads = None
        self.version_table.apply(self.impl, version_ops_between(written, pending), online=True)

    def _write_versions_at_end(self) -> None:
        if self._pending_heads is None:
            return
        heads = self._pending_heads
        try:
            self.write_versions()
        except Exception as exc:
            raise MigrationError(
                f"recording the new heads ({_short(heads)}) in "
                f"{self.version_table.display_name} failed: {_cause(exc)}; the transaction "
                f"was rolled back (nothing of this run was kept)"
            ) from exc

    def _check_incomplete(self, request: Any) -> None:
        """Refuse to run while an earlier failure awaits ``mighub resolve``."""
        assert self.connection is not None
        records = self.incomplete.read(self.connection)
        if self.connection.in_transaction() and not self._outer_transaction:
            self.connection.commit()
        self.environment.incomplete = records
        if not records or not request.mutates or request.command == "resolve":
            return
        first = records[0]
        rev = first["version_num"]
        done = first["statements"].count("\n") + 1 if first["statements"] else 0
        raise IncompleteRevisionError(
            f"revision {rev} failed part-way during an earlier {first['direction']} at "
            f"{first['failed_at']} ({done} statement(s) of it stayed applied; see "
            f"'mighub current -v'); check the database, then run "
            f"'mighub resolve {rev} --applied' if you completed it by hand, or "
            f"'mighub resolve {rev} --rolled-back' if you undid it"
        )

    def _record_incomplete(self, step: Any, statements: list[str], failure: MighubError) -> None:
        """Write down what a failed revision left behind, so the next run stops and says so."""
        assert self.connection is not None
        try:
            with self._transaction():
                self.incomplete.record(
                    self.impl,
                    self.connection,
                    revision=step.revision.revision,
                    direction=step.direction,
                    statements=statements,
                    error=str(failure),
                )
        except Exception as exc:  # the original failure matters more than this one
            self.environment.project.warn(
                f"could not record the incomplete revision in {self.incomplete.display_name}: {exc}"
            )

    def _run_script(self, step: Any, kw: dict[str, Any]) -> None:
        function = step.revision.migration_function(step.direction)
        host = self.environment.project.host
        hook = host.hook
        # A hook nobody implements is not called: pluggy's call machinery costs
        # more than a trivial revision's own work, twice per revision.
        before = hook.mighub_before_revision
        if before.get_hookimpls():
            self.write_versions()
            before(context=self, step=step)
        started = time.perf_counter()
        operations = self._operations
        if operations is None:  # one for the run: it learns each op.<name> once
            operations = self._operations = Operations(
                self.impl,
                registry=host.operations,
                migration_context=self,
                target_metadata=self.options.target_metadata,
                host=host,
            )
        try:  # what op.create_table made is known only within its own revision
            with use(operations):
                function(**kw)
        finally:
            operations._created_tables.clear()
        after = hook.mighub_after_revision
        if after.get_hookimpls():
            self.write_versions()
            after(context=self, step=step, duration=time.perf_counter() - started)

    def _notify_failure(self, step: Any, failure: MigrationError, duration: float) -> None:
        """Call every ``mighub_revision_failed`` implementation, newest plugin first.

        One at a time: a listener that raises is reported as a warning naming
        its plugin, and neither stops the others nor hides the failure.
        """
        host = self.environment.project.host
        args = {"context": self, "step": step, "error": failure, "duration": duration}
        for impl in reversed(host.hook.mighub_revision_failed.get_hookimpls()):
            try:
                impl.function(*[args[name] for name in impl.argnames])
            except Exception as exc:
                plugin = host.pm.get_name(impl.plugin)
                self.environment.project.warn(
                    f"plugin {plugin!r} failed in mighub_revision_failed: "
                    f"{type(exc).__name__}: {_first_line(exc)}"
                )

    def _notify(
        self,
        step: Any,
        before: tuple[str, ...],
        after: tuple[str, ...],
        is_stamp: bool,
        kw: dict[str, Any],
    ) -> None:
        if not self.options.on_version_apply:
            return
        self.write_versions()
        if is_stamp:
            up, down = step.to, step.from_
        else:
            up = step.to_revisions if step.is_upgrade else step.from_revisions
            down = step.from_revisions if step.is_upgrade else step.to_revisions
        info = VersionApplied(step, step.is_upgrade, is_stamp, up, down, before, after)
        for callback in self.options.on_version_apply:
            callback(ctx=self, step=info, heads=set(after), run_args=kw)

    def _collect_statements(self, statements: list[str]) -> contextlib.AbstractContextManager[None]:
        """Record the SQL a step runs, so a failure can say what was already done.

        One listener for the whole run, pointed at the current step's list:
        adding and removing a listener per revision makes SQLAlchemy build a
        new dispatch class each time. A statement that returned rows (a
        ``SELECT``, such as a dialect's look at ``information_schema`` before an
        ``ALTER``) read the database and changed nothing: it is not something
        that "stays applied". With transactional DDL nothing stays applied, so
        nothing is recorded.
        """
        if self.connection is None or self.transactional_ddl:
            return _NOTHING
        return self._collected_statements(statements)

    @contextlib.contextmanager
    def _collected_statements(self, statements: list[str]) -> Iterator[None]:
        assert self.connection is not None
        if self._statement_listener is None:
            sink = self._statement_sink

            def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
                if sink and getattr(cursor, "description", None) is None:
                    sink[-1].append(" ".join(statement.split()))

            sa.event.listen(self.connection, "after_cursor_execute", record)
            self._statement_listener = record
        self._statement_sink.append(statements)
        try:
            yield
        finally:
            self._statement_sink.pop()

    def _failure(self, step: Any, exc: BaseException, statements: list[str]) -> MigrationError:
        revision = getattr(step, "revision", None)
        where = (
            f"{step.direction} of revision {revision.revision} ({revision.path})"
            if revision is not None
            else step.short_log()
        )
        operation = self.current_operation
        what = f" in {type(operation).__name__}" if operation is not None else ""
        failed_sql = getattr(exc, "statement", None)
        sql = f"; SQL: {' '.join(failed_sql.split())}" if failed_sql else ""
        message = f"{where} failed{what}: {_cause(exc)}{sql}"
        if self.transactional_ddl or self.as_sql:
            message += "; the transaction was rolled back"
            if self._outer_transaction:
                message += " (nothing of this run was kept)"
        else:
            done = [s for s in statements if s != failed_sql]
            if not done:
                message += "; no statement of the revision had run, so nothing stays applied"
            elif revision is not None:
                message += (
                    f"; {self.dialect.name} has no transactional DDL, so these statements of "
                    f"the revision stay applied: {' | '.join(done)}; mighub will not migrate "
                    f"until you run 'mighub resolve {revision.revision} --applied' or "
                    f"'--rolled-back'"
                )
        return MigrationError(message)


_NOTHING = contextlib.nullcontext()
"""The context of a step that needs no transaction or statement log of its own."""


def _cause(exc: BaseException) -> str:
    """``Type: first line`` of what went wrong: the driver's error under SQLAlchemy's."""
    detail = getattr(exc, "orig", None) or exc
    return f"{type(detail).__name__}: {_first_line(detail)}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


def _describe(step: Any) -> str:
    doc = step.revision.doc
    return f"{step.direction} {_short(step.from_revisions)} -> {_short(step.to_revisions)}" + (
        f", {doc}" if doc else ""
    )


def _short(revisions: Sequence[str]) -> str:
    return ", ".join(revisions) if revisions else "base"


def _seconds(elapsed: float) -> str:
    return f"{elapsed * 1000:.0f} ms" if elapsed < 1 else f"{elapsed:.2f} s"


class ResolutionStep:
    """``mighub resolve``: record what a person did about a half-applied revision.

    ``--applied`` moves the version table as if the revision had finished;
    ``--rolled-back`` leaves it; both clear the record. No script runs.
    """

    def __init__(self, revision_id: str, completed: Any | None) -> None:
        self.clears_incomplete = revision_id
        self._step = completed

    @property
    def is_upgrade(self) -> bool:
        return self._step.is_upgrade if self._step is not None else True

    @property
    def direction(self) -> str:
        return self._step.direction if self._step is not None else "upgrade"

    @property
    def from_(self) -> tuple[str, ...]:
        return tuple(self._step.from_revisions) if self._step is not None else ()

    @property
    def to(self) -> tuple[str, ...]:
        return tuple(self._step.to_revisions) if self._step is not None else ()

    def short_log(self) -> str:
        outcome = "applied" if self._step is not None else "rolled back"
        return f"resolve {self.clears_incomplete} as {outcome}"

    def version_ops(self, heads: Sequence[str]) -> tuple[Any, ...]:
        return tuple(self._step.version_ops(heads)) if self._step is not None else ()

    def apply(self, heads: Sequence[str]) -> tuple[str, ...]:
        return self._step.apply(heads) if self._step is not None else tuple(heads)
