"""The core operations as data: one class per ``op.<name>``, plus autogenerate's containers.

Each class holds the values of one call and knows three things about them:
how to build them from ``op.<name>(...)`` (``build``) and from
``batch_op.<name>(...)`` (``batch_build``), how to turn them into
SQLAlchemy schema objects (``to_table``, ``to_column``, ``to_constraint``,
``to_index``), and what undoes them (``reverse``). Running them is the
registered implementation's job (:mod:`mighub.operations.implementations`).

A drop only knows how to undo itself when it knows what it dropped: build it
with ``from_table`` / ``from_column`` / ``from_index`` / ``from_constraint``
(autogenerate does), or reverse the matching create.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import Column, MetaData, Table, text
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.schema import (
    CheckConstraint,
    Constraint,
    ForeignKeyConstraint,
    Index,
    PrimaryKeyConstraint,
    SchemaItem,
    UniqueConstraint,
)
from sqlalchemy.sql.elements import conv
from sqlalchemy.types import NullType

from mighub.ddl.impl import NOT_GIVEN
from mighub.errors import MighubError
from mighub.operations.base import BatchOperations, IrreversibleOperationError, Operation

if TYPE_CHECKING:
    from mighub.operations.base import Operations

__all__ = [
    "NOT_GIVEN",
    "AddColumnOp",
    "AddConstraintOp",
    "AlterColumnOp",
    "BulkInsertOp",
    "CreateCheckConstraintOp",
    "CreateForeignKeyOp",
    "CreateIndexOp",
    "CreatePrimaryKeyOp",
    "CreateTableCommentOp",
    "CreateTableOp",
    "CreateUniqueConstraintOp",
    "DowngradeOps",
    "DropColumnOp",
    "DropConstraintOp",
    "DropIndexOp",
    "DropTableCommentOp",
    "DropTableOp",
    "ExecuteSQLOp",
    "ModifyTableOps",
    "OpContainer",
    "Operation",
    "RenameTableOp",
    "UpgradeOps",
]


def _metadata(metadata: MetaData | None) -> MetaData:
    return metadata if metadata is not None else MetaData()


def _columns_table(
    metadata: MetaData, table_name: str, schema: str | None, names: Sequence[Any]
) -> Table:
    """A stand-in table with the named columns, for building a constraint or index on it.

    Reuses a table already in ``metadata`` (a foreign key to the same table
    needs the local and remote columns on one ``Table``).
    """
    key = f"{schema}.{table_name}" if schema else table_name
    table = metadata.tables.get(key)
    if table is None:
        table = Table(table_name, metadata, schema=schema)
    for name in names:
        if isinstance(name, str) and name not in table.c:
            table.append_column(Column(name, NullType()))
    return table


def _table_from_items(
    table_name: str, metadata: MetaData, items: Sequence[Any], schema: str | None, **kw: Any
) -> Table:
    """``Table(table_name, metadata, *items)``, copying items that belong to another table.

    Items of a table that was reflected or built before (``from_table``, or a
    second ``to_table()``) cannot join a new table as they are; copies can.
    """
    columns = [
        (item._copy() if item.table is not None else item)
        for item in items
        if isinstance(item, Column)
    ]
    table = Table(table_name, metadata, *columns, schema=schema, **kw)
    for item in items:
        if isinstance(item, Column):
            continue
        if _owner(item) is None:
            table.append_constraint(item)
        elif isinstance(item, Index):
            expressions = [
                table.c[e.key] if isinstance(e, Column) and e.key in table.c else e
                for e in item.expressions
            ]
            Index(item.name, *expressions, unique=item.unique, _table=table, **item.kwargs)
        else:
            table.append_constraint(item._copy(target_table=table))
    return table


def _owner(item: Any) -> Table | None:
    """The table a constraint or index belongs to; ``None`` while it belongs to none."""
    if isinstance(item, Constraint):
        # An unattached Constraint refuses .table with an exception, which costs more
        # than the rest of this; its parent says the same thing (a column-level
        # constraint's parent is its Column, which is not a table either).
        parent = getattr(item, "parent", None)
        return parent if isinstance(parent, Table) else None
    try:
        return getattr(item, "table", None)
    except InvalidRequestError:
        return None


def _name(name: Any) -> str:
    return repr(str(name)) if name is not None else "None"


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------


@dataclass(eq=False)
class CreateTableOp(Operation):
    """``op.create_table(name, *columns, schema=None, if_not_exists=None, **kw)``.

    ``columns`` holds Columns, Constraints and Indexes, as ``Table()`` takes
    them; ``kw`` holds ``Table()`` keywords (``comment``, ``info``,
    ``prefixes``, dialect options such as ``mysql_engine``).
    """

    op_name = "create_table"

    table_name: str
    columns: list[Any] = field(default_factory=list)
    _: KW_ONLY
    schema: str | None = None
    if_not_exists: bool | None = None
    kw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(  # type: ignore[override]
        cls,
        operations: Operations,
        table_name: str,
        *columns: SchemaItem,
        schema: str | None = None,
        if_not_exists: bool | None = None,
        **kw: Any,
    ) -> CreateTableOp:
        return cls(table_name, list(columns), schema=schema, if_not_exists=if_not_exists, kw=kw)

    @classmethod
    def from_table(cls, table: Table, *, if_not_exists: bool | None = None) -> CreateTableOp:
        """The operation that creates ``table`` as it is defined."""
        items: list[Any] = list(table.columns)
        for constraint in table.constraints:
            if getattr(constraint, "_column_flag", False) or getattr(
                constraint, "_type_bound", False
            ):
                continue  # comes back with its column
            if isinstance(constraint, PrimaryKeyConstraint) and constraint.name is None:
                continue  # comes back from the columns' primary_key=True
            items.append(constraint)
        items += [i for i in table.indexes if not getattr(i, "_column_flag", False)]
        kw: dict[str, Any] = dict(table.kwargs)
        if table.comment is not None:
            kw["comment"] = table.comment
        if table.info:
            kw["info"] = dict(table.info)
        if table._prefixes:
            kw["prefixes"] = list(table._prefixes)
        return cls(table.name, items, schema=table.schema, if_not_exists=if_not_exists, kw=kw)

    def to_table(self, metadata: MetaData | None = None) -> Table:
        return _table_from_items(
            self.table_name, _metadata(metadata), self.columns, self.schema, **self.kw
        )

    def reverse(self) -> DropTableOp:
        return DropTableOp(self.table_name, schema=self.schema, _reverse=self)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("add_table", self.to_table())

    def describe(self) -> str:
        return f"op.create_table({_name(self.table_name)})"


@dataclass(eq=False)
class DropTableOp(Operation):
    """``op.drop_table(name, *, schema=None, if_exists=None, **kw)``."""

    op_name = "drop_table"

    table_name: str
    _: KW_ONLY
    schema: str | None = None
    if_exists: bool | None = None
    kw: dict[str, Any] = field(default_factory=dict)
    _reverse: CreateTableOp | None = field(default=None, repr=False)

    @classmethod
    def build(  # type: ignore[override]
        cls,
        operations: Operations,
        table_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> DropTableOp:
        return cls(table_name, schema=schema, if_exists=if_exists, kw=kw)

    @classmethod
    def from_table(cls, table: Table, *, if_exists: bool | None = None) -> DropTableOp:
        return cls(
            table.name,
            schema=table.schema,
            if_exists=if_exists,
            _reverse=CreateTableOp.from_table(table),
        )

    def to_table(self, metadata: MetaData | None = None) -> Table:
        """The table, complete when known, so drop events (``DROP TYPE``) fire for its columns."""
        if self._reverse is not None:
            return self._reverse.to_table(metadata)
        return Table(self.table_name, _metadata(metadata), schema=self.schema, **self.kw)

    def reverse(self) -> CreateTableOp:
        return self.remembered_reverse(
            self._reverse,
            "the table's definition is not known",
            "build it with DropTableOp.from_table(table) to make it reversible",
        )

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("remove_table", self.to_table())

    def describe(self) -> str:
        return f"op.drop_table({_name(self.table_name)})"


@dataclass(eq=False)
class RenameTableOp(Operation):
    """``op.rename_table(old_table_name, new_table_name, *, schema=None)``."""

    op_name = "rename_table"

    table_name: str
    new_table_name: str
    _: KW_ONLY
    schema: str | None = None

    @classmethod
    def build(  # type: ignore[override]
        cls,
        operations: Operations,
        old_table_name: str,
        new_table_name: str,
        *,
        schema: str | None = None,
    ) -> RenameTableOp:
        return cls(old_table_name, new_table_name, schema=schema)

    @classmethod
    def batch_build(  # type: ignore[override]
        cls, batch: BatchOperations, new_table_name: str
    ) -> RenameTableOp:
        """``batch_op.rename_table(new_name)``: the batch's table gets a new name."""
        return cls(batch.table_name, new_table_name, schema=batch.schema)

    def reverse(self) -> RenameTableOp:
        return RenameTableOp(self.new_table_name, self.table_name, schema=self.schema)

    def describe(self) -> str:
        return f"op.rename_table({_name(self.table_name)}, {_name(self.new_table_name)})"


