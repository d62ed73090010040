"""Revision scripts and the revision graph.

``headers`` reads script headers without importing them (with a cache),
``graph`` holds the revision graph and computes upgrade/downgrade/stamp plans,
``directory`` ties them to version locations on disk and writes new scripts.
Nothing here touches a database.
"""

from __future__ import annotations

from .directory import Script, ScriptDirectory
from .errors import (
    CycleError,
    GraphError,
    MultipleHeadsError,
    RangeError,
    ResolutionError,
    RevisionError,
    ScriptError,
)
from .graph import (
    MigrationStep,
    Revision,
    RevisionMap,
    RevisionWarning,
    StampStep,
    VersionOp,
    apply_steps,
    apply_version_ops,
    parse_range,
)
from .headers import ScriptHeader, read_header

__all__ = [
    "CycleError",
    "GraphError",
    "MigrationStep",
    "MultipleHeadsError",
    "RangeError",
    "ResolutionError",
    "Revision",
    "RevisionError",
    "RevisionMap",
    "RevisionWarning",
    "Script",
    "ScriptDirectory",
    "ScriptError",
    "ScriptHeader",
    "StampStep",
    "VersionOp",
    "apply_steps",
    "apply_version_ops",
    "parse_range",
    "read_header",
]
