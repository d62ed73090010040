"""The plugin host: which plugins take part in this run, and the registries they fill.

There is no global plugin manager. The CLI (or a test) builds a
:class:`PluginHost` and passes it to whatever needs plugins, so two hosts in
one process never see each other's plugins and importing mighub loads nothing.

Load order, which decides precedence and is part of the public contract:

1. builtin plugins, the kernel's own features (``mighub.*`` names);
2. installed distributions with an entry point in the group ``mighub``,
   sorted by entry-point name (never by install order), loaded one at a time
   so that one broken plugin cannot hide the others;
3. project plugins named by the ``plugins`` key of the configuration, in the
   order listed: module names, or ``.py`` paths relative to the config file.

A plugin is disabled by ``-p no:NAME`` or ``MIGHUB_DISABLE_PLUGINS=NAME,...``
before it is imported. A plugin that fails to import, or implements a hook
that does not exist, is recorded as failed: ``--help``, ``--version`` and
``mighub plugins`` keep working, and :meth:`PluginHost.check_healthy` stops
every command that would touch a database.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from collections.abc import Callable, Iterable
from types import FunctionType, MethodType, ModuleType
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import pluggy

from mighub import hookspecs
from mighub.entry_points import entry_points
from mighub.errors import MighubError, PluginError
from mighub.registries import (
    CommandRegistry,
    ComparatorRegistry,
    DialectRegistry,
    OperationRegistry,
    Registry,
    RendererRegistry,
    TemplateRegistry,
)

if TYPE_CHECKING:
    from pathlib import Path

ENTRY_POINT_GROUP = "mighub"
DISABLE_ENV = "MIGHUB_DISABLE_PLUGINS"

BUILTIN_PLUGINS: tuple[tuple[str, str], ...] = (
    ("mighub.commands", "mighub.builtin.commands"),
    ("mighub.templates", "mighub.builtin.templates"),
    ("mighub.dialects", "mighub.builtin.dialects"),
    ("mighub.operations", "mighub.builtin.operations"),
)
"""(name, module) of the kernel's own plugins, registered first."""

Source = Literal["builtin", "entry point", "project"]
Status = Literal["loaded", "failed", "disabled"]

R = TypeVar("R", bound=Registry[Any])


class PluginInfo:
    """What ``mighub plugins`` reports about one plugin.

    ``origin`` is the entry point value, module name or file path the plugin
    was loaded from.
    """

    __slots__ = ("distribution", "error", "hooks", "name", "origin", "source", "status", "version")

    def __init__(
        self,
        name: str,
        source: Source,
        status: Status,
        origin: str,
        distribution: str | None = None,
        version: str | None = None,
        error: str | None = None,
    ) -> None:
        self.name = name
        self.source = source
        self.status = status
        self.origin = origin
        self.distribution = distribution
        self.version = version
        self.error = error
        self.hooks: list[str] = []

    def __repr__(self) -> str:
        return f"PluginInfo({self.name!r}, {self.source!r}, {self.status!r})"

    def describe(self) -> str:
        """``name`` plus its distribution and version, for error messages."""
        if self.distribution:
            return f"{self.name!r} (distribution {self.distribution} {self.version})"
        return f"{self.name!r} ({self.source} {self.origin})"

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "distribution": self.distribution,
            "source": self.source,
            "status": self.status,
            "origin": self.origin,
            "hooks": list(self.hooks),
            "error": self.error,
        }


#: What pluggy accepts as a hook implementation in a module's namespace.
_HOOKABLE = (FunctionType, MethodType, staticmethod, classmethod)


class _PluginManager(pluggy.PluginManager):
    """pluggy's manager, told to skip a module's plain attributes without inspecting them.

    pluggy looks at every name in a plugin with ``inspect.getattr_static``,
    which is slow: with the builtin plugins and three first-party ones that
    came to about 1.2% of a warm ``mighub heads`` on 2,000 revisions. In a
    module's namespace, that lookup returns the namespace's own value, so
    anything that is not a function or method there (imported modules,
    classes, constants) can be skipped at once; everything else still goes
    through pluggy's own rules.
    """

    def parse_hookimpl_opts(self, plugin: object, name: str) -> Any:
        if type(plugin) is ModuleType and not isinstance(plugin.__dict__.get(name), _HOOKABLE):
            return None
        return super().parse_hookimpl_opts(plugin, name)  # type: ignore[arg-type]


def disabled_from_environment() -> set[str]:
    """The plugin names that ``MIGHUB_DISABLE_PLUGINS`` turns off."""
    raw = os.environ.get(DISABLE_ENV, "")
    return {name.strip() for name in raw.split(",") if name.strip()}


