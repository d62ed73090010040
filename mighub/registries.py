"""The registries that ``mighub_register_*`` hooks fill.

The plugin host owns every registry, so the rules are the same everywhere: an
entry remembers the plugin that registered it, a name taken by one plugin can
be taken by another only with ``replace=True``, and a clash names both
plugins. The host tells a registry which plugin is registering (it calls each
plugin's hook in turn), so plugin code stays a one-liner.

Values may be given as ``"module:attribute"`` strings: they are imported on
first use, which keeps ``mighub --help`` and ``mighub heads`` from importing
database dialects they do not need.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import click

from mighub.clicommand import Command, Group
from mighub.errors import PluginError

if TYPE_CHECKING:
    from pathlib import Path

T = TypeVar("T")

STOP = object()
"""Returned by a comparator to end the chain of comparators for the object at hand."""


def resolve_reference(value: Any, *, what: str, plugin: str) -> Any:
    """Import ``"module:attribute"`` references; pass any other value through."""
    if not isinstance(value, str):
        return value
    module_name, sep, attribute = value.partition(":")
    if not sep or not module_name or not attribute:
        raise PluginError(
            f"plugin {plugin!r} registered {what} as {value!r}; expected 'module:attribute'"
        )
    try:
        obj: Any = importlib.import_module(module_name)
        for part in attribute.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        raise PluginError(
            f"plugin {plugin!r} registered {what} as {value!r}, which cannot be loaded: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    return obj


class Entry(Generic[T]):
    """One registered value, the plugin it came from, and the plugins it replaced."""

    __slots__ = ("key", "plugin", "replaced", "value")

    def __init__(self, key: Any, value: T, plugin: str, replaced: list[str] | None = None) -> None:
        self.key = key
        self.value = value
        self.plugin = plugin
        self.replaced: list[str] = replaced if replaced is not None else []


class Registry(Generic[T]):
    """A name-to-value map that refuses silent clashes between plugins."""

    kind = "entry"

    def __init__(self) -> None:
        self._entries: dict[Any, Entry[T]] = {}
        self.current_plugin = "<unknown>"

    def _add(self, key: Any, value: T, *, replace: bool = False) -> None:
        existing = self._entries.get(key)
        if existing is not None and not replace:
            raise PluginError(
                f"{self.kind} {self._describe(key)} is registered by both plugin "
                f"{existing.plugin!r} and plugin {self.current_plugin!r}; "
                f"the later one must pass replace=True to override it"
            )
        replaced = [*existing.replaced, existing.plugin] if existing else []
        self._entries[key] = Entry(key, value, self.current_plugin, replaced)

    def _describe(self, key: Any) -> str:
        return repr(key)

    def _resolved(self, key: Any, what: str) -> Any:
        """The value under ``key`` (``None`` if there is none), a ``"module:attribute"``
        reference imported on first use and kept."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        entry.value = resolve_reference(entry.value, what=what, plugin=entry.plugin)
        return entry.value

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[Any]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def entries(self) -> list[Entry[T]]:
        return list(self._entries.values())

    def by_plugin(self, plugin: str) -> list[Entry[T]]:
        """What ``plugin`` registered here, for ``mighub plugins -v``."""
        return [e for e in self._entries.values() if e.plugin == plugin]


def _install_extra(dialect_name: str) -> str | None:
    """``mighub[<dialect_name>]`` when mighub's own distribution has that extra.

    The extras (``[postgresql]``, ``[mysql]``, ...) are the one place that
    says which first-party plugin serves which database, so the error for a
    missing dialect reads them instead of keeping a second list here.
    """
    from importlib import metadata

    try:
        extras = metadata.distribution("mighub").metadata.get_all("Provides-Extra") or []
    except metadata.PackageNotFoundError:  # run from a checkout, not installed
        return None
    return f"mighub[{dialect_name}]" if dialect_name in extras else None


