"""Plugin discovery, end to end: real wheels, pip-installed into fresh venvs, run as a subprocess.

The fixture plugins live in ``tests/fixtures/plugins/``:

- ``mighub-fixture-good`` (entry point ``fixture_good``): commands ``hello``
  and ``needs-db``, and a made-up dialect ``fixturedb``;
- ``mighub-fixture-broken`` (``fixture_broken``): raises ImportError on import;
- ``mighub-fixture-misspelled`` (``fixture_misspelled``): implements
  ``mighub_register_dialect``, a hook that does not exist.

Each scenario group below gets one venv, shared by its tests (they only read
the venv; each test runs in its own temporary directory). Error texts are
asserted exactly where the kernel defines them: users search for them, and
the docs quote them.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.integration.conftest import Venv, Wheelhouse

BUILTINS = ["mighub.commands", "mighub.templates", "mighub.dialects", "mighub.operations"]
BUILTIN_HOOKS = {
    "mighub.commands": ["mighub_register_commands"],
    "mighub.templates": ["mighub_register_templates"],
    "mighub.dialects": ["mighub_register_dialects"],
    "mighub.operations": ["mighub_register_operations"],
}
CORE_COMMANDS = sorted(
    [
        "branches",
        "current",
        "downgrade",
        "edit",
        "ensure-version",
        "heads",
        "history",
        "init",
        "list-templates",
        "merge",
        "plugins",
        "resolve",
        "revision",
        "show",
        "stamp",
        "upgrade",
    ]
)
GOOD_HOOKS = ["mighub_register_commands", "mighub_register_dialects"]
GOOD_HOOKS_WORDS = ["mighub_register_commands,", "mighub_register_dialects"]  # as the table splits

HELLO_OUTPUT = (
    "hello from fixture_good\n"
    "dialect fixturedb: mighub_fixture_good.dialect:FixtureDBImpl\n"
    "subclass of DialectImpl: True\n"
)

BROKEN_ERROR = "ImportError: fixture plugin is broken on purpose"
BROKEN_DESCRIBED = "'fixture_broken' (distribution mighub-fixture-broken 0.4.0)"
BROKEN_REFUSAL = (
    f"Error: plugin {BROKEN_DESCRIBED} failed to load: {BROKEN_ERROR}; fix or uninstall it, "
    "or disable it with -p no:fixture_broken or MIGHUB_DISABLE_PLUGINS=fixture_broken\n"
)
MISSPELLED_ERROR = (
    "implements unknown hook mighub_register_dialect (did you mean mighub_register_dialects?)"
)


# -- scenario groups: one venv each ---------------------------------------------------


@pytest.fixture(scope="module")
def good(wheelhouse: Wheelhouse, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """The kernel and the good plugin."""
    return wheelhouse.venv(tmp_path_factory.mktemp("venv-good"), ["mighub-fixture-good"])


@pytest.fixture(scope="module")
def broken(wheelhouse: Wheelhouse, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """The kernel, the broken plugin, and the good plugin (which provides ``needs-db``)."""
    return wheelhouse.venv(
        tmp_path_factory.mktemp("venv-broken"), ["mighub-fixture-broken", "mighub-fixture-good"]
    )


@pytest.fixture(scope="module")
def everything(wheelhouse: Wheelhouse, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """All three fixtures, installed in reverse alphabetical order and across two path entries.

    ``fixture_misspelled`` goes into site-packages; ``fixture_good`` and then
    ``fixture_broken`` into a second directory that a ``.pth`` file appends to
    ``sys.path``. importlib.metadata walks ``sys.path`` in order, so it finds
    ``fixture_misspelled`` first whatever the filesystem's listing order: the
    raw discovery order is unsorted by construction, and only mighub's own
    sorting can put the rows in name order.
    """
    venv = wheelhouse.venv(tmp_path_factory.mktemp("venv-all"), ["mighub-fixture-misspelled"])
    extra = venv.path / "extra-site"
    for requirement in ("mighub-fixture-good", "mighub-fixture-broken"):
        wheelhouse.install(venv, requirement, target=extra)
    purelib = venv.python_c("import sysconfig; print(sysconfig.get_path('purelib'))", cwd=venv.path)
    assert purelib.returncode == 0, purelib.stderr
    (Path(purelib.stdout.strip()) / "mighub-fixture-extra-site.pth").write_text(
        f"{extra}\n", encoding="utf-8"
    )
    return venv


# -- helpers ------------------------------------------------------------------------


def ok(result: subprocess.CompletedProcess[str], code: int = 0) -> subprocess.CompletedProcess[str]:
    """Check the exit status, showing everything the command printed when it is wrong."""
    assert result.returncode == code, (
        f"{result.args} exited {result.returncode}, expected {code}\n"
        f"--- stdout\n{result.stdout}--- stderr\n{result.stderr}"
    )
    return result


def plugin_rows(venv: Venv, cwd: Path, *args: str, code: int = 0, **kw: Any) -> list[dict]:
    """``mighub [args] plugins --json``: the rows, after checking the exit status."""
    result = ok(venv.mighub(*args, "plugins", "--json", cwd=cwd, **kw), code)
    return json.loads(result.stdout)["plugins"]


def builtin_rows(version: str) -> list[dict]:
    return [
        {
            "name": name,
            "version": version,
            "distribution": None,
            "source": "builtin",
            "status": "loaded",
            "origin": f"mighub.builtin.{name.split('.')[1]}",
            "hooks": BUILTIN_HOOKS[name],
            "error": None,
        }
        for name in BUILTINS
    ]


def entry_point_row(
    name: str, distribution: str, version: str, status: str, hooks: list[str], error: str | None
) -> dict:
    return {
        "name": name,
        "version": version,
        "distribution": distribution,
        "source": "entry point",
        "status": status,
        "origin": distribution.replace("-", "_"),
        "hooks": hooks,
        "error": error,
    }


GOOD_LOADED = entry_point_row(
    "fixture_good", "mighub-fixture-good", "1.2.3", "loaded", GOOD_HOOKS, None
)
BROKEN_FAILED = entry_point_row(
    "fixture_broken", "mighub-fixture-broken", "0.4.0", "failed", [], BROKEN_ERROR
)
MISSPELLED_FAILED = entry_point_row(
    "fixture_misspelled", "mighub-fixture-misspelled", "2.0.1", "failed", [], MISSPELLED_ERROR
)


def help_sections(text: str) -> dict[str, list[str]]:
    """The command names listed under each ``Title:`` section of ``--help`` output."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        if line and not line.startswith(" ") and line.endswith(":"):
            current = sections.setdefault(line[:-1], [])
        elif current is not None and line.startswith("  ") and not line.startswith("   "):
            current.append(line.split()[0])
    return sections


