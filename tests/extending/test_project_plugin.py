"""A project plugin named in the configuration: its operations in revisions, and its commands.

The plugin is ``tests/fixtures/project_plugins/views.py`` (the example of
docs/plugins.md): ``op.create_view`` / ``op.drop_view``, ``batch_op.create_view``,
a SQLite implementation, renderers, and the commands ``views`` and ``seed``.
Every test drives the real CLI on a real database of each backend.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.runtime.conftest import MigrationProject

PLUGIN = Path(__file__).resolve().parents[1] / "fixtures" / "project_plugins" / "views.py"

ACCOUNT = """\
op.create_table(
    "account",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False),
    sa.Column("active", sa.Integer, nullable=False, server_default="1"),
)
"""
SELECT = "SELECT id, name FROM account WHERE active = 1"
WIDER = "SELECT id, name, active FROM account WHERE active = 1"


def use_plugin(project: MigrationProject) -> None:
    shutil.copy(PLUGIN, project.root / "views.py")
    config = project.root / "mighub.toml"
    config.write_text(config.read_text() + '\nplugins = ["views.py"]\n')


def with_views(project: MigrationProject) -> None:
    """Two revisions: the table, then a view of it made by the plugin's operation."""
    use_plugin(project)
    project.revision("aaaa00000001", None, ACCOUNT, 'op.drop_table("account")')
    project.revision(
        "bbbb00000002",
        "aaaa00000001",
        f'op.create_view("active_accounts", "{SELECT}")',
        'op.drop_view("active_accounts")',
    )


def views(project: MigrationProject) -> list[str]:
    engine = project.engine()
    try:
        with engine.connect() as conn:
            return sorted(sa.inspect(conn).get_view_names())
    finally:
        engine.dispose()


def query(project: MigrationProject, sql: str) -> list[tuple]:
    engine = project.engine()
    try:
        with engine.begin() as conn:
            result = conn.execute(sa.text(sql))
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


# -- the operation, online and offline, forward and back -----------------------------


def test_mighub_register_operations_from_a_project_plugin_run_forward_and_back(
    project: MigrationProject,
) -> None:
    with_views(project)
    project.ok("upgrade", "head")
    assert views(project) == ["active_accounts"]
    query(project, "INSERT INTO account (id, name, active) VALUES (1, 'ann', 1), (2, 'bob', 0)")
    assert query(project, "SELECT id, name FROM active_accounts") == [(1, "ann")]
    assert project.ok("views").stdout == "active_accounts\n"

    project.ok("downgrade", "-1")
    assert views(project) == []
    assert project.version_rows() == ["aaaa00000001"]
    assert project.ok("views").stdout == "(no views)\n"
    project.ok("upgrade", "head")
    assert views(project) == ["active_accounts"]


def test_revision_writes_the_project_operation_offline(project: MigrationProject) -> None:
    with_views(project)
    upgrade = project.ok("upgrade", "aaaa00000001:head", "--sql").stdout
    assert f"CREATE VIEW active_accounts AS {SELECT};\n" in upgrade
    downgrade = project.ok("downgrade", "bbbb00000002:aaaa00000001", "--sql").stdout
    assert "DROP VIEW active_accounts;\n" in downgrade
    assert views(project) == []  # offline touches no database
    assert project.tables() == set()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "mysql"])
def test_the_dialect_specific_implementation_wins(project: MigrationProject, backend: str) -> None:
    with_views(project)
    project.revision(
        "cccc00000003",
        "bbbb00000002",
        f'op.create_view("active_accounts", "{WIDER}", replace=True)',
        # PostgreSQL's OR REPLACE may add columns to a view, never drop them:
        f'op.drop_view("active_accounts")\nop.create_view("active_accounts", "{SELECT}")',
    )
    sql = project.ok("upgrade", "bbbb00000002:head", "--sql").stdout
    if backend == "sqlite":  # no CREATE OR REPLACE VIEW: the plugin's SQLite implementation
        expected = "DROP VIEW IF EXISTS active_accounts;\n\nCREATE VIEW active_accounts AS"
    else:
        expected = "CREATE OR REPLACE VIEW active_accounts AS"
    assert f"{expected} {WIDER};\n" in sql

    project.ok("upgrade", "head")
    query(project, "INSERT INTO account (id, name) VALUES (7, 'cy')")
    assert query(project, "SELECT * FROM active_accounts") == [(7, "cy", 1)]
    project.ok("downgrade", "-1")
    assert query(project, "SELECT * FROM active_accounts") == [(7, "cy")]


