"""Projects on a fresh database of each backend, from the kernel's runtime tests."""

from __future__ import annotations

from tests.runtime.conftest import backend, project, sqlite_project

__all__ = ["backend", "project", "sqlite_project"]
