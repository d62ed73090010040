"""``from mighub import context``: env.py's view of the run mighub is doing.

Every attribute is looked up on the environment of the env.py that is
running now (:class:`mighub.runtime.environment.EnvironmentContext`):
``context.config``, ``context.configure(...)``, ``context.begin_transaction()``,
``context.run_migrations()``, ``context.is_offline_mode()``,
``context.get_x_argument()``, ``context.get_bind()``, ``context.get_context()``
and the rest. Outside a run, using it is a clear error.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    from mighub.runtime.environment import current_environment

    return getattr(current_environment(), name)
