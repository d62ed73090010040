"""The revision graph: what the scripts say about each other, and how to move along it.

The graph has two kinds of edges.  ``down_revision`` edges are *versioned*: they
decide which rows the version table holds.  ``depends_on`` edges only order the
work: a dependency is upgraded first, but it doesn't merge lineages.  Most
questions (ancestors, heads, upgrade order) have a "versioned only" and a "with
dependencies" answer, and Alembic users rely on which one each command uses, so
the methods here follow Alembic 1.20's choices exactly; the tests record each
case we checked against it.

Everything is iterative (no recursion), so a 5,000-deep chain is fine, and the
expensive helpers (ancestor bit sets for ordering several branches) are only
built when a question needs them.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Collection, Iterable, Iterator, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any, NamedTuple, Union

if TYPE_CHECKING:
    from pathlib import Path

from .errors import (
    CycleError,
    GraphError,
    MultipleHeadsError,
    RangeError,
    ResolutionError,
    RevisionError,
)
from .headers import ILLEGAL_ID_CHARS

#: What an identifier can resolve to: a revision, ``None`` (before the first
#: revision) or the string ``"base"`` (walked down past a root).
RevOrBase = Union["Revision", str, None]

#: Compiled by re on first use: reading the graph never needs it.
_RELATIVE_RE = r"(?:(.+?)@)?(\w+)?([+-]\d+)\Z"
_RESERVED_LABELS = ("head", "heads", "base", "current")


class RevisionWarning(UserWarning):
    """Something Alembic accepts with a warning (e.g. ``downgrade -1`` from several heads)."""


def _as_path(path: str | os.PathLike[str]) -> Path:
    """``Path(path)``, importing pathlib only when a caller wants a ``Path``: the
    commands that only read the graph never do."""
    from pathlib import Path

    return path if isinstance(path, Path) else Path(path)


def _tuple(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _dedupe(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _where(rev: Revision) -> str:
    return f"{rev.revision} ({rev._path})" if rev._path is not None else rev.revision


class Revision:
    """One node of the graph.

    The constructor takes what the script declares; the :class:`RevisionMap`
    fills in everything derived (children, propagated branch labels, resolved
    dependencies), so a ``Revision`` belongs to at most one map.
    """

    __slots__ = (
        "_down_all",
        "_down_norm",
        "_path",
        "_pos",
        "all_nextrev",
        "branch_labels",
        "dependencies",
        "down_revisions",
        "nextrev",
        "normalized_dependencies",
        "own_branch_labels",
        "resolved_dependencies",
        "revision",
    )

    revision: str
    #: Parents through ``down_revision`` (two or more for a merge).
    down_revisions: tuple[str, ...]
    #: ``depends_on`` as written: revision ids or branch labels.
    dependencies: tuple[str, ...]
    #: ``depends_on`` resolved to revision ids.
    resolved_dependencies: tuple[str, ...]
    #: The resolved dependencies that aren't already implied by a versioned
    #: ancestor's own dependencies; these are the extra edges used for ordering.
    normalized_dependencies: tuple[str, ...]
    #: Labels the script declares itself.
    own_branch_labels: tuple[str, ...]
    #: Labels that apply to this revision (its own plus those of its branch).
    branch_labels: set[str]
    #: Children through ``down_revision``, in load order.
    nextrev: tuple[str, ...]
    #: Children through ``down_revision`` or ``depends_on``, in load order.
    all_nextrev: tuple[str, ...]

    def __init__(
        self,
        revision: str,
        down_revision: str | Iterable[str] | None = None,
        dependencies: str | Iterable[str] | None = None,
        branch_labels: str | Iterable[str] | None = None,
        path: Path | str | None = None,
    ) -> None:
        self.revision = revision
        self._path = path
        self.down_revisions = _tuple(down_revision)
        self.dependencies = _tuple(dependencies)
        self.own_branch_labels = _tuple(branch_labels)
        bad = [c for c in ILLEGAL_ID_CHARS if c in revision]
        if bad:
            raise GraphError(
                f"Revision id {revision!r} contains {', '.join(repr(c) for c in bad)}; "
                "revision ids may not contain '@', '-', '+' or ':'" + (f" ({path})" if path else "")
            )
        if revision in self.down_revisions:
            raise CycleError(
                f"Revision {_where(self)} names itself as its down_revision (a self-loop)",
                [revision],
            )
        if revision in self.dependencies:
            raise CycleError(f"Revision {_where(self)} depends on itself (a self-loop)", [revision])
        self._reset()

    def _reset(self) -> None:
        self.branch_labels = set(self.own_branch_labels)
        self.resolved_dependencies = ()
        self.normalized_dependencies = ()
        self.nextrev = ()
        self.all_nextrev = ()
        self._down_all = self.down_revisions
        self._down_norm = self.down_revisions
        self._pos = -1

    @property
    def path(self) -> Path | None:
        """The script file, when the revision comes from one."""
        path = self._path
        return None if path is None else _as_path(path)

    @property
    def filename(self) -> str | None:
        """:attr:`path` as a string, for output: no ``Path`` is built."""
        path = self._path
        return None if path is None else str(path)

    def __repr__(self) -> str:
        parts = [repr(self.revision), repr(self.down_revision)]
        if self.dependencies:
            parts.append(f"dependencies={self.dependencies!r}")
        if self.own_branch_labels:
            parts.append(f"branch_labels={self.own_branch_labels!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    @property
    def down_revision(self) -> str | tuple[str, ...] | None:
        """``down_revision`` as a script would write it: None, one id, or a tuple."""
        if not self.down_revisions:
            return None
        if len(self.down_revisions) == 1:
            return self.down_revisions[0]
        return self.down_revisions

    @property
    def is_head(self) -> bool:
        """No revision names this one as its ``down_revision``."""
        return not self.nextrev

    @property
    def is_real_head(self) -> bool:
        """No revision names this one at all, not even in ``depends_on``."""
        return not self.all_nextrev

    @property
    def is_effective_head(self) -> bool:
        """A head only because its dependents don't descend from it (``heads`` marks it)."""
        return bool(self.is_head and self.all_nextrev)

    @property
    def is_base(self) -> bool:
        """Has no ``down_revision``."""
        return not self.down_revisions

    @property
    def is_real_base(self) -> bool:
        """Has neither ``down_revision`` nor ``depends_on``."""
        return not self.down_revisions and not self.dependencies

    @property
    def is_branch_point(self) -> bool:
        """Two or more revisions name this one as their ``down_revision``."""
        return len(self.nextrev) > 1

    @property
    def is_real_branch_point(self) -> bool:
        """Two or more revisions name this one, counting ``depends_on``."""
        return len(self.all_nextrev) > 1

    @property
    def is_merge_point(self) -> bool:
        """Has two or more ``down_revision`` entries."""
        return len(self.down_revisions) > 1


