"""Draw time against size for the scaling scenarios (run in the bench's plot venv).

    python plot.py RESULTS.json OUT.png

One panel per scenario and command (S2 heads, S2 history, S2 upgrade --sql,
S4 autogenerate, S4 check); colour says who (mighub, Alembic, the floor), the
line style says which variant (cold or warm; SQLite or PostgreSQL). Log-log axes.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections import defaultdict
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

COLOURS = {"mighub": "tab:blue", "alembic": "tab:orange", "floor": "grey"}
STYLES = ["-", "--", ":", "-."]
COMMANDS = {"heads": "heads", "history": "history", "sql": "upgrade --sql"}
UNITS = {"S2": "revisions in the chain", "S4": "tables"}

Lines = dict[tuple[str, str], list[tuple[int, float]]]


def panels(
    data: dict[str, Any],
) -> tuple[dict[tuple[str, str], Lines], dict[tuple[str, str], set[str]]]:
    """(scenario, command) -> (who, variant) -> [(size, median seconds)], and
    (scenario, command) -> the statuses of mighub that are not "ok"."""
    out: dict[tuple[str, str], Lines] = defaultdict(lambda: defaultdict(list))
    missing: dict[tuple[str, str], set[str]] = defaultdict(set)
    for c in data["cases"]:
        m = re.fullmatch(r"(.+) \((.+)\)", c.get("series") or "")
        if not m or c.get("size") is None:
            continue
        command, variant = m.groups()
        key = (c["scenario"], command)
        floor = (c["floors"] or [None])[0]
        for who, res in (("mighub", c["mighub"]), ("alembic", c["alembic"]), ("floor", floor)):
            if res and res.get("status") == "ok" and "seconds" in res:
                out[key][(who, variant)].append((c["size"], res["seconds"]["median"]))
            elif res and who == "mighub":
                missing[key].add(res["status"])
    return {k: v for k, v in out.items() if any(len(p) > 1 for p in v.values())}, missing


def main(src: str, dst: str) -> None:
    with open(src, encoding="utf-8") as f:
        data = json.load(f)
    found, missing = panels(data)
    if not found:
        print("nothing to plot (no scenario measured at more than one size)")
        return
    cols = min(3, len(found))
    rows = math.ceil(len(found) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.5 * cols, 4.5 * rows), squeeze=False)
    for ax, ((scenario, command), lines) in zip(axes.flat, sorted(found.items()), strict=False):
        variants = sorted({v for _, v in lines})
        for (who, variant), points in sorted(lines.items()):
            points.sort()
            xs, ys = zip(*points, strict=True)
            style = STYLES[variants.index(variant) % len(STYLES)]
            ax.plot(xs, ys, style, color=COLOURS[who], marker="o", label=f"{who} ({variant})")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(UNITS.get(scenario, "size"))
        ax.set_ylabel("median wall time (s)")
        ax.set_title(f"{scenario}: {COMMANDS.get(command, command)}")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
        if missing.get((scenario, command)):
            words = {"unavailable": "not available yet", "failed": "failed", "skipped": "skipped"}
            why = ", ".join(sorted(words.get(s, s) for s in missing[(scenario, command)]))
            ax.text(
                0.5,
                0.04,
                f"mighub: {why}",
                transform=ax.transAxes,
                ha="center",
                color=COLOURS["mighub"],
            )
    for ax in list(axes.flat)[len(found) :]:
        ax.set_visible(False)
    m = data["meta"]
    fig.suptitle(
        f"mighub vs Alembic, {m['date']}, {m['machine']['nproc']} cores, "
        f"Python {m['machine']['python']}{' (--quick)' if m['quick'] else ''}"
    )
    fig.tight_layout()
    fig.savefig(dst, dpi=100)


if __name__ == "__main__":
    main(*sys.argv[1:3])