def table_rows(text: str) -> list[list[str]]:
    """The rows of the ``mighub plugins`` table, split into words (column widths vary)."""
    lines = text.split("\n\n", 1)[0].splitlines()
    assert lines[0].split() == ["NAME", "VERSION", "SOURCE", "STATUS", "HOOKS"]
    return [line.split() for line in lines[1:]]


def one_line(text: str) -> str:
    """``text`` with click's line wrapping undone."""
    return " ".join(text.split())


def init_project(venv: Venv, cwd: Path, *args: str) -> None:
    """``mighub init migrations`` in ``cwd``: a configuration for commands that require one."""
    ok(venv.mighub(*args, "init", "migrations", cwd=cwd))
    assert (cwd / "mighub.toml").is_file()


# -- the good plugin alone ----------------------------------------------------------


def test_venv_runs_the_installed_wheel_not_the_checkout(
    good: Venv, wheelhouse: Wheelhouse, tmp_path: Path
) -> None:
    code = (
        "import importlib.metadata as m, mighub; print(mighub.__file__); print(m.version('mighub'))"
    )
    result = ok(good.python_c(code, cwd=tmp_path))
    module_file, version = result.stdout.split()
    assert Path(module_file).is_relative_to(good.path)
    assert version == wheelhouse.kernel_version


def test_plugins_json_lists_builtins_then_the_good_plugin(
    good: Venv, wheelhouse: Wheelhouse, tmp_path: Path
) -> None:
    result = ok(good.mighub("plugins", "--json", cwd=tmp_path))
    assert result.stderr == ""
    assert json.loads(result.stdout) == {
        "mighub_version": wheelhouse.kernel_version,
        "plugins": [*builtin_rows(wheelhouse.kernel_version), GOOD_LOADED],
    }


def test_plugins_table_and_registrations(
    good: Venv, wheelhouse: Wheelhouse, tmp_path: Path
) -> None:
    v = wheelhouse.kernel_version
    result = ok(good.mighub("plugins", "-v", cwd=tmp_path))
    assert table_rows(result.stdout) == [
        ["mighub.commands", v, "builtin", "loaded", "mighub_register_commands"],
        ["mighub.templates", v, "builtin", "loaded", "mighub_register_templates"],
        ["mighub.dialects", v, "builtin", "loaded", "mighub_register_dialects"],
        ["mighub.operations", v, "builtin", "loaded", "mighub_register_operations"],
        ["fixture_good", "1.2.3", "entry", "point", "loaded", *GOOD_HOOKS_WORDS],
    ]
    assert "fixture_good registered:\n  commands: hello, needs-db\n  dialects: fixturedb\n" in (
        result.stdout
    )


