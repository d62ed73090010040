"""Revision scripts on disk: loading them into a graph, and writing new ones.

A :class:`ScriptDirectory` reads the headers of every script in its version
locations (see :mod:`mighub.script.headers`), builds the
:class:`~mighub.script.graph.RevisionMap`, and imports a script's module only
when its ``upgrade()`` or ``downgrade()`` is about to run.
"""

from __future__ import annotations

import contextlib
import gc
import marshal
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import CodeType, ModuleType
from typing import TYPE_CHECKING, Any

from .errors import MultipleHeadsError, RevisionError, ScriptError
from .graph import MigrationStep, Revision, RevisionMap, RevOrBase, StampStep, _as_path
from .headers import ScriptHeader, _as_id_tuple, check_revision_id, read_header, read_locations

if TYPE_CHECKING:
    import datetime as _dt
    from pathlib import Path

#: Name of new revision files when the project doesn't say otherwise.
DEFAULT_FILE_TEMPLATE = "%(rev)s_%(slug)s"
DEFAULT_TRUNCATE_SLUG_LENGTH = 40
_SLUG_RE = r"\w+"  # compiled by re when a revision is written
_TEMPLATE_TOKENS = ("rev", "slug", "epoch", "year", "month", "day", "hour", "minute", "second")


class Script(Revision):
    """A revision that lives in a file.

    The header (ids, labels, docstring) is known without running the file;
    :attr:`module` imports it on first use, which only the runtime needs.
    """

    __slots__ = ("_module", "docstring")

    def __init__(self, header: ScriptHeader, path: Path | str) -> None:
        # The header reader has already checked the id and made every sequence a
        # tuple, which is most of what Revision.__init__ does; every command builds
        # thousands of these, so only the self-loop checks are left to it.
        revision, down, labels, depends, self.docstring = header
        if revision in down or revision in depends:
            super().__init__(revision, down, depends, labels, path)  # raises
        self.revision = revision
        self._path = path
        self.down_revisions = down
        self.dependencies = depends
        self.own_branch_labels = labels
        self._module: ModuleType | None = None
        # Revision._reset, inlined: it runs once per script on every command.
        self.branch_labels = set(labels)
        self.resolved_dependencies = self.normalized_dependencies = ()
        self.nextrev = self.all_nextrev = ()
        self._down_all = self._down_norm = down
        self._pos = -1

    @property
    def longdoc(self) -> str:
        """The whole docstring, stripped: what ``show`` and ``history -v`` print."""
        return self.docstring.strip()

    @property
    def doc(self) -> str:
        """The docstring's first paragraph: the message ``history`` prints."""
        return self.longdoc.split("\n\n", 1)[0]

    @property
    def module(self) -> ModuleType:
        """The script's module, imported now if it wasn't yet.

        It is registered in ``sys.modules`` under a name unique to the file's
        path, so two projects' scripts never collide, and its header values
        are checked against what the fast reader saw: a script that computes
        them at import time would otherwise run with a different graph than
        the one we planned with.
        """
        if self._module is None:
            assert self._path is not None
            module = load_module(self._path)
            self._check_module(module)
            self._module = module
        return self._module

    def _check_module(self, module: ModuleType) -> None:
        path = self._path
        actual = getattr(module, "revision", None)
        down = _as_id_tuple("down_revision", getattr(module, "down_revision", None), path)
        if actual != self.revision or down != self.down_revisions:
            raise ScriptError(
                f"{path}: running the script gives revision={actual!r}, "
                f"down_revision={down!r}, but its literal header says "
                f"revision={self.revision!r}, down_revision={self.down_revisions!r}; "
                "header values must not be changed by code",
                path,
            )

    def migration_function(self, direction: str) -> Callable[..., Any]:
        """The script's ``upgrade`` or ``downgrade`` function (imports the module)."""
        fn = getattr(self.module, direction, None)
        if not callable(fn):
            raise ScriptError(f"{self.path}: has no {direction}() function", self.path)
        return fn


