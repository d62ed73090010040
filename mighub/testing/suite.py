"""The dialect conformance suite: ``from mighub.testing.suite import *`` in a test module.

Every test runs against the database the ``mighub_target`` fixture describes,
through the plugins installed beside mighub. A plugin conforms when:

- its dialect implementation is registered under the target's dialect name
  and writes offline scripts whose every statement is terminated (and passes
  the target's ``check_sql``);
- every core operation round-trips on a real database: the operation makes
  the change the inspector (or the database's behaviour) shows, and its
  ``reverse()`` puts the database back exactly as it was; both run online, and
  as an offline script executed on the database. An operation the database
  cannot do in place (a missing feature of the target) is refused with a
  :class:`~mighub.errors.MighubError` and changes nothing;
- the migration runtime works on it through the CLI: upgrade and downgrade
  with the version table, a failing revision rolled back (or, without
  transactional DDL, recorded for ``mighub resolve``), an exclusive migration
  lock, and an offline script that, run by hand, leaves the database at head.

Autogenerate round trips are the suite's marked extension point: see the end
of this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from mighub.errors import MighubError
from mighub.operations import IrreversibleOperationError, Operation
from mighub.operations import ops as o
from mighub.testing.database import MODES, ConformanceDatabase, script_statements, write_script
from mighub.testing.plugin import mighub_database, mighub_host, mighub_project

# The fixtures travel with the tests, so the suite runs even where the pytest11 entry point
# is not installed (a checkout on sys.path); ``mighub_target`` stays yours to define.
__all__ = [
    "TestDialectRegistration",
    "TestMigrationRuntime",
    "TestOfflineScripts",
    "TestOneWayOperations",
    "TestRoundTrips",
    "mighub_database",
    "mighub_host",
    "mighub_project",
]

# ---------------------------------------------------------------------------
# The schema every round trip starts from
# ---------------------------------------------------------------------------


def baseline_operations() -> list[Operation]:
    """``parent``, ``child`` (with an index on its future foreign key, so MySQL makes none of
    its own) and ``nopk``, a table without a primary key; one row in each."""
    return [
        o.CreateTableOp(
            "parent",
            [
                sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
                sa.Column("code", sa.String(20), nullable=False),
            ],
        ),
        o.CreateTableOp(
            "child",
            [
                sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
                sa.Column("parent_id", sa.Integer, nullable=True),
                sa.Column("label", sa.String(20), nullable=True),
                sa.Column("qty", sa.Integer, nullable=True),
                sa.Index("ix_child_parent_id", "parent_id"),
            ],
        ),
        o.CreateTableOp(
            "nopk",
            [
                sa.Column("a", sa.Integer, nullable=False, autoincrement=False),
                sa.Column("b", sa.Integer, nullable=True),
            ],
        ),
        o.ExecuteSQLOp("INSERT INTO parent (id, code) VALUES (1, 'p1')"),
        o.ExecuteSQLOp("INSERT INTO child (id, parent_id, label, qty) VALUES (1, 1, 'c1', 3)"),
        o.ExecuteSQLOp("INSERT INTO nopk (a, b) VALUES (1, 1)"),
    ]


# ---------------------------------------------------------------------------
# Round trips: one per core operation
# ---------------------------------------------------------------------------

Snapshot = dict[str, Any]


@dataclass(frozen=True)
class RoundTrip:
    """A core operation, the feature it needs, and how to see that it happened."""

    id: str
    make: Callable[[], Operation]
    check: Callable[[ConformanceDatabase, Snapshot, Snapshot], None]
    feature: str | None = None


def _column(snapshot: Snapshot, table: str, name: str) -> dict[str, Any]:
    return next(c for c in snapshot[table]["columns"] if c["name"] == name)


def _column_names(snapshot: Snapshot, table: str) -> list[str]:
    return [c["name"] for c in snapshot[table]["columns"]]


def _check_create_table(db: ConformanceDatabase, before: Snapshot, after: Snapshot) -> None:
    assert set(after) - set(before) == {"extra"}
    assert _column_names(after, "extra") == ["id", "parent_id", "name"]
    assert after["extra"]["primary_key"] == ["id"]
    assert _column(after, "extra", "name")["nullable"] is False
    assert [fk[1:] for fk in after["extra"]["foreign_keys"]] == [
        (("parent_id",), "parent", ("id",))
    ]
    assert ("ix_extra_name", ("name",), False) in after["extra"]["indexes"]


def _check_drop_column(db: ConformanceDatabase, before: Snapshot, after: Snapshot) -> None:
    assert _column_names(after, "child") == ["id", "parent_id", "label"]


def _check_rename_table(db: ConformanceDatabase, before: Snapshot, after: Snapshot) -> None:
    assert "child" not in after and "kid" in after
    assert db.rows("SELECT label FROM kid") == [("c1",)]


def _check_add_column(db: ConformanceDatabase, before: Snapshot, after: Snapshot) -> None:
    assert _column_names(after, "child")[-1] == "note"
    assert _column(after, "child", "note")["nullable"] is True


def _check_add_column_with_default(
    db: ConformanceDatabase, before: Snapshot, after: Snapshot
) -> None:
    assert _column(after, "child", "flag")["nullable"] is False
    assert db.rows("SELECT flag FROM child") == [(7,)]  # the existing row got the default


def _check_rename_column(db: ConformanceDatabase, before: Snapshot, after: Snapshot) -> None:
    assert _column_names(after, "child") == ["id", "parent_id", "title", "qty"]
    assert db.rows("SELECT title FROM child") == [("c1",)]


def _check_nullable(db: ConformanceDatabase, before: Snapshot, after: Snapshot) -> None:
    assert _column(after, "parent", "code")["nullable"] is True
    assert not db.refuses("INSERT INTO parent (id, code) VALUES (9, NULL)")


def _check_type(db: ConformanceDatabase, before: Snapshot, after: Snapshot) -> None:
    assert _column(after, "child", "label")["type"] != _column(before, "child", "label")["type"]
    assert "60" in _column(after, "child", "label")["type"]
    assert not db.refuses(f"UPDATE child SET label = '{'x' * 60}'")


def _check_server_default(db: ConformanceDatabase, before: Snapshot, after: Snapshot) -> None:
    assert _column(after, "child", "qty")["default"] == "5"
    db.execute("INSERT INTO child (id) VALUES (2)")
    assert db.rows("SELECT qty FROM child WHERE id = 2") == [(5,)]
    db.execute("DELETE FROM child WHERE id = 2")


def _check_column_comment(db: ConformanceDatabase, before: Snapshot, after: Snapshot) -> None:
    assert _column(after, "child", "label")["comment"] == "what the child is called"


def _check_table_comment(db: ConformanceDatabase, before: Snapshot, after: Snapshot) -> None:
    assert after["parent"]["comment"] == "the parents"


def _check_index(db: ConformanceDatabase, before: Snapshot, after: Snapshot) -> None:
    assert ("ix_child_label", ("label",), False) in after["child"]["indexes"]


def _check_unique_index(db: ConformanceDatabase, before: Snapshot, after: Snapshot) -> None:
    assert db.refuses(
        "INSERT INTO child (id, label, qty) VALUES (20, 'same', 1)",
        "INSERT INTO child (id, label, qty) VALUES (21, 'same', 1)",
    )


def _check_primary_key(db: ConformanceDatabase, before: Snapshot, after: Snapshot) -> None:
    assert after["nopk"]["primary_key"] == ["a"]
    assert db.refuses("INSERT INTO nopk (a, b) VALUES (1, 2)")


def _check_unique(db: ConformanceDatabase, before: Snapshot, after: Snapshot) -> None:
    assert db.refuses(
        "INSERT INTO parent (id, code) VALUES (10, 'same')",
        "INSERT INTO parent (id, code) VALUES (11, 'same')",
    )


def _check_foreign_key(db: ConformanceDatabase, before: Snapshot, after: Snapshot) -> None:
    assert [fk[1:] for fk in after["child"]["foreign_keys"]] == [
        (("parent_id",), "parent", ("id",))
    ]
    assert db.refuses("INSERT INTO child (id, parent_id) VALUES (30, 999)")


def _check_check_constraint(db: ConformanceDatabase, before: Snapshot, after: Snapshot) -> None:
    assert db.refuses("INSERT INTO child (id, qty) VALUES (40, -1)")


def _extra_table() -> o.CreateTableOp:
    return o.CreateTableOp(
        "extra",
        [
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("parent_id", sa.Integer, sa.ForeignKey("parent.id"), nullable=True),
            sa.Column("name", sa.String(30), nullable=False, index=True),
        ],
    )


def _qty_column() -> o.DropColumnOp:
    table = sa.Table("child", sa.MetaData(), sa.Column("qty", sa.Integer, nullable=True))
    return o.DropColumnOp.from_column(table.c.qty)


LABEL = {"existing_type": sa.String(20), "existing_nullable": True, "existing_server_default": None}

ROUND_TRIPS = [
    RoundTrip("create_table", _extra_table, _check_create_table),
    RoundTrip("rename_table", lambda: o.RenameTableOp("child", "kid"), _check_rename_table),
    RoundTrip(
        "add_column",
        lambda: o.AddColumnOp("child", sa.Column("note", sa.String(40), nullable=True)),
        _check_add_column,
    ),
    RoundTrip(
        "add_column_not_null_with_default",
        lambda: o.AddColumnOp(
            "child", sa.Column("flag", sa.Integer, nullable=False, server_default="7")
        ),
        _check_add_column_with_default,
    ),
    RoundTrip("drop_column", _qty_column, _check_drop_column),
    RoundTrip(
        "alter_column_rename",
        lambda: o.AlterColumnOp("child", "label", modify_name="title", **LABEL),
        _check_rename_column,
    ),
    RoundTrip(
        "alter_column_nullable",
        lambda: o.AlterColumnOp(
            "parent",
            "code",
            modify_nullable=True,
            existing_type=sa.String(20),
            existing_nullable=False,
            existing_server_default=None,
        ),
        _check_nullable,
        "alter_column",
    ),
    RoundTrip(
        "alter_column_type",
        lambda: o.AlterColumnOp("child", "label", modify_type=sa.String(60), **LABEL),
        _check_type,
        "alter_column",
    ),
    RoundTrip(
        "alter_column_server_default",
        lambda: o.AlterColumnOp(
            "child",
            "qty",
            modify_server_default="5",
            existing_type=sa.Integer(),
            existing_nullable=True,
            existing_server_default=None,
        ),
        _check_server_default,
        "alter_column",
    ),
    RoundTrip(
        "alter_column_comment",
        lambda: o.AlterColumnOp(
            "child",
            "label",
            modify_comment="what the child is called",
            existing_comment=None,
            **LABEL,
        ),
        _check_column_comment,
        "comments",
    ),
    RoundTrip(
        "create_table_comment",
        lambda: o.CreateTableCommentOp("parent", "the parents", existing_comment=None),
        _check_table_comment,
        "comments",
    ),
    RoundTrip(
        "create_index",
        lambda: o.CreateIndexOp("ix_child_label", "child", ["label"]),
        _check_index,
    ),
    RoundTrip(
        "create_unique_index",
        lambda: o.CreateIndexOp("ux_child_label", "child", ["label"], unique=True),
        _check_unique_index,
    ),
    RoundTrip(
        "create_primary_key",
        lambda: o.CreatePrimaryKeyOp("pk_nopk", "nopk", ["a"]),
        _check_primary_key,
        "constraints",
    ),
    RoundTrip(
        "create_unique_constraint",
        lambda: o.CreateUniqueConstraintOp("uq_parent_code", "parent", ["code"]),
        _check_unique,
        "constraints",
    ),
    RoundTrip(
        "create_foreign_key",
        lambda: o.CreateForeignKeyOp("fk_child_parent", "child", "parent", ["parent_id"], ["id"]),
        _check_foreign_key,
        "constraints",
    ),
    RoundTrip(
        "create_check_constraint",
        lambda: o.CreateCheckConstraintOp("ck_child_qty", "child", "qty >= 0"),
        _check_check_constraint,
        "constraints",
    ),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", ROUND_TRIPS, ids=[case.id for case in ROUND_TRIPS])
class TestRoundTrips:
    """Each operation changes the database, and its ``reverse()`` puts it back as it was."""

    def test_round_trip(self, mighub_database: ConformanceDatabase, case: RoundTrip, mode: str):
        db = mighub_database
        db.run(*baseline_operations())
        before = db.snapshot()
        if not db.target.supports(case.feature):
            with pytest.raises(MighubError):
                db.run(case.make(), mode=mode)
            assert db.snapshot() == before, f"a refused {case.id} changed the database"
            return
        db.run(case.make(), mode=mode)
        after = db.snapshot()
        assert after != before, f"{case.id} changed nothing the inspector can see"
        case.check(db, before, after)
        db.run(case.make().reverse(), mode=mode)
        assert db.snapshot() == before, f"the reverse of {case.id} did not restore the schema"


@pytest.mark.parametrize("mode", MODES)
class TestOneWayOperations:
    """Operations without a reverse: data in and SQL out, online and offline."""

    def test_bulk_insert(self, mighub_database: ConformanceDatabase, mode: str) -> None:
        db = mighub_database
        db.run(*baseline_operations())
        parent = sa.table("parent", sa.column("id", sa.Integer), sa.column("code", sa.String))
        rows = [{"id": 2, "code": "it's"}, {"id": 3, "code": "p3"}]
        db.run(o.BulkInsertOp(parent, rows), mode=mode)
        assert db.rows("SELECT id, code FROM parent ORDER BY id") == [
            (1, "p1"),
            (2, "it's"),
            (3, "p3"),
        ]
        with pytest.raises(IrreversibleOperationError):
            o.BulkInsertOp(parent, rows).reverse()

    def test_execute(self, mighub_database: ConformanceDatabase, mode: str) -> None:
        db = mighub_database
        db.run(*baseline_operations())
        db.run(o.ExecuteSQLOp("UPDATE parent SET code = 'changed' WHERE id = 1"), mode=mode)
        assert db.rows("SELECT code FROM parent") == [("changed",)]


# ---------------------------------------------------------------------------
# Without a database: registration and offline scripts
# ---------------------------------------------------------------------------


class TestDialectRegistration:
    def test_dialect_implementation_is_registered(self, mighub_target: Any, mighub_host: Any):
        from mighub.ddl.impl import DialectImpl

        impl = mighub_host.dialects.get(mighub_target.dialect)
        assert isinstance(impl, type) and issubclass(impl, DialectImpl)
        dialect = sa.make_url(mighub_target.offline_url).get_dialect()
        assert dialect.name == mighub_target.dialect, (
            f"offline_url {mighub_target.offline_url!r} is for dialect {dialect.name!r}"
        )

    def test_offline_transaction_statements(self, mighub_target: Any, mighub_host: Any) -> None:
        import io

        from mighub.testing.database import offline_dialect

        dialect = offline_dialect(mighub_target.offline_url)
        impl_class = mighub_host.dialects.get(dialect.name)
        buffer = io.StringIO()
        impl = impl_class(dialect, as_sql=True, output=buffer)
        impl.emit_begin()
        impl.emit_commit()
        statements = script_statements(buffer.getvalue(), mighub_target, mighub_host)
        assert statements == [impl_class.begin_statement, impl_class.commit_statement]
        _check_sql(mighub_target, statements)


@pytest.mark.parametrize("case", ROUND_TRIPS, ids=[case.id for case in ROUND_TRIPS])
class TestOfflineScripts:
    """Every core operation and its reverse, written offline: terminated, and valid SQL to the
    target's ``check_sql``. Needs no database, so it runs for every target."""

    def test_offline_script(self, mighub_target: Any, mighub_host: Any, case: RoundTrip) -> None:
        operations = [*baseline_operations(), case.make(), case.make().reverse()]
        if not mighub_target.supports(case.feature):
            with pytest.raises(MighubError):
                write_script(mighub_host, mighub_target, operations)
            return
        script = write_script(mighub_host, mighub_target, operations)
        statements = script_statements(script, mighub_target, mighub_host)
        assert len(statements) >= len(operations)
        impl_class = mighub_host.dialects.get(mighub_target.dialect)
        for chunk in script.split("\n\n"):
            text = chunk.strip()
            if text and text != impl_class.batch_separator and not text.startswith("--"):
                assert text.endswith(impl_class.statement_terminator), text
        _check_sql(mighub_target, statements)


