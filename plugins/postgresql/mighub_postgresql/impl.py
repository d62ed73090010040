"""How mighub speaks PostgreSQL: the dialect implementation.

Beyond the generic forms of :class:`mighub.ddl.impl.DialectImpl` it knows:

- enum types: a column of a named ``ENUM`` creates its type when the type
  is missing (once, however many columns use it), and the type goes away
  with the last column that uses it, unless it was created explicitly with
  ``op.create_enum`` (see :mod:`mighub_postgresql.catalog`);
- identity and generated columns in ``alter_column``;
- indexes built ``CONCURRENTLY``, which must run in ``autocommit_block()``;
- ``INCLUDE`` columns of an index, which the table stand-in lacks;
- the advisory lock (:mod:`mighub_postgresql.lock`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql import ARRAY, ENUM
from sqlalchemy.schema import Column, Computed, CreateSequence, DropSequence, Identity, Index, Table
from sqlalchemy.types import NullType

from mighub.ddl.impl import NOT_GIVEN, DialectImpl
from mighub.errors import MighubError
from mighub_postgresql import catalog
from mighub_postgresql.constructs import (
    AddEnumValue,
    AddIdentity,
    AlterIdentity,
    AlterSequence,
    CreateEnum,
    DropEnum,
    DropExpression,
    DropIdentity,
    EnumTypeComment,
    RenameEnum,
    RenameEnumValue,
)

IDENTITY_ATTRIBUTES = ("always", "start", "increment", "minvalue", "maxvalue", "cycle", "cache")
"""What ``alter_column`` compares between two ``Identity`` values."""

_TypeKey = tuple[str | None, str]


class PostgresqlImpl(DialectImpl):
    name = "postgresql"
    transactional_ddl = True

    def __init__(self, dialect: sa.Dialect, connection: sa.Connection | None = None, **kw: Any):
        super().__init__(dialect, connection, **kw)
        self._prefilled_types: set[_TypeKey] = set()
        # Offline only: the enum types this script created, and the tables using each,
        # so a second table does not create a type twice.
        self._script_types: dict[_TypeKey, set[tuple[str, str]]] = {}
        if self.as_sql and getattr(dialect, "server_version_info", None) is None:
            # The server's version is unknown: write what every version with generated
            # columns accepts (STORED), rather than PostgreSQL 18's VIRTUAL-by-default form.
            dialect.supports_virtual_generated_columns = False  # type: ignore[attr-defined]

    # -- the run -------------------------------------------------------------

    def migration_lock(
        self,
        *,
        scope: str,
        timeout: float,
        on_wait: Callable[[str], None] | None = None,
    ) -> AbstractContextManager[None] | None:
        from mighub_postgresql.lock import advisory_lock

        assert self.connection is not None
        return advisory_lock(self.connection, scope=scope, timeout=timeout, on_wait=on_wait)

    def autocommit_active(self) -> bool:
        """Whether statements run outside a transaction now: in ``autocommit_block()``, or
        on a connection the caller put in autocommit mode."""
        if self.in_autocommit_block:
            return True
        if self.connection is None:
            return False
        dbapi = self.connection.connection.dbapi_connection
        return bool(getattr(dbapi, "autocommit", False))

    def ddl_runner(self) -> Any:
        runner = super().ddl_runner()
        # Enum types are created and dropped here, not by SQLAlchemy's table events.
        runner.memo["pg_enum"] = set(self._prefilled_types)
        return runner

    def _write(self, statement: Any, *, literal: bool) -> None:
        with warnings.catch_warnings():
            # Offline generated columns are written STORED on purpose (see __init__).
            warnings.filterwarnings("ignore", "Computed column .* 'STORED'", sa_exc.SAWarning)
            super()._write(statement, literal=literal)

    # -- tables and columns ----------------------------------------------------

    def create_table(self, table: Table, *, if_not_exists: bool | None = None) -> None:
        """``CREATE TABLE``, after creating the enum types its columns need and lack."""
        types = self._enum_types(table.columns)
        for enum in types:
            self._ensure_enum(enum, table=_table_key(table.name, table.schema))
        self._note_users(table.name, table.schema, table.columns)
        self._prefilled_types = {_type_key(e) for e in types}
        try:
            super().create_table(table, if_not_exists=if_not_exists)
        finally:
            self._prefilled_types = set()

    def drop_table(self, table: Table, *, if_exists: bool | None = None) -> None:
        """``DROP TABLE``, then the enum types mighub created that nothing uses any more."""
        known = self._enum_types(table.columns)
        oids = self._enum_oids(table.name, table.schema)
        self._prefilled_types = {_type_key(e) for e in known}
        try:
            super().drop_table(table, if_exists=if_exists)
        finally:
            self._prefilled_types = set()
        self._forget_users(table.name, table.schema, None)
        self._drop_orphans(oids, sweep=bool(known) or not len(table.columns))

    def add_column(
        self,
        table_name: str,
        column: Column[Any],
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        """``ADD COLUMN``, after creating the column's enum type if it is missing."""
        for enum in self._enum_types([column]):
            self._ensure_enum(enum, table=_table_key(table_name, schema))
        self._note_users(table_name, schema, [column])
        super().add_column(table_name, column, schema=schema, **kw)

    def drop_column(
        self,
        table_name: str,
        column_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        known_column: Column[Any] | None = None,
        **kw: Any,
    ) -> None:
        """``DROP COLUMN``, then the column's enum type if mighub created it and it is unused.

        ``known_column`` is the dropped column's definition when the
        operation knows it; offline, a column known to have no enum type
        needs no clean-up.
        """
        oids = self._enum_oids(table_name, schema, column_name)
        super().drop_column(table_name, column_name, schema=schema, if_exists=if_exists, **kw)
        known = self._enum_types([known_column]) if known_column is not None else None
        self._forget_users(table_name, schema, column_name)
        self._drop_orphans(oids, sweep=known is None or bool(known))

    def type_conversion(self, options: Mapping[str, Any]) -> Any:
        """``postgresql_using``: the expression that converts the values to the new type."""
        return options.get("postgresql_using")

    def alter_column(
        self,
        table_name: str,
        column_name: str,
        *,
        nullable: bool | None = None,
        server_default: Any = NOT_GIVEN,
        type_: Any = None,
        schema: str | None = None,
        existing_type: Any = None,
        existing_server_default: Any = None,
        **kw: Any,
    ) -> None:
        """The generic changes, plus identity and generated columns, and ``USING``.

        ``server_default=Identity(...)`` adds an identity (or changes the
        one in ``existing_server_default``, attribute by attribute);
        ``server_default=None`` drops the identity or the generation
        expression that ``existing_server_default`` describes. Drops come
        before the other changes (a column stays an identity column until
        then), additions after them (``ADD GENERATED`` needs the column
        ``NOT NULL`` and of its final type).
        """
        where = f"op.alter_column({table_name!r}, {column_name!r})"
        if kw.get("postgresql_using") is not None and type_ is None:
            raise MighubError(
                f"{where}: postgresql_using is given without type_; USING converts the "
                f"column's values to a new type, so pass type_= as well"
            )
        if isinstance(server_default, Computed):
            raise MighubError(
                f"{where}: PostgreSQL cannot turn a column into a generated column or change "
                f"its expression in place; drop the column and add it again with Computed(...)"
            )
        names = {"schema": schema, "existing_type": existing_type}
        drops: list[Any] = []
        additions: list[Any] = []
        drop_default = False
        old, new = existing_server_default, server_default
        if isinstance(new, Identity):
            if isinstance(old, Identity):
                changes = identity_changes(old, new)
                if changes:
                    additions.append(AlterIdentity(table_name, column_name, changes, **names))
            else:
                # ADD GENERATED fails on a column that still has a default
                drop_default = old is not None and old is not NOT_GIVEN
                additions.append(AddIdentity(table_name, column_name, new, **names))
            server_default = NOT_GIVEN
        elif isinstance(old, Identity) and new is not NOT_GIVEN:
            drops.append(DropIdentity(table_name, column_name, **names))
            if new is None:
                server_default = NOT_GIVEN
        elif isinstance(old, Computed) and new is None:
            drops.append(DropExpression(table_name, column_name, **names))
            server_default = NOT_GIVEN
        for statement in drops:
            self.execute(statement)
        if drop_default:
            super().alter_column(table_name, column_name, server_default=None, schema=schema)
        oids: list[int] = []
        if type_ is not None:
            for enum in self._enum_types([Column(column_name, type_)]):
                self._ensure_enum(enum, table=_table_key(table_name, schema))
            oids = self._enum_oids(table_name, schema, column_name)
        super().alter_column(
            table_name,
            column_name,
            nullable=nullable,
            server_default=server_default,
            type_=type_,
            schema=schema,
            existing_type=existing_type,
            existing_server_default=(
                None if isinstance(old, (Identity, Computed)) else existing_server_default
            ),
            **kw,
        )
        for statement in additions:
            self.execute(statement)
        if type_ is not None:
            was_enum = existing_type is not None and bool(
                self._enum_types([Column(column_name, existing_type)])
            )
            self._forget_users(table_name, schema, column_name)
            self._note_users(table_name, schema, [Column(column_name, type_)])
            self._drop_orphans(oids, sweep=was_enum)

    # -- indexes -----------------------------------------------------------------

    def create_index(self, index: Index, *, if_not_exists: bool | None = None) -> None:
        """``CREATE INDEX``; ``CONCURRENTLY`` only in an autocommit block."""
        self._refuse_concurrently_in_transaction(index, "create_index")
        table = index.table
        include = index.dialect_options["postgresql"]["include"] or ()
        if table is not None:
            for name in include:
                if isinstance(name, str) and name not in table.c:
                    table.append_column(Column(name, NullType()))
        super().create_index(index, if_not_exists=if_not_exists)

    def drop_index(self, index: Index, *, if_exists: bool | None = None) -> None:
        """``DROP INDEX``; ``CONCURRENTLY`` only in an autocommit block."""
        self._refuse_concurrently_in_transaction(index, "drop_index")
        super().drop_index(index, if_exists=if_exists)

    def _refuse_concurrently_in_transaction(self, index: Index, call: str) -> None:
        if not index.dialect_options["postgresql"]["concurrently"] or self.autocommit_active():
            return
        table = f", {index.table.name!r}" if index.table is not None else ""
        raise MighubError(
            f"op.{call}({index.name!r}{table}, postgresql_concurrently=True) must run inside "
            f"'with op.get_context().autocommit_block():', because PostgreSQL cannot "
            f"{'build' if call == 'create_index' else 'drop'} an index CONCURRENTLY inside "
            f"a transaction; nothing was run"
        )

    # -- enum types ----------------------------------------------------------------

    def create_enum(self, name: str, values: Sequence[str], *, schema: str | None = None) -> None:
        """``CREATE TYPE ... AS ENUM``: an explicit type, never dropped implicitly."""
        self.execute(CreateEnum(name, values, schema=schema))

    def drop_enum(
        self, name: str, *, schema: str | None = None, if_exists: bool | None = None
    ) -> None:
        self.execute(DropEnum(name, schema=schema, if_exists=bool(if_exists)))
        self._script_types.pop((schema, name), None)

    def add_enum_value(
        self,
        name: str,
        value: str,
        *,
        schema: str | None = None,
        before: str | None = None,
        after: str | None = None,
        if_not_exists: bool | None = None,
    ) -> None:
        self.execute(
            AddEnumValue(
                name,
                value,
                schema=schema,
                before=before,
                after=after,
                if_not_exists=bool(if_not_exists),
            )
        )

    def add_enum_value_needs_autocommit(self) -> bool:
        """Before PostgreSQL 12, ``ALTER TYPE ... ADD VALUE`` cannot run in a transaction.

        Offline the server is unknown; scripts are written for 12 and later.
        """
        version = getattr(self.dialect, "server_version_info", None)
        return not self.as_sql and version is not None and version < (12,)

    def rename_enum_value(
        self, name: str, old_value: str, new_value: str, *, schema: str | None = None
    ) -> None:
        self.execute(RenameEnumValue(name, old_value, new_value, schema=schema))

    def rename_enum(self, name: str, new_name: str, *, schema: str | None = None) -> None:
        self.execute(RenameEnum(name, new_name, schema=schema))

    def drop_enum_value(self, name: str, value: str, *, schema: str | None = None) -> None:
        """Remove a value: PostgreSQL cannot, so the type is recreated without it.

        The old type is renamed aside, the new one created with the other
        values (and the old comment), every column of the type (or an array
        of it) converted through text, its default set again, and the old
        type dropped. A row that still holds the value makes the conversion
        fail, and the transaction rolls back with nothing changed.
        """
        where = f"op.drop_enum_value({name!r}, {value!r})"
        if self.connection is None:
            raise MighubError(
                f"{where} needs the database: recreating the type converts every column "
                f"that uses it, which only the catalog can list; it cannot run offline (--sql)"
            )
        found = catalog.find_enum(self.connection, name, schema)
        if found is None:
            raise MighubError(f"{where}: there is no enum type {name!r}")
        if value not in found.values:
            raise MighubError(
                f"{where}: type {found.schema}.{found.name} has no value {value!r} "
                f"(values: {', '.join(found.values)})"
            )
        uses = catalog.columns_using(self.connection, found.oid)
        aside = f"{found.name}__mighub_old"[:63]
        self.execute(RenameEnum(found.name, aside, schema=found.schema))
        remaining = [v for v in found.values if v != value]
        self.execute(CreateEnum(found.name, remaining, schema=found.schema))
        if found.comment is not None:
            self.execute(EnumTypeComment(found.name, found.comment, schema=found.schema))
        preparer = self.dialect.identifier_preparer
        new_type = f"{preparer.quote_schema(found.schema)}.{preparer.quote(found.name)}"
        for use in uses:
            table = f"{preparer.quote_schema(use.schema)}.{preparer.quote(use.table)}"
            column = preparer.quote(use.column)
            target = new_type + ("[]" if use.is_array else "")
            alter = f"ALTER TABLE {table} ALTER COLUMN {column}"
            if use.default is not None:
                self.execute(sa.text(f"{alter} DROP DEFAULT"))
            self.execute(
                sa.text(
                    f"{alter} TYPE {target} USING {column}::text{'[]' * use.is_array}::{target}"
                )
            )
            if use.default is not None:
                self.execute(sa.text(f"{alter} SET DEFAULT {_escape_colons(use.default)}"))
        self.execute(DropEnum(aside, schema=found.schema))

    # -- sequences -------------------------------------------------------------------

    def create_sequence(self, sequence: sa.Sequence, *, if_not_exists: bool | None = None) -> None:
        self.execute(CreateSequence(sequence, if_not_exists=bool(if_not_exists)))

    def drop_sequence(self, sequence: sa.Sequence, *, if_exists: bool | None = None) -> None:
        self.execute(DropSequence(sequence, if_exists=bool(if_exists)))

    def alter_sequence(
        self, name: str, options: Mapping[str, Any], *, schema: str | None = None
    ) -> None:
        self.execute(AlterSequence(name, options, schema=schema))

    # -- the enum lifecycle -------------------------------------------------------

    def _enum_types(self, columns: Iterable[Column[Any]]) -> list[ENUM]:
        """The named PostgreSQL enum types these columns need created (``create_type``)."""
        found: dict[_TypeKey, ENUM] = {}
        for column in columns:
            type_ = column.type
            if isinstance(type_, ARRAY):
                type_ = type_.item_type
            if not isinstance(type_, sa.Enum):
                continue
            impl = type_.dialect_impl(self.dialect)
            if not isinstance(impl, ENUM) or not impl.name or not impl.create_type:
                continue
            found.setdefault(_type_key(impl), impl)
        return list(found.values())

    def _ensure_enum(self, enum: ENUM, *, table: str) -> None:
        """Create ``enum`` unless it exists; an existing type must have the same values."""
        key = _type_key(enum)
        if key in self._script_types:
            return
        if self.connection is not None:
            found = catalog.find_enum(self.connection, key[1], key[0])
            if found is not None:
                if list(found.values) != list(enum.enums):
                    raise MighubError(
                        f"enum type {found.schema}.{found.name} exists with the values "
                        f"{list(found.values)}, but table {table} wants {list(enum.enums)}; "
                        f"change the type first (op.add_enum_value, op.rename_enum_value, "
                        f"op.drop_enum_value) or give the column's type another name"
                    )
                return
        self.execute(CreateEnum(key[1], list(enum.enums), schema=key[0]))
        self.execute(EnumTypeComment(key[1], catalog.IMPLICIT_TYPE_COMMENT, schema=key[0]))
        if self.as_sql:
            self._script_types[key] = set()

    def _note_users(
        self, table_name: str, schema: str | None, columns: Iterable[Column[Any]]
    ) -> None:
        """Offline: remember which columns use the types this script created."""
        if not self._script_types:
            return
        table = _table_key(table_name, schema)
        for column in columns:
            for enum in self._enum_types([column]):
                users = self._script_types.get(_type_key(enum))
                if users is not None:
                    users.add((table, column.name))

    def _forget_users(self, table_name: str, schema: str | None, column_name: str | None) -> None:
        """Offline: a table (or one column) went away; a type it was the last user of goes
        with it, by the sweep that follows."""
        table = _table_key(table_name, schema)
        for key, users in list(self._script_types.items()):
            if not users:
                continue
            users -= {u for u in users if u[0] == table and column_name in (None, u[1])}
            if not users:
                del self._script_types[key]

    def _enum_oids(
        self, table_name: str, schema: str | None, column_name: str | None = None
    ) -> list[int]:
        if self.connection is None:
            return []
        return catalog.enum_types_used_by(self.connection, table_name, schema, column_name)

    def _drop_orphans(self, oids: list[int], *, sweep: bool) -> None:
        """Drop the implicit enum types among ``oids`` that nothing uses now.

        Online the catalog answers. Offline, when the dropped columns may
        have used such a type (``sweep``), a ``DO`` block asks the server
        when the script runs.
        """
        if self.connection is not None:
            for schema, name in catalog.implicit_orphans(self.connection, oids):
                self.execute(DropEnum(name, schema=schema))
        elif sweep:
            self.static_output(catalog.orphan_sweep_sql() + self.statement_terminator)


def identity_changes(old: Identity, new: Identity) -> dict[str, Any]:
    """The attributes that differ between two identities, with their new values."""
    return {
        name: getattr(new, name)
        for name in IDENTITY_ATTRIBUTES
        if getattr(old, name) != getattr(new, name)
    }


def _type_key(enum: ENUM) -> _TypeKey:
    return (enum.schema, str(enum.name))


def _table_key(table_name: str, schema: str | None) -> str:
    return f"{schema}.{table_name}" if schema else table_name


def _escape_colons(sql: str) -> str:
    """``text()`` reads ``:name`` as a parameter; a default such as ``'a'::status`` has none."""
    return sql.replace(":", "\\:")
