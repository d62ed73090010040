"""``python -m mighub``: the same as the ``mighub`` command."""

from mighub.cli import run

if __name__ == "__main__":
    run()
