"""The migration lock, for real: concurrent processes and a holder killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

PROCESSES = 8

COUNTED_UPGRADE = """\
op.create_table("runs_{n}", sa.Column("id", sa.Integer, primary_key=True))
op.execute("INSERT INTO ledger (rev) VALUES ('{n}')")
"""


def mighub(project_root: Path, *args: str, **kwargs) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIGHUB_")}
    env.update(kwargs.pop("env", {}))
    return subprocess.Popen(
        [sys.executable, "-m", "mighub", *args],
        cwd=project_root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_concurrent_upgrades_run_each_revision_once(project) -> None:
    project.revision(
        "r000000000000",
        None,
        'op.create_table("ledger", sa.Column("rev", sa.String(20), nullable=False))',
    )
    previous = "r000000000000"
    for n in range(1, 6):
        rev = f"r{n:012d}"
        project.revision(rev, previous, COUNTED_UPGRADE.format(n=n))
        previous = rev
    procs = [mighub(project.root, "upgrade", "head") for _ in range(PROCESSES)]
    outcomes = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    assert [code for code, _ in outcomes] == [0] * PROCESSES, outcomes
    engine = project.engine()
    with engine.connect() as conn:
        ledger = sorted(r[0] for r in conn.exec_driver_sql("SELECT rev FROM ledger"))
    engine.dispose()
    assert ledger == ["1", "2", "3", "4", "5"]
    assert project.version_rows() == [previous]
    ran = sum(err.count("Running upgrade") for _, err in outcomes)
    assert ran == 6


def test_killed_holder_does_not_block_the_next_run(project) -> None:
    project.revision(
        "slow00000001",
        None,
        "import os, time\n"
        'if os.environ.get("SLOW_MIGRATION"):\n'
        '    print("holding", flush=True)\n'
        "    time.sleep(60)\n"
        'op.create_table("done", sa.Column("id", sa.Integer, primary_key=True))\n',
    )
    holder = mighub(project.root, "upgrade", "head", env={"SLOW_MIGRATION": "1"})
    try:
        assert holder.stdout.readline() == "holding\n"
        waiter = mighub(project.root, "upgrade", "head", "--lock-timeout", "1")
        assert waiter.wait(timeout=60) == 1
        err = waiter.stderr.read()
        assert "timed out after 1 s waiting for the migration lock" in err
        assert err.count("\n") <= 2
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    started = time.monotonic()
    follower = mighub(project.root, "upgrade", "head", "--lock-timeout", "30")
    code = follower.wait(timeout=90)
    assert code == 0, follower.stderr.read()
    assert time.monotonic() - started < 30  # not a timeout: the lock was free
    assert "done" in project.tables()
    assert project.version_rows() == ["slow00000001"]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_no_lock_option_skips_the_lock(project) -> None:
    project.revision("aaaa00000001", None)
    project.ok("upgrade", "head", "--no-lock")
    assert project.version_rows() == ["aaaa00000001"]


ORDER_PLUGIN = """\
import contextlib
from pathlib import Path

from sqlalchemy import event

from mighub import hookimpl
from mighub.ddl.sqlite import SQLiteImpl

LOG = Path(__file__).parent / "order.log"


def note(what):
    with LOG.open("a") as fh:
        fh.write(what + "\\n")


class RecordingSQLiteImpl(SQLiteImpl):
    def prepare_connection(self):
        super().prepare_connection()
        event.listen(self.connection, "commit", lambda conn: note("commit"))

    def migration_lock(self, **kw):
        inner = super().migration_lock(**kw)

        @contextlib.contextmanager
        def recorded():
            with inner:
                note("locked")
                yield
            note("released")

        return recorded()


@hookimpl
def mighub_register_dialects(registry):
    registry.register("sqlite", RecordingSQLiteImpl, replace=True)
"""


@pytest.mark.parametrize("transaction_per_migration", [False, True])
def test_lock_is_held_until_the_run_commits(sqlite_project, transaction_per_migration) -> None:
    project = sqlite_project
    (project.root / "recording.py").write_text(ORDER_PLUGIN)
    config = project.root / "mighub.toml"
    config.write_text(config.read_text() + '\nplugins = ["recording.py"]\n')
    if transaction_per_migration:
        env_py = project.root / "migrations" / "env.py"
        env_py.write_text(
            env_py.read_text().replace(
                "target_metadata=target_metadata)",
                "target_metadata=target_metadata, transaction_per_migration=True)",
            )
        )
    project.revision("aaaa00000001", None)
    project.revision("bbbb00000002", "aaaa00000001")
    project.ok("upgrade", "head")
    events = (project.root / "order.log").read_text().split()
    assert events[0] == "locked" and events[-1] == "released"
    assert events.count("locked") == events.count("released") == 1
    assert "commit" in events and events[-2] == "commit"
