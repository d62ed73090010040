"""``mighub init`` and ``mighub list-templates``: what a new project gets, and what init refuses."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest
from mako.template import Template as MakoTemplate

from mighub.config import load_config

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TEMPLATES = ("generic", "async", "multidb", "pyproject")


def test_list_templates_shows_four_with_one_line_each(run) -> None:
    result = run("list-templates")
    assert result.exit_code == 0
    rows = [line.split(maxsplit=1) for line in result.stdout.splitlines() if line.startswith("  ")]
    assert [r[0] for r in rows] == ["async", "generic", "multidb", "pyproject"]
    assert (
        dict(rows)["generic"] == "Generic single-database environment, configured in mighub.toml."
    )


def test_init_generic_creates_environment_and_config(run, project_dir: Path) -> None:
    result = run("init", "migrations")
    assert result.exit_code == 0, result.stderr
    env = project_dir / "migrations"
    assert sorted(p.name for p in env.iterdir()) == [
        "README",
        "env.py",
        "script.py.mako",
        "versions",
    ]
    assert list((env / "versions").iterdir()) == []
    config = load_config()
    assert config.path == project_dir / "mighub.toml"
    assert config.script_location == project_dir / "migrations"
    assert config.url == f"sqlite:///{project_dir}/app.db"  # beside mighub.toml
    assert f"Created {project_dir / 'mighub.toml'}" in result.stdout


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_gives_valid_files(run, project_dir: Path, template: str) -> None:
    assert run("init", "db/migrations", "-t", template).exit_code == 0
    env = project_dir / "db" / "migrations"
    ast.parse((env / "env.py").read_text(), filename="env.py")
    env_py = (env / "env.py").read_text()
    assert "from mighub import context" in env_py
    assert "fileConfig" not in env_py  # the application's logging is left alone
    config = load_config()
    assert config.script_location == env
    rendered = MakoTemplate(filename=str(env / "script.py.mako")).render(
        message="add account table",
        up_revision="1975ea83b712",
        down_revision=("27c6a30d7c24", "ae1027a6acf"),
        branch_labels=None,
        depends_on=None,
        create_date="2026-11-21 10:00:00",
        imports="",
        upgrades="op.drop_table('x')" if template != "multidb" else None,
        downgrades=None,
        config=config,
    )
    tree = ast.parse(rendered)
    assert ast.get_docstring(tree).startswith("add account table\n\nRevision ID: 1975ea83b712")
    assert "Revises: 27c6a30d7c24, ae1027a6acf" in rendered
    assert "down_revision: str | Sequence[str] | None = ('27c6a30d7c24', 'ae1027a6acf')" in rendered
    functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    expected = {"upgrade", "downgrade"}
    if template == "multidb":
        expected |= {"upgrade_engine1", "downgrade_engine1", "upgrade_engine2", "downgrade_engine2"}
    assert functions == expected


def test_multidb_config_lists_databases(run, project_dir: Path) -> None:
    assert run("init", "migrations", "-t", "multidb").exit_code == 0
    config = load_config()
    assert config.database_names == ["engine1", "engine2"]
    assert load_config(name="engine2").url == f"sqlite:///{project_dir}/engine2.db"


def test_pyproject_template_appends_table_and_keeps_the_rest(run, project_dir: Path) -> None:
    original = '[project]\nname = "app"\nversion = "1.0"\n'
    (project_dir / "pyproject.toml").write_text(original)
    result = run("init", "migrations", "-t", "pyproject")
    assert result.exit_code == 0, result.stderr
    text = (project_dir / "pyproject.toml").read_text()
    assert text.startswith(original)
    data = tomllib.loads(text)
    assert data["project"]["name"] == "app"
    assert data["tool"]["mighub"]["script_location"] == "migrations"
    assert data["tool"]["mighub"]["url"] == "${DATABASE_URL}"
    assert not (project_dir / "mighub.toml").exists()


def test_pyproject_template_creates_pyproject_when_absent(run, project_dir: Path) -> None:
    assert run("init", "migrations", "-t", "pyproject").exit_code == 0
    data = tomllib.loads((project_dir / "pyproject.toml").read_text())
    assert data == {"tool": {"mighub": {"script_location": "migrations", "url": "${DATABASE_URL}"}}}


def test_existing_tool_mighub_is_never_overwritten(run, project_dir: Path) -> None:
    original = '[tool.mighub]\nscript_location = "elsewhere"\n'
    (project_dir / "pyproject.toml").write_text(original)
    result = run("init", "migrations", "-t", "pyproject")
    assert result.exit_code == 0
    assert (project_dir / "pyproject.toml").read_text() == original
    assert "Left" in result.stdout and "script_location = 'migrations'" in result.stdout
    assert (project_dir / "migrations" / "env.py").is_file()


def test_existing_config_file_is_never_overwritten(run, project_dir: Path) -> None:
    (project_dir / "mighub.toml").write_text('script_location = "old"\n')
    result = run("init", "migrations")
    assert result.exit_code == 0
    assert (project_dir / "mighub.toml").read_text() == 'script_location = "old"\n'
    assert (
        f"Left {project_dir / 'mighub.toml'} unchanged: it already has a configuration; "
        "make sure it says script_location = 'migrations'"
    ) in result.stdout


def test_config_path_from_option_and_relative_location(run, project_dir: Path) -> None:
    (project_dir / "deploy").mkdir()
    result = run("-c", "deploy/db.toml", "init", "src/migrations")
    assert result.exit_code == 0, result.stderr
    config = load_config(project_dir / "deploy" / "db.toml")
    assert config.get("script_location") == "../src/migrations"
    assert config.script_location.resolve() == project_dir / "src" / "migrations"


def test_config_option_naming_pyproject_writes_tool_table(run, project_dir: Path) -> None:
    result = run("-c", "pyproject.toml", "init", "migrations", "-t", "multidb")
    assert result.exit_code == 0, result.stderr
    data = tomllib.loads((project_dir / "pyproject.toml").read_text())
    assert data["tool"]["mighub"]["databases"]["engine1"]["url"] == "sqlite:///engine1.db"


def test_init_refuses_non_empty_directory_and_writes_nothing(run, project_dir: Path) -> None:
    (project_dir / "migrations").mkdir()
    (project_dir / "migrations" / "notes.txt").write_text("mine")
    result = run("init", "migrations")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: migrations: directory is not empty; choose a new directory for the migration "
        "environment\n"
    )
    assert sorted(p.name for p in (project_dir / "migrations").iterdir()) == ["notes.txt"]
    assert not (project_dir / "mighub.toml").exists()


def test_init_into_an_existing_empty_directory(run, project_dir: Path) -> None:
    (project_dir / "migrations").mkdir()
    assert run("init", "migrations").exit_code == 0
    assert (project_dir / "migrations" / "env.py").is_file()


def test_init_refuses_a_file(run, project_dir: Path) -> None:
    (project_dir / "migrations").write_text("")
    result = run("init", "migrations")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: migrations: exists and is not a directory\n",
    )


def test_unknown_template_lists_available(run, project_dir: Path) -> None:
    result = run("init", "migrations", "-t", "fancy")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: no template named 'fancy' (available: async, generic, multidb, pyproject)\n"
    )
    assert not (project_dir / "migrations").exists()


def test_package_option_writes_init_files(run, project_dir: Path) -> None:
    assert run("init", "migrations", "--package").exit_code == 0
    assert (project_dir / "migrations" / "__init__.py").read_text() == ""
    assert (project_dir / "migrations" / "versions" / "__init__.py").read_text() == ""


def test_quiet_init_prints_nothing(run, project_dir: Path) -> None:
    result = run("-q", "init", "migrations")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_template_from_a_project_plugin(run, project_dir: Path) -> None:
    tpl = project_dir / "company_template"
    tpl.mkdir()
    (tpl / "README").write_text("Our company's standard environment.\n")
    (tpl / "env.py").write_text("from mighub import context\n")
    (tpl / "script.py.mako").write_text('"""${message}"""\n')
    (tpl / "config.toml.mako").write_text(
        '${header()}\nscript_location = "${script_location}"\nplugins = ["company.py"]\n'
    )
    (project_dir / "company.py").write_text(
        "from pathlib import Path\nfrom mighub import hookimpl\n\n"
        "@hookimpl\ndef mighub_register_templates(registry):\n"
        "    registry.register('company', Path(__file__).parent / 'company_template')\n"
    )
    (project_dir / "mighub.toml").write_text('plugins = ["company.py"]\n')
    result = run("list-templates")
    assert "  company    Our company's standard environment.  [plugin company]" in result.stdout
    result = run("init", "second", "-t", "company")
    assert result.exit_code == 0, result.stderr
    assert (
        project_dir / "second" / "README"
    ).read_text() == "Our company's standard environment.\n"
    assert (project_dir / "mighub.toml").read_text() == 'plugins = ["company.py"]\n'
