"""The round trip on real databases: autogenerate from nothing, upgrade, check clean,
downgrade to nothing; then each kind of change autogenerates exactly its operation."""

from __future__ import annotations

import builtins
import dis
import importlib.util
import json
import types
from pathlib import Path

from tests.runtime.conftest import MigrationProject


def generated_files(project: MigrationProject) -> list[Path]:
    return sorted(project.versions.glob("*.py"))


def load_script(path: Path) -> types.ModuleType:
    """Import a generated revision as Python does, and check every global name it uses exists."""
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


def test_round_trip(autogen_project: MigrationProject, database_objects) -> None:
    project = autogen_project
    result = project.ok("revision", "--autogenerate", "-m", "initial schema")
    (script,) = generated_files(project)
    assert f"Generated {script}" in result.stdout
    text = script.read_text(encoding="utf-8")
    assert "import roundtrip_types" in text
    assert "roundtrip_types.HexUUID()" in text
    load_script(script)

    project.ok("upgrade", "head")
    check = project.run("check")
    assert check.exit_code == 0, check.stdout + check.stderr
    assert "No differences" in check.stdout

    project.ok("downgrade", "base")
    assert database_objects(project) == {}


def test_check_reports_a_real_difference(autogen_project: MigrationProject, change_models) -> None:
    project = autogen_project
    project.ok("revision", "--autogenerate", "-m", "initial schema")
    project.ok("upgrade", "head")
    change_models("add_column")
    result = project.run("check")
    assert result.exit_code == 1
    assert "add_column: column account.phone is in the models only" in result.stdout
    result = project.run("check", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["clean"] is False
    assert report["differences"] == [
        {
            "kind": "add_column",
            "database": None,
            "schema": None,
            "table": "account",
            "name": "phone",
            "from": None,
            "to": None,
            "message": "column account.phone is in the models only",
        }
    ]


# change -> the operations it must produce: (class name, table, name of what changes, detail)
CHANGES = {
    "add_table": [("CreateTableOp", "visit", None, None)],
    "drop_table": [("DropTableOp", "memo", None, None)],
    "add_column": [("AddColumnOp", "account", "phone", None)],
    "drop_column": [("DropColumnOp", "account", "fax", None)],
    "type": [("AlterColumnOp", "account", "nickname", "type")],
    "nullable": [("AlterColumnOp", "account", "notes", "nullable")],
    "default": [("AlterColumnOp", "account", "ratio", "server_default")],
    "column_comment": [("AlterColumnOp", "account", "name", "comment")],
    "table_comment": [("CreateTableCommentOp", "account", None, None)],
    "add_index": [("CreateIndexOp", "account", "ix_account_level", None)],
    "drop_index": [("DropIndexOp", "category", "ix_category_name", None)],
    "add_unique": [("CreateUniqueConstraintOp", "account", "uq_account_uid", None)],
    "drop_unique": [("DropConstraintOp", "category", "uq_category_parent_id", "unique")],
    "add_fk": [("CreateForeignKeyOp", "category", "fk_category_account_id_account", None)],
    "drop_fk": [("DropConstraintOp", "book", "fk_book_author_id_author", "foreignkey")],
    "fk_option": [
        ("DropConstraintOp", "category", "fk_category_parent_id_category", "foreignkey"),
        ("CreateForeignKeyOp", "category", "fk_category_parent_id_category", None),
    ],
    "add_check": [("CreateCheckConstraintOp", "account", "ck_account_visits_positive", None)],
    "drop_check": [("DropConstraintOp", "category", "ck_category_name_not_empty", "check")],
    "primary_key": [
        ("DropConstraintOp", "account_tag", None, "primary"),
        ("CreatePrimaryKeyOp", "account_tag", "pk_account_tag", None),
    ],
    "identity": [("AlterColumnOp", "tag", "id", "server_default")],
}
NOT_ON = {"sqlite": {"column_comment", "table_comment", "identity"}, "mysql": {"identity"}}


def describe(op) -> tuple:
    from mighub.operations import ops

    name = None
    detail = None
    if isinstance(op, ops.AlterColumnOp):
        name = op.column_name
        changed = [
            what
            for what, value, unset in [
                ("type", op.modify_type, None),
                ("nullable", op.modify_nullable, None),
                ("server_default", op.modify_server_default, ops.NOT_GIVEN),
                ("comment", op.modify_comment, ops.NOT_GIVEN),
            ]
            if value is not unset
        ]
        (detail,) = changed
    elif isinstance(op, (ops.AddColumnOp,)):
        name = op.column.name
    elif isinstance(op, ops.DropColumnOp):
        name = op.column_name
    elif isinstance(op, (ops.CreateIndexOp, ops.DropIndexOp)):
        name = str(op.index_name)
    elif isinstance(op, ops.DropConstraintOp):
        name = None if op.type_ == "primary" else str(op.constraint_name)
        detail = op.type_
    elif hasattr(op, "constraint_name"):
        name = str(op.constraint_name)
    table = getattr(op, "table_name", None) or getattr(op, "source_table", None)
    return (type(op).__name__, table, name, detail)


def flatten(container) -> list:
    from mighub.operations.ops import OpContainer

    out = []
    for op in container.ops:
        out.extend(flatten(op) if isinstance(op, OpContainer) else [op])
    return out


def test_each_change_gives_its_operation(autogen_project: MigrationProject, backend: str) -> None:
    """One database at the initial schema; every change compared against it in turn."""
    import roundtrip_models
    from mighub_autogen import produce_migrations, render_python_code

    project = autogen_project
    project.ok("revision", "--autogenerate", "-m", "initial schema")
    project.ok("upgrade", "head")
    changes = [c for c in sorted(CHANGES) if c not in NOT_ON.get(backend, ())]
    found: dict[str, list[tuple]] = {}
    engine = project.engine()
    try:
        with engine.connect() as connection:
            options = {"include_schemas": backend == "postgresql"}
            baseline = produce_migrations(connection, roundtrip_models.build(backend), **options)
            assert flatten(baseline.upgrade_ops) == []
            for change in changes:
                changed = roundtrip_models.build(backend, **{change: True})
                script = produce_migrations(connection, changed, **options)
                found[change] = [describe(op) for op in flatten(script.upgrade_ops)]
                # the downgrade undoes each operation, and both sides render to valid code
                assert len(flatten(script.downgrade_ops)) == len(found[change])
                for ops in (script.upgrade_ops, script.downgrade_ops):
                    code = render_python_code(ops, connection=connection)
                    compile("def upgrade():\n    " + code, change, "exec")
    finally:
        engine.dispose()
    expected = {change: CHANGES[change] for change in changes}
    if backend == "mysql":
        # the index MariaDB made for the foreign key outlives it: the mysql plugin drops it too
        expected["drop_fk"] = [
            *CHANGES["drop_fk"],
            ("DropIndexOp", "book", "fk_book_author_id_author", None),
        ]
    assert found == expected
