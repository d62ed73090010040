"""When the version table is written: once per run inside a run-wide transaction, and
always before code that could look at it or make the transaction durable."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from mighub.script.graph import apply_version_ops, version_ops_between

TRANSACTIONAL = ("sqlite", "postgresql")


@contextmanager
def version_statements() -> Iterator[list[str]]:
    """Every statement the run sends that writes the version table."""
    seen: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        words = statement.split()
        if words and words[0] in ("INSERT", "UPDATE", "DELETE") and "mighub_version" in statement:
            seen.append(" ".join(words[:2]))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)


def chain(project, count: int) -> list[str]:
    revs = [f"{n:04d}aaaaaaaa" for n in range(1, count + 1)]
    for down, rev in zip([None, *revs[:-1]], revs, strict=True):
        table = f"t_{rev}"
        project.revision(
            rev,
            down,
            f'op.create_table("{table}", sa.Column("id", sa.Integer, primary_key=True))',
            f'op.drop_table("{table}")',
        )
    return revs


def test_a_run_writes_the_version_table_once_where_ddl_is_transactional(project, backend) -> None:
    revs = chain(project, 4)
    with version_statements() as seen:
        project.ok("upgrade", revs[1])
    assert project.version_rows() == [revs[1]]
    with version_statements() as more:
        project.ok("upgrade", "head")
    with version_statements() as down:
        project.ok("downgrade", "base")
    assert project.version_rows() == []
    assert project.tables() == {"mighub_version"}
    if backend in TRANSACTIONAL:
        assert seen == ["INSERT INTO"]
        assert more == ["UPDATE mighub_version"]
        assert down == ["DELETE FROM"]
    else:  # each revision commits on its own, so each records its own move
        assert seen == ["INSERT INTO", "UPDATE mighub_version"]
        assert len(more) == 2 and len(down) == 4


def test_transaction_per_migration_writes_after_every_revision(sqlite_project) -> None:
    project = sqlite_project
    project.configure_also("transaction_per_migration=True")
    chain(project, 3)
    with version_statements() as seen:
        project.ok("upgrade", "head")
    assert seen == ["INSERT INTO", "UPDATE mighub_version", "UPDATE mighub_version"]


def test_branches_and_merges_end_with_the_same_rows(project) -> None:
    project.revision("aaaa00000001", None)
    project.revision("b1b1b1b1b1b1", "aaaa00000001")
    project.revision("b2b2b2b2b2b2", "aaaa00000001")
    project.revision("c2c2c2c2c2c2", "b2b2b2b2b2b2")
    project.ok("upgrade", "heads")
    assert project.version_rows() == ["b1b1b1b1b1b1", "c2c2c2c2c2c2"]
    project.revision("mmmm00000003", ("b1b1b1b1b1b1", "c2c2c2c2c2c2"), doc="merge")
    project.ok("upgrade", "head")
    assert project.version_rows() == ["mmmm00000003"]
    project.ok("downgrade", "aaaa00000001")
    assert project.version_rows() == ["aaaa00000001"]
    project.ok("downgrade", "base")
    assert project.version_rows() == []


@pytest.mark.parametrize("how", ["execute", "get_bind"])
def test_sql_of_the_script_sees_the_revisions_before_it(project, how) -> None:
    """A script's own SQL may read the version table: it finds what ran before it."""
    revs = chain(project, 2)
    if how == "execute":
        body = 'op.execute("CREATE TABLE seen AS SELECT version_num FROM mighub_version")'
    else:
        body = (
            "rows = op.get_bind().execute(\n"
            '    sa.text("SELECT version_num FROM mighub_version")).scalars().all()\n'
            'op.create_table("seen_" + "_".join(rows), sa.Column("id", sa.Integer))'
        )
    project.revision("cccc00000003", revs[-1], body)
    project.ok("upgrade", "head")
    assert project.version_rows() == ["cccc00000003"]
    if how == "execute":
        engine = project.engine()
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM seen")).scalars().all() == [
                revs[-1]
            ]
        engine.dispose()
    else:
        assert f"seen_{revs[-1]}" in project.tables()


def test_on_version_apply_reads_the_table_each_step_left(sqlite_project) -> None:
    project = sqlite_project
    seen = project.record_version_applies(
        "[row[0] for row in ctx.bind.exec_driver_sql('SELECT version_num FROM mighub_version')]"
    )
    revs = chain(project, 3)
    project.ok("upgrade", "head")
    assert seen() == [[rev] for rev in revs]


@pytest.mark.parametrize("backend", TRANSACTIONAL)
def test_an_autocommit_block_records_what_it_makes_durable(project, backend) -> None:
    """What an autocommit block commits includes the version rows of the revisions before it,
    so a later failure leaves a version table that matches the schema."""
    concurrently = "CONCURRENTLY " if backend == "postgresql" else ""
    revs = chain(project, 2)
    project.revision(
        "cccc00000003",
        revs[-1],
        "with op.get_context().autocommit_block():\n"
        f'    op.execute("CREATE INDEX {concurrently}ix_first ON t_{revs[0]} (id)")\n'
        'raise RuntimeError("broken after the block")\n',
    )
    result = project.run("upgrade", "head")
    assert result.exit_code == 1
    assert "broken after the block" in result.stderr
    assert project.version_rows() == [revs[-1]]
    assert {f"t_{rev}" for rev in revs} <= project.tables()
    project.ok("downgrade", "base")  # the recorded state is the real one: it undoes cleanly
    assert project.tables() == {"mighub_version"}


def test_a_failure_keeps_nothing_of_the_deferred_rows(project, backend) -> None:
    revs = chain(project, 3)
    project.revision("ffff00000004", revs[-1], 'op.execute("SELECT * FROM no_such_table")')
    assert project.run("upgrade", "head").exit_code == 1
    if backend in TRANSACTIONAL:
        assert project.version_rows() == []
        assert project.tables() == set()
    else:
        assert project.version_rows() == [revs[-1]]


def test_a_revision_id_too_long_for_the_table_fails_in_its_own_revision(sqlite_project) -> None:
    project = sqlite_project
    long_id = "x" * 40
    path = project.revision(long_id, None)
    result = project.run("upgrade", "head")
    assert result.exit_code == 1
    assert f"upgrade of revision {long_id} ({path}) failed" in result.stderr
    assert "longer than the 32 characters" in result.stderr
    assert project.version_rows() == []


rows = st.lists(st.sampled_from("abcdefgh"), unique=True, max_size=6)


@given(before=rows, after=rows)
def test_version_ops_between_turns_one_set_of_rows_into_another(before, after) -> None:
    ops = version_ops_between(before, after)
    assert set(apply_version_ops(before, ops)) == set(after)
    assert len(ops) == max(len(set(before) - set(after)), len(set(after) - set(before)))


@pytest.mark.parametrize("backend", TRANSACTIONAL)
def test_a_version_table_that_cannot_be_written_at_the_end_undoes_the_run(project) -> None:
    revs = chain(project, 2)
    project.revision("cccc00000003", revs[-1], 'op.drop_table("mighub_version")')
    result = project.run("upgrade", "head")
    assert result.exit_code == 1
    error = result.stderr.splitlines()[-1]
    assert error.startswith(
        "Error: recording the new heads (cccc00000003) in mighub_version failed"
    )
    assert error.endswith("the transaction was rolled back (nothing of this run was kept)")
    assert project.tables() == set()
