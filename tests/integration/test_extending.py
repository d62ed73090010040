"""Extending mighub as users do: distributions from wheels, pip-installed into a fresh venv.

Two fixture distributions (``tests/fixtures/plugins/``) are installed beside
the kernel's wheel, and the installed ``mighub`` runs as a subprocess:

- ``mighub-lite``: a third-party dialect plugin for ``lite://``, a SQLAlchemy
  dialect of its own (registered in SQLAlchemy's ``sqlalchemy.dialects``
  entry-point group) over a real SQLite file: a real database is migrated
  through the plugin's ``DialectImpl``, its operations and its template, and
  the plugin's own tests (mighub's conformance suite) run in the venv;
- ``mighub-team-tools``: a team's commands, ``lint`` and ``row-counts``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.integration.conftest import FIXTURE_PLUGINS, _run

if TYPE_CHECKING:
    from tests.integration.conftest import Venv, Wheelhouse

CREATE_DOCS = """\
op.create_table(
    "doc",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("title", sa.String(80), nullable=False),
)
op.create_search_index("doc_search", ["title", "body"])
"""
DROP_DOCS = 'op.drop_search_index("doc_search")\nop.drop_table("doc")'


@pytest.fixture(scope="module")
def venv(wheelhouse: Wheelhouse, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    return wheelhouse.venv(
        tmp_path_factory.mktemp("venv-extending"), ["mighub-lite[test]", "mighub-team-tools"]
    )


def ok(result: subprocess.CompletedProcess[str], code: int = 0) -> subprocess.CompletedProcess[str]:
    assert result.returncode == code, (
        f"{result.args} exited {result.returncode}, expected {code}\n"
        f"--- stdout\n{result.stdout}--- stderr\n{result.stderr}"
    )
    return result


def write_revision(project: Path, rev: str, down: str | None, upgrade: str, downgrade: str) -> None:
    body = textwrap.dedent(
        f'''\
        """{rev}

        Revision ID: {rev}
        Revises: {down}
        """

        import sqlalchemy as sa

        from mighub import op

        revision = {rev!r}
        down_revision = {down!r}
        branch_labels = None
        depends_on = None


        def upgrade():
        {{upgrade}}


        def downgrade():
        {{downgrade}}
        '''
    ).format(upgrade=textwrap.indent(upgrade, "    "), downgrade=textwrap.indent(downgrade, "    "))
    (project / "migrations" / "versions" / f"{rev}_{rev}.py").write_text(body, encoding="utf-8")


def lite_project(venv: Venv, root: Path) -> Path:
    """``mighub init -t lite``, and two revisions using the plugin's operation."""
    root.mkdir()
    ok(venv.mighub("init", "-t", "lite", "migrations", cwd=root))
    write_revision(root, "a1000000000a", None, CREATE_DOCS, DROP_DOCS)
    write_revision(
        root,
        "b2000000000b",
        "a1000000000a",
        'op.bulk_insert(sa.table("doc", sa.column("id"), sa.column("title")), '
        '[{"id": 1, "title": "hello"}])',
        'op.execute("DELETE FROM doc")',
    )
    return root


def sqlite_rows(venv: Venv, database: Path, sql: str) -> list:
    code = (
        "import json, sqlite3, sys\n"
        f"rows = sqlite3.connect({str(database)!r}).execute({sql!r}).fetchall()\n"
        "print(json.dumps(rows))"
    )
    return json.loads(ok(venv.python_c(code, cwd=database.parent)).stdout)


# -- the plugins are listed ------------------------------------------------------------


def test_both_distributions_are_listed_with_what_they_provide(venv: Venv, tmp_path: Path) -> None:
    rows = json.loads(ok(venv.mighub("plugins", "--json", cwd=tmp_path)).stdout)["plugins"]
    installed = {row["name"]: row for row in rows if row["source"] == "entry point"}
    assert installed["lite"]["distribution"] == "mighub-lite"
    assert installed["lite"]["version"] == "0.3.0"
    assert installed["lite"]["hooks"] == [
        "mighub_register_comparators",
        "mighub_register_dialects",
        "mighub_register_operations",
        "mighub_register_renderers",
        "mighub_register_templates",
    ]
    assert installed["team_tools"]["hooks"] == ["mighub_register_commands"]
    assert {row["status"] for row in rows} == {"loaded"}

    verbose = ok(venv.mighub("plugins", "-v", cwd=tmp_path)).stdout
    assert "lite registered:\n" in verbose
    assert "  dialects: lite\n" in verbose
    assert "  templates: lite\n" in verbose

    help_text = ok(venv.mighub("--help", cwd=tmp_path)).stdout
    section = help_text.split("Commands from team_tools:\n", 1)[1]
    assert [line.split()[0] for line in section.strip().splitlines()] == ["lint", "row-counts"]
    templates = ok(venv.mighub("list-templates", cwd=tmp_path)).stdout
    assert "lite" in templates.split()


# -- the dialect is used for its database ------------------------------------------------


