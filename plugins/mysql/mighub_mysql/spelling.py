"""MariaDB/MySQL rules for ``mighub-autogen``'s comparison, registered by this plugin.

- types: display widths go (``INT(11)`` is ``INTEGER``), except
  ``TINYINT(1)``, which is what ``BOOL`` becomes; on MariaDB ``JSON`` is
  stored as ``LONGTEXT``; character sets and collations are left to
  :func:`compare_enum_and_collation`;
- server defaults: one spelling for MySQL's and MariaDB's ways of writing
  them back (:func:`mighub_mysql.compare.normalize_default`);
- expressions: MariaDB writes ``length(x)`` back as ``octet_length(x)``;
- native ENUM values (order included: it is the sort order) and a charset
  or collation that both sides state are compared;
- the index the server creates by itself for a foreign key is not a
  difference, and a primary key is always named ``PRIMARY``;
- a foreign key's ``RESTRICT``, ``NO ACTION`` and no rule at all are one
  rule.
"""

from __future__ import annotations

import re
from typing import Any

from mighub.operations.ops import UpgradeOps
from mighub_mysql.compare import normalize_default, types_match

DIALECTS = ("mysql", "mariadb")

_WIDTH = re.compile(r"^(TINYINT|SMALLINT|MEDIUMINT|INT|INTEGER|BIGINT)\(\d+\)")
_CHARSET = re.compile(r"\s+(CHARACTER SET|CHARSET|COLLATE)\s+\S+")
_OCTET_LENGTH = re.compile(r"\boctet_length\(", re.IGNORECASE)


def normalise_type(text: str, info: Any) -> str:
    text = _CHARSET.sub("", text)
    if not text.startswith("TINYINT(1)"):
        text = _WIDTH.sub(r"\1", text)
    if text == "JSON" and getattr(info.context.dialect, "is_mariadb", False):
        return "LONGTEXT"
    return text


def normalise_default(text: str, info: Any) -> str | None:
    return normalize_default(text)


def normalise_expression(text: str, info: Any) -> str:
    return _OCTET_LENGTH.sub("length(", text)


def compare_enum_and_collation(
    context: Any,
    alter: Any,
    schema: str | None,
    table_name: str,
    column_name: str,
    db_column: Any,
    model_column: Any,
) -> None:
    """ENUM values and stated charsets/collations decide; BOOL and TINYINT(1) are one type."""
    if context.option("compare_type") is False:
        return
    same = types_match(db_column.type, model_column.type)
    if same is True:
        alter.modify_type = None
    elif same is False and alter.modify_type is None:
        alter.modify_type = model_column.type


def implicit_foreign_key_indexes(
    context: Any, upgrade_ops: UpgradeOps, schemas: list[str | None]
) -> None:
    """Forget the indexes the server made by itself for foreign keys; name primary keys.

    A foreign key needs an index that starts with its columns; when there
    is none the server adds one on exactly those columns, named after the
    constraint (or after its first column when the constraint has no
    name). A unique index, or one the models declare, is never one.
    """
    for key, db_table in context.db_tables.items():
        if db_table.primary_key.columns and db_table.primary_key.name is None:
            db_table.primary_key.name = "PRIMARY"
        if not db_table.foreign_keys:
            continue
        model = context.model_tables.get(key)
        declared = {str(ix.name) for ix in model.indexes} if model is not None else set()
        # an index whose foreign key goes stays in the server: it is then a real one to drop
        kept = (
            {tuple(c.name for c in fkc.columns) for fkc in model.foreign_key_constraints}
            if model is not None
            else set()
        )
        implicit = set()
        for fk in db_table.foreign_keys:
            if tuple(fk.columns) not in kept:
                continue
            names = {n for n in (fk.name, fk.columns[0] if fk.columns else None) if n}
            for ix in db_table.indexes:
                if ix.unique or ix.name in declared or ix.name not in names:
                    continue
                if list(ix.columns) == list(fk.columns):
                    implicit.add(ix.name)
        db_table.indexes = [ix for ix in db_table.indexes if ix.name not in implicit]


_ONE_RULE = {"RESTRICT", "NO ACTION"}


def foreign_key_rules(context: Any, upgrade_ops: UpgradeOps, schemas: list[str | None]) -> None:
    """Take a model's ``RESTRICT`` or ``NO ACTION`` as what the database has when it has either.

    InnoDB checks both at once, so they are one rule, which is also what a
    foreign key that states none gets; and MariaDB reports ``RESTRICT`` for
    all three, which the reader leaves out like ``NO ACTION``. Without this
    rule a model's ``ondelete="RESTRICT"`` would differ from the database
    on every run.
    """
    for key, db_table in context.db_tables.items():
        model = context.model_tables.get(key)
        if model is None or not db_table.foreign_keys:
            continue
        declared = {
            tuple(c.name for c in fkc.columns): fkc for fkc in model.foreign_key_constraints
        }
        for fk in db_table.foreign_keys:
            fkc = declared.get(tuple(fk.columns))
            if fkc is None:
                continue
            for option in ("onupdate", "ondelete"):
                wanted, found = getattr(fkc, option, None), fk.options.get(option)
                if wanted is None or wanted.upper() not in _ONE_RULE:
                    continue
                if found is None or found.upper() in _ONE_RULE:
                    fk.options[option] = wanted


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
            normalise_type, kind="type", dialect=dialect, name=f"{dialect}.type"
        )
        registry.register_normaliser(
            normalise_default,
            kind="server_default",
            dialect=dialect,
            name=f"{dialect}.server_default",
        )
        registry.register_normaliser(
            normalise_expression, kind="expression", dialect=dialect, name=f"{dialect}.expression"
        )
        registry.register(
            implicit_foreign_key_indexes,
            level="schema",
            dialect=dialect,
            priority=100,
            name=f"{dialect}.implicit_indexes",
        )
        registry.register(
            foreign_key_rules,
            level="schema",
            dialect=dialect,
            priority=100,
            name=f"{dialect}.foreign_key_rules",
        )
        registry.register(
            compare_enum_and_collation,
            level="column",
            dialect=dialect,
            priority=-100,
            name=f"{dialect}.enum_and_collation",
        )
