"""The plugin host: load order, disabling, failures, registries and their clash rules."""

from __future__ import annotations

import textwrap
from pathlib import Path
from types import SimpleNamespace

import click
import pytest

from mighub import hookimpl
from mighub.errors import PluginError
from mighub.host import PluginHost
from mighub.registries import STOP, resolve_reference


def plugin(**hooks: object) -> SimpleNamespace:
    """A plugin object whose attributes are the given (already marked) hook functions."""
    return SimpleNamespace(**hooks)


def builtin_host(**kwargs: object) -> PluginHost:
    host = PluginHost(**kwargs)  # type: ignore[arg-type]
    host.load_builtins()
    return host


def test_builtins_load_first_in_documented_order() -> None:
    host = PluginHost.for_cli(entry_points=False)
    assert [p.name for p in host.plugins] == [
        "mighub.commands",
        "mighub.templates",
        "mighub.dialects",
        "mighub.operations",
    ]
    assert {p.source for p in host.plugins} == {"builtin"}
    assert all(p.status == "loaded" for p in host.plugins)


def test_installed_entry_points_follow_builtins_sorted_by_name() -> None:
    host = PluginHost.for_cli()
    names = [p.name for p in host.plugins if p.source == "entry point"]
    assert names == sorted(names)
    assert {"postgresql", "mssql", "mysql", "sqlite_batch", "autogen"} <= set(names)
    sources = [p.source for p in host.plugins]
    assert sources == sorted(sources, key=["builtin", "entry point", "project"].index)


def test_hosts_are_independent() -> None:
    first, second = builtin_host(), builtin_host()

    @hookimpl
    def mighub_register_dialects(registry):
        registry.register("duckdb", "mighub.ddl.impl:DialectImpl")

    first.register(plugin(mighub_register_dialects=mighub_register_dialects), "duck")
    assert "duckdb" in first.dialects
    assert "duckdb" not in second.dialects


def test_project_plugin_from_path_relative_to_root(tmp_path: Path) -> None:
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "team.py").write_text(
        textwrap.dedent(
            """
            from mighub import hookimpl

            @hookimpl
            def mighub_register_dialects(registry):
                registry.register("teamdb", "mighub.ddl.impl:DialectImpl")
            """
        )
    )
    host = PluginHost.for_cli(
        entry_points=False, project_plugins=["tools/team.py"], project_root=tmp_path
    )
    info = host.plugins[-1]
    assert (info.name, info.source, info.status) == ("team", "project", "loaded")
    assert info.hooks == ["mighub_register_dialects"]
    assert host.dialects.by_plugin("team")[0].key == "teamdb"


def test_missing_project_plugin_is_a_recorded_failure(tmp_path: Path) -> None:
    host = PluginHost.for_cli(
        entry_points=False, project_plugins=["nope.py", "no_such_module_xyz"], project_root=tmp_path
    )
    by_name = {p.name: p for p in host.plugins}
    assert by_name["nope"].status == "failed"
    assert by_name["nope"].error == f"FileNotFoundError: no such file: {tmp_path / 'nope.py'}"
    assert by_name["no_such_module_xyz"].error == (
        "ModuleNotFoundError: No module named 'no_such_module_xyz'"
    )


