"""mighub: database schema migrations for SQLAlchemy, as a small kernel plus plugins.

Importing this package has no side effects: no plugin is loaded and no
database driver is imported until a command (or a test) builds a plugin host.
"""

from __future__ import annotations

__version__ = "0.1.0"
