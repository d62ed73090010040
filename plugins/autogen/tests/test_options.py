"""Autogenerate's options, filters, rewriting hooks and errors, through env.py and the API."""

from __future__ import annotations

import json
import textwrap

import pytest

from tests.runtime.conftest import MigrationProject


@pytest.fixture
def backend() -> str:
    """Options behave alike everywhere; SQLite is the quickest to show it."""
    return "sqlite"


def configure_env(project: MigrationProject, options: str, prelude: str = "") -> None:
    """Add keywords to env.py's online configure() call (and code before it)."""
    env_py = project.root / "migrations" / "env.py"
    text = env_py.read_text(encoding="utf-8")
    call = "context.configure(connection=connection, target_metadata=target_metadata"
    assert call in text
    text = text.replace(call, f"{call}, {options}")
    text = text.replace(
        "def run_migrations_offline", textwrap.dedent(prelude) + "\n\ndef run_migrations_offline"
    )
    env_py.write_text(text, encoding="utf-8")


def migrate_to_models(project: MigrationProject) -> None:
    project.ok("revision", "--autogenerate", "-m", "initial")
    project.ok("upgrade", "head")


def newest(project: MigrationProject) -> str:
    path = max(project.versions.glob("*.py"), key=lambda p: p.stat().st_mtime_ns)
    return path.read_text(encoding="utf-8")


def test_render_as_batch(autogen_project: MigrationProject, change_models) -> None:
    migrate_to_models(autogen_project)
    configure_env(autogen_project, "render_as_batch=True")
    change_models("add_column", "drop_index")
    autogen_project.ok("revision", "--autogenerate", "-m", "batch")
    text = newest(autogen_project)
    assert "with op.batch_alter_table('account') as batch_op:" in text
    assert (
        "        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=True))"
        in text
    )
    assert "with op.batch_alter_table('category') as batch_op:" in text
    assert "batch_op.drop_index(batch_op.f('ix_category_name'))" in text


def test_render_item_and_user_module_prefix(autogen_project: MigrationProject) -> None:
    configure_env(
        autogen_project,
        "render_item=render_item, user_module_prefix='project_types.'",
        prelude="""
        def render_item(type_, obj, autogen_context):
            if type_ == "type" and type(obj).__name__ == "JSONText":
                autogen_context.imports.add("from roundtrip_types import JSONText")
                return "JSONText()"
            if type_ == "check":
                return None
            return False
        """,
    )
    autogen_project.ok("revision", "--autogenerate", "-m", "initial")
    text = newest(autogen_project)
    assert "from roundtrip_types import JSONText" in text
    assert "sa.Column('preferences', JSONText(), nullable=True)" in text
    assert "project_types.HexUUID()" in text
    assert "import roundtrip_types" not in text  # the prefix replaces the module
    assert "CheckConstraint" not in text


def test_include_name_and_include_object(autogen_project: MigrationProject, change_models) -> None:
    migrate_to_models(autogen_project)
    configure_env(
        autogen_project,
        "include_name=include_name, include_object=include_object",
        prelude="""
        def include_name(name, type_, parent_names):
            return not (type_ == "table" and name == "memo")

        def include_object(obj, name, type_, reflected, compare_to):
            return not (type_ == "column" and name == "phone")
        """,
    )
    # memo is dropped from the models, phone added: both filtered out
    change_models("drop_table", "add_column", "add_index")
    result = autogen_project.run("check", "--json")
    report = json.loads(result.stdout)
    assert [(d["kind"], d["name"]) for d in report["differences"]] == [
        ("add_index", "ix_account_level")
    ]


def test_version_table_never_appears(autogen_project: MigrationProject) -> None:
    config = autogen_project.root / "mighub.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + '\nversion_table = "schema_history"\n',
        encoding="utf-8",
    )
    migrate_to_models(autogen_project)
    assert "schema_history" in autogen_project.tables()
    result = autogen_project.run("check")
    assert result.exit_code == 0, result.stdout
    assert "schema_history" not in result.stdout