class DialectRegistry(Registry[Any]):
    """SQLAlchemy dialect name -> :class:`mighub.ddl.impl.DialectImpl` subclass."""

    kind = "dialect"

    def __init__(self, *, disabled: list[str] | None = None) -> None:
        super().__init__()
        self.disabled = disabled or []  # the plugins turned off, which the error mentions

    def register(self, dialect_name: str, impl: Any, *, replace: bool = False) -> None:
        """Map ``dialect_name`` to an implementation class or a ``"module:Class"`` string."""
        if not isinstance(dialect_name, str) or not dialect_name:
            raise PluginError(f"plugin {self.current_plugin!r} registered a dialect without a name")
        self._add(dialect_name, impl, replace=replace)

    def get(self, dialect_name: str) -> Any:
        """The implementation class for ``dialect_name``, imported on first use."""
        if dialect_name not in self._entries:
            installed = ", ".join(sorted(self._entries)) or "none"
            extra = _install_extra(dialect_name)
            remedy = (
                f'install its plugin: pip install "{extra}"'
                if extra
                else "install the mighub plugin that provides it"
            )
            if self.disabled:
                remedy += f", or enable the disabled plugins ({', '.join(sorted(self.disabled))})"
            raise PluginError(
                f"no installed plugin supports the database dialect {dialect_name!r} "
                f"(installed: {installed}); {remedy}"
            )
        return self._resolved(dialect_name, f"dialect {dialect_name!r}")


class OperationSpec:
    """How ``op.<name>`` is built: the operation class and whether batch mode offers it."""

    __slots__ = ("batch", "name", "op_class")

    def __init__(self, name: str, op_class: type, batch: bool) -> None:
        self.name = name
        self.op_class = op_class
        self.batch = batch


class OperationRegistry(Registry[OperationSpec]):
    """``op.<name>`` operations, plus implementations keyed by (operation class, dialect)."""

    kind = "operation"

    def __init__(self) -> None:
        super().__init__()
        self.implementations: Registry[Callable[..., Any]] = Registry()
        self.implementations.kind = "implementation"
        self.implementations._describe = _describe_implementation  # type: ignore[method-assign]

    def register_operation(
        self, name: str, op_class: type, *, batch: bool = False, replace: bool = False
    ) -> None:
        """Make ``op.<name>`` (and ``batch_op.<name>`` when ``batch``) build ``op_class``."""
        if not name.isidentifier() or name.startswith("_"):
            raise PluginError(
                f"plugin {self.current_plugin!r} registered operation name {name!r}, "
                f"which is not a public Python identifier"
            )
        self._add(name, OperationSpec(name, op_class, batch), replace=replace)

    def register_implementation(
        self,
        op_class: type,
        function: Callable[..., Any],
        *,
        dialect: str = "default",
        replace: bool = False,
    ) -> None:
        """Say how ``op_class`` runs on ``dialect`` (``"default"``: any dialect without its own)."""
        self.implementations.current_plugin = self.current_plugin
        self.implementations._add((op_class, dialect), function, replace=replace)

    def spec(self, name: str) -> OperationSpec | None:
        """How ``op.<name>`` is built, or ``None`` if no plugin registered ``name``."""
        entry = self._entries.get(name)
        return entry.value if entry is not None else None

    def implementation_for(self, op_class: type, dialect: str) -> Callable[..., Any]:
        """The implementation for ``dialect``, else the default, searching base classes too."""
        for cls in op_class.__mro__:
            for key in ((cls, dialect), (cls, "default")):
                entry = self.implementations._entries.get(key)
                if entry is not None:
                    return entry.value
        raise PluginError(
            f"no implementation is registered for operation {op_class.__name__} "
            f"on dialect {dialect!r}"
        )


def _describe_implementation(key: Any) -> str:
    op_class, dialect = key
    return f"for {op_class.__name__} on dialect {dialect!r}"


