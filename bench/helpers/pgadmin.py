"""Create and drop the bench's scratch PostgreSQL databases (run in the mighub venv).

    python pgadmin.py URL ping
    python pgadmin.py URL recreate NAME...    (then CHECKPOINT: needs a superuser)
    python pgadmin.py URL drop NAME...

URL is a SQLAlchemy URL of a database to connect to for the administration
(``postgresql+psycopg://postgres@127.0.0.1:5432/test``).
"""

from __future__ import annotations

import re
import sys

import psycopg
from psycopg import sql


def main(argv: list[str]) -> int:
    url, action, *names = argv
    conninfo = re.sub(r"^postgresql\+\w+://", "postgresql://", url)
    with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as conn:
        if action == "ping":
            print(conn.execute("SELECT version()").fetchone()[0])
        for name in names:
            if not name.startswith("bench_"):
                raise SystemExit(f"refusing to touch {name!r}: scratch databases start with bench_")
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            if action == "recreate":
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        if action == "recreate":
            # Write out what earlier runs left in shared buffers now, rather than
            # during the next measured run.
            conn.execute("CHECKPOINT")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
