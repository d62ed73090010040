"""Turn measured cases into the JSON results and the Markdown tables.

The tables are rendered from the JSON alone, so a published ``latest.json``
can always be turned back into the README's table.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .measure import Result, Spread, ratios
from .paths import REPO
from .scenarios import SCENARIOS, Case

FLOOR_SHORT = {
    "python -c pass": "python -c pass",
    "python -c 'import sqlalchemy'": "import sqlalchemy",
    "import sqlalchemy, connect, read the version table": "connect + read version table",
    "read and regex-parse the headers": "regex-parse headers",
    "the same statements through SQLAlchemy": "same SQL via SQLAlchemy",
    "import the models, reflect with the batched inspector": "batched reflection",
    "the raw SQL move and copy (sqlite3)": "raw move and copy",
    "the same DDL through plain SQLAlchemy, one transaction": "same DDL via SQLAlchemy",
}


def _result_json(res: Result) -> dict[str, Any]:
    s = res.subject
    out: dict[str, Any] = {
        "role": s.role,
        "label": s.label,
        "status": res.status,
        "reason": res.reason,
        "samples": [
            {"seconds": x.seconds, "max_rss_mb": x.max_rss_mb, "cpu_seconds": x.cpu_seconds}
            for x in res.samples
        ],
    }
    if res.ok:
        out["seconds"] = Spread.of([x.seconds for x in res.samples]).as_dict()
        out["max_rss_mb"] = Spread.of([x.max_rss_mb for x in res.samples]).as_dict()
        out["cpu_seconds"] = Spread.of([x.cpu_seconds for x in res.samples]).as_dict()
    return out


def case_json(case: Case) -> dict[str, Any]:
    by_role: dict[str, list[Result]] = {}
    for res in case.results:
        by_role.setdefault(res.subject.role, []).append(res)
    mighub = by_role.get("mighub", [None])[0]
    alembic = by_role.get("alembic", [None])[0]
    floors = by_role.get("floor", [])
    out: dict[str, Any] = {
        "id": case.id,
        "scenario": case.scenario,
        "title": case.title,
        "size": case.size,
        "series": case.series,
        "rounds": case.rounds,
        "warm": case.warm,
        "elapsed_seconds": round(case.elapsed, 2),
        "load_average": list(case.load),
        "skipped": case.skipped,
        "mighub": _result_json(mighub) if mighub else None,
        "alembic": _result_json(alembic) if alembic else None,
        "floors": [_result_json(f) for f in floors],
    }
    for key, other in (("alembic", alembic), ("floor", floors[0] if floors else None)):
        if mighub is not None and other is not None and mighub.ok and other.ok:
            per_round = ratios(mighub, other)
            out[f"ratio_vs_{key}"] = {**Spread.of(per_round).as_dict(), "per_round": per_round}
            cpu = ratios(mighub, other, cpu=True)
            if cpu:
                out[f"cpu_ratio_vs_{key}"] = {**Spread.of(cpu).as_dict(), "per_round": cpu}
    return out


def _run(cmd: list[str]) -> str:
    try:
        return subprocess.run(
            cmd, capture_output=True, text=True, check=False, cwd=REPO
        ).stdout.strip()
    except OSError:
        return ""


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "cpu": cpu,
        "memory": _run(["free", "-h"]),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
    }


def git_state() -> dict[str, Any]:
    return {
        "commit": _run(["git", "rev-parse", "HEAD"]),
        "branch": _run(["git", "rev-parse", "--abbrev-ref", "HEAD"]),
        "dirty": bool(
            _run(["git", "status", "--porcelain", "--", "mighub", "plugins", "pyproject.toml"])
        ),
    }


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


# --------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------


def fmt_seconds(s: float) -> str:
    if s < 0.01:
        return f"{s * 1000:.1f} ms"
    if s < 1:
        return f"{s * 1000:.0f} ms"
    return f"{s:.2f} s"


def fmt_ratio(r: dict[str, Any] | None) -> str:
    if r is None:
        return "\u2013"
    return f"**{r['median']:.2f}** ({r['min']:.2f}\u2013{r['max']:.2f})"


class Notes:
    """Footnotes for cells that have a reason instead of a figure."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def ref(self, text: str) -> str:
        if text not in self.items:
            self.items.append(text)
        return f"[{self.items.index(text) + 1}]"

    def markdown(self) -> str:
        return "\n".join(f"[{i}] {t.replace('|', '/')}  " for i, t in enumerate(self.items, 1))


def _cell(res: dict[str, Any] | None, notes: Notes) -> str:
    if res is None:
        return "\u2013"
    if res["status"] != "ok" or "seconds" not in res:
        label = {"unavailable": "not available yet", "skipped": "skipped", "failed": "FAILED"}
        ref = notes.ref(f"{res['label']}: {res['reason']}")
        return f"{label.get(res['status'], res['status'])} {ref}"
    return f"{fmt_seconds(res['seconds']['median'])} · {res['max_rss_mb']['median']:.0f} MB"


def _floor_cell(floors: list[dict[str, Any]], notes: Notes) -> str:
    cells = []
    for f in floors:
        short = FLOOR_SHORT.get(f["label"], f["label"])
        if f["status"] == "ok" and "seconds" in f:
            cells.append(f"{fmt_seconds(f['seconds']['median'])} ({short})")
        else:
            ref = notes.ref(f"floor {short}: {f['reason']}")
            cells.append(f"{f['status']} {ref}")
    return "<br>".join(cells) or "\u2013"