def test_help_lists_plugin_commands_under_the_plugin(good: Venv, tmp_path: Path) -> None:
    result = ok(good.mighub("--help", cwd=tmp_path))
    sections = help_sections(result.stdout)
    assert sections["Commands"] == CORE_COMMANDS
    assert sections["Commands from fixture_good"] == ["hello", "needs-db"]
    assert "Plugins that failed to load" not in sections


def test_plugin_command_runs_with_the_project(good: Venv, tmp_path: Path) -> None:
    result = ok(good.mighub("hello", cwd=tmp_path))
    assert (result.stdout, result.stderr) == (HELLO_OUTPUT, "")


def test_python_dash_m_mighub_finds_the_same_plugins(good: Venv, tmp_path: Path) -> None:
    result = ok(good.python_m_mighub("hello", cwd=tmp_path))
    assert (result.stdout, result.stderr) == (HELLO_OUTPUT, "")
    help_text = ok(good.python_m_mighub("--help", cwd=tmp_path)).stdout
    assert help_text.startswith("Usage: mighub ")
    assert help_sections(help_text)["Commands from fixture_good"] == ["hello", "needs-db"]


def test_database_command_runs_when_every_plugin_loaded(good: Venv, tmp_path: Path) -> None:
    """The control for the broken-plugin case: same command, healthy host."""
    refused = ok(good.mighub("needs-db", cwd=tmp_path), 1)
    assert refused.stderr == (
        "Error: no configuration found: looked for mighub.toml and [tool.mighub] in "
        f"pyproject.toml in {tmp_path.resolve()}; run 'mighub init migrations' or pass -c PATH\n"
    )
    init_project(good, tmp_path)
    result = ok(good.mighub("needs-db", cwd=tmp_path))
    assert (result.stdout, result.stderr) == ("ready\n", "")


DISABLE_GOOD = [
    pytest.param(["-p", "no:fixture_good"], {}, id="option"),
    pytest.param([], {"MIGHUB_DISABLE_PLUGINS": "fixture_good"}, id="environment"),
    pytest.param([], {"MIGHUB_DISABLE_PLUGINS": " other , fixture_good "}, id="environment-list"),
]


@pytest.mark.parametrize(("args", "env"), DISABLE_GOOD)
def test_disabled_plugin_adds_nothing(
    good: Venv, wheelhouse: Wheelhouse, tmp_path: Path, args: list[str], env: dict[str, str]
) -> None:
    unknown = ok(good.mighub(*args, "hello", cwd=tmp_path, env=env), 2)
    assert unknown.stdout == ""
    assert unknown.stderr.startswith("Usage: mighub [OPTIONS] COMMAND [ARGS]...\n")
    assert unknown.stderr.endswith("\nError: No such command 'hello'.\n")

    rows = plugin_rows(good, tmp_path, *args, env=env)
    disabled = {**GOOD_LOADED, "status": "disabled", "hooks": []}
    assert rows == [*builtin_rows(wheelhouse.kernel_version), disabled]

    sections = help_sections(ok(good.mighub(*args, "--help", cwd=tmp_path, env=env)).stdout)
    assert "Commands from fixture_good" not in sections


def test_disable_option_after_help_is_honoured(good: Venv, tmp_path: Path) -> None:
    result = ok(good.mighub("--help", "-p", "no:fixture_good", cwd=tmp_path))
    assert "Commands from fixture_good" not in help_sections(result.stdout)


UNKNOWN_NAME = [
    pytest.param(["-p", "no:nonexistent"], {}, id="option"),
    pytest.param([], {"MIGHUB_DISABLE_PLUGINS": "nonexistent"}, id="environment"),
]


@pytest.mark.parametrize(("args", "env"), UNKNOWN_NAME)
def test_disabling_an_unknown_name_warns_and_changes_nothing(
    good: Venv, wheelhouse: Wheelhouse, tmp_path: Path, args: list[str], env: dict[str, str]
) -> None:
    warning = "Warning: -p no:nonexistent / MIGHUB_DISABLE_PLUGINS names no known plugin\n"
    result = ok(good.mighub(*args, "plugins", "--json", cwd=tmp_path, env=env))
    assert result.stderr == warning
    assert json.loads(result.stdout)["plugins"] == [
        *builtin_rows(wheelhouse.kernel_version),
        GOOD_LOADED,
    ]
    hello = ok(good.mighub(*args, "hello", cwd=tmp_path, env=env))
    assert (hello.stdout, hello.stderr) == (HELLO_OUTPUT, warning)