def test_plugin_raising_on_import_is_failed_and_check_healthy_names_it(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("raise RuntimeError('boom at import')\n")
    host = PluginHost.for_cli(entry_points=False, project_plugins=["bad.py"], project_root=tmp_path)
    info = host.plugins[-1]
    assert (info.status, info.error) == ("failed", "RuntimeError: boom at import (line 1)")
    with pytest.raises(PluginError) as excinfo:
        host.check_healthy()
    assert str(excinfo.value) == (
        f"plugin 'bad' (project {tmp_path / 'bad.py'}) failed to load: "
        "RuntimeError: boom at import (line 1); fix it or take it out of the configuration's "
        "'plugins', or disable it with -p no:bad or MIGHUB_DISABLE_PLUGINS=bad"
    )


def test_misspelled_hook_fails_the_plugin_with_a_suggestion() -> None:
    host = builtin_host()

    @hookimpl
    def mighub_register_dialect(registry):  # singular: a typo
        pass

    info = host.register(plugin(mighub_register_dialect=mighub_register_dialect), "typo")
    assert info.status == "failed"
    assert info.error == (
        "implements unknown hook mighub_register_dialect (did you mean mighub_register_dialects?)"
    )
    assert host.pm.get_plugin("typo") is None
    assert "sqlite" in host.dialects


def test_hook_with_unknown_argument_fails_the_plugin() -> None:
    host = builtin_host()

    @hookimpl
    def mighub_register_dialects(registry, engine):
        pass

    info = host.register(plugin(mighub_register_dialects=mighub_register_dialects), "badargs")
    assert info.status == "failed"
    assert info.error == (
        "hook mighub_register_dialects asks for engine, which it is not given "
        "(it may take: registry)"
    )
    assert host.pm.get_plugin("badargs") is None


def test_disabled_plugin_is_not_imported(tmp_path: Path) -> None:
    (tmp_path / "explodes.py").write_text("raise SystemExit('must not be imported')\n")
    host = PluginHost.for_cli(
        disabled=["explodes"],
        entry_points=False,
        project_plugins=["explodes.py"],
        project_root=tmp_path,
    )
    assert host.plugins[-1].status == "disabled"
    host.check_healthy()


def test_environment_disables_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIGHUB_DISABLE_PLUGINS", "postgresql, mysql ,")
    host = PluginHost.for_cli()
    status = {p.name: p.status for p in host.plugins}
    assert status["postgresql"] == status["mysql"] == "disabled"
    assert status["mssql"] == "loaded"
    assert "postgresql" not in host.dialects


def test_unknown_disabled_names_are_reported() -> None:
    host = PluginHost.for_cli(disabled=["postgres", "mysql"])
    assert host.unknown_disabled() == ["postgres"]


def test_duplicate_plugin_name_fails_the_second() -> None:
    host = builtin_host()
    host.register(plugin(), "twin")
    info = host.register(plugin(), "twin")
    assert info.status == "failed"
    assert info.error == "the plugin name 'twin' is already taken by 'twin' (project namespace())"


def test_mighub_register_dialects_clash_names_both_plugins() -> None:
    host = builtin_host()

    @hookimpl
    def mighub_register_dialects(registry):
        registry.register("sqlite", "mighub.ddl.impl:DialectImpl")

    host.register(plugin(mighub_register_dialects=mighub_register_dialects), "rival")
    with pytest.raises(PluginError) as excinfo:
        host.dialects  # noqa: B018
    assert str(excinfo.value) == (
        "dialect 'sqlite' is registered by both plugin 'mighub.dialects' and plugin 'rival'; "
        "the later one must pass replace=True to override it"
    )


def test_register_dialects_replace_overrides_and_remembers() -> None:
    host = builtin_host()

    class Custom:
        transactional_ddl = True

    @hookimpl
    def mighub_register_dialects(registry):
        registry.register("sqlite", Custom, replace=True)

    host.register(plugin(mighub_register_dialects=mighub_register_dialects), "override")
    assert host.dialects.get("sqlite") is Custom
    (entry,) = host.dialects.by_plugin("override")
    assert entry.replaced == ["mighub.dialects"]


def test_dialect_strings_import_lazily_and_unknown_dialect_lists_installed() -> None:
    host = PluginHost.for_cli()
    from mighub_postgresql.impl import PostgresqlImpl

    assert host.dialects.get("postgresql") is PostgresqlImpl
    with pytest.raises(PluginError) as excinfo:
        host.dialects.get("oracle")
    assert str(excinfo.value) == (
        "no installed plugin supports the database dialect 'oracle' (installed: mariadb, mssql, "
        "mysql, postgresql, sqlite); install the mighub plugin that provides it"
    )


def test_unknown_dialect_names_the_first_party_distribution_and_disabled_plugins() -> None:
    """Only an extra that exists is named (there is no mighub[oracle]), and a dialect
    missing because its plugin is turned off says so."""
    host = PluginHost.for_cli(disabled=["mysql"])
    with pytest.raises(PluginError) as excinfo:
        host.dialects.get("mariadb")
    assert str(excinfo.value) == (
        "no installed plugin supports the database dialect 'mariadb' (installed: mssql, "
        'postgresql, sqlite); install its plugin: pip install "mighub[mariadb]", or enable the '
        "disabled plugins (mysql)"
    )


def test_bad_dialect_reference_names_plugin() -> None:
    host = builtin_host()

    @hookimpl
    def mighub_register_dialects(registry):
        registry.register("ghost", "no_such_pkg.impl:GhostImpl")

    host.register(plugin(mighub_register_dialects=mighub_register_dialects), "ghosts")
    with pytest.raises(PluginError) as excinfo:
        host.dialects.get("ghost")
    assert str(excinfo.value) == (
        "plugin 'ghosts' registered dialect 'ghost' as 'no_such_pkg.impl:GhostImpl', which "
        "cannot be loaded: ModuleNotFoundError: No module named 'no_such_pkg'"
    )


def test_exception_inside_a_register_hook_names_the_plugin() -> None:
    host = builtin_host()

    @hookimpl
    def mighub_register_templates(registry):
        raise ValueError("oops")

    host.register(plugin(mighub_register_templates=mighub_register_templates), "faulty")
    with pytest.raises(PluginError) as excinfo:
        host.templates  # noqa: B018
    assert str(excinfo.value) == (
        "plugin 'faulty' failed in mighub_register_templates: ValueError: oops"
    )


def test_mighub_register_commands_records_the_plugin() -> None:
    host = builtin_host()

    @hookimpl
    def mighub_register_commands(cli):
        @cli.command()
        def seed():
            """Load demo rows."""

        @cli.group()
        def team():
            """Team tools."""

    host.register(plugin(mighub_register_commands=mighub_register_commands), "teamtools")
    commands = host.commands
    assert isinstance(commands.get("seed"), click.Command)
    assert isinstance(commands.get("team"), click.Group)
    assert [e.key for e in commands.by_plugin("teamtools")] == ["seed", "team"]
    assert commands.get("init") is not None  # builtins stay


def test_mighub_register_commands_clash_with_core_command() -> None:
    host = builtin_host()

    @hookimpl
    def mighub_register_commands(cli):
        cli.add_command(click.Command("init"))

    host.register(plugin(mighub_register_commands=mighub_register_commands), "clasher")
    with pytest.raises(PluginError, match="command 'init' is registered by both plugin "):
        host.commands  # noqa: B018


def test_mighub_register_templates_checks_the_directory(tmp_path: Path) -> None:
    host = builtin_host()

    @hookimpl
    def mighub_register_templates(registry):
        registry.register("half", tmp_path)

    host.register(plugin(mighub_register_templates=mighub_register_templates), "halfway")
    with pytest.raises(PluginError) as excinfo:
        host.templates  # noqa: B018
    assert str(excinfo.value) == (
        f"plugin 'halfway' registered template 'half' at {tmp_path}, which lacks env.py, "
        "script.py.mako, config.toml.mako, README"
    )


def test_mighub_register_operations_clash_and_implementation_lookup() -> None:
    host = builtin_host()

    class CreateViewOp:
        pass

    class CreateMaterializedViewOp(CreateViewOp):
        pass

    def generic(operations, op):
        return "generic"

    def postgres(operations, op):
        return "postgres"

    @hookimpl
    def mighub_register_operations(registry):
        registry.register_operation("create_view", CreateViewOp, batch=False)
        registry.register_implementation(CreateViewOp, generic)
        registry.register_implementation(CreateViewOp, postgres, dialect="postgresql")

    host.register(plugin(mighub_register_operations=mighub_register_operations), "views")
    ops = host.operations
    assert ops.implementation_for(CreateViewOp, "sqlite") is generic
    assert ops.implementation_for(CreateMaterializedViewOp, "postgresql") is postgres
    assert [e.key for e in ops.by_plugin("views")] == ["create_view"]

    second = builtin_host()
    second.register(plugin(mighub_register_operations=mighub_register_operations), "views")

    @hookimpl
    def mighub_register_operations_again(registry):
        registry.register_operation("create_view", CreateMaterializedViewOp)

    second.register(
        SimpleNamespace(mighub_register_operations=_rename(mighub_register_operations_again)),
        "views2",
    )
    with pytest.raises(PluginError) as excinfo:
        second.operations  # noqa: B018
    assert str(excinfo.value) == (
        "operation 'create_view' is registered by both plugin 'views' and plugin 'views2'; "
        "the later one must pass replace=True to override it"
    )


def _rename(fn):
    fn.__name__ = "mighub_register_operations"
    return fn


def test_mighub_register_operations_rejects_private_names() -> None:
    host = builtin_host()

    @hookimpl
    def mighub_register_operations(registry):
        registry.register_operation("_hidden", object)

    host.register(plugin(mighub_register_operations=mighub_register_operations), "hider")
    with pytest.raises(PluginError, match="'_hidden', which is not a public Python identifier"):
        host.operations  # noqa: B018


def test_mighub_register_comparators_chain_order_and_stop_marker() -> None:
    host = builtin_host()

    def tables(*_):
        return None

    def pg_only(*_):
        return STOP

    def late(*_):
        return None

    @hookimpl
    def mighub_register_comparators(registry):
        registry.register(late, level="table", priority=-10)
        registry.register(tables, level="table")
        registry.register(pg_only, level="table", dialect="postgresql", priority=10)

    host.register(plugin(mighub_register_comparators=mighub_register_comparators), "cmp")
    comparators = host.comparators
    assert [c.function for c in comparators.chain("table", "postgresql")] == [pg_only, tables, late]
    assert [c.function for c in comparators.chain("table", "sqlite")] == [tables, late]
    assert comparators.chain("column", "sqlite") == []


def test_mighub_register_comparators_rejects_unknown_level() -> None:
    host = builtin_host()

    @hookimpl
    def mighub_register_comparators(registry):
        registry.register(print, level="row")

    host.register(plugin(mighub_register_comparators=mighub_register_comparators), "rows")
    with pytest.raises(PluginError, match="at level 'row'; levels are schema, table, column"):
        host.comparators  # noqa: B018


def test_mighub_register_renderers_lookup_follows_base_classes() -> None:
    host = builtin_host()

    class BaseOp:
        pass

    class SubOp(BaseOp):
        pass

    def render(context, op):
        return "op.base()"

    @hookimpl
    def mighub_register_renderers(registry):
        registry.register(BaseOp, render)

    host.register(plugin(mighub_register_renderers=mighub_register_renderers), "render")
    assert host.renderers.get(SubOp) is render
    assert host.renderers.get(int) is None


def test_a_renderer_may_name_its_class_instead_of_importing_it() -> None:
    import decimal

    host = builtin_host()

    def render(context, value):
        return "decimal.Decimal()"

    @hookimpl
    def mighub_register_renderers(registry):
        registry.register("decimal:Decimal", render)

    host.register(plugin(mighub_register_renderers=mighub_register_renderers), "named")

    class Money(decimal.Decimal):
        pass

    assert host.renderers.get(decimal.Decimal) is render
    assert host.renderers.get(Money) is render
    assert host.renderers.get(float) is None


def test_a_renderer_class_name_without_its_module_is_refused() -> None:
    host = builtin_host()

    @hookimpl
    def mighub_register_renderers(registry):
        registry.register("Decimal", print)

    host.register(plugin(mighub_register_renderers=mighub_register_renderers), "vague")
    with pytest.raises(PluginError, match="name a class as 'module:QualifiedName'"):
        host.renderers  # noqa: B018


def test_registrations_lists_what_a_plugin_registered() -> None:
    host = PluginHost.for_cli()
    assert host.registrations("mysql")["dialects"] == ["mysql", "mariadb"]
    assert host.registrations("mighub.commands")["commands"][:3] == [
        "init",
        "list-templates",
        "plugins",
    ]


def test_mighub_register_comparators_normalisers_and_type_synonyms() -> None:
    def generic(text, info):
        return text

    def pg_first(text, info):
        return text

    def pg_late(text, info):
        return text

    class DialectPlugin:
        @hookimpl
        def mighub_register_comparators(self, registry):
            registry.register_normaliser(generic, kind="type")
            registry.register_normaliser(pg_late, kind="type", dialect="postgresql", priority=-1)
            registry.register_normaliser(pg_first, kind="type", dialect="postgresql", priority=5)
            registry.register_type_synonyms("DOUBLE PRECISION", "float", dialect="postgresql")
            registry.register_type_synonyms("INTEGER", "INT")

    host = PluginHost()
    host.register(DialectPlugin(), "dialect")
    comparators = host.comparators
    chain = comparators.normalisers("type", "postgresql")
    assert [n.function for n in chain] == [pg_first, generic, pg_late]
    assert [n.function for n in comparators.normalisers("type", "sqlite")] == [generic]
    assert comparators.normalisers("server_default", "postgresql") == []
    assert comparators.type_synonyms("postgresql") == {
        "INT": "INTEGER",
        "FLOAT": "DOUBLE PRECISION",
    }
    assert comparators.type_synonyms("sqlite") == {"INT": "INTEGER"}
    assert len(comparators.by_plugin("dialect")) == 5


def test_mighub_register_comparators_normaliser_clash_and_bad_kind() -> None:
    def norm(text, info):
        return text

    class First:
        @hookimpl
        def mighub_register_comparators(self, registry):
            registry.register_type_synonyms("INTEGER", "INT", dialect="mysql")

    class Second:
        @hookimpl
        def mighub_register_comparators(self, registry):
            registry.register_type_synonyms("BIGINT", "INT", dialect="mysql")

    host = PluginHost()
    host.register(First(), "first")
    host.register(Second(), "second")
    with pytest.raises(PluginError, match=r"type synonym .*'first'.*'second'"):
        host.comparators  # noqa: B018

    class BadKind:
        @hookimpl
        def mighub_register_comparators(self, registry):
            registry.register_normaliser(norm, kind="column")

    host = PluginHost()
    host.register(BadKind(), "bad")
    with pytest.raises(PluginError, match="normaliser of kind 'column'; kinds are type"):
        host.comparators  # noqa: B018


def test_mighub_register_comparators_schema_readers() -> None:
    def reader(inspector, schema, names):
        return {}

    class DialectPlugin:
        @hookimpl
        def mighub_register_comparators(self, registry):
            registry.register_reader(reader, dialect="teamdb")
            registry.register_reader("mighub.registries:resolve_reference", dialect="lazydb")

    host = PluginHost()
    host.register(DialectPlugin(), "dialect")
    comparators = host.comparators
    assert comparators.reader("teamdb") is reader
    assert comparators.reader("lazydb") is resolve_reference  # imported on first use
    assert comparators.reader("sqlite") is None
    assert host.registrations("dialect")["comparators"] == ["reader on teamdb", "reader on lazydb"]

    class Second:
        @hookimpl
        def mighub_register_comparators(self, registry):
            registry.register_reader(reader, dialect="teamdb")

    host = PluginHost()
    host.register(DialectPlugin(), "dialect")
    host.register(Second(), "second")
    with pytest.raises(
        PluginError,
        match=r"schema reader for dialect 'teamdb' is registered by both plugin 'dialect' "
        r"and plugin 'second'; the later one must pass replace=True",
    ):
        host.comparators  # noqa: B018

    class Broken:
        @hookimpl
        def mighub_register_comparators(self, registry):
            registry.register_reader("no_such_module:read", dialect="teamdb")

    host = PluginHost()
    host.register(Broken(), "broken")
    with pytest.raises(
        PluginError, match="the schema reader for 'teamdb' as 'no_such_module:read'"
    ):
        host.comparators.reader("teamdb")


def test_a_module_plugin_is_read_like_any_other() -> None:
    """Module plugins take a shortcut past pluggy's inspection of each name (only
    functions and methods can be hooks there); what pluggy would find, it still finds:
    a hook given as a bound method, and a misspelled hook that fails the plugin."""
    import types

    class Registrar:
        def __init__(self) -> None:
            self.calls: list[str] = []

        @hookimpl
        def mighub_register_dialects(self, registry) -> None:
            self.calls.append("dialects")

    registrar = Registrar()
    module = types.ModuleType("team_plugin")
    module.mighub_register_dialects = registrar.mighub_register_dialects  # type: ignore[attr-defined]
    module.SOME_CONSTANT = 3  # type: ignore[attr-defined]
    module.helpers = types  # type: ignore[attr-defined]
    host = builtin_host()
    info = host.register(module, "team")
    assert (info.status, info.hooks) == ("loaded", ["mighub_register_dialects"])
    assert "sqlite" in host.dialects
    assert registrar.calls == ["dialects"]

    @hookimpl
    def mighub_register_operation(registry):  # singular: a typo
        pass

    typo = types.ModuleType("typo_plugin")
    typo.mighub_register_operation = mighub_register_operation  # type: ignore[attr-defined]
    info = builtin_host().register(typo, "typo")
    assert info.status == "failed"
    assert info.error is not None and "unknown hook mighub_register_operation" in info.error
