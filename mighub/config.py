"""Where a project's configuration lives, what it may say, and the database URL it resolves to.

Lookup order (the first that applies wins):

1. ``-c/--config PATH`` (a ``mighub.toml``-style file, or a ``pyproject.toml``
   whose ``[tool.mighub]`` table is read);
2. ``$MIGHUB_CONFIG``, read the same way;
3. ``./mighub.toml``;
4. ``./pyproject.toml``, when it has a ``[tool.mighub]`` table.

Relative paths in the configuration are relative to the file they are written
in, not to the current directory, so commands work from any sub-directory
given ``-c``. Every key is checked: an unknown key or a value of the wrong
type is an error naming the file and the key.
"""

from __future__ import annotations

import marshal
import os
import re
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mighub import filecache
from mighub.errors import ConfigError

if TYPE_CHECKING:
    from pathlib import Path

CONFIG_ENV = "MIGHUB_CONFIG"
URL_ENV = "MIGHUB_URL"
CONFIG_FILE = "mighub.toml"
PYPROJECT_FILE = "pyproject.toml"


class Key:
    """One configuration key: its TOML type, default and meaning (shown in errors and docs).

    Plain classes rather than dataclasses in this module and the other start-up
    modules: generating a dataclass costs about half a millisecond, paid by
    every command, ``mighub --help`` included.
    """

    __slots__ = ("default", "doc", "item_type", "type")

    def __init__(
        self,
        type: type | tuple[type, ...],
        default: Any,
        doc: str,
        item_type: type | None = None,
    ) -> None:
        self.type = type
        self.default = default
        self.doc = doc
        self.item_type = item_type


KEYS: dict[str, Key] = {
    "script_location": Key(str, None, "directory holding env.py, script.py.mako and versions/"),
    "url": Key(str, None, "database URL; may contain ${ENV_VAR}"),
    "version_locations": Key(list, None, "directories of revision scripts", str),
    "recursive_version_locations": Key(bool, False, "search version locations recursively"),
    "file_template": Key(str, "%(rev)s_%(slug)s", "file name pattern of new revisions"),
    "truncate_slug_length": Key(int, 40, "maximum length of the message slug in file names"),
    "timezone": Key(str, None, "time zone of revision dates, e.g. 'UTC'"),
    "version_table": Key(str, "mighub_version", "name of the version table"),
    "version_table_schema": Key(str, None, "schema of the version table"),
    "create_version_table_schema": Key(
        bool, False, "create the version table's schema when it is missing"
    ),
    "plugins": Key(list, [], "project plugins: module names or paths to .py files", str),
    "post_write_hooks": Key(list, [], "tools run on each new revision file", dict),
    "prepend_sys_path": Key(list, ["."], "paths added to sys.path before env.py runs", str),
    "revision_environment": Key(bool, False, "run env.py for 'revision' too"),
    "output_encoding": Key(str, "utf-8", "encoding of new revision files and --sql output"),
    "databases": Key(dict, {}, "named databases for -n NAME (multidb)", dict),
    "env": Key(dict, {}, "free-form values for env.py; mighub does not read them"),
}

DATABASE_KEYS = ("url", "version_table", "version_table_schema", "env")
"""Keys a ``[databases.NAME]`` table may set; they override the top-level ones under ``-n``."""

#: Compiled by re on first use (as are the other patterns here): most commands never need them.
_ENV_REF = r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}"