_NON_WORD = re.compile(r"\W")


def _module_name(path: str | os.PathLike[str]) -> str:
    return _name_for(os.path.abspath(path))


def _name_for(filename: str) -> str:
    """The module name of the script at ``filename``, an absolute path."""
    import hashlib

    digest = hashlib.sha1(os.fsencode(filename)).hexdigest()[:12]
    stem = _NON_WORD.sub("_", os.path.splitext(os.path.basename(filename))[0])[:40]
    return f"_mighub_revision_{stem}_{digest}"


def load_module(path: str | os.PathLike[str]) -> ModuleType:
    """Import the script at ``path`` under a name unique to that path.

    A long upgrade imports hundreds of scripts, and the import system's
    general machinery (finders, specs, re-validating the bytecode cache through
    several ``stat`` calls) costs more than running a trivial revision. The
    script is stat-ed once here, its ``__pycache__`` bytecode is used when
    it matches that stat (see :func:`_cached_code`), and only a miss goes
    through the standard loader, which also writes the cache for next time.
    """
    import importlib.machinery

    filename = os.path.abspath(path)
    name = _name_for(filename)
    try:
        st = os.stat(filename)
        identity = (st.st_mtime_ns, st.st_size)
    except OSError as exc:
        raise ScriptError(f"{path}: can't be read: {exc.strerror}", _as_path(path)) from exc
    existing = sys.modules.get(name)
    if existing is not None and getattr(existing, "__mighub_identity__", None) == identity:
        return existing  # the same file, unchanged since it was imported in this process
    loader = importlib.machinery.SourceFileLoader(name, filename)
    spec = importlib.machinery.ModuleSpec(name, loader, origin=filename)
    spec.has_location = True
    cached = spec.cached
    module = ModuleType(name)
    module.__spec__ = spec
    module.__loader__ = loader
    module.__package__ = ""
    module.__file__ = filename
    module.__cached__ = cached  # type: ignore[attr-defined]
    module.__mighub_identity__ = identity  # type: ignore[attr-defined]
    sys.modules[name] = module
    try:
        code = _cached_code(cached, filename, st) or loader.get_code(name)
        exec(code, module.__dict__)
    except SyntaxError as exc:
        del sys.modules[name]
        raise ScriptError(
            f"{path}, line {exc.lineno}: syntax error: {exc.msg}", _as_path(path)
        ) from exc
    except BaseException as exc:
        del sys.modules[name]
        if not isinstance(exc, Exception):
            raise
        raise ScriptError(
            f"{path}: importing the revision script failed: {type(exc).__name__}: {exc}",
            _as_path(path),
        ) from exc
    return module


