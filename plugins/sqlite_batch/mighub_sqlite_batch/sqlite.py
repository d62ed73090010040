"""The move and copy on SQLite, following SQLite's own procedure for schema changes.

Online, inside one savepoint (so a failure leaves the table as it was, even
outside mighub's run transaction):

1. rename columns in place (``ALTER TABLE ... RENAME COLUMN``): SQLite then
   rewrites every CHECK, index, trigger, view and other table's foreign key
   that names the column, which no text substitution could do safely;
2. read the table's ``CREATE TABLE`` text, its indexes and triggers, and the
   views and triggers elsewhere that mention it, from ``sqlite_master``;
3. apply the batch's operations to that text (:mod:`mighub_sqlite_batch.model`);
4. drop the views and other tables' triggers that mention the table (SQLite
   checks them when a table is renamed), create the new table under a
   temporary name, copy every row with one ``INSERT ... SELECT`` (the
   ``rowid`` too), drop the old table, rename the new one;
5. recreate indexes, triggers and views, then prove they still work (a view
   is selected from, a trigger compiled by a statement that touches no row);
6. run ``PRAGMA foreign_key_check`` on the table and on every table that
   refers to it, and fail on any violation that was not there before.

Foreign key enforcement. SQLite's procedure starts with ``PRAGMA
foreign_keys=OFF``, but that pragma does nothing inside a transaction, and
mighub runs each migration in one. With enforcement on, dropping the old
table would run the ``ON DELETE`` actions of the tables that refer to it
(deleting their rows for ``CASCADE``), and SQLite's deferred-key mode
(``PRAGMA defer_foreign_keys``) does not stop actions. So when enforcement
is on and other tables refer to the table, the batch refuses with an error
that says how to run migrations with enforcement off; with enforcement off
(SQLite's default) those foreign keys survive untouched, and step 6 checks
them before the batch ends. A table that only refers to itself, or to other
tables, is recreated with enforcement on or off.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import DBAPIError

from mighub.operations import Operation
from mighub.operations import ops as core
from mighub_sqlite_batch.model import BatchError, TablePlan
from mighub_sqlite_batch.runner import MoveAndCopyRunner
from mighub_sqlite_batch.sqltext import names_in, parse_create_table


@dataclass
class SchemaObject:
    type: str
    name: str
    table: str
    sql: str


class SQLiteMoveAndCopy(MoveAndCopyRunner):
    def run(self, ops: list[Operation]) -> None:
        if not self.dialect.supports_comments and any(_is_comment(op) for op in ops):
            raise BatchError(
                f"SQLite does not store comments, so the comment changes in "
                f"op.batch_alter_table({self.table_name!r}) cannot run on it; leave them out "
                f"for SQLite"
            )
        if self.impl.as_sql:
            self.run_offline(ops)
            return
        connection = self.impl.connection
        legacy = self.query("PRAGMA legacy_alter_table")[0][0]
        if legacy:
            connection.exec_driver_sql("PRAGMA legacy_alter_table = OFF")
        try:
            with connection.begin_nested():
                self.run_online(ops)
        finally:
            if legacy:
                connection.exec_driver_sql("PRAGMA legacy_alter_table = ON")

    # -- online ----------------------------------------------------------------

    @property
    def prefix(self) -> str:
        """``"schema".`` for a table of an attached database, else nothing."""
        return f"{self.quote(self.schema)}." if self.schema else ""

    @property
    def master(self) -> str:
        return f"{self.quote(self.schema)}.sqlite_master" if self.schema else "sqlite_master"

    def table_sql(self, name: str) -> str:
        rows = self.query(
            f"SELECT sql FROM {self.master} WHERE type = 'table' AND name = ? COLLATE NOCASE",
            (name,),
        )
        if not rows:
            where = f" in schema {self.schema!r}" if self.schema else ""
            raise BatchError(f"op.batch_alter_table: there is no table {name!r}{where}")
        return str(rows[0][0])

    def run_online(self, ops: list[Operation]) -> None:
        name = parse_create_table(self.table_sql(self.table_name)).name
        columns = [c.name for c in parse_create_table(self.table_sql(name)).columns]
        names = self.renames(ops, columns)
        if names.renames and sqlite3.sqlite_version_info < (3, 25, 0):
            raise BatchError(
                f"renaming columns in a batch needs SQLite 3.25 or later; this is "
                f"{sqlite3.sqlite_version}"
            )
        for old, new in self.rename_steps(names.renames, columns):
            self.run_sql(
                f"ALTER TABLE {self.qualified(name)} RENAME COLUMN {self.quote(old)} "
                f"TO {self.quote(new)}"
            )

        schema = self.schema_objects()
        indexes = [(o.name, o.sql) for o in schema if o.type == "index" and _same(o.table, name)]
        triggers = [o for o in schema if o.type == "trigger" and _same(o.table, name)]
        dependents = _dependents(schema, name)
        plan = self.plan(self.table_sql(name), indexes, ops, names)

        enforced = bool(self.query("PRAGMA foreign_keys")[0][0])
        referring = self.referring_tables(name)
        self.check_referring(plan, referring, enforced)
        checked = [name, *sorted({t for t, _ in referring})]
        if not referring and not _has_references(plan):
            checked = []
        before = self.violations(checked)

        for obj in reversed(dependents):
            self.run_sql(f"DROP {obj.type.upper()} {self.qualified(obj.name)}")
        sequence = self.sequence(name)
        temporary = self.temporary_name(name)
        self.create_temporary(plan, temporary)
        self.copy_rows(plan, name, temporary)
        self.run_sql(f"DROP TABLE {self.qualified(name)}")
        self.run_sql(f"ALTER TABLE {self.qualified(temporary)} RENAME TO {self.quote(name)}")
        if sequence is not None:
            literal = "'" + name.replace("'", "''") + "'"
            self.run_sql(
                f"UPDATE {self.prefix}sqlite_sequence SET seq = max(seq, {int(sequence)}) "
                f"WHERE name = {literal}"
            )
        for index in plan.indexes:
            self.run_sql(self.in_schema(index.sql))
        for obj in [*triggers, *dependents]:
            self.run_sql(obj.sql)
        self.prove(name, triggers, dependents)

        after = self.violations(checked)
        known = {v[:3] for v in before}
        new = [v for v in after if v[:3] not in known]
        if new:
            tables = sorted({v[0] for v in new})
            raise BatchError(
                f"op.batch_alter_table({self.table_name!r}) would break foreign keys: "
                f"{len(new)} row(s) of table(s) {', '.join(repr(t) for t in tables)} refer to "
                f"rows that do not exist (PRAGMA foreign_key_check); nothing was changed"
            )
        if plan.new_name != name:
            self.run_sql(
                f"ALTER TABLE {self.qualified(name)} RENAME TO {self.quote(plan.new_name)}"
            )
        for op in plan.deferred:
            self.operations.invoke(op)

    def in_schema(self, sql: str) -> str:
        """``CREATE INDEX name ON table`` made ``CREATE INDEX schema.name ON table``."""
        if not self.schema:
            return sql
        parsed = sql.split(" ON ", 1) if " ON " in sql else sql.split(" on ", 1)
        head = parsed[0]
        words = head.rsplit(" ", 1)
        if "." in words[-1]:
            return sql
        return f"{words[0]} {self.quote(self.schema)}.{words[1]} ON {parsed[1]}"

    def schema_objects(self) -> list[SchemaObject]:
        rows = self.query(
            f"SELECT type, name, tbl_name, sql FROM {self.master} "
            f"WHERE sql IS NOT NULL AND type IN ('index', 'trigger', 'view') ORDER BY rowid"
        )
        return [SchemaObject(*row) for row in rows]

    def referring_tables(self, name: str) -> list[tuple[str, str | None]]:
        """(table, referred column) of each foreign key of another table that points here."""
        schema_arg = ", ?" if self.schema else ""
        params: tuple[Any, ...] = (self.schema, name) if self.schema else (name,)
        rows = self.query(
            f'SELECT m.name, f."to" FROM {self.master} AS m '
            f"JOIN pragma_foreign_key_list(m.name{schema_arg}) AS f "
            f"WHERE m.type = 'table' AND f.\"table\" = ? COLLATE NOCASE",
            params,
        )
        return [(str(r[0]), r[1]) for r in rows if not _same(str(r[0]), name)]

    def check_referring(
        self, plan: TablePlan, referring: list[tuple[str, str | None]], enforced: bool
    ) -> None:
        for table, column in referring:
            if column is not None and column.lower() in plan.dropped_columns:
                raise BatchError(
                    f"op.batch_alter_table({self.table_name!r}) drops column {column!r}, which "
                    f"a foreign key of table {table!r} refers to; change that table first"
                )
        if enforced and referring:
            tables = ", ".join(sorted({repr(t) for t, _ in referring}))
            raise BatchError(
                f"op.batch_alter_table({self.table_name!r}) cannot recreate the table while "
                f"SQLite enforces foreign keys (PRAGMA foreign_keys=ON) and {tables} refer to "
                f"it: dropping the old table would run their ON DELETE actions, and the pragma "
                f"cannot be switched off inside the migration's transaction; run migrations on "
                f"a connection without PRAGMA foreign_keys=ON (mighub then checks the foreign "
                f"keys with PRAGMA foreign_key_check before the batch ends)"
            )

    def violations(self, tables: Sequence[str]) -> list[tuple[Any, ...]]:
        found: list[tuple[Any, ...]] = []
        prefix = self.prefix
        for table in tables:
            try:
                rows = self.query(f"PRAGMA {prefix}foreign_key_check({self.quote(table)})")
            except DBAPIError as exc:
                detail = exc.orig
                raise BatchError(
                    f"op.batch_alter_table({self.table_name!r}): the foreign keys of table "
                    f"{table!r} no longer fit: {detail}; nothing was changed"
                ) from exc
            found += [tuple(r) for r in rows]
        return found

    def sequence(self, name: str) -> int | None:
        prefix = self.prefix
        exists = self.query(
            f"SELECT 1 FROM {self.master} WHERE type = 'table' AND name = 'sqlite_sequence'"
        )
        if not exists:
            return None
        rows = self.query(f"SELECT seq FROM {prefix}sqlite_sequence WHERE name = ?", (name,))
        return int(rows[0][0]) if rows else None

    def temporary_name(self, name: str) -> str:
        candidate = f"_mighub_tmp_{name}"
        taken = {
            str(r[0]).lower()
            for r in self.query(f"SELECT name FROM {self.master} WHERE type = 'table'")
        }
        n = 1
        while candidate.lower() in taken:
            candidate = f"_mighub_tmp{n}_{name}"
            n += 1
        return candidate

    def copy_rows(self, plan: TablePlan, name: str, temporary: str) -> None:
        pairs = plan.copy_columns()
        targets = [self.quote(c) for c, _ in pairs]
        values = [v for _, v in pairs]
        if _keeps_rowid(plan):
            targets.insert(0, "rowid")
            values.insert(0, "rowid")
        if not targets:
            return
        self.run_sql(
            f"INSERT INTO {self.qualified(temporary)} ({', '.join(targets)}) "
            f"SELECT {', '.join(values)} FROM {self.qualified(name)}"
        )

    def prove(
        self, name: str, triggers: list[SchemaObject], dependents: list[SchemaObject]
    ) -> None:
        """Make SQLite compile each recreated view and trigger, so a broken one fails the batch."""
        for obj in [*triggers, *dependents]:
            statements = self.proving_statements(obj)
            for sql in statements:
                try:
                    self.impl.connection.exec_driver_sql(sql).close()
                except DBAPIError as exc:
                    detail = exc.orig
                    raise BatchError(
                        f"op.batch_alter_table({self.table_name!r}) breaks {obj.type} "
                        f"{obj.name!r}: {detail}; change or drop it in the same revision (for "
                        f"example op.execute('DROP {obj.type.upper()} {obj.name}') before the "
                        f"batch and create it again after)"
                    ) from exc

    def proving_statements(self, obj: SchemaObject) -> list[str]:
        target = self.qualified(obj.table)
        if obj.type == "view":
            return [f"SELECT * FROM {self.qualified(obj.name)} LIMIT 0"]
        kind = _trigger_event(obj.sql)
        if self.query(
            f"SELECT 1 FROM {self.master} WHERE type = 'view' AND name = ?", (obj.table,)
        ):
            return []  # an INSTEAD OF trigger: compiled when its view is written to
        columns = [
            str(r[1])
            for r in self.query(f"PRAGMA {self.prefix}table_xinfo({self.quote(obj.table)})")
            if r[6] == 0
        ]
        if kind == "delete":
            return [f"DELETE FROM {target} WHERE 0"]
        if kind == "update":
            sets = ", ".join(f"{self.quote(c)} = {self.quote(c)}" for c in columns)
            return [f"UPDATE {target} SET {sets} WHERE 0"] if sets else []
        first = self.quote(columns[0]) if columns else "rowid"
        return [f"INSERT INTO {target} ({first}) SELECT {first} FROM {target} WHERE 0"]


def _same(a: str, b: str) -> bool:
    return a.lower() == b.lower()


def _is_comment(op: Operation) -> bool:
    if isinstance(op, (core.CreateTableCommentOp, core.DropTableCommentOp)):
        return True
    return isinstance(op, core.AlterColumnOp) and op.modify_comment is not core.NOT_GIVEN


def _dependents(schema: list[SchemaObject], table: str) -> list[SchemaObject]:
    """Views, and other tables' triggers, that mention the table, or a view that does."""
    mentioned = {table.lower()}
    found: list[SchemaObject] = []
    changed = True
    while changed:
        changed = False
        for obj in schema:
            if (
                obj in found
                or obj.type == "index"
                or (_same(obj.table, table) and obj.type == "trigger")
            ):
                continue
            if names_in(obj.sql) & mentioned:
                found.append(obj)
                if obj.type == "view":
                    mentioned.add(obj.name.lower())
                changed = True
    return [o for o in schema if o in found]


