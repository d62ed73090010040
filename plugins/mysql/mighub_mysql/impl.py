"""How mighub speaks MariaDB/MySQL: the dialect implementation.

What differs from the generic implementation, and why:

- ``alter_column`` restates the whole column with one ``MODIFY`` (``CHANGE``
  when it renames too), because these servers have no statement that changes
  only the type, the nullability, the comment or ``AUTO_INCREMENT``. A change
  of default alone is ``ALTER COLUMN ... SET/DROP DEFAULT`` and a rename alone
  ``RENAME COLUMN``: neither needs the column's type.
- Online, before a ``MODIFY``, the live column is read from
  ``information_schema`` and the statement is refused when it would silently
  drop something the call neither changes nor restates (``NOT NULL``, the
  default, the comment, ``AUTO_INCREMENT``, ``ON UPDATE``, a generation
  expression, a collation other than the table's).
- ``drop_constraint`` needs the kind (``type_``): each kind has its own
  statement.
- ``IF [NOT] EXISTS`` on columns, indexes and constraints is MariaDB's only;
  on MySQL the call fails before any SQL is sent.
- MySQL before 9.0 parses an inline ``REFERENCES`` and ignores it, so a
  foreign key of an added column is always a separate ``ADD CONSTRAINT``
  there (MariaDB honours it inline).
- ``mysql_*`` options (``mysql_length``, ``mysql_engine``...) also apply on a
  ``mariadb://`` URL, whose dialect would otherwise read ``mariadb_*`` only.
- No transactional DDL; the migration lock is ``GET_LOCK``
  (:mod:`mighub_mysql.lock`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.schema import (
    CheckConstraint,
    Column,
    Computed,
    Constraint,
    CreateIndex,
    DefaultClause,
    ForeignKeyConstraint,
    Index,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
)
from sqlalchemy.sql.elements import TextClause

from mighub.ddl.constructs import ColumnDefault, ColumnName
from mighub.ddl.impl import NOT_GIVEN, DialectImpl
from mighub.errors import MighubError
from mighub_mysql.constructs import (
    CreateIndexUsing,
    DropConstraintOfKind,
    ModifyColumn,
    is_mariadb,
)

_KINDS: tuple[tuple[type[Constraint], str], ...] = (
    (PrimaryKeyConstraint, "primary"),
    (UniqueConstraint, "unique"),
    (ForeignKeyConstraint, "foreignkey"),
    (CheckConstraint, "check"),
)

_KIND_OF_SERVER_TYPE = {
    "PRIMARY KEY": "primary",
    "UNIQUE": "unique",
    "FOREIGN KEY": "foreignkey",
    "CHECK": "check",
}


class MySQLImpl(DialectImpl):
    name = "mysql"
    transactional_ddl = False

    @property
    def server(self) -> str:
        """``"MariaDB"`` or ``"MySQL"``, for messages."""
        return "MariaDB" if is_mariadb(self.dialect) else "MySQL"

    def migration_lock(
        self,
        *,
        scope: str,
        timeout: float,
        on_wait: Callable[[str], None] | None = None,
    ) -> AbstractContextManager[None] | None:
        from mighub_mysql.lock import named_lock

        assert self.connection is not None
        return named_lock(self.connection, scope=scope, timeout=timeout, on_wait=on_wait)

    def execute(
        self,
        statement: str | Any,
        params: Any = None,
        *,
        execution_options: Any = None,
    ) -> Any:
        """Every ``CREATE INDEX`` (alone, of a new table, of an added column) goes out fixed.

        It gets the ``mariadb_*``/``mysql_*`` options of the other name, and
        ``USING HASH`` unquoted (:class:`~mighub_mysql.constructs.CreateIndexUsing`).
        """
        if type(statement) is CreateIndex:
            mirror_vendor_options(statement.element, self.dialect)
            statement = CreateIndexUsing(statement.element, if_not_exists=statement.if_not_exists)
        return super().execute(statement, params, execution_options=execution_options)

    # -- tables --------------------------------------------------------------

    def create_table(self, table: Table, *, if_not_exists: bool | None = None) -> None:
        """The generic flow; ``mysql_*`` options also reach a ``mariadb://`` dialect."""
        mirror_vendor_options(table, self.dialect)
        for constraint in table.constraints:
            mirror_vendor_options(constraint, self.dialect)
        super().create_table(table, if_not_exists=if_not_exists)

    # -- columns -------------------------------------------------------------

    def add_column(
        self,
        table_name: str,
        column: Column[Any],
        *,
        schema: str | None = None,
        if_not_exists: bool | None = None,
        inline_references: bool = False,
        inline_primary_key: bool = False,
    ) -> None:
        """The generic flow, refusing MySQL's missing ``IF NOT EXISTS`` before any SQL."""
        if if_not_exists:
            self._mariadb_only(
                f"add_column({table_name!r}, {column.name!r})", "ADD COLUMN IF NOT EXISTS"
            )
        if inline_references and not _honours_inline_references(self.dialect):
            inline_references = False
        super().add_column(
            table_name,
            column,
            schema=schema,
            if_not_exists=if_not_exists,
            inline_references=inline_references,
            inline_primary_key=inline_primary_key,
        )

    def drop_column(
        self,
        table_name: str,
        column_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        if if_exists:
            self._mariadb_only(
                f"drop_column({table_name!r}, {column_name!r})", "DROP COLUMN IF EXISTS"
            )
        super().drop_column(table_name, column_name, schema=schema, if_exists=if_exists, **kw)

    def alter_column(
        self,
        table_name: str,
        column_name: str,
        *,
        nullable: bool | None = None,
        server_default: Any = NOT_GIVEN,
        type_: Any = None,
        new_column_name: str | None = None,
        comment: str | None = NOT_GIVEN,
        schema: str | None = None,
        existing_type: Any = None,
        existing_server_default: Any = None,
        existing_nullable: bool | None = None,
        existing_comment: str | None = None,
        **kw: Any,
    ) -> None:
        """One ``MODIFY``/``CHANGE`` restating the column, or the forms that need no restating.

        ``kw`` may carry ``autoincrement`` and ``existing_autoincrement``;
        other dialects' options in it are ignored. Values not changed are
        restated from ``existing_*``: ``None`` there means "none" (no default,
        no comment), and an unknown ``existing_nullable`` is written as
        ``NULL``. Online, a statement that would so drop something the live
        column has, and that neither the change nor ``existing_nullable`` /
        ``existing_autoincrement`` mention, is refused instead.
        """
        call = f"alter_column({table_name!r}, {column_name!r})"
        autoincrement = kw.pop("autoincrement", None)
        existing_autoincrement = kw.pop("existing_autoincrement", None)
        # Other dialects' options (postgresql_using...) are theirs: a script that runs on
        # several databases passes them all. The server converts values itself.
        renaming = new_column_name is not None and new_column_name != column_name
        changing_default = server_default is not NOT_GIVEN
        restating = [
            what
            for what, asked in (
                ("type", type_ is not None),
                ("nullability", nullable is not None),
                ("comment", comment is not NOT_GIVEN),
                ("AUTO_INCREMENT", autoincrement is not None),
                ("default with ON UPDATE", changing_default and _has_on_update(server_default)),
            )
            if asked
        ]
        if not restating:
            if changing_default:
                self.execute(ColumnDefault(table_name, column_name, server_default, schema=schema))
            if renaming:
                self.execute(ColumnName(table_name, column_name, new_column_name, schema=schema))
            return

        column_type = type_ if type_ is not None else existing_type
        if column_type is None:
            raise MighubError(
                f"{call} changes the column's {' and '.join(restating)}, which {self.server} "
                f"does by restating the whole column (MODIFY); pass existing_type= "
                f"(the type the column has now)"
            )
        modify = ModifyColumn(
            table_name,
            column_name,
            column_type,
            nullable=_first(nullable, existing_nullable, True),
            server_default=server_default if changing_default else existing_server_default,
            comment=comment if comment is not NOT_GIVEN else existing_comment,
            autoincrement=bool(_first(autoincrement, existing_autoincrement, False)),
            new_column_name=new_column_name if renaming else None,
            schema=schema,
        )
        if self.connection is not None:
            lost = self._what_modify_would_lose(
                modify,
                stated={
                    "nullable": nullable is not None or existing_nullable is not None,
                    "server_default": changing_default,
                    "comment": comment is not NOT_GIVEN,
                    "autoincrement": autoincrement is not None
                    or existing_autoincrement is not None,
                },
            )
            if lost:
                raise MighubError(
                    f"{call} would drop what the column has and the call does not restate, "
                    f"since {self.server} rewrites the whole column: {'; '.join(lost)}; "
                    f"or, if that is meant, ask for it (nullable=True, server_default=None, "
                    f"comment=None, autoincrement=False)"
                )
        self.execute(modify)

    def _what_modify_would_lose(
        self, modify: ModifyColumn, *, stated: dict[str, bool]
    ) -> list[str]:
        """What the live column has that ``modify`` would silently drop, as hints to fix it."""
        live = read_live_column(
            self.connection, modify.table_name, modify.column_name, schema=modify.schema
        )
        if live is None:  # no such column: the server's own error says so
            return []
        lost = []
        if not live.nullable and modify.existing_nullable and not stated["nullable"]:
            lost.append("it is NOT NULL (pass existing_nullable=False)")
        default = modify.existing_server_default
        if live.default is not None and default is None and not stated["server_default"]:
            lost.append(f"its default is {live.default} (pass existing_server_default=...)")
        if live.on_update and not stated["server_default"] and not _has_on_update(default):
            lost.append(
                f"it has {live.on_update.upper()} (pass existing_server_default="
                f"sa.text('<default> {live.on_update.upper()}'))"
            )
        if live.generated and not isinstance(default, Computed):
            lost.append(
                f"it is generated as ({live.generated}) "
                f"(pass existing_server_default=sa.Computed(...))"
            )
        if live.comment and modify.existing_comment is None and not stated["comment"]:
            lost.append(f"its comment is {live.comment!r} (pass existing_comment=...)")
        if live.autoincrement and not modify.autoincrement and not stated["autoincrement"]:
            lost.append("it is AUTO_INCREMENT (pass existing_autoincrement=True)")
        type_ = modify.existing_type
        if (
            live.collation is not None
            and live.collation != live.table_collation
            and isinstance(type_, sa.String)
            and getattr(type_, "collation", None) is None
        ):
            lost.append(
                f"its collation is {live.collation}, not the table's {live.table_collation} "
                f"(give the type collation={live.collation!r})"
            )
        return lost

    # -- indexes and constraints -------------------------------------------

    def create_index(self, index: Index, *, if_not_exists: bool | None = None) -> None:
        """SQLAlchemy's ``CREATE INDEX``: it knows ``mysql_length``, ``mysql_prefix``..."""
        if if_not_exists:
            self._mariadb_only(f"create_index({index.name!r})", "CREATE INDEX IF NOT EXISTS")
        super().create_index(index, if_not_exists=if_not_exists)

    def add_constraint(self, constraint: Constraint) -> None:
        mirror_vendor_options(constraint, self.dialect)
        super().add_constraint(constraint)

    def drop_index(self, index: Index, *, if_exists: bool | None = None) -> None:
        if if_exists:
            self._mariadb_only(f"drop_index({index.name!r})", "DROP INDEX IF EXISTS")
        super().drop_index(index, if_exists=if_exists)

    def drop_constraint(self, constraint: Constraint, *, if_exists: bool | None = None) -> None:
        """Drop by kind: each has its own statement here, so the kind must be known."""
        table = constraint.table
        name = None if constraint.name is None else str(constraint.name)
        call = f"drop_constraint({name!r}, {table.name!r})"
        kind = next((k for cls, k in _KINDS if isinstance(constraint, cls)), None)
        if kind is None:
            found = self._kind_on_server(name, table.name, table.schema)
            hint = f" (the database says it is {found[0]}: type_={found[1]!r})" if found else ""
            raise MighubError(
                f"{call} needs type_ on {self.server}, which drops each kind of constraint "
                f"with its own statement: pass type_='foreignkey', 'unique', 'check' or "
                f"'primary'{hint}"
            )
        if if_exists:
            self._mariadb_only(call, "IF EXISTS for constraints")
        self.execute(
            DropConstraintOfKind(
                table.name, name, kind, schema=table.schema, if_exists=bool(if_exists)
            )
        )

    def _kind_on_server(
        self, name: str | None, table_name: str, schema: str | None
    ) -> tuple[str, str] | None:
        if self.connection is None or name is None:
            return None
        row = self.connection.execute(
            sa.text(
                "SELECT CONSTRAINT_TYPE FROM information_schema.TABLE_CONSTRAINTS "
                "WHERE TABLE_SCHEMA = COALESCE(:schema, DATABASE()) "
                "AND TABLE_NAME = :table AND CONSTRAINT_NAME = :name"
            ),
            {"schema": schema, "table": table_name, "name": name},
        ).first()
        if row is None or row[0] not in _KIND_OF_SERVER_TYPE:
            return None
        return f"a {row[0]} constraint", _KIND_OF_SERVER_TYPE[row[0]]

    def _mariadb_only(self, call: str, clause: str) -> None:
        if not is_mariadb(self.dialect):
            raise MighubError(
                f"{call}: MySQL has no {clause} (MariaDB has); "
                f"check the schema with op.get_bind() first, or use a mariadb:// URL "
                f"if the server is MariaDB"
            )


class LiveColumn:
    """A column as ``information_schema`` describes it, in the terms a ``MODIFY`` restates."""

    def __init__(self, row: Any, *, mariadb: bool) -> None:
        (nullable, default, extra, comment, collation, table_collation, generated) = row
        extra = (extra or "").lower()
        self.nullable = nullable == "YES"
        # MariaDB reports a nullable column without a DEFAULT clause as 'NULL' and
        # quotes string literals; MySQL reports no default as NULL.
        if mariadb and default == "NULL":
            default = None
        self.generated = generated or None
        self.default = None if self.generated else default
        self.comment = comment or None
        self.autoincrement = "auto_increment" in extra
        match = re.search(r"on update \S+", extra)
        self.on_update = match.group(0) if match else None
        self.collation = collation
        self.table_collation = table_collation


def read_live_column(
    connection: Any, table_name: str, column_name: str, *, schema: str | None = None
) -> LiveColumn | None:
    """The live column from ``information_schema``, or ``None`` when there is none."""
    row = connection.execute(
        sa.text(
            "SELECT c.IS_NULLABLE, c.COLUMN_DEFAULT, c.EXTRA, c.COLUMN_COMMENT, "
            "c.COLLATION_NAME, t.TABLE_COLLATION, c.GENERATION_EXPRESSION "
            "FROM information_schema.COLUMNS c JOIN information_schema.TABLES t "
            "ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME "
            "WHERE c.TABLE_SCHEMA = COALESCE(:schema, DATABASE()) "
            "AND c.TABLE_NAME = :table AND c.COLUMN_NAME = :column"
        ),
        {"schema": schema, "table": table_name, "column": column_name},
    ).first()
    if row is None:
        return None
    return LiveColumn(tuple(row), mariadb=is_mariadb(connection.dialect))


def mirror_vendor_options(item: Any, dialect: Any) -> None:
    """Give ``item`` the ``mariadb_*`` options for its ``mysql_*`` ones, or the reverse.

    SQLAlchemy reads only the options named after the dialect in use, so on a
    ``mariadb://`` URL ``mysql_length=10`` (what scripts written for MySQL,
    and Alembic's autogenerate, say) would be dropped without a word. An
    option given under both names keeps each.
    """
    own = f"{dialect.name}_"
    other = "mysql_" if dialect.name == "mariadb" else "mariadb_"
    options = item.dialect_kwargs
    given = dict(options)  # "in options" is true of every option the dialect knows
    for key, value in given.items():
        if key.startswith(other):
            mirrored = own + key[len(other) :]
            if mirrored not in given:
                options[mirrored] = value


def _first(*values: Any) -> Any:
    return next(v for v in values if v is not None)


def _has_on_update(default: Any) -> bool:
    """Whether a server default carries ``ON UPDATE`` (only SQL text can)."""
    if isinstance(default, DefaultClause):
        default = default.arg
    if isinstance(default, TextClause):
        return re.search(r"\bON\s+UPDATE\b", default.text, re.I) is not None
    return False


def _honours_inline_references(dialect: Any) -> bool:
    """MariaDB and MySQL 9 make a foreign key of an inline ``REFERENCES``; MySQL 8 ignores it."""
    if is_mariadb(dialect):
        return True
    version = getattr(dialect, "server_version_info", None)
    return bool(version) and version >= (9,)
