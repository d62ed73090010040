"""The speed targets that other issues name, and how a run measures up to them.

A target is met when the **median of the per-round ratios** is at or under
its limit; the table shows the min-max spread next to it, so a target met by
the median but not by every round is visible as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Target:
    issue: int
    text: str
    case: str  # the case id; "imports" for the import check
    limit: float = 0.0
    against: str = "alembic"  # or "floor"
    #: a case that measures the same thing another way, used when ``case`` has no figure
    fallback: str | None = None


TARGETS = [
    Target(3, "heads, 5,000-revision chain, warm: <= 0.1x Alembic", "S2.heads.5000.warm", 0.1),
    Target(3, "history, 5,000-revision chain, warm: <= 0.1x Alembic", "S2.history.5000.warm", 0.1),
    Target(3, "heads, 5,000-revision chain, cold: <= 0.05x Alembic", "S2.heads.5000.cold", 0.05),
    Target(
        3, "history, 5,000-revision chain, cold: <= 0.05x Alembic", "S2.history.5000.cold", 0.05
    ),
    Target(3, "heads, 2,000-revision wide graph, warm: <= 0.1x Alembic", "S3.heads.2000.warm", 0.1),
    Target(
        3, "history, 2,000-revision wide graph, warm: <= 0.1x Alembic", "S3.history.2000.warm", 0.1
    ),
    Target(
        3, "heads, 2,000-revision wide graph, cold: <= 0.05x Alembic", "S3.heads.2000.cold", 0.05
    ),
    Target(
        3,
        "history, 2,000-revision wide graph, cold: <= 0.05x Alembic",
        "S3.history.2000.cold",
        0.05,
    ),
    Target(
        3,
        "heads, history, show, branches, revision, --help import no driver and no unused dialect",
        "imports",
    ),
    Target(4, "no-op upgrade head at head, SQLite: <= 0.8x Alembic", "S1.upgrade", 0.8),
    Target(4, "current at head, SQLite: <= 0.8x Alembic", "S1.current", 0.8),
    Target(
        4, "1,000 trivial revisions online, SQLite: <= 0.3x Alembic", "S2.upgrade-online.1000", 0.3
    ),
    Target(
        4,
        "500 revisions creating tables, PostgreSQL: <= 1.1x plain SQLAlchemy "
        "(same DDL, one transaction)",
        "S6.upgrade.500",
        1.1,
        "floor",
        fallback="S6.upgrade-simple.500",
    ),
]


def _import_problem(check: dict[str, Any]) -> str:
    found = check["drivers"] + check["dialects"]
    what = ", ".join(found) if found else f"exit {check['returncode']}"
    return f"{check['command']} ({check['backend']}): {what}"


def _why(case: dict[str, Any]) -> str:
    if case.get("skipped"):
        return f"skipped: {case['skipped']}"
    for role in ("mighub", "alembic"):
        res = case.get(role) or {}
        if res.get("status") not in (None, "ok"):
            return f"{role} {res['status']}: {res.get('reason')}"
    return "no figure"


def evaluate(
    cases: dict[str, dict[str, Any]], imports: list[dict[str, Any]] | None
) -> list[dict[str, Any]]:
    """Each target with the measured value and ``met`` / ``not met`` / ``not measured``."""
    out = []
    for t in TARGETS:
        row: dict[str, Any] = {
            "issue": t.issue,
            "target": t.text,
            "case": t.case,
            "limit": t.limit or None,
            "against": t.against,
        }
        if t.case == "imports":
            mine = [c for c in imports or [] if c["tool"] == "mighub"]
            if not mine:
                row.update(
                    status="not measured", measured=None, detail="the import check did not run"
                )
            else:
                bad = [c for c in mine if not c["clean"]]
                row.update(
                    status="not met" if bad else "met",
                    measured=None,
                    detail="; ".join(_import_problem(c) for c in bad)
                    or f"{len(mine)} runs, none imported a driver or a dialect",
                )
            out.append(row)
            continue
        case = cases.get(t.case)
        ratio = (case or {}).get("ratio_vs_" + t.against)
        note = ""
        if ratio is None and t.fallback and cases.get(t.fallback, {}).get("ratio_vs_" + t.against):
            why = "case not run" if case is None else _why(case)
            note = (
                f"measured on '{cases[t.fallback]['title']}' because '{t.case}' "
                f"has no mighub figure: {why}"
            )
            ratio = cases[t.fallback]["ratio_vs_" + t.against]
        if ratio is None:
            why = "case not run" if case is None else _why(case)
            row.update(status="not measured", measured=None, detail=why)
        else:
            met = ratio["median"] <= t.limit
            row.update(
                status="met" if met else "not met",
                measured=ratio["median"],
                spread=[ratio["min"], ratio["max"]],
                detail=f"median {ratio['median']:.3f} (min {ratio['min']:.3f}, "
                f"max {ratio['max']:.3f}, n={ratio['n']})",
                note=note or None,
            )
        out.append(row)
    return out
