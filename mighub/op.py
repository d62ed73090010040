"""``from mighub import op``: the operations of the revision that is running.

Every attribute is looked up on the :class:`mighub.operations.Operations`
made current by :func:`mighub.operations.use`, which the runtime wraps around
each revision's ``upgrade()`` / ``downgrade()``. Because it is a context
variable, migrations running in two threads or tasks each reach their own.
Outside a migration, using ``op`` raises :class:`mighub.errors.MighubError`.

``dir(op)`` lists the operations installed while a migration runs.
"""

from __future__ import annotations

from typing import Any

from mighub.operations.base import _current, current


def __getattr__(name: str) -> Any:
    if name.startswith("__") and name.endswith("__"):
        # Import machinery, pickling and tools probing the module: never operations.
        raise AttributeError(f"module 'mighub.op' has no attribute {name!r}")
    return getattr(current(name), name)


def __dir__() -> list[str]:
    operations = _current.get()
    names = ["__doc__", "__name__"]
    if operations is not None:
        names += [n for n in dir(operations) if not n.startswith("_")]
    return sorted(names)