def test_lite_database_is_migrated_through_the_plugin(venv: Venv, tmp_path: Path) -> None:
    project = lite_project(venv, tmp_path / "app")
    assert 'url = "lite:///app.db"' in (project / "mighub.toml").read_text()

    ok(venv.mighub("upgrade", "head", cwd=project))
    database = project / "app.db"
    assert sqlite_rows(venv, database, "SELECT version_num FROM mighub_version") == [
        ["b2000000000b"]
    ]
    assert sqlite_rows(venv, database, "SELECT title FROM doc") == [["hello"]]
    search = "SELECT sql LIKE '%USING fts5%' FROM sqlite_master WHERE name = 'doc_search'"
    assert sqlite_rows(venv, database, search) == [[1]]
    assert (project / "app.db.lite-lock").is_file()  # the plugin's own lock, not SQLite's
    assert not (project / "app.db.mighub-lock").exists()
    assert ok(venv.mighub("current", cwd=project)).stdout == "b2000000000b (head)\n"

    ok(venv.mighub("downgrade", "base", cwd=project))
    assert sqlite_rows(venv, database, "SELECT name FROM sqlite_master WHERE type = 'table'") == [
        ["mighub_version"]
    ]


def test_without_the_plugin_the_dialect_is_unknown(venv: Venv, tmp_path: Path) -> None:
    project = lite_project(venv, tmp_path / "app")
    refused = ok(venv.mighub("-p", "no:lite", "upgrade", "head", cwd=project), 1)
    assert refused.stderr == (
        "Error: no installed plugin supports the database dialect 'lite' (installed: sqlite); "
        "install the mighub plugin that provides it, or enable the disabled plugins (lite)\n"
    )
    assert (
        not (project / "app.db").exists()
        or sqlite_rows(venv, project / "app.db", "SELECT name FROM sqlite_master") == []
    )


def test_offline_script_for_lite(venv: Venv, tmp_path: Path) -> None:
    project = lite_project(venv, tmp_path / "app")
    script = ok(venv.mighub("upgrade", "head", "--sql", cwd=project)).stdout
    assert "CREATE VIRTUAL TABLE doc_search USING fts5(title, body);\n" in script
    assert "INSERT INTO mighub_version (version_num) VALUES ('a1000000000a');\n" in script
    assert not (project / "app.db").exists()


def plugin_tests(venv: Venv, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """What the plugin's author runs: mighub's conformance suite and the plugin's own tests,
    against the installed wheels (a copy of the tests, away from any source tree)."""
    tests = tmp_path / "tests"
    shutil.copytree(FIXTURE_PLUGINS / "mighub-lite" / "tests", tests)
    result = _run(
        [venv.python, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", tests],
        cwd=tmp_path,
        env=venv.env(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_the_plugin_passes_its_own_tests_in_the_venv(venv: Venv, tmp_path: Path) -> None:
    result = plugin_tests(venv, tmp_path)
    summary = result.stdout.strip().splitlines()[-1]
    # the suite's 61 tests and the plugin's 4, every one on a real Lite database; without
    # mighub-autogen, the suite's 45 autogenerate tests and the plugin's own one are skipped,
    # saying why
    assert summary.startswith("65 passed, 46 skipped"), summary
    assert (
        "SKIPPED [45] " in result.stdout
        and ": the autogenerate tests need the mighub-autogen plugin, which is not installed "
        "(pip install mighub-autogen)\n"
        in result.stdout
    ), result.stdout


@pytest.fixture(scope="module")
def venv_with_autogen(wheelhouse: Wheelhouse, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    return wheelhouse.venv(
        tmp_path_factory.mktemp("venv-autogen"), ["mighub-lite[test]", "mighub-autogen"]
    )


def test_the_plugin_passes_the_autogenerate_round_trips(
    venv_with_autogen: Venv, tmp_path: Path
) -> None:
    """With mighub-autogen beside it, the suite judges the plugin's autogenerate too (its
    search index comparator takes part in every comparison)."""
    summary = plugin_tests(venv_with_autogen, tmp_path).stdout.strip().splitlines()[-1]
    assert summary.startswith("111 passed"), summary
    assert "skipped" not in summary, summary


# -- the team's commands run --------------------------------------------------------------


def test_team_commands_read_the_project_and_its_database(venv: Venv, tmp_path: Path) -> None:
    project = lite_project(venv, tmp_path / "app")
    ok(venv.mighub("upgrade", "head", cwd=project))
    counts = ok(venv.mighub("row-counts", cwd=project)).stdout.splitlines()
    assert "doc: 1" in counts
    assert "mighub_version: 1" in counts

    linted = ok(venv.mighub("lint", cwd=project))
    assert linted.stdout == "lint: every revision can be undone\n"
    write_revision(project, "c3000000000c", "b2000000000b", "op.execute('SELECT 1')", "pass")
    refused = ok(venv.mighub("lint", cwd=project), 1)
    assert refused.stdout == "c3000000000c_c3000000000c.py: downgrade() does nothing\n"
    assert refused.stderr == "Error: lint: 1 revision(s) cannot be undone\n"


def test_team_command_follows_the_database_rules(venv: Venv, tmp_path: Path) -> None:
    project = lite_project(venv, tmp_path / "app")
    (project / "mighub.toml").write_text(
        (project / "mighub.toml").read_text().replace("lite:///app.db", "${APP_DATABASE}")
    )
    unset = ok(venv.mighub("row-counts", cwd=project), 1)
    assert unset.stderr == (
        f"Error: {project / 'mighub.toml'}: the key 'url' refers to ${{APP_DATABASE}}, which is "
        "not set in the environment\n"
    )
    set_ = ok(venv.mighub("row-counts", cwd=project, env={"APP_DATABASE": "lite:///other.db"}))
    assert set_.stdout == ""  # an empty database, found through env.py and the plugin
    assert (project / "other.db").is_file()
