"""The PostgreSQL round trip through the real CLI: autogenerate from an empty database,
upgrade, check clean, downgrade to nothing, upgrade again.

The model holds what PostgreSQL adds to the generic schema: a named ENUM
shared by two tables in two schemas (and one more ENUM), an identity column,
an expression index and an exclusion constraint on a range.
"""

from __future__ import annotations

import builtins
import dis
import importlib.util
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.runtime.conftest import MigrationProject

MODELS = """\
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
status = postgresql.ENUM("draft", "live", "gone", name="status", metadata=metadata)
room_kind = postgresql.ENUM("small", "large", name="room_kind", metadata=metadata)

room = sa.Table(
    "room",
    metadata,
    sa.Column("id", sa.Integer, sa.Identity(always=True), primary_key=True),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("kind", room_kind, nullable=False, server_default="small"),
    sa.Column("status", status, nullable=False),
    sa.Index("ix_room_lower_name", sa.func.lower(sa.text("name")), unique=True),
)
booking = sa.Table(
    "booking",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(start=100), primary_key=True),
    sa.Column("room_id", sa.Integer, sa.ForeignKey("room.id"), nullable=False),
    sa.Column("during", postgresql.TSRANGE, nullable=False),
    sa.Column("status", status, nullable=False),
    postgresql.ExcludeConstraint(
        ("during", "&&"),
        name="ex_booking_no_overlap",
        using="gist",
        where=sa.text("status <> 'gone'"),
    ),
)
history = sa.Table(
    "booking_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("status", status, nullable=False),
    sa.Column("during", postgresql.TSRANGE),
    postgresql.ExcludeConstraint(("during", "&&"), name="ex_history_during", using="gist"),
    schema="audit",
)
sa.Index("ix_booking_room_upper", booking.c.room_id, sa.func.upper(booking.c.during))
"""

ENV_TARGET = "from models import metadata as target_metadata\n"


@pytest.fixture
def roundtrip_project(project: MigrationProject) -> Iterator[MigrationProject]:
    """The PostgreSQL project, its env.py comparing with models.py across schemas."""
    (project.root / "models.py").write_text(MODELS, encoding="utf-8")
    env_py = project.root / "migrations" / "env.py"
    text = env_py.read_text(encoding="utf-8").replace("target_metadata = None\n", ENV_TARGET)
    text = text.replace(
        "context.configure(connection=connection, target_metadata=target_metadata)",
        "context.configure(connection=connection, target_metadata=target_metadata, "
        "include_schemas=True)",
    )
    env_py.write_text(text, encoding="utf-8")
    engine = project.engine()
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE SCHEMA audit")
    engine.dispose()
    sys.path.insert(0, str(project.root))
    sys.modules.pop("models", None)
    try:
        yield project
    finally:
        sys.path.remove(str(project.root))
        sys.modules.pop("models", None)


