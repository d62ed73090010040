"""The new table, worked out from the old one's definition and the batch's operations.

:class:`TablePlan` starts from the table's ``CREATE TABLE`` text (split by
:mod:`mighub_sqlite_batch.sqltext`) and its indexes' ``CREATE INDEX`` texts,
applies each collected operation, and ends with what the move and copy needs:
the new ``CREATE TABLE``, the column list and ``SELECT`` expressions of the
copy, and the indexes to create. Whatever the batch does not touch stays as
the user wrote it.

Column renames are not applied here: the runner renames columns in place
first (``ALTER TABLE ... RENAME COLUMN``, which also rewrites the CHECKs,
indexes, triggers, views and other tables' foreign keys that mention the
column), so the plan starts from a table that already has the final names;
:func:`rename_plan` works out those renames from the operations.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Column, MetaData, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.schema import (
    Constraint,
    CreateColumn,
    CreateIndex,
    ForeignKeyConstraint,
    Index,
    PrimaryKeyConstraint,
    UniqueConstraint,
)

from mighub.ddl.impl import NOT_GIVEN
from mighub.errors import MighubError
from mighub.operations import Operation
from mighub.operations import ops as core
from mighub_sqlite_batch.sqltext import (
    Clause,
    ColumnDef,
    ConstraintDef,
    TableDef,
    names_in,
    parse_create_table,
    render_table,
    significant,
    tokenize,
)


class BatchError(MighubError):
    """A batch that cannot be carried out as asked; nothing was changed."""


@dataclass
class IndexDef:
    name: str
    sql: str
    unique: bool = False

    def mentions(self, table_columns: set[str]) -> set[str]:
        """The table's columns this index's definition names (key columns, expressions, WHERE)."""
        tokens = tokenize(self.sql)
        sig = significant(tokens)
        on = next((i for i, t in enumerate(sig) if t.keyword() == "on"), None)
        after = sig[on + 2 :] if on is not None else sig
        return {t.value.lower() for t in after if t.is_name} & table_columns


@dataclass
class PlannedColumn:
    definition: ColumnDef
    source: str | None
    """The column of the old table whose values it takes; ``None`` for a new column."""
    cast_to: str | None = None
    """The type to CAST the values to in the copy, when the type changes."""
    using: str | None = None
    """An SQL expression that computes the value instead (``postgresql_using``)."""

    @property
    def name(self) -> str:
        return self.definition.name


@dataclass
class RenamePlan:
    """Which columns of the old table end up under another name, in operation order."""

    renames: dict[str, str] = field(default_factory=dict)
    """Original name -> final name, for original columns that survive the batch renamed."""
    final_names: list[str] = field(default_factory=list)
    """The name each operation's column has once the renames are done, per operation."""


def rename_plan(operations: Sequence[Operation], columns: Sequence[str]) -> RenamePlan:
    """Follow the batch's column names through its renames, adds and drops.

    Each column's identity is its original name (or the add operation that
    made it); the result maps original names to final names, so the runner
    can rename in place before the copy.
    """
    current: dict[str, Any] = {c.lower(): c for c in columns}
    identities: list[Any] = []
    final: dict[Any, str] = {c: c for c in columns}
    for op in operations:
        if isinstance(op, core.AddColumnOp):
            identity = ("added", id(op))
            current[op.column.name.lower()] = identity
            final[identity] = op.column.name
            identities.append(identity)
        elif isinstance(op, (core.DropColumnOp, core.AlterColumnOp)):
            identity = current.get(op.column_name.lower())
            identities.append(identity)
            if isinstance(op, core.DropColumnOp):
                current.pop(op.column_name.lower(), None)
                final.pop(identity, None)
            elif op.modify_name and identity is not None:
                current.pop(op.column_name.lower())
                current[op.modify_name.lower()] = identity
                final[identity] = op.modify_name
        else:
            identities.append(None)
    plan = RenamePlan()
    for original in columns:
        new = final.get(original)
        if new is not None and new != original:
            plan.renames[original] = new
    for op, identity in zip(operations, identities, strict=True):
        name = final.get(identity) if identity is not None else None
        if name is None and isinstance(op, (core.DropColumnOp, core.AlterColumnOp)):
            name = identity if isinstance(identity, str) else op.column_name
        plan.final_names.append(name or "")
    return plan


