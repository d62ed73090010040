"""Where the bench keeps its inputs, its scratch files and its published results."""

from __future__ import annotations

from pathlib import Path

#: bench/
BENCH = Path(__file__).resolve().parent.parent
#: the repository root (the mighub checkout that is benchmarked)
REPO = BENCH.parent
#: scratch space, gitignored: virtual environments, generated projects, databases
WORK = BENCH / ".work"
VENVS = WORK / "venvs"
PROJECTS = WORK / "projects"
#: published results (committed): the latest full run's JSON, table and plot
RESULTS = BENCH / "results"
#: the floor scripts (small programs that do the least work a tool could do)
FLOORS = BENCH / "floors"