# -- a broken plugin beside the good one --------------------------------------------


def test_help_and_version_survive_a_broken_plugin(
    broken: Venv, wheelhouse: Wheelhouse, tmp_path: Path
) -> None:
    version = ok(broken.mighub("--version", cwd=tmp_path))
    assert (version.stdout, version.stderr) == (f"mighub {wheelhouse.kernel_version}\n", "")

    result = ok(broken.mighub("--help", cwd=tmp_path))
    assert result.stderr == ""
    sections = help_sections(result.stdout)
    assert sections["Commands"] == CORE_COMMANDS
    assert sections["Commands from fixture_good"] == ["hello", "needs-db"]
    assert sections["Plugins that failed to load"] == ["fixture_broken"]
    failed_section = result.stdout.split("Plugins that failed to load:\n", 1)[1]
    assert one_line(failed_section) == (
        f"fixture_broken {BROKEN_ERROR} (disable with -p no:fixture_broken)"
    )


def test_plugins_reports_the_broken_plugin(
    broken: Venv, wheelhouse: Wheelhouse, tmp_path: Path
) -> None:
    result = ok(broken.mighub("plugins", cwd=tmp_path), 1)
    assert result.stderr == ""
    v = wheelhouse.kernel_version
    assert table_rows(result.stdout)[len(BUILTINS) :] == [
        ["fixture_broken", "0.4.0", "entry", "point", "failed", "-"],
        ["fixture_good", "1.2.3", "entry", "point", "loaded", *GOOD_HOOKS_WORDS],
    ]
    assert table_rows(result.stdout)[0] == [
        "mighub.commands",
        v,
        "builtin",
        "loaded",
        "mighub_register_commands",
    ]
    assert result.stdout.endswith(
        f"\n\nfixture_broken (distribution mighub-fixture-broken 0.4.0) failed: {BROKEN_ERROR}\n"
        "  disable it with -p no:fixture_broken or MIGHUB_DISABLE_PLUGINS=fixture_broken\n"
    )


def test_plugins_json_reports_the_broken_plugin(
    broken: Venv, wheelhouse: Wheelhouse, tmp_path: Path
) -> None:
    rows = plugin_rows(broken, tmp_path, code=1)
    assert rows == [*builtin_rows(wheelhouse.kernel_version), BROKEN_FAILED, GOOD_LOADED]


def test_commands_without_a_database_still_work(broken: Venv, tmp_path: Path) -> None:
    hello = ok(broken.mighub("hello", cwd=tmp_path))
    assert hello.stdout == HELLO_OUTPUT

    init = ok(broken.mighub("init", "migrations", cwd=tmp_path))
    assert init.stderr == (
        f"Warning: plugin {BROKEN_DESCRIBED} failed to load ({BROKEN_ERROR}); "
        "'mighub plugins' has details\n"
    )
    assert sorted(p.name for p in (tmp_path / "migrations").iterdir()) == [
        "README",
        "env.py",
        "script.py.mako",
        "versions",
    ]
    assert (tmp_path / "mighub.toml").is_file()