def test_process_revision_directives_and_rewriter(
    autogen_project: MigrationProject, change_models
) -> None:
    """A Rewriter splits a NOT NULL add_column in two; a hook renames the revision."""
    migrate_to_models(autogen_project)
    configure_env(
        autogen_project,
        "process_revision_directives=writer",
        prelude="""
        from mighub.operations import ops
        from mighub_autogen import Rewriter

        writer = Rewriter()

        @writer.rewrites(ops.AddColumnOp)
        def nullable_first(context, revision, op):
            if op.column.nullable:
                return op
            op.column.nullable = True
            tighten = ops.AlterColumnOp(
                op.table_name, op.column.name, schema=op.schema,
                existing_type=op.column.type, modify_nullable=False,
            )
            return [op, tighten]

        def rename_message(context, revision, directives):
            directives[0].message = "rewritten: " + (directives[0].message or "")

        writer = writer.chain(Rewriter())
        _writer = writer

        def writer(context, revision, directives):
            _writer(context, revision, directives)
            rename_message(context, revision, directives)
        """,
    )
    models = autogen_project.root / "models.py"
    models.write_text(
        models.read_text(encoding="utf-8")
        + "\nimport sqlalchemy as sa\n"
        + "metadata.tables['memo'].append_column("
        + "sa.Column('title', sa.String(20), nullable=False, server_default='x'))\n",
        encoding="utf-8",
    )
    change_models()  # models.py is read again
    autogen_project.ok("revision", "--autogenerate", "-m", "add title")
    (script,) = [p for p in autogen_project.versions.glob("*rewritten*.py")]
    text = script.read_text(encoding="utf-8")
    assert '"""rewritten: add title' in text
    add = text.index("sa.Column('title', sa.String(length=20), server_default='x', nullable=True)")
    alter = text.index(
        "op.alter_column('memo', 'title', existing_type=sa.String(length=20), nullable=False)"
    )
    assert add < alter


def test_process_revision_directives_may_write_nothing(
    autogen_project: MigrationProject,
) -> None:
    configure_env(
        autogen_project,
        "process_revision_directives=skip_empty",
        prelude="""
        def skip_empty(context, revision, directives):
            if directives[0].upgrade_ops.is_empty():
                directives[:] = []
        """,
    )
    migrate_to_models(autogen_project)
    before = sorted(autogen_project.versions.glob("*.py"))
    result = autogen_project.ok("revision", "--autogenerate", "-m", "nothing")
    assert sorted(autogen_project.versions.glob("*.py")) == before
    assert "left nothing to write" in result.stdout


def test_not_at_heads_names_the_pending_revisions(autogen_project: MigrationProject) -> None:
    autogen_project.ok("revision", "--autogenerate", "-m", "initial", "--rev-id", "aaa111")
    result = autogen_project.run("check")
    assert result.exit_code == 1
    assert (
        "Error: the database is not at the heads of the scripts: 1 revision(s) not applied "
        "(aaa111); run 'mighub upgrade heads' first"
    ) in result.stderr
    result = autogen_project.run("check", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["clean"] is False
    assert report["pending"] == ["aaa111"]
    assert report["database_heads"] == []
    result = autogen_project.run("revision", "--autogenerate", "-m", "again")
    assert result.exit_code == 1
    assert "(aaa111)" in result.stderr


def test_no_target_metadata_is_an_error_naming_env_py(sqlite_project: MigrationProject) -> None:
    result = sqlite_project.run("revision", "--autogenerate", "-m", "x")
    assert result.exit_code == 1
    env_py = sqlite_project.root / "migrations" / "env.py"
    assert f"Error: {env_py}: context.configure() got no target_metadata" in result.stderr
    assert list(sqlite_project.versions.glob("*.py")) == []


def test_plain_revision_does_not_run_env_py(sqlite_project: MigrationProject) -> None:
    env_py = sqlite_project.root / "migrations" / "env.py"
    env_py.write_text("raise RuntimeError('env.py must not run')\n", encoding="utf-8")
    result = sqlite_project.ok("revision", "-m", "by hand")
    (script,) = sqlite_project.versions.glob("*.py")
    assert f"Generated {script}" in result.stdout
    text = script.read_text(encoding="utf-8")
    assert 'def upgrade() -> None:\n    """Upgrade the schema."""\n    pass' in text


def test_revision_environment_runs_env_py_for_plain_revisions(
    sqlite_project: MigrationProject,
) -> None:
    config = sqlite_project.root / "mighub.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + "\nrevision_environment = true\n", encoding="utf-8"
    )
    env_py = sqlite_project.root / "migrations" / "env.py"
    text = env_py.read_text(encoding="utf-8").replace(
        "context.configure(connection=connection, target_metadata=target_metadata",
        "context.configure(connection=connection, target_metadata=target_metadata, "
        "process_revision_directives=lambda c, r, d: setattr(d[0], 'rev_id', 'fromenv01')",
    )
    env_py.write_text(text, encoding="utf-8")
    sqlite_project.ok("revision", "-m", "plain")
    assert [p.name for p in sqlite_project.versions.glob("*.py")] == ["fromenv01_plain.py"]


