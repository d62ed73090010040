"""SQL Server's rules for ``mighub-autogen``'s comparison, registered by this plugin.

The rules decide the questions :mod:`mighub_mssql.compare` answers, at the
points autogen's comparison asks them:

- types: ``NVARCHAR`` is ``VARCHAR``, ``NCHAR`` is ``CHAR``, ``NUMERIC`` is
  ``DECIMAL`` (type synonyms); the collation SQL Server reports for every
  string column is not compared unless the model names one (a type
  normaliser);
- server defaults: the parentheses, ``N`` prefixes, brackets and quoted
  numbers SQL Server adds when it stores a default do not count (a
  server-default normaliser, :func:`mighub_mssql.compare.normalize_default`);
- identity columns: only the seed and the increment exist on SQL Server, and
  an autoincrement integer primary key is the ``IDENTITY(1,1)`` the database
  reflects (a column comparator that runs after the generic ones; autogen's
  own identity comparator skips SQL Server, whose SQLAlchemy dialect does
  not declare identity support).
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from mighub.ddl.impl import NOT_GIVEN
from mighub_mssql.compare import (
    IDENTITY_ATTRIBUTES,
    _implicit_identity,
    identity_differences,
    normalize_default,
)

DIALECT = "mssql"

SYNONYMS = {
    "VARCHAR": ("NVARCHAR",),
    "CHAR": ("NCHAR",),
    "DECIMAL": ("NUMERIC",),
}
"""canonical -> spellings SQL Server users treat as the same column type."""

COMPARE_PRIORITY = -100
"""Below the generic comparators (priority 0): the identity comparator reviews their findings."""

_COLLATE = re.compile(r"\s+COLLATE\s+\S+$", re.IGNORECASE)


def normalise_type(text: str, info: Any) -> str:
    """The database's collation goes when the model states none (every string reports one)."""
    model_column = getattr(info, "model_column", None)
    model_collation = getattr(getattr(model_column, "type", None), "collation", None)
    if info.side == "database" and model_collation is None:
        return _COLLATE.sub("", text)
    return text


def normalise_default(text: str, info: Any) -> str | None:
    return normalize_default(text)


def compare_identity(
    context: Any,
    alter: Any,
    schema: str | None,
    table_name: str,
    column_name: str,
    db_column: Any,
    model_column: sa.Column[Any],
) -> None:
    """An identity change as SQL Server has them: seed and increment, nothing else.

    SQLAlchemy's mssql dialect does not say it supports identity columns,
    so autogen's own identity comparator passes SQL Server by; this one
    decides instead, after the generic comparators (whose finding, if any,
    it replaces). An autoincrement integer primary key without ``Identity``
    is the ``IDENTITY(1,1)`` SQL Server makes of it; ``always``, ``cache``
    and the other options SQL Server lacks are not compared.
    """
    found = db_column.identity
    wanted = model_column.identity
    if found is None and wanted is None:
        # (an autoincrement key the database holds without identity included: SQL Server
        # cannot make an existing column an identity)
        return
    implicit = _implicit_identity(model_column)
    inspected = (
        None
        if found is None
        else sa.Identity(**{k: v for k, v in found.items() if k in IDENTITY_ATTRIBUTES})
    )
    if identity_differences(inspected, wanted, implicit_identity=implicit):
        alter.modify_server_default = wanted._copy() if wanted is not None else None
    elif alter.modify_server_default is not NOT_GIVEN and (found is not None or wanted is not None):
        alter.modify_server_default = NOT_GIVEN


def register(registry: Any) -> None:
    for canonical, spellings in SYNONYMS.items():
        registry.register_type_synonyms(canonical, *spellings, dialect=DIALECT)
    registry.register_normaliser(normalise_type, kind="type", dialect=DIALECT, name="mssql.type")
    registry.register_normaliser(
        normalise_default, kind="server_default", dialect=DIALECT, name="mssql.server_default"
    )
    registry.register(
        compare_identity,
        level="column",
        dialect=DIALECT,
        priority=COMPARE_PRIORITY,
        name="mssql.identity",
    )
