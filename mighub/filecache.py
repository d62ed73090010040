"""What mighub derives from a file, remembered beside it across runs, never stale.

Two things every command reads are slow to derive but rarely change: the
configuration file (parsing TOML starts with compiling the parser's regular
expressions, about 4% of a warm ``mighub heads``) and the revision scripts'
headers.  Both are remembered in a ``__pycache__`` folder beside the file, the
way Python remembers bytecode, and follow the same rules:

- an entry is used only while the file's size, mtime, inode and ctime (its
  :func:`stamp`) are what they were when the entry was made, so an edited,
  touched, replaced or restored file is read again;
- a file changed in the last two seconds is not remembered yet (:func:`settled`):
  a second change within the same clock tick would leave its stamp unchanged;
- nothing is written when ``PYTHONDONTWRITEBYTECODE`` asks for no cache files,
  and a cache that cannot be read or written (corrupt, a read-only checkout)
  only means working without it.

Deleting a cache file is always safe.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
import time
from typing import Any

#: Files changed this recently may still change within the same clock tick, so
#: they are not remembered yet (the "racy" case that would make an entry stale).
RACY_NS = 2_000_000_000

Stamp = tuple[int, int, int, int]


def stamp(st: os.stat_result) -> Stamp:
    """What must stay the same for a remembered result to still hold."""
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


def settled(st: os.stat_result) -> bool:
    """Whether the file is old enough to be remembered (see :data:`RACY_NS`)."""
    return max(st.st_mtime_ns, st.st_ctime_ns) < time.time_ns() - RACY_NS


def cache_path(beside: str, name: str) -> str:
    """``<folder of beside>/__pycache__/<name>``."""
    return os.path.join(os.path.dirname(beside), "__pycache__", name)


def writing_allowed() -> bool:
    """False when the user asked Python not to write cache files."""
    return not sys.dont_write_bytecode


def load(path: str, tag: str) -> Any:
    """The payload stored at ``path`` under ``tag``, or None when there is none to trust."""
    try:
        with open(path, "rb") as f:
            data = marshal.loads(f.read())
    except Exception:
        return None
    if isinstance(data, tuple) and len(data) == 2 and data[0] == tag:
        return data[1]
    return None


def save(path: str, tag: str, payload: Any) -> None:
    """Store ``payload`` (what marshal can write) at ``path``, atomically; never raises.

    A payload marshal cannot write (a TOML date, say) is simply not stored.
    """
    tmp = None
    try:
        data = marshal.dumps((tag, payload))
        with contextlib.suppress(FileExistsError):
            os.mkdir(os.path.dirname(path))
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        tmp = None
    except Exception:
        pass
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


__all__ = ["RACY_NS", "Stamp", "cache_path", "load", "save", "settled", "stamp", "writing_allowed"]