def test_batch_form_makes_a_view_of_the_batch_table(project: MigrationProject) -> None:
    """``batch_op.create_view`` in place, and after a batch that recreates the table."""
    use_plugin(project)
    project.revision("aaaa00000001", None, ACCOUNT, 'op.drop_table("account")')
    project.revision(
        "bbbb00000002",
        "aaaa00000001",
        """
        with op.batch_alter_table("account") as batch_op:
            batch_op.add_column(sa.Column("email", sa.String(80)))
            batch_op.create_view("account_emails", columns="id, email")
        with op.batch_alter_table("account") as batch_op:  # SQLite: recreated, then the view
            batch_op.alter_column(
                "name", type_=sa.String(100), existing_type=sa.String(50), existing_nullable=False
            )
            batch_op.create_view("account_names", columns="id, name")
        """,
        """
        op.drop_view("account_names")
        op.drop_view("account_emails")
        with op.batch_alter_table("account") as batch_op:
            batch_op.alter_column(
                "name", type_=sa.String(50), existing_type=sa.String(100), existing_nullable=False
            )
            batch_op.drop_column("email")
        """,
    )
    project.revision(
        "cccc00000003",
        "bbbb00000002",
        """
        with op.batch_alter_table("account", recreate="always") as batch_op:
            batch_op.alter_column("email", new_column_name="mail", existing_type=sa.String(80))
            batch_op.create_view("active_mail", columns="id, mail", where="active = 1")
        """,
        """
        op.drop_view("active_mail")
        with op.batch_alter_table("account", recreate="always") as batch_op:
            batch_op.alter_column("mail", new_column_name="email", existing_type=sa.String(80))
        """,
    )
    project.ok("upgrade", "bbbb00000002")
    assert views(project) == ["account_emails", "account_names"]
    project.ok("upgrade", "head")
    assert views(project) == ["account_emails", "account_names", "active_mail"]
    query(project, "INSERT INTO account (id, name, mail) VALUES (1, 'ann', 'a@x')")
    assert query(project, "SELECT * FROM active_mail") == [(1, "a@x")]
    project.ok("downgrade", "aaaa00000001")
    assert views(project) == []
    assert project.version_rows() == ["aaaa00000001"]


def test_mighub_register_renderers_and_reverse_write_a_working_downgrade(sqlite_project) -> None:
    """What autogenerate will do: render an operation for upgrade() and its reverse for
    downgrade(), then run the script both ways."""
    from mighub.host import PluginHost
    from mighub.operations import IrreversibleOperationError

    project = sqlite_project
    use_plugin(project)
    host = PluginHost.for_cli(project_plugins=["views.py"], project_root=project.root)
    host.check_healthy()
    module = next(p for p in host.pm.get_plugins() if getattr(p, "CreateViewOp", None))
    create = module.CreateViewOp("active_accounts", SELECT)

    def render(operation):
        return host.renderers.get(type(operation))(None, operation)

    assert render(create) == f"op.create_view('active_accounts', '{SELECT}')"
    assert render(create.reverse()) == "op.drop_view('active_accounts')"
    assert render(create.reverse().reverse()) == render(create)
    with pytest.raises(IrreversibleOperationError, match=r"^op\.drop_view cannot be reversed$"):
        module.DropViewOp("active_accounts").reverse()

    project.revision("aaaa00000001", None, ACCOUNT, 'op.drop_table("account")')
    project.revision("bbbb00000002", "aaaa00000001", render(create), render(create.reverse()))
    project.ok("upgrade", "head")
    assert views(project) == ["active_accounts"]
    project.ok("downgrade", "aaaa00000001")
    assert views(project) == []


# -- the commands -----------------------------------------------------------------------


def test_help_lists_the_project_commands_under_the_plugin(sqlite_project) -> None:
    use_plugin(sqlite_project)
    text = sqlite_project.ok("--help").stdout
    section = text.split("Commands from views:\n", 1)[1]
    assert [line.split()[0] for line in section.strip().splitlines()] == ["seed", "views"]


DUPLICATE_KEY = {
    "sqlite": "IntegrityError",
    "postgresql": "UniqueViolation",
    "mysql": "IntegrityError",
}
"""The driver's exception for a duplicate key, as the error names it."""


def test_seed_uses_the_database_env_py_connects_to(project: MigrationProject, backend: str) -> None:
    with_views(project)
    refused = project.run("seed")
    assert (refused.exit_code, refused.stdout) == (1, "")
    assert refused.stderr == (
        "Error: seed: the database is at base, not at bbbb00000002; "
        "run 'mighub upgrade heads' first\n"
    )
    assert project.tables() == set()  # the command created no version table

    project.ok("upgrade", "head")
    assert project.ok("seed").stdout == "seeded 2 rows into account\n"
    assert query(project, "SELECT id, name FROM account ORDER BY id") == [
        (1, "admin"),
        (2, "guest"),
    ]

    again = project.run("seed")
    assert again.exit_code == 1
    assert again.stderr.count("\n") == 1
    assert again.stderr.startswith(f"Error: seed failed: {DUPLICATE_KEY[backend]}: ")
    assert "; SQL: INSERT INTO account (id, name) VALUES " in again.stderr
    assert again.stderr.endswith("; its transaction was rolled back\n")
    assert len(query(project, "SELECT * FROM account")) == 2