class VersionOp(NamedTuple):
    """One statement on the version table: ``insert`` new, ``delete`` old, or
    ``update`` old to new (the row whose ``version_num`` is ``old``)."""

    kind: str
    old: str | None
    new: str | None


def apply_version_ops(heads: Iterable[str], ops: Iterable[VersionOp]) -> tuple[str, ...]:
    """The rows left after ``ops``; refuses ops that wouldn't touch exactly one row.

    Row order is kept (an update stays in place, an insert goes last) so that
    results are reproducible.  Duplicate rows count once: every statement
    names rows by ``version_num``, so duplicates move together (and the
    runtime's rowcount check reports them).
    """
    rows = list(dict.fromkeys(heads))
    for op in ops:
        if op.kind == "insert":
            if op.new in rows:
                raise RevisionError(f"Version table already holds {op.new!r}; can't insert it")
            rows.append(op.new)  # type: ignore[arg-type]
        elif op.kind == "delete":
            if op.old not in rows:
                raise RevisionError(f"Version table doesn't hold {op.old!r}; can't delete it")
            rows.remove(op.old)  # type: ignore[arg-type]
        else:
            if op.old not in rows:
                raise RevisionError(
                    f"Version table doesn't hold {op.old!r}; can't update it to {op.new!r}"
                )
            if op.new in rows:
                raise RevisionError(
                    f"Version table already holds {op.new!r}; can't update {op.old!r} to it"
                )
            rows[rows.index(op.old)] = op.new  # type: ignore[arg-type]
    return tuple(rows)


def version_ops_between(before: Iterable[str], after: Iterable[str]) -> tuple[VersionOp, ...]:
    """The fewest statements that turn version rows ``before`` into ``after``.

    A row that goes and one that comes pair up as an ``update``; the rest are
    ``delete`` or ``insert``. Used to write many revisions' moves at once.
    """
    before, after = tuple(before), tuple(after)
    gone = [row for row in before if row not in after]
    new = [row for row in after if row not in before]
    ops = [VersionOp("update", old, row) for old, row in zip(gone, new, strict=False)]
    ops += [VersionOp("delete", old, None) for old in gone[len(new) :]]
    ops += [VersionOp("insert", None, row) for row in new[len(gone) :]]
    return tuple(ops)


class MigrationStep:
    """Run one revision's ``upgrade()`` or ``downgrade()``, then move the version rows.

    The version-table effect depends on the rows present when the step runs
    (the same revision may enter a new branch or continue an existing one), so
    it is computed from ``heads`` rather than stored.
    """

    __slots__ = ("_map", "is_upgrade", "revision")

    def __init__(self, revision_map: RevisionMap, revision: Revision, is_upgrade: bool) -> None:
        self._map = revision_map
        self.revision = revision
        self.is_upgrade = is_upgrade

    def __repr__(self) -> str:
        return f"MigrationStep({self.revision.revision!r}, {self.direction})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, MigrationStep)
            and other.revision is self.revision
            and other.is_upgrade == self.is_upgrade
        )

    def __hash__(self) -> int:
        return hash((self.revision.revision, self.is_upgrade))

    @property
    def direction(self) -> str:
        """``"upgrade"`` or ``"downgrade"``."""
        return "upgrade" if self.is_upgrade else "downgrade"

    @property
    def is_downgrade(self) -> bool:
        return not self.is_upgrade

    @property
    def from_revisions(self) -> tuple[str, ...]:
        """Revisions the step leaves (counting dependencies), as Alembic reports them."""
        rev = self.revision
        return rev._down_norm if self.is_upgrade else (rev.revision,)

    @property
    def to_revisions(self) -> tuple[str, ...]:
        """Revisions the step arrives at (counting dependencies)."""
        rev = self.revision
        return (rev.revision,) if self.is_upgrade else rev._down_norm

    @property
    def from_revisions_no_deps(self) -> tuple[str, ...]:
        rev = self.revision
        return rev.down_revisions if self.is_upgrade else (rev.revision,)

    @property
    def to_revisions_no_deps(self) -> tuple[str, ...]:
        rev = self.revision
        return (rev.revision,) if self.is_upgrade else rev.down_revisions

    def short_log(self) -> str:
        """``"upgrade a, b -> c"``: the line offline SQL output comments each step with."""
        return (
            f"{self.direction} {', '.join(self.from_revisions) or '<base>'} -> "
            f"{', '.join(self.to_revisions) or '<base>'}"
        )

    # -- version table -----------------------------------------------------

    def _unmerge_targets(self, heads: set[str]) -> list[str]:
        """The parents that need a row of their own once this revision's row goes."""
        rev = self.revision
        covered = self._map._covered
        others = heads - {rev.revision}
        down = rev._down_norm
        # A parent needs no row when another head, or another parent, already
        # implies it.  (Alembic only checks the other parents when there are no
        # other heads, and can leave a redundant row behind; we always do.)
        return [r for r in down if not covered(others.union(d for d in down if d != r), r)]

    def version_ops(self, heads: Iterable[str]) -> tuple[VersionOp, ...]:
        """The statements this step makes on a version table holding ``heads``.

        One row per head: continuing a line updates its row; starting a new
        root or branch inserts one; a merge deletes all but one of its parents'
        rows and updates the last; going down through a merge inserts rows for
        the parents that aren't already covered by other heads; going below a
        root (or onto a revision another head already implies) deletes the row.
        A dependency's row is taken over by its dependent only when the
        dependency is itself a head.
        """
        hs = set(heads)
        rev = self.revision
        down = rev._down_norm
        this = rev.revision
        if self.is_upgrade:
            if not down or not hs.intersection(down):
                return (VersionOp("insert", None, this),)
            present = [r for r in down if r in hs]  # at least one, see above
            if len(present) > 1:
                others = hs.difference(down)
                if others:
                    present = [r for r in present if not self._map._covered(others, r)]
                    if not present:
                        raise RevisionError(
                            f"Can't merge into {this}: every parent row is implied by another "
                            f"head ({', '.join(sorted(hs))})"
                        )
                ops = [VersionOp("delete", r, None) for r in present[:-1]]
                ops.append(VersionOp("update", present[-1], this))
                return tuple(ops)
            return (VersionOp("update", present[0], this),)
        if this in hs:
            if not down:
                return (VersionOp("delete", this, None),)
            targets = self._unmerge_targets(hs)
            if not targets:
                return (VersionOp("delete", this, None),)
            if len(down) > 1:
                ops = [VersionOp("insert", None, r) for r in targets[:-1]]
                ops.append(VersionOp("update", this, targets[-1]))
                return tuple(ops)
        if len(down) == 1:
            return (VersionOp("update", this, down[0]),)
        present = [r for r in down if r in hs]
        if len(present) != 1:
            raise RevisionError(
                f"Can't tell which version row to update when downgrading {this}: "
                f"the table holds {', '.join(sorted(hs)) or 'nothing'}"
            )
        return (VersionOp("update", this, present[0]),)

    def apply(self, heads: Iterable[str]) -> tuple[str, ...]:
        """The version rows after this step, given the rows before it."""
        heads = tuple(heads)
        return apply_version_ops(heads, self.version_ops(heads))


