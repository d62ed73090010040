"""Generate the scenario projects: one per tool, from the same definitions.

Each project starts as the output of the tool's own ``init`` (``mighub init
migrations`` / ``alembic init migrations``: the generic template, what a user
gets), then the bench sets its database URL, writes the revision scripts from
one template, and for autogenerate points ``env.py`` at a models module.
Nothing else of either tool's defaults is changed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .definitions import Revision
from .paths import PROJECTS, WORK

TOOLS = ("mighub", "alembic")

SCRIPT_TEMPLATE = '''"""{message}

Revision ID: {rev}
Revises: {revises}
Create Date: 2025-01-01 00:00:00.000000

"""
from {tool} import op
import sqlalchemy as sa


revision = {rev!r}
down_revision = {down}
branch_labels = None
depends_on = None


def upgrade() -> None:
    {upgrade}


def downgrade() -> None:
    {downgrade}
'''


def render_script(r: Revision, tool: str) -> str:
    """The revision script for ``tool``: the same text for both but the import line."""
    if not r.down:
        down = "None"
    elif len(r.down) == 1:
        down = repr(r.down[0])
    else:
        down = repr(r.down)
    return SCRIPT_TEMPLATE.format(
        message=r.message,
        rev=r.rev,
        revises=", ".join(r.down),
        tool=tool,
        down=down,
        upgrade="\n    ".join(r.upgrade) or "pass",
        downgrade="\n    ".join(r.downgrade) or "pass",
    )


def script_name(r: Revision) -> str:
    slug = re.sub(r"\W+", "_", r.message).strip("_")[:40]
    return f"{r.rev}_{slug}.py"


@dataclass
class Project:
    """One tool's copy of a scenario project."""

    tool: str
    root: Path
    url: str
    scripts: frozenset[str] = field(default_factory=frozenset)
    written_at: float = 0.0

    @property
    def versions(self) -> Path:
        return self.root / "migrations" / "versions"

    @property
    def sqlite_path(self) -> Path:
        """The database file of a SQLite project."""
        assert self.url.startswith("sqlite:///"), self.url
        return Path(self.url[len("sqlite:///") :])

    def remove_new_scripts(self) -> None:
        """Delete revision scripts the bench did not write (autogenerate's output)."""
        for path in self.versions.glob("*.py"):
            if path.name not in self.scripts:
                path.unlink()

    def remove_pycache(self) -> None:
        """Make the project 'cold': no ``__pycache__`` anywhere in it.

        That removes Python's bytecode of env.py and of the revision scripts
        (Alembic's cache) and mighub's header cache, which lives in
        ``versions/__pycache__/`` (see ``mighub/script/headers.py``).
        """
        for cache in list(self.root.rglob("__pycache__")):
            shutil.rmtree(cache)

    def remove_sqlite_files(self) -> None:
        db = self.sqlite_path
        for path in db.parent.glob(db.name + "*"):  # -journal, -wal, .mighub-lock
            path.unlink()


def clean_env() -> dict[str, str]:
    """The environment of every measured process: the caller's, without Python's
    and the tools' own variables (e.g. PYTHONDONTWRITEBYTECODE would disable
    Alembic's bytecode cache, MIGHUB_URL would override the project's URL)."""
    drop = ("PYTHON", "MIGHUB_", "ALEMBIC_", "VIRTUAL_ENV", "__PYVENV")
    return {k: v for k, v in os.environ.items() if not k.startswith(drop)}


def init_skeletons(executables: Mapping[str, Path]) -> dict[str, Path]:
    """Run each tool's ``init migrations`` once, in a fresh folder; return the folders."""
    out = {}
    for tool, exe in executables.items():
        folder = WORK / "skeletons" / tool
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        done = subprocess.run(
            [str(exe), "init", "migrations"],
            cwd=folder,
            env=clean_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{tool} init failed:\n{done.stdout}{done.stderr}")
        out[tool] = folder
    return out


def _set_url(root: Path, tool: str, url: str) -> None:
    if tool == "mighub":
        path, pattern, line = root / "mighub.toml", r"(?m)^url = .*$", f'url = "{url}"'
    else:
        path, pattern, line = (
            root / "alembic.ini",
            r"(?m)^sqlalchemy\.url = .*$",
            f"sqlalchemy.url = {url}",
        )
    text, n = re.subn(pattern, line.replace("\\", "\\\\"), path.read_text())
    if n != 1:
        raise RuntimeError(f"{path}: expected one line matching {pattern!r}, found {n}")
    path.write_text(text)


def _use_models(root: Path, models: str) -> None:
    """Write ``bench_models.py`` and make env.py's ``target_metadata`` its metadata."""
    (root / "bench_models.py").write_text(models)
    env = root / "migrations" / "env.py"
    line = (
        f"import sys as _sys\n_sys.path.insert(0, {str(root)!r})\n"
        "from bench_models import metadata as target_metadata  # noqa: E402"
    )
    text, n = re.subn(r"(?m)^target_metadata = None$", lambda _: line, env.read_text())
    if n != 1:
        raise RuntimeError(f"{env}: expected one line 'target_metadata = None', found {n}")
    env.write_text(text)


def make_projects(
    key: str,
    skeletons: Mapping[str, Path],
    urls: Mapping[str, str],
    revisions: Iterable[Revision],
    models: str | None = None,
) -> dict[str, Project]:
    """Both tools' projects of one scenario, under ``.work/projects/<key>/<tool>``.

    ``urls`` maps each tool to its database URL; ``{root}`` in a URL stands for
    that tool's project folder (so SQLite files live inside it).
    """
    revisions = list(revisions)
    base = PROJECTS / key
    if base.exists():
        shutil.rmtree(base)
    out = {}
    for tool in TOOLS:
        root = base / tool
        shutil.copytree(skeletons[tool], root)
        url = urls[tool].format(root=root)
        _set_url(root, tool, url)
        if models is not None:
            _use_models(root, models)
        names = []
        versions = root / "migrations" / "versions"
        versions.mkdir(exist_ok=True)
        for r in revisions:
            name = script_name(r)
            (versions / name).write_text(render_script(r, tool))
            names.append(name)
        out[tool] = Project(tool, root, url, frozenset(names), time.time())
    return out


def floor_dir(key: str) -> Path:
    """A scenario's folder for the floors' inputs (SQL files and the like)."""
    path = PROJECTS / key / "floor"
    path.mkdir(parents=True, exist_ok=True)
    return path
