"""Tables created earlier in a run are what later foreign keys of the run refer to."""

from __future__ import annotations

PARENT = 'op.create_table("parent", sa.Column("id", sa.Integer, primary_key=True))'


def foreign_keys(project, table: str) -> list[tuple[list[str], str, list[str]]]:
    return [
        (fk["constrained_columns"], fk["referred_table"], fk["referred_columns"])
        for fk in project.inspect(lambda inspector: inspector.get_foreign_keys(table))
    ]


def column_types(project, table: str) -> dict[str, str]:
    columns = project.inspect(lambda inspector: inspector.get_columns(table))
    return {c["name"]: type(c["type"]).__name__ for c in columns}


def test_a_foreign_key_column_without_a_type_takes_the_created_tables(project) -> None:
    """As in a model: ``sa.Column("parent_id", sa.ForeignKey("parent.id"))`` gets INTEGER."""
    project.revision("aaaa00000001", None, PARENT)
    project.revision(
        "bbbb00000002",
        "aaaa00000001",
        'op.create_table("child", sa.Column("id", sa.Integer, primary_key=True),\n'
        '    sa.Column("parent_id", sa.ForeignKey("parent.id")))',
    )
    project.ok("upgrade", "head")
    assert foreign_keys(project, "child") == [(["parent_id"], "parent", ["id"])]
    assert column_types(project, "child")["parent_id"] == "INTEGER"


def test_a_table_of_an_earlier_revision_is_not_changed_for_a_later_foreign_key(
    sqlite_project,
) -> None:
    """The referred column was added after the table was created: the table the script
    holds is left alone, and the foreign key is still written."""
    project = sqlite_project
    project.revision(
        "aaaa00000001",
        None,
        "parent = " + PARENT + "\n"
        'op.add_column("parent", sa.Column("code", sa.Integer))\n'
        'op.create_table("child", sa.Column("code", sa.Integer, sa.ForeignKey("parent.code")))\n'
        'op.create_table("untouched" if "code" not in parent.c else "touched",\n'
        '    sa.Column("id", sa.Integer))',
    )
    project.ok("upgrade", "head")
    assert "untouched" in project.tables()
    assert foreign_keys(project, "child") == [(["code"], "parent", ["code"])]


def test_a_table_dropped_and_created_again_is_the_new_one(project) -> None:
    project.revision("aaaa00000001", None, PARENT)
    project.revision("bbbb00000002", "aaaa00000001", 'op.drop_table("parent")')
    project.revision(
        "cccc00000003",
        "bbbb00000002",
        'op.create_table("parent", sa.Column("id", sa.Integer, primary_key=True),\n'
        '    sa.Column("code", sa.String(10), nullable=False, unique=True))',
    )
    project.revision(
        "dddd00000004",
        "cccc00000003",
        'op.create_table("child", sa.Column("id", sa.Integer, primary_key=True),\n'
        '    sa.Column("parent_code", sa.ForeignKey("parent.code")))',
    )
    project.ok("upgrade", "head")
    assert foreign_keys(project, "child") == [(["parent_code"], "parent", ["code"])]
    assert column_types(project, "child")["parent_code"] == "VARCHAR"
