"""The PostgreSQL server of the S4 and S6 scenarios, and the bench's scratch databases.

The bench connects to the database of ``--pg-url`` (default
``$MIGHUB_BENCH_POSTGRESQL_URL``, else ``postgresql+psycopg://postgres@127.0.0.1:5432/test``)
only to create and drop its own databases, all named ``bench_*``.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .paths import BENCH
from .projects import clean_env

DEFAULT_URL = os.environ.get(
    "MIGHUB_BENCH_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ADMIN = BENCH / "helpers" / "pgadmin.py"


@dataclass
class Server:
    admin_url: str
    python: Path
    version: str | None = None
    error: str | None = None
    #: the scratch databases created so far, dropped by :meth:`cleanup`
    created: set[str] = field(default_factory=set)

    def url(self, database: str) -> str:
        """The URL of a scratch database on this server."""
        return re.sub(r"/[^/?]*(\?|$)", f"/{database}\\1", self.admin_url, count=1)

    def _admin(self, *args: str) -> str:
        done = subprocess.run(
            [str(self.python), str(ADMIN), self.admin_url, *args],
            capture_output=True,
            text=True,
            env=clean_env(),
            check=False,
        )
        if done.returncode != 0:
            lines = (done.stderr or done.stdout).strip().splitlines() or ["(no output)"]
            raise RuntimeError(f"pgadmin {' '.join(args)}: {lines[-1]}")
        return done.stdout.strip()

    def ping(self) -> bool:
        """Whether the server answers; remembers its version or the error."""
        try:
            self.version = self._admin("ping")
            return True
        except RuntimeError as exc:
            self.error = str(exc)
            return False

    def recreate(self, *names: str) -> None:
        """Drop (if they exist) and create the databases ``names``: empty scratch databases."""
        self.created.update(names)
        self._admin("recreate", *names)

    def recreator(self, name: str) -> Callable[[], None]:
        """A ``prepare`` step that gives the next run a fresh, empty database ``name``."""
        return lambda: self.recreate(name)

    def cleanup(self) -> None:
        """Drop every scratch database this run created."""
        if self.created:
            self._admin("drop", *sorted(self.created))
            self.created.clear()
