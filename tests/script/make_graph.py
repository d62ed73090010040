"""Write synthetic revision histories: for tests and for benchmarks.

Usable as a module (the test conftest loads it) or as a script::

    python tests/script/make_graph.py linear 5000 /tmp/versions
    python tests/script/make_graph.py branches 2000 /tmp/versions --branches 200

Ids are deterministic (derived from the position), so runs are repeatable.
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple


class Spec(NamedTuple):
    """One revision to write: its id, parents, dependencies, labels and message."""

    rev: str
    down: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    branch_labels: tuple[str, ...] = ()
    message: str = ""


def rev_id(n: int, salt: str = "") -> str:
    """A 12-hex-character id that looks random but is fixed for ``n``."""
    return hashlib.sha1(f"{salt}{n}".encode()).hexdigest()[:12]


def linear(count: int) -> list[Spec]:
    """A single chain: ``count`` revisions, one root, one head."""
    out: list[Spec] = []
    prev: tuple[str, ...] = ()
    for i in range(count):
        rid = rev_id(i)
        out.append(Spec(rid, prev, message=f"step {i} of the chain"))
        prev = (rid,)
    return out


def merged_branches(count: int, branches: int) -> list[Spec]:
    """A trunk that repeatedly forks into two short branches and merges them back.

    ``branches`` forks of roughly equal length make up ``count`` revisions in
    total; the history ends in a single head.
    """
    out: list[Spec] = []
    n = 0

    def add(down: tuple[str, ...], message: str) -> str:
        nonlocal n
        rid = rev_id(n)
        n += 1
        out.append(Spec(rid, down, message=message))
        return rid

    tip = add((), "root")
    per_fork = max(3, (count - 1) // max(branches, 1))
    for b in range(branches):
        side = max(1, (per_fork - 1) // 2)
        left = right = tip
        for k in range(side):
            left = add((left,), f"fork {b} left {k}")
        for k in range(per_fork - 1 - side):
            right = add((right,), f"fork {b} right {k}")
        tip = add((left, right), f"merge fork {b}")
    while n < count:
        tip = add((tip,), f"tail {n}")
    return out


_TEMPLATE = '''"""{message}

Revision ID: {rev}
Revises: {revises}
Create Date: 2026-01-02 10:00:00.000000

"""
from typing import Sequence, Union

from mighub import op
import sqlalchemy as sa


# revision identifiers, used by mighub.
revision: str = {rev!r}
down_revision: Union[str, Sequence[str], None] = {down!r}
branch_labels: Union[str, Sequence[str], None] = {labels!r}
depends_on: Union[str, Sequence[str], None] = {deps!r}


def upgrade() -> None:
    op.create_table(
        "t_{rev}",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=50), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("t_{rev}")
'''


def _scalar(values: Sequence[str]) -> str | tuple[str, ...] | None:
    if not values:
        return None
    return values[0] if len(values) == 1 else tuple(values)


def render(spec: Spec) -> str:
    """The text of one revision script in the shape ``mighub revision`` writes."""
    return _TEMPLATE.format(
        message=spec.message or f"revision {spec.rev}",
        rev=spec.rev,
        revises=", ".join(spec.down),
        down=_scalar(spec.down),
        labels=_scalar(spec.branch_labels),
        deps=_scalar(spec.depends_on),
    )


def write(directory: Path, specs: Iterable[Spec]) -> list[Path]:
    """Write each spec to ``<directory>/<rev>_<slug>.py``; returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for spec in specs:
        slug = "_".join((spec.message or "rev").lower().split())[:40]
        path = directory / f"{spec.rev}_{slug}.py"
        path.write_text(render(spec), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shape", choices=["linear", "branches"])
    parser.add_argument("count", type=int)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--branches", type=int, default=200)
    args = parser.parse_args(argv)
    specs = (
        linear(args.count) if args.shape == "linear" else merged_branches(args.count, args.branches)
    )
    write(args.directory, specs)
    print(f"wrote {len(specs)} revisions to {args.directory}")


if __name__ == "__main__":
    main()
