"""Real wheels and fresh virtual environments, for tests that run mighub as users install it.

A test that imports mighub from the checkout cannot see packaging mistakes:
a missing entry point, a template left out of the wheel, a plugin found only
because the repository happens to be on ``sys.path``. These fixtures build the
kernel and the fixture plugins (``tests/fixtures/plugins/``) into wheels once
per session, pip-install them into fresh virtual environments, and run the
installed ``mighub`` as a subprocess with a clean environment.

The package index is needed once per session, to fill a wheelhouse with the
kernel's dependencies and the build backend; every later step (building the
wheels, installing them) runs with ``--no-index`` from that wheelhouse, so a
venv costs seconds rather than a resolve against the index. When the index
cannot be reached (and pip's cache cannot stand in), the tests are skipped
with pip's reason, except under CI (``$CI`` set), where they fail.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 only
    import tomli as tomllib

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE_PLUGINS = REPO_ROOT / "tests" / "fixtures" / "plugins"
FIRST_PARTY_WHEELS = [REPO_ROOT / "plugins" / "autogen"]
"""First-party plugins that tests install beside the fixture plugins."""

SUBPROCESS_TIMEOUT = 300
"""Seconds before a hung pip or mighub is killed; a guard against hangs, not a timing test."""


def _run(
    args: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        stdin=subprocess.DEVNULL,
        timeout=SUBPROCESS_TIMEOUT,
        check=False,
    )


def _pip(*args: str | os.PathLike[str]) -> subprocess.CompletedProcess[str]:
    """The pip of the interpreter running the tests, with the user's own pip configuration."""
    return _run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args])


def _describe(result: subprocess.CompletedProcess[str]) -> str:
    return (
        f"$ {' '.join(result.args)}\n(exit {result.returncode})\n"
        f"--- stdout\n{result.stdout}--- stderr\n{result.stderr}"
    )


def _pip_targets_other_pythons() -> bool:
    """pip 22.3 added ``--python``: one pip can install into a venv created without pip."""
    major, minor = (int(part) for part in metadata.version("pip").split(".")[:2])
    return (major, minor) >= (22, 3)


@dataclass(frozen=True)
class Venv:
    """A virtual environment with mighub installed from wheels, and a way to run it."""

    path: Path
    home: Path
    """An empty HOME, so no user configuration reaches the commands."""

    @property
    def bin(self) -> Path:
        return self.path / ("Scripts" if os.name == "nt" else "bin")

    @property
    def python(self) -> Path:
        return self.bin / ("python.exe" if os.name == "nt" else "python")

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """A clean environment: nothing is inherited from the process running the tests.

        No ``MIGHUB_*`` or ``PYTHON*`` variable of the outer process leaks in
        (``PYTHONPATH`` would let the checkout shadow the installed wheel);
        tests pass what they mean to set as ``extra``.
        """
        env = {
            "PATH": os.pathsep.join([str(self.bin), os.defpath]),
            "HOME": str(self.home),
            "LC_ALL": "C.UTF-8",
            "COLUMNS": "100",
        }
        if "SYSTEMROOT" in os.environ:  # Windows cannot start Python without it
            env["SYSTEMROOT"] = os.environ["SYSTEMROOT"]
        env.update(extra or {})
        return env

    def mighub(
        self, *args: str, cwd: Path, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run the venv's ``mighub`` console script, as a user's shell would."""
        return _run([self.bin / "mighub", *args], cwd=cwd, env=self.env(env))

    def python_m_mighub(
        self, *args: str, cwd: Path, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run ``python -m mighub`` with the venv's interpreter."""
        return _run([self.python, "-m", "mighub", *args], cwd=cwd, env=self.env(env))

    def python_c(self, code: str, *, cwd: Path) -> subprocess.CompletedProcess[str]:
        return _run([self.python, "-c", code], cwd=cwd, env=self.env())


@dataclass(frozen=True)
class Wheelhouse:
    """Wheels of the kernel, its dependencies, the build backend and the fixture plugins."""

    directory: Path
    kernel_version: str

    def create_venv(self, path: Path) -> Venv:
        """A fresh virtual environment, without pip when the outer pip can install into it.

        Bootstrapping pip into every venv (ensurepip) costs seconds each; pip
        22.3+ installs into another interpreter with ``--python`` instead.
        """
        args: list[str | os.PathLike[str]] = [sys.executable, "-m", "venv", path]
        if _pip_targets_other_pythons():
            args.append("--without-pip")
        result = _run(args)
        assert result.returncode == 0, _describe(result)
        home = path / "home"
        home.mkdir()
        return Venv(path, home)

    def install(self, venv: Venv, *requirements: str, target: Path | None = None) -> None:
        """pip-install ``requirements`` into ``venv`` from this wheelhouse alone (no index).

        With ``target``, install them (without dependencies) into that directory
        instead of the venv's site-packages.
        """
        options = ["--no-index", "--find-links", str(self.directory)]
        if target is not None:
            options += ["--no-deps", "--target", str(target)]
        if _pip_targets_other_pythons():
            result = _pip("--python", venv.python, "install", *options, *requirements)
        else:
            result = _run([venv.python, "-m", "pip", "install", *options, *requirements])
        assert result.returncode == 0, _describe(result)

    def venv(self, path: Path, requirements: Iterable[str]) -> Venv:
        """A fresh venv with ``requirements`` installed one at a time, in the order given."""
        venv = self.create_venv(path)
        for requirement in requirements:
            self.install(venv, requirement)
        return venv


def _fixture_plugin_dirs() -> list[Path]:
    return sorted(p.parent for p in FIXTURE_PLUGINS.glob("*/pyproject.toml"))


def _index_requirements(projects: Iterable[Path]) -> list[str]:
    """What must come from the package index: build backends, the kernel's dependencies, and
    the ``test`` extras of fixture plugins that run their own tests in a venv (pytest).

    Read from the pyproject files themselves, so the list cannot drift from
    what the kernel and the fixtures declare.
    """
    requirements: set[str] = set()
    for project in projects:
        data = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
        requirements.update(data["build-system"]["requires"])
        if project == REPO_ROOT:
            requirements.update(data["project"]["dependencies"])
        else:
            requirements.update(data["project"].get("optional-dependencies", {}).get("test", []))
    return sorted(requirements)


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Wheelhouse:
    """Build every wheel the integration tests install, once per session."""
    directory = tmp_path_factory.mktemp("wheelhouse")
    projects = [REPO_ROOT, *FIRST_PARTY_WHEELS, *_fixture_plugin_dirs()]

    fetched = _pip("wheel", "--wheel-dir", directory, *_index_requirements(projects))
    if fetched.returncode != 0:
        reason = (
            "cannot build wheels: pip could not fetch the build backend and the kernel's "
            "dependencies from the package index (no network and no pip cache?)\n"
            + _describe(fetched)
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)

    # Offline from here on: a failure is a real packaging bug, never a skip.
    built = _pip(
        "wheel",
        "--no-deps",
        "--no-index",
        "--find-links",
        directory,
        "--wheel-dir",
        directory,
        *projects,
    )
    assert built.returncode == 0, _describe(built)

    kernel = [w.name for w in directory.glob("mighub-*.whl")]
    assert len(kernel) == 1, f"expected one kernel wheel in {directory}, found {kernel}"
    return Wheelhouse(directory, kernel_version=kernel[0].split("-")[1])
