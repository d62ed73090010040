"""The state of one autogenerate run: models, database, options, and what rendering imports.

Every comparator and renderer receives the :class:`AutogenContext`. It holds
the target ``MetaData``, the connection and its dialect, the options that
env.py gave ``context.configure()`` (``compare_type``, ``include_object``,
``render_as_batch``...), the plugin host's comparators and renderers, and
the set of imports the rendered code needs.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from mighub.errors import MighubError

if TYPE_CHECKING:
    from mighub.registries import ComparatorRegistry, RendererRegistry
    from mighub_autogen.reflect import ReflectedTable, TableKey


class AutogenerateError(MighubError):
    """Autogenerate cannot run as configured (no metadata, no connection, clashing tables)."""


SYSTEM_SCHEMAS = {
    "default": frozenset({"information_schema"}),
    "mysql": frozenset({"information_schema", "performance_schema", "mysql", "sys"}),
    "mariadb": frozenset({"information_schema", "performance_schema", "mysql", "sys"}),
    "mssql": frozenset({"information_schema", "sys", "guest", "INFORMATION_SCHEMA"}),
}
"""Schemas that ``include_schemas`` never scans: the database's own catalog."""


OPTION_DEFAULTS: dict[str, Any] = {
    "compare_type": True,
    "compare_server_default": True,
    "compare_check_constraints": True,
    "include_name": None,
    "include_object": None,
    "include_schemas": False,
    "render_as_batch": False,
    "render_item": None,
    "user_module_prefix": None,
    "sqlalchemy_module_prefix": "sa.",
    "mighub_module_prefix": "op.",
    "process_revision_directives": None,
}
"""The ``context.configure()`` keywords autogenerate reads, and their defaults."""