class TablePlan:
    """The new table's definition, built by applying operations to the old one's."""

    def __init__(
        self,
        create_sql: str,
        index_sqls: Sequence[tuple[str, str]],
        *,
        dialect: Dialect,
        metadata: Callable[[], MetaData],
        naming_convention: dict[str, str] | None = None,
    ) -> None:
        self.dialect = dialect
        self._metadata = metadata
        self.naming_convention = naming_convention
        self.old = parse_create_table(create_sql)
        self.table: TableDef = copy.deepcopy(self.old)
        self.name = self.old.name
        self.new_name = self.old.name
        self.columns = [PlannedColumn(c, c.name) for c in self.table.columns]
        self.indexes = [
            IndexDef(name, sql, "unique" in sql.lower().split("index")[0])
            for name, sql in index_sqls
        ]
        self.dropped_columns: set[str] = set()
        self.deferred: list[Operation] = []
        """Operations that run as they are once the table is recreated (``execute``, and
        other plugins' operations)."""
        self.changed = False

    # -- names ---------------------------------------------------------------

    def quote(self, name: str) -> str:
        return self.dialect.identifier_preparer.quote(name)

    def _column(self, name: str) -> PlannedColumn:
        lowered = name.lower()
        for column in self.columns:
            if column.name.lower() == lowered:
                return column
        names = ", ".join(c.name for c in self.columns)
        raise BatchError(f"table {self.name!r} has no column {name!r} (its columns: {names})")

    def column_names(self) -> set[str]:
        return {c.name.lower() for c in self.columns}

    # -- applying operations -------------------------------------------------

    def apply(self, op: Operation, column_name: str = "") -> None:
        """Apply one operation; ``column_name`` is its column's name after the renames."""
        handler = _HANDLERS.get(type(op))
        if handler is None:
            for cls, function in _HANDLERS.items():
                if isinstance(op, cls):
                    handler = function
                    break
        if handler is None:
            # Another plugin's operation (op.create_view, op.grant_select...): the batch
            # cannot know what it does to the table, so it runs as it would outside a
            # batch, on the recreated table.
            self.deferred.append(op)
            return
        handler(self, op, column_name)
        self.changed = True

    def add_column(self, op: core.AddColumnOp, name: str) -> None:
        if op.column.name.lower() in self.column_names():
            raise BatchError(f"table {self.name!r} already has a column {op.column.name!r}")
        column = op.column._copy() if op.column.table is not None else op.column
        table = Table(self.name, self._metadata(), column)
        text = str(CreateColumn(column).compile(dialect=self.dialect)).strip()
        definition = parse_create_table(f"CREATE TABLE t ({text})").columns[0]
        definition.original = None
        definition.name = column.name
        planned = PlannedColumn(definition, None)
        self._place(planned, op.kw.get("insert_before"), op.kw.get("insert_after"))
        for constraint in table.constraints:
            if isinstance(constraint, PrimaryKeyConstraint) and not constraint.columns:
                continue
            self._add_constraint(constraint)
        for index in table.indexes:
            self._add_index(index)

    def drop_column(self, op: core.DropColumnOp, name: str) -> None:
        column = self._column(name)
        self.columns.remove(column)
        self.dropped_columns.add(column.name.lower())
        self._cascade_drop(column.name)

    def alter_column(self, op: core.AlterColumnOp, name: str) -> None:
        column = self._column(name)
        definition = column.definition
        if op.modify_comment is not NOT_GIVEN:
            self.deferred.append(
                core.AlterColumnOp(
                    self.new_name,
                    column.name,
                    schema=op.schema,
                    modify_comment=op.modify_comment,
                    existing_comment=op.existing_comment,
                    existing_type=op.modify_type or op.existing_type,
                    existing_nullable=op.modify_nullable
                    if op.modify_nullable is not None
                    else op.existing_nullable,
                )
            )
        if op.modify_type is not None:
            new_type = self.dialect.type_compiler_instance.process(op.modify_type)
            old_type = definition.type_text
            definition.type_text = new_type
            definition.original = None
            using = op.kw.get("postgresql_using")
            if using is not None:
                column.using = str(using)
            elif self.needs_cast(old_type, new_type) and column.source is not None:
                column.cast_to = new_type
        if op.modify_nullable is not None:
            definition.clauses = [
                c for c in definition.clauses if c.kind not in ("notnull", "null")
            ]
            if not op.modify_nullable:
                definition.clauses.insert(0, Clause("notnull", "NOT NULL"))
            definition.original = None
        if op.modify_server_default is not NOT_GIVEN:
            definition.clauses = [c for c in definition.clauses if c.kind != "default"]
            if op.modify_server_default is not None:
                default = self._default_text(op.modify_server_default, op.modify_type)
                definition.clauses.append(Clause("default", f"DEFAULT {default}"))
            definition.original = None
        before, after = op.kw.get("insert_before"), op.kw.get("insert_after")
        if before is not None or after is not None:
            self.columns.remove(column)
            self._place(column, before, after)

    def needs_cast(self, old_type: str, new_type: str) -> bool:
        """Whether the copy converts values: when the type changes (in SQLite, its affinity)."""
        if old_type.strip().lower() == new_type.strip().lower():
            return False
        if self.dialect.name != "sqlite":
            return True
        if "JSON" in new_type.upper():
            return False  # a CAST would turn JSON text into a number
        return sqlite_affinity(old_type) != sqlite_affinity(new_type)

    def _default_text(self, default: Any, type_: Any) -> str:
        from sqlalchemy.types import NullType

        column = Column("x", type_ if type_ is not None else NullType(), server_default=default)
        Table("t", MetaData(), column)
        compiler = self.dialect.ddl_compiler(self.dialect, None)
        text = compiler.get_column_default_string(column)
        if text is None:
            raise BatchError(f"cannot write the server default {default!r} for {self.dialect.name}")
        return str(text)

    def create_index(self, op: core.CreateIndexOp, name: str) -> None:
        self._add_index(op.to_index(self._metadata()))

    def drop_index(self, op: core.DropIndexOp, name: str) -> None:
        index = next((i for i in self.indexes if i.name.lower() == op.index_name.lower()), None)
        if index is None:
            names = ", ".join(i.name for i in self.indexes) or "none"
            raise BatchError(
                f"table {self.name!r} has no index {op.index_name!r} (its indexes: {names})"
            )
        self.indexes.remove(index)

    def add_constraint(self, op: core.AddConstraintOp, name: str) -> None:
        constraint = op.to_constraint(self._metadata())
        if isinstance(constraint, PrimaryKeyConstraint):
            self._drop_primary_key()
        self._add_constraint(constraint)

    def drop_constraint(self, op: core.DropConstraintOp, name: str) -> None:
        wanted = op.constraint_name.lower()
        for constraint in list(self.table.constraints):
            if (constraint.name or self._conventional_name(constraint) or "").lower() == wanted:
                self._check_kind(op, constraint.kind)
                self.table.constraints.remove(constraint)
                return
        for column in self.columns:
            for clause in list(column.definition.clauses):
                if clause.name and clause.name.lower() == wanted:
                    kind = "foreignkey" if clause.kind == "references" else clause.kind
                    self._check_kind(op, kind)
                    column.definition.clauses.remove(clause)
                    column.definition.original = None
                    return
        names = sorted(
            {c.name or self._conventional_name(c) or "" for c in self.table.constraints}
            | {k.name for c in self.columns for k in c.definition.clauses if k.name}
        )
        listed = ", ".join(n for n in names if n) or "none with a name"
        raise BatchError(
            f"table {self.name!r} has no constraint named {op.constraint_name!r} "
            f"(its named constraints: {listed}); an unnamed constraint can be dropped by "
            f"the name naming_convention= gives it"
        )

    def rename_table(self, op: core.RenameTableOp, name: str) -> None:
        self.new_name = op.new_table_name

    def defer(self, op: Operation, name: str) -> None:
        self.deferred.append(op)

    # -- helpers -------------------------------------------------------------

    def _check_kind(self, op: core.DropConstraintOp, kind: str) -> None:
        if op.type_ is not None and op.type_ != kind:
            raise BatchError(
                f"constraint {op.constraint_name!r} of table {self.name!r} is a {kind} "
                f"constraint, not {op.type_!r}"
            )

    def _conventional_name(self, constraint: ConstraintDef) -> str | None:
        """The name ``naming_convention`` gives an unnamed unique or foreign key constraint."""
        if constraint.name or not self.naming_convention or not constraint.columns:
            return None
        metadata = MetaData(naming_convention=self.naming_convention)
        table = Table(self.name, metadata, *[Column(c) for c in constraint.columns])
        built: Constraint
        if constraint.kind == "unique":
            built = UniqueConstraint(*constraint.columns)
        elif constraint.kind == "foreignkey" and constraint.referred_table:
            Table(constraint.referred_table, metadata, Column("id"))
            built = ForeignKeyConstraint(
                constraint.columns, [f"{constraint.referred_table}.id"] * len(constraint.columns)
            )
        elif constraint.kind == "primary":
            built = PrimaryKeyConstraint(*constraint.columns)
        else:
            return None
        try:
            table.append_constraint(built)
        except Exception:  # a convention that needs tokens this constraint lacks
            return None
        return str(built.name) if built.name is not None else None

    def _place(self, column: PlannedColumn, before: str | None, after: str | None) -> None:
        if before is not None:
            self.columns.insert(self.columns.index(self._column(before)), column)
        elif after is not None:
            self.columns.insert(self.columns.index(self._column(after)) + 1, column)
        else:
            self.columns.append(column)

    def _compile_constraint(self, constraint: Constraint) -> str:
        rule = getattr(constraint, "_create_rule", None)
        if rule is not None and not rule(SimpleNamespace(dialect=self.dialect)):
            return ""
        compiler = self.dialect.ddl_compiler(self.dialect, None)
        return str(compiler.process(constraint)).strip()

    def _add_constraint(self, constraint: Constraint) -> None:
        text = self._compile_constraint(constraint)
        if not text:
            return
        parsed = parse_create_table(f"CREATE TABLE t ({text})").constraints[0]
        if isinstance(constraint, ForeignKeyConstraint):
            parsed.referred_table = constraint.elements[0].column.table.name
        self.table.constraints.append(parsed)

    def _add_index(self, index: Index) -> None:
        if index.name is None:
            raise BatchError(
                f"an index on table {self.name!r} needs a name (or a naming convention)"
            )
        sql = str(CreateIndex(index).compile(dialect=self.dialect)).strip()
        self.indexes.append(IndexDef(str(index.name), sql, bool(index.unique)))

    def _drop_primary_key(self) -> None:
        self.table.constraints = [c for c in self.table.constraints if c.kind != "primary"]
        for column in self.columns:
            before = len(column.definition.clauses)
            column.definition.clauses = [
                c for c in column.definition.clauses if c.kind != "primary"
            ]
            if len(column.definition.clauses) != before:
                column.definition.original = None

    def _cascade_drop(self, dropped: str) -> None:
        """Take out what only concerns the dropped column; refuse what concerns others too."""
        lowered = dropped.lower()
        remaining = self.column_names()
        everything = remaining | self.dropped_columns
        for constraint in list(self.table.constraints):
            named = {c.lower() for c in constraint.columns} or (
                names_in(constraint.text) & everything
            )
            if lowered not in named:
                continue
            if named <= self.dropped_columns:
                self.table.constraints.remove(constraint)
            else:
                raise BatchError(
                    f"dropping column {dropped!r} of table {self.name!r} would break "
                    f"{_describe_constraint(constraint)}, which also uses "
                    f"{', '.join(sorted(named - self.dropped_columns))}; drop that constraint "
                    f"in the batch first"
                )
        for column in self.columns:
            for clause in column.definition.clauses:
                if clause.kind in ("check", "generated") and lowered in names_in(clause.text):
                    raise BatchError(
                        f"dropping column {dropped!r} of table {self.name!r} would break "
                        f"column {column.name!r}: {clause.text}"
                    )
        for index in list(self.indexes):
            named = index.mentions(everything)
            if lowered not in named:
                continue
            if named <= self.dropped_columns:
                self.indexes.remove(index)
            else:
                raise BatchError(
                    f"dropping column {dropped!r} of table {self.name!r} would break index "
                    f"{index.name!r}, which also uses "
                    f"{', '.join(sorted(named - self.dropped_columns))}; drop the index in "
                    f"the batch first"
                )

    # -- results -------------------------------------------------------------

    def reorder(self, partial_reordering: Sequence[Sequence[str]]) -> None:
        """Put each tuple's columns in its order, in the places those columns take now."""
        for order in partial_reordering:
            chosen = [self._column(name) for name in order]
            slots = sorted(self.columns.index(c) for c in chosen)
            for slot, column in zip(slots, chosen, strict=True):
                self.columns[slot] = column
        self.changed = True

    def create_sql(
        self, name: str, *, retarget_self: str | None = None, quoted: bool = False
    ) -> str:
        """The new table's ``CREATE TABLE`` under ``name`` (already quoted when ``quoted``).

        ``retarget_self`` names the table that self-referencing foreign keys
        point at while the new table has its temporary name.
        """
        table = copy.copy(self.table)
        table.columns = [c.definition for c in self.columns]
        if retarget_self is not None:
            table.columns = [
                _retarget_column(c, self.name, retarget_self, self.quote) for c in table.columns
            ]
            table.constraints = [
                _retarget_constraint(c, self.name, retarget_self, self.quote)
                for c in table.constraints
            ]
        return render_table(table, name, self.quote, quoted=quoted)

    def copy_columns(self) -> list[tuple[str, str]]:
        """(column of the new table, SQL of its value) for each column the copy fills."""
        out = []
        for column in self.columns:
            if column.definition.has("generated"):
                continue
            if column.using is not None:
                out.append((column.name, column.using))
            elif column.source is None:
                continue
            elif column.cast_to is not None:
                out.append((column.name, f"CAST({self.quote(column.source)} AS {column.cast_to})"))
            else:
                out.append((column.name, self.quote(column.source)))
        return out

    def self_referencing(self) -> bool:
        name = self.name.lower()
        if any(
            c.kind == "foreignkey" and (c.referred_table or "").lower() == name
            for c in self.table.constraints
        ):
            return True
        return any(
            k.kind == "references" and _referred(k.text) == name
            for c in self.columns
            for k in c.definition.clauses
        )


