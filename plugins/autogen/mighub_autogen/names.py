"""The name a constraint or index will have in the database, as autogenerate writes it.

A name that comes from the models' naming convention, or from the database,
is final: rendered as ``op.f("name")`` so the migration's naming convention
does not apply a second time. A name the user wrote stays a plain string.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.sql.elements import conv


def final_name_of(obj: Any, dialect: sa.Dialect) -> Any:
    """``obj.name`` once the naming convention has had its say; ``None`` when unnamed."""
    name = obj.name
    if name is None or isinstance(name, conv):
        return name
    if type(name) is str:
        return name
    # A convention whose tokens could not be resolved yet (SQLAlchemy's "none name").
    preparer = dialect.identifier_preparer
    try:
        final = preparer.format_constraint(obj, _alembic_quote=False)
    except (AssertionError, sa_exc.InvalidRequestError, TypeError):
        return None
    return conv(final) if final else None


def plain(name: Any) -> str | None:
    """The name as a plain string (for comparison and messages)."""
    return None if name is None else str(name)
