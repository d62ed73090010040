"""The virtual environments the bench builds for itself, under ``bench/.work/venvs``.

* ``mighub``: the checkout's kernel and the plugins the scenarios use
  (postgresql, sqlite_batch, autogen), installed **non-editable** (a user's
  install: no ``.pth`` path hook, no repository root on ``sys.path``), plus
  psycopg 3. The packages are reinstalled whenever their sources change.
* ``alembic``: Alembic, with exactly the SQLAlchemy and psycopg versions that
  pip chose for the mighub environment, so both tools run on the same library.
* ``plot``: matplotlib, for the plot only.

All three use the interpreter that runs the bench. A stamp file in each
remembers what was asked for; a different request rebuilds the environment.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .paths import REPO, VENVS
from .projects import clean_env

#: The Alembic release the published results were measured against.
ALEMBIC_SPEC = "alembic==1.20.1"
#: The mighub plugins the scenarios need, installed with the kernel.
PLUGINS = ("postgresql", "sqlite_batch", "autogen")
STAMP = "bench-stamp.json"


@dataclass(frozen=True)
class Venv:
    path: Path

    @property
    def python(self) -> Path:
        return self.path / "bin" / "python"

    def bin(self, name: str) -> Path:
        return self.path / "bin" / name

    def versions(self, distributions: Sequence[str]) -> dict[str, str]:
        code = (
            "import importlib.metadata as m, json, sys\n"
            "v = {}\n"
            "for d in sys.argv[1:]:\n"
            "    try: v[d] = m.version(d)\n"
            "    except m.PackageNotFoundError: pass\n"
            "print(json.dumps(v))"
        )
        done = subprocess.run(
            [str(self.python), "-c", code, *distributions],
            capture_output=True,
            text=True,
            check=True,
            env=clean_env(),
        )
        return json.loads(done.stdout)


def _pip(venv: Venv, args: Sequence[str], log: Callable[[str], None]) -> None:
    cmd = [
        str(venv.python),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        *args,
    ]
    log("  pip install " + " ".join(args))
    done = subprocess.run(cmd, capture_output=True, text=True, env=clean_env(), check=False)
    if done.returncode != 0:
        raise RuntimeError(f"pip install failed in {venv.path}:\n{done.stdout}\n{done.stderr}")


def _ensure(
    name: str, request: dict[str, object], install: Sequence[str], log: Callable[[str], None]
) -> tuple[Venv, bool]:
    """A venv built for ``request`` (rebuilt when the request changed), and whether it is new."""
    venv = Venv(VENVS / name)
    stamp = venv.path / STAMP
    request = {**request, "python": sys.version, "executable": sys.executable}
    try:
        current = json.loads(stamp.read_text())
    except (OSError, ValueError):
        current = None
    if current == request and venv.python.exists():
        return venv, False
    log(f"Building the virtual environment {venv.path} ...")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv.path)], check=True)
    _pip(venv, install, log)
    stamp.write_text(json.dumps(request, indent=1))
    return venv, True


def _source_digest(paths: Sequence[Path]) -> str:
    """A digest of the files (and folders of files) that make up the mighub distributions."""
    h = hashlib.sha256()
    for top in paths:
        for path in sorted(top.rglob("*")) if top.is_dir() else [top]:
            rel = path.relative_to(REPO).as_posix()
            if path.is_dir() or "__pycache__" in rel or "/tests/" in rel or rel.endswith(".pyc"):
                continue
            h.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


@dataclass(frozen=True)
class Tools:
    mighub: Venv
    alembic: Venv
    versions: dict[str, dict[str, str]]

    @property
    def python(self) -> Path:
        """The interpreter of the floors (the mighub venv's: same Python, same SQLAlchemy)."""
        return self.mighub.python


def prepare(log: Callable[[str], None], alembic_spec: str = ALEMBIC_SPEC) -> Tools:
    """Build (or reuse) the mighub and Alembic environments; return how to run them."""
    packages = [REPO] + [REPO / "plugins" / p for p in PLUGINS]
    sources = [REPO / "mighub", REPO / "pyproject.toml", *packages[1:]]
    mighub, fresh = _ensure(
        "mighub",
        {"packages": [str(p) for p in packages], "extra": ["psycopg[binary]"]},
        [*map(str, packages), "psycopg[binary]"],
        log,
    )
    digest = _source_digest(sources)
    digest_file = mighub.path / "bench-source.sha256"
    if not fresh and (not digest_file.exists() or digest_file.read_text() != digest):
        log("mighub's sources changed: reinstalling them (non-editable)")
        _pip(mighub, ["--no-deps", "--force-reinstall", *map(str, packages)], log)
    digest_file.write_text(digest)
    shared = mighub.versions(["SQLAlchemy", "psycopg", "psycopg-binary"])
    alembic, _ = _ensure(
        "alembic",
        {"alembic": alembic_spec, "shared": shared},
        [alembic_spec, *(f"{k}=={v}" for k, v in shared.items())],
        log,
    )
    dists = ["mighub", "SQLAlchemy", "psycopg", "click", "pluggy", "Mako", "alembic"]
    dists += [f"mighub-{p.replace('_', '-')}" for p in PLUGINS]
    versions = {"mighub": mighub.versions(dists), "alembic": alembic.versions(dists)}
    return Tools(mighub, alembic, versions)


def plot_python(log: Callable[[str], None]) -> Path:
    """The interpreter of the plot environment (matplotlib), built on first use."""
    return _ensure("plot", {"packages": ["matplotlib"]}, ["matplotlib"], log)[0].python