class Config:
    """A project's validated configuration plus the command line's say over it.

    ``path`` is the file the values came from (``None`` when no configuration
    was found), ``section`` is ``"tool.mighub"`` when read from pyproject.toml,
    and ``name`` the ``-n NAME`` database when one was selected.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None,
        values: dict[str, Any] | None = None,
        section: str | None = None,
        name: str | None = None,
        url_option: str | None = None,
        x_arguments: list[str] | None = None,
    ) -> None:
        self.path = path  # type: ignore[assignment]
        self.values: dict[str, Any] = values if values is not None else {}
        self.section = section
        self.name = name
        self.url_option = url_option
        self.x_arguments: list[str] = x_arguments if x_arguments is not None else []

    def __repr__(self) -> str:
        return f"Config(path={self.path!r}, name={self.name!r})"

    # -- where things are ----------------------------------------------------
    # Paths are kept as strings and handed out as Path objects on request: the
    # commands that only read the revision graph never need pathlib, whose import
    # costs more than the rest of reading the configuration.

    @property
    def path(self) -> Path | None:
        """The configuration file, or None when there is none."""
        return None if self._file is None else _path(self._file)

    @path.setter
    def path(self, value: str | os.PathLike[str] | None) -> None:
        self._file = None if value is None else os.fspath(value)

    @property
    def exists(self) -> bool:
        return self._file is not None

    @property
    def location(self) -> str:
        """How errors refer to the configuration: the file, plus the table inside it."""
        if self._file is None:
            return "(no configuration file)"
        return f"{self._file} [{self.section}]" if self.section else self._file

    @property
    def root(self) -> Path:
        """The directory relative paths in the configuration are taken from."""
        return _path(self.root_dir())

    def root_dir(self) -> str:
        """:attr:`root` as a string."""
        if self._file is None:
            return os.getcwd()
        return os.path.dirname(self._file) or os.curdir

    def require(self) -> None:
        """Stop with a helpful error when a command needs a configuration and there is none."""
        if self._file is None:
            raise ConfigError(
                f"no configuration found: looked for {CONFIG_FILE} and [tool.mighub] in "
                f"{PYPROJECT_FILE} in {os.getcwd()}; run 'mighub init migrations' "
                f"or pass -c PATH"
            )

    def get(self, key: str) -> Any:
        """The value of ``key``: the ``-n`` database's, the file's, or the default."""
        if key not in KEYS:
            raise KeyError(key)
        if self.name is not None and key in DATABASE_KEYS:
            db = self.values.get("databases", {}).get(self.name, {})
            if key in db:
                return db[key]
        if key in self.values:
            return self.values[key]
        default = KEYS[key].default
        return list(default) if isinstance(default, list) else default

    def resolve_path(self, value: str) -> Path:
        return _path(self._resolve(value))

    def _resolve(self, value: str) -> str:
        path = os.path.expanduser(value)
        return path if os.path.isabs(path) else os.path.join(self.root_dir(), path)

    @property
    def script_location(self) -> Path:
        return _path(self._script_location())

    def _script_location(self) -> str:
        self.require()
        value = self.get("script_location")
        if value is None:
            raise ConfigError(f"{self.location}: the key 'script_location' is required")
        return self._resolve(value)

    @property
    def version_locations(self) -> list[Path]:
        return [_path(location) for location in self.version_location_strings()]

    def version_location_strings(self) -> list[str]:
        """:attr:`version_locations` as strings, for code that needs no ``Path``."""
        values = self.get("version_locations")
        if values is None:
            return [os.path.join(self._script_location(), "versions")]
        return [self._resolve(v) for v in values]

    # -- the database --------------------------------------------------------

    @property
    def url(self) -> str | None:
        """``--url``, else ``$MIGHUB_URL``, else the ``url`` key with ``${VAR}`` expanded."""
        if self.url_option:
            return self.url_option
        if os.environ.get(URL_ENV):
            return os.environ[URL_ENV]
        value = self.get("url")
        if value is None:
            return None
        return self._anchored(expand_env(value, self.location))

    def _anchored(self, url: str) -> str:
        """A relative SQLite file in the configuration lives beside the configuration.

        Like every other path in the file; otherwise ``mighub -c app/mighub.toml``
        run from another directory would open (and create) a different database.
        """
        if self._file is None:
            return url
        return anchor_sqlite_url(url, self.root_dir())

    @property
    def database_names(self) -> list[str]:
        """The names of the ``[databases.NAME]`` tables, in file order (multidb)."""
        return list(self.values.get("databases", {}))

    def url_for(self, name: str) -> str:
        """The URL of the database ``name``, with ``${VAR}`` expanded (multidb env.py)."""
        databases = self.values.get("databases", {})
        if name not in databases:
            raise ConfigError(f"{self.location}: no [databases.{name}] table")
        value = databases[name].get("url")
        if value is None:
            raise ConfigError(f"{self.location}: [databases.{name}] has no 'url'")
        return self._anchored(expand_env(value, self.location))

    def require_url(self) -> str:
        url = self.url
        if not url:
            where = f"the key 'url' in {self.location}" if self.exists else "a configuration"
            raise ConfigError(f"no database URL: pass --url, set ${URL_ENV}, or set {where}")
        return url

    def x_argument(self, as_dictionary: bool = False) -> list[str] | dict[str, str]:
        """``-x`` values: a list of strings, or a dict (``key`` without ``=`` maps to '')."""
        if not as_dictionary:
            return list(self.x_arguments)
        out: dict[str, str] = {}
        for item in self.x_arguments:
            key, _, value = item.partition("=")
            out[key] = value
        return out


def expand_env(value: str, location: str) -> str:
    """``value`` with each ``${VAR}`` replaced from the environment; unset is an error."""

    def replace(match: re.Match[str]) -> str:
        var = match.group(1)
        if var not in os.environ:
            raise ConfigError(
                f"{location}: the key 'url' refers to ${{{var}}}, which is not set "
                f"in the environment"
            )
        return os.environ[var]

    return re.sub(_ENV_REF, replace, value)


_SQLITE_FILE = r"^(sqlite(?:\+\w+)?:///)(?!/)([^?]+)(\?.*)?$"


def _path(value: str) -> Path:
    """``Path(value)``, importing pathlib only when a caller wants a ``Path``."""
    from pathlib import Path

    return Path(value)


def anchor_sqlite_url(url: str, root: str | os.PathLike[str]) -> str:
    """``sqlite:///app.db`` -> ``sqlite:////abs/root/app.db``; other URLs unchanged.

    Three slashes and a relative path name a file relative to the current
    directory in SQLAlchemy; four slashes an absolute one. In-memory databases
    (``sqlite://``, ``sqlite:///:memory:``) and ``file:`` URIs are left alone.
    """
    match = re.match(_SQLITE_FILE, url)
    if match is None:
        return url
    prefix, path, query = match.group(1), match.group(2), match.group(3) or ""
    if path == ":memory:" or path.startswith("file:") or os.path.isabs(path):
        return url
    return f"{prefix}{(_path(os.fspath(root)) / path).as_posix()}{query}"


def url_secrets(url: str | None) -> list[str]:
    """The password of ``url`` in every spelling it could be printed in."""
    if not url or "@" not in url:  # no user information, so no password
        return []
    from urllib.parse import unquote, urlsplit

    try:
        password = urlsplit(url).password
    except ValueError:
        return []
    if not password:
        return []
    return sorted({password, unquote(password)}, key=len, reverse=True)


# -- finding and reading -------------------------------------------------------


def find_config_file(explicit: str | os.PathLike[str] | None) -> tuple[str, bool] | None:
    """The configuration file to read and whether it is explicit (then it must exist)."""
    if explicit:
        return os.fspath(explicit), True
    env = os.environ.get(CONFIG_ENV)
    if env:
        return env, True
    cwd = os.getcwd()
    for name in (CONFIG_FILE, PYPROJECT_FILE):
        candidate = os.path.join(cwd, name)
        if os.path.isfile(candidate):
            return candidate, False
    return None


def load_config(
    explicit: str | os.PathLike[str] | None = None,
    *,
    name: str | None = None,
    url: str | None = None,
    x_arguments: Sequence[str] = (),
) -> Config:
    """Find, read and validate the configuration; an absent one is allowed (``path=None``)."""
    found = find_config_file(explicit)
    config = Config(path=None, name=name, url_option=url, x_arguments=list(x_arguments))
    if found is not None:
        path, must_exist = found
        path = os.path.realpath(path) if os.path.exists(path) else path
        pyproject = os.path.basename(path) == PYPROJECT_FILE
        table = read_mighub_table(path, must_exist, pyproject)
        if table is not None:
            if pyproject:
                config.values = validate(table, f"{path} [tool.mighub]", os.path.dirname(path))
                config.path, config.section = path, "tool.mighub"
            else:
                config.values = validate(table, path, os.path.dirname(path))
                config.path = path
        elif pyproject and must_exist:
            raise ConfigError(f"{path}: has no [tool.mighub] table")
    if name is not None:
        databases = config.values.get("databases", {})
        if name not in databases:
            known = ", ".join(sorted(databases)) or "none are configured"
            raise ConfigError(
                f"{config.location}: -n {name!r} names no [databases.{name}] table (known: {known})"
            )
    return config


#: Bump when what is cached for a configuration file changes meaning.
TABLE_CACHE_FORMAT = 1
TABLE_CACHE_TAG = f"mighub-config.v{TABLE_CACHE_FORMAT}"


def read_mighub_table(path: str, must_exist: bool, pyproject: bool) -> dict[str, Any] | None:
    """The file's mighub settings, unvalidated: the whole document, or for a
    ``pyproject.toml`` its ``[tool.mighub]`` table (None when it has none).

    None also when the file does not exist and ``must_exist`` is false.  The
    table is remembered beside the file (:mod:`mighub.filecache`) so that a
    command whose configuration has not changed does not import the TOML parser.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if must_exist:
            raise ConfigError(f"{path}: configuration file not found") from None
        return None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from None
    cache = table_cache_path(path)
    stamp = filecache.stamp(st)
    cached = filecache.load(cache, TABLE_CACHE_TAG)
    if isinstance(cached, tuple) and len(cached) == 2 and cached[0] == stamp:
        return cached[1]
    document = _parse_toml(path)
    if pyproject:
        tool = document.get("tool")
        table = tool.get("mighub") if isinstance(tool, dict) else None
    else:
        table = document
    if filecache.writing_allowed() and filecache.settled(st):
        filecache.save(cache, TABLE_CACHE_TAG, (stamp, table))
    return table


def table_cache_path(path: str) -> str:
    """Where the table of the configuration file ``path`` is remembered."""
    name = f"mighub-config.{os.path.basename(path)}.m{marshal.version}.marshal"
    return filecache.cache_path(path, name)


def _parse_toml(path: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a configuration file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from None


def _type_name(t: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "an integer", bool: "true or false", list: "a list"}
    names[dict] = "a table"
    if isinstance(t, tuple):
        return " or ".join(names[x] for x in t)
    return names[t]


def _check_type(value: Any, expected: type | tuple[type, ...]) -> bool:
    # bool is an int in Python; TOML keeps them apart and so do we.
    if isinstance(value, bool):
        return expected is bool or (isinstance(expected, tuple) and bool in expected)
    return isinstance(value, expected)


def validate(
    table: Mapping[str, Any], location: str, root: str | os.PathLike[str]
) -> dict[str, Any]:
    """Check every key and value; return a plain dict of the known keys."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        spec = KEYS.get(key)
        if spec is None:
            import difflib

            match = difflib.get_close_matches(key, list(KEYS), n=1)
            hint = f" (did you mean {match[0]!r}?)" if match else ""
            raise ConfigError(f"{location}: unknown key {key!r}{hint}")
        if not _check_type(value, spec.type):
            raise ConfigError(
                f"{location}: the key {key!r} must be {_type_name(spec.type)}, "
                f"not {type(value).__name__} {value!r}"
            )
        if spec.item_type is not None and isinstance(value, list):
            for i, item in enumerate(value):
                if not _check_type(item, spec.item_type):
                    raise ConfigError(
                        f"{location}: item {i + 1} of the key {key!r} must be "
                        f"{_type_name(spec.item_type)}, not {item!r}"
                    )
        if spec.item_type is dict and isinstance(value, dict):
            # [databases.NAME] tables
            for db_name, db in value.items():
                _validate_database(db_name, db, location)
        out[key] = value
    if "truncate_slug_length" in out and out["truncate_slug_length"] < 1:
        raise ConfigError(f"{location}: the key 'truncate_slug_length' must be at least 1")
    for i, hook in enumerate(out.get("post_write_hooks", [])):
        _validate_hook(i, hook, location)
    return out


def _validate_database(db_name: str, db: Any, location: str) -> None:
    if not isinstance(db, dict):
        raise ConfigError(f"{location}: databases.{db_name} must be a table")
    for key, value in db.items():
        if key not in DATABASE_KEYS:
            allowed = ", ".join(DATABASE_KEYS)
            raise ConfigError(
                f"{location}: unknown key {key!r} in [databases.{db_name}] (allowed: {allowed})"
            )
        if not _check_type(value, KEYS[key].type):
            raise ConfigError(
                f"{location}: the key 'databases.{db_name}.{key}' must be "
                f"{_type_name(KEYS[key].type)}, not {value!r}"
            )


HOOK_TYPES = {"console_scripts": "entrypoint", "exec": "executable", "module": "module"}
HOOK_KEYS = {"name", "type", "entrypoint", "executable", "module", "options", "cwd"}


def _validate_hook(index: int, hook: dict[str, Any], location: str) -> None:
    where = f"{location}: post_write_hooks item {index + 1}"
    unknown = sorted(set(hook) - HOOK_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}")
    for key, value in hook.items():
        if not isinstance(value, str):
            raise ConfigError(f"{where}: the key {key!r} must be a string, not {value!r}")
    kind = hook.get("type")
    if kind not in HOOK_TYPES:
        raise ConfigError(f"{where}: 'type' must be one of {', '.join(HOOK_TYPES)}, not {kind!r}")
    required = HOOK_TYPES[kind]
    if required not in hook:
        raise ConfigError(f"{where}: a hook of type {kind!r} needs the key {required!r}")
