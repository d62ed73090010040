"""MariaDB and MySQL: display widths, booleans, JSON, and the indexes foreign keys bring.

- types: display widths go (``INT(11)`` is ``INTEGER``), except ``TINYINT(1)``,
  which is what ``BOOL`` becomes; character sets and collations are not
  compared; on MariaDB ``JSON`` is stored as ``LONGTEXT``;
- defaults: ``now()`` and ``current_timestamp()`` are one default, ``true``
  is ``1``; in expressions ``length()`` is ``octet_length()``;
- the index MariaDB/MySQL creates by itself for a foreign key is not a
  difference, and a primary key is always named ``PRIMARY``.
"""

from __future__ import annotations

import re
from typing import Any

from mighub.operations.ops import UpgradeOps

DIALECTS = ("mysql", "mariadb")

_WIDTH = re.compile(r"^(TINYINT|SMALLINT|MEDIUMINT|INT|INTEGER|BIGINT)\(\d+\)")
_CHARSET = re.compile(r"\s+(CHARACTER SET|CHARSET|COLLATE)\s+\S+")
_OCTET_LENGTH = re.compile(r"\boctet_length\(", re.IGNORECASE)
_NOW = {"now()", "current_timestamp", "current_timestamp()", "localtimestamp", "localtimestamp()"}


def normalise_type(text: str, info: Any) -> str:
    text = _CHARSET.sub("", text)
    if not text.startswith("TINYINT(1)"):
        text = _WIDTH.sub(r"\1", text)
    if text == "JSON" and getattr(info.context.dialect, "is_mariadb", False):
        return "LONGTEXT"
    return text


def normalise_default(text: str, info: Any) -> str:
    lowered = text.lower()
    if lowered in _NOW:
        return "current_timestamp()"
    if lowered == "true":
        return "1"
    if lowered == "false":
        return "0"
    return text


def normalise_expression(text: str, info: Any) -> str:
    """MariaDB writes ``length(x)`` back as ``octet_length(x)``, its real name."""
    return _OCTET_LENGTH.sub("length(", text)


def implicit_foreign_key_indexes(
    context: Any, upgrade_ops: UpgradeOps, schemas: list[str | None]
) -> None:
    """Forget the indexes the database made by itself to back foreign keys; name primary keys."""
    for key, db_table in context.db_tables.items():
        if db_table.primary_key.columns and db_table.primary_key.name is None:
            db_table.primary_key.name = "PRIMARY"
        if not db_table.foreign_keys:
            continue
        model = context.model_tables.get(key)
        declared = {str(ix.name) for ix in model.indexes} if model is not None else set()
        fk_names = {fk.name for fk in db_table.foreign_keys}
        fk_columns = {tuple(fk.columns) for fk in db_table.foreign_keys}
        db_table.indexes = [
            ix
            for ix in db_table.indexes
            if ix.unique
            or ix.name in declared
            or not (ix.name in fk_names or tuple(ix.columns) in fk_columns)
        ]


SYNONYMS = {
    "INTEGER": ("INT",),
    "TINYINT(1)": ("BOOL", "BOOLEAN"),
    "DECIMAL": ("NUMERIC",),
}


def register(registry: Any) -> None:
    for dialect in DIALECTS:
        for canonical, spellings in SYNONYMS.items():
            registry.register_type_synonyms(canonical, *spellings, dialect=dialect)
        registry.register_normaliser(
            normalise_type, kind="type", dialect=dialect, name=f"autogen.{dialect}.type"
        )
        registry.register_normaliser(
            normalise_default,
            kind="server_default",
            dialect=dialect,
            name=f"autogen.{dialect}.server_default",
        )
        registry.register_normaliser(
            normalise_expression,
            kind="expression",
            dialect=dialect,
            name=f"autogen.{dialect}.expression",
        )
        registry.register(
            implicit_foreign_key_indexes,
            level="schema",
            dialect=dialect,
            priority=100,
            name=f"autogen.{dialect}.implicit_indexes",
        )