class Comparator:
    """An autogenerate comparison function and where it applies."""

    __slots__ = ("dialect", "function", "level", "name", "priority")

    def __init__(
        self,
        function: Callable[..., Any],
        level: str,
        dialect: str | None,
        priority: int,
        name: str,
    ) -> None:
        self.function = function
        self.level = level
        self.dialect = dialect
        self.priority = priority
        self.name = name


COMPARATOR_LEVELS = ("schema", "table", "column", "constraint")


class ComparatorRegistry(Registry[Comparator]):
    """Autogenerate comparators by level, each chain ordered by priority."""

    kind = "comparator"

    def __init__(self) -> None:
        super().__init__()
        self.normaliser_entries: Registry[Normaliser] = Registry()
        self.normaliser_entries.kind = "normaliser"
        self.synonym_entries: Registry[str] = Registry()
        self.synonym_entries.kind = "type synonym"
        self.reader_entries: Registry[Any] = Registry()
        self.reader_entries.kind = "schema reader"
        self.reader_entries._describe = _describe_reader  # type: ignore[method-assign]

    def register(
        self,
        function: Callable[..., Any],
        *,
        level: str,
        dialect: str | None = None,
        priority: int = 0,
        name: str | None = None,
        replace: bool = False,
    ) -> None:
        """Run ``function`` at ``level`` (for ``dialect`` only, when given)."""
        if level not in COMPARATOR_LEVELS:
            raise PluginError(
                f"plugin {self.current_plugin!r} registered a comparator at level {level!r}; "
                f"levels are {', '.join(COMPARATOR_LEVELS)}"
            )
        name = name or f"{function.__module__}.{function.__qualname__}"
        self._add(name, Comparator(function, level, dialect, priority, name), replace=replace)

    def chain(self, level: str, dialect: str) -> list[Comparator]:
        """The comparators that apply at ``level`` for ``dialect``, highest priority first."""
        found = [
            e.value
            for e in self._entries.values()
            if e.value.level == level and e.value.dialect in (None, dialect)
        ]
        return sorted(found, key=lambda c: -c.priority)

    # -- normalisers: how a dialect spells what it stores ------------------------

    def register_normaliser(
        self,
        function: Callable[..., Any],
        *,
        kind: str,
        dialect: str | None = None,
        priority: int = 0,
        name: str | None = None,
        replace: bool = False,
    ) -> None:
        """Rewrite ``kind`` text before autogenerate compares the database's with the models'.

        ``kind`` is ``"type"``, ``"server_default"`` or ``"expression"``;
        the autogenerate plugin documents what ``function`` receives.
        """
        if kind not in NORMALISER_KINDS:
            raise PluginError(
                f"plugin {self.current_plugin!r} registered a normaliser of kind {kind!r}; "
                f"kinds are {', '.join(NORMALISER_KINDS)}"
            )
        name = name or f"{kind}:{function.__module__}.{function.__qualname__}"
        self.normaliser_entries.current_plugin = self.current_plugin
        self.normaliser_entries._add(
            name, Normaliser(function, kind, dialect, priority, name), replace=replace
        )

    def normalisers(self, kind: str, dialect: str) -> list[Normaliser]:
        """The normalisers of ``kind`` that apply to ``dialect``, highest priority first."""
        found = [
            e.value
            for e in self.normaliser_entries._entries.values()
            if e.value.kind == kind and e.value.dialect in (None, dialect)
        ]
        return sorted(found, key=lambda n: -n.priority)

    def register_type_synonyms(
        self, canonical: str, *spellings: str, dialect: str | None = None, replace: bool = False
    ) -> None:
        """Say that each of ``spellings`` is the type ``canonical`` on ``dialect``.

        Spellings are compiled type names as the dialect writes them, whole
        (``"TINYINT(1)"``) or without arguments (``"DECIMAL"``).
        """
        self.synonym_entries.current_plugin = self.current_plugin
        for spelling in spellings:
            key = (dialect, spelling.upper())
            self.synonym_entries._add(key, canonical.upper(), replace=replace)

    def type_synonyms(self, dialect: str) -> dict[str, str]:
        """spelling -> canonical spelling for ``dialect`` (dialect-specific ones win)."""
        out: dict[str, str] = {}
        for (for_dialect, spelling), entry in sorted(
            self.synonym_entries._entries.items(), key=lambda item: item[0][0] is not None
        ):
            if for_dialect in (None, dialect):
                out[spelling] = entry.value
        return out

    # -- schema readers: how a dialect reads a whole schema ----------------------

    def register_reader(self, function: Any, *, dialect: str, replace: bool = False) -> None:
        """Read the database of ``dialect`` with ``function`` rather than the inspector alone.

        ``function(inspector, schema, names)`` (or a ``"module:function"``
        string, imported on first use) reads the tables ``names`` of
        ``schema`` (``None``: the connection's default schema; ``names``
        ``None``: every table) in a number of queries that does not grow
        with the number of tables. It returns a mapping from kinds of
        object, ``"columns"``, ``"pk_constraint"``, ``"foreign_keys"``,
        ``"indexes"``, ``"unique_constraints"``, ``"check_constraints"``,
        ``"table_comment"``, to what SQLAlchemy's
        ``Inspector.get_multi_<kind>(schema=schema, filter_names=names)``
        returns for that kind: a dict keyed by ``(schema, table_name)``.
        A kind it leaves out is read with that inspector method. One reader
        per dialect.
        """
        if not isinstance(dialect, str) or not dialect:
            raise PluginError(
                f"plugin {self.current_plugin!r} registered a schema reader without a dialect"
            )
        self.reader_entries.current_plugin = self.current_plugin
        # Keyed ("reader", dialect): 'mighub plugins -v' lists it as "reader on <dialect>".
        self.reader_entries._add(("reader", dialect), function, replace=replace)

    def reader(self, dialect: str) -> Callable[..., Any] | None:
        """The schema reader registered for ``dialect``, imported on first use; else ``None``."""
        key = ("reader", dialect)
        reader = self.reader_entries._resolved(key, f"the schema reader for {dialect!r}")
        return reader  # type: ignore[no-any-return]

    def by_plugin(self, plugin: str) -> list[Entry[Any]]:
        return [
            *super().by_plugin(plugin),
            *self.normaliser_entries.by_plugin(plugin),
            *self.synonym_entries.by_plugin(plugin),
            *self.reader_entries.by_plugin(plugin),
        ]