def load_script(path: Path) -> types.ModuleType:
    """Import a generated revision, and check every global name it uses is defined."""
    spec = importlib.util.spec_from_file_location(f"generated_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for function in (module.upgrade, module.downgrade):
        missing = sorted(
            name
            for name in _global_names(function.__code__)
            if name not in vars(module) and not hasattr(builtins, name)
        )
        assert not missing, f"{path.name} uses {missing} without importing them"
    return module


def _global_names(code: types.CodeType) -> set[str]:
    names = {i.argval for i in dis.get_instructions(code) if i.opname == "LOAD_GLOBAL"}
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


CATALOG = {
    "tables": """
        SELECT n.nspname || '.' || c.relname FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname IN ('public', 'audit')
    """,
    "sequences": """
        SELECT n.nspname || '.' || c.relname FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'S' AND n.nspname IN ('public', 'audit')
    """,
    "indexes": """
        SELECT n.nspname || '.' || c.relname FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'i' AND n.nspname IN ('public', 'audit')
    """,
    "types": """
        SELECT n.nspname || '.' || t.typname FROM pg_type t
        JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE t.typtype IN ('e', 'd', 'c', 'r') AND n.nspname IN ('public', 'audit')
          AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.reltype = t.oid)
    """,
    "constraints": """
        SELECT n.nspname || '.' || con.conname FROM pg_constraint con
        JOIN pg_namespace n ON n.oid = con.connamespace
        WHERE n.nspname IN ('public', 'audit')
    """,
}


def catalog(project: MigrationProject) -> dict[str, list[str]]:
    """What pg_catalog lists in the project's schemas, by kind."""
    engine = project.engine()
    try:
        with engine.connect() as conn:
            return {
                kind: sorted(conn.exec_driver_sql(sql).scalars()) for kind, sql in CATALOG.items()
            }
    finally:
        engine.dispose()


VERSION_TABLE_ONLY = {
    "tables": ["public.mighub_version"],
    "sequences": [],
    "indexes": ["public.mighub_version_pkc"],
    "types": [],
    "constraints": ["public.mighub_version_pkc"],
}


def test_round_trip_through_the_cli(roundtrip_project: MigrationProject) -> None:
    project = roundtrip_project
    result = project.ok("revision", "--autogenerate", "-m", "initial schema")
    (script,) = sorted(project.versions.glob("*.py"))
    assert f"Generated {script}" in result.stdout
    text = script.read_text(encoding="utf-8")
    # the exclusion constraints are written inside create_table, where-clause and all
    assert (
        "postgresql.ExcludeConstraint(('during', '&&'), name='ex_booking_no_overlap', "
        "where=sa.text(\"status <> 'gone'\"), using='gist')" in text
    )
    assert "postgresql.ExcludeConstraint(('during', '&&'), name='ex_history_during'" in text
    load_script(script)

    project.ok("upgrade", "head")
    built = catalog(project)
    assert "public.booking_id_seq" in built["sequences"]
    assert {"public.status", "public.room_kind"} <= set(built["types"])
    assert {"public.ex_booking_no_overlap", "audit.ex_history_during"} <= set(built["constraints"])
    assert {"public.ix_room_lower_name", "public.ix_booking_room_upper"} <= set(built["indexes"])

    check = project.run("check")
    assert check.exit_code == 0, check.stdout + check.stderr
    assert "No differences" in check.stdout

    project.ok("downgrade", "base")
    assert catalog(project) == VERSION_TABLE_ONLY

    project.ok("upgrade", "head")
    assert catalog(project) == built
    check = project.run("check")
    assert check.exit_code == 0, check.stdout + check.stderr


def test_an_exclusion_constraint_renders_as_code_that_rebuilds_it() -> None:
    """Expressions and where as ``sa.text()``, a convention's name as ``op.f()``."""
    from types import SimpleNamespace

    from mighub_postgresql.autogen.render import render_exclude_constraint
    from sqlalchemy.dialects import postgresql

    metadata = sa.MetaData(
        naming_convention={postgresql.ExcludeConstraint: "ex_%(table_name)s_span"}
    )
    table = sa.Table(
        "slot",
        metadata,
        sa.Column("starts", sa.DateTime),
        sa.Column("ends", sa.DateTime),
        sa.Column("room", sa.Integer),
        postgresql.ExcludeConstraint(
            (sa.func.tsrange(sa.column("starts"), sa.column("ends")), "&&"),
            ("room", "="),
            where=sa.column("room") > 0,
            ops={"room": "int4_ops"},
        ),
    )
    (constraint,) = [c for c in table.constraints if isinstance(c, postgresql.ExcludeConstraint)]
    context = SimpleNamespace(imports=set(), op_prefix="op.")
    text = render_exclude_constraint(context, constraint)
    assert text == (
        "postgresql.ExcludeConstraint((sa.text('tsrange(starts, ends)'), '&&'), ('room', '='), "
        "name=op.f('ex_slot_span'), where=sa.text('room > 0'), using='gist', "
        "ops={'room': 'int4_ops'})"
    )
    assert context.imports == {
        "import sqlalchemy as sa",
        "from sqlalchemy.dialects import postgresql",
    }
    # the code builds the same constraint DDL on a table of the same columns
    op = SimpleNamespace(f=sa.sql.elements.conv)
    rebuilt = eval(text, {"sa": sa, "postgresql": postgresql, "op": op})
    sa.Table("slot", sa.MetaData(), *(c._copy() for c in table.columns), rebuilt)
    dialect = postgresql.dialect()
    ddl = str(sa.schema.AddConstraint(rebuilt).compile(dialect=dialect))
    assert ddl == str(sa.schema.AddConstraint(constraint).compile(dialect=dialect))