class StampStep:
    """Move version rows without running any script (``stamp``).

    ``from_`` rows are replaced by ``to`` in one step, like a merge (several
    rows in, one out); ``branch_move`` means a whole lineage appears or
    disappears (insert or delete rather than update).
    """

    __slots__ = ("branch_move", "from_", "is_upgrade", "to")

    def __init__(
        self,
        from_: Iterable[str],
        to: Iterable[str],
        is_upgrade: bool,
        branch_move: bool,
    ) -> None:
        self.from_ = tuple(from_)
        self.to = tuple(to)
        self.is_upgrade = is_upgrade
        self.branch_move = branch_move

    def __repr__(self) -> str:
        return (
            f"StampStep({self.from_!r} -> {self.to!r}, "
            f"{'upgrade' if self.is_upgrade else 'downgrade'}"
            f"{', branch move' if self.branch_move else ''})"
        )

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, StampStep)
            and other.from_ == self.from_
            and other.to == self.to
            and other.is_upgrade == self.is_upgrade
            and other.branch_move == self.branch_move
        )

    def __hash__(self) -> int:
        return hash((self.from_, self.to, self.is_upgrade, self.branch_move))

    @property
    def direction(self) -> str:
        return "upgrade" if self.is_upgrade else "downgrade"

    def short_log(self) -> str:
        return f"stamp {', '.join(self.from_) or '<base>'} -> {', '.join(self.to) or '<base>'}"

    def version_ops(self, heads: Iterable[str]) -> tuple[VersionOp, ...]:
        """The statements this stamp makes on a version table holding ``heads``."""
        hs = set(heads)
        if not self.is_upgrade and self.branch_move:
            return (VersionOp("delete", self.from_[0], None),)
        if self.is_upgrade and (self.branch_move or set(self.from_) - hs) and set(self.to) - hs:
            return (VersionOp("insert", None, self.to[0]),)
        if len(self.from_) > 1:
            ops = [VersionOp("delete", r, None) for r in self.from_[:-1]]
            ops.append(VersionOp("update", self.from_[-1], self.to[0]))
            return tuple(ops)
        if not self.from_ or not self.to:
            raise RevisionError(f"Can't apply {self!r} to a table holding {sorted(hs)}")
        return (VersionOp("update", self.from_[0], self.to[0]),)

    def apply(self, heads: Iterable[str]) -> tuple[str, ...]:
        heads = tuple(heads)
        return apply_version_ops(heads, self.version_ops(heads))


Step = MigrationStep | StampStep


def apply_steps(heads: Iterable[str], steps: Iterable[Step]) -> tuple[str, ...]:
    """The version rows after running ``steps`` in order from ``heads``."""
    rows = tuple(heads)
    for step in steps:
        rows = step.apply(rows)
    return rows


def _revision_of(value: RevOrBase, what: str) -> Revision:
    if isinstance(value, Revision):
        return value
    raise RevisionError(f"{what} doesn't name a revision")


