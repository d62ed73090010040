"""Configuration: lookup order, validation errors that name file and key, URL precedence."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mighub import filecache
from mighub.config import TABLE_CACHE_TAG, load_config, table_cache_path
from mighub.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_no_configuration_is_allowed_until_needed(project_dir: Path) -> None:
    config = load_config()
    assert not config.exists
    with pytest.raises(ConfigError) as excinfo:
        config.require()
    assert str(excinfo.value) == (
        f"no configuration found: looked for mighub.toml and [tool.mighub] in pyproject.toml "
        f"in {project_dir}; run 'mighub init migrations' or pass -c PATH"
    )


def test_lookup_order(project_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(project_dir / "pyproject.toml", '[tool.mighub]\nscript_location = "from_pyproject"\n')
    assert load_config().get("script_location") == "from_pyproject"
    write(project_dir / "mighub.toml", 'script_location = "from_mighub_toml"\n')
    assert load_config().get("script_location") == "from_mighub_toml"
    env_file = write(project_dir / "env" / "conf.toml", 'script_location = "from_env"\n')
    monkeypatch.setenv("MIGHUB_CONFIG", str(env_file))
    assert load_config().get("script_location") == "from_env"
    option = write(project_dir / "opt.toml", 'script_location = "from_option"\n')
    assert load_config(option).get("script_location") == "from_option"


def test_pyproject_without_table_is_not_a_configuration(project_dir: Path) -> None:
    write(project_dir / "pyproject.toml", '[project]\nname = "app"\n')
    assert not load_config().exists
    with pytest.raises(ConfigError, match=r"pyproject.toml: has no \[tool.mighub\] table"):
        load_config(project_dir / "pyproject.toml")


def test_paths_are_relative_to_the_config_file(project_dir: Path) -> None:
    conf = write(
        project_dir / "deploy" / "mighub.toml",
        'script_location = "../db/migrations"\nversion_locations = ["v1", "/abs/v2"]\n',
    )
    config = load_config(conf)
    assert config.script_location == project_dir / "deploy" / ".." / "db" / "migrations"
    assert config.version_locations == [project_dir / "deploy" / "v1", Path("/abs/v2")]


def test_default_version_location(project_dir: Path) -> None:
    write(project_dir / "mighub.toml", 'script_location = "migrations"\n')
    assert load_config().version_locations == [project_dir / "migrations" / "versions"]


def test_defaults() -> None:
    config = load_config()
    assert config.get("version_table") == "mighub_version"
    assert config.get("file_template") == "%(rev)s_%(slug)s"
    assert config.get("truncate_slug_length") == 40
    assert config.get("plugins") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('scrip_location = "m"', "unknown key 'scrip_location' (did you mean 'script_location'?)"),
        (
            "truncate_slug_length = '40'",
            "the key 'truncate_slug_length' must be an integer, not str '40'",
        ),
        (
            "recursive_version_locations = 1",
            "the key 'recursive_version_locations' must be true or false, not int 1",
        ),
        (
            "truncate_slug_length = true",
            "the key 'truncate_slug_length' must be an integer, not bool True",
        ),
        ("plugins = ['a', 3]", "item 2 of the key 'plugins' must be a string, not 3"),
        ("truncate_slug_length = 0", "the key 'truncate_slug_length' must be at least 1"),
        ("[databases.main]\nurl = 5", "the key 'databases.main.url' must be a string, not 5"),
        (
            "[databases.main]\nscript_location = 'x'",
            "unknown key 'script_location' in [databases.main] "
            "(allowed: url, version_table, version_table_schema, env)",
        ),
        (
            "[[post_write_hooks]]\ntype = 'black'",
            "post_write_hooks item 1: 'type' must be one of console_scripts, exec, module, "
            "not 'black'",
        ),
        (
            "[[post_write_hooks]]\ntype = 'exec'",
            "post_write_hooks item 1: a hook of type 'exec' needs the key 'executable'",
        ),
        (
            "[[post_write_hooks]]\ntype = 'module'\nmodule = 'ruff'\nextra = 'x'",
            "post_write_hooks item 1: unknown key 'extra'",
        ),
    ],
)
def test_validation_errors_name_file_and_key(project_dir: Path, text: str, message: str) -> None:
    path = write(project_dir / "mighub.toml", text + "\n")
    with pytest.raises(ConfigError) as excinfo:
        load_config()
    assert str(excinfo.value) == f"{path}: {message}"


def test_errors_in_pyproject_name_the_table(project_dir: Path) -> None:
    path = write(project_dir / "pyproject.toml", "[tool.mighub]\nbogus = 1\n")
    with pytest.raises(ConfigError) as excinfo:
        load_config()
    assert str(excinfo.value) == f"{path} [tool.mighub]: unknown key 'bogus'"


def test_invalid_toml_names_the_file(project_dir: Path) -> None:
    path = write(project_dir / "mighub.toml", "script_location = \n")
    with pytest.raises(ConfigError, match=rf"^{path}: not valid TOML: "):
        load_config()


def test_missing_explicit_file(project_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError) as excinfo:
        load_config("nowhere.toml")
    assert str(excinfo.value) == "nowhere.toml: configuration file not found"
    monkeypatch.setenv("MIGHUB_CONFIG", "gone.toml")
    with pytest.raises(ConfigError, match=r"^gone\.toml: configuration file not found$"):
        load_config()


def test_url_precedence(project_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(project_dir / "mighub.toml", 'url = "sqlite:///file.db"\n')
    assert load_config().url == f"sqlite:///{project_dir}/file.db"
    monkeypatch.setenv("MIGHUB_URL", "sqlite:///env.db")
    assert load_config().url == "sqlite:///env.db"
    assert load_config(url="sqlite:///option.db").url == "sqlite:///option.db"


def test_url_reads_environment_variables(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(project_dir / "mighub.toml", 'url = "postgresql://app:${DB_PASSWORD}@db/app"\n')
    with pytest.raises(ConfigError) as excinfo:
        load_config().require_url()
    assert str(excinfo.value) == (
        f"{path}: the key 'url' refers to ${{DB_PASSWORD}}, which is not set in the environment"
    )
    monkeypatch.setenv("DB_PASSWORD", "p%40ss")
    assert load_config().url == "postgresql://app:p%40ss@db/app"


def test_missing_url(project_dir: Path) -> None:
    path = write(project_dir / "mighub.toml", 'script_location = "m"\n')
    with pytest.raises(ConfigError) as excinfo:
        load_config().require_url()
    assert str(excinfo.value) == (
        f"no database URL: pass --url, set $MIGHUB_URL, or set the key 'url' in {path}"
    )


def test_named_database_overrides(project_dir: Path) -> None:
    path = write(
        project_dir / "mighub.toml",
        'url = "sqlite:///main.db"\nversion_table = "v"\n'
        '[databases.reports]\nurl = "sqlite:///reports.db"\n'
        '[databases.audit]\nurl = "sqlite:///audit.db"\nversion_table = "audit_v"\n',
    )
    assert load_config().database_names == ["reports", "audit"]
    reports = load_config(name="reports")
    assert (reports.url, reports.get("version_table")) == (
        f"sqlite:///{project_dir}/reports.db",
        "v",
    )
    audit = load_config(name="audit")
    assert audit.get("version_table") == "audit_v"
    assert load_config().url_for("audit") == f"sqlite:///{project_dir}/audit.db"
    with pytest.raises(ConfigError) as excinfo:
        load_config(name="sales")
    assert str(excinfo.value) == (
        f"{path}: -n 'sales' names no [databases.sales] table (known: audit, reports)"
    )


def test_x_arguments() -> None:
    config = load_config(x_arguments=["tenant=acme", "dry", "a=b=c"])
    assert config.x_argument() == ["tenant=acme", "dry", "a=b=c"]
    assert config.x_argument(as_dictionary=True) == {"tenant": "acme", "dry": "", "a": "b=c"}


def test_relative_sqlite_file_lives_beside_the_config(project_dir: Path, monkeypatch) -> None:
    deploy = project_dir / "deploy"
    write(deploy / "mighub.toml", 'url = "sqlite:///data/app.db?timeout=5"\n')
    monkeypatch.chdir(project_dir)  # somewhere else than the config file
    assert load_config(deploy / "mighub.toml").url == f"sqlite:///{deploy}/data/app.db?timeout=5"
    for unchanged in ("sqlite:////abs/app.db", "sqlite://", "sqlite:///:memory:"):
        write(deploy / "mighub.toml", f'url = "{unchanged}"\n')
        assert load_config(deploy / "mighub.toml").url == unchanged
    # A URL given on the command line is relative to where the command runs.
    assert load_config(deploy / "mighub.toml", url="sqlite:///here.db").url == "sqlite:///here.db"


# -- the remembered table (mighub.filecache) -----------------------------------------


@pytest.fixture
def remember_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    """Remember files written a moment ago (tests can't wait 2 s), and write cache files
    even where ``PYTHONDONTWRITEBYTECODE`` is set."""
    monkeypatch.setattr(filecache, "RACY_NS", -(10**18))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


def cached_table(config_file: Path) -> object:
    """What the cache beside ``config_file`` holds for it: (stamp, table), or None."""
    return filecache.load(table_cache_path(str(config_file)), TABLE_CACHE_TAG)


def test_the_table_is_remembered_and_used_while_the_file_is_unchanged(
    project_dir: Path, remember_everything: None
) -> None:
    path = write(project_dir / "mighub.toml", 'script_location = "first"\n')
    assert load_config().get("script_location") == "first"
    stamp, table = cached_table(path)  # type: ignore[misc]
    assert stamp == filecache.stamp(path.stat())
    assert table == {"script_location": "first"}
    # Proof that a second run reads the cache, not the file: a planted table wins.
    filecache.save(
        table_cache_path(str(path)), TABLE_CACHE_TAG, (stamp, {"script_location": "planted"})
    )
    assert load_config().get("script_location") == "planted"
    # Any change to the file (here its size and mtime) makes the entry stale.
    write(path, 'script_location = "second one"\n')
    assert load_config().get("script_location") == "second one"
    assert cached_table(path)[1] == {"script_location": "second one"}  # type: ignore[index]


def test_a_remembered_table_is_validated_like_a_parsed_one(
    project_dir: Path, remember_everything: None
) -> None:
    path = write(project_dir / "mighub.toml", "bogus = 1\n")
    for _ in range(2):  # the first run parses and caches, the second reads the cache
        with pytest.raises(ConfigError) as excinfo:
            load_config()
        assert str(excinfo.value) == f"{path}: unknown key 'bogus'"
    assert cached_table(path) is not None


def test_only_the_mighub_table_of_a_pyproject_is_remembered(
    project_dir: Path, remember_everything: None
) -> None:
    path = write(
        project_dir / "pyproject.toml",
        '[project]\nname = "app"\n\n[tool.other]\nx = 1\n\n[tool.mighub]\nscript_location = "m"\n',
    )
    assert load_config().get("script_location") == "m"
    assert cached_table(path)[1] == {"script_location": "m"}  # type: ignore[index]
    write(path, '[project]\nname = "app without a table"\n')
    assert not load_config().exists
    assert cached_table(path)[1] is None  # type: ignore[index]
    assert not load_config().exists  # and the remembered None means "no table" too


def test_nothing_is_remembered_for_a_file_changed_a_moment_ago(
    project_dir: Path, monkeypatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    path = write(project_dir / "mighub.toml", 'script_location = "fresh"\n')
    assert load_config().get("script_location") == "fresh"
    assert cached_table(path) is None


def test_nothing_is_written_when_python_is_asked_for_no_cache_files(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(filecache, "RACY_NS", -(10**18))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    path = write(project_dir / "mighub.toml", 'script_location = "m"\n')
    assert load_config().get("script_location") == "m"
    assert not (project_dir / "__pycache__").exists()
    assert cached_table(path) is None


def test_a_value_marshal_cannot_store_is_simply_not_remembered(
    project_dir: Path, remember_everything: None
) -> None:
    path = write(project_dir / "mighub.toml", "script_location = 1979-05-27\n")
    with pytest.raises(ConfigError, match="script_location"):
        load_config()
    assert cached_table(path) is None


def test_a_corrupt_cache_is_ignored_and_replaced(project_dir: Path, remember_everything) -> None:
    path = write(project_dir / "mighub.toml", 'script_location = "m"\n')
    cache = Path(table_cache_path(str(path)))
    cache.parent.mkdir()
    cache.write_bytes(b"\x00not marshal")
    assert load_config().get("script_location") == "m"
    assert cached_table(path) is not None
