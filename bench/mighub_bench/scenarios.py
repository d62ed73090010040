"""The scenarios S0-S6: what each builds, which commands it times, and its floors.

Every builder generates both tools' projects from one definition (see
:mod:`mighub_bench.definitions`) and returns its cases. A case times mighub,
Alembic and the floor(s) in alternating rounds (:func:`mighub_bench.measure.measure`).
Round counts were chosen so that the whole suite stays within 15 minutes on
a 2-core machine; ``--quick`` shrinks sizes and rounds for a smoke pass.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import definitions as d
from .measure import Result, Subject, measure, run_checked
from .paths import FLOORS
from .postgres import Server
from .projects import Project, floor_dir, make_projects
from .venvs import Tools

SQLITE_URL = "sqlite:///{root}/app.db"


@dataclass
class Case:
    """One measurement: mighub, Alembic and the floors on the same task."""

    id: str  # stable key used by the targets and the plot, e.g. "S2.heads.5000.cold"
    scenario: str
    title: str
    subjects: list[Subject]
    rounds: int
    warm: bool
    size: int | None = None
    series: str | None = None  # the line of the scaling plot this case belongs to
    setup: Callable[[], None] | None = None  # once, before the subjects (not timed)
    skipped: str | None = None
    results: list[Result] = field(default_factory=list)
    elapsed: float = 0.0  # seconds the whole case took, set-up and preparations included
    #: the machine's 1-minute load average before and after the case (other work skews times)
    load: tuple[float, float] = (0.0, 0.0)

    def run(self, env: dict[str, str]) -> None:
        started, load = time.perf_counter(), os.getloadavg()[0]
        try:
            self._run(env)
        finally:
            self.elapsed = time.perf_counter() - started
            self.load = (load, os.getloadavg()[0])

    def _run(self, env: dict[str, str]) -> None:
        if self.skipped is None and self.setup is not None:
            try:
                self.setup()
            except Exception as exc:
                self.skipped = f"set-up failed: {exc}"
        if self.skipped is not None:
            self.results = [Result(s, status="skipped", reason=self.skipped) for s in self.subjects]
            return
        self.results = measure(self.subjects, self.rounds, self.warm, env)


@dataclass
class Context:
    tools: Tools
    skeletons: dict[str, Path]
    env: dict[str, str]
    pg: Server
    quick: bool
    log: Callable[[str], None]

    @property
    def mighub(self) -> str:
        return str(self.tools.mighub.bin("mighub"))

    @property
    def alembic(self) -> str:
        return str(self.tools.alembic.bin("alembic"))

    def exe(self, tool: str) -> str:
        return self.mighub if tool == "mighub" else self.alembic

    def rounds(self, full: int) -> int:
        """``full`` rounds, or 2 in a quick pass."""
        return 2 if self.quick else full

    def floor(self, label: str, script: str, *args: object, **kw: object) -> Subject:
        argv = [str(self.tools.python), str(FLOORS / script), *map(str, args)]
        return Subject("floor", label, argv, FLOORS, **kw)  # type: ignore[arg-type]

    def floor_code(self, label: str, code: str) -> Subject:
        return Subject("floor", label, [str(self.tools.python), "-c", code], FLOORS)

    def pair(
        self,
        projects: dict[str, Project],
        args: list[str],
        prepare: Callable[[Project], Callable[[], None]] | None = None,
        setup: dict[str, Callable[[], None]] | None = None,
        mighub: dict[str, object] | None = None,
    ) -> list[Subject]:
        """mighub's and Alembic's subjects for the same command line, each in its project.

        ``prepare`` makes each project's per-run preparation; ``setup`` maps a tool
        to its one-off set-up; ``mighub`` holds extra fields of mighub's subject
        (``probe``, ``pending``).
        """
        out = []
        for tool in ("mighub", "alembic"):
            p = projects[tool]
            subject = Subject(tool, f"{tool} {' '.join(args)}", [self.exe(tool), *args], p.root)
            subject.prepare = prepare(p) if prepare else None
            subject.setup = (setup or {}).get(tool)
            if tool == "mighub":
                for name, value in (mighub or {}).items():
                    setattr(subject, name, value)
            out.append(subject)
        return out

    def tool_cmd(self, p: Project, *args: str) -> Callable[[], None]:
        """A set-up step: run ``<tool> args`` in the project, failing loudly."""
        return lambda: run_checked([self.exe(p.tool), *args], p.root, self.env)


def COLD(p: Project) -> Callable[[], None]:
    """Before each cold run: no ``__pycache__`` in the project (:meth:`Project.remove_pycache`)."""
    return p.remove_pycache


def FRESH_SQLITE(p: Project) -> Callable[[], None]:
    """Before each run: no database file."""
    return p.remove_sqlite_files


def steps(*fns: Callable[[], None]) -> Callable[[], None]:
    """One set-up step made of several, run in order."""

    def run() -> None:
        for fn in fns:
            fn()

    return run


def once(fn: Callable[[], None]) -> Callable[[], None]:
    """Run a set-up step at most once, however many cases share it."""
    done: list[bool] = []

    def wrapper() -> None:
        if not done:
            fn()
            done.append(True)

    return wrapper


def n(size: int) -> str:
    return f"{size:,}"


# --------------------------------------------------------------------------
# S0: start-up (and the import check of issue 3)
# --------------------------------------------------------------------------


def s0(ctx: Context) -> list[Case]:
    projects = make_projects(
        "S0", ctx.skeletons, {t: SQLITE_URL for t in ("mighub", "alembic")}, d.chain(10)
    )
    floors = [
        ctx.floor_code("python -c pass", "pass"),
        ctx.floor_code("python -c 'import sqlalchemy'", "import sqlalchemy"),
    ]
    rounds = ctx.rounds(9)
    return [
        Case("S0.help", "S0", "--help", [*ctx.pair(projects, ["--help"]), *floors], rounds, True),
        Case(
            "S0.version",
            "S0",
            "--version",
            [*ctx.pair(projects, ["--version"]), *floors],
            rounds,
            True,
        ),
    ]


# --------------------------------------------------------------------------
# S1: no-op at head on SQLite
# --------------------------------------------------------------------------


def s1(ctx: Context) -> list[Case]:
    projects = make_projects(
        "S1", ctx.skeletons, {t: SQLITE_URL for t in ("mighub", "alembic")}, d.chain(10)
    )
    setups = {t: once(ctx.tool_cmd(p, "upgrade", "head")) for t, p in projects.items()}
    a = projects["alembic"]
    rounds = ctx.rounds(9)
    cases = []
    for key, args in (("current", ["current"]), ("upgrade", ["upgrade", "head"])):
        floor = ctx.floor(
            "import sqlalchemy, connect, read the version table",
            "connect.py",
            a.url,
            "alembic_version",
        )
        subjects = ctx.pair(projects, args, setup=setups)
        cases.append(
            Case(
                f"S1.{key}",
                "S1",
                f"{' '.join(args)} at head (10 revisions)",
                [*subjects, floor],
                rounds,
                True,
            )
        )
    return cases


# --------------------------------------------------------------------------
# S2: a long chain
# --------------------------------------------------------------------------

GRAPH_COMMANDS = (("heads", ["heads"]), ("history", ["history"]))


def _graph_cases(
    ctx: Context,
    scenario: str,
    projects: dict[str, Project],
    size: int,
    rounds: tuple[int, int],
    upgrade: list[str],
) -> list[Case]:
    """``heads``, ``history`` (``rounds[0]`` rounds), ``upgrade`` (``rounds[1]``); cold, warm."""
    cases = []
    commands = [*GRAPH_COMMANDS, ("sql", upgrade)]
    for key, args in commands:
        n_rounds = ctx.rounds(rounds[1] if key == "sql" else rounds[0])
        for temp in ("cold", "warm"):
            floor = ctx.floor(
                "read and regex-parse the headers", "headers.py", projects["mighub"].versions
            )
            prepare = COLD if temp == "cold" else None
            subjects = [*ctx.pair(projects, args, prepare=prepare), floor]
            title = f"{' '.join(args)}, {n(size)} revisions, {temp}"
            cases.append(
                Case(
                    f"{scenario}.{key}.{size}.{temp}",
                    scenario,
                    title,
                    subjects,
                    n_rounds,
                    warm=temp == "warm",
                    size=size,
                    series=f"{key} ({temp})",
                )
            )
    return cases


def s2(ctx: Context) -> list[Case]:
    sizes = (50, 200) if ctx.quick else (100, 1000, 5000)
    rounds = {100: (7, 7), 1000: (7, 5), 5000: (5, 3)}
    online = 100 if ctx.quick else 1000
    cases: list[Case] = []
    urls = {t: SQLITE_URL for t in ("mighub", "alembic")}
    for size in sizes:
        projects = make_projects(f"S2-{size}", ctx.skeletons, urls, d.chain(size))
        cases += _graph_cases(
            ctx, "S2", projects, size, rounds.get(size, (2, 2)), ["upgrade", "head", "--sql"]
        )

    # online upgrade of the whole chain, on a fresh SQLite file each time
    revisions = d.chain(online)
    projects = make_projects(f"S2-online-{online}", ctx.skeletons, urls, revisions)
    folder = floor_dir(f"S2-online-{online}")
    statements = folder / "statements.json"
    statements.write_text(json.dumps(d.offline_statements(revisions, "bench_version")))
    floor_db = folder / "app.db"
    floor = ctx.floor(
        "the same statements through SQLAlchemy",
        "statements.py",
        f"sqlite:///{floor_db}",
        statements,
        prepare=lambda: floor_db.unlink(missing_ok=True),
    )
    subjects = ctx.pair(projects, ["upgrade", "head"], prepare=FRESH_SQLITE)
    cases.append(
        Case(
            f"S2.upgrade-online.{online}",
            "S2",
            f"upgrade head online, {n(online)} revisions, SQLite",
            [*subjects, floor],
            ctx.rounds(5),
            True,
        )
    )
    return cases


# --------------------------------------------------------------------------
# S3: a wide graph
# --------------------------------------------------------------------------


def s3(ctx: Context) -> list[Case]:
    shape = d.WideShape(waves=1) if ctx.quick else d.WideShape()
    urls = {t: SQLITE_URL for t in ("mighub", "alembic")}
    projects = make_projects(f"S3-{shape.size}", ctx.skeletons, urls, d.wide_graph(shape))
    return _graph_cases(ctx, "S3", projects, shape.size, (5, 3), ["upgrade", "heads", "--sql"])


# --------------------------------------------------------------------------
# S4: autogenerate and check
# --------------------------------------------------------------------------


def s4(ctx: Context) -> list[Case]:
    sizes = (10,) if ctx.quick else (100, 500)
    rounds = {100: 5, 500: 3}
    cases: list[Case] = []
    for backend in ("sqlite", "postgresql"):
        for size in sizes:
            defs = d.tables(size)
            key = f"S4-{backend}-{size}"
            dbs = {t: f"bench_s4_{size}_{t}" for t in ("mighub", "alembic")}
            if backend == "sqlite":
                urls = {t: SQLITE_URL for t in dbs}
            else:
                urls = {t: ctx.pg.url(db) for t, db in dbs.items()}
            projects = make_projects(
                key,
                ctx.skeletons,
                urls,
                d.schema_in_one_revision("schema", defs),
                d.models_module(defs),
            )
            setups = {}
            for tool, p in projects.items():
                upgrade = ctx.tool_cmd(p, "upgrade", "head")
                if backend == "postgresql":
                    upgrade = steps(ctx.pg.recreator(dbs[tool]), upgrade)
                setups[tool] = once(upgrade)
            skipped = (
                None if backend == "sqlite" or ctx.pg.version else f"PostgreSQL: {ctx.pg.error}"
            )
            a = projects["alembic"]
            for cmd, args in (
                ("autogenerate", ["revision", "--autogenerate", "-m", "bench"]),
                ("check", ["check"]),
            ):
                probe = [ctx.mighub, *args[:2], "--help"]
                subjects = ctx.pair(
                    projects,
                    args,
                    prepare=lambda p: p.remove_new_scripts,
                    setup=setups,
                    mighub={"probe": probe, "pending": "mighub-autogen"},
                )
                floor = ctx.floor(
                    "import the models, reflect with the batched inspector",
                    "reflect.py",
                    a.url,
                    a.root,
                )
                cases.append(
                    Case(
                        f"S4.{cmd}.{backend}.{size}",
                        "S4",
                        f"{' '.join(args[:2])}, {n(size)} tables, {backend}",
                        [*subjects, floor],
                        ctx.rounds(rounds.get(size, 2)),
                        True,
                        size=size,
                        series=f"{cmd} ({backend})",
                        skipped=skipped,
                    )
                )
    return cases


# --------------------------------------------------------------------------
# S5: batch migration of a big SQLite table
# --------------------------------------------------------------------------


def s5(ctx: Context) -> list[Case]:
    rows = 20_000 if ctx.quick else 1_000_000
    revisions = d.batch_revisions()
    old, new = revisions[0].rev, revisions[1].rev
    urls = {t: SQLITE_URL for t in ("mighub", "alembic")}
    projects = make_projects("S5", ctx.skeletons, urls, revisions)
    folder = floor_dir("S5")
    template = folder / "template.db"
    floor_db = folder / "app.db"
    statements = folder / "statements.json"
    statements.write_text(json.dumps(d.batch_floor_sql("alembic_version", old, new)))

    def build_template() -> None:
        """Alembic creates the table, sqlite3 fills it, mighub stamps it: one file for all."""
        a, m = projects["alembic"], projects["mighub"]
        a.remove_sqlite_files()
        run_checked([ctx.alembic, "upgrade", old], a.root, ctx.env)
        with sqlite3.connect(a.sqlite_path) as conn:
            conn.execute(d.fill_items_sql(rows))
        run_checked([ctx.mighub, "--url", a.url, "stamp", old], m.root, ctx.env)
        shutil.move(a.sqlite_path, template)

    def copy_to(path: Path) -> Callable[[], None]:
        def prepare() -> None:
            for old_file in path.parent.glob(path.name + "*"):
                old_file.unlink()
            shutil.copyfile(template, path)

        return prepare

    subjects = ctx.pair(
        projects,
        ["upgrade", "head"],
        prepare=lambda p: copy_to(p.sqlite_path),
        mighub={"pending": "mighub-sqlite-batch"},
    )
    floor = ctx.floor(
        "the raw SQL move and copy (sqlite3)",
        "sqlite_script.py",
        floor_db,
        statements,
        prepare=copy_to(floor_db),
    )
    return [
        Case(
            "S5.batch",
            "S5",
            f"upgrade: batch_alter_table on {n(rows)} rows, SQLite",
            [*subjects, floor],
            ctx.rounds(5),
            True,
            setup=build_template,
        )
    ]


# --------------------------------------------------------------------------
# S6: many tables created on PostgreSQL
# --------------------------------------------------------------------------


def s6(ctx: Context) -> list[Case]:
    """Two cases: the tables as autogenerate writes them (constraint objects, a
    foreign key to the previous table), and simple tables (constraints on the
    columns, no foreign key)."""
    count = 20 if ctx.quick else 500
    skipped = None if ctx.pg.version else f"PostgreSQL: {ctx.pg.error}"
    cases = []
    for simple in (False, True):
        defs = d.tables(count, simple=simple)
        variant = "simple" if simple else "full"
        key = f"S6-{variant}"
        dbs = {t: f"bench_s6_{variant}_{t}" for t in ("mighub", "alembic", "floor")}
        urls = {t: ctx.pg.url(db) for t, db in dbs.items()}
        projects = make_projects(key, ctx.skeletons, urls, d.table_per_revision("tables", defs))
        folder = floor_dir(key)
        (folder / "bench_models.py").write_text(d.models_module(defs))
        subjects = ctx.pair(
            projects, ["upgrade", "head"], prepare=lambda p, dbs=dbs: ctx.pg.recreator(dbs[p.tool])
        )
        floor = ctx.floor(
            "the same DDL through plain SQLAlchemy, one transaction",
            "ddl.py",
            urls["floor"],
            folder,
            prepare=ctx.pg.recreator(dbs["floor"]),
        )
        style = "simple tables: no foreign key" if simple else "as autogenerate writes them"
        cases.append(
            Case(
                f"S6.upgrade{'-simple' if simple else ''}.{count}",
                "S6",
                f"upgrade head, {n(count)} revisions creating tables ({style}), PostgreSQL",
                [*subjects, floor],
                ctx.rounds(7),
                True,
                skipped=skipped,
            )
        )
    return cases


SCENARIOS: dict[str, tuple[str, Callable[[Context], list[Case]]]] = {
    "S0": ("start-up", s0),
    "S1": ("no-op at head, SQLite", s1),
    "S2": ("a long chain", s2),
    "S3": ("a wide graph", s3),
    "S4": ("autogenerate and check", s4),
    "S5": ("batch migration of a big SQLite table", s5),
    "S6": ("tables created on PostgreSQL", s6),
}

#: Files must be older than this before mighub caches their headers (its racy-file rule).
SETTLE_SECONDS = 2.5


def settle(since: float) -> None:
    """Wait until generated scripts are old enough for mighub's header cache to keep them."""
    left = since + SETTLE_SECONDS - time.time()
    if left > 0:
        time.sleep(left)