def _describe_reader(key: Any) -> str:
    return f"for dialect {key[1]!r}"


class Normaliser:
    """A function that rewrites a type, server default or SQL expression for comparison."""

    __slots__ = ("dialect", "function", "kind", "name", "priority")

    def __init__(
        self,
        function: Callable[..., Any],
        kind: str,
        dialect: str | None,
        priority: int,
        name: str,
    ) -> None:
        self.function = function
        self.kind = kind
        self.dialect = dialect
        self.priority = priority
        self.name = name


NORMALISER_KINDS = ("type", "server_default", "expression")


class RendererRegistry(Registry[Callable[..., Any]]):
    """Operation class -> function rendering it as Python source."""

    kind = "renderer"

    def register(
        self, op_class: type | str, function: Callable[..., Any], *, replace: bool = False
    ) -> None:
        """Render instances of ``op_class`` (and its subclasses) with ``function``.

        ``op_class`` may be given as ``"module:QualifiedName"`` (the class's
        ``__module__`` and ``__qualname__``) when importing it would be
        costly: a dialect's constraint class, say, whose module loads the
        whole SQLAlchemy dialect, which a run on another database never needs.
        """
        if isinstance(op_class, str) and ":" not in op_class:
            raise PluginError(
                f"plugin {self.current_plugin!r} registered a renderer for {op_class!r}; "
                "name a class as 'module:QualifiedName'"
            )
        self._add(op_class, function, replace=replace)

    def _describe(self, key: Any) -> str:
        return f"for {key if isinstance(key, str) else key.__name__}"

    def get(self, op_class: type) -> Callable[..., Any] | None:
        entries = self._entries
        for cls in op_class.__mro__:
            entry = entries.get(cls) or entries.get(f"{cls.__module__}:{cls.__qualname__}")
            if entry is not None:
                return entry.value
        return None


