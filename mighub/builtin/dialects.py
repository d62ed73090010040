"""Builtin plugin ``mighub.dialects``: the dialects the kernel supports without plugins.

Only SQLite: every other database comes from its plugin. The generic
implementation, :class:`mighub.ddl.impl.DialectImpl`, is the base that
dialect plugins subclass.
"""

from __future__ import annotations

from mighub.hookspecs import hookimpl
from mighub.registries import DialectRegistry


@hookimpl
def mighub_register_dialects(registry: DialectRegistry) -> None:
    registry.register("sqlite", "mighub.ddl.sqlite:SQLiteImpl")