class AutogenContext:
    """What comparators and renderers are given: models, database, options, imports."""

    def __init__(
        self,
        metadata: sa.MetaData | Sequence[sa.MetaData] | None,
        *,
        connection: sa.Connection | None = None,
        dialect: sa.Dialect | None = None,
        opts: Mapping[str, Any] | None = None,
        comparators: ComparatorRegistry | None = None,
        renderers: RendererRegistry | None = None,
        migration_context: Any = None,
        version_table: tuple[str | None, str] | None = None,
    ) -> None:
        if dialect is None:
            if connection is None:
                raise AutogenerateError("autogenerate needs a connection or a dialect")
            dialect = connection.dialect
        self.connection = connection
        self.dialect = dialect
        self.migration_context = migration_context
        self.opts: dict[str, Any] = {**OPTION_DEFAULTS, **dict(opts or {})}
        self.comparators = comparators
        self.renderers = renderers
        self.version_table = version_table
        self.imports: set[str] = set()
        """Import lines the rendered code needs, beyond ``sqlalchemy as sa`` and ``op``."""
        self.warnings: list[str] = []
        self.cache: dict[str, Any] = {}
        """Scratch space for comparators (one query per run rather than per table)."""
        if isinstance(metadata, sa.MetaData):
            self.metadatas: list[sa.MetaData] = [metadata]
        else:
            self.metadatas = list(metadata or [])
        self.metadata = metadata
        self.db_tables: dict[TableKey, ReflectedTable] = {}
        self.model_tables: dict[TableKey, sa.Table] = {}

    # -- the database -----------------------------------------------------------

    @property
    def dialect_name(self) -> str:
        return str(self.dialect.name)

    @cached_property
    def inspector(self) -> sa.Inspector:
        if self.connection is None:
            raise AutogenerateError("comparing with the database needs a connection")
        return sa.inspect(self.connection)

    @cached_property
    def default_schema(self) -> str | None:
        if self.connection is None:
            return getattr(self.dialect, "default_schema_name", None)
        return self.inspector.default_schema_name

    def schema_key(self, schema: str | None) -> str | None:
        """``None`` for the default schema, however the models spell it."""
        if schema is not None and schema == self.default_schema:
            return None
        return schema

    def system_schemas(self) -> frozenset[str]:
        return SYSTEM_SCHEMAS.get(self.dialect_name, SYSTEM_SCHEMAS["default"])

    def is_version_table(self, schema: str | None, name: str) -> bool:
        if self.version_table is None:
            return False
        vschema, vname = self.version_table
        return name == vname and self.schema_key(vschema) == self.schema_key(schema)

    # -- the models ---------------------------------------------------------------

    def metadata_tables(self) -> Iterable[sa.Table]:
        seen: dict[str, sa.Table] = {}
        for metadata in self.metadatas:
            for key, table in metadata.tables.items():
                if key in seen and seen[key] is not table:
                    raise AutogenerateError(
                        f"table {key!r} is defined in more than one target MetaData; "
                        f"each table may appear in only one"
                    )
                seen[key] = table
        return seen.values()

    # -- options and filters ------------------------------------------------------

    def option(self, name: str) -> Any:
        return self.opts.get(name, OPTION_DEFAULTS.get(name))

    def run_name_filters(self, name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
        """``include_name(name, type_, parent_names)``: may this reflected name be looked at?"""
        include_name = self.opts.get("include_name")
        if include_name is None:
            return True
        if "table_name" in parent_names:
            schema = parent_names.get("schema_name")
            table = parent_names["table_name"]
            parent_names = {
                **parent_names,
                "schema_qualified_table_name": f"{schema}.{table}" if schema else table,
            }
        return bool(include_name(name, type_, parent_names))

    def run_object_filters(
        self, obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
    ) -> bool:
        """``include_object(object, name, type_, reflected, compare_to)``: compare this object?"""
        include_object = self.opts.get("include_object")
        if include_object is None:
            return True
        return bool(include_object(obj, name, type_, reflected, compare_to))

    def normalisers(self, kind: str) -> list[Any]:
        """The registered normalisers of ``kind`` for this dialect, in the order they run."""
        key = f"normalisers:{kind}"
        if key not in self.cache:
            registry = self.comparators
            self.cache[key] = (
                registry.normalisers(kind, self.dialect_name) if registry is not None else []
            )
        return list(self.cache[key])

    def type_synonyms(self) -> dict[str, str]:
        if "type_synonyms" not in self.cache:
            registry = self.comparators
            self.cache["type_synonyms"] = (
                registry.type_synonyms(self.dialect_name) if registry is not None else {}
            )
        return dict(self.cache["type_synonyms"])

    def schema_reader(self) -> Any:
        """The schema reader registered for this dialect, or ``None``: the inspector reads."""
        if "schema_reader" not in self.cache:
            registry = self.comparators
            self.cache["schema_reader"] = (
                registry.reader(self.dialect_name) if registry is not None else None
            )
        return self.cache["schema_reader"]

    def comparator_chain(self, level: str) -> list[Any]:
        """The comparators of ``level`` for this dialect, highest priority first."""
        key = f"chain:{level}"
        if key not in self.cache:
            registry = self.comparators
            self.cache[key] = registry.chain(level, self.dialect_name) if registry else []
        return self.cache[key]  # type: ignore[no-any-return]

    def warn(self, message: str) -> None:
        """Something the comparison could not decide or cannot express as an operation."""
        self.warnings.append(message)

    # -- rendering ----------------------------------------------------------------

    def render_item(self, type_: str, obj: Any) -> Any:
        """The user's ``render_item`` answer: source text, ``None`` (leave out) or ``False``."""
        render_item: Callable[..., Any] | None = self.opts.get("render_item")
        if render_item is None:
            return False
        return render_item(type_, obj, self)

    def import_module(self, module: str) -> None:
        self.imports.add(f"import {module}")

    def module_prefix_for(self, module: str) -> str:
        """How rendered code names something from ``module``, importing it as needed."""
        user_prefix = self.opts.get("user_module_prefix")
        if user_prefix:
            target = user_prefix.rstrip(".")
            if all(p.isidentifier() for p in target.split(".")) and _importable(target):
                self.import_module(target)
            return str(user_prefix)
        self.import_module(module)
        return f"{module}."

    @property
    def sa_prefix(self) -> str:
        return str(self.option("sqlalchemy_module_prefix"))

    @property
    def op_prefix(self) -> str:
        return str(self.option("mighub_module_prefix"))


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False