def _check_sql(target: Any, statements: list[str]) -> None:
    if target.check_sql is not None:
        for statement in statements:
            target.check_sql(statement)


# ---------------------------------------------------------------------------
# The runtime on this database, through the CLI
# ---------------------------------------------------------------------------

CREATE_THING = 'op.create_table("thing", sa.Column("id", sa.Integer, primary_key=True))'
ADD_NAME = 'op.add_column("thing", sa.Column("name", sa.String(30)))\n' + (
    'op.create_index("ix_thing_name", "thing", ["name"])'
)
DROP_NAME = 'op.drop_index("ix_thing_name", "thing")\nop.drop_column("thing", "name")'


class TestMigrationRuntime:
    def _two_revisions(self, project: Any) -> None:
        project.revision("a1000000000a", None, CREATE_THING, 'op.drop_table("thing")')
        project.revision("b2000000000b", "a1000000000a", ADD_NAME, DROP_NAME)

    def test_upgrade_and_downgrade(self, mighub_database: ConformanceDatabase, mighub_project):
        db, project = mighub_database, mighub_project
        project.set_url(db.url)
        self._two_revisions(project)
        project.ok("upgrade", "head")
        assert "thing" in db.snapshot()
        assert [c["name"] for c in db.snapshot()["thing"]["columns"]] == ["id", "name"]
        assert db.rows("SELECT version_num FROM mighub_version") == [("b2000000000b",)]
        assert project.ok("current").stdout == "b2000000000b (head)\n"
        project.ok("downgrade", "base")
        assert set(db.snapshot()) == {"mighub_version"}
        assert db.rows("SELECT version_num FROM mighub_version") == []

    def test_failed_revision(self, mighub_database: ConformanceDatabase, mighub_project) -> None:
        db, project = mighub_database, mighub_project
        project.set_url(db.url)
        project.revision("a1000000000a", None, CREATE_THING, 'op.drop_table("thing")')
        project.revision(
            "b2000000000b",
            "a1000000000a",
            'op.create_table("other", sa.Column("id", sa.Integer))\n'
            'op.execute("SELECT * FROM no_such_table")',
            'op.drop_table("other")',
        )
        failed = project.run("upgrade", "head")
        assert failed.exit_code == 1
        error = failed.stderr.strip().splitlines()[-1]
        assert error.startswith("Error: upgrade of revision b2000000000b (")
        transactional = db.host.dialects.get(db.engine.dialect.name).transactional_ddl
        if transactional:
            assert error.endswith("the transaction was rolled back (nothing of this run was kept)")
            assert set(db.snapshot()) <= {"mighub_version"}
            assert project.ok("current").stdout == ""
        else:
            assert "these statements of the revision stay applied: CREATE TABLE other" in error
            assert {"thing", "other"} <= set(db.snapshot())
            refused = project.run("upgrade", "head")
            assert refused.exit_code == 1
            assert "revision b2000000000b failed part-way during an earlier upgrade" in (
                refused.stderr
            )
            db.execute("DROP TABLE other")
            project.ok("resolve", "b2000000000b", "--rolled-back")
            assert project.ok("current").stdout == "a1000000000a\n"

    def test_migration_lock_is_exclusive(self, mighub_database: ConformanceDatabase) -> None:
        from mighub.runtime.lock import LockTimeout

        db = mighub_database
        impl_class = db.host.dialects.get(db.engine.dialect.name)
        with db.engine.connect() as first, db.engine.connect() as second:
            holder = impl_class(first.dialect, first)
            waiter = impl_class(second.dialect, second)
            lock = holder.migration_lock(scope="conformance", timeout=0)
            if lock is None:
                pytest.skip(f"{db.engine.dialect.name}: the dialect provides no migration lock")
            with lock:
                other = waiter.migration_lock(scope="conformance", timeout=0)
                assert other is not None
                with pytest.raises(LockTimeout), other:
                    pass
            again = waiter.migration_lock(scope="conformance", timeout=0)
            assert again is not None
            with again:
                pass

    def test_offline_script_leaves_the_database_at_head(
        self, mighub_target: Any, mighub_project: Any, mighub_host: Any, request: Any
    ) -> None:
        project = mighub_project
        self._two_revisions(project)
        script = project.ok("upgrade", "head", "--sql").stdout
        statements = script_statements(script, mighub_target, mighub_host)
        assert any("b2000000000b" in s for s in statements)
        _check_sql(mighub_target, statements)
        if mighub_target.databases is None:
            return  # no database to run the script on
        db = request.getfixturevalue("mighub_database")
        db.run_script(script)
        project.set_url(db.url)
        assert project.ok("current").stdout == "b2000000000b (head)\n"
        down = project.ok("downgrade", "b2000000000b:base", "--sql").stdout
        db.run_script(down)
        assert set(db.snapshot()) == {"mighub_version"}


# ---------------------------------------------------------------------------
# Extension point: autogenerate round trips
# ---------------------------------------------------------------------------
#
# Autogenerate comes from the mighub-autogen plugin, which is being written.
# When it lands, its round trips belong here, one class parametrized like
# TestRoundTrips, for every target:
#
#   1. build the baseline on mighub_database, then a MetaData describing the
#      schema after each RoundTrip case;
#   2. autogenerate against that MetaData: the operations it finds must,
#      run on the database (online and offline), make the inspector's
#      snapshot equal to the one of the case's own operation;
#   3. render them with mighub_host.renderers into a revision script, run
#      it through mighub_project, and compare again: then autogenerate again,
#      which must find nothing (the dialect's comparators settle every
#      difference its reflection introduces).
#
# A dialect plugin's comparators and renderers are judged there.
