"""What every move and copy shares: planning the new table and running statements.

A runner for one kind of database subclasses :class:`MoveAndCopyRunner` and
says how to read the table's definition, rename columns in place, and carry
out the move; this module turns the collected operations into a
:class:`~mighub_sqlite_batch.model.TablePlan`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, MetaData, Table
from sqlalchemy.schema import Constraint, CreateColumn, CreateIndex, CreateTable

from mighub.operations import Operation, Operations
from mighub_sqlite_batch.model import BatchError, RenamePlan, TablePlan, rename_plan
from mighub_sqlite_batch.sqltext import parse_create_table, rename_identifiers

if TYPE_CHECKING:
    from mighub_sqlite_batch.strategy import BatchOptions


class MoveAndCopyRunner:
    """Recreates one table with the batch's changes; subclasses know their database."""

    def __init__(self, operations: Operations, table_name: str, options: BatchOptions) -> None:
        self.operations = operations
        self.impl = operations.impl
        self.dialect = operations.impl.dialect
        self.table_name = table_name
        self.options = options
        self.schema = options.schema

    # -- statements ------------------------------------------------------------

    def quote(self, name: str) -> str:
        return str(self.dialect.identifier_preparer.quote(name))

    def qualified(self, name: str) -> str:
        if self.schema:
            return f"{self.quote(self.schema)}.{self.quote(name)}"
        return self.quote(name)

    def run_sql(self, sql: str) -> None:
        """Execute a statement as written (online), or write it to the script (offline)."""
        if self.impl.as_sql:
            self.impl.static_output(sql.strip() + self.impl.statement_terminator)
            return
        if self.dialect.paramstyle in ("format", "pyformat"):
            sql = sql.replace("%", "%%")  # the driver formats even a statement without parameters
        self.impl.connection.exec_driver_sql(sql)

    def query(self, sql: str, params: Any = ()) -> list[Any]:
        return list(self.impl.connection.exec_driver_sql(sql, params).fetchall())

    # -- planning ----------------------------------------------------------------

    def renames(self, ops: Sequence[Operation], columns: Sequence[str]) -> RenamePlan:
        return rename_plan(ops, columns)

    def rename_steps(
        self, renames: dict[str, str], columns: Sequence[str]
    ) -> list[tuple[str, str]]:
        """In-place renames, through temporary names when a new name is still taken."""
        taken = {c.lower() for c in columns}
        direct = all(new.lower() not in taken for new in renames.values())
        if direct:
            return list(renames.items())
        steps = [(old, f"_mighub_rn_{i}") for i, old in enumerate(renames)]
        steps += [(f"_mighub_rn_{i}", new) for i, new in enumerate(renames.values())]
        return steps

    def plan(
        self,
        create_sql: str,
        index_sqls: Sequence[tuple[str, str]],
        ops: Sequence[Operation],
        names: RenamePlan,
    ) -> TablePlan:
        plan = TablePlan(
            create_sql,
            index_sqls,
            dialect=self.dialect,
            metadata=self.operations.metadata,
            naming_convention=self.options.naming_convention,
        )
        self._reflect_args(plan, names)
        for op, name in zip(ops, names.final_names, strict=True):
            plan.apply(op, name)
        for item in self.options.table_args:
            if not isinstance(item, Constraint):
                raise BatchError(
                    f"op.batch_alter_table({self.table_name!r}): table_args takes constraints "
                    f"(CheckConstraint, UniqueConstraint...), not {type(item).__name__}"
                )
            Table(
                plan.name,
                self.operations.metadata(),
                *[Column(c) for c in _constraint_columns(item)],
                item,
            )
            plan._add_constraint(item)
        if self.options.partial_reordering:
            plan.reorder(self.options.partial_reordering)
        return plan

    def _reflect_args(self, plan: TablePlan, names: RenamePlan) -> None:
        """A ``Column`` in ``reflect_args`` restates that column's definition."""
        for item in self.options.reflect_args:
            if not isinstance(item, Column):
                continue
            name = names.renames.get(item.name, item.name)
            planned = plan._column(name)
            column = item._copy()
            column.name = column.key = planned.name
            Table(plan.name, MetaData(), column)
            text = str(CreateColumn(column).compile(dialect=self.dialect)).strip()
            definition = parse_create_table(f"CREATE TABLE t ({text})").columns[0]
            definition.original = None
            definition.name = planned.name
            planned.definition = definition

    def create_temporary(self, plan: TablePlan, temporary: str) -> None:
        """The new table, under its temporary name; self-references point at itself."""
        sql = plan.create_sql(self.qualified(temporary), retarget_self=temporary, quoted=True)
        self.run_sql(sql)

    def copy_rows(
        self, plan: TablePlan, name: str, temporary: str, *, overriding: str = ""
    ) -> None:
        """One ``INSERT ... SELECT``: the rows never pass through Python."""
        pairs = plan.copy_columns()
        if not pairs:
            return
        targets = ", ".join(self.quote(c) for c, _ in pairs)
        values = ", ".join(v for _, v in pairs)
        self.run_sql(
            f"INSERT INTO {self.qualified(temporary)} ({targets}) {overriding}"
            f"SELECT {values} FROM {self.qualified(name)}"
        )

    # -- offline -----------------------------------------------------------------

    def run_offline(self, ops: list[Operation]) -> None:
        """The same statements, from ``copy_from`` instead of the database."""
        source = self.options.copy_from
        name = source.name
        create_sql = str(CreateTable(source).compile(dialect=self.dialect)).strip()
        index_sqls = [
            (str(index.name), str(CreateIndex(index).compile(dialect=self.dialect)).strip())
            for index in source.indexes
        ]
        columns = [c.name for c in source.columns]
        names = self.renames(ops, columns)
        for old, new in self.rename_steps(names.renames, columns):
            self.run_sql(
                f"ALTER TABLE {self.qualified(name)} RENAME COLUMN {self.quote(old)} "
                f"TO {self.quote(new)}"
            )
        if names.renames:
            mapping = {old.lower(): new for old, new in names.renames.items()}
            create_sql = rename_identifiers(create_sql, mapping, self.quote)
            index_sqls = [(n, rename_identifiers(s, mapping, self.quote)) for n, s in index_sqls]
        plan = self.plan(create_sql, index_sqls, ops, names)
        self.impl.static_output(
            f"-- batch: recreating table {name} from copy_from; triggers and views that "
            f"depend on it are not known offline and are not recreated"
        )
        temporary = f"_mighub_tmp_{name}"
        self.create_temporary(plan, temporary)
        self.copy_rows(plan, name, temporary)
        self.run_sql(f"DROP TABLE {self.qualified(name)}")
        self.run_sql(f"ALTER TABLE {self.qualified(temporary)} RENAME TO {self.quote(name)}")
        for index in plan.indexes:
            self.run_sql(index.sql)
        if plan.new_name != name:
            self.run_sql(
                f"ALTER TABLE {self.qualified(name)} RENAME TO {self.quote(plan.new_name)}"
            )
        for op in plan.deferred:
            self.operations.invoke(op)


def _constraint_columns(constraint: Constraint) -> list[str]:
    names = getattr(constraint, "_pending_colargs", None) or []
    return [n for n in names if isinstance(n, str)]
