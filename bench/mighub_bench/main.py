"""``python bench/run.py``: build the environments and scenarios, measure, report."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from . import report, scenarios, venvs
from .imports import as_json, check_imports
from .paths import BENCH, RESULTS, WORK
from .postgres import DEFAULT_URL, Server
from .projects import clean_env, init_skeletons
from .targets import evaluate


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python bench/run.py",
        description="Benchmark mighub against Alembic on the same scenarios (see bench/README.md).",
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="a smoke pass: small sizes, 3 rounds (about a minute once the environments exist)",
    )
    p.add_argument(
        "--only",
        action="append",
        metavar="S2",
        help="run only these scenarios (S0..S6; repeatable or comma-separated)",
    )
    p.add_argument(
        "--pg-url", default=DEFAULT_URL, help="PostgreSQL admin URL (default: %(default)s)"
    )
    p.add_argument(
        "--alembic", default=venvs.ALEMBIC_SPEC, help="Alembic requirement (default: %(default)s)"
    )
    p.add_argument("--no-plot", action="store_true", help="do not draw the scaling plot")
    p.add_argument(
        "--output",
        type=Path,
        help="where to write the JSON (default: bench/results/latest.json for a full run, "
        "else bench/.work/results/<kind>.json)",
    )
    return p.parse_args(argv)


def selected(only: list[str] | None) -> list[str]:
    if not only:
        return list(scenarios.SCENARIOS)
    names = [s.strip().upper() for item in only for s in item.split(",") if s.strip()]
    unknown = [s for s in names if s not in scenarios.SCENARIOS]
    if unknown:
        raise SystemExit(
            f"unknown scenario(s): {', '.join(unknown)}; known: {', '.join(scenarios.SCENARIOS)}"
        )
    return [s for s in scenarios.SCENARIOS if s in names]


def summary_line(case: scenarios.Case) -> str:
    parts = []
    for res in case.results:
        if res.ok:
            med = sorted(x.seconds for x in res.samples)[len(res.samples) // 2]
            parts.append(f"{res.subject.role} {report.fmt_seconds(med)}")
        else:
            parts.append(f"{res.subject.role} {res.status}")
    data = report.case_json(case)
    ratio = data.get("ratio_vs_alembic")
    tail = f" -> mighub/alembic {ratio['median']:.3f}" if ratio else ""
    return f"  {case.title}: {', '.join(parts)}{tail}"


def plot(data_path: Path, png: Path) -> str | None:
    """Draw the scaling plot with matplotlib, in the plot environment; the error if it fails."""
    try:
        python = venvs.plot_python(log)
    except Exception as exc:
        return f"could not build the plot environment: {exc}"
    done = subprocess.run(
        [str(python), str(BENCH / "plot.py"), str(data_path), str(png)],
        capture_output=True,
        text=True,
        env=clean_env(),
        check=False,
    )
    return None if done.returncode == 0 else (done.stderr.strip() or "plot.py failed")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = selected(args.only)
    full = not args.quick and not args.only
    started = time.perf_counter()
    load_before = os.getloadavg()

    log("Preparing the virtual environments (bench/.work/venvs)")
    tools = venvs.prepare(log, args.alembic)
    env = clean_env()
    skeletons = init_skeletons(
        {"mighub": tools.mighub.bin("mighub"), "alembic": tools.alembic.bin("alembic")}
    )
    server = Server(args.pg_url, tools.python)
    if server.ping():
        log(f"PostgreSQL: {server.version.split(',')[0] if server.version else '?'}")
    else:
        log(f"PostgreSQL not reachable ({server.error}): its cases are reported as skipped")
    ctx = scenarios.Context(tools, skeletons, env, server, args.quick, log)

    log(f"Generating the scenario projects: {', '.join(names)}")
    cases: list[scenarios.Case] = []
    for name in names:
        cases += scenarios.SCENARIOS[name][1](ctx)
    # Write back what pip and the generators left in the page cache now, so that
    # the writeback does not slow the fsyncs of the first measured runs.
    os.sync()
    scenarios.settle(time.time())

    imports: list[dict[str, Any]] | None = None
    try:
        if "S0" in names:
            log("Import check (issue 3)")
            imports = as_json(check_imports(ctx))
        for case in cases:
            temperature = "warm" if case.warm else "cold"
            log(f"[{case.scenario}] {case.title} ({case.rounds} rounds, {temperature})")
            case.run(env)
            log(summary_line(case))
    finally:
        try:
            server.cleanup()
        except Exception as exc:
            log(f"could not drop the scratch databases: {exc}")

    case_data = [report.case_json(c) for c in cases]
    total = time.perf_counter() - started
    data: dict[str, Any] = {
        "meta": {
            "date": report.now(),
            "quick": args.quick,
            "scenarios": names,
            "total_seconds": total,
            "machine": report.machine(),
            "git": report.git_state(),
            "versions": tools.versions,
            "postgresql": server.version.split(",")[0] if server.version else None,
            "load_average": {"start": load_before, "end": os.getloadavg()},
            "method": "fresh subprocess per run; rounds alternate mighub, Alembic, floor(s); "
            "wall time by perf_counter around Popen+wait4, peak RSS from wait4's ru_maxrss",
        },
        "cases": case_data,
        "imports": imports,
        "targets": evaluate({c["id"]: c for c in case_data}, imports),
    }
    kind = "latest" if full else ("quick" if args.quick else "partial")
    out = args.output or (RESULTS / "latest.json" if full else WORK / "results" / f"{kind}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=1) + "\n")
    md = report.markdown(data)
    print(md)
    log(f"\nResults: {out}")
    if full:
        (RESULTS / "latest.md").write_text(md + "\n")
        report.update_readme(BENCH / "README.md", md)
        log(f"Table: {RESULTS / 'latest.md'} and bench/README.md")
    if not args.no_plot and any(c["series"] for c in case_data):
        png = out.with_name(f"{out.stem}-scaling.png") if not full else RESULTS / "scaling.png"
        error = plot(out, png)
        log(f"Plot: {png}" if error is None else f"Plot failed: {error}")
    failed = [
        c
        for c in case_data
        for r in [c["mighub"], c["alembic"], *c["floors"]]
        if r and r["status"] == "failed"
    ]
    log(
        f"Done in {total / 60:.1f} min"
        + (f"; {len(failed)} case(s) with failures" if failed else "")
    )
    return 1 if failed else 0
