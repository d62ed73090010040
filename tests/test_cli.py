"""The command line: global options, exit statuses, one-line errors, redaction, plugins."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from mighub import __version__

TEAM_PLUGIN = textwrap.dedent(
    """
    import click
    from mighub import hookimpl
    from mighub.errors import MighubError

    @hookimpl
    def mighub_register_commands(cli):
        @cli.command()
        @click.pass_obj
        def whereami(project):
            \"\"\"Show the database this project migrates.\"\"\"
            project.echo(f"url={project.config.url}")
            project.status("status line")

        @cli.command()
        @click.pass_obj
        def explode(project):
            \"\"\"Fail with the URL in the message.\"\"\"
            raise MighubError(f"cannot reach {project.config.url}")

        @cli.command()
        def crash():
            \"\"\"Fail like a bug.\"\"\"
            raise ZeroDivisionError("division by zero")

        @cli.command("needs-db")
        @click.pass_obj
        def needs_db(project):
            \"\"\"Refuse unless every plugin works.\"\"\"
            project.require_database_ready()
            project.echo("ready")
    """
)


def team_project(directory: Path, url: str = "postgresql://app:s3cr%40t@db.example/app") -> None:
    (directory / "team_plugin.py").write_text(TEAM_PLUGIN)
    (directory / "mighub.toml").write_text(
        f'script_location = "migrations"\nurl = "{url}"\nplugins = ["team_plugin.py"]\n'
    )


def test_version(run) -> None:
    result = run("--version")
    assert (result.exit_code, result.stdout) == (0, f"mighub {__version__}\n")


def test_python_dash_m_works(project_dir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mighub", "--version"], capture_output=True, text=True
    )
    assert (done.returncode, done.stdout) == (0, f"mighub {__version__}\n")


def test_help_lists_core_commands_and_global_options(run) -> None:
    result = run("--help")
    assert result.exit_code == 0
    for text in ("init", "list-templates", "plugins", "-c, --config", "-p no:NAME", "--traceback"):
        assert text in result.stdout


def test_no_command_is_a_usage_error(run) -> None:
    result = run()
    assert result.exit_code == 2
    assert result.stderr.startswith("Usage: mighub [OPTIONS] COMMAND [ARGS]...")


def test_unknown_command_is_a_usage_error(run) -> None:
    result = run("upgrayedd")
    assert result.exit_code == 2
    assert "No such command 'upgrayedd'" in result.stderr


def test_bad_disable_syntax_is_a_usage_error(run) -> None:
    result = run("-p", "postgresql", "plugins")
    assert result.exit_code == 2
    assert "'postgresql': use -p no:NAME to disable the plugin NAME" in result.stderr


def test_disabling_unknown_plugin_warns(run, project_dir: Path) -> None:
    result = run("-p", "no:postgress", "list-templates")
    assert result.exit_code == 0
    assert result.stderr == (
        "Warning: -p no:postgress / MIGHUB_DISABLE_PLUGINS names no known plugin\n"
    )


def test_team_commands_listed_under_their_plugin(run, project_dir: Path) -> None:
    team_project(project_dir)
    result = run("--help")
    assert result.exit_code == 0
    core, _, team = result.stdout.partition("Commands from team_plugin:")
    assert "whereami" in team and "Show the database this project migrates." in team
    assert "whereami" not in core and "init" in core


def test_help_survives_a_command_registered_by_a_reference_that_does_not_import(
    run, project_dir: Path
) -> None:
    (project_dir / "lazy_plugin.py").write_text(
        "from mighub import hookimpl\n\n\n@hookimpl\ndef mighub_register_commands(cli):\n"
        '    cli.add_command("no_such_module:lint", "lint")\n'
    )
    (project_dir / "mighub.toml").write_text(
        'script_location = "migrations"\nplugins = ["lazy_plugin.py"]\n'
    )
    reason = (
        "plugin 'lazy_plugin' registered command 'lint' as 'no_such_module:lint', which cannot "
        "be loaded: ModuleNotFoundError: No module named 'no_such_module'"
    )
    result = run("--help")
    assert result.exit_code == 0, result.stderr
    core, _, lazy = result.stdout.partition("Commands from lazy_plugin:\n")
    assert "init" in core
    assert " ".join(lazy.split()) == f"lint (cannot be loaded) {reason}"
    refused = run("lint")
    assert (refused.exit_code, refused.stderr) == (1, f"Error: {reason}\n")


def test_password_never_printed(run, project_dir: Path) -> None:
    team_project(project_dir)
    result = run("whereami")
    assert result.exit_code == 0
    assert result.stdout == "url=postgresql://app:***@db.example/app\nstatus line\n"
    result = run("explode")
    assert result.exit_code == 1
    assert result.stderr == "Error: cannot reach postgresql://app:***@db.example/app\n"
    result = run("--traceback", "explode")
    assert "Traceback (most recent call last)" in result.stderr
    assert "s3cr" not in result.stderr + result.stdout


def test_password_from_option_and_environment_is_redacted(run, project_dir, monkeypatch) -> None:
    team_project(project_dir)
    result = run("--url", "mysql://root:hunter2@127.0.0.1/x", "explode")
    assert result.stderr == "Error: cannot reach mysql://root:***@127.0.0.1/x\n"
    monkeypatch.setenv("MIGHUB_URL", "mysql://root:sw0rdf1sh@127.0.0.1/y")
    result = run("explode")
    assert result.stderr == "Error: cannot reach mysql://root:***@127.0.0.1/y\n"


def test_quiet_silences_status_but_not_output(run, project_dir: Path) -> None:
    team_project(project_dir)
    result = run("-q", "whereami")
    assert result.stdout == "url=postgresql://app:***@db.example/app\n"


def test_unexpected_exception_is_one_line_unless_traceback(run, project_dir: Path) -> None:
    team_project(project_dir)
    result = run("crash")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: unexpected ZeroDivisionError: division by zero (this is a bug in mighub or in a "
        "plugin; run again with --traceback for details)\n"
    )
    result = run("--traceback", "crash")
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.stderr


def test_config_error_is_reported_by_plugins(run, project_dir: Path) -> None:
    path = project_dir / "mighub.toml"
    path.write_text('script_location = 3\nplugins = ["team_plugin.py"]\n')
    (project_dir / "team_plugin.py").write_text(TEAM_PLUGIN)
    result = run("plugins")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {path}: the key 'script_location' must be a string, not int 3 "
        "(project plugins were not loaded)\n"
    )
    assert "team_plugin" not in result.stdout


def test_broken_project_plugin_stops_database_commands(run, project_dir: Path) -> None:
    team_project(project_dir)
    (project_dir / "broken.py").write_text("import no_such_dependency\n")
    text = (project_dir / "mighub.toml").read_text()
    (project_dir / "mighub.toml").write_text(
        text.replace('plugins = ["team_plugin.py"]', 'plugins = ["team_plugin.py", "broken.py"]')
    )
    result = run("needs-db")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: plugin 'broken' (project {project_dir / 'broken.py'}) failed to load: "
        "ModuleNotFoundError: No module named 'no_such_dependency' (line 1); fix it or take it "
        "out of the configuration's 'plugins', or disable it with -p no:broken or "
        "MIGHUB_DISABLE_PLUGINS=broken\n"
    )
    assert run("--help").exit_code == 0
    assert run("-p", "no:broken", "needs-db").stdout == "ready\n"


def test_database_commands_need_a_configuration(run, project_dir: Path) -> None:
    (project_dir / "team_plugin.py").write_text(TEAM_PLUGIN)
    result = run("plugins")
    assert "team_plugin" not in result.stdout  # no configuration, no project plugins


def test_plugins_table(run, project_dir: Path) -> None:
    result = run("plugins")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["NAME", "VERSION", "SOURCE", "STATUS", "HOOKS"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert rows["mighub.commands"][:4] == ["mighub.commands", __version__, "builtin", "loaded"]
    assert rows["postgresql"][1:5] == ["0.1.0", "entry", "point", "loaded"]
    for name in ("postgresql", "mssql", "mysql", "sqlite_batch", "autogen"):
        assert name in rows


def test_plugins_json_has_stable_keys(run, project_dir: Path) -> None:
    team_project(project_dir)
    result = run("plugins", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["mighub_version"] == __version__
    keys = {"name", "version", "distribution", "source", "status", "origin", "hooks", "error"}
    assert all(set(row) == keys for row in data["plugins"])
    team = data["plugins"][-1]
    assert (team["name"], team["source"], team["status"]) == ("team_plugin", "project", "loaded")
    assert team["hooks"] == ["mighub_register_commands"]
    pg = next(r for r in data["plugins"] if r["name"] == "postgresql")
    assert (pg["distribution"], pg["origin"]) == ("mighub-postgresql", "mighub_postgresql.plugin")


def test_plugins_verbose_lists_registrations(run, project_dir: Path) -> None:
    team_project(project_dir)
    result = run("plugins", "-v")
    assert (
        "team_plugin registered:\n  commands: whereami, explode, crash, needs-db" in result.stdout
    )
    assert "mysql registered:\n  dialects: mysql, mariadb" in result.stdout
    data = json.loads(run("plugins", "-v", "--json").stdout)
    mysql = next(r for r in data["plugins"] if r["name"] == "mysql")
    assert mysql["registered"]["dialects"] == ["mysql", "mariadb"]


def test_plugins_exits_1_and_explains_a_failure(run, project_dir: Path) -> None:
    (project_dir / "bad.py").write_text("raise RuntimeError('no')\n")
    (project_dir / "mighub.toml").write_text('plugins = ["bad.py"]\n')
    result = run("plugins")
    assert result.exit_code == 1
    assert ["bad", "-", "project", "failed", "-"] in [
        line.split() for line in result.stdout.splitlines()
    ]
    assert (
        "\nbad failed: RuntimeError: no (line 1)\n"
        "  disable it with -p no:bad or MIGHUB_DISABLE_PLUGINS=bad" in result.stdout
    )
    assert run("-p", "no:bad", "plugins").exit_code == 0


def test_help_honours_options_given_after_it(run, project_dir: Path) -> None:
    team_project(project_dir)
    (project_dir / "elsewhere.toml").write_text('script_location = "m"\n')
    assert "whereami" in run("--help").stdout
    assert "whereami" not in run("--help", "-p", "no:team_plugin").stdout
    assert "whereami" not in run("--help", "-c", "elsewhere.toml").stdout
    assert "whereami" not in run("--help", "--config=elsewhere.toml").stdout


def test_negative_relative_revisions_are_arguments_not_options(run, project_dir: Path) -> None:
    result = run("downgrade", "--sqll", "base")
    assert result.exit_code == 2
    assert "Error: No such option '--sqll'." in result.stderr


def test_missing_autogen_plugin_is_explained(run, project_dir: Path) -> None:
    assert run("-q", "init", "migrations").exit_code == 0
    result = run("-p", "no:autogen", "check")
    assert result.exit_code == 2
    assert (
        "Error: 'mighub check' comes with the mighub-autogen plugin, which is not installed or "
        "is disabled (see 'mighub plugins'): pip install mighub-autogen"
    ) in result.stderr
    result = run("-p", "no:autogen", "revision", "--autogenerate", "-m", "x")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: --autogenerate comes with the mighub-autogen plugin, which is not installed or "
        "is disabled (see 'mighub plugins'): pip install mighub-autogen\n"
    )


def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path: Path) -> None:
    """``mighub history | head`` and ``mighub upgrade head --sql | head``: when the
    reader of stdout closes it, the command stops with status 1 and says nothing,
    not even from inside env.py (which writes the SQL)."""
    mighub = [sys.executable, "-m", "mighub"]
    subprocess.run([*mighub, "init", "migrations"], cwd=tmp_path, check=True, capture_output=True)
    for message in ("one", "two"):
        subprocess.run(
            [*mighub, "revision", "-m", message], cwd=tmp_path, check=True, capture_output=True
        )
    for args in (["history"], ["upgrade", "head", "--sql"]):
        proc = subprocess.Popen(
            [*mighub, *args], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # before the command has written anything
        stderr = proc.stderr.read().decode()
        assert (proc.wait(), stderr) == (1, ""), args


def test_a_reader_that_goes_away_in_the_middle_of_the_sql_ends_the_command_quietly(
    tmp_path: Path,
) -> None:
    """``mighub upgrade head --sql | head``: the reader closes the pipe after the first
    lines, while a revision is writing its SQL. That is not a failed revision (nothing
    is applied offline): the command stops with status 1 and says nothing."""
    mighub = [sys.executable, "-m", "mighub"]
    subprocess.run([*mighub, "init", "migrations"], cwd=tmp_path, check=True, capture_output=True)
    for message in ("one", "two"):
        subprocess.run(
            [*mighub, "revision", "-m", message], cwd=tmp_path, check=True, capture_output=True
        )
    # Far more SQL than a pipe holds, so the writer is still writing when the reader goes.
    for script in (tmp_path / "migrations" / "versions").glob("*.py"):
        text = script.read_text()
        script.write_text(
            text.replace(
                'def upgrade() -> None:\n    """Upgrade the schema."""\n    pass',
                "def upgrade() -> None:\n"
                "    for i in range(5000):\n"
                "        op.execute(f\"UPDATE t SET n = {i} WHERE note = '{'x' * 60}'\")",
            )
        )
        assert "range(5000)" in script.read_text()
    proc = subprocess.Popen(
        [*mighub, "upgrade", "head", "--sql"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline()  # the SQL has started
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert (proc.wait(), stderr) == (1, "")


def test_a_command_that_used_no_database_exits_at_once_with_everything_said(
    tmp_path: Path,
) -> None:
    """Graph commands end the process as soon as their output is flushed (see
    ``mighub.cli._nothing_to_tear_down``): the output must be complete, the exit
    status right, and an ``atexit`` function that a plugin registers must still run."""
    mighub = [sys.executable, "-m", "mighub"]
    subprocess.run([*mighub, "init", "migrations"], cwd=tmp_path, check=True, capture_output=True)
    for message in ("one", "two", "three"):
        subprocess.run(
            [*mighub, "revision", "-m", message], cwd=tmp_path, check=True, capture_output=True
        )
    done = subprocess.run([*mighub, "history", "--json"], cwd=tmp_path, capture_output=True)
    assert done.returncode == 0, done.stderr
    assert [entry["doc"] for entry in json.loads(done.stdout)["revisions"]] == [
        "three",
        "two",
        "one",
    ]
    done = subprocess.run([*mighub, "show", "nope"], cwd=tmp_path, capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == "Error: No revision or branch label matches 'nope'\n"

    marker = tmp_path / "atexit-ran"
    (tmp_path / "team_plugin.py").write_text(
        "import atexit, pathlib\n"
        f"atexit.register(pathlib.Path({str(marker)!r}).write_text, 'yes')\n"
    )
    config = tmp_path / "mighub.toml"
    config.write_text(config.read_text() + '\nplugins = ["team_plugin.py"]\n')
    done = subprocess.run([*mighub, "heads"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert marker.read_text() == "yes"