def results_table(data: dict[str, Any]) -> str:
    """The results of every case, by scenario."""
    notes = Notes()
    lines = [
        "| Case | mighub (time · peak RSS) | Alembic | mighub / Alembic "
        "| CPU time mighub / Alembic | Floor | mighub / floor |",
        "|---|---|---|---|---|---|---|",
    ]
    last = None
    for c in data["cases"]:
        if c["scenario"] != last:
            last = c["scenario"]
            name = SCENARIOS.get(last, ("", None))[0]
            lines.append(f"| **{last}** {name} | | | | | | |")
        ratio_floor = c.get("ratio_vs_floor")
        cpu = c.get("cpu_ratio_vs_alembic")
        lines.append(
            "| {} | {} | {} | {} | {} | {} | {} |".format(
                c["title"],
                _cell(c["mighub"], notes),
                _cell(c["alembic"], notes),
                fmt_ratio(c.get("ratio_vs_alembic")),
                f"{cpu['median']:.2f}" if cpu else "\u2013",
                _floor_cell(c["floors"], notes),
                f"{ratio_floor['median']:.2f}" if ratio_floor else "\u2013",
            )
        )
    out = "\n".join(lines)
    if notes.items:
        out += "\n\n" + notes.markdown()
    return out


def targets_table(data: dict[str, Any]) -> str:
    lines = [
        "| Issue | Target | Measured (median ratio, min\u2013max) | Status |",
        "|---|---|---|---|",
    ]
    for t in data["targets"]:
        if t.get("measured") is not None:
            lo, hi = t["spread"]
            measured = f"{t['measured']:.3f} ({lo:.3f}\u2013{hi:.3f})"
            if t.get("note"):
                measured += f"; {t['note']}"
        else:
            measured = t["detail"]
        status = {"met": "**met**", "not met": "**not met**"}.get(t["status"], t["status"])
        lines.append(f"| {t['issue']} | {t['target']} | {measured} | {status} |")
    return "\n".join(lines)


def imports_table(data: dict[str, Any]) -> str:
    checks = data.get("imports") or []
    if not checks:
        return "(the import check did not run)"
    lines = [
        "| Command | Backend | mighub: drivers / dialects imported | mighub imports SQLAlchemy "
        "| mighub import time | Alembic import time |",
        "|---|---|---|---|---|---|",
    ]
    alembic = {(c["backend"], c["command"]): c for c in checks if c["tool"] == "alembic"}
    for c in checks:
        if c["tool"] != "mighub":
            continue
        bad = ", ".join(c["drivers"] + c["dialects"]) or (
            "none" if c["returncode"] == 0 else f"exit {c['returncode']}"
        )
        other = alembic.get((c["backend"], c["command"]))
        other_ms = f"{other['import_ms']:.0f} ms" if other else "\u2013"
        lines.append(
            f"| `{c['command']}` | {c['backend']} | {bad} | {'yes' if c['sqlalchemy'] else 'no'} | "
            f"{c['import_ms']:.0f} ms | {other_ms} |"
        )
    return "\n".join(lines)


def header(data: dict[str, Any]) -> str:
    m = data["meta"]
    mem = m["machine"]["memory"].splitlines()
    mem_line = mem[1].split()[1] if len(mem) > 1 else "?"
    v = m["versions"]
    mc = m["machine"]
    dirty = " (uncommitted changes)" if m["git"]["dirty"] else ""
    return (
        f"Measured {m['date']} on {mc['nproc']} cores ({mc['cpu'] or 'unknown CPU'}), "
        f"{mem_line} RAM, Python {mc['python']}, {mc['platform']}; "
        f"mighub {v['mighub'].get('mighub', '?')} at {m['git']['commit'][:10]}{dirty}, "
        f"Alembic {v['alembic'].get('alembic', '?')}, "
        f"SQLAlchemy {v['mighub'].get('SQLAlchemy', '?')}, "
        f"{m.get('postgresql') or 'PostgreSQL not reachable'}. "
        f"Whole run: {m['total_seconds'] / 60:.1f} min{' (--quick)' if m['quick'] else ''}. "
        + load_note(data)
    )


def load_note(data: dict[str, Any]) -> str:
    """How busy the machine was: figures from a machine that other work shares are skewed."""
    loads = [x for c in data["cases"] for x in c.get("load_average") or []]
    start = data["meta"].get("load_average", {}).get("start")
    if not loads or not start:
        return ""
    return (
        f"1-minute load average: {start[0]:.1f} at the start, {min(loads):.1f} to {max(loads):.1f} "
        f"between cases (on {data['meta']['machine']['nproc']} cores; above that, other work "
        "competed with the bench for the CPUs)."
    )


def markdown(data: dict[str, Any]) -> str:
    m = data["meta"]
    return "\n\n".join(
        [
            header(data),
            "```\n$ nproc\n{}\n$ free -h\n{}\n```".format(
                m["machine"]["nproc"], m["machine"]["memory"]
            ),
            "### Targets\n\n" + targets_table(data),
            "### All cases\n\n" + results_table(data),
            "### Imports of the commands that need no database (issue 3)\n\n" + imports_table(data),
        ]
    )


START, END = "<!-- results:start -->", "<!-- results:end -->"


def update_readme(readme: Path, md: str) -> None:
    """Replace the README's results section (between the markers) with ``md``."""
    text = readme.read_text()
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(text):
        raise RuntimeError(f"{readme}: no {START} ... {END} section to fill")
    readme.write_text(pattern.sub(lambda _: f"{START}\n{md}\n{END}", text))
