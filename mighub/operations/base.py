"""The operation base class, the ``Operations`` object behind ``op``, and ``use()``.

This module imports no SQLAlchemy: ``mighub heads`` loads the builtin
plugins, and a command that never touches a database must not pay for (or
fail on) importing database libraries. The operation classes themselves live
in :mod:`mighub.operations.ops`, imported when operations are first needed.

How ``op.add_column("t", col)`` runs:

1. ``op`` (:mod:`mighub.op`) forwards to the :class:`Operations` made current
   by :func:`use` for this thread or asyncio task;
2. :class:`Operations` finds ``add_column`` in the :class:`OperationRegistry`
   that the ``mighub_register_operations`` hooks filled, and builds the
   operation object with the class's ``build`` classmethod;
3. :meth:`Operations.invoke` finds the implementation registered for that
   class and the dialect in use (else the ``"default"`` one) and calls
   ``implementation(operations, operation)``, which drives the
   :class:`mighub.ddl.impl.DialectImpl`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, ClassVar

from mighub.errors import MighubError

if TYPE_CHECKING:
    from sqlalchemy import MetaData
    from sqlalchemy.engine import Connection

    from mighub.ddl.impl import DialectImpl
    from mighub.host import PluginHost
    from mighub.registries import OperationRegistry, OperationSpec

__all__ = [
    "BatchOperations",
    "IrreversibleOperationError",
    "Operation",
    "Operations",
    "current",
    "use",
]


class IrreversibleOperationError(MighubError):
    """An operation was asked for its reverse, but it cannot be undone from what it knows."""


class Operation:
    """A schema or data change, as plain data.

    Operation objects are what revision scripts run, what autogenerate
    produces and what rewriters change, so they only hold values: building
    SQLAlchemy objects and SQL is the implementation's job. ``reverse()``
    gives the operation that undoes this one (a downgrade step), or raises
    :class:`IrreversibleOperationError` naming what is missing.

    A plugin adds an operation by subclassing this, giving a ``build``
    classmethod whose signature is the one users call as ``op.<name>(...)``,
    and registering it with ``registry.register_operation(name, cls)``.
    """

    op_name: ClassVar[str] = "operation"
    """The ``op.<name>`` of this class, for messages."""

    runs_user_sql: ClassVar[bool] = False
    """True for an operation that runs SQL the script wrote (``op.execute``).

    Such SQL may read the version table or end the transaction, so a run that
    writes the version table once, at its commit, writes it before this
    operation runs (see :meth:`~mighub.runtime.migration.MigrationContext.write_versions`).
    """

    @classmethod
    def build(cls, operations: Operations, *args: Any, **kw: Any) -> Operation:
        """Make the operation from the arguments of ``op.<name>(...)``.

        ``operations`` gives access to the target metadata (naming
        conventions) and the batch table. The default passes the arguments
        to the constructor.
        """
        return cls(*args, **kw)

    @classmethod
    def batch_build(cls, batch: BatchOperations, *args: Any, **kw: Any) -> Operation:
        """Make the operation from the arguments of ``batch_op.<name>(...)``.

        Batch calls leave out the table name and schema, which the batch
        supplies. The default inserts them as the first argument and the
        ``schema`` keyword; operations whose table is not their first
        argument override this.
        """
        return cls.build(batch, batch.table_name, *args, schema=batch.schema, **kw)

    def reverse(self) -> Operation:
        """The operation that undoes this one."""
        raise IrreversibleOperationError(f"{self.describe()} cannot be reversed")

    def remembered_reverse(self, remembered: Operation | None, unknown: str, how: str) -> Any:
        """The undoing operation a drop was built with, or an error saying how to give it one.

        A drop cannot invent what it removes: ``DropTableOp.from_table(table)``
        and its kin remember the create operation, and ``reverse()`` hands it
        back. ``unknown`` says what is missing, ``how`` how to build it instead.
        """
        if remembered is None:
            raise IrreversibleOperationError(
                f"{self.describe()} cannot be reversed: {unknown} ({how})"
            )
        return remembered

    def to_diff_tuple(self) -> Any:
        """This change in autogenerate's tuple form, for code that compares diffs."""
        raise NotImplementedError(f"{type(self).__name__} has no diff tuple")

    def describe(self) -> str:
        """A short human description, used in error messages."""
        return f"op.{self.op_name}"