@dataclass(eq=False)
class CreateTableCommentOp(Operation):
    """``op.create_table_comment(table_name, comment, *, existing_comment=None, schema=None)``."""

    op_name = "create_table_comment"

    table_name: str
    comment: str
    _: KW_ONLY
    existing_comment: str | None = None
    schema: str | None = None

    @classmethod
    def batch_build(  # type: ignore[override]
        cls, batch: BatchOperations, comment: str, *, existing_comment: str | None = None
    ) -> CreateTableCommentOp:
        return cls(
            batch.table_name, comment, existing_comment=existing_comment, schema=batch.schema
        )

    def reverse(self) -> Operation:
        """Back to the previous comment, or no comment when there was none."""
        if self.existing_comment is None:
            return DropTableCommentOp(
                self.table_name, existing_comment=self.comment, schema=self.schema
            )
        return CreateTableCommentOp(
            self.table_name,
            self.existing_comment,
            existing_comment=self.comment,
            schema=self.schema,
        )

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("add_table_comment", self.to_table(), self.existing_comment)

    def to_table(self, metadata: MetaData | None = None) -> Table:
        return Table(self.table_name, _metadata(metadata), schema=self.schema, comment=self.comment)

    def describe(self) -> str:
        return f"op.create_table_comment({_name(self.table_name)})"


