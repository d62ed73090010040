"""Time a batch recreate of a 1,000,000-row SQLite table against the raw SQL move and copy.

Not a test (timings never are): a script for ``bench/`` to call or copy.
Each measurement runs in its own process, on its own copy of the same
database file, and reports wall time and peak memory (max RSS):

- ``raw``: a plain Python script doing the move and copy with ``sqlite3``
  (create, ``INSERT ... SELECT``, drop, rename, create the index) in one
  transaction;
- ``noop``: ``mighub upgrade head`` with nothing to do (the CLI's own cost);
- ``batch``: ``mighub upgrade head`` running one revision whose
  ``op.batch_alter_table`` changes a type, drops a column, adds one and
  renames another.

The figure to compare is ``batch - noop`` against ``raw``. Usage::

    python plugins/sqlite_batch/tools/bench_move_and_copy.py [ROWS] [--mighub PATH]

``--mighub`` names the ``mighub`` executable (default: the one next to this
Python). Unset ``PYTHONDONTWRITEBYTECODE`` first, or every run compiles.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

TABLE = """CREATE TABLE item (
    id INTEGER PRIMARY KEY,
    code VARCHAR(20) NOT NULL,
    qty INTEGER NOT NULL,
    price NUMERIC(10, 2),
    note VARCHAR(50),
    CHECK (qty >= 0)
)"""

RAW = textwrap.dedent(
    """
    import sqlite3, sys
    db = sqlite3.connect(sys.argv[1], isolation_level=None)
    db.execute("BEGIN")
    db.execute('''CREATE TABLE _tmp_item (
        id INTEGER PRIMARY KEY, code VARCHAR(40) NOT NULL, quantity INTEGER NOT NULL,
        price NUMERIC(10, 2), extra VARCHAR(10) DEFAULT 'x', CHECK (quantity >= 0))''')
    db.execute("INSERT INTO _tmp_item (id, code, quantity, price) "
               "SELECT id, code, qty, price FROM item")
    db.execute("DROP TABLE item")
    db.execute("ALTER TABLE _tmp_item RENAME TO item")
    db.execute("CREATE INDEX ix_item_code ON item (code)")
    db.execute("COMMIT")
    """
)

BATCH = """\
with op.batch_alter_table("item") as batch_op:
    batch_op.alter_column("code", type_=sa.String(40))
    batch_op.drop_column("note")
    batch_op.add_column(sa.Column("extra", sa.String(10), server_default="x"))
    batch_op.alter_column("qty", new_column_name="quantity")
"""

SCRIPT = '''"""batch

Revision ID: {rev}
Revises: {down}
"""
import sqlalchemy as sa
from mighub import op

revision = {rev!r}
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade():
{body}


def downgrade():
    pass
'''


def build_database(path: Path, rows: int) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute(TABLE)
    db.execute("CREATE INDEX ix_item_code ON item (code)")
    db.execute(
        f"INSERT INTO item (id, code, qty, price, note) "
        f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows}) "
        f"SELECT i, 'code-' || i, i % 1000, (i % 5000) + 0.25, 'note' FROM n"
    )
    db.close()


def project(root: Path, database: Path, mighub: str, with_batch: bool) -> None:
    subprocess.run([mighub, "-q", "init", "migrations"], cwd=root, check=True)
    config = root / "mighub.toml"
    config.write_text(
        config.read_text().replace('url = "sqlite:///app.db"', f'url = "sqlite:///{database}"')
    )
    versions = root / "migrations" / "versions"
    (versions / "b0000001_base.py").write_text(
        SCRIPT.format(rev="b0000001", down=None, body="    pass")
    )
    subprocess.run([mighub, "-q", "stamp", "b0000001"], cwd=root, check=True)
    if with_batch:
        body = textwrap.indent(BATCH, "    ")
        (versions / "b0000002_batch.py").write_text(
            SCRIPT.format(rev="b0000002", down="b0000001", body=body)
        )


def measure(command: list[str], cwd: Path) -> tuple[float, int]:
    """Wall seconds, and peak RSS (KiB) of the children so far (the OS keeps the maximum)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--mighub", default=str(Path(sys.executable).with_name("mighub")))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        master = base / "master.db"
        build_database(master, args.rows)
        results = {}
        for name in ("raw", "noop", "batch"):
            root = base / name
            root.mkdir()
            database = root / "app.db"
            shutil.copy(master, database)
            if name == "raw":
                raw = root / "raw.py"
                raw.write_text(RAW)
                command = [sys.executable, str(raw), str(database)]
            else:
                project(root, database, args.mighub, with_batch=name == "batch")
                command = [args.mighub, "-q", "upgrade", "head"]
            results[name] = measure(command, root)
            print(
                f"{name:6} {results[name][0]:7.3f} s   peak RSS {results[name][1] / 1024:6.1f} MiB"
            )
        extra = results["batch"][0] - results["noop"][0]
        ratio = extra / results["raw"][0]
        print(f"batch - noop = {extra:.3f} s = {ratio:.2f} x raw ({args.rows} rows)")


if __name__ == "__main__":
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print("note: PYTHONDONTWRITEBYTECODE is set; unset it for fair timings", file=sys.stderr)
    main()
