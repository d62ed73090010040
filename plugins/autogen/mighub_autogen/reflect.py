"""What the database holds, read a whole schema at a time.

``Inspector.get_multi_columns()`` and its siblings read a schema in a fixed
number of queries on PostgreSQL and SQL Server, whatever the number of
tables. Where a dialect's inspector reads one table at a time, a schema
reader registered for the dialect (``registry.register_reader`` in
``mighub_register_comparators``) answers first: the mysql plugin's reads a
MariaDB/MySQL schema in a fixed number of queries; this plugin's for SQLite
(:mod:`mighub_autogen.dialects.sqlite`) reads indexes, unique constraints
and primary keys in one query per schema. Either way the answers have the
inspector's layout, and are
kept as the light objects below rather than turned into ``Table`` objects:
building reflected ``Table``\\s is what makes a large schema slow to compare,
and the comparison only needs names, types and a few flags. A ``Table`` is
built only for what autogenerate drops, because the drop's downgrade has to
recreate it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Inspector
from sqlalchemy.sql.elements import conv

TableKey = tuple[str | None, str]
"""(schema, table name); ``None`` is the connection's default schema."""


@dataclass(eq=False)
class ReflectedColumn:
    """A column as the database reports it."""

    name: str
    type: Any
    nullable: bool
    server_default: str | None
    """The default's SQL text as the database spells it, or ``None``."""
    comment: str | None = None
    autoincrement: Any = "auto"
    identity: dict[str, Any] | None = None
    computed: dict[str, Any] | None = None
    table: ReflectedTable | None = field(default=None, repr=False)
    info: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_inspector(cls, data: dict[str, Any], table: ReflectedTable) -> ReflectedColumn:
        return cls(
            name=data["name"],
            type=data["type"],
            nullable=bool(data.get("nullable", True)),
            server_default=data.get("default"),
            comment=data.get("comment") or None,
            autoincrement=data.get("autoincrement", "auto"),
            identity=data.get("identity"),
            computed=data.get("computed"),
            table=table,
        )

    def to_column(self) -> sa.Column[Any]:
        """A ``Column`` that recreates this one (for the downgrade of a drop)."""
        args: list[Any] = []
        server_default: Any = None
        if self.computed is not None:
            args.append(
                sa.Computed(self.computed["sqltext"], persisted=self.computed.get("persisted"))
            )
        elif self.identity is not None:
            args.append(sa.Identity(**_identity_kwargs(self.identity)))
        elif self.server_default is not None:
            server_default = sa.DefaultClause(sa.text(self.server_default))
        kw: dict[str, Any] = {}
        if isinstance(self.autoincrement, bool):
            kw["autoincrement"] = self.autoincrement
        return sa.Column(
            self.name,
            self.type,
            *args,
            server_default=server_default,
            nullable=self.nullable,
            comment=self.comment,
            **kw,
        )


def _identity_kwargs(identity: dict[str, Any]) -> dict[str, Any]:
    known = ("always", "on_null", "start", "increment", "minvalue", "maxvalue", "cycle", "cache")
    return {k: identity[k] for k in known if identity.get(k) is not None}


@dataclass(eq=False)
class ReflectedIndex:
    name: str | None
    columns: list[str | None]
    """Column names; ``None`` where the index has an expression at that position."""
    expressions: list[str] | None
    """The SQL of each position, columns and expressions alike, when the database gives it."""
    unique: bool
    dialect_options: dict[str, Any]
    table: ReflectedTable = field(repr=False)
    duplicates_constraint: str | None = None
    info: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(eq=False)
class ReflectedUnique:
    name: str | None
    columns: list[str]
    table: ReflectedTable = field(repr=False)
    duplicates_index: str | None = None
    dialect_options: dict[str, Any] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict, repr=False)

    def to_constraint(self) -> sa.UniqueConstraint:
        return sa.UniqueConstraint(*self.columns, name=_final(self.name))


