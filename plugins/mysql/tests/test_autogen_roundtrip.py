"""The MariaDB round trip through the real CLI: autogenerate from an empty database,
upgrade, check clean, downgrade to nothing, upgrade again.

The model holds what MariaDB spells its own way: ENUM, BOOLEAN (TINYINT(1)),
server defaults (which MariaDB reflects quoted or rewritten), comments on
tables and columns, and foreign keys (each with the index MariaDB adds).
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

from tests.runtime.conftest import MigrationProject, fresh_database, make_project

MODELS = """\
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

author = sa.Table(
    "author",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(100), nullable=False, comment="as printed"),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("level", sa.Enum("new", "regular", "star", name="level"), server_default="new"),
    sa.Column("joined", sa.DateTime, nullable=False, server_default=sa.func.now()),
    sa.Column("score", sa.Numeric(6, 2), server_default="0.00"),
    sa.UniqueConstraint("name"),
    comment="who writes books",
)
book = sa.Table(
    "book",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("author_id", sa.Integer, sa.ForeignKey("author.id", ondelete="CASCADE")),
    sa.Column("title", sa.String(200), nullable=False, server_default=""),
    sa.Column("format", mysql.ENUM("paper", "ebook"), nullable=False, comment="how sold"),
    sa.Column("in_print", sa.Boolean, server_default=sa.false()),
    sa.Column("pages", sa.Integer, server_default=sa.text("100")),
    sa.Index("ix_book_title", "title"),
)
review = sa.Table(
    "review",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("book_id", sa.Integer, sa.ForeignKey("book.id"), nullable=False),
    sa.Column("reviewer_id", sa.Integer, sa.ForeignKey("author.id"), nullable=False),
    sa.Column("body", sa.Text, comment="what they said"),
)
"""

ENV_TARGET = "from models import metadata as target_metadata\n"


@pytest.fixture
def roundtrip_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[MigrationProject]:
    """A project on a fresh MariaDB database, its env.py comparing with models.py."""
    monkeypatch.chdir(tmp_path)
    database = fresh_database("mysql", tmp_path)
    url = next(database)
    try:
        project = make_project(tmp_path / "project", url, capsys)
        (project.root / "models.py").write_text(MODELS, encoding="utf-8")
        env_py = project.root / "migrations" / "env.py"
        text = env_py.read_text(encoding="utf-8")
        env_py.write_text(text.replace("target_metadata = None\n", ENV_TARGET), encoding="utf-8")
        monkeypatch.syspath_prepend(str(project.root))
        sys.modules.pop("models", None)
        yield project
    finally:
        sys.modules.pop("models", None)
        next(database, None)


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


def schema(project: MigrationProject) -> dict[str, list[str]]:
    """What information_schema lists in the project's database, by kind."""
    queries = {
        "tables": "SELECT table_name FROM information_schema.tables",
        "columns": "SELECT CONCAT(table_name, '.', column_name, ' ', column_type, ' ', "
        "is_nullable, ' ', COALESCE(column_default, '-'), ' ', column_comment) "
        "FROM information_schema.columns",
        "indexes": "SELECT DISTINCT CONCAT(table_name, '.', index_name) "
        "FROM information_schema.statistics",
        "constraints": "SELECT CONCAT(table_name, '.', constraint_name, ' ', constraint_type) "
        "FROM information_schema.table_constraints",
        "table comments": "SELECT CONCAT(table_name, ' ', table_comment) "
        "FROM information_schema.tables",
    }
    engine = project.engine()
    try:
        with engine.connect() as conn:
            where = " WHERE table_schema = DATABASE()"
            return {
                kind: sorted(conn.exec_driver_sql(sql + where).scalars())
                for kind, sql in queries.items()
            }
    finally:
        engine.dispose()


def test_round_trip_through_the_cli(roundtrip_project: MigrationProject) -> None:
    project = roundtrip_project
    empty = schema(project)
    assert empty["tables"] == []
    result = project.ok("revision", "--autogenerate", "-m", "initial schema")
    (script,) = sorted(project.versions.glob("*.py"))
    assert f"Generated {script}" in result.stdout
    load_script(script)

    project.ok("upgrade", "head")
    built = schema(project)
    assert built["tables"] == ["author", "book", "mighub_version", "review"]
    assert "author who writes books" in built["table comments"]
    assert "book.format enum('paper','ebook') NO - how sold" in built["columns"]
    assert "author.active tinyint(1) NO 1 " in built["columns"]
    assert "review.fk_review_book_id_book FOREIGN KEY" in built["constraints"]

    check = project.run("check")
    assert check.exit_code == 0, check.stdout + check.stderr
    assert "No differences" in check.stdout

    project.ok("downgrade", "base")
    assert schema(project)["tables"] == ["mighub_version"]
    assert [c for c in schema(project)["columns"] if not c.startswith("mighub_version.")] == []

    project.ok("upgrade", "head")
    assert schema(project) == built
    check = project.run("check")
    assert check.exit_code == 0, check.stdout + check.stderr

    # and check is not blind to what it found equal: change a default, a comment, an ENUM
    changed = (
        MODELS.replace('server_default="0.00"', 'server_default="1.00"')
        .replace('comment="how sold"', 'comment="how it sells"')
        .replace('"new", "regular", "star"', '"new", "regular", "star", "gone"')
    )
    (project.root / "models.py").write_text(changed, encoding="utf-8")
    sys.modules.pop("models", None)
    check = project.run("check")
    assert check.exit_code == 1, check.stdout + check.stderr
    lines = [line for line in check.stdout.splitlines() if line.strip()]
    assert lines[1:] == [
        "  modify_type: column author.level type: ENUM('new', 'regular', 'star') -> "
        "Enum('new', 'regular', 'star', 'gone', name='level')",
        "  modify_default: column author.score server default: 0.00 -> 1.00",
        "  modify_comment: column book.format comment: 'how sold' -> 'how it sells'",
    ]