CONFIG_TARGETS = ("mighub.toml", "pyproject.toml")


class Template:
    """A project template for ``mighub init``."""

    __slots__ = ("config_target", "directory", "name", "plugin")

    def __init__(self, name: str, directory: Path, config_target: str, plugin: str) -> None:
        self.name = name
        self.directory = directory
        self.config_target = config_target
        self.plugin = plugin

    @property
    def description(self) -> str:
        """The first line of the template's README."""
        readme = self.directory / "README"
        try:
            with readme.open(encoding="utf-8") as fh:
                return fh.readline().strip()
        except OSError:
            return "(no README)"


class TemplateRegistry(Registry[Template]):
    """Template name -> :class:`Template`."""

    kind = "template"

    def register(
        self,
        name: str,
        directory: str | Path,
        *,
        config_target: str = "mighub.toml",
        replace: bool = False,
    ) -> None:
        """Offer ``directory`` as ``mighub init -t name``."""
        from pathlib import Path

        directory = Path(directory)
        if config_target not in CONFIG_TARGETS:
            raise PluginError(
                f"plugin {self.current_plugin!r} registered template {name!r} with "
                f"config_target={config_target!r}; expected one of {', '.join(CONFIG_TARGETS)}"
            )
        missing = [
            f
            for f in ("env.py", "script.py.mako", "config.toml.mako", "README")
            if not (directory / f).is_file()
        ]
        if missing:
            raise PluginError(
                f"plugin {self.current_plugin!r} registered template {name!r} at {directory}, "
                f"which lacks {', '.join(missing)}"
            )
        self._add(
            name, Template(name, directory, config_target, self.current_plugin), replace=replace
        )

    def get(self, name: str) -> Template:
        entry = self._entries.get(name)
        if entry is None:
            known = ", ".join(sorted(self._entries))
            raise PluginError(f"no template named {name!r} (available: {known})")
        return entry.value


class CommandRegistry(Registry[Any]):
    """Commands that plugins add to ``mighub``; offered to each plugin like a click group.

    A command may be registered as a ``"module:attribute"`` string with its
    name: the module is imported only when that command runs (or ``--help``
    lists it), which keeps every other command's start-up short.
    """

    kind = "command"

    def add_command(
        self, cmd: click.Command | str, name: str | None = None, *, replace: bool = False
    ) -> None:
        """Add ``cmd`` (a click command, or a ``"module:attribute"`` string) under ``name``."""
        if isinstance(cmd, str):
            if not name:
                raise PluginError(
                    f"plugin {self.current_plugin!r} added the command {cmd!r} without a name"
                )
        else:
            name = name or cmd.name
        if not name:
            raise PluginError(f"plugin {self.current_plugin!r} added a command without a name")
        self._add(name, cmd, replace=replace)

    def command(self, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], click.Command]:
        """Decorator like ``click.Group.command``: builds the command and adds it.

        The command's class defaults to :class:`mighub.clicommand.Command`.
        """
        kwargs.setdefault("cls", Command)

        def decorator(f: Callable[..., Any]) -> click.Command:
            cmd = click.command(*args, **kwargs)(f)
            self.add_command(cmd)
            return cmd

        return decorator

    def group(self, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], click.Group]:
        """Decorator like ``click.Group.group``: builds a sub-group and adds it.

        The group's class defaults to :class:`mighub.clicommand.Group`.
        """
        kwargs.setdefault("cls", Group)

        def decorator(f: Callable[..., Any]) -> click.Group:
            grp = click.group(*args, **kwargs)(f)
            self.add_command(grp)
            return grp

        return decorator

    def get(self, name: str) -> click.Command | None:
        """The command called ``name``, imported now if it was registered by reference."""
        return self._resolved(name, f"command {name!r}")  # type: ignore[no-any-return]
