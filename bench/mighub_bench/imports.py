"""Issue 3's import check: commands that need no database import no driver and no dialect.

Each command runs once under ``python -X importtime``, in a SQLite project and
in a PostgreSQL project (whose database is never reached: none of these
commands may connect). A run passes when it imported no database driver and
no ``sqlalchemy.dialects.*`` module; whether it imported SQLAlchemy at all,
and the total import time, are reported too. Alembic runs the same commands
for comparison (the target is mighub's).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from . import definitions as d
from .measure import run_once
from .projects import make_projects
from .scenarios import SQLITE_URL, Context

#: Top-level modules of the DB-API drivers SQLAlchemy users meet.
DRIVERS = frozenset(
    {
        "sqlite3", "_sqlite3", "aiosqlite",
        "psycopg", "psycopg2", "psycopg_binary", "psycopg_c", "asyncpg", "pg8000",
        "pymysql", "MySQLdb", "mysql", "mariadb", "aiomysql", "asyncmy",
        "pyodbc", "aioodbc", "pymssql", "oracledb", "cx_Oracle",
    }
)  # fmt: skip
LINE = re.compile(r"^import time:\s+(\d+) \|\s+\d+ \|( *)(\S+)$")


@dataclass
class ImportCheck:
    tool: str
    backend: str
    command: str
    returncode: int
    import_ms: float
    sqlalchemy: bool
    drivers: list[str]
    dialects: list[str]

    @property
    def clean(self) -> bool:
        return self.returncode == 0 and not self.drivers and not self.dialects


def parse_importtime(stderr: str) -> tuple[float, set[str]]:
    """Total import time (ms) and the modules imported, from ``-X importtime`` output."""
    total_us = 0
    modules = set()
    for line in stderr.splitlines():
        m = LINE.match(line)
        if m:
            total_us += int(m.group(1))
            modules.add(m.group(3))
    return total_us / 1000, modules


def check_imports(ctx: Context) -> list[ImportCheck]:
    revisions = d.chain(10)
    head = revisions[-1].rev
    commands = [
        ["heads"],
        ["history"],
        ["show", head],
        ["branches"],
        ["revision", "-m", "probe"],
        ["--help"],
    ]
    out = []
    for backend, url in (
        ("sqlite", SQLITE_URL),
        ("postgresql", ctx.pg.url("bench_imports_never_created")),
    ):
        projects = make_projects(
            f"imports-{backend}", ctx.skeletons, {"mighub": url, "alembic": url}, revisions
        )
        for tool, p in projects.items():
            venv = ctx.tools.mighub if tool == "mighub" else ctx.tools.alembic
            for args in commands:
                argv = [str(venv.python), "-X", "importtime", ctx.exe(tool), *args]
                _, rc, stderr = run_once(argv, p.root, ctx.env)
                p.remove_new_scripts()
                ms, modules = parse_importtime(stderr)
                out.append(
                    ImportCheck(
                        tool,
                        backend,
                        " ".join(args[:1] if args[0] != "revision" else args),
                        rc,
                        round(ms, 1),
                        "sqlalchemy" in modules,
                        sorted(m for m in modules if m.split(".")[0] in DRIVERS),
                        sorted(m for m in modules if m.startswith("sqlalchemy.dialects.")),
                    )
                )
    return out


def as_json(checks: list[ImportCheck]) -> list[dict[str, object]]:
    return [{**asdict(c), "clean": c.clean} for c in checks]