class Operations:
    """What ``op`` is while a revision runs: one attribute per registered operation.

    ``impl`` is the :class:`~mighub.ddl.impl.DialectImpl` of the run,
    ``registry`` the :class:`~mighub.registries.OperationRegistry` of the
    plugin host, ``migration_context`` what ``op.get_context()`` returns, and
    ``target_metadata`` the models' ``MetaData``, whose naming convention
    names the constraints and indexes created with ``name=None``, and
    ``host`` the :class:`~mighub.host.PluginHost` whose plugins answer
    :meth:`batch_alter_table` (passed explicitly, like the registry, so
    operations built outside a migration run can use batch mode too).
    """

    def __init__(
        self,
        impl: DialectImpl,
        *,
        registry: OperationRegistry,
        migration_context: Any = None,
        target_metadata: MetaData | None = None,
        host: PluginHost | None = None,
    ) -> None:
        self.impl = impl
        self.registry = registry
        self.migration_context = migration_context
        self.target_metadata = target_metadata
        self.host = host
        self._created_tables: dict[tuple[str | None, str], Any] = {}
        """The tables ``op.create_table`` made in the current revision, by (schema, name)."""
        self._created_metadata: MetaData | None = None

    # -- dispatch ------------------------------------------------------------

    def _spec(self, name: str) -> OperationSpec:
        spec = self.registry.spec(name)
        if spec is None:
            installed = ", ".join(sorted(self.registry)) or "none"
            raise AttributeError(
                f"there is no operation op.{name} (installed operations: {installed}); "
                f"operations come from plugins, see 'mighub plugins'"
            )
        return spec

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        op_class = self._spec(name).op_class
        call = _bind_builder(self, name, op_class, op_class.build)
        # Kept, so the next op.<name> of this run finds it without coming back here.
        self.__dict__[name] = call
        return call

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self.registry})

    def invoke(self, operation: Operation) -> Any:
        """Run an operation object, for example one taken from an autogenerate tree.

        Returns what the implementation returns: the ``Table`` for
        ``create_table``, ``None`` for most.
        """
        implementation = self.registry.implementation_for(type(operation), self.impl.name)
        context = self.migration_context
        if context is None:
            return implementation(self, operation)
        # So that a failure can name the operation it happened in, and only that one: once
        # it has run, what fails next (the script's own code, the end of a batch block) is
        # not its doing, while an operation run by another's implementation hands back.
        if operation.runs_user_sql:
            context.write_versions()
        outer, context.current_operation = context.current_operation, operation
        result = implementation(self, operation)
        context.current_operation = outer
        return result

    # -- batch mode ------------------------------------------------------------

    @contextmanager
    def batch_alter_table(
        self,
        table_name: str,
        schema: str | None = None,
        recreate: str = "auto",
        copy_from: Any = None,
        reflect_args: Sequence[Any] = (),
        reflect_kwargs: Mapping[str, Any] | None = None,
        table_args: Sequence[Any] = (),
        table_kwargs: Mapping[str, Any] | None = None,
        naming_convention: Mapping[str, str] | None = None,
        partial_reordering: Sequence[tuple[str, ...]] | None = None,
    ) -> Iterator[BatchOperations]:
        """Change one table through ``batch_op``, recreating it where the database cannot ALTER.

        ``with op.batch_alter_table("account") as batch_op: batch_op.drop_column("x")``.
        The kernel only checks ``recreate`` (``"auto"``, ``"always"`` or
        ``"never"``) and asks the plugins' ``mighub_batch_strategy`` hook for
        the strategy of the dialect in use; the strategy (from
        ``mighub-sqlite-batch``) does the rest, and documents the other
        arguments. Without a strategy the error says which plugin to install.
        """
        if recreate not in ("auto", "always", "never"):
            raise MighubError(
                f"op.batch_alter_table({table_name!r}, recreate={recreate!r}): recreate must be "
                f"'auto', 'always' or 'never'"
            )
        strategy = self._batch_strategy(table_name)
        with strategy.batch_alter_table(
            self,
            table_name,
            schema=schema,
            recreate=recreate,
            copy_from=copy_from,
            reflect_args=tuple(reflect_args),
            reflect_kwargs=dict(reflect_kwargs or {}),
            table_args=tuple(table_args),
            table_kwargs=dict(table_kwargs or {}),
            naming_convention=dict(naming_convention) if naming_convention else None,
            partial_reordering=list(partial_reordering) if partial_reordering else None,
        ) as batch_op:
            yield batch_op

    def _batch_strategy(self, table_name: str) -> Any:
        dialect_name = self.impl.dialect.name
        strategy = None
        if self.host is not None:
            strategy = self.host.hook.mighub_batch_strategy(dialect_name=dialect_name)
        if strategy is None:
            raise MighubError(
                f"op.batch_alter_table({table_name!r}) needs a batch strategy for the "
                f"{dialect_name} dialect and no plugin provides one; install "
                f"mighub-sqlite-batch (pip install mighub-sqlite-batch), and check "
                f"'mighub plugins' that it is loaded"
            )
        return strategy

    # -- utilities -------------------------------------------------------------

    def metadata(self) -> MetaData:
        """A fresh ``MetaData`` with the target metadata's naming convention.

        Operations build their tables, constraints and indexes in one, so
        that a ``None`` name is completed by the convention exactly as the
        models would have it.
        """
        from sqlalchemy import MetaData

        if self.target_metadata is not None:
            return MetaData(naming_convention=dict(self.target_metadata.naming_convention))
        return MetaData()

    def created_tables_metadata(self, schema: str | None, table_name: str) -> MetaData:
        """The ``MetaData`` ``op.create_table`` builds its tables in, ``schema.table_name`` free.

        One for the run (with the target metadata's naming convention), so a
        foreign key to a table created in an earlier revision resolves to that
        table: building a stand-in for it instead costs more than the rest of
        a simple ``CREATE TABLE``. A table of the same name from before (dropped
        since, or a stand-in) leaves it first.
        """
        metadata = self._created_metadata
        if metadata is None:
            metadata = self._created_metadata = self.metadata()
        existing = metadata.tables.get(f"{schema}.{table_name}" if schema else table_name)
        if existing is not None:
            metadata.remove(existing)
        return metadata

    def f(self, name: str) -> Any:
        """Mark ``name`` as final: the naming convention leaves it as it is.

        Autogenerate writes reflected names through ``op.f()``, because they
        already went through the convention when they were created.
        """
        from sqlalchemy.sql.elements import conv

        return conv(name)

    def inline_literal(self, value: Any, type_: Any = None) -> Any:
        """A value written into the SQL itself, not passed as a parameter.

        For ``op.execute(table.update().values(x=op.inline_literal(5)))``
        in scripts that also run offline (``--sql``), where there is no way
        to pass parameters.
        """
        from mighub.ddl.constructs import inline_literal

        return inline_literal(value, type_)

    def get_bind(self) -> Connection:
        """The connection of the run (a mock that writes SQL, offline)."""
        if self.migration_context is not None:
            return self.migration_context.bind  # type: ignore[no-any-return]
        return self.impl.bind  # type: ignore[no-any-return]

    def get_context(self) -> Any:
        """The migration context of the run: options, dialect, ``autocommit_block()``..."""
        if self.migration_context is None:
            raise MighubError(
                "op.get_context() has no migration context: these operations were "
                "built without one (Operations(..., migration_context=...))"
            )
        return self.migration_context

    def run_async(self, async_function: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        """Await ``async_function(async_connection, *args, **kw)`` inside the migration.

        The ``AsyncConnection`` shares the migration's connection and
        transaction. This works when env.py runs the migrations through
        ``AsyncConnection.run_sync`` (the ``async`` template), which is what
        lets a synchronous revision script wait on a coroutine.
        """
        if self.impl.as_sql or self.impl.connection is None:
            raise MighubError(
                "op.run_async needs a database connection; it cannot run in offline (--sql) mode"
            )
        connection = self.impl.connection
        if self.migration_context is not None:
            self.migration_context.write_versions()
        if not connection.dialect.is_async:
            raise MighubError(
                f"op.run_async needs an async driver (such as sqlite+aiosqlite or "
                f"postgresql+asyncpg); this connection uses {connection.dialect.driver!r}"
            )
        from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
        from sqlalchemy.util import await_only

        retrieve = getattr(AsyncConnection, "_retrieve_proxy_for_target", None)
        if retrieve is not None:
            async_connection = retrieve(connection)
        else:  # pragma: no cover - SQLAlchemy without the proxy registry
            async_connection = AsyncConnection(AsyncEngine(connection.engine), connection)
        return await_only(async_function(async_connection, *args, **kw))


class BatchOperations(Operations):
    """``batch_op`` inside ``op.batch_alter_table(...)``: operations on one table.

    Only operations registered with ``batch=True`` are offered, built through
    their ``batch_build`` classmethod with ``table_name`` and ``schema``
    filled in. This class runs each operation at once; the batch plugin
    subclasses it to collect operations and apply them by recreating the
    table where the database cannot ALTER in place.
    """

    def __init__(
        self,
        impl: DialectImpl,
        *,
        registry: OperationRegistry,
        table_name: str,
        schema: str | None = None,
        migration_context: Any = None,
        target_metadata: MetaData | None = None,
        host: PluginHost | None = None,
    ) -> None:
        super().__init__(
            impl,
            registry=registry,
            migration_context=migration_context,
            target_metadata=target_metadata,
            host=host,
        )
        self.table_name = table_name
        self.schema = schema

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        spec = self.registry.spec(name)
        if spec is None or not spec.batch:
            offered = ", ".join(_batch_names(self.registry)) or "none"
            raise AttributeError(
                f"there is no batch operation batch_op.{name} (batch operations: {offered})"
            )
        op_class = spec.op_class
        return _bind_builder(self, name, op_class, op_class.batch_build)

    def __dir__(self) -> list[str]:
        return sorted({*object.__dir__(self), *_batch_names(self.registry)})


def _batch_names(registry: OperationRegistry) -> list[str]:
    return sorted(e.key for e in registry.entries() if e.value.batch)


def _bind_builder(
    operations: Operations, name: str, op_class: type, builder: Callable[..., Any]
) -> Callable[..., Any]:
    """``op.<name>``: build the operation from the call and invoke it."""

    def call(*args: Any, **kw: Any) -> Any:
        return operations.invoke(builder(operations, *args, **kw))

    call.__name__ = call.__qualname__ = name
    call.__doc__ = op_class.__doc__
    bound = getattr(builder, "__func__", None)
    signature = _call_signature(op_class, bound or builder, 2 if bound else 1)
    if signature is not None:
        call.__signature__ = signature  # type: ignore[attr-defined]
    return call


@functools.cache
def _call_signature(
    op_class: type, builder_function: Any, leading: int
) -> inspect.Signature | None:
    """What ``op.<name>`` shows in ``help()`` and editors; computed once per operation.

    ``op.<name>`` is looked up on every call in a revision script, and
    ``inspect.signature`` costs far more than the operation's own dispatch.
    """
    try:
        if builder_function in _DEFAULT_BUILDERS:
            # the default builders pass the call on to the constructor
            signature = inspect.signature(op_class)
            params = list(signature.parameters.values())
        else:
            signature = inspect.signature(builder_function)
            # drop what the caller does not pass: `cls` (of a classmethod) and `operations`
            params = list(signature.parameters.values())[leading:]
        return signature.replace(parameters=params, return_annotation=inspect.Signature.empty)
    except (TypeError, ValueError):  # pragma: no cover - builtins without signatures
        return None


_DEFAULT_BUILDERS = (Operation.build.__func__,)  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------
# The current Operations of this thread or task
# ---------------------------------------------------------------------------

_current: ContextVar[Operations | None] = ContextVar("mighub_operations", default=None)


@contextmanager
def use(operations: Operations) -> Iterator[Operations]:
    """Make ``operations`` what ``from mighub import op`` refers to, for the ``with`` block.

    The runtime wraps each revision in this. It is a context variable, not a
    global: threads and asyncio tasks that run migrations side by side each
    see their own, and the previous one is back when the block ends.
    """
    token = _current.set(operations)
    try:
        yield operations
    finally:
        _current.reset(token)


def current(attribute: str | None = None) -> Operations:
    """The :class:`Operations` made current by :func:`use`.

    ``attribute`` names what the caller wanted (``op.add_column``), for the
    error raised when no migration is running.
    """
    operations = _current.get()
    if operations is None:
        what = f"op.{attribute}" if attribute else "op"
        raise MighubError(
            f"{what} used outside a migration: op works while mighub runs a revision "
            f"script; to use it elsewhere, wrap the code in "
            f"'with mighub.operations.use(Operations(...)):'"
        )
    return operations