def test_a_bug_in_a_command_is_reported_as_one(sqlite_project) -> None:
    project = sqlite_project
    with_views(project)
    project.ok("upgrade", "head")
    result = project.run("seed", "--table", "nowhere")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: seed failed: OperationalError: no such table: nowhere")
    (project.root / "views.py").write_text(
        (project.root / "views.py").read_text().replace("return len(rows)", "return len(None)")
    )
    result = project.run("seed")
    assert result.stderr == (
        "Error: unexpected TypeError: object of type 'NoneType' has no len() (this is a bug in "
        "mighub or in a plugin; run again with --traceback for details)\n"
    )
    assert query(project, "SELECT * FROM account") == []  # rolled back
    traced = project.run("--traceback", "seed")
    assert 'views.py", line' in traced.stderr
    assert "env.py" not in traced.stderr.splitlines()[-1]


# -- a broken project plugin ----------------------------------------------------------

DATABASE_COMMANDS = [
    ["upgrade", "head"],
    ["upgrade", "head", "--sql"],
    ["upgrade", "head", "--plan"],
    ["downgrade", "base"],
    ["stamp", "head"],
    ["current"],
    ["ensure-version"],
    ["resolve", "aaaa00000001", "--applied"],
]


def test_a_broken_project_plugin_stops_every_database_command(sqlite_project) -> None:
    project = sqlite_project
    with_views(project)
    plugin = project.root / "views.py"
    lines = plugin.read_text().splitlines()
    at = lines.index("@hookimpl")
    lines.insert(at, "REGISTERED = undefined_name")
    plugin.write_text("\n".join(lines) + "\n")
    refusal = (
        f"Error: plugin 'views' (project {plugin}) failed to load: NameError: name "
        f"'undefined_name' is not defined (line {at + 1}); fix it or take it out of the "
        "configuration's 'plugins', or disable it with -p no:views or "
        "MIGHUB_DISABLE_PLUGINS=views\n"
    )
    for args in DATABASE_COMMANDS:
        result = project.run(*args)
        assert (result.exit_code, result.stdout, result.stderr) == (1, "", refusal), args
    assert project.tables() == set()

    heads = project.run("heads")  # reads scripts only: warns, and works
    assert (heads.exit_code, heads.stdout) == (0, "bbbb00000002 (head)\n")
    assert "Warning: plugin 'views' (project" in heads.stderr
    unknown = project.run("seed")
    assert unknown.exit_code == 2
    assert unknown.stderr.endswith("Error: No such command 'seed'.\n")


def documented_revision() -> tuple[str, str]:
    """The upgrade() and downgrade() bodies docs/plugins.md shows for the views plugin."""
    page = (Path(__file__).resolve().parents[2] / "docs" / "plugins.md").read_text()
    after = page.split("Revision scripts call the operations like any built-in one", 1)[1]
    code = after.split("```python\n", 1)[1].split("\n```", 1)[0]
    upgrade, downgrade = code.removeprefix("def upgrade() -> None:\n").split(
        "\n\n\ndef downgrade() -> None:\n"
    )
    return upgrade, downgrade


def test_the_documented_revision_runs_online_and_offline(
    project: MigrationProject, backend: str
) -> None:
    use_plugin(project)
    project.revision("aaaa00000001", None, ACCOUNT, 'op.drop_table("account")')
    project.revision("bbbb00000002", "aaaa00000001", *documented_revision())
    upgrade = project.ok("upgrade", "aaaa00000001:head", "--sql").stdout
    assert "CREATE VIEW account_emails AS SELECT id, email FROM account;\n" in upgrade
    downgrade = project.run("downgrade", "bbbb00000002:aaaa00000001", "--sql")
    if backend == "sqlite":  # as the page says: the batch needs copy_from offline
        assert downgrade.exit_code == 1
        assert "failed: BatchError: op.batch_alter_table('account') recreates the table, " in (
            downgrade.stderr
        )
        assert "pass copy_from=" in downgrade.stderr
    else:
        assert downgrade.exit_code == 0, downgrade.stderr
        assert "DROP VIEW active_accounts;\n" in downgrade.stdout

    project.ok("upgrade", "head")
    assert views(project) == ["account_emails", "active_accounts"]
    query(project, "INSERT INTO account (id, name, email) VALUES (1, 'ann', 'a@x')")
    assert query(project, "SELECT * FROM account_emails") == [(1, "a@x")]
    project.ok("downgrade", "aaaa00000001")
    assert views(project) == []
    assert query(project, "SELECT * FROM account") == [(1, "ann", 1)]  # email dropped
