"""PostgreSQL operations as data: exclusion constraints, enum types and sequences.

Each class is what one ``op.<name>(...)`` call builds, and knows what undoes
it (``reverse()``), like the core operations of :mod:`mighub.operations.ops`.
The plugin registers them (:mod:`mighub_postgresql.plugin`); running them is
:mod:`mighub_postgresql.implementations`' job.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.schema import Constraint, MetaData

from mighub.errors import MighubError
from mighub.operations.base import BatchOperations, IrreversibleOperationError, Operation
from mighub.operations.ops import AddConstraintOp, DropConstraintOp, _columns_table
from mighub_postgresql.constructs import SEQUENCE_OPTIONS

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import ExcludeConstraint

    from mighub.operations.base import Operations

__all__ = [
    "AddEnumValueOp",
    "AlterSequenceOp",
    "CreateEnumOp",
    "CreateExcludeConstraintOp",
    "CreateSequenceOp",
    "DropEnumOp",
    "DropEnumValueOp",
    "DropSequenceOp",
    "RenameEnumOp",
    "RenameEnumValueOp",
]

_SIMPLE_NAME = re.compile(r"^\w+$")


def _name(value: Any) -> str:
    return repr(str(value)) if value is not None else "None"


def _qualified(name: str, schema: str | None) -> str:
    return f"{schema}.{name}" if schema else name


# ---------------------------------------------------------------------------
# Exclusion constraints
# ---------------------------------------------------------------------------


@dataclass(eq=False)
class CreateExcludeConstraintOp(AddConstraintOp):
    """``op.create_exclude_constraint(name, table_name, *elements, where=None, using="gist", ...)``.

    ``elements`` are ``(expression, operator)`` pairs: a column name, a
    SQL string such as ``"tsrange(starts, ends)"`` or an expression, and
    the operator (``"="``, ``"&&"``). Keywords: ``where`` (a predicate, SQL
    string or expression), ``using`` (the index method), ``deferrable``,
    ``initially``, ``ops`` (operator classes by column), ``schema``.
    """

    op_name = "create_exclude_constraint"
    constraint_type = None  # type: ignore[assignment]  # DropConstraintOp's "any kind"

    constraint_name: str | None
    table_name: str
    elements: list[tuple[Any, str]]
    _: KW_ONLY
    schema: str | None = None
    kw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(  # type: ignore[override]
        cls,
        operations: Operations,
        constraint_name: str | None,
        table_name: str,
        *elements: tuple[Any, str],
        schema: str | None = None,
        **kw: Any,
    ) -> CreateExcludeConstraintOp:
        if not elements:
            raise MighubError(
                f"op.create_exclude_constraint({constraint_name!r}, {table_name!r}) needs at "
                f"least one (expression, operator) element"
            )
        for element in elements:
            if not (isinstance(element, (tuple, list)) and len(element) == 2):
                raise MighubError(
                    f"op.create_exclude_constraint({constraint_name!r}, {table_name!r}): "
                    f"each element is an (expression, operator) pair, not {element!r}"
                )
        return cls(constraint_name, table_name, [tuple(e) for e in elements], schema=schema, kw=kw)

    @classmethod
    def batch_build(  # type: ignore[override]
        cls,
        batch: BatchOperations,
        constraint_name: str | None,
        *elements: tuple[Any, str],
        **kw: Any,
    ) -> CreateExcludeConstraintOp:
        return cls.build(
            batch, constraint_name, batch.table_name, *elements, schema=batch.schema, **kw
        )

    @classmethod
    def from_constraint(cls, constraint: ExcludeConstraint) -> CreateExcludeConstraintOp:
        """The operation that creates ``constraint``, an exclusion constraint of a ``Table``."""
        table = constraint.table
        elements = [
            (expression.name if isinstance(expression, sa.Column) else expression, operator)
            for expression, _name_, operator in constraint._render_exprs  # type: ignore[attr-defined]
        ]
        kw: dict[str, Any] = {}
        if getattr(constraint, "where", None) is not None:
            kw["where"] = constraint.where
        for key in ("using", "deferrable", "initially"):
            value = getattr(constraint, key, None)
            if value is not None:
                kw[key] = value
        if constraint.ops:
            kw["ops"] = dict(constraint.ops)
        return cls(constraint.name, table.name, elements, schema=table.schema, kw=kw)

    @property
    def constraint_table(self) -> tuple[str, str | None]:
        return self.table_name, self.schema

    def to_constraint(self, metadata: MetaData | None = None) -> Constraint:
        names = [e for e, _ in self.elements if isinstance(e, str) and _SIMPLE_NAME.match(e)]
        table = _columns_table(
            metadata if metadata is not None else MetaData(), self.table_name, self.schema, names
        )
        elements = [
            (sa.text(e) if isinstance(e, str) and not _SIMPLE_NAME.match(e) else e, op)
            for e, op in self.elements
        ]
        kw = dict(self.kw)
        if isinstance(kw.get("where"), str):
            kw["where"] = sa.text(kw["where"])
        # Imported here: registering this plugin's operations (on every run that executes a
        # revision, whatever the database) must not load SQLAlchemy's PostgreSQL dialect.
        from sqlalchemy.dialects.postgresql import ExcludeConstraint

        constraint = ExcludeConstraint(*elements, name=self.constraint_name, **kw)
        table.append_constraint(constraint)
        return constraint

    def reverse(self) -> DropConstraintOp:
        if self.constraint_name is None:
            name = self.to_constraint().name
            if not isinstance(name, str):
                raise IrreversibleOperationError(
                    f"{self.describe()} cannot be reversed: the constraint has no name "
                    f"(give it one, or a naming convention for 'exclude')"
                )
        else:
            name = self.constraint_name
        return DropConstraintOp(name, self.table_name, None, schema=self.schema, _reverse=self)

    def describe(self) -> str:
        return (
            f"op.create_exclude_constraint({_name(self.constraint_name)}, {_name(self.table_name)})"
        )


# ---------------------------------------------------------------------------
# Enum types
# ---------------------------------------------------------------------------


@dataclass(eq=False)
class CreateEnumOp(Operation):
    """``op.create_enum(name, values, *, schema=None)``: ``CREATE TYPE name AS ENUM (...)``.

    A type created this way is the project's: dropping the last column that
    uses it leaves it in place (columns declare it with
    ``postgresql.ENUM(name=..., create_type=False)``, or with the same values).
    """

    op_name = "create_enum"

    name: str
    values: list[str]
    _: KW_ONLY
    schema: str | None = None

    @classmethod
    def build(  # type: ignore[override]
        cls, operations: Operations, name: str, values: Sequence[str], *, schema: str | None = None
    ) -> CreateEnumOp:
        if isinstance(values, str) or not values:
            raise MighubError(
                f"op.create_enum({name!r}, ...) takes a list of values, not {values!r}"
            )
        return cls(name, list(values), schema=schema)

    @classmethod
    def from_type(cls, enum: sa.Enum) -> CreateEnumOp:
        return cls(str(enum.name), list(enum.enums), schema=enum.schema)

    def reverse(self) -> DropEnumOp:
        return DropEnumOp(self.name, schema=self.schema, values=list(self.values))

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("add_enum", self.schema, self.name, tuple(self.values))

    def describe(self) -> str:
        return f"op.create_enum({_name(_qualified(self.name, self.schema))})"


@dataclass(eq=False)
class DropEnumOp(Operation):
    """``op.drop_enum(name, *, schema=None, if_exists=None, values=None)``: ``DROP TYPE``.

    ``values`` are the type's values, which ``reverse()`` needs to create it again.
    """

    op_name = "drop_enum"

    name: str
    _: KW_ONLY
    schema: str | None = None
    if_exists: bool | None = None
    values: list[str] | None = None

    @classmethod
    def build(  # type: ignore[override]
        cls,
        operations: Operations,
        name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        values: Sequence[str] | None = None,
    ) -> DropEnumOp:
        return cls(
            name,
            schema=schema,
            if_exists=if_exists,
            values=list(values) if values is not None else None,
        )

    def reverse(self) -> CreateEnumOp:
        if not self.values:
            raise IrreversibleOperationError(
                f"{self.describe()} cannot be reversed: pass values=[...] so the type "
                f"can be created again"
            )
        return CreateEnumOp(self.name, list(self.values), schema=self.schema)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("remove_enum", self.schema, self.name, tuple(self.values or ()))

    def describe(self) -> str:
        return f"op.drop_enum({_name(_qualified(self.name, self.schema))})"


@dataclass(eq=False)
class AddEnumValueOp(Operation):
    """``op.add_enum_value(name, value, *, schema=None, before=None, after=None, ...)``.

    ``ALTER TYPE name ADD VALUE [IF NOT EXISTS] 'v' [BEFORE | AFTER 'x']``. It
    runs inside the migration's transaction: PostgreSQL 12 and later allow
    that, and the new value becomes usable once the transaction commits (use
    it in a later revision, or add it inside
    ``op.get_context().autocommit_block()``). On older servers, which refuse
    it inside a transaction, mighub runs it in an autocommit block itself.
    """

    op_name = "add_enum_value"

    name: str
    value: str
    _: KW_ONLY
    schema: str | None = None
    before: str | None = None
    after: str | None = None
    if_not_exists: bool | None = None

    def __post_init__(self) -> None:
        if self.before is not None and self.after is not None:
            raise MighubError(f"{self.describe()}: give before= or after=, not both")

    def reverse(self) -> DropEnumValueOp:
        return DropEnumValueOp(
            self.name, self.value, schema=self.schema, before=self.before, after=self.after
        )

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("add_enum_value", self.schema, self.name, self.value)

    def describe(self) -> str:
        return f"op.add_enum_value({_name(_qualified(self.name, self.schema))}, {self.value!r})"


@dataclass(eq=False)
class DropEnumValueOp(Operation):
    """``op.drop_enum_value(name, value, *, schema=None, before=None, after=None)``.

    PostgreSQL cannot remove an enum value, so the type is recreated
    without it and every column that uses it converted (online only). A row
    that holds the value makes it fail. ``before``/``after`` say where the
    value stood, for ``reverse()``; without them it comes back last.
    """

    op_name = "drop_enum_value"

    name: str
    value: str
    _: KW_ONLY
    schema: str | None = None
    before: str | None = None
    after: str | None = None

    def reverse(self) -> AddEnumValueOp:
        return AddEnumValueOp(
            self.name, self.value, schema=self.schema, before=self.before, after=self.after
        )

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("remove_enum_value", self.schema, self.name, self.value)

    def describe(self) -> str:
        return f"op.drop_enum_value({_name(_qualified(self.name, self.schema))}, {self.value!r})"


@dataclass(eq=False)
class RenameEnumValueOp(Operation):
    """``op.rename_enum_value(name, old_value, new_value, *, schema=None)``.

    ``ALTER TYPE name RENAME VALUE``: rows holding the value follow the rename.
    """

    op_name = "rename_enum_value"

    name: str
    old_value: str
    new_value: str
    _: KW_ONLY
    schema: str | None = None

    def reverse(self) -> RenameEnumValueOp:
        return RenameEnumValueOp(self.name, self.new_value, self.old_value, schema=self.schema)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("rename_enum_value", self.schema, self.name, self.old_value, self.new_value)

    def describe(self) -> str:
        return (
            f"op.rename_enum_value({_name(_qualified(self.name, self.schema))}, "
            f"{self.old_value!r}, {self.new_value!r})"
        )


@dataclass(eq=False)
class RenameEnumOp(Operation):
    """``op.rename_enum(old_name, new_name, *, schema=None)``: the type stays in its schema."""

    op_name = "rename_enum"

    name: str
    new_name: str
    _: KW_ONLY
    schema: str | None = None

    def reverse(self) -> RenameEnumOp:
        return RenameEnumOp(self.new_name, self.name, schema=self.schema)

    def describe(self) -> str:
        return f"op.rename_enum({_name(_qualified(self.name, self.schema))}, {self.new_name!r})"


# ---------------------------------------------------------------------------
# Sequences
# ---------------------------------------------------------------------------

_CREATE_OPTIONS = ("start", "increment", "minvalue", "maxvalue", "cycle", "cache", "data_type")


@dataclass(eq=False)
class CreateSequenceOp(Operation):
    """``op.create_sequence(name, *, schema=None, if_not_exists=None, start=None, ...)``.

    Options as ``sqlalchemy.Sequence`` takes them: ``start``,
    ``increment``, ``minvalue``, ``maxvalue``, ``cycle``, ``cache``,
    ``data_type`` (``sa.SmallInteger``, ``sa.BigInteger``...).
    """

    op_name = "create_sequence"

    sequence_name: str
    _: KW_ONLY
    schema: str | None = None
    if_not_exists: bool | None = None
    options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(  # type: ignore[override]
        cls,
        operations: Operations,
        sequence_name: str,
        *,
        schema: str | None = None,
        if_not_exists: bool | None = None,
        start: int | None = None,
        increment: int | None = None,
        minvalue: int | None = None,
        maxvalue: int | None = None,
        cycle: bool | None = None,
        cache: int | None = None,
        data_type: Any = None,
    ) -> CreateSequenceOp:
        given = {
            "start": start,
            "increment": increment,
            "minvalue": minvalue,
            "maxvalue": maxvalue,
            "cycle": cycle,
            "cache": cache,
            "data_type": data_type,
        }
        options = {k: v for k, v in given.items() if v is not None}
        return cls(sequence_name, schema=schema, if_not_exists=if_not_exists, options=options)

    @classmethod
    def from_sequence(cls, sequence: sa.Sequence) -> CreateSequenceOp:
        options = {
            key: getattr(sequence, key)
            for key in _CREATE_OPTIONS
            if getattr(sequence, key, None) is not None
        }
        return cls(sequence.name, schema=sequence.schema, options=options)

    def to_sequence(self, metadata: MetaData | None = None) -> sa.Sequence:
        return sa.Sequence(self.sequence_name, schema=self.schema, **self.options)

    def reverse(self) -> DropSequenceOp:
        return DropSequenceOp(self.sequence_name, schema=self.schema, _reverse=self)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("add_sequence", self.to_sequence())

    def describe(self) -> str:
        return f"op.create_sequence({_name(_qualified(self.sequence_name, self.schema))})"


@dataclass(eq=False)
class DropSequenceOp(Operation):
    """``op.drop_sequence(name, *, schema=None, if_exists=None)``.

    Reversible when built with ``DropSequenceOp.from_sequence(sequence)`` or
    by reversing ``create_sequence``.
    """

    op_name = "drop_sequence"

    sequence_name: str
    _: KW_ONLY
    schema: str | None = None
    if_exists: bool | None = None
    _reverse: CreateSequenceOp | None = field(default=None, repr=False)

    @classmethod
    def from_sequence(cls, sequence: sa.Sequence) -> DropSequenceOp:
        create = CreateSequenceOp.from_sequence(sequence)
        return cls(sequence.name, schema=sequence.schema, _reverse=create)

    def to_sequence(self, metadata: MetaData | None = None) -> sa.Sequence:
        if self._reverse is not None:
            return self._reverse.to_sequence(metadata)
        return sa.Sequence(self.sequence_name, schema=self.schema)

    def reverse(self) -> CreateSequenceOp:
        return self.remembered_reverse(
            self._reverse,
            "the sequence's definition is not known",
            "build it with DropSequenceOp.from_sequence(sequence)",
        )

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("remove_sequence", self.to_sequence())

    def describe(self) -> str:
        return f"op.drop_sequence({_name(_qualified(self.sequence_name, self.schema))})"


@dataclass(eq=False)
class AlterSequenceOp(Operation):
    """``op.alter_sequence(name, *, schema=None, existing=None, **changes)``.

    ``changes``: ``increment``, ``minvalue``, ``maxvalue``, ``start``,
    ``restart``, ``cache``, ``cycle``, ``data_type``, ``owned_by``
    (``"table.column"``). ``None`` means the server's default (``NO
    MINVALUE``, ``NO CYCLE``, ``OWNED BY NONE``...). ``existing`` holds the
    values before the change, one per changed option, for ``reverse()``.
    """

    op_name = "alter_sequence"

    sequence_name: str
    _: KW_ONLY
    schema: str | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    existing: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(  # type: ignore[override]
        cls,
        operations: Operations,
        sequence_name: str,
        *,
        schema: str | None = None,
        existing: Mapping[str, Any] | None = None,
        **changes: Any,
    ) -> AlterSequenceOp:
        where = f"op.alter_sequence({sequence_name!r})"
        unknown = sorted((set(changes) | set(existing or {})) - set(SEQUENCE_OPTIONS))
        if unknown:
            raise MighubError(
                f"{where}: unknown option {', '.join(unknown)} "
                f"(options: {', '.join(SEQUENCE_OPTIONS)})"
            )
        if not changes:
            raise MighubError(f"{where} changes nothing; pass at least one option")
        return cls(sequence_name, schema=schema, changes=changes, existing=dict(existing or {}))

    def reverse(self) -> AlterSequenceOp:
        missing = sorted(set(self.changes) - set(self.existing))
        if missing:
            raise IrreversibleOperationError(
                f"{self.describe()} cannot be reversed: pass existing={{...}} with the "
                f"previous {', '.join(missing)}"
            )
        return AlterSequenceOp(
            self.sequence_name,
            schema=self.schema,
            changes={key: self.existing[key] for key in self.changes},
            existing={key: self.changes[key] for key in self.changes},
        )

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("modify_sequence", self.schema, self.sequence_name, self.existing, self.changes)

    def describe(self) -> str:
        return f"op.alter_sequence({_name(_qualified(self.sequence_name, self.schema))})"