class PluginHost:
    """Loads plugins in the documented order and hands out the registries they fill."""

    def __init__(self, *, disabled: Iterable[str] = ()) -> None:
        self.pm = _PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.disabled = set(disabled)
        self.plugins: list[PluginInfo] = []
        self._registries: dict[str, Registry[Any]] = {}

    # -- loading -----------------------------------------------------------

    @classmethod
    def for_cli(
        cls,
        *,
        disabled: Iterable[str] = (),
        project_plugins: Iterable[str] = (),
        project_root: str | os.PathLike[str] | None = None,
        entry_points: bool = True,
    ) -> PluginHost:
        """A host with builtins, installed distributions and project plugins, in that order."""
        host = cls(disabled={*disabled, *disabled_from_environment()})
        host.load_builtins()
        if entry_points:
            host.load_entry_points()
        host.load_project_plugins(project_plugins, root=project_root or os.getcwd())
        return host

    def load_builtins(self) -> None:
        for name, module_name in BUILTIN_PLUGINS:
            self._load(name, "builtin", module_name, lambda m=module_name: _import(m))

    def load_entry_points(self) -> None:
        """Load every ``mighub`` entry point, one at a time, sorted by name."""
        found = sorted(
            entry_points(ENTRY_POINT_GROUP), key=lambda ep: (ep.name, ep.distribution or "")
        )
        for ep in found:
            self._load(ep.name, "entry point", ep.value, ep.load, ep.distribution, ep.version)

    def load_project_plugins(self, specs: Iterable[str], *, root: str | os.PathLike[str]) -> None:
        """Load the configuration's ``plugins``: module names or paths relative to ``root``."""
        for spec in specs:
            if spec.endswith(".py") or "/" in spec or os.sep in spec:
                from pathlib import Path

                path = (Path(root) / spec).resolve()
                name = path.stem
                self._load(name, "project", str(path), lambda p=path: _import_path(p))
            else:
                self._load(spec, "project", spec, lambda m=spec: _import(m))

    def register(self, plugin: object, name: str, *, source: Source = "project") -> PluginInfo:
        """Register an already imported plugin object (tests and embedding applications)."""
        return self._load(name, source, repr(plugin), lambda: plugin)

    def _load(
        self,
        name: str,
        source: Source,
        origin: str,
        loader: Callable[[], object],
        distribution: str | None = None,
        version: str | None = None,
    ) -> PluginInfo:
        info = PluginInfo(name, source, "loaded", origin, distribution, version)
        self.plugins.append(info)
        if name in self.disabled:
            info.status = "disabled"
            return info
        clash = next(
            (p for p in self.plugins[:-1] if p.name == name and p.status != "disabled"), None
        )
        if clash is not None:
            return self._fail(
                info, f"the plugin name {name!r} is already taken by {clash.describe()}"
            )
        try:
            plugin = loader()
        except BaseException as exc:  # a plugin may raise anything on import
            if isinstance(exc, KeyboardInterrupt):
                raise
            return self._fail(info, f"{type(exc).__name__}: {exc}{_line_in(exc, origin)}")
        try:
            self.pm.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:  # a hook with the wrong arguments
            if self.pm.get_plugin(name) is not None:
                self.pm.unregister(name=name)
            return self._fail(info, _signature_message(plugin, exc))
        except ValueError as exc:  # the same object registered under two names
            return self._fail(info, str(exc))
        callers = self.pm.get_hookcallers(plugin) or []
        unknown = sorted(c.name for c in callers if not c.has_spec())
        if unknown:
            self.pm.unregister(name=name)
            return self._fail(info, _unknown_hooks_message(unknown))
        self.pm.check_pending()  # nothing may slip through; raises on a mighub bug
        info.hooks = sorted(c.name for c in callers)
        return info

    def _fail(self, info: PluginInfo, error: str) -> PluginInfo:
        info.status = "failed"
        info.error = error
        return info

    # -- health ------------------------------------------------------------

    @property
    def failed(self) -> list[PluginInfo]:
        return [p for p in self.plugins if p.status == "failed"]

    def check_healthy(self) -> None:
        """Refuse to go on when any plugin failed: never migrate with a plugin missing."""
        failed = self.failed
        if not failed:
            return
        first = failed[0]
        more = f" (and {len(failed) - 1} more; see 'mighub plugins')" if len(failed) > 1 else ""
        remedy = (
            "fix it or take it out of the configuration's 'plugins'"
            if first.source == "project"
            else "fix or uninstall it"
        )
        raise PluginError(
            f"plugin {first.describe()} failed to load: {first.error}{more}; "
            f"{remedy}, or disable it with -p no:{first.name} "
            f"or {DISABLE_ENV}={first.name}"
        )

    def unknown_disabled(self) -> list[str]:
        """Names given to ``-p no:`` / the environment that match no plugin (likely typos)."""
        known = {p.name for p in self.plugins}
        return sorted(self.disabled - known)

    # -- registries --------------------------------------------------------

    def _registry(self, hook_name: str, factory: Callable[[], R], **kwargs: Any) -> R:
        """Build a registry once, calling ``hook_name`` for each plugin in load order."""
        registry = self._registries.get(hook_name)
        if registry is None:
            registry = factory()
            self.call_each(hook_name, registry, **kwargs)
            self._registries[hook_name] = registry
        return registry  # type: ignore[return-value]

    def call_each(self, hook_name: str, registry: Registry[Any], **kwargs: Any) -> None:
        """Call one plugin's implementation at a time, so the registry knows who registers."""
        hook = getattr(self.pm.hook, hook_name)
        # pluggy lists implementations oldest first (before tryfirst/trylast sorting).
        for impl in hook.get_hookimpls():
            registry.current_plugin = self.pm.get_name(impl.plugin) or "<unknown>"
            args = {"registry": registry, "cli": registry, **kwargs}
            try:
                impl.function(*[args[a] for a in impl.argnames])
            except MighubError:
                raise
            except Exception as exc:
                raise PluginError(
                    f"plugin {registry.current_plugin!r} failed in {hook_name}: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
        registry.current_plugin = "<host>"

    @property
    def dialects(self) -> DialectRegistry:
        return self._registry(
            "mighub_register_dialects",
            lambda: DialectRegistry(
                disabled=[p.name for p in self.plugins if p.status == "disabled"]
            ),
        )

    @property
    def operations(self) -> OperationRegistry:
        return self._registry("mighub_register_operations", OperationRegistry)

    @property
    def comparators(self) -> ComparatorRegistry:
        return self._registry("mighub_register_comparators", ComparatorRegistry)

    @property
    def renderers(self) -> RendererRegistry:
        return self._registry("mighub_register_renderers", RendererRegistry)

    @property
    def templates(self) -> TemplateRegistry:
        return self._registry("mighub_register_templates", TemplateRegistry)

    @property
    def commands(self) -> CommandRegistry:
        return self._registry("mighub_register_commands", CommandRegistry)

    @property
    def hook(self) -> Any:
        """pluggy's hook relay, for event hooks such as ``mighub_before_revision``."""
        return self.pm.hook

    def registrations(self, plugin: str) -> dict[str, list[str]]:
        """What ``plugin`` registered in each registry (builds every registry)."""
        kinds = {
            "commands": self.commands,
            "templates": self.templates,
            "dialects": self.dialects,
            "operations": self.operations,
            "comparators": self.comparators,
            "renderers": self.renderers,
        }
        out: dict[str, list[str]] = {}
        for kind, registry in kinds.items():
            names = [_entry_label(e.key) for e in registry.by_plugin(plugin)]
            if kind == "operations":
                names += [
                    f"implementation {_entry_label(e.key)}"
                    for e in registry.implementations.by_plugin(plugin)  # type: ignore[attr-defined]
                ]
            if names:
                out[kind] = names
        return out


def _entry_label(key: Any) -> str:
    if isinstance(key, tuple):
        return " on ".join(_entry_label(k) for k in key)
    if isinstance(key, type):
        return key.__name__
    return str(key)


def _import(module_name: str) -> ModuleType:
    return importlib.import_module(module_name)


def _import_path(path: Path) -> ModuleType:
    """Import a project plugin file under a private module name."""
    import importlib.util  # only here: a plugin given as a path is the rare case

    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    module_name = f"mighub_project_plugin_{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


def _line_in(exc: BaseException, path: str) -> str:
    """`` (line N)``: where a project plugin file raised while it was imported.

    A syntax error already names its line; for anything else the deepest
    traceback frame in the plugin's own file says where to look.
    """
    if isinstance(exc, SyntaxError) or not path.endswith(".py"):
        return ""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == path:
            line = tb.tb_lineno
        tb = tb.tb_next
    return f" (line {line})" if line is not None else ""


def _signature_message(plugin: object, exc: pluggy.PluginValidationError) -> str:
    """Name the hook whose implementation asks for arguments its specification lacks."""
    for attr in dir(plugin):
        spec = getattr(hookspecs, attr, None)
        fn = getattr(plugin, attr, None)
        if spec is None or not attr.startswith("mighub_") or not callable(fn):
            continue
        allowed = list(inspect.signature(spec).parameters)
        extra = [a for a in inspect.signature(fn).parameters if a not in allowed]
        if extra:
            return (
                f"hook {attr} asks for {', '.join(extra)}, which it is not given "
                f"(it may take: {', '.join(allowed)})"
            )
    return " ".join(str(exc).split())


def _unknown_hooks_message(unknown: list[str]) -> str:
    """Name the misspelled hooks, with the closest real hook as a hint."""
    import difflib

    hooks = sorted(h for h in vars(hookspecs) if h.startswith("mighub_"))
    hints = []
    for name in unknown:
        match = difflib.get_close_matches(name, hooks, n=1, cutoff=0.6)
        hints.append(f"{name} (did you mean {match[0]}?)" if match else name)
    return f"implements unknown hook {', '.join(hints)}"