def _has_references(plan: TablePlan) -> bool:
    return any(k.kind == "references" for c in plan.columns for k in c.definition.clauses) or any(
        c.kind == "foreignkey" for c in plan.table.constraints
    )


def _keeps_rowid(plan: TablePlan) -> bool:
    """Whether the copy carries ``rowid`` over: a rowid table without an INTEGER PRIMARY KEY."""
    for table_options in (plan.old.options, plan.table.options):
        if "without" in table_options.lower() and "rowid" in table_options.lower():
            return False
    for column in plan.columns:
        clause = column.definition.clause("primary")
        if clause is not None and column.definition.type_text.strip().upper() == "INTEGER":
            return "desc" in clause.text.lower()
    for constraint in plan.table.constraints:
        if constraint.kind == "primary" and len(constraint.columns) == 1:
            column = plan.table.column(constraint.columns[0])
            if column is None:
                for planned in plan.columns:
                    if planned.name.lower() == constraint.columns[0].lower():
                        column = planned.definition
            if column is not None and column.type_text.strip().upper() == "INTEGER":
                return False
    return True


def _trigger_event(sql: str) -> str:
    from mighub_sqlite_batch.sqltext import significant, tokenize

    for token in significant(tokenize(sql)):
        word = token.keyword()
        if word in ("insert", "update", "delete"):
            return word
    return "insert"