@dataclass(eq=False)
class DropTableCommentOp(Operation):
    """``op.drop_table_comment(table_name, *, existing_comment=None, schema=None)``."""

    op_name = "drop_table_comment"

    table_name: str
    _: KW_ONLY
    existing_comment: str | None = None
    schema: str | None = None

    @classmethod
    def batch_build(  # type: ignore[override]
        cls, batch: BatchOperations, *, existing_comment: str | None = None
    ) -> DropTableCommentOp:
        return cls(batch.table_name, existing_comment=existing_comment, schema=batch.schema)

    def reverse(self) -> CreateTableCommentOp:
        if self.existing_comment is None:
            raise IrreversibleOperationError(
                f"{self.describe()} cannot be reversed: pass existing_comment= "
                f"so the comment can be put back"
            )
        return CreateTableCommentOp(self.table_name, self.existing_comment, schema=self.schema)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("remove_table_comment", self.to_table())

    def to_table(self, metadata: MetaData | None = None) -> Table:
        return Table(self.table_name, _metadata(metadata), schema=self.schema)

    def describe(self) -> str:
        return f"op.drop_table_comment({_name(self.table_name)})"


# ---------------------------------------------------------------------------
# Columns
# ---------------------------------------------------------------------------


@dataclass(eq=False)
class AddColumnOp(Operation):
    """``op.add_column(table_name, column, *, schema=None, if_not_exists=None, ...)``.

    ``inline_references`` writes the column's foreign key as ``REFERENCES``
    in the ``ADD COLUMN`` clause instead of a separate ``ADD CONSTRAINT``;
    ``inline_primary_key`` adds ``PRIMARY KEY`` to it. ``kw`` keeps further
    keywords for other implementations (the batch plugin's
    ``insert_before`` / ``insert_after``).
    """

    op_name = "add_column"

    table_name: str
    column: Column[Any]
    _: KW_ONLY
    schema: str | None = None
    if_not_exists: bool | None = None
    inline_references: bool = False
    inline_primary_key: bool = False
    kw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(  # type: ignore[override]
        cls,
        operations: Operations,
        table_name: str,
        column: Column[Any],
        *,
        schema: str | None = None,
        if_not_exists: bool | None = None,
        inline_references: bool = False,
        inline_primary_key: bool = False,
    ) -> AddColumnOp:
        if not isinstance(column, Column):
            raise MighubError(
                f"op.add_column({table_name!r}, ...) takes a sqlalchemy Column, "
                f"not {type(column).__name__}"
            )
        return cls(
            table_name,
            column,
            schema=schema,
            if_not_exists=if_not_exists,
            inline_references=inline_references,
            inline_primary_key=inline_primary_key,
        )

    @classmethod
    def batch_build(  # type: ignore[override]
        cls,
        batch: BatchOperations,
        column: Column[Any],
        *,
        insert_before: str | None = None,
        insert_after: str | None = None,
        **kw: Any,
    ) -> AddColumnOp:
        """Batch mode also takes the column's place in a recreated table."""
        op = cls.build(batch, batch.table_name, column, schema=batch.schema, **kw)
        if insert_before is not None:
            op.kw["insert_before"] = insert_before
        if insert_after is not None:
            op.kw["insert_after"] = insert_after
        return op

    @classmethod
    def from_column(
        cls, column: Column[Any], *, table_name: str | None = None, schema: str | None = None
    ) -> AddColumnOp:
        """The operation that adds ``column``, a column of a ``Table``."""
        table = column.table
        return cls(
            table_name or table.name,
            column,
            schema=schema if schema is not None else table.schema,
        )

    def to_column(self) -> Column[Any]:
        return self.column

    def reverse(self) -> DropColumnOp:
        return DropColumnOp(self.table_name, self.column.name, schema=self.schema, _reverse=self)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("add_column", self.schema, self.table_name, self.column)

    def describe(self) -> str:
        return f"op.add_column({_name(self.table_name)}, {_name(self.column.name)})"


