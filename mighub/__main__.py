"""``python -m mighub`` and the ``mighub`` console script.

``--version`` is answered before the CLI is imported: it is what scripts and
deploy logs call most, and needs nothing else.
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from mighub import __version__

        print(f"mighub {__version__}")
        sys.exit(0)
    from mighub.cli import run

    run()


if __name__ == "__main__":
    main()