class RevisionMap:
    """All revisions of a project, checked and linked.

    Construction checks the graph (dangling names, duplicate ids, label
    clashes, cycles) and raises :class:`~mighub.script.errors.GraphError` with
    the files at fault.  Iteration order everywhere is *load order*: the order
    in which the revisions were given, which for a script directory is the
    order of files on disk.
    """

    def __init__(self, revisions: Iterable[Revision]) -> None:
        revs: dict[str, Revision] = {}
        for rev in revisions:
            other = revs.get(rev.revision)
            if other is not None:
                raise GraphError(
                    f"Revision id {rev.revision} is used twice: by {other._path} and by {rev._path}"
                )
            if rev._pos != -1:  # linked (or half-linked) into another map before
                rev._reset()
            rev._pos = -2
            revs[rev.revision] = rev
        self._revs = revs
        self._order = list(revs.values())
        self._labels: dict[str, Revision] = {}
        self._bits: dict[str, int] | None = None
        self._link()

    # -- construction --------------------------------------------------------

    def _link(self) -> None:
        revs, labels = self._revs, self._labels
        order = self._order
        for rev in order:
            for label in rev.own_branch_labels:
                if label in revs or label in labels:
                    holder = revs.get(label) or labels[label]
                    what = "the id" if label in revs else "a branch label"
                    raise GraphError(
                        f"Branch label {label!r} of revision {_where(rev)} is already {what} "
                        f"of revision {_where(holder)}"
                    )
                if "@" in label or ":" in label or label in _RESERVED_LABELS or not label:
                    raise GraphError(
                        f"Branch label {label!r} of revision {_where(rev)} can't be used: "
                        "labels may not contain '@' or ':' nor be 'head', 'heads', 'base' "
                        "or 'current'"
                    )
                labels[label] = rev

        children: dict[str, list[str]] = {}
        all_children: dict[str, list[str]] = {}
        dependents: dict[str, int] = {}
        for rev in order:
            for down in rev.down_revisions:
                if down not in revs:
                    hint = (
                        " (that is a branch label; down_revision needs an id)"
                        if (down in labels)
                        else ""
                    )
                    raise GraphError(
                        f"Revision {_where(rev)} has down_revision {down!r}, which is not "
                        f"a revision in the version locations{hint}"
                    )
            if rev.dependencies:
                resolved = []
                for dep in rev.dependencies:
                    target = revs.get(dep) or labels.get(dep)
                    if target is None:
                        raise GraphError(
                            f"Revision {_where(rev)} depends on {dep!r}, which is neither a "
                            "revision nor a branch label"
                        )
                    if target is rev:
                        raise CycleError(
                            f"Revision {_where(rev)} depends on itself through {dep!r} "
                            "(a self-loop)",
                            [rev.revision],
                        )
                    resolved.append(target.revision)
                rev.resolved_dependencies = _dedupe(resolved)
                rev._down_all = _dedupe(rev.down_revisions + rev.resolved_dependencies)
                for dep_id in rev.resolved_dependencies:
                    dependents[dep_id] = dependents.get(dep_id, 0) + 1
            this = rev.revision
            for down in rev.down_revisions:
                children.setdefault(down, []).append(this)
        for key, kids in children.items():
            revs[key].nextrev = revs[key].all_nextrev = tuple(kids)
        if dependents:
            # Only dependencies make the two kinds of children differ.
            for rev in order:
                this = rev.revision
                for down in rev._down_all:
                    all_children.setdefault(down, []).append(this)
            for key, kids in all_children.items():
                revs[key].all_nextrev = tuple(kids)

        self._check_cycles(with_deps=bool(dependents))

        for rev in order:
            if rev.resolved_dependencies:
                self._normalize(rev, dependents)

        heads, real_heads, bases, real_bases = [], [], [], []
        for rev in order:
            if not rev.nextrev:
                heads.append(rev.revision)
                if not rev.all_nextrev:
                    real_heads.append(rev.revision)
            if not rev.down_revisions:
                bases.append(rev.revision)
                if not rev.dependencies:
                    real_bases.append(rev.revision)
        self.heads: tuple[str, ...] = tuple(heads)
        self.real_heads: tuple[str, ...] = tuple(real_heads)
        self.bases: tuple[str, ...] = tuple(bases)
        self.real_bases: tuple[str, ...] = tuple(real_bases)
        for rev in order:
            if rev.own_branch_labels:
                self._spread_labels(rev)

    def _normalize(self, rev: Revision, dependents: dict[str, int]) -> None:
        """Drop dependencies that a versioned ancestor already depends on."""
        deps = rev.resolved_dependencies
        if any(dependents[d] > 1 for d in deps):
            implied: set[str] = set()
            for anc in self._closure((rev,), "down_revisions"):
                if anc is not rev:
                    implied.update(anc.resolved_dependencies)
            deps = tuple(d for d in deps if d not in implied)
        rev.normalized_dependencies = deps
        rev._down_norm = _dedupe(rev.down_revisions + deps)

    def _check_cycles(self, with_deps: bool) -> None:
        """Kahn's algorithm over versioned edges, then (if any) dependency edges too.

        Its output doubles as the topological order used for ancestor bit sets.
        """
        order = self._order
        revs = self._revs
        passes = [("down_revisions", "Cycle")]
        if with_deps:
            passes.append(("_down_all", "Dependency cycle"))
        for attr, kind in passes:
            parents_of = attrgetter(attr)
            kids_of = attrgetter("nextrev" if attr == "down_revisions" else "all_nextrev")
            pending = {r.revision: len(parents_of(r)) for r in order}
            ready = [r for r in order if not pending[r.revision]]
            ready.reverse()
            done = []
            while ready:
                rev = ready.pop()
                done.append(rev)
                for kid in kids_of(rev):
                    pending[kid] -= 1
                    if not pending[kid]:
                        ready.append(revs[kid])
            if len(done) != len(order):
                stuck = [r for r in order if pending[r.revision]]
                on_cycle = self._cycle_members(stuck, attr)
                raise CycleError(
                    f"{kind} detected in revisions: "
                    + ", ".join(_where(revs[r]) for r in on_cycle),
                    on_cycle,
                )
        for i, rev in enumerate(done):
            rev._pos = i
        self._topo = done

    def _cycle_members(self, stuck: list[Revision], attr: str) -> list[str]:
        """Revisions that lie on a cycle (not merely downstream of one), in load order."""
        ids = {r.revision for r in stuck}
        revs = self._revs
        # iterative Tarjan over the stuck sub-graph
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        on_stack: set[str] = set()
        stack: list[str] = []
        members: set[str] = set()
        counter = 0
        for start in (r.revision for r in stuck):
            if start in index:
                continue
            work = [(start, iter([d for d in getattr(revs[start], attr) if d in ids]))]
            index[start] = low[start] = counter
            counter += 1
            stack.append(start)
            on_stack.add(start)
            while work:
                node, it = work[-1]
                advanced = False
                for nxt in it:
                    if nxt not in index:
                        index[nxt] = low[nxt] = counter
                        counter += 1
                        stack.append(nxt)
                        on_stack.add(nxt)
                        work.append((nxt, iter([d for d in getattr(revs[nxt], attr) if d in ids])))
                        advanced = True
                        break
                    if nxt in on_stack:
                        low[node] = min(low[node], index[nxt])
                if advanced:
                    continue
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        item = stack.pop()
                        on_stack.discard(item)
                        component.append(item)
                        if item == node:
                            break
                    if len(component) > 1:
                        members.update(component)
        return [r.revision for r in stuck if r.revision in members] or sorted(ids)

    def _spread_labels(self, rev: Revision) -> None:
        """Apply ``rev``'s labels along its branch.

        The labels go to ``rev`` and every versioned descendant.  When those
        descendants form one unbranched line, they also go down to ``rev``'s
        ancestors until the first branch point (counting dependents) or merge
        point, which is where the branch began.
        """
        labels = set(rev.branch_labels)
        revs = self._revs
        chain = True
        tip = rev
        for node in self._closure((rev,), "nextrev"):
            node.branch_labels |= labels
            if len(node.nextrev) > 1:
                chain = False
            elif not node.nextrev:
                tip = node
        if not chain:
            return
        node: Revision | None = tip
        while node is not None and len(node.all_nextrev) <= 1 and len(node.down_revisions) <= 1:
            node.branch_labels |= labels
            node = revs[node.down_revisions[0]] if node.down_revisions else None

    # -- traversal helpers -----------------------------------------------------

    def _closure(self, starts: Iterable[Revision], attr: str) -> Iterator[Revision]:
        """Yield ``starts`` and everything reachable through ``attr`` (ids), once each."""
        revs = self._revs
        seen: set[str] = set()
        todo = list(starts)
        while todo:
            rev = todo.pop()
            if rev.revision in seen:
                continue
            seen.add(rev.revision)
            yield rev
            for key in getattr(rev, attr):
                if key not in seen:
                    todo.append(revs[key])

    def _ancestor_ids(self, ids: Iterable[str], with_deps: bool = True) -> set[str]:
        revs = self._revs
        starts = [revs[i] for i in ids if i in revs]
        attr = "_down_norm" if with_deps else "down_revisions"
        return {r.revision for r in self._closure(starts, attr)}

    def _ancestors(self, starts: Iterable[Revision], with_deps: bool = True) -> set[Revision]:
        return set(self._closure(starts, "_down_norm" if with_deps else "down_revisions"))

    def _descendants(self, starts: Iterable[Revision], with_deps: bool = True) -> set[Revision]:
        return set(self._closure(starts, "all_nextrev" if with_deps else "nextrev"))

    def _check_overlap(self, targets: Sequence[Revision]) -> None:
        """Refuse a request in which one revision is an ancestor of another."""
        if len(targets) < 2:
            return
        bits = self._ancestor_bits()
        for target in targets:
            mine = bits[target.revision]
            below = sorted(t.revision for t in targets if t is not target and (mine >> t._pos) & 1)
            if below:
                raise RevisionError(
                    f"Requested revisions overlap: {', '.join(below)} "
                    f"{'is an ancestor' if len(below) == 1 else 'are ancestors'} of "
                    f"{target.revision}"
                )

    def _covered(self, others: Iterable[str], rev_id: str) -> bool:
        """Whether ``rev_id`` is an ancestor (or one) of any revision in ``others``."""
        bits = self._ancestor_bits()
        pos = self._revs[rev_id]._pos
        return any((bits[o] >> pos) & 1 for o in others if o in bits)

    def _ancestor_bits(self) -> dict[str, int]:
        """Each revision's ancestors (itself included) as a bit set over topological positions."""
        if self._bits is None:
            bits: dict[str, int] = {}
            for rev in self._topo:
                value = 1 << rev._pos
                for down in rev._down_norm:
                    value |= bits[down]
                bits[rev.revision] = value
            self._bits = bits
        return self._bits

    # -- plain lookups ---------------------------------------------------------

    def __len__(self) -> int:
        return len(self._revs)

    def __iter__(self) -> Iterator[Revision]:
        return iter(self._order)

    def __contains__(self, rev_id: object) -> bool:
        return rev_id in self._revs

    def __getitem__(self, rev_id: str) -> Revision:
        return self._revs[rev_id]

    @property
    def revisions(self) -> tuple[Revision, ...]:
        """All revisions in load order."""
        return tuple(self._order)

    @property
    def branch_label_map(self) -> dict[str, Revision]:
        """Each declared branch label and the revision that declares it."""
        return dict(self._labels)

    def topological(self) -> list[Revision]:
        """All revisions, parents and dependencies before their children."""
        return list(self._topo)

    def get_current_head(self, branch_label: str | None = None) -> str | None:
        """The single head (of ``branch_label``'s lineage); several is an error."""
        heads: Sequence[str] = self.heads
        if branch_label:
            heads = self.filter_for_lineage(heads, branch_label)
        if len(heads) > 1:
            argument = f"{branch_label}@head" if branch_label else "head"
            raise self._multiple_heads(heads, argument)
        return heads[0] if heads else None

    def get_heads(self, consider_depends_on: bool = False) -> tuple[str, ...]:
        """Heads as ``heads`` lists them; with ``consider_depends_on``, without the
        revisions that are only heads because their dependents sit on other lines."""
        return self.real_heads if consider_depends_on else self.heads

    @staticmethod
    def _multiple_heads(heads: Sequence[str], argument: str) -> MultipleHeadsError:
        if argument == "head" or argument.endswith("@head"):
            hint = (
                f"; name one of them, '<branchname>@{argument.rpartition('@')[2]}' for one "
                f"branch's head, or 'heads' for all of them"
            )
        else:
            hint = "; name a single revision"
        return MultipleHeadsError(
            f"{argument!r} names several head revisions ({', '.join(heads)}){hint}",
            heads,
            argument,
        )

    # -- identifiers -------------------------------------------------------------

    def _resolve_number(self, ident: Any) -> tuple[tuple[str, ...], str | None]:
        label: str | None = None
        if isinstance(ident, str) and "@" in ident:
            label, ident = ident.split("@", 1)
        elif (ident is not None and not isinstance(ident, (str, tuple))) or (
            isinstance(ident, tuple) and ident and not isinstance(ident[0], str)
        ):
            raise RevisionError(f"Revision identifier {ident!r} is not a string")
        if ident == "heads":
            if label:
                return self.filter_for_lineage(self.heads, label), label
            return self.real_heads, label
        if ident == "head":
            head = self.get_current_head(label)
            return ((head,) if head else ()), label
        if ident == "base" or ident is None:
            return (), label
        return _tuple(ident), label

    def _lookup(self, key: Any) -> Revision | bool | None:
        """Exact lookup among ids and labels; False when nothing matches."""
        if key is None or key == ():
            return None
        rev = self._revs.get(key)
        if rev is None:
            rev = self._labels.get(key)
        return rev if rev is not None else False

    def _partial_keys(self, prefix: str) -> list[str]:
        return [k for k in (*self._revs, *self._labels) if len(k) > 3 and k.startswith(prefix)]

    def _resolve_branch(self, label: str) -> Revision:
        found = self._lookup(label)
        if isinstance(found, Revision):
            return found
        try:
            rev = self._revision_for_ident(label)
        except ResolutionError:
            raise ResolutionError(
                f"No branch label or revision matches {label!r} (before '@')", label
            ) from None
        if rev is None:
            raise ResolutionError(f"{label!r} can't be used as a branch", label)
        return rev

    def _revision_for_ident(self, ident: Any, check_branch: str | None = None) -> Revision | None:
        branch_rev = self._resolve_branch(check_branch) if check_branch else None
        found = self._lookup(ident)
        if found is False:
            keys = self._partial_keys(ident)
            if branch_rev is not None:
                keys = list(self.filter_for_lineage(keys, check_branch))
            if not keys:
                hint = (
                    "; a partial revision id needs at least four characters"
                    if len(ident) < 4
                    else ""
                )
                where = f" on branch {check_branch!r}" if check_branch else ""
                raise ResolutionError(
                    f"No revision or branch label matches {ident!r}{where}{hint}", ident
                )
            if len(keys) > 1:
                shown = ", ".join(repr(k) for k in sorted(keys)[:10])
                more = f" and {len(keys) - 10} more" if len(keys) > 10 else ""
                raise ResolutionError(
                    f"{ident!r} is ambiguous: it could be {shown}{more}; give more characters",
                    ident,
                )
            found = self._lookup(keys[0])
        rev = found if isinstance(found, Revision) else None
        if check_branch and rev is not None:
            assert branch_rev is not None
            if not self._shares_lineage(rev, (branch_rev,)):
                raise ResolutionError(
                    f"Revision {rev.revision} is not on branch {check_branch!r}", ident
                )
        return rev

    def get_revision(self, ident: str | None) -> Revision | None:
        """The one revision ``ident`` names (None for ``base``); several is an error."""
        resolved, label = self._resolve_number(ident)
        if len(resolved) > 1:
            raise self._multiple_heads(resolved, str(ident))
        return self._revision_for_ident(resolved[0] if resolved else (), label)

    def get_revisions(self, ident: Any) -> tuple[RevOrBase, ...]:
        """Every revision ``ident`` names: one identifier or a collection of them.

        ``base`` gives an empty tuple.  ``-N`` and ``LABEL@-N`` walk down from
        each real head (of that branch); such a walk may end at ``"base"``, or
        at ``None`` when it runs out of revisions.
        """
        if isinstance(ident, (list, tuple, set, frozenset)):
            out: tuple[RevOrBase, ...] = ()
            for item in ident:
                out += self.get_revisions(item)
            return out
        resolved, label = self._resolve_number(ident)
        if len(resolved) == 1:
            try:
                steps = int(resolved[0])
            except ValueError:
                steps = 0
            if steps < 0:
                heads = [self._revs[h] for h in self.real_heads]
                if label is not None:
                    heads = [h for h in heads if label in h.branch_labels]
                return tuple(self._walk(h, steps) for h in heads)
        return tuple(self._revision_for_ident(r, label) for r in resolved)

    def resolve(self, ident: str) -> tuple[Revision, ...]:
        """The revisions ``ident`` names, for commands that need real revisions (``show``)."""
        return tuple(
            _revision_of(r, f"{ident!r}") for r in self.get_revisions(ident) if r is not None
        )

    def as_revision_number(self, ident: str | None) -> str | tuple[str, ...] | None:
        """``ident`` as full ids: None for base, a tuple for ``heads``, else one id."""
        resolved, _ = self._resolve_number(ident)
        if not resolved:
            return None
        if ident == "heads":
            return resolved
        return resolved[0]

    def filter_for_lineage(
        self, targets: Iterable[Any], check_against: str | None, include_dependencies: bool = False
    ) -> tuple[Any, ...]:
        """The ``targets`` that share a lineage (ancestor or descendant) with ``check_against``."""
        ids, label = self._resolve_number(check_against)
        shares: list[str] = ([label] if label else []) + list(ids)
        return tuple(t for t in targets if self._shares_lineage(t, shares, include_dependencies))

    def _shares_lineage(
        self, target: Any, against: Sequence[Any], include_dependencies: bool = False
    ) -> bool:
        if not against:
            return True
        rev = target if isinstance(target, Revision) else self._revision_for_ident(target)
        if rev is None:
            raise RevisionError(f"{target!r} doesn't name a revision")
        others = {(a if isinstance(a, Revision) else self._revision_for_ident(a)) for a in against}
        reach = self._descendants((rev,), include_dependencies)
        if reach & others:
            return True
        return bool(self._ancestors((rev,), include_dependencies) & others)

    def get_all_current(self, heads: Iterable[str]) -> tuple[Revision, ...]:
        """The revisions that are "current" for rows ``heads``: the tips of what they cover
        (a dependency whose row was taken over by its dependent shows up again here)."""
        tops = {r for r in self.get_revisions(tuple(heads)) if isinstance(r, Revision)}
        covered = {r.revision for r in tops | self._ancestors(tops)}
        # a revision stays unless a versioned child is covered too (any covered
        # descendant implies a covered child, since coverage is ancestor-closed)
        result = [
            r for r in self._topo if r.revision in covered and not covered.intersection(r.nextrev)
        ]
        return tuple(result)

    # -- relative movement ---------------------------------------------------------

    def _walk(
        self,
        start: Any,
        steps: int,
        branch_label: str | None = None,
        no_overwalk: bool = True,
    ) -> RevOrBase:
        current: RevOrBase = self.get_revision(start) if isinstance(start, str) else start
        for _ in range(abs(steps)):
            if steps > 0:
                if current == "base":
                    raise RevisionError("Can't walk up from 'base'")
                source = self.bases if current is None else current.nextrev  # type: ignore[union-attr]
                ups = [_revision_of(r, "walk") for r in self.get_revisions(source)]
                nxt: Sequence[RevOrBase] = (
                    self.filter_for_lineage(ups, branch_label) if branch_label else ups
                )
            else:
                if current == "base":
                    nxt = ()
                else:
                    source = self.heads if current is None else current.down_revision  # type: ignore[union-attr]
                    nxt = self.get_revisions(source) or ("base",)
            if not nxt:
                return None if no_overwalk else current
            if len(nxt) > 1:
                where = "base" if current is None else getattr(current, "revision", current)
                raise RevisionError(
                    f"Ambiguous walk: {len(nxt)} revisions follow {where} "
                    f"({', '.join(sorted(getattr(r, 'revision', str(r)) for r in nxt))}); "
                    "name one of them or use a branch label"
                )
            current = nxt[0]
        return current

    def _parse_downgrade_target(
        self, current: Any, target: Any, assert_relative_length: bool
    ) -> tuple[str | None, RevOrBase]:
        if target is None:
            return None, None
        if not isinstance(target, str):
            raise RevisionError(f"Downgrade target {target!r} must be a string")
        m = re.match(_RELATIVE_RE, target)
        if m is None:
            label, _, symbol = target.rpartition("@")
            return label or None, self.get_revision(symbol)
        label, symbol, relative = m.groups()
        steps = int(relative)
        if steps >= 0:
            if symbol is None:
                raise RevisionError(
                    f"Relative revision {relative} can't be a downgrade target: "
                    "a downgrade goes down (use -N)"
                )
            rev = self._walk(symbol, steps, label, no_overwalk=assert_relative_length)
            if rev is None:
                raise RevisionError(f"{target!r} walks past the newest revision")
            return label, rev
        from_current = symbol is None
        if from_current:
            cur = _tuple(current)
            if label:
                choices: list[Any] = list(self.filter_for_lineage(cur, label))
                if not choices:
                    everything = self.get_all_current(cur)
                    choices = [r.revision for r in self.filter_for_lineage(everything, label)]
                if len(choices) != 1:
                    raise RevisionError(
                        f"Can't tell where {target!r} starts: "
                        + (
                            f"no current revision is on branch {label!r}"
                            if not choices
                            else f"current revisions {', '.join(map(str, choices))} are all "
                            f"on branch {label!r}"
                        )
                    )
                symbol = choices[0]
            else:
                if not cur:
                    raise RevisionError(
                        f"Relative revision {relative} didn't produce {abs(steps)} migrations: "
                        "the database is at base"
                    )
                if len(set(cur)) > 1:
                    warnings.warn(
                        f"downgrade {relative} from several heads ({', '.join(cur)}) is "
                        f"ambiguous; going down from {cur[0]} only",
                        RevisionWarning,
                        stacklevel=4,
                    )
                symbol = cur[0]
                label = symbol
        start = self.get_revision(symbol if label is None else f"{label}@{symbol}")
        rev = self._walk(start, steps, no_overwalk=assert_relative_length)
        if rev is None:
            if from_current:
                raise RevisionError(
                    f"Relative revision {relative} didn't produce {abs(steps)} migrations: "
                    "there aren't that many revisions below the current one"
                )
            raise RevisionError(f"{target!r} walks past the base")
        return label, rev

    def _parse_upgrade_target(
        self, current: Any, target: Any, assert_relative_length: bool
    ) -> tuple[RevOrBase, ...]:
        m = re.match(_RELATIVE_RE, target) if isinstance(target, str) else None
        if m is None:
            return self.get_revisions(target)
        label, symbol, relative = m.groups()
        steps = int(relative)
        if steps <= 0:
            if symbol is None:
                raise RevisionError(
                    f"Relative revision {relative} can't be an upgrade target: "
                    "an upgrade goes up (use +N)"
                )
            start = self.get_revision(symbol if label is None else f"{label}@{symbol}")
            rev = self._walk(start, steps, no_overwalk=assert_relative_length)
            if rev is None:
                raise RevisionError(f"{target!r} walks past the base")
            return (rev,)
        if symbol is not None:
            rev = self._walk(
                self.get_revision(symbol),
                steps,
                branch_label=label,
                no_overwalk=assert_relative_length,
            )
            if rev is None:
                raise RevisionError(f"{target!r} walks past the newest revision")
            return (rev,)
        cur: tuple[Any, ...] = _tuple(current) or (None,)
        starts: Sequence[Any] = cur
        if label:
            on_branch = self.get_revisions(cur)
            starts = self.filter_for_lineage(on_branch, label)
            if not starts:
                active = self.filter_for_lineage(
                    self._ancestors([_revision_of(r, "current") for r in on_branch if r]),
                    label,
                )
                below = {d for r in active for d in r._down_norm}
                starts = sorted(r.revision for r in active if r.revision not in below)
                if not starts:
                    starts = (None,)
        if len(starts) > 1:
            raise RevisionError(
                f"Ambiguous upgrade {target!r} from several current revisions "
                f"({', '.join(getattr(s, 'revision', str(s)) for s in starts)}); "
                "use LABEL@+N or an absolute target"
            )
        rev = self._walk(starts[0], steps, branch_label=label, no_overwalk=assert_relative_length)
        if rev is None:
            raise RevisionError(
                f"Relative revision {relative} didn't produce {steps} migrations: "
                "there aren't that many revisions above the current one"
            )
        return (rev,)

    # -- collecting revisions for a move ---------------------------------------------

    def _collect_downgrade(
        self,
        upper: Any,
        lower: Any,
        inclusive: bool,
        implicit_base: bool,
        assert_relative_length: bool,
    ) -> tuple[set[Revision], tuple[RevOrBase, ...]]:
        label, target = self._parse_downgrade_target(upper, lower, assert_relative_length)
        if target == "base":
            target = None
        if target is None:
            roots = [r for r in self._order if not r.down_revisions]
        elif inclusive:
            roots = [_revision_of(target, repr(lower))]
        else:
            roots = [
                _revision_of(r, "child")
                for r in self.get_revisions(_revision_of(target, repr(lower)).nextrev)
            ]
        if label and len(roots) > 1:
            branch_ids = {
                r.revision for r in self._ancestors((self._resolve_branch(label),), False)
            }
            roots = [r for r in roots if r.revision in branch_ids]
            if not roots:
                raise RevisionError(
                    f"{lower!r} is not a valid downgrade target from the current heads"
                )
        heads = self.get_revisions(upper)
        head_revs = [_revision_of(h, "current head") for h in heads]
        active = self._ancestors(head_revs)
        todo = self._descendants(roots) & active
        if implicit_base:
            todo |= active - self._ancestors(roots)
        if target is not None and not todo and target not in heads:
            raise RangeError(
                f"Nothing to downgrade: {lower} is not below the current heads "
                f"({', '.join(h.revision for h in head_revs) or 'base'})"
            )
        return todo, heads

    def _collect_upgrade(
        self,
        upper: Any,
        lower: Any,
        inclusive: bool,
        implicit_base: bool,
        assert_relative_length: bool,
    ) -> tuple[set[Revision], tuple[Revision, ...]]:
        parsed = self._parse_upgrade_target(lower, upper, assert_relative_length)
        targets: Collection[Revision] = [
            _revision_of(r, f"Upgrade target {upper!r}") for r in parsed
        ]
        if isinstance(lower, str) and "@" in lower:
            branch = lower.partition("@")[0]
            branch_rev = self.get_revision(branch)
            if branch_rev is not None and branch_rev.revision == branch:
                if len(branch_rev.branch_labels) != 1:
                    raise RevisionError(
                        f"Revision {branch} is used as a branch in {lower!r} but carries "
                        f"{len(branch_rev.branch_labels)} branch labels; use a label"
                    )
                branch = next(iter(branch_rev.branch_labels))
            targets = sorted(
                {t for t in targets if branch in t.branch_labels}, key=lambda r: r._pos
            )
        targets = list(dict.fromkeys(targets))
        self._check_overlap(targets)
        required = self._ancestors(targets) | set(targets)

        current = self.get_revisions(lower)
        if not implicit_base and any(r not in required for r in current if r is not None):
            raise RangeError(
                f"{lower or 'base'} is not an ancestor of {upper or 'base'}",
            )
        if current and current[0] is None:
            # a relative lower end that walked off the graph: read it relative to upper
            try:
                _, rev = self._parse_downgrade_target(upper, lower, assert_relative_length)
            except ResolutionError:
                raise RevisionError(
                    f"Relative revision {lower} goes below the base from {_show(upper)}"
                ) from None
            if not rev:
                raise RevisionError(f"{lower!r} doesn't name a revision")
            if rev == "base":
                current, lower = (), None
            else:
                current = (rev,)
                lower = _revision_of(rev, repr(lower)).revision
        current_revs = [_revision_of(r, f"{lower!r}") for r in current]
        self._check_overlap(list(dict.fromkeys(current_revs)))
        needs = required - (self._ancestors(current_revs) | set(current_revs))
        if inclusive:
            needs.update(_revision_of(r, repr(lower)) for r in self.get_revisions(lower))
        if current_revs and not implicit_base:
            needs &= self._descendants(current_revs, False)
        return needs, tuple(targets)

    def _sort_down(self, revisions: set[Revision], heads: Sequence[Any]) -> list[Revision]:
        """Order ``revisions`` newest first, walking down from ``heads``.

        One branch is followed down as far as possible; when the next revision
        is still needed by another pending branch (it is that branch's
        ancestor), that branch is walked first.  Ties go by load order.  This
        is the order Alembic runs downgrades in (and, reversed, upgrades).
        """
        revs = self._revs
        todo = {r.revision for r in revisions}
        index = self._load_index()
        pending = sorted(
            {h.revision for h in heads if isinstance(h, Revision) and h.revision in todo},
            key=index.__getitem__,
        )
        out: list[Revision] = []
        bits: dict[str, int] | None = None
        idx = 0
        while pending:
            candidate = pending[idx]
            if len(pending) > 1:
                if bits is None:
                    bits = self._ancestor_bits()
                pos = revs[candidate]._pos
                switched = False
                for j, other in enumerate(pending):
                    if j != idx and (bits[other] >> pos) & 1:
                        idx = j
                        switched = True
                        break
                if switched:
                    continue
            rev = revs[candidate]
            if candidate in todo:
                out.append(rev)
                todo.discard(candidate)
            more = [r for r in rev._down_norm if r in todo and r not in pending]
            if not more:
                del pending[idx]
                idx = max(idx - 1, 0)
            else:
                pending[idx] = more[0]
                pending.extend(more[1:])
        if todo:
            raise RevisionError(
                "Internal error: couldn't order revisions " + ", ".join(sorted(todo))
            )
        return out

    def _load_index(self) -> dict[str, int]:
        index = getattr(self, "_load_index_cache", None)
        if index is None:
            index = {r.revision: i for i, r in enumerate(self._order)}
            self._load_index_cache = index
        return index

    def iterate_revisions(
        self,
        upper: Any,
        lower: Any,
        implicit_base: bool = False,
        inclusive: bool = False,
        assert_relative_length: bool = True,
        select_for_downgrade: bool = False,
    ) -> list[Revision]:
        """Revisions between ``lower`` and ``upper``, newest first.

        For an upgrade (the default) that is what must be applied to go from
        ``lower`` (current rows) up to ``upper``; with ``select_for_downgrade``
        it is what must be reverted to go from ``upper`` (current rows) down to
        ``lower``.  ``implicit_base`` lets the upgrade include revisions on other
        lineages than ``lower``'s (dependencies, new roots).
        """
        collect = self._collect_downgrade if select_for_downgrade else self._collect_upgrade
        revisions, heads = collect(
            upper,
            lower,
            inclusive=inclusive,
            implicit_base=implicit_base,
            assert_relative_length=assert_relative_length,
        )
        return self._sort_down(revisions, heads)

    def walk_revisions(self, base: Any = "base", head: Any = "heads") -> list[Revision]:
        """Revisions from ``head`` down to ``base`` inclusive, newest first, as
        ``history`` lists them (``-r base:head``; either end may be a tuple of current heads)."""
        try:
            return self.iterate_revisions(head, base, inclusive=True, assert_relative_length=False)
        except RangeError:
            raise RangeError(
                f"Requested range {_show(base)}:{_show(head)} does not refer to "
                "ancestor/descendant revisions along the same branch"
            ) from None

    # -- plans -------------------------------------------------------------------

    def upgrade_steps(self, current_heads: Iterable[str], destination: str) -> list[MigrationStep]:
        """What ``upgrade destination`` runs from version rows ``current_heads``, in order."""
        revs = self.iterate_revisions(destination, tuple(current_heads), implicit_base=True)
        return [MigrationStep(self, r, True) for r in reversed(revs)]

    def downgrade_steps(
        self, current_heads: Iterable[str], destination: str | None
    ) -> list[MigrationStep]:
        """What ``downgrade destination`` runs from version rows ``current_heads``, in order."""
        current = tuple(current_heads)
        try:
            revs = self.iterate_revisions(current, destination, select_for_downgrade=True)
        except RangeError:
            raise RangeError(
                f"Destination {destination} is not a valid downgrade target from the current "
                f"head(s) ({', '.join(current) or 'base'})"
            ) from None
        return [MigrationStep(self, r, False) for r in revs]

    def stamp_steps(
        self, current_heads: Iterable[str], destinations: str | Sequence[str] | None
    ) -> list[StampStep]:
        """What ``stamp destinations`` does to version rows ``current_heads``.

        For each destination: nothing if it is already a row; otherwise the
        rows on its lineage move to it in one step (up or down), or it becomes
        a new row if no row is related.  ``base`` deletes the rows of the
        lineages concerned.
        """
        dests_in = _tuple(destinations) or ("base",)
        head_revs = [
            _revision_of(r, "current head") for r in self.get_revisions(tuple(current_heads))
        ]
        try:
            filtered: list[Revision] = []
            for dest in dests_in:
                if dest:
                    for rev in self.filter_for_lineage(head_revs, dest, include_dependencies=True):
                        if rev not in filtered:
                            filtered.append(rev)
            dests: Sequence[RevOrBase] = self.get_revisions(dests_in) or (None,)
        except MultipleHeadsError as exc:
            raise MultipleHeadsError(
                f"Multiple heads are present ({', '.join(exc.heads)}); stamp needs a single "
                "target revision for each lineage",
                exc.heads,
                exc.argument,
            ) from None
        steps: list[StampStep] = []
        for dest in dests:
            if dest is None:
                steps.extend(StampStep((h.revision,), (), False, True) for h in filtered)
                continue
            dest_rev = _revision_of(dest, "stamp destination")
            if dest_rev in filtered:
                continue
            from_ = [h.revision for h in filtered]
            above = self._descendants((dest_rev,)) & set(filtered)
            below = self._ancestors((dest_rev,)) & set(filtered)
            if above and below:
                raise RevisionError(
                    f"Can't stamp {dest_rev.revision}: the version table holds revisions both "
                    f"above it ({', '.join(sorted(r.revision for r in above))}) and below it "
                    f"({', '.join(sorted(r.revision for r in below))}) on the same lineage; "
                    "use --purge to start from an empty table"
                )
            if above:
                steps.append(StampStep(from_, (dest_rev.revision,), False, False))
            elif below:
                steps.append(StampStep(from_, (dest_rev.revision,), True, False))
            else:
                steps.append(StampStep((), (dest_rev.revision,), True, True))
        return steps

    def offline_start(self, start: str | Sequence[str] | None) -> tuple[str, ...]:
        """The version rows an offline (``--sql``) run pretends to start from (``FROM:``)."""
        if start is None or start == "base":
            return ()
        out = []
        for item in _tuple(start):
            if item in (None, "base"):
                continue
            rev = self.get_revision(item)
            if rev is not None:
                out.append(rev.revision)
        return tuple(out)


def parse_range(text: str) -> tuple[str | None, str | None]:
    """Split a ``START:END`` range (``history -r``, offline ``--sql``) into its ends.

    Either end may be empty (None): ``:head``, ``base:``.
    """
    parts = text.strip().split(":")
    if len(parts) != 2:
        raise RevisionError(
            f"Revision range {text!r} must be START:END (either side may be empty, "
            "as in ':head' or 'ae10:')"
        )
    start, end = (p.strip() or None for p in parts)
    return start, end


def _show(value: Any) -> str:
    if value is None:
        return "base"
    if isinstance(value, tuple):
        return ",".join(value) or "base"
    return str(value)


__all__ = [
    "MigrationStep",
    "RevOrBase",
    "Revision",
    "RevisionMap",
    "RevisionWarning",
    "StampStep",
    "Step",
    "VersionOp",
    "apply_steps",
    "apply_version_ops",
    "parse_range",
    "version_ops_between",
]