@dataclass(eq=False)
class DropColumnOp(Operation):
    """``op.drop_column(table_name, column_name, *, schema=None, if_exists=None, **kw)``.

    ``kw`` carries dialect options (``mssql_drop_default=True``...).
    """

    op_name = "drop_column"

    table_name: str
    column_name: str
    _: KW_ONLY
    schema: str | None = None
    if_exists: bool | None = None
    kw: dict[str, Any] = field(default_factory=dict)
    _reverse: AddColumnOp | None = field(default=None, repr=False)

    @classmethod
    def build(  # type: ignore[override]
        cls,
        operations: Operations,
        table_name: str,
        column_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> DropColumnOp:
        return cls(table_name, column_name, schema=schema, if_exists=if_exists, kw=kw)

    @classmethod
    def from_column(
        cls, column: Column[Any], *, table_name: str | None = None, schema: str | None = None
    ) -> DropColumnOp:
        """The operation that drops ``column`` and knows how to add it back."""
        add = AddColumnOp.from_column(column, table_name=table_name, schema=schema)
        return cls(add.table_name, column.name, schema=add.schema, _reverse=add)

    def to_column(self) -> Column[Any]:
        if self._reverse is not None:
            return self._reverse.column
        return Column(self.column_name, NullType())

    def reverse(self) -> AddColumnOp:
        return self.remembered_reverse(
            self._reverse,
            "the column's definition is not known",
            "build it with DropColumnOp.from_column(column) to make it reversible",
        )

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("remove_column", self.schema, self.table_name, self.to_column())

    def describe(self) -> str:
        return f"op.drop_column({_name(self.table_name)}, {_name(self.column_name)})"


@dataclass(eq=False)
class AlterColumnOp(Operation):
    """``op.alter_column(table_name, column_name, *, nullable=None, type_=None, ...)``.

    ``modify_*`` hold the changes and ``existing_*`` the column as it was.
    For ``server_default``, ``comment`` and ``existing_server_default``,
    :data:`NOT_GIVEN` (``False``) means "not given" because ``None`` means
    "none": ``server_default=None`` drops the default. A change can only be
    reversed when the matching ``existing_*`` value is known.
    """

    op_name = "alter_column"

    table_name: str
    column_name: str
    _: KW_ONLY
    schema: str | None = None
    existing_type: Any = None
    existing_server_default: Any = NOT_GIVEN
    existing_nullable: bool | None = None
    existing_comment: str | None = NOT_GIVEN
    modify_nullable: bool | None = None
    modify_comment: str | None = NOT_GIVEN
    modify_server_default: Any = NOT_GIVEN
    modify_name: str | None = None
    modify_type: Any = None
    kw: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.existing_type, type):
            self.existing_type = self.existing_type()
        if isinstance(self.modify_type, type):
            self.modify_type = self.modify_type()

    @classmethod
    def build(  # type: ignore[override]
        cls,
        operations: Operations,
        table_name: str,
        column_name: str,
        *,
        nullable: bool | None = None,
        comment: str | None = NOT_GIVEN,
        server_default: Any = NOT_GIVEN,
        new_column_name: str | None = None,
        type_: Any = None,
        existing_type: Any = None,
        existing_server_default: Any = NOT_GIVEN,
        existing_nullable: bool | None = None,
        existing_comment: str | None = NOT_GIVEN,
        schema: str | None = None,
        **kw: Any,
    ) -> AlterColumnOp:
        return cls(
            table_name,
            column_name,
            schema=schema,
            existing_type=existing_type,
            existing_server_default=existing_server_default,
            existing_nullable=existing_nullable,
            existing_comment=existing_comment,
            modify_nullable=nullable,
            modify_comment=comment,
            modify_server_default=server_default,
            modify_name=new_column_name,
            modify_type=type_,
            kw=kw,
        )

    def has_changes(self) -> bool:
        return (
            self.modify_nullable is not None
            or self.modify_comment is not NOT_GIVEN
            or self.modify_server_default is not NOT_GIVEN
            or self.modify_name is not None
            or self.modify_type is not None
        )

    def reverse(self) -> AlterColumnOp:
        """Swap each change with what existed, which must be known for every change made."""
        missing = []
        if self.modify_type is not None and self.existing_type is None:
            missing.append("existing_type")
        if self.modify_nullable is not None and self.existing_nullable is None:
            missing.append("existing_nullable")
        if (
            self.modify_server_default is not NOT_GIVEN
            and self.existing_server_default is NOT_GIVEN
        ):
            missing.append("existing_server_default")
        if self.modify_comment is not NOT_GIVEN and self.existing_comment is NOT_GIVEN:
            missing.append("existing_comment")
        if missing:
            raise IrreversibleOperationError(
                f"{self.describe()} cannot be reversed: pass {', '.join(missing)} "
                f"so the column can be put back as it was"
            )

        def swap(modified: Any, existing: Any, unset: Any) -> tuple[Any, Any]:
            if modified is unset:
                return unset, existing
            return existing, modified

        kw = dict(self.kw)
        for key in list(kw):  # e.g. existing_autoincrement <-> autoincrement
            if key.startswith("existing_"):
                plain = key[len("existing_") :]
                if plain in kw:
                    kw[key], kw[plain] = kw[plain], kw[key]
        new_type, old_type = swap(self.modify_type, self.existing_type, None)
        new_null, old_null = swap(self.modify_nullable, self.existing_nullable, None)
        new_default, old_default = swap(
            self.modify_server_default, self.existing_server_default, NOT_GIVEN
        )
        new_comment, old_comment = swap(self.modify_comment, self.existing_comment, NOT_GIVEN)
        for key in [k for k in kw if k.endswith("_using")]:
            kw.pop(key)  # a dialect's conversion expression converts one way only
        return AlterColumnOp(
            self.table_name,
            self.modify_name or self.column_name,
            schema=self.schema,
            existing_type=old_type,
            existing_server_default=old_default,
            existing_nullable=old_null,
            existing_comment=old_comment,
            modify_type=new_type,
            modify_nullable=new_null,
            modify_server_default=new_default,
            modify_comment=new_comment,
            modify_name=self.column_name if self.modify_name else None,
            kw=kw,
        )

    def to_diff_tuple(self) -> list[tuple[Any, ...]]:
        """One ``modify_*`` tuple per change, in autogenerate's layout."""
        existing = {
            "existing_nullable": self.existing_nullable,
            "existing_type": self.existing_type,
            "existing_server_default": (
                None if self.existing_server_default is NOT_GIVEN else self.existing_server_default
            ),
            "existing_comment": (
                None if self.existing_comment is NOT_GIVEN else self.existing_comment
            ),
        }
        where = (self.schema, self.table_name, self.column_name)
        out: list[tuple[Any, ...]] = []
        if self.modify_type is not None:
            out.append(("modify_type", *where, existing, self.existing_type, self.modify_type))
        if self.modify_nullable is not None:
            out.append(
                ("modify_nullable", *where, existing, self.existing_nullable, self.modify_nullable)
            )
        if self.modify_server_default is not NOT_GIVEN:
            out.append(
                (
                    "modify_default",
                    *where,
                    existing,
                    existing["existing_server_default"],
                    self.modify_server_default,
                )
            )
        if self.modify_comment is not NOT_GIVEN:
            old_comment = existing["existing_comment"]
            out.append(("modify_comment", *where, existing, old_comment, self.modify_comment))
        return out

    def describe(self) -> str:
        return f"op.alter_column({_name(self.table_name)}, {_name(self.column_name)})"


# ---------------------------------------------------------------------------
# Indexes
# ---------------------------------------------------------------------------


