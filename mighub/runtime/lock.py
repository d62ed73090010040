"""The migration lock: two ``mighub upgrade`` processes never both run a revision.

Each dialect implementation provides its lock through
:meth:`mighub.ddl.impl.DialectImpl.migration_lock`; this module holds what
they share: the retry loop with its timeout and messages, and the file lock
SQLite uses. Every lock here is released by the operating system or the
server when its holder dies (a closed file, a dropped session), so a process
killed with SIGKILL never blocks the next run.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from mighub.errors import MighubError

DEFAULT_TIMEOUT = 300.0
"""Seconds to wait for another process's migration before giving up."""


class LockTimeout(MighubError):
    """Another process held the migration lock for longer than the timeout."""


def wait_for(
    try_acquire: Callable[[], bool],
    *,
    timeout: float,
    what: str,
    holder: Callable[[], str | None] = lambda: None,
    on_wait: Callable[[str], None] | None = None,
) -> None:
    """Call ``try_acquire`` until it succeeds, backing off, or raise after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    delay = 0.02
    announced = False
    while not try_acquire():
        now = time.monotonic()
        if now >= deadline:
            held_by = holder()
            by = f" (held by {held_by})" if held_by else ""
            raise LockTimeout(
                f"timed out after {timeout:g} s waiting for the migration lock {what}{by}; "
                f"another mighub process is migrating this database (raise the wait with "
                f"--lock-timeout, or skip the lock with --no-lock if you are sure)"
            )
        if not announced and on_wait is not None:
            held_by = holder()
            on_wait(
                f"waiting for the migration lock {what}"
                + (f", held by {held_by}" if held_by else "")
            )
            announced = True
        time.sleep(min(delay, max(deadline - now, 0.0)))
        delay = min(delay * 2, 0.5)


def holder_description() -> str:
    """How this process describes itself to a process waiting on its lock."""
    return f"pid {os.getpid()} on {socket.gethostname()}"


@contextlib.contextmanager
def file_lock(
    path: Path, *, timeout: float, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """An exclusive ``flock`` on ``path``: held across connections, freed when the process dies."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:

        def try_acquire() -> bool:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True

        def holder() -> str | None:
            try:
                return Path(path).read_text(encoding="utf-8").strip() or None
            except OSError:
                return None

        wait_for(try_acquire, timeout=timeout, what=f"file {path}", holder=holder, on_wait=on_wait)
        os.ftruncate(fd, 0)
        os.pwrite(fd, holder_description().encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
