"""A migration project on a fresh database of each backend, driven through the real CLI.

The fixtures come from the kernel's runtime tests, so batch mode is tested
exactly as users run it: ``mighub upgrade`` on env.py, in mighub's transaction.
"""

from __future__ import annotations

from tests.runtime.conftest import backend, project, sqlite_project

__all__ = ["backend", "project", "sqlite_project"]
