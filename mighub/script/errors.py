"""Errors raised while reading revision scripts and resolving the revision graph.

Everything here derives from one ``MighubError`` so the CLI can catch a single
class, print the message and exit 1.  The kernel will own that base class in
``mighub.errors``; until it lands we define a stand-in here, and this is the only
place that names it, so re-pointing it later is a one-line change.
"""

from __future__ import annotations

from collections.abc import Sequence

from mighub.errors import MighubError


class ScriptError(MighubError):
    """A revision script, or the set of them, can't be used as written.

    Raised for header problems (missing ``revision``, non-literal values,
    illegal characters, syntax errors), for duplicate ids and for problems
    writing new scripts.  ``path`` names the file at fault when there is one.
    """

    def __init__(self, message: str, path: object | None = None) -> None:
        super().__init__(message)
        self.path = path


class RevisionError(ScriptError):
    """The revision graph or a revision identifier can't be resolved."""


class GraphError(RevisionError):
    """The scripts don't form a valid graph (dangling reference, cycle, label clash)."""


class CycleError(GraphError):
    """The graph has a cycle; ``revisions`` lists the revisions on it."""

    def __init__(self, message: str, revisions: Sequence[str]) -> None:
        super().__init__(message)
        self.revisions = tuple(revisions)


class ResolutionError(RevisionError):
    """An identifier names no revision, or names one ambiguously."""

    def __init__(self, message: str, argument: str) -> None:
        super().__init__(message)
        self.argument = argument


class MultipleHeadsError(RevisionError):
    """A single revision was asked for, but the identifier names several heads."""

    def __init__(self, message: str, heads: Sequence[str], argument: str) -> None:
        super().__init__(message)
        self.heads = tuple(heads)
        self.argument = argument


class RangeError(RevisionError):
    """The requested start and end aren't ancestor and descendant of each other."""


__all__ = [
    "CycleError",
    "GraphError",
    "MighubError",
    "MultipleHeadsError",
    "RangeError",
    "ResolutionError",
    "RevisionError",
    "ScriptError",
]
