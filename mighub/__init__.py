"""mighub: database schema migrations for SQLAlchemy, as a small kernel plus plugins.

Importing this package has no side effects: no plugin is loaded and no
database driver is imported until a command (or a test) builds a plugin host.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["__version__", "hookimpl"]

if TYPE_CHECKING:
    from mighub.hookspecs import hookimpl


def __getattr__(name: str) -> Any:
    # Lazy, so that `import mighub` (and `mighub --version`) stays cheap.
    if name == "hookimpl":
        from mighub.hookspecs import hookimpl

        return hookimpl
    raise AttributeError(f"module 'mighub' has no attribute {name!r}")