@dataclass(eq=False)
class CreateIndexOp(Operation):
    """``op.create_index(index_name, table_name, columns, *, schema=None, unique=False, ...)``.

    ``columns`` are column names, ``text()`` or SQL expressions; ``kw``
    carries dialect options (``postgresql_where``, ``mysql_length``...).
    """

    op_name = "create_index"

    index_name: str | None
    table_name: str
    columns: list[Any]
    _: KW_ONLY
    schema: str | None = None
    unique: bool = False
    if_not_exists: bool | None = None
    kw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(  # type: ignore[override]
        cls,
        operations: Operations,
        index_name: str | None,
        table_name: str,
        columns: Sequence[Any] | str,
        *,
        schema: str | None = None,
        unique: bool = False,
        if_not_exists: bool | None = None,
        **kw: Any,
    ) -> CreateIndexOp:
        if isinstance(columns, str):
            columns = [columns]
        return cls(
            index_name,
            table_name,
            list(columns),
            schema=schema,
            unique=unique,
            if_not_exists=if_not_exists,
            kw=kw,
        )

    @classmethod
    def batch_build(  # type: ignore[override]
        cls, batch: BatchOperations, index_name: str | None, columns: Sequence[Any], **kw: Any
    ) -> CreateIndexOp:
        return cls.build(batch, index_name, batch.table_name, columns, schema=batch.schema, **kw)

    @classmethod
    def from_index(cls, index: Index) -> CreateIndexOp:
        table = index.table
        assert table is not None, "the index must belong to a table"
        return cls(
            index.name,
            table.name,
            list(index.expressions),
            schema=table.schema,
            unique=bool(index.unique),
            kw=dict(index.kwargs),
        )

    def to_index(self, metadata: MetaData | None = None) -> Index:
        table = _columns_table(_metadata(metadata), self.table_name, self.schema, self.columns)
        expressions = [
            table.c[c] if isinstance(c, str) else _own_expression(c) for c in self.columns
        ]
        return Index(self.index_name, *expressions, unique=self.unique, _table=table, **self.kw)

    def reverse(self) -> DropIndexOp:
        return DropIndexOp(self.index_name, self.table_name, schema=self.schema, _reverse=self)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("add_index", self.to_index())

    def describe(self) -> str:
        return f"op.create_index({_name(self.index_name)}, {_name(self.table_name)})"


def _own_expression(expression: Any) -> Any:
    if isinstance(expression, str):
        return text(expression)
    return expression