def documented_keys(section: str) -> list[str]:
    """The keys of the table that follows ``section`` in docs/autogenerate.md."""
    from pathlib import Path

    docs = Path(__file__).resolve().parents[3] / "docs" / "autogenerate.md"
    text = docs.read_text(encoding="utf-8")
    table = text[text.index(section) :].split("\n\n")[1]
    return [line.split("|")[1].strip().strip("`") for line in table.splitlines()[2:]]


def test_check_json_keys_are_the_documented_ones(
    autogen_project: MigrationProject, change_models
) -> None:
    migrate_to_models(autogen_project)
    change_models("add_column")
    report = json.loads(autogen_project.run("check", "--json").stdout)
    assert list(report) == documented_keys("`mighub check --json` prints one object:")
    (difference,) = report["differences"]
    assert list(difference) == documented_keys("Each difference:")


MULTIDB_MODELS = """\
import os

import sqlalchemy as sa

one = sa.MetaData()
two = sa.MetaData()
sa.Table("in_one", one, sa.Column("id", sa.Integer, primary_key=True))
sa.Table("in_two", two, sa.Column("id", sa.Integer, primary_key=True))
if os.environ.get("MIGHUB_TEST_MODEL_CHANGES"):
    sa.Table("more_in_two", two, sa.Column("id", sa.Integer, primary_key=True))
"""


def test_multidb_template_gets_each_databases_operations(
    tmp_path, capsys, monkeypatch, change_models
) -> None:
    root = tmp_path / "project"
    root.mkdir()
    monkeypatch.chdir(root)
    project = MigrationProject(root, "", capsys)
    project.ok("-q", "init", "migrations", "-t", "multidb")
    one, two = f"sqlite:///{tmp_path / 'one.db'}", f"sqlite:///{tmp_path / 'two.db'}"
    config = root / "mighub.toml"
    config.write_text(
        config.read_text()
        .replace('url = "sqlite:///engine1.db"', f'url = "{one}"')
        .replace('url = "sqlite:///engine2.db"', f'url = "{two}"')
    )
    (root / "models.py").write_text(MULTIDB_MODELS, encoding="utf-8")
    env_py = root / "migrations" / "env.py"
    env_py.write_text(
        env_py.read_text().replace(
            "target_metadata: dict = {}",
            "import models\n\ntarget_metadata = {'engine1': models.one, 'engine2': models.two}",
        )
    )
    change_models()
    project.ok("revision", "--autogenerate", "-m", "both", "--rev-id", "cccc00000001")
    text = (root / "migrations" / "versions" / "cccc00000001_both.py").read_text()
    engine1 = text[text.index("def upgrade_engine1") : text.index("def downgrade_engine1")]
    engine2 = text[text.index("def upgrade_engine2") : text.index("def downgrade_engine2")]
    assert "op.create_table(\n        'in_one'" in engine1 and "in_two" not in engine1
    assert "op.create_table(\n        'in_two'" in engine2 and "in_one" not in engine2
    project.ok("upgrade", "head")
    assert project.run("check").exit_code == 0
    change_models("more")
    report = json.loads(project.run("check", "--json").stdout)
    assert [(d["database"], d["kind"], d["table"]) for d in report["differences"]] == [
        ("engine2", "add_table", "more_in_two")
    ]


def test_revision_keeps_every_core_option() -> None:
    from mighub_autogen.commands import revision

    from mighub.commands.graph import revision as core

    # The core's hidden --autogenerate only says the plugin is missing; this one does the work.
    core_options = [p.opts for p in core.params if p.name != "autogenerate"]
    assert [p.opts for p in revision.params if p.name != "autogenerate"] == core_options
    assert [p.opts for p in revision.params if p.name == "autogenerate"] == [["--autogenerate"]]
