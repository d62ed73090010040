"""Autogenerate for mighub: draft revision scripts from SQLAlchemy models, and check drift.

The public API is importable from here; it loads on first use, so that
discovering the plugin costs ``mighub heads`` nothing::

    from mighub_autogen import compare_metadata, produce_migrations, render_python_code
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_API = {
    "AutogenContext": "mighub_autogen.context",
    "AutogenerateError": "mighub_autogen.context",
    "MigrationScript": "mighub_autogen.script",
    "Rewriter": "mighub_autogen.script",
    "NormaliseInfo": "mighub_autogen.normalise",
    "autogen_context": "mighub_autogen.api",
    "compare_metadata": "mighub_autogen.api",
    "produce_migrations": "mighub_autogen.api",
    "render_python_code": "mighub_autogen.api",
    "differences": "mighub_autogen.api",
}

__all__ = [*sorted(_API), "__version__"]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'mighub_autogen' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
