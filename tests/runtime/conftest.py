"""A migration project on a fresh database of each backend, and a way to write revisions.

Each test gets its own database: a SQLite file, or a database created on the
PostgreSQL or MariaDB server for the test and dropped after it. A server
that cannot be reached skips the test with the reason, unless
``$MIGHUB_REQUIRE_BACKENDS`` names it; then the test fails.
"""

from __future__ import annotations

import json
import os
import textwrap
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from mighub.cli import main

DEFAULT_URLS = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "mysql": "mysql+pymysql://root@127.0.0.1:3306/test",
}
URL_ENV = {"postgresql": "MIGHUB_TEST_POSTGRESQL_URL", "mysql": "MIGHUB_TEST_MYSQL_URL"}
BACKENDS = ("sqlite", "postgresql", "mysql")


def server_url(backend: str) -> sa.URL:
    """The configured server URL, or skip/fail (per MIGHUB_REQUIRE_BACKENDS) if unreachable."""
    url = sa.make_url(os.environ.get(URL_ENV[backend]) or DEFAULT_URLS[backend])
    required = {
        b.strip() for b in os.environ.get("MIGHUB_REQUIRE_BACKENDS", "").split(",") if b.strip()
    }
    try:
        with sa.create_engine(url, poolclass=sa.pool.NullPool).connect():
            pass
    except Exception as exc:
        reason = f"{backend} server at {url.render_as_string()} not reachable: {exc}"
        if backend in required:
            pytest.fail(f"{reason} (required by MIGHUB_REQUIRE_BACKENDS)")
        pytest.skip(reason)
    return url


def fresh_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database that exists only for this test."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'app.db'}"
        return
    url = server_url(backend)
    name = f"mighub_t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            if backend == "postgresql":
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            else:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        admin.dispose()


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


@dataclass
class MigrationProject:
    """A project directory with mighub.toml and migrations/, run in-process."""

    root: Path
    url: str
    capsys: pytest.CaptureFixture[str]

    @property
    def versions(self) -> Path:
        return self.root / "migrations" / "versions"

    def run(self, *args: str) -> Result:
        self.capsys.readouterr()
        code = main(list(args))
        out, err = self.capsys.readouterr()
        return Result(code, out, err)

    def ok(self, *args: str) -> Result:
        result = self.run(*args)
        assert result.exit_code == 0, result.stderr
        return result

    def revision(
        self,
        rev: str,
        down: str | tuple[str, ...] | None,
        upgrade: str = "pass",
        downgrade: str = "pass",
        *,
        doc: str | None = None,
        branch_labels: str | tuple[str, ...] | None = None,
        depends_on: str | tuple[str, ...] | None = None,
    ) -> Path:
        """Write a revision script the way 'mighub revision' lays them out."""
        path = self.versions / f"{rev}_{(doc or rev).replace(' ', '_')}.py"
        lines = [
            f'"""{doc or "revision " + rev}',
            "",
            f"Revision ID: {rev}",
            f"Revises: {down}",
            '"""',
            "",
            "import sqlalchemy as sa",
            "",
            "from mighub import op",
            "",
            f"revision = {rev!r}",
            f"down_revision = {down!r}",
            f"branch_labels = {branch_labels!r}",
            f"depends_on = {depends_on!r}",
            "",
            "",
            "def upgrade():",
            textwrap.indent(textwrap.dedent(upgrade).strip() or "pass", "    "),
            "",
            "",
            "def downgrade():",
            textwrap.indent(textwrap.dedent(downgrade).strip() or "pass", "    "),
            "",
        ]
        body = "\n".join(lines)
        path.write_text(body, encoding="utf-8")
        return path

    def configure_also(self, keywords: str) -> None:
        """Add keyword arguments (``"a=1, b=2"``) to env.py's online ``context.configure()``."""
        env_py = self.root / "migrations" / "env.py"
        call = "context.configure(connection=connection, target_metadata=target_metadata"
        text = env_py.read_text()
        assert call + ")" in text
        env_py.write_text(text.replace(call + ")", f"{call}, {keywords})"))

    def record_version_applies(self, entry: str) -> Callable[[], list[Any]]:
        """Make env.py's ``on_version_apply`` callback note ``entry`` (an expression of
        ``ctx``, ``step`` and ``heads``) for each step; returns a reader of the notes."""
        env_py = self.root / "migrations" / "env.py"
        env_py.write_text(
            env_py.read_text()
            .replace(
                "def run_migrations_online() -> None:",
                "SEEN = []\n\n\ndef record(ctx, step, heads, run_args):\n"
                f"    SEEN.append({entry})\n\n\n"
                "def run_migrations_online() -> None:",
            )
            .replace(
                "            context.run_migrations()\n",
                "            context.run_migrations()\n"
                "    (config.root / 'seen.json').write_text(__import__('json').dumps(SEEN))\n",
            )
        )
        self.configure_also("on_version_apply=record")
        return lambda: json.loads((self.root / "seen.json").read_text())

    def engine(self) -> sa.Engine:
        return sa.create_engine(self.url, poolclass=sa.pool.NullPool)

    def inspect(self, read: Callable[[sa.Inspector], Any]) -> Any:
        """What ``read`` finds with an inspector on a connection of its own."""
        engine = self.engine()
        try:
            with engine.connect() as conn:
                return read(sa.inspect(conn))
        finally:
            engine.dispose()

    def tables(self) -> set[str]:
        return self.inspect(lambda inspector: set(inspector.get_table_names()))

    def version_rows(self, table: str = "mighub_version") -> list[str]:
        engine = self.engine()
        try:
            with engine.connect() as conn:
                if not sa.inspect(conn).has_table(table):
                    return []
                rows = conn.execute(sa.text(f"SELECT version_num FROM {table}")).scalars()
                return sorted(rows)
        finally:
            engine.dispose()


def make_project(root: Path, url: str, capsys: pytest.CaptureFixture[str]) -> MigrationProject:
    root.mkdir(parents=True, exist_ok=True)
    project = MigrationProject(root, url, capsys)
    os.chdir(root)
    project.ok("-q", "init", "migrations")
    config = root / "mighub.toml"
    text = config.read_text(encoding="utf-8").replace('url = "sqlite:///app.db"', f'url = "{url}"')
    config.write_text(text, encoding="utf-8")
    return project


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def project(
    backend: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[MigrationProject]:
    """A fresh project on a fresh database of each backend."""
    monkeypatch.chdir(tmp_path)
    database = fresh_database(backend, tmp_path)
    url = next(database)
    try:
        yield make_project(tmp_path / "project", url, capsys)
    finally:
        next(database, None)


@pytest.fixture
def sqlite_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> MigrationProject:
    monkeypatch.chdir(tmp_path)
    return make_project(tmp_path / "project", f"sqlite:///{tmp_path / 'app.db'}", capsys)
