"""The move and copy on PostgreSQL and MariaDB/MySQL (``recreate="always"``).

These databases can ALTER in place, so a batch only recreates their tables
when asked. The table's definition comes from SQLAlchemy's reflection,
written out as ``CREATE TABLE`` for the dialect, so the same plan
(:mod:`mighub_sqlite_batch.model`) serves them. What each database needs
around the copy:

PostgreSQL (one transaction: a failure rolls everything back)
    foreign keys of other tables that point at the table are dropped and
    added again afterwards (which checks every row); views that depend on
    it, and its triggers, are recreated from ``pg_get_viewdef`` /
    ``pg_get_triggerdef``; its primary key and unique constraints are
    renamed out of the way first, because their index names must be unique
    in the schema; sequences owned by its columns are released and owned
    again, identity columns carry on from the highest copied value; comments
    are written again.

MariaDB/MySQL (no transactional DDL)
    the new table is created and filled before the old one is touched, so
    a failed copy only drops the new table; foreign key names are unique in
    a database, so the table's foreign keys are added after the rename
    (which checks every row); the old table is dropped with
    ``FOREIGN_KEY_CHECKS=0`` so that other tables' foreign keys, which
    refer to it by name, point at the new table once it is renamed; its
    triggers are recreated, and views (which refer to tables by name) are
    proven to still work.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import MetaData, Table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.schema import CreateIndex, CreateTable, SetColumnComment, SetTableComment

from mighub.operations import Operation
from mighub_sqlite_batch.model import BatchError, TablePlan
from mighub_sqlite_batch.runner import MoveAndCopyRunner


class ServerMoveAndCopy(MoveAndCopyRunner):
    def run(self, ops: list[Operation]) -> None:
        if self.impl.as_sql:
            self.run_offline(ops)
            return
        if self.dialect.name == "postgresql":
            with self.impl.connection.begin_nested():
                self.run_online(ops)
        else:
            self.run_online(ops)

    @property
    def mysql(self) -> bool:
        return self.dialect.name in ("mysql", "mariadb")

    def reflect(self, name: str) -> Table:
        return Table(
            name,
            MetaData(),
            autoload_with=self.impl.connection,
            schema=self.schema,
            **self.options.reflect_kwargs,
        )

    def run_online(self, ops: list[Operation]) -> None:
        name = self.table_name
        table = self.reflect(name)
        columns = [c.name for c in table.columns]
        names = self.renames(ops, columns)
        for old, new in self.rename_steps(names.renames, columns):
            self.run_sql(
                f"ALTER TABLE {self.qualified(name)} RENAME COLUMN {self.quote(old)} "
                f"TO {self.quote(new)}"
            )
        if names.renames:
            table = self.reflect(name)
        create_sql = str(CreateTable(table).compile(dialect=self.dialect)).strip()
        index_sqls = [
            (str(i.name), str(CreateIndex(i).compile(dialect=self.dialect)).strip())
            for i in sorted(table.indexes, key=lambda i: str(i.name))
            if not (self.mysql and _backs_constraint(i, table))
        ]
        plan = self.plan(create_sql, index_sqls, ops, names)
        temporary = f"_mighub_tmp_{name}"[:60]
        if self.dialect.name == "postgresql":
            self.move_postgresql(plan, table, temporary)
        else:
            self.move_mysql(plan, temporary, names.renames)
        if plan.new_name != name:
            self.impl.rename_table(name, plan.new_name, schema=self.schema)
        for op in plan.deferred:
            self.operations.invoke(op)

    # -- PostgreSQL ----------------------------------------------------------------

    def move_postgresql(self, plan: TablePlan, table: Table, temporary: str) -> None:
        name = plan.name
        regclass = self.qualified(name)
        oid = self.query("SELECT CAST(%(t)s AS regclass)::oid", {"t": regclass})[0][0]
        inbound = self.query(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND confrelid = %(o)s "
            "AND conrelid <> confrelid ORDER BY conname",
            {"o": oid},
        )
        views = self.query(_PG_VIEWS, {"o": oid})
        triggers = self.query(
            "SELECT pg_get_triggerdef(oid) FROM pg_trigger "
            "WHERE tgrelid = %(o)s AND NOT tgisinternal ORDER BY tgname",
            {"o": oid},
        )
        owned = self.query(
            "SELECT s.oid::regclass::text, a.attname FROM pg_depend d "
            "JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
            "JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
            "WHERE d.refobjid = %(o)s AND d.deptype = 'a'",
            {"o": oid},
        )
        keyed = self.query(
            "SELECT conname FROM pg_constraint WHERE conrelid = %(o)s "
            "AND contype IN ('p', 'u', 'x') ORDER BY conname",
            {"o": oid},
        )
        for child, constraint, _ in inbound:
            self.run_sql(f"ALTER TABLE {child} DROP CONSTRAINT {self.quote(constraint)}")
        for view, kind, _ in reversed(views):
            word = "MATERIALIZED VIEW" if kind == "m" else "VIEW"
            self.run_sql(f"DROP {word} {view}")
        for sequence, _ in owned:
            self.run_sql(f"ALTER SEQUENCE {sequence} OWNED BY NONE")
        for n, (constraint,) in enumerate(keyed):
            self.run_sql(
                f"ALTER TABLE {regclass} RENAME CONSTRAINT {self.quote(constraint)} "
                f"TO {self.quote(f'_mighub_old_{n}_{constraint}'[:63])}"
            )
        self.create_temporary(plan, temporary)
        identity = [c.name for c in table.columns if c.identity is not None]
        kept = {c.name.lower() for c in plan.columns}
        overriding = "OVERRIDING SYSTEM VALUE " if identity else ""
        self.copy_rows(plan, name, temporary, overriding=overriding)
        self.run_sql(f"DROP TABLE {regclass}")
        self.run_sql(f"ALTER TABLE {self.qualified(temporary)} RENAME TO {self.quote(name)}")
        for column in identity:
            if column.lower() in kept:
                self.run_sql(
                    f"SELECT setval(pg_get_serial_sequence('{_literal(regclass)}', "
                    f"'{_literal(column)}'), COALESCE(max({self.quote(column)}), 1), "
                    f"max({self.quote(column)}) IS NOT NULL) FROM {regclass}"
                )
        for sequence, column in owned:
            if column.lower() in kept:
                self.run_sql(f"ALTER SEQUENCE {sequence} OWNED BY {regclass}.{self.quote(column)}")
        for index in plan.indexes:
            self.run_sql(index.sql)
        self.write_comments(table, plan)
        for (definition,) in triggers:
            self.run_sql(definition)
        for view, kind, definition in views:
            word = "MATERIALIZED VIEW" if kind == "m" else "VIEW"
            self.prove(f"CREATE {word} {view} AS {definition}", "view", view)
        for child, constraint, definition in inbound:
            self.prove(
                f"ALTER TABLE {child} ADD CONSTRAINT {self.quote(constraint)} {definition}",
                "foreign key",
                f"{constraint} of table {child}",
            )

    def write_comments(self, table: Table, plan: TablePlan) -> None:
        """PostgreSQL keeps comments apart from ``CREATE TABLE``: write them again."""
        if table.comment is not None:
            self.impl.execute(SetTableComment(table))
        kept = {c.name.lower() for c in plan.columns}
        for column in table.columns:
            if column.comment is not None and column.name.lower() in kept:
                self.impl.execute(SetColumnComment(column))

    # -- MariaDB / MySQL -----------------------------------------------------------

    def move_mysql(self, plan: TablePlan, temporary: str, renames: dict[str, str]) -> None:
        name = plan.name
        foreign_keys = [c for c in plan.table.constraints if c.kind == "foreignkey"]
        plan.table.constraints = [c for c in plan.table.constraints if c.kind != "foreignkey"]
        triggers = self.query(
            "SELECT TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION, ACTION_STATEMENT "
            "FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = "
            "COALESCE(%(s)s, DATABASE()) AND EVENT_OBJECT_TABLE = %(t)s ORDER BY ACTION_ORDER",
            {"s": self.schema, "t": name},
        )
        views = self.query(
            "SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS "
            "WHERE TABLE_SCHEMA = COALESCE(%(s)s, DATABASE())",
            {"s": self.schema},
        )
        self.create_temporary(plan, temporary)
        try:
            self.copy_rows(plan, name, temporary)
        except Exception:
            self.run_sql(f"DROP TABLE {self.qualified(temporary)}")
            raise
        with self.foreign_key_checks_off():
            self.run_sql(f"DROP TABLE {self.qualified(name)}")
            self.run_sql(f"RENAME TABLE {self.qualified(temporary)} TO {self.qualified(name)}")
        for index in plan.indexes:
            self.run_sql(index.sql)
        for constraint in foreign_keys:
            text = _retarget_mysql(constraint.text, temporary, name, self.quote)
            self.prove(f"ALTER TABLE {self.qualified(name)} ADD {text}", "foreign key", text)
        for trigger, timing, event, statement in triggers:
            self.run_sql(
                f"CREATE TRIGGER {self.quote(trigger)} {timing} {event} ON "
                f"{self.qualified(name)} FOR EACH ROW {statement}"
            )
        for view, definition in views:
            if not re.search(rf"`{re.escape(name)}`", definition or "", re.IGNORECASE):
                continue
            # MariaDB keeps view definitions with every column qualified by its table,
            # and does not follow a column's rename: rewrite those references.
            changed = definition
            for old, new in renames.items():
                changed = changed.replace(f"`{name}`.`{old}`", f"`{name}`.`{new}`")
            if changed != definition:
                self.prove(
                    f"CREATE OR REPLACE VIEW {self.qualified(view)} AS {changed}", "view", view
                )
            self.prove(f"SELECT * FROM {self.qualified(view)} LIMIT 0", "view", view)

    @contextmanager
    def foreign_key_checks_off(self) -> Iterator[None]:
        previous = self.query("SELECT @@SESSION.foreign_key_checks")[0][0]
        self.run_sql("SET SESSION foreign_key_checks = 0")
        try:
            yield
        finally:
            self.run_sql(f"SET SESSION foreign_key_checks = {int(previous)}")

    # -- both ----------------------------------------------------------------------

    def query(self, sql: str, params: Any = None) -> list[Any]:
        return list(self.impl.connection.exec_driver_sql(sql, params or {}).fetchall())

    def prove(self, sql: str, what: str, name: str) -> None:
        """Run a statement that re-establishes something; its failure names that thing."""
        try:
            self.run_sql(sql)
        except DBAPIError as exc:
            raise BatchError(
                f"op.batch_alter_table({self.table_name!r}) breaks {what} {name}: "
                f"{str(exc.orig).strip()}"
            ) from exc


_PG_VIEWS = """
WITH RECURSIVE deps(oid, depth) AS (
    SELECT DISTINCT r.ev_class, 1 FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
    WHERE d.refobjid = %(o)s AND r.ev_class <> %(o)s
  UNION
    SELECT DISTINCT r.ev_class, deps.depth + 1 FROM pg_depend d
    JOIN pg_rewrite r ON r.oid = d.objid JOIN deps ON d.refobjid = deps.oid
    WHERE r.ev_class <> deps.oid
)
SELECT c.oid::regclass::text, c.relkind, pg_get_viewdef(c.oid)
FROM (SELECT oid, max(depth) AS depth FROM deps GROUP BY oid) AS v
JOIN pg_class c ON c.oid = v.oid
ORDER BY v.depth, c.oid
"""


def _literal(text: str) -> str:
    return text.replace("'", "''")


def _backs_constraint(index: Any, table: Table) -> bool:
    """MySQL reflects a unique constraint as an index too; create it once."""
    return bool(index.unique) and any(
        getattr(c, "name", None) == index.name for c in table.constraints
    )


def _retarget_mysql(text: str, temporary: str, name: str, quote: Any) -> str:
    return text.replace(quote(temporary), quote(name))