@dataclass(eq=False)
class DropIndexOp(Operation):
    """``op.drop_index(index_name, table_name=None, *, schema=None, if_exists=None, **kw)``."""

    op_name = "drop_index"

    index_name: str
    table_name: str | None = None
    _: KW_ONLY
    schema: str | None = None
    if_exists: bool | None = None
    kw: dict[str, Any] = field(default_factory=dict)
    _reverse: CreateIndexOp | None = field(default=None, repr=False)

    @classmethod
    def build(  # type: ignore[override]
        cls,
        operations: Operations,
        index_name: str,
        table_name: str | None = None,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> DropIndexOp:
        return cls(index_name, table_name, schema=schema, if_exists=if_exists, kw=kw)

    @classmethod
    def batch_build(  # type: ignore[override]
        cls, batch: BatchOperations, index_name: str, **kw: Any
    ) -> DropIndexOp:
        return cls.build(batch, index_name, batch.table_name, schema=batch.schema, **kw)

    @classmethod
    def from_index(cls, index: Index) -> DropIndexOp:
        create = CreateIndexOp.from_index(index)
        return cls(str(index.name), create.table_name, schema=create.schema, _reverse=create)

    def to_index(self, metadata: MetaData | None = None) -> Index:
        if self._reverse is not None:
            return self._reverse.to_index(metadata)
        # The table only carries the schema (and the name SQL Server needs).
        table = Table(self.table_name or "_unknown_table", _metadata(metadata), schema=self.schema)
        return Index(self.index_name, _table=table, **self.kw)

    def reverse(self) -> CreateIndexOp:
        return self.remembered_reverse(
            self._reverse,
            "the index's columns are not known",
            "build it with DropIndexOp.from_index(index) to make it reversible",
        )

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("remove_index", self.to_index())

    def describe(self) -> str:
        return f"op.drop_index({_name(self.index_name)})"


# ---------------------------------------------------------------------------
# Constraints
# ---------------------------------------------------------------------------


@dataclass(eq=False)
class AddConstraintOp(Operation):
    """Base of the operations that add a constraint to an existing table.

    ``constraint_type`` is what :class:`DropConstraintOp` calls it
    (``"primary"``, ``"unique"``, ``"foreignkey"``, ``"check"``).
    """

    constraint_type = "constraint"

    def to_constraint(self, metadata: MetaData | None = None) -> Constraint:
        raise NotImplementedError

    @property
    def constraint_table(self) -> tuple[str, str | None]:
        """(table name, schema) of the table the constraint belongs to."""
        raise NotImplementedError

    def reverse(self) -> DropConstraintOp:
        table_name, schema = self.constraint_table
        name = getattr(self, "constraint_name", None)
        if name is None:
            # the name comes from the naming convention: ask the constraint for it
            constraint = self.to_constraint()
            name = constraint.name if isinstance(constraint.name, str) else None
        return DropConstraintOp(
            name, table_name, self.constraint_type, schema=schema, _reverse=self
        )

    def to_diff_tuple(self) -> tuple[Any, ...]:
        kind = "add_fk" if self.constraint_type == "foreignkey" else "add_constraint"
        return (kind, self.to_constraint())


@dataclass(eq=False)
class _ColumnListConstraintOp(AddConstraintOp):
    """A constraint over a list of the table's columns: primary keys and unique constraints."""

    constraint_class: ClassVar[type[Constraint]]

    constraint_name: str | None
    table_name: str
    columns: list[str]
    _: KW_ONLY
    schema: str | None = None
    kw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(  # type: ignore[override]
        cls,
        operations: Operations,
        constraint_name: str | None,
        table_name: str,
        columns: Sequence[str],
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> _ColumnListConstraintOp:
        return cls(constraint_name, table_name, list(columns), schema=schema, kw=kw)

    @classmethod
    def batch_build(  # type: ignore[override]
        cls,
        batch: BatchOperations,
        constraint_name: str | None,
        columns: Sequence[str],
        **kw: Any,
    ) -> _ColumnListConstraintOp:
        return cls(constraint_name, batch.table_name, list(columns), schema=batch.schema, kw=kw)

    @property
    def constraint_table(self) -> tuple[str, str | None]:
        return self.table_name, self.schema

    def to_constraint(self, metadata: MetaData | None = None) -> Constraint:
        table = _columns_table(_metadata(metadata), self.table_name, self.schema, self.columns)
        constraint = self.constraint_class(*self.columns, name=self.constraint_name, **self.kw)
        table.append_constraint(constraint)
        return constraint

    def describe(self) -> str:
        return f"op.{self.op_name}({_name(self.constraint_name)}, {_name(self.table_name)})"


@dataclass(eq=False)
class CreatePrimaryKeyOp(_ColumnListConstraintOp):
    """``op.create_primary_key(constraint_name, table_name, columns, *, schema=None)``."""

    op_name = "create_primary_key"
    constraint_type = "primary"
    constraint_class = PrimaryKeyConstraint


@dataclass(eq=False)
class CreateUniqueConstraintOp(_ColumnListConstraintOp):
    """``op.create_unique_constraint(constraint_name, table_name, columns, *, schema=None, **kw)``.

    ``kw``: ``deferrable``, ``initially``, dialect options.
    """

    op_name = "create_unique_constraint"
    constraint_type = "unique"
    constraint_class = UniqueConstraint


@dataclass(eq=False)
class CreateForeignKeyOp(AddConstraintOp):
    """``op.create_foreign_key(name, source_table, referent_table, local_cols, remote_cols, ...)``.

    Keywords: ``onupdate``, ``ondelete``, ``deferrable``, ``initially``,
    ``match``, ``source_schema``, ``referent_schema`` and dialect options.
    """

    op_name = "create_foreign_key"
    constraint_type = "foreignkey"

    constraint_name: str | None
    source_table: str
    referent_table: str
    local_cols: list[str]
    remote_cols: list[str]
    _: KW_ONLY
    source_schema: str | None = None
    referent_schema: str | None = None
    kw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(  # type: ignore[override]
        cls,
        operations: Operations,
        constraint_name: str | None,
        source_table: str,
        referent_table: str,
        local_cols: Sequence[str],
        remote_cols: Sequence[str],
        *,
        onupdate: str | None = None,
        ondelete: str | None = None,
        deferrable: bool | None = None,
        initially: str | None = None,
        match: str | None = None,
        source_schema: str | None = None,
        referent_schema: str | None = None,
        **dialect_kw: Any,
    ) -> CreateForeignKeyOp:
        if len(local_cols) != len(remote_cols):
            raise MighubError(
                f"op.create_foreign_key({constraint_name!r}, ...) has {len(local_cols)} "
                f"local and {len(remote_cols)} remote columns; they must pair up"
            )
        options = {
            "onupdate": onupdate,
            "ondelete": ondelete,
            "deferrable": deferrable,
            "initially": initially,
            "match": match,
        }
        kw = {k: v for k, v in options.items() if v is not None} | dialect_kw
        return cls(
            constraint_name,
            source_table,
            referent_table,
            list(local_cols),
            list(remote_cols),
            source_schema=source_schema,
            referent_schema=referent_schema,
            kw=kw,
        )

    @classmethod
    def batch_build(  # type: ignore[override]
        cls,
        batch: BatchOperations,
        constraint_name: str | None,
        referent_table: str,
        local_cols: Sequence[str],
        remote_cols: Sequence[str],
        *,
        referent_schema: str | None = None,
        **kw: Any,
    ) -> CreateForeignKeyOp:
        return cls.build(
            batch,
            constraint_name,
            batch.table_name,
            referent_table,
            local_cols,
            remote_cols,
            source_schema=batch.schema,
            referent_schema=referent_schema,
            **kw,
        )

    @property
    def constraint_table(self) -> tuple[str, str | None]:
        return self.source_table, self.source_schema

    def to_constraint(self, metadata: MetaData | None = None) -> Constraint:
        metadata = _metadata(metadata)
        referent = _columns_table(
            metadata, self.referent_table, self.referent_schema, self.remote_cols
        )
        source = _columns_table(metadata, self.source_table, self.source_schema, self.local_cols)
        fk = ForeignKeyConstraint(
            self.local_cols,
            [referent.c[c] for c in self.remote_cols],
            name=self.constraint_name,
            **self.kw,
        )
        source.append_constraint(fk)
        return fk

    def describe(self) -> str:
        return (
            f"op.create_foreign_key({_name(self.constraint_name)}, "
            f"{_name(self.source_table)}, {_name(self.referent_table)})"
        )


@dataclass(eq=False)
class CreateCheckConstraintOp(AddConstraintOp):
    """``op.create_check_constraint(constraint_name, table_name, condition, *, schema=None, **kw)``.

    ``condition`` is SQL: a string (taken as written), ``text()`` or an
    expression built on ``sqlalchemy.column()`` objects.
    """

    op_name = "create_check_constraint"
    constraint_type = "check"

    constraint_name: str | None
    table_name: str
    condition: Any
    _: KW_ONLY
    schema: str | None = None
    kw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(  # type: ignore[override]
        cls,
        operations: Operations,
        constraint_name: str | None,
        table_name: str,
        condition: Any,
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> CreateCheckConstraintOp:
        return cls(constraint_name, table_name, condition, schema=schema, kw=kw)

    @classmethod
    def batch_build(  # type: ignore[override]
        cls, batch: BatchOperations, constraint_name: str | None, condition: Any, **kw: Any
    ) -> CreateCheckConstraintOp:
        return cls(constraint_name, batch.table_name, condition, schema=batch.schema, kw=kw)

    @property
    def constraint_table(self) -> tuple[str, str | None]:
        return self.table_name, self.schema

    def to_constraint(self, metadata: MetaData | None = None) -> Constraint:
        table = _columns_table(_metadata(metadata), self.table_name, self.schema, [])
        condition = text(self.condition) if isinstance(self.condition, str) else self.condition
        ck = CheckConstraint(condition, name=self.constraint_name, **self.kw)
        table.append_constraint(ck)
        return ck

    def describe(self) -> str:
        return (
            f"op.create_check_constraint({_name(self.constraint_name)}, {_name(self.table_name)})"
        )


_CONSTRAINT_TYPES: dict[str | None, type[Constraint]] = {
    "primary": PrimaryKeyConstraint,
    "unique": UniqueConstraint,
    "foreignkey": ForeignKeyConstraint,
    "check": CheckConstraint,
    None: Constraint,
}


@dataclass(eq=False)
class DropConstraintOp(Operation):
    """``op.drop_constraint(constraint_name, table_name, type_=None, *, schema=None, ...)``.

    ``type_`` is ``"primary"``, ``"unique"``, ``"foreignkey"`` or ``"check"``;
    MySQL and MariaDB need it, because they drop each kind differently.
    """

    op_name = "drop_constraint"

    constraint_name: str
    table_name: str
    type_: str | None = None
    _: KW_ONLY
    schema: str | None = None
    if_exists: bool | None = None
    kw: dict[str, Any] = field(default_factory=dict)
    _reverse: AddConstraintOp | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.type_ not in _CONSTRAINT_TYPES:
            kinds = ", ".join(repr(k) for k in _CONSTRAINT_TYPES if k)
            raise MighubError(
                f"op.drop_constraint({self.constraint_name!r}, {self.table_name!r}) got "
                f"type_={self.type_!r}; expected one of {kinds}, or None"
            )

    @classmethod
    def build(  # type: ignore[override]
        cls,
        operations: Operations,
        constraint_name: str,
        table_name: str,
        type_: str | None = None,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> DropConstraintOp:
        if constraint_name is None:
            raise MighubError(
                f"op.drop_constraint(None, {table_name!r}) needs the constraint's name; "
                f"a naming convention cannot work it out without the columns"
            )
        return cls(constraint_name, table_name, type_, schema=schema, if_exists=if_exists, kw=kw)

    @classmethod
    def batch_build(  # type: ignore[override]
        cls, batch: BatchOperations, constraint_name: str, type_: str | None = None, **kw: Any
    ) -> DropConstraintOp:
        return cls.build(batch, constraint_name, batch.table_name, type_, schema=batch.schema, **kw)

    @classmethod
    def from_constraint(cls, constraint: Constraint) -> DropConstraintOp:
        """The operation that drops ``constraint`` (of a ``Table``) and can add it back."""
        add = _add_op_for(constraint)
        table_name, schema = add.constraint_table
        return cls(
            str(constraint.name), table_name, add.constraint_type, schema=schema, _reverse=add
        )

    def to_constraint(self, metadata: MetaData | None = None) -> Constraint:
        if self._reverse is not None:
            # Named exactly as the add operation names it: through the naming
            # convention when the add's name went through it (a ``ck`` convention
            # using %(constraint_name)s), as it is when the name is final.
            return self._reverse.to_constraint(metadata)
        table = Table(self.table_name, _metadata(metadata), schema=self.schema)
        kind = _CONSTRAINT_TYPES[self.type_]
        constraint: Constraint
        if kind is ForeignKeyConstraint:
            constraint = ForeignKeyConstraint([], [], name=self.constraint_name)
        elif kind is CheckConstraint:
            constraint = CheckConstraint(text(""), name=self.constraint_name)
        else:
            constraint = kind(name=self.constraint_name)
        table.append_constraint(constraint)
        return constraint

    def reverse(self) -> AddConstraintOp:
        return self.remembered_reverse(
            self._reverse,
            "the constraint's definition is not known",
            "build it with DropConstraintOp.from_constraint(constraint)",
        )

    def to_diff_tuple(self) -> tuple[Any, ...]:
        kind = "remove_fk" if self.type_ == "foreignkey" else "remove_constraint"
        return (kind, self.to_constraint())

    def describe(self) -> str:
        return f"op.drop_constraint({_name(self.constraint_name)}, {_name(self.table_name)})"


def _add_op_for(constraint: Constraint) -> AddConstraintOp:
    """The operation that adds ``constraint``, a constraint of a ``Table``, under its final name.

    The table already gave the constraint its name (the naming convention ran
    when it was attached), so the name is marked final: adding it back must
    not run it through the convention a second time.
    """
    table = constraint.table
    name = constraint.name
    if isinstance(name, str) and not isinstance(name, conv):
        name = conv(name)
    names = [c.name for c in getattr(constraint, "columns", [])]
    if isinstance(constraint, PrimaryKeyConstraint):
        return CreatePrimaryKeyOp(name, table.name, names, schema=table.schema)
    if isinstance(constraint, UniqueConstraint):
        return CreateUniqueConstraintOp(
            name, table.name, names, schema=table.schema, kw=_deferrable(constraint)
        )
    if isinstance(constraint, ForeignKeyConstraint):
        remote = [fk.column for fk in constraint.elements]
        kw = _deferrable(constraint)
        for key in ("onupdate", "ondelete", "match"):
            if getattr(constraint, key, None) is not None:
                kw[key] = getattr(constraint, key)
        return CreateForeignKeyOp(
            name,
            table.name,
            remote[0].table.name,
            names,
            [c.name for c in remote],
            source_schema=table.schema,
            referent_schema=remote[0].table.schema,
            kw=kw,
        )
    if isinstance(constraint, CheckConstraint):
        return CreateCheckConstraintOp(
            name,
            table.name,
            constraint.sqltext,
            schema=table.schema,
            kw=_deferrable(constraint),
        )
    raise MighubError(f"cannot make an operation for a {type(constraint).__name__}")


def _deferrable(constraint: Constraint) -> dict[str, Any]:
    return {
        key: getattr(constraint, key)
        for key in ("deferrable", "initially")
        if getattr(constraint, key, None) is not None
    }


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------


@dataclass(eq=False)
class BulkInsertOp(Operation):
    """``op.bulk_insert(table, rows, *, multiinsert=True)``.

    ``table`` is a ``Table`` or a lightweight ``sqlalchemy.table()``; ``rows``
    a list of dicts keyed by column name.
    """

    op_name = "bulk_insert"

    table: Any
    rows: list[dict[str, Any]]
    _: KW_ONLY
    multiinsert: bool = True

    def describe(self) -> str:
        return f"op.bulk_insert({_name(getattr(self.table, 'name', self.table))})"


@dataclass(eq=False)
class ExecuteSQLOp(Operation):
    """``op.execute(sqltext, *, execution_options=None)``.

    A string is SQL (through ``text()``, so a literal colon is ``\\:``);
    any SQLAlchemy executable works too, DDL or DML.
    """

    op_name = "execute"
    runs_user_sql = True

    sqltext: Any
    _: KW_ONLY
    execution_options: dict[str, Any] | None = None

    @classmethod
    def batch_build(  # type: ignore[override]
        cls, batch: BatchOperations, sqltext: Any, **kw: Any
    ) -> ExecuteSQLOp:
        return cls.build(batch, sqltext, **kw)


# ---------------------------------------------------------------------------
# Containers (autogenerate builds these; rewriters walk them)
# ---------------------------------------------------------------------------


class OpContainer(Operation):
    """An ordered list of operations, reversed as a whole."""

    def __init__(self, ops: Sequence[Operation] = ()) -> None:
        self.ops: list[Operation] = list(ops)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(ops={self.ops!r})"

    def is_empty(self) -> bool:
        return not self.ops

    def as_diffs(self) -> list[Any]:
        """Every operation's diff tuples, flattened, nested containers included."""
        out: list[Any] = []
        for op in self.ops:
            if isinstance(op, OpContainer):
                out.extend(op.as_diffs())
                continue
            diff = op.to_diff_tuple()
            out.extend(diff if isinstance(diff, list) else [diff])
        return out

    def reverse_ops(self) -> list[Operation]:
        """Each operation reversed, last first: what undoes the whole list."""
        return [op.reverse() for op in reversed(self.ops)]

    def reverse(self) -> OpContainer:
        return type(self)(self.reverse_ops())


class ModifyTableOps(OpContainer):
    """The operations that change one table, grouped the way autogenerate renders them."""

    def __init__(
        self, table_name: str, ops: Sequence[Operation] = (), *, schema: str | None = None
    ) -> None:
        super().__init__(ops)
        self.table_name = table_name
        self.schema = schema

    def __repr__(self) -> str:
        return f"ModifyTableOps({self.table_name!r}, ops={self.ops!r}, schema={self.schema!r})"

    def reverse(self) -> ModifyTableOps:
        return ModifyTableOps(self.table_name, self.reverse_ops(), schema=self.schema)


class UpgradeOps(OpContainer):
    """The operations of a revision's ``upgrade()``; ``upgrade_token`` names the template slot."""

    def __init__(self, ops: Sequence[Operation] = (), *, upgrade_token: str = "upgrades") -> None:
        super().__init__(ops)
        self.upgrade_token = upgrade_token

    def reverse(self) -> DowngradeOps:
        token = self.upgrade_token.replace("upgrade", "downgrade", 1)
        return DowngradeOps(self.reverse_ops(), downgrade_token=token)


class DowngradeOps(OpContainer):
    """The operations of a revision's ``downgrade()``."""

    def __init__(
        self, ops: Sequence[Operation] = (), *, downgrade_token: str = "downgrades"
    ) -> None:
        super().__init__(ops)
        self.downgrade_token = downgrade_token

    def reverse(self) -> UpgradeOps:
        token = self.downgrade_token.replace("downgrade", "upgrade", 1)
        return UpgradeOps(self.reverse_ops(), upgrade_token=token)
