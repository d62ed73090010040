"""Revision scripts and the revision graph.

``headers`` reads script headers without importing them (with a cache),
``graph`` holds the revision graph and computes upgrade/downgrade/stamp plans,
``directory`` ties them to version locations on disk and writes new scripts.
Nothing here touches a database.

The usual entry points::

    sd = ScriptDirectory(version_locations, recursive=False)
    sd.get_heads()                                  # ids, load order
    steps = sd.upgrade_steps(rows_in_db, "heads")   # MigrationStep list, in run order
    for step in steps:
        step.revision.migration_function("upgrade")()  # imports the script now
        ops = step.version_ops(rows_in_db)          # VersionOp: insert/delete/update
        rows_in_db = apply_version_ops(rows_in_db, ops)
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