def test_database_command_refuses_until_the_plugin_is_disabled(
    broken: Venv, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    init_project(broken, project, "-p", "no:fixture_broken")

    refused = ok(broken.mighub("needs-db", cwd=project), 1)
    assert (refused.stdout, refused.stderr) == ("", BROKEN_REFUSAL)

    by_option = ok(broken.mighub("-p", "no:fixture_broken", "needs-db", cwd=project))
    assert (by_option.stdout, by_option.stderr) == ("ready\n", "")

    # From elsewhere, with the configuration named by $MIGHUB_CONFIG.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"MIGHUB_CONFIG": str(project / "mighub.toml")}
    refused = ok(broken.mighub("needs-db", cwd=elsewhere, env=env), 1)
    assert (refused.stdout, refused.stderr) == ("", BROKEN_REFUSAL)
    by_env = ok(
        broken.mighub(
            "needs-db", cwd=elsewhere, env={**env, "MIGHUB_DISABLE_PLUGINS": "fixture_broken"}
        )
    )
    assert (by_env.stdout, by_env.stderr) == ("ready\n", "")


# -- all three: load order and the misspelled hook ----------------------------------


def test_rows_are_builtins_then_entry_points_sorted_by_name(
    everything: Venv, wheelhouse: Wheelhouse, tmp_path: Path
) -> None:
    code = (
        "from importlib.metadata import entry_points\n"
        "print(' '.join(ep.name for ep in entry_points(group='mighub')))"
    )
    raw = ok(everything.python_c(code, cwd=tmp_path)).stdout.split()
    assert raw[0] == "fixture_misspelled", "the venv no longer makes discovery order unsorted"
    assert sorted(raw) == ["fixture_broken", "fixture_good", "fixture_misspelled"]

    rows = plugin_rows(everything, tmp_path, code=1)
    assert rows == [
        *builtin_rows(wheelhouse.kernel_version),
        BROKEN_FAILED,
        GOOD_LOADED,
        MISSPELLED_FAILED,
    ]
    table = table_rows(ok(everything.mighub("plugins", cwd=tmp_path), 1).stdout)
    assert [row[0] for row in table] == [
        *BUILTINS,
        "fixture_broken",
        "fixture_good",
        "fixture_misspelled",
    ]


def test_misspelled_hook_fails_the_plugin_with_a_hint(everything: Venv, tmp_path: Path) -> None:
    result = ok(everything.mighub("-p", "no:fixture_broken", "plugins", cwd=tmp_path), 1)
    assert result.stderr == ""
    assert result.stdout.endswith(
        "\n\nfixture_misspelled (distribution mighub-fixture-misspelled 2.0.1) failed: "
        f"{MISSPELLED_ERROR}\n"
        "  disable it with -p no:fixture_misspelled or MIGHUB_DISABLE_PLUGINS=fixture_misspelled\n"
    )

    # Nothing from the refused plugin is used, not even its correctly spelled hook.
    help_text = ok(everything.mighub("--help", cwd=tmp_path)).stdout
    sections = help_sections(help_text)
    assert "Commands from fixture_misspelled" not in sections
    assert sections["Plugins that failed to load"] == ["fixture_broken", "fixture_misspelled"]
    assert one_line(help_text.split("Plugins that failed to load:\n", 1)[1]) == (
        f"fixture_broken {BROKEN_ERROR} (disable with -p no:fixture_broken) "
        f"fixture_misspelled {MISSPELLED_ERROR} (disable with -p no:fixture_misspelled)"
    )
    unknown = ok(everything.mighub("from-misspelled", cwd=tmp_path), 2)
    assert unknown.stderr.endswith("\nError: No such command 'from-misspelled'.\n")


def test_other_plugins_are_unaffected_by_the_failures(everything: Venv, tmp_path: Path) -> None:
    assert help_sections(ok(everything.mighub("--help", cwd=tmp_path)).stdout)[
        "Commands from fixture_good"
    ] == ["hello", "needs-db"]
    hello = ok(everything.mighub("hello", cwd=tmp_path))
    assert (hello.stdout, hello.stderr) == (HELLO_OUTPUT, "")
    verbose = ok(everything.mighub("plugins", "-v", cwd=tmp_path), 1).stdout
    assert "fixture_good registered:\n  commands: hello, needs-db\n  dialects: fixturedb\n" in (
        verbose
    )
    assert "fixture_misspelled registered" not in verbose


def test_database_command_names_the_first_failure_and_counts_the_rest(
    everything: Venv, tmp_path: Path
) -> None:
    init_project(everything, tmp_path, "-p", "no:fixture_broken", "-p", "no:fixture_misspelled")

    both = ok(everything.mighub("needs-db", cwd=tmp_path), 1)
    assert both.stderr == (
        f"Error: plugin {BROKEN_DESCRIBED} failed to load: {BROKEN_ERROR} "
        "(and 1 more; see 'mighub plugins'); fix or uninstall it, or disable it with "
        "-p no:fixture_broken or MIGHUB_DISABLE_PLUGINS=fixture_broken\n"
    )
    misspelled_only = ok(everything.mighub("-p", "no:fixture_broken", "needs-db", cwd=tmp_path), 1)
    assert misspelled_only.stderr == (
        "Error: plugin 'fixture_misspelled' (distribution mighub-fixture-misspelled 2.0.1) "
        f"failed to load: {MISSPELLED_ERROR}; fix or uninstall it, or disable it with "
        "-p no:fixture_misspelled or MIGHUB_DISABLE_PLUGINS=fixture_misspelled\n"
    )
    healthy = ok(
        everything.mighub(
            "needs-db",
            cwd=tmp_path,
            env={"MIGHUB_DISABLE_PLUGINS": "fixture_broken,fixture_misspelled"},
        )
    )
    assert (healthy.stdout, healthy.stderr) == ("ready\n", "")
