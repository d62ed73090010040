"""``python -m mighub`` and the ``mighub`` console script.

``--version`` is answered before the CLI is imported: it is what scripts and
deploy logs call most, and needs nothing else.
"""

from __future__ import annotations

import gc
import sys


def main() -> None:
    # Start-up allocates thousands of long-lived objects (modules, classes, the
    # revision graph) and almost no garbage cycles; the default threshold of 700
    # would walk them dozens of times. Collection still happens, just less often.
    gc.set_threshold(20_000, 20, 20)
    if sys.argv[1:] == ["--version"]:
        from mighub import __version__

        print(f"mighub {__version__}")
        sys.exit(0)
    from mighub.cli import run

    # Everything imported so far (click, pluggy, the kernel) lives until the process
    # ends. Frozen, the collector never walks it again: not in later collections,
    # and not in the full collection of interpreter shutdown, which on its own
    # cost 7% of a warm 'mighub heads'. Nothing created from here on is frozen, so
    # the command's own garbage is collected (and finalized) as usual.
    gc.freeze()
    run()


if __name__ == "__main__":
    main()
