"""The version table: one row per current head, moved in the migration's own transaction.

``mighub_version(version_num VARCHAR(32) PRIMARY KEY)`` by default. The name,
schema and primary key are configurable; ``version_table = "alembic_version"``
takes over a database that Alembic manages, since the layout is the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from mighub.errors import MighubError

if TYPE_CHECKING:
    from mighub.ddl.impl import DialectImpl

VERSION_LENGTH = 32


class VersionTableError(MighubError):
    """The version table does not hold what the run expected (changed underneath us)."""


class VersionTable:
    """Reads and moves the rows of one version table through a dialect implementation."""

    def __init__(self, name: str, schema: str | None = None, *, primary_key: bool = True) -> None:
        self.name = name
        self.schema = schema
        metadata = sa.MetaData()
        columns: list[Any] = [sa.Column("version_num", sa.String(VERSION_LENGTH), nullable=False)]
        if primary_key:
            columns.append(sa.PrimaryKeyConstraint("version_num", name=f"{name}_pkc"))
        self.table = sa.Table(name, metadata, *columns, schema=schema)
        column = self.table.c.version_num
        self._delete = self.table.delete().where(column == sa.bindparam("old"))
        self._update = (
            self.table.update()
            .where(column == sa.bindparam("old"))
            .values(version_num=sa.bindparam("new"))
        )
        # Offline statement text per (dialect, kind), rendered once per run.
        self._offline_templates: dict[tuple[int, str], str] = {}

    @property
    def display_name(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

    def exists(self, connection: sa.Connection) -> bool:
        return sa.inspect(connection).has_table(self.name, schema=self.schema)

    def create(self, impl: DialectImpl) -> None:
        impl.execute(sa.schema.CreateTable(self.table))

    def read(self, connection: sa.Connection) -> tuple[str, ...]:
        """The current heads, in a stable order; a missing table means none."""
        if not self.exists(connection):
            return ()
        column = self.table.c.version_num
        rows = connection.execute(sa.select(column).order_by(column)).scalars().all()
        return tuple(rows)

    def apply(self, impl: DialectImpl, ops: Iterable[Any], *, online: bool) -> None:
        """Run version-table changes (``insert`` / ``delete`` / ``update``), checked online.

        Online, every statement must touch exactly one row: anything else
        means another process moved the table under us, and the run stops
        before committing.
        """
        for op in ops:
            if op.kind == "insert":
                self.check((op,))
                # As parameters: offline they are written as literals. (A literal
                # column would make SQLAlchemy add RETURNING for the primary key.)
                # An insert either adds its row or fails; drivers disagree on its rowcount.
                impl.execute(self.table.insert(), {"version_num": op.new})
                continue
            if online:
                # Built once, run with parameters: SQLAlchemy then compiles it once too.
                if op.kind == "delete":
                    result = impl.execute(self._delete, {"old": op.old})
                else:
                    result = impl.execute(self._update, {"old": op.old, "new": op.new})
                self._check(result, op, online)
                continue
            # Offline: rendered once per run with markers, then filled in, because
            # compiling a statement per revision made long --sql runs slow.
            template = self._offline_sql(impl, op.kind)
            sql = template.replace(_OLD, _quote(op.old)) if op.old is not None else template
            sql = sql.replace(_NEW, _quote(op.new)) if op.new is not None else sql
            impl._write_statement(sql)

    def check(self, ops: Iterable[Any]) -> None:
        """Refuse a revision id the table cannot hold, before any statement is sent."""
        for op in ops:
            if op.kind == "insert" and len(op.new) > VERSION_LENGTH:
                raise VersionTableError(
                    f"revision id {op.new!r} is longer than the {VERSION_LENGTH} characters "
                    f"{self.display_name}.version_num holds"
                )

    def _offline_sql(self, impl: DialectImpl, kind: str) -> str:
        cache = self._offline_templates
        key = (id(impl.dialect), kind)
        if key not in cache:
            column = self.table.c.version_num
            old, new = sa.literal_column(_quote(_OLD)), sa.literal_column(_quote(_NEW))
            if kind == "delete":
                stmt: Any = self.table.delete().where(column == old)
            else:
                stmt = self.table.update().values(version_num=new).where(column == old)
            text = str(stmt.compile(dialect=impl.dialect))
            cache[key] = text.replace(_quote(_OLD), _OLD).replace(_quote(_NEW), _NEW)
        return cache[key]

    def _check(self, result: Any, op: Any, online: bool) -> None:
        if online and result is not None and result.rowcount != 1:
            raise VersionTableError(
                f"{self.display_name}: {op.kind} of {op.old or op.new!r} changed "
                f"{result.rowcount} rows instead of 1; another process may be migrating "
                f"this database"
            )

    def delete_all(self, impl: DialectImpl) -> None:
        impl.execute(self.table.delete())


_OLD = "\x00mighub-old\x00"
_NEW = "\x00mighub-new\x00"


def _quote(value: str | None) -> str:
    assert value is not None
    return "'" + value.replace("'", "''") + "'"


class IncompleteRecords:
    """Revisions that failed part-way on a database without transactional DDL.

    Kept in a table of its own (``<version table>_incomplete``), created only
    when such a failure happens, so the version table keeps the layout other
    tools (Alembic) expect. While it holds a row, mighub refuses to migrate
    until ``mighub resolve`` records what the user found.
    """

    def __init__(self, version_table: VersionTable) -> None:
        self.name = f"{version_table.name}_incomplete"
        self.schema = version_table.schema
        self.table = sa.Table(
            self.name,
            sa.MetaData(),
            sa.Column("version_num", sa.String(VERSION_LENGTH), primary_key=True),
            sa.Column("direction", sa.String(10), nullable=False),
            sa.Column("failed_at", sa.String(40), nullable=False),
            sa.Column("statements", sa.Text, nullable=False),
            sa.Column("error", sa.Text, nullable=False),
            schema=self.schema,
        )

    @property
    def display_name(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

    def read(self, connection: sa.Connection) -> list[Any]:
        if not sa.inspect(connection).has_table(self.name, schema=self.schema):
            return []
        return list(connection.execute(sa.select(self.table)).mappings())

    def record(
        self,
        impl: DialectImpl,
        connection: sa.Connection,
        *,
        revision: str,
        direction: str,
        statements: list[str],
        error: str,
    ) -> None:
        import datetime

        if not sa.inspect(connection).has_table(self.name, schema=self.schema):
            impl.execute(sa.schema.CreateTable(self.table))
        impl.execute(self.table.delete().where(self.table.c.version_num == revision))
        impl.execute(
            self.table.insert(),
            {
                "version_num": revision,
                "direction": direction,
                "failed_at": datetime.datetime.now(datetime.timezone.utc).isoformat(
                    timespec="seconds"
                ),
                "statements": "\n".join(statements),
                "error": error,
            },
        )

    def clear(self, impl: DialectImpl, revision: str) -> None:
        impl.execute(self.table.delete().where(self.table.c.version_num == revision))
