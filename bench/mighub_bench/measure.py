"""Time commands as fresh subprocesses, in alternating rounds.

Each measured run is one ``subprocess.Popen`` reaped with ``os.wait4``: the
wall time is ``time.perf_counter`` around the two, and the peak memory is the
``ru_maxrss`` that ``wait4`` reports for that very child (so runs never blur
into each other, as ``RUSAGE_CHILDREN`` deltas can). Work that is not part of
the measurement (deleting caches, copying a database, creating a scratch
database) happens in ``prepare`` before the clock starts.

A case runs its subjects (mighub, Alembic, then the floors) in rounds:
``M A F M A F ...``, so slow drifts of the machine hit every subject alike.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: No single measured run of the suite takes this long; a run that does is stuck.
TIMEOUT_SECONDS = 300.0


@dataclass
class Subject:
    """One thing a case measures: a tool's command or a floor."""

    role: str  # "mighub", "alembic" or "floor"
    label: str  # what it is, for people: "mighub heads", "read and parse the headers"
    argv: list[str]
    cwd: Path
    #: before every timed run (never timed): make caches cold, reset a database...
    prepare: Callable[[], None] | None = None
    #: once, before the subject's first run (never timed)
    setup: Callable[[], None] | None = None
    #: a command that must succeed first, or the subject is not available
    probe: list[str] | None = None
    #: the plugin that the subject waits for: a failure then means "not available yet"
    pending: str | None = None


@dataclass
class Sample:
    seconds: float  # wall time
    max_rss_mb: float
    cpu_seconds: float  # user + system time of the process (and of any children it waited for)


@dataclass
class Result:
    """What became of one subject in one case."""

    subject: Subject
    samples: list[Sample] = field(default_factory=list)
    status: str = "ok"  # ok | unavailable | failed | skipped
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok" and bool(self.samples)

    def fail(self, reason: str) -> None:
        self.samples = []
        if self.subject.pending:
            self.status = "unavailable"
            self.reason = f"not available yet ({self.subject.pending} not built): {reason}"
        else:
            self.status = "failed"
            self.reason = reason


class CommandFailed(RuntimeError):
    """A command the bench ran exited with an error status."""


def error_line(stderr: str, returncode: int) -> str:
    """The most telling line of a failed command's error output."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    for ln in lines:
        if ln.startswith("Error:") or ln.startswith("FAILED:"):
            return f"{ln} (exit {returncode})"
    tail = lines[-1] if lines else "(no output)"
    return f"{tail} (exit {returncode})"


def run_once(
    argv: Sequence[str], cwd: Path, env: dict[str, str], timeout: float = TIMEOUT_SECONDS
) -> tuple[Sample, int, str]:
    """Run ``argv`` once: its sample, its exit status and its standard error."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(argv), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err
        )
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    # ru_maxrss is in KiB on Linux
    cpu = usage.ru_utime + usage.ru_stime
    return Sample(elapsed, usage.ru_maxrss / 1024, cpu), proc.returncode, stderr


def run_checked(argv: Sequence[str], cwd: Path, env: dict[str, str]) -> None:
    """Run a setup command; raise :class:`CommandFailed` with its error if it fails."""
    _, rc, stderr = run_once(argv, cwd, env)
    if rc != 0:
        raise CommandFailed(f"{' '.join(str(a) for a in argv[-3:])}: {error_line(stderr, rc)}")


def measure(
    subjects: Sequence[Subject], rounds: int, warm: bool, env: dict[str, str]
) -> list[Result]:
    """Measure every subject ``rounds`` times, alternating, after set-up and warm-up.

    A subject whose set-up, probe, warm-up or any run fails is dropped from the
    rounds and its result says why; the others carry on.
    """
    results = [Result(s) for s in subjects]
    active: list[Result] = []

    def attempt(res: Result, argv: Sequence[str] | None = None, timed: bool = False) -> bool:
        s = res.subject
        try:
            if s.prepare is not None and argv is None:
                s.prepare()
            sample, rc, stderr = run_once(argv or s.argv, s.cwd, env)
        except Exception as exc:  # a failing prepare() or a stuck run
            res.fail(f"{type(exc).__name__}: {exc}")
            return False
        if rc != 0:
            res.fail(error_line(stderr, rc))
            return False
        if timed:
            res.samples.append(sample)
        return True

    for res in results:
        s = res.subject
        if s.probe is not None and not attempt(res, s.probe):
            continue
        if s.setup is not None:
            try:
                s.setup()
            except Exception as exc:
                res.fail(
                    str(exc) if isinstance(exc, CommandFailed) else f"{type(exc).__name__}: {exc}"
                )
                continue
        active.append(res)
    if warm:
        active = [res for res in active if attempt(res)]
    for _ in range(rounds):
        active = [res for res in active if attempt(res, timed=True)]
    return results


@dataclass(frozen=True)
class Spread:
    """The median of some values and how far they spread."""

    median: float
    low: float
    high: float
    q1: float
    q3: float
    n: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        vals = sorted(values)
        if len(vals) >= 2:
            q1, _, q3 = statistics.quantiles(vals, n=4, method="inclusive")
        else:
            q1 = q3 = vals[0]
        return cls(statistics.median(vals), vals[0], vals[-1], q1, q3, len(vals))

    def as_dict(self) -> dict[str, float | int]:
        return {
            "median": self.median,
            "min": self.low,
            "max": self.high,
            "q1": self.q1,
            "q3": self.q3,
            "n": self.n,
        }


def ratios(top: Result, bottom: Result, cpu: bool = False) -> list[float]:
    """Per-round ratios ``top / bottom`` of wall (or CPU) time; runs of a round are paired."""
    if cpu:
        pairs = zip(top.samples, bottom.samples, strict=True)
        return [a.cpu_seconds / b.cpu_seconds for a, b in pairs if b.cpu_seconds > 0]
    return [a.seconds / b.seconds for a, b in zip(top.samples, bottom.samples, strict=True)]