def _read(path: str) -> bytes | None:
    """The whole file at ``path``, or ``None`` if it cannot be read in one go.

    Four system calls (open, fstat, read, close): ``open(path, "rb").read()``
    makes twice as many, and a long upgrade reads one cache file per revision.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        size = os.fstat(fd).st_size
        data = os.read(fd, size)
    except OSError:
        return None
    finally:
        os.close(fd)
    return data if len(data) == size else None


def _cached_code(cached: str | None, source: str, st: os.stat_result) -> CodeType | None:
    """The code in the bytecode cache file ``cached`` if it was compiled from ``source``
    as ``st`` describes it, else ``None``.

    Only the timestamp form of the cache file (PEP 552: magic number, zero
    flags, the source's modification time and size) is read here; a hash-based
    or stale file is left to the standard loader, which checks and rewrites it,
    and a file whose header matches but whose body is not code is removed.
    """
    import importlib.util

    if cached is None:
        return None
    data = _read(cached)
    if data is None:
        return None
    header = (
        importlib.util.MAGIC_NUMBER
        + b"\0\0\0\0"
        + (int(st.st_mtime) & 0xFFFFFFFF).to_bytes(4, "little")
        + (st.st_size & 0xFFFFFFFF).to_bytes(4, "little")
    )
    if data[:16] != header:
        return None
    try:
        code = marshal.loads(memoryview(data)[16:])
    except (EOFError, ValueError, TypeError):
        code = None
    if not isinstance(code, CodeType):
        # Python's loader would fail on it too: remove it, so the script compiles anew.
        with contextlib.suppress(OSError):
            os.unlink(cached)
        return None
    # A project moved or copied with its __pycache__ keeps its old paths in the code:
    # point them at where the script is now, as Python's own loader does.
    import _imp

    _imp._fix_co_filename(code, source)
    return code


# ---------------------------------------------------------------------------
# writing new scripts
# ---------------------------------------------------------------------------


def new_rev_id() -> str:
    """A fresh id: 12 hex characters from a random UUID, as Alembic makes them."""
    import uuid

    return uuid.uuid4().hex[-12:]


def slugify(message: str | None, truncate_slug_length: int = DEFAULT_TRUNCATE_SLUG_LENGTH) -> str:
    """The message's words joined by ``_``, lower-cased, cut at a word boundary.

    A cut slug keeps a trailing ``_`` (as Alembic's do), so file names of
    projects moving over keep their shape.
    """
    slug = "_".join(re.findall(_SLUG_RE, message or "")).lower()
    if len(slug) > truncate_slug_length:
        slug = slug[:truncate_slug_length].rsplit("_", 1)[0] + "_"
    return slug


def create_date(timezone: str | None = None, now: _dt.datetime | None = None) -> _dt.datetime:
    """Now, in ``timezone`` (an IANA key) if given, else naive local time."""
    import datetime as _dt

    if timezone is None:
        return now if now is not None else _dt.datetime.now()
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    tzinfo = None
    for key in (timezone, timezone.upper()):
        try:
            tzinfo = ZoneInfo(key)
            break
        except (ZoneInfoNotFoundError, ValueError):
            continue
    if tzinfo is None:
        raise ScriptError(
            f"Unknown timezone {timezone!r}: the 'timezone' setting needs an IANA key such as "
            "'UTC' or 'Europe/Paris' (on Windows, install the tzdata package)"
        )
    moment = now if now is not None else _dt.datetime.now(tz=_dt.timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.timezone.utc)
    return moment.astimezone(tzinfo)


def revision_filename(
    file_template: str,
    rev_id: str,
    message: str | None,
    when: _dt.datetime,
    truncate_slug_length: int = DEFAULT_TRUNCATE_SLUG_LENGTH,
) -> str:
    """The new script's path relative to its version location (``/``-separated)."""
    values = {
        "rev": rev_id,
        "slug": slugify(message, truncate_slug_length),
        "epoch": int(when.timestamp()),
        "year": when.year,
        "month": when.month,
        "day": when.day,
        "hour": when.hour,
        "minute": when.minute,
        "second": when.second,
    }
    try:
        name = file_template % values
    except KeyError as exc:
        raise ScriptError(
            f"file_template {file_template!r} uses unknown token {exc.args[0]!r}; "
            f"available tokens: {', '.join(_TEMPLATE_TOKENS)}"
        ) from None
    except (ValueError, TypeError) as exc:
        raise ScriptError(
            f"file_template {file_template!r} is not a valid template: {exc}"
        ) from None
    name = name.replace(os.sep, "/") + ".py"
    parts = name.split("/")
    if name.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ScriptError(
            f"file_template {file_template!r} gives {name!r}, which leaves or skips "
            "folders of the version location"
        )
    return name


def render_template(template: Path, output: Path, context: Mapping[str, Any]) -> None:
    """Render the Mako ``template`` into a new file ``output`` (which must not exist)."""
    from mako.exceptions import text_error_template
    from mako.template import Template

    try:
        text = Template(filename=os.fspath(template)).render_unicode(**context)
    except Exception as exc:
        detail = text_error_template().render().strip().splitlines()[-1:]
        raise ScriptError(
            f"{template}: rendering the revision template failed: {(detail or [repr(exc)])[0]}",
            template,
        ) from exc
    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(output, "x", encoding="utf-8", newline="\n") as f:
            f.write(text)
    except FileExistsError:
        raise ScriptError(f"{output}: already exists; not overwriting it", output) from None


def _comma(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return ", ".join(str(v) for v in value)


def _scalar(values: Sequence[str]) -> str | tuple[str, ...] | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return tuple(values)


# ---------------------------------------------------------------------------
# the directory
# ---------------------------------------------------------------------------


class ScriptDirectory:
    """The revision scripts of one project, and their graph.

    ``version_locations`` are searched in order (missing ones are skipped);
    with ``recursive`` their sub-folders too.  The graph is built on first use
    and rebuilt after :meth:`generate_revision` or :meth:`refresh`.
    """

    def __init__(
        self,
        version_locations: Iterable[str | os.PathLike[str]],
        *,
        recursive: bool = False,
        use_cache: bool = True,
    ) -> None:
        locations: list[str] = []
        for loc in version_locations:
            path = os.path.abspath(loc)
            if path not in locations:
                locations.append(path)
        if not locations:
            raise ScriptError("No version locations configured")
        self._locations: tuple[str, ...] = tuple(locations)
        self.recursive = recursive
        self.use_cache = use_cache
        self._map: RevisionMap | None = None

    @property
    def version_locations(self) -> tuple[Path, ...]:
        """The version locations, absolute, in order, each once."""
        return tuple(_as_path(location) for location in self._locations)

    # -- loading ---------------------------------------------------------------

    def load_scripts(self) -> list[Script]:
        """Read every script header (cached) into :class:`Script` objects, in load order."""
        return [
            Script(header, path)
            for path, header in read_locations(self._locations, self.recursive, self.use_cache)
        ]

    @property
    def revision_map(self) -> RevisionMap:
        """The checked graph of all scripts."""
        if self._map is None:
            # Thousands of small objects and no garbage: the cyclic collector would
            # only walk them again and again (about 5% of ``heads`` on 5,000 scripts).
            enabled = gc.isenabled()
            gc.disable()
            try:
                self._map = RevisionMap(self.load_scripts())
            finally:
                if enabled:
                    gc.enable()
        return self._map

    def refresh(self) -> None:
        """Forget the graph so the next use reads the files again."""
        self._map = None

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.revision_map)

    # -- questions (thin wrappers, typed for Script) ------------------------------

    def get_revision(self, ident: str | None) -> Script | None:
        """The script ``ident`` names (None for ``base``)."""
        return self.revision_map.get_revision(ident)  # type: ignore[return-value]

    def get_revisions(self, ident: Any) -> tuple[RevOrBase, ...]:
        """The scripts ``ident`` names; see :meth:`RevisionMap.get_revisions`."""
        return self.revision_map.get_revisions(ident)

    def get_heads(self, consider_depends_on: bool = False) -> tuple[str, ...]:
        """Head revision ids, in load order."""
        return self.revision_map.get_heads(consider_depends_on)

    def get_current_head(self) -> str | None:
        """The single head id (None when there are no scripts); several is an error."""
        try:
            return self.revision_map.get_current_head()
        except MultipleHeadsError as exc:
            raise MultipleHeadsError(
                f"The scripts have several heads ({', '.join(exc.heads)}); merge them with "
                "'mighub merge heads' or name the head you mean",
                exc.heads,
                exc.argument,
            ) from None

    def get_bases(self) -> tuple[str, ...]:
        """Ids of the revisions with no ``down_revision``."""
        return self.revision_map.bases

    def get_base(self) -> str | None:
        """The single base id; several is an error."""
        bases = self.get_bases()
        if len(bases) > 1:
            raise RevisionError(f"The scripts have several bases ({', '.join(bases)})")
        return bases[0] if bases else None

    def walk_revisions(self, base: Any = "base", head: Any = "heads") -> list[Script]:
        """Scripts from ``head`` down to ``base``, newest first (``history``)."""
        return self.revision_map.walk_revisions(base, head)  # type: ignore[return-value]

    def upgrade_steps(self, current_heads: Iterable[str], destination: str) -> list[MigrationStep]:
        return self.revision_map.upgrade_steps(current_heads, destination)

    def downgrade_steps(
        self, current_heads: Iterable[str], destination: str | None
    ) -> list[MigrationStep]:
        return self.revision_map.downgrade_steps(current_heads, destination)

    def stamp_steps(
        self, current_heads: Iterable[str], destinations: str | Sequence[str] | None
    ) -> list[StampStep]:
        return self.revision_map.stamp_steps(current_heads, destinations)

    def verify(self) -> list[ScriptError]:
        """Parse every script in full and compare it with the header that was read.

        Reading headers looks only at what the graph needs, so a syntax error
        further down a script would otherwise surface only when the script
        runs.  ``check``-style commands call this to find such problems early;
        it returns them (empty list: all good) rather than stopping at the first.
        """
        from .headers import _decode_exact, _read_bytes, parse_header_ast

        problems: list[ScriptError] = []
        for script in self.revision_map:
            path = script._path
            try:
                text = _decode_exact(_read_bytes(path, 1 << 14), path)
                full = parse_header_ast(text, path)
            except OSError as exc:
                problems.append(ScriptError(f"{path}: can't read revision script: {exc}", path))
                continue
            except ScriptError as exc:
                problems.append(exc)
                continue
            seen = (
                script.revision,
                script.down_revisions,
                script.own_branch_labels,
                script.dependencies,
                script.docstring,
            )
            if tuple(full) != seen:
                problems.append(
                    ScriptError(
                        f"{path}: the file changed since it was read, or its header reads "
                        "differently in full; run the command again",
                        path,
                    )
                )
        return problems

    # -- writing ---------------------------------------------------------------------

    def _location_of(self, path: Path) -> Path | None:
        for loc in self.version_locations:
            try:
                path.relative_to(loc)
            except ValueError:
                continue
            return loc
        return None

    def generate_revision(
        self,
        template: str | os.PathLike[str],
        message: str | None,
        *,
        rev_id: str | None = None,
        head: str | Sequence[str] | None = None,
        splice: bool = False,
        branch_labels: str | Sequence[str] | None = None,
        depends_on: str | Sequence[str] | None = None,
        version_path: str | os.PathLike[str] | None = None,
        file_template: str = DEFAULT_FILE_TEMPLATE,
        truncate_slug_length: int | None = None,
        timezone: str | None = None,
        template_args: Mapping[str, Any] | None = None,
        now: _dt.datetime | None = None,
    ) -> Script:
        """Write a new revision script from the Mako ``template`` and return it.

        ``head`` is what the new revision builds on: ``"head"`` (the default,
        an error when there are several heads), ``"base"`` for a new root,
        ``LABEL@head``, any revision (a non-head only with ``splice``), or
        several revisions for a merge.  The file goes in ``version_path``,
        else in the version location of its first parent, else in the only
        version location; a new root with several locations must say which.
        """
        rev_id = rev_id or new_rev_id()
        check_revision_id(rev_id, "--rev-id")
        rmap = self.revision_map
        if rev_id in rmap:
            raise ScriptError(
                f"Revision id {rev_id} already exists ({rmap[rev_id].path}); pick another"
            )
        labels = _as_id_tuple("branch_labels", branch_labels, "--branch-label")
        for label in labels:
            holder = rmap.branch_label_map.get(label)
            if holder is not None or label in rmap:
                raise ScriptError(
                    f"Branch label {label!r} is already used by revision "
                    f"{(holder or rmap[label]).revision}"
                )

        try:
            found = rmap.get_revisions(head if head is not None else "head")
        except MultipleHeadsError as exc:
            raise MultipleHeadsError(
                f"Multiple heads are present ({', '.join(exc.heads)}); pass --head to say which "
                "one the new revision builds on, or merge them first",
                exc.heads,
                exc.argument,
            ) from None
        parents: list[Revision] = []
        for item in found:
            if not isinstance(item, Revision):
                raise ScriptError(f"--head {head!r} doesn't name a revision to build on")
            parents.append(item)
        if len({p.revision for p in parents}) != len(parents):
            raise ScriptError("The same head revision is given more than once")
        if not splice:
            for parent in parents:
                if not parent.is_head:
                    raise ScriptError(
                        f"Revision {parent.revision} is not a head revision; pass --splice to "
                        "start a new branch from it"
                    )

        when = create_date(timezone, now)

        if version_path is None:
            if len(self.version_locations) == 1:
                target_dir = self.version_locations[0]
            else:
                located = [
                    self._location_of(p.path.absolute()) for p in parents if p.path is not None
                ]
                located = [loc for loc in located if loc is not None]
                if not located:
                    raise ScriptError(
                        "Several version locations are configured; pass --version-path to say "
                        "where the new revision goes"
                    )
                target_dir = located[0]
        else:
            target_dir = _as_path(os.path.abspath(version_path))
            if target_dir not in self.version_locations:
                raise ScriptError(
                    f"--version-path {version_path} is not one of the version locations "
                    f"({', '.join(str(p) for p in self.version_locations)})"
                )

        relname = revision_filename(
            file_template,
            rev_id,
            message,
            when,
            DEFAULT_TRUNCATE_SLUG_LENGTH if truncate_slug_length is None else truncate_slug_length,
        )
        if "/" in relname and not self.recursive:
            raise ScriptError(
                f"file_template {file_template!r} puts revisions in sub-folders ({relname}); "
                "set recursive_version_locations = true so they are found again"
            )
        output = target_dir.joinpath(*relname.split("/"))

        deps: list[str] = []
        for dep in _as_id_tuple("depends_on", depends_on, "--depends-on"):
            rev = rmap.get_revision(dep)
            if rev is None:
                raise ScriptError(f"--depends-on {dep!r} doesn't name a revision")
            deps.append(dep if dep in rev.branch_labels else rev.revision)

        context: dict[str, Any] = {
            "imports": None,
            "upgrades": None,
            "downgrades": None,
        }
        context.update(template_args or {})
        context.update(
            message=message if message is not None else "empty message",
            up_revision=rev_id,
            down_revision=_scalar([p.revision for p in parents]),
            branch_labels=tuple(labels) or None,
            depends_on=_scalar(deps),
            create_date=when,
            comma=_comma,
        )
        render_template(_as_path(template), output, context)

        try:
            header = read_header(output)
        except ScriptError:
            output.unlink()
            raise
        expected = (rev_id, tuple(p.revision for p in parents), labels, tuple(deps))
        got = (header.revision, header.down_revision, header.branch_labels, header.depends_on)
        if got != expected:
            output.unlink()
            names = ("revision", "down_revision", "branch_labels", "depends_on")
            wrong = [n for n, a, b in zip(names, got, expected, strict=True) if a != b]
            raise ScriptError(
                f"{template}: the template doesn't write {', '.join(wrong)} as asked "
                f"(expected {dict(zip(names, expected, strict=True))}); does it render "
                "${repr(down_revision)}, ${repr(branch_labels)} and ${repr(depends_on)}?",
                template,
            )
        self.refresh()
        script = self.revision_map.get_revision(rev_id)
        assert isinstance(script, Script)
        return script


__all__ = [
    "DEFAULT_FILE_TEMPLATE",
    "DEFAULT_TRUNCATE_SLUG_LENGTH",
    "Script",
    "ScriptDirectory",
    "create_date",
    "load_module",
    "new_rev_id",
    "render_template",
    "revision_filename",
    "slugify",
]
