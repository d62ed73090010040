"""How plugins extend the comparison and the reading of the database, and that reading it takes
a fixed number of queries whatever the number of tables."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from mighub import hookimpl
from mighub.host import PluginHost
from mighub.registries import STOP
from tests.runtime.conftest import fresh_database


def autogen_host(*plugins: object) -> PluginHost:
    """The builtin plugins, the autogenerate plugin, then ``plugins``."""
    host = PluginHost()
    host.load_builtins()
    host.load_project_plugins(["mighub_autogen.plugin"], root=Path.cwd())
    for number, plugin in enumerate(plugins):
        host.register(plugin, f"extension{number}")
    host.check_healthy()
    return host


class DialectRules:
    """What a dialect plugin would register: a synonym, a normaliser, a comparator."""

    @hookimpl
    def mighub_register_comparators(self, registry):
        registry.register_type_synonyms("TEXT", "CLOB", dialect="sqlite")

        def quoted_is_bare(text, info):
            return text.strip("'")

        registry.register_normaliser(quoted_is_bare, kind="server_default", dialect="sqlite")

        def leave_notes_alone(context, alter, schema, table, column, db_column, model_column):
            if column == "notes":
                return STOP
            return None

        registry.register(leave_notes_alone, level="column", dialect="sqlite", priority=10)


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> sa.Engine:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE doc (id INTEGER PRIMARY KEY, body TEXT, notes TEXT NOT NULL, "
            "kind VARCHAR(10) DEFAULT 'a')"
        )
    return engine


def model() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "doc",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("body", sa.CLOB),
        sa.Column("notes", sa.Text, nullable=True),
        sa.Column("kind", sa.String(10), server_default=sa.text("a")),
    )
    return metadata


def test_synonyms_normalisers_and_comparators_from_a_plugin(sqlite_engine: sa.Engine) -> None:
    from mighub_autogen import compare_metadata

    with sqlite_engine.connect() as conn:
        plain = compare_metadata(conn, model(), host=autogen_host())
        kinds = sorted(diff[0] for diff in plain)
        assert kinds == ["modify_default", "modify_nullable", "modify_type"]
        assert compare_metadata(conn, model(), host=autogen_host(DialectRules())) == []


def test_a_comparator_can_add_its_own_operations(sqlite_engine: sa.Engine) -> None:
    from mighub_autogen import produce_migrations, render_python_code

    from mighub.operations import ops

    class Audit:
        @hookimpl
        def mighub_register_comparators(self, registry):
            def grant(context, modify_ops, schema, table_name, db_table, model_table):
                if model_table.info.get("audited"):
                    modify_ops.ops.append(ops.ExecuteSQLOp(f"-- audit {table_name}"))

            registry.register(grant, level="constraint")

    metadata = model()
    metadata.tables["doc"].info["audited"] = True
    host = autogen_host(Audit())
    with sqlite_engine.connect() as conn:
        script = produce_migrations(conn, metadata, host=host, compare_type=False)
        code = render_python_code(script.upgrade_ops, connection=conn, host=host)
    assert "op.execute('-- audit doc')" in code


def test_rendering_for_a_dialect_uses_the_given_host() -> None:
    """Without a connection too, the renderers are the host's, not every installed plugin's."""
    from mighub_autogen import render_python_code

    from mighub.operations import ops

    class Quiet:
        @hookimpl
        def mighub_register_renderers(self, registry):
            registry.register(ops.ExecuteSQLOp, lambda context, op: "pass  # quiet", replace=True)

    upgrade = ops.UpgradeOps([ops.ExecuteSQLOp("SELECT 1")])
    dialect = sa.create_engine("sqlite://").dialect
    code = render_python_code(upgrade, dialect=dialect, host=autogen_host(Quiet()))
    assert "pass  # quiet" in code
    assert "op.execute('SELECT 1')" in render_python_code(upgrade, dialect=dialect)


def test_a_schema_reader_answers_first_and_the_inspector_reads_the_rest(
    sqlite_engine: sa.Engine,
) -> None:
    """A plugin replaces the SQLite reader with its own, which knows of a CHECK constraint."""
    from mighub_autogen import compare_metadata
    from mighub_autogen.dialects.sqlite import read_schema

    calls: list[tuple[str | None, list[str] | None]] = []

    def reader(inspector, schema, names):
        calls.append((schema, names))
        found = dict(read_schema(inspector, schema, names))
        found["check_constraints"] = {
            (schema, "doc"): [{"name": "ck_doc_kind", "sqltext": "kind <> ''"}]
        }
        return found

    class Reader:
        @hookimpl
        def mighub_register_comparators(self, registry):
            registry.register_reader(reader, dialect="sqlite", replace=True)

    host = autogen_host(DialectRules(), Reader())
    assert host.comparators.reader("sqlite") is reader
    with sqlite_engine.connect() as conn:
        diffs = compare_metadata(conn, model(), host=host)
    assert calls == [(None, None)]
    assert [(d[0], d[1].name) for d in diffs] == [("remove_constraint", "ck_doc_kind")]


def test_queries_do_not_grow_with_the_number_of_tables(tmp_path: Path) -> None:
    """PostgreSQL's inspector reads a schema in batches. (MariaDB/MySQL's reads one table at a
    time: there the mysql plugin's schema reader does it, tested with that plugin.)"""
    backend = "postgresql"
    from mighub_autogen import produce_migrations

    def queries_for(tables: int) -> int:
        database = fresh_database(backend, tmp_path)
        url = next(database)
        try:
            metadata = sa.MetaData()
            for number in range(tables):
                sa.Table(
                    f"t{number}",
                    metadata,
                    sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("name", sa.String(20), unique=True),
                    sa.Column("up", sa.Integer, sa.ForeignKey(f"t{max(number - 1, 0)}.id")),
                    sa.Index(f"ix_t{number}_name", "name", "up"),
                )
            engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
            with engine.begin() as conn:
                metadata.create_all(conn)
            statements: list[str] = []
            with engine.connect() as conn:
                sa.event.listen(
                    conn, "before_cursor_execute", lambda *args: statements.append(args[2])
                )
                script = produce_migrations(conn, metadata)
                assert script.upgrade_ops.is_empty()
            engine.dispose()
            return len(statements)
        finally:
            next(database, None)

    assert queries_for(5) == queries_for(40)


def test_a_type_sqlalchemy_does_not_export_renders_through_sa_types(
    sqlite_engine: sa.Engine,
) -> None:
    """SQLite allows a column without a type, which reads back as ``NullType``; there is no
    ``sa.NullType``, so the downgrade that recreates such a table writes ``sa.types.NullType()``
    (a revision that names ``sa.NullType`` fails with an AttributeError instead of SQLAlchemy's
    own 'Can't generate DDL for NullType()')."""
    from mighub_autogen import produce_migrations, render_python_code

    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE legacy (k, v)")
    with sqlite_engine.connect() as conn:
        script = produce_migrations(conn, model(), compare_type=False)
        code = render_python_code(script.downgrade_ops, connection=conn)
    assert "sa.Column('k', sa.types.NullType(), nullable=True)" in code
    assert eval("sa.types.NullType", {"sa": sa}) is sa.types.NullType
