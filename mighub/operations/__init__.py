"""Operations: what revision scripts call through ``op``, as reversible data objects.

- :class:`Operations` is ``op`` while a revision runs; :func:`use` makes one
  current for a thread or asyncio task.
- :class:`Operation` is the base of every operation class; the core ones are
  in :mod:`mighub.operations.ops`, their default implementations in
  :mod:`mighub.operations.implementations`, and the builtin plugin
  ``mighub.operations`` registers both.

Importing this package does not import SQLAlchemy.
"""

from __future__ import annotations

from mighub.operations.base import (
    BatchOperations,
    IrreversibleOperationError,
    Operation,
    Operations,
    current,
    use,
)

__all__ = [
    "BatchOperations",
    "IrreversibleOperationError",
    "Operation",
    "Operations",
    "current",
    "use",
]