def sqlite_affinity(type_text: str) -> str:
    """SQLite's type affinity of a declared type (the rules of its datatype page, in order)."""
    declared = type_text.upper()
    if "INT" in declared:
        return "INTEGER"
    if any(word in declared for word in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if "BLOB" in declared or not declared.strip():
        return "BLOB"
    if any(word in declared for word in ("REAL", "FLOA", "DOUB")):
        return "REAL"
    return "NUMERIC"


def _describe_constraint(constraint: ConstraintDef) -> str:
    kind = {"foreignkey": "foreign key", "primary": "primary key"}.get(
        constraint.kind, constraint.kind
    )
    if constraint.name:
        return f"{kind} constraint {constraint.name!r}"
    return f"the unnamed {kind} constraint {constraint.text}"


def _referred(text: str) -> str:
    sig = significant(tokenize(text))
    for i, token in enumerate(sig):
        if token.keyword() == "references" and i + 1 < len(sig):
            return sig[i + 1].value.lower()
    return ""


def _retarget(text: str, old: str, new: str, quote: Callable[[str], str]) -> str:
    out = []
    after_references = False
    for token in tokenize(text):
        if after_references and token.is_name:
            out.append(quote(new) if token.value.lower() == old.lower() else token.text)
            after_references = False
            continue
        if token.kind != "ws":
            after_references = token.keyword() == "references"
        out.append(token.text)
    return "".join(out)


def _retarget_column(
    column: ColumnDef, old: str, new: str, quote: Callable[[str], str]
) -> ColumnDef:
    if not any(k.kind == "references" and _referred(k.text) == old.lower() for k in column.clauses):
        return column
    changed = copy.deepcopy(column)
    changed.original = None
    for clause in changed.clauses:
        if clause.kind == "references":
            clause.text = _retarget(clause.text, old, new, quote)
    return changed


def _retarget_constraint(
    constraint: ConstraintDef, old: str, new: str, quote: Callable[[str], str]
) -> ConstraintDef:
    if constraint.kind != "foreignkey" or (constraint.referred_table or "").lower() != old.lower():
        return constraint
    changed = copy.copy(constraint)
    changed.text = _retarget(constraint.text, old, new, quote)
    return changed


_HANDLERS: dict[type, Callable[[TablePlan, Any, str], None]] = {
    core.AddColumnOp: TablePlan.add_column,
    core.DropColumnOp: TablePlan.drop_column,
    core.AlterColumnOp: TablePlan.alter_column,
    core.CreateIndexOp: TablePlan.create_index,
    core.DropIndexOp: TablePlan.drop_index,
    core.AddConstraintOp: TablePlan.add_constraint,
    core.DropConstraintOp: TablePlan.drop_constraint,
    core.RenameTableOp: TablePlan.rename_table,
    core.ExecuteSQLOp: TablePlan.defer,
    core.CreateTableCommentOp: TablePlan.defer,
    core.DropTableCommentOp: TablePlan.defer,
}


def is_modelled(op: Operation) -> bool:
    """Whether the batch knows what ``op`` does to a table (a core table change).

    Other plugins' operations are not modelled: they never make a batch
    recreate its table, and when it is recreated for other reasons they run
    afterwards, as they would outside a batch.
    """
    return any(isinstance(op, cls) for cls in _HANDLERS)