@dataclass(eq=False)
class ReflectedForeignKey:
    name: str | None
    columns: list[str]
    referred_schema: str | None
    referred_table: str
    referred_columns: list[str]
    options: dict[str, Any]
    table: ReflectedTable = field(repr=False)
    info: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def referred_key(self) -> TableKey:
        return (self.referred_schema, self.referred_table)

    def target(self, column: str) -> str:
        prefix = f"{self.referred_schema}." if self.referred_schema else ""
        return f"{prefix}{self.referred_table}.{column}"

    def to_constraint(self) -> sa.ForeignKeyConstraint:
        options = {k: v for k, v in self.options.items() if v is not None}
        return sa.ForeignKeyConstraint(
            self.columns,
            [self.target(c) for c in self.referred_columns],
            name=_final(self.name),
            **options,
        )


@dataclass(eq=False)
class ReflectedCheck:
    name: str | None
    sqltext: str
    table: ReflectedTable = field(repr=False)
    info: dict[str, Any] = field(default_factory=dict, repr=False)

    def to_constraint(self) -> sa.CheckConstraint:
        return sa.CheckConstraint(sa.text(self.sqltext), name=_final(self.name))


@dataclass(eq=False)
class ReflectedPrimaryKey:
    name: str | None
    columns: list[str]


