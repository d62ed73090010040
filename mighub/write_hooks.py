"""Post-write hooks: tools run on each new revision file (a formatter, a linter).

Configured as ``[[post_write_hooks]]`` tables (see docs/configuration.md) and
run in order after ``mighub revision`` or ``mighub merge`` writes a file.
``REVISION_SCRIPT_FILENAME`` in ``options`` marks where the file's path goes;
without it, the path is added at the end.
"""

from __future__ import annotations

import importlib.util
import shlex
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from mighub.errors import CommandError

FILENAME_TOKEN = "REVISION_SCRIPT_FILENAME"


def hook_command(hook: dict[str, Any], path: Path) -> list[str]:
    """The command line one hook runs for the file at ``path``."""
    name = hook.get("name") or hook["type"]
    kind = hook["type"]
    if kind == "console_scripts":
        entrypoint = hook["entrypoint"]
        found = [
            ep for ep in metadata.entry_points(group="console_scripts") if ep.name == entrypoint
        ]
        if not found:
            raise CommandError(
                f"post-write hook {name!r}: no installed console script named {entrypoint!r}"
            )
        ep = found[0]
        module, _, attr = ep.value.partition(":")
        code = f"import sys; from {module} import {attr.split('.')[0]} as f; sys.exit(f())"
        if "." in attr:
            code = f"import sys, {module} as m; sys.exit(m.{attr}())"
        base = [sys.executable, "-c", code]
    elif kind == "exec":
        executable = hook["executable"]
        resolved = shutil.which(executable) or (executable if Path(executable).is_file() else None)
        if resolved is None:
            raise CommandError(f"post-write hook {name!r}: executable {executable!r} not found")
        base = [resolved]
    else:
        module = hook["module"]
        if importlib.util.find_spec(module) is None:
            raise CommandError(f"post-write hook {name!r}: module {module!r} is not importable")
        base = [sys.executable, "-m", module]
    options = shlex.split(hook.get("options", ""))
    if FILENAME_TOKEN in options:
        options = [str(path) if o == FILENAME_TOKEN else o for o in options]
    else:
        options.append(str(path))
    return base + options


def run_post_write_hooks(project: Any, path: Path) -> None:
    """Run every configured hook on ``path``; a failing hook is an error naming it."""
    config = project.config
    for hook in config.get("post_write_hooks"):
        name = hook.get("name") or hook["type"]
        command = hook_command(hook, path)
        cwd = config.resolve_path(hook["cwd"]) if hook.get("cwd") else None
        project.status(f"Running post-write hook {name!r} on {path.name}")
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            output = (done.stderr or done.stdout).strip().splitlines()
            detail = f": {output[-1]}" if output else ""
            raise CommandError(
                f"post-write hook {name!r} failed on {path} with exit status "
                f"{done.returncode}{detail}"
            )