@dataclass(eq=False)
class ReflectedTable:
    """One table as the database reports it; comparators may adjust these lists in place."""

    schema: str | None
    name: str
    columns: dict[str, ReflectedColumn] = field(default_factory=dict)
    primary_key: ReflectedPrimaryKey = field(default_factory=lambda: ReflectedPrimaryKey(None, []))
    foreign_keys: list[ReflectedForeignKey] = field(default_factory=list)
    indexes: list[ReflectedIndex] = field(default_factory=list)
    unique_constraints: list[ReflectedUnique] = field(default_factory=list)
    check_constraints: list[ReflectedCheck] = field(default_factory=list)
    comment: str | None = None
    info: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def key(self) -> TableKey:
        return (self.schema, self.name)

    @property
    def fullname(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

    def to_table(
        self, metadata: sa.MetaData, *, skip_foreign_keys: Iterable[ReflectedForeignKey] = ()
    ) -> sa.Table:
        """A ``Table`` like this one: columns, primary key, uniques, checks, foreign keys.

        Indexes are left to the caller (autogenerate drops them as operations of
        their own). ``skip_foreign_keys`` leaves out foreign keys that a cycle
        forces to be dropped, and recreated, separately.
        """
        skipped = set(map(id, skip_foreign_keys))
        items: list[Any] = [column.to_column() for column in self.columns.values()]
        if self.primary_key.columns:
            items.append(
                sa.PrimaryKeyConstraint(
                    *self.primary_key.columns, name=_final(self.primary_key.name)
                )
            )
        items += [uq.to_constraint() for uq in self.unique_constraints]
        items += [ck.to_constraint() for ck in self.check_constraints]
        items += [fk.to_constraint() for fk in self.foreign_keys if id(fk) not in skipped]
        kw: dict[str, Any] = {}
        if self.comment is not None:
            kw["comment"] = self.comment
        return sa.Table(self.name, metadata, *items, schema=self.schema, **kw)


def _final(name: str | None) -> Any:
    """A reflected name is final: a naming convention must not rewrite it."""
    return conv(name) if name is not None else None


# ---------------------------------------------------------------------------
# Reading a schema
# ---------------------------------------------------------------------------


KINDS = (
    "columns",
    "pk_constraint",
    "foreign_keys",
    "indexes",
    "unique_constraints",
    "check_constraints",
    "table_comment",
)
"""What a schema reader may return, each as ``Inspector.get_multi_<kind>()`` returns it."""

SchemaReader = Callable[[Inspector, str | None, list[str] | None], Mapping[str, Mapping[Any, Any]]]
"""``reader(inspector, schema, names)``: see ``ComparatorRegistry.register_reader``."""


def reflect_tables(
    inspector: Inspector,
    schema: str | None,
    names: Sequence[str],
    *,
    all_names: bool,
    include_column: Callable[[ReflectedTable, str], bool] | None = None,
    reader: SchemaReader | None = None,
) -> dict[TableKey, ReflectedTable]:
    """Read ``names`` of ``schema`` with one batched call per kind of object.

    ``all_names`` says ``names`` is every table of the schema, so the queries
    need no name filter. ``include_column`` drops columns the user's
    ``include_name`` filter rejects, before anything is compared. ``reader``,
    the dialect's schema reader, answers first; what it leaves out is read
    with the inspector's batched methods.
    """
    if not names:
        return {}
    filter_names = None if all_names else list(names)
    batched: dict[str, Mapping[Any, Any]] = {}
    if reader is not None:
        batched = {k: v for k, v in reader(inspector, schema, filter_names).items() if k in KINDS}
    wanted = set(names)
    tables: dict[TableKey, ReflectedTable] = {}
    all_columns = batched.get("columns")
    if all_columns is None:
        all_columns = read_with_inspector(inspector, "columns", schema, filter_names)
    for (_, name), columns in all_columns.items():
        if name not in wanted:
            continue
        table = ReflectedTable(schema, name)
        for data in columns:
            if include_column is not None and not include_column(table, data["name"]):
                continue
            table.columns[data["name"]] = ReflectedColumn.from_inspector(data, table)
        tables[(schema, name)] = table

    def each(kind: str) -> Iterable[tuple[ReflectedTable, Any]]:
        found = batched.get(kind)
        if found is None:
            found = read_with_inspector(inspector, kind, schema, filter_names)
        for (_, name), value in found.items():
            table = tables.get((schema, name))
            if table is not None:
                yield table, value

    for table, pk in each("pk_constraint"):
        table.primary_key = ReflectedPrimaryKey(pk.get("name"), list(pk["constrained_columns"]))
    for table, fks in each("foreign_keys"):
        table.foreign_keys = [
            ReflectedForeignKey(
                fk.get("name"),
                list(fk["constrained_columns"]),
                fk.get("referred_schema"),
                fk["referred_table"],
                list(fk["referred_columns"]),
                dict(fk.get("options") or {}),
                table,
            )
            for fk in fks
        ]
    for table, indexes in each("indexes"):
        table.indexes = [
            ReflectedIndex(
                ix.get("name"),
                list(ix["column_names"]),
                list(ix["expressions"]) if ix.get("expressions") else None,
                bool(ix.get("unique")),
                dict(ix.get("dialect_options") or {}),
                table,
                ix.get("duplicates_constraint"),
            )
            for ix in indexes
        ]
    for table, uniques in each("unique_constraints"):
        table.unique_constraints = [
            ReflectedUnique(
                uq.get("name"),
                list(uq["column_names"]),
                table,
                uq.get("duplicates_index"),
                dict(uq.get("dialect_options") or {}),
            )
            for uq in uniques
        ]
    for table, checks in each("check_constraints"):
        table.check_constraints = [
            ReflectedCheck(ck.get("name"), ck["sqltext"], table) for ck in checks
        ]
    for table, comment in each("table_comment"):
        table.comment = comment.get("text") or None
    return tables


def read_with_inspector(
    inspector: Inspector, kind: str, schema: str | None, filter_names: list[str] | None
) -> dict[Any, Any]:
    """``Inspector.get_multi_<kind>()``; an empty answer where the dialect cannot say."""
    try:
        return dict(
            getattr(inspector, f"get_multi_{kind}")(schema=schema, filter_names=filter_names)
        )
    except NotImplementedError:
        return {}
    except sa_exc.NoSuchTableError:  # dropped between listing and reading
        return {}
