"""Lifecycle hooks around each revision, and env.py's on_version_apply callback."""

from __future__ import annotations

import json

PLUGIN = """\
import json
from pathlib import Path

from mighub import hookimpl

LOG = Path(__file__).parent / "events.jsonl"


def write(event):
    with LOG.open("a") as fh:
        fh.write(json.dumps(event) + "\\n")


@hookimpl
def mighub_before_revision(context, step):
    write({"event": "before", "revision": step.revision.revision,
           "direction": step.direction, "dialect": context.dialect.name})


@hookimpl
def mighub_after_revision(context, step, duration):
    write({"event": "after", "revision": step.revision.revision,
           "duration_is_number": isinstance(duration, float)})
    if step.revision.revision == "bbbb00000002" and Path("veto").exists():
        raise RuntimeError("vetoed by the team plugin")


@hookimpl
def mighub_revision_failed(context, step, error, duration):
    write({"event": "failed", "revision": step.revision.revision,
           "direction": step.direction, "error": str(error),
           "duration_is_number": isinstance(duration, float)})
    if Path("noisy").exists():
        raise ValueError("the chat server is down")
"""


def add_plugin(project) -> None:
    (project.root / "team.py").write_text(PLUGIN)
    config = project.root / "mighub.toml"
    config.write_text(config.read_text() + '\nplugins = ["team.py"]\n')


def events(project) -> list[dict]:
    path = project.root / "events.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_mighub_before_revision_and_mighub_after_revision(sqlite_project) -> None:
    project = sqlite_project
    add_plugin(project)
    project.revision("aaaa00000001", None)
    project.revision("bbbb00000002", "aaaa00000001")
    project.ok("upgrade", "head")
    assert events(project) == [
        {
            "event": "before",
            "revision": "aaaa00000001",
            "direction": "upgrade",
            "dialect": "sqlite",
        },
        {"event": "after", "revision": "aaaa00000001", "duration_is_number": True},
        {
            "event": "before",
            "revision": "bbbb00000002",
            "direction": "upgrade",
            "dialect": "sqlite",
        },
        {"event": "after", "revision": "bbbb00000002", "duration_is_number": True},
    ]


def test_mighub_after_revision_can_veto_and_roll_back(sqlite_project) -> None:
    project = sqlite_project
    add_plugin(project)
    project.revision(
        "aaaa00000001",
        None,
        'op.create_table("kept", sa.Column("id", sa.Integer, primary_key=True))',
    )
    project.revision(
        "bbbb00000002",
        "aaaa00000001",
        'op.create_table("vetoed", sa.Column("id", sa.Integer, primary_key=True))',
    )
    (project.root / "veto").write_text("")
    result = project.run("upgrade", "head")
    assert result.exit_code == 1
    assert "vetoed by the team plugin" in result.stderr
    assert project.tables() == set()
    assert project.version_rows() == []


def test_on_version_apply_sees_each_step(sqlite_project) -> None:
    project = sqlite_project
    seen = project.record_version_applies("(step.up_revision_ids, step.is_upgrade, sorted(heads))")
    project.revision("aaaa00000001", None)
    project.revision("bbbb00000002", "aaaa00000001")
    project.ok("upgrade", "head")
    assert seen() == [
        [["aaaa00000001"], True, ["aaaa00000001"]],
        [["bbbb00000002"], True, ["bbbb00000002"]],
    ]


def test_mighub_revision_failed_reports_the_error_the_user_sees(sqlite_project) -> None:
    project = sqlite_project
    add_plugin(project)
    project.revision(
        "aaaa00000001", None, 'op.create_table("t", sa.Column("id", sa.Integer, primary_key=True))'
    )
    path = project.revision("bbbb00000002", "aaaa00000001", 'op.execute("SELECT nonsense(")')
    result = project.run("upgrade", "head")
    assert result.exit_code == 1
    error_line = result.stderr.strip().splitlines()[-1]
    assert error_line.startswith(
        f"Error: upgrade of revision bbbb00000002 ({path}) failed in ExecuteSQLOp: "
    )
    assert error_line.endswith("; the transaction was rolled back (nothing of this run was kept)")
    assert events(project)[1:] == [
        {"event": "after", "revision": "aaaa00000001", "duration_is_number": True},
        {
            "event": "before",
            "revision": "bbbb00000002",
            "direction": "upgrade",
            "dialect": "sqlite",
        },
        {
            "event": "failed",
            "revision": "bbbb00000002",
            "direction": "upgrade",
            "error": error_line.removeprefix("Error: "),
            "duration_is_number": True,
        },
    ]
    assert project.tables() == set()


def test_a_veto_in_mighub_after_revision_counts_as_a_failure(sqlite_project) -> None:
    project = sqlite_project
    add_plugin(project)
    project.revision("aaaa00000001", None)
    project.revision("bbbb00000002", "aaaa00000001")
    (project.root / "veto").write_text("")
    assert project.run("upgrade", "head").exit_code == 1
    failed = [e for e in events(project) if e["event"] == "failed"]
    assert [(e["revision"], e["direction"]) for e in failed] == [("bbbb00000002", "upgrade")]
    assert "RuntimeError: vetoed by the team plugin" in failed[0]["error"]


def test_downgrade_direction_reaches_every_hook(sqlite_project) -> None:
    project = sqlite_project
    add_plugin(project)
    project.revision("aaaa00000001", None, downgrade='op.execute("DROP TABLE missing")')
    project.ok("upgrade", "head")
    (project.root / "events.jsonl").unlink()
    assert project.run("downgrade", "base").exit_code == 1
    assert [(e["event"], e.get("direction")) for e in events(project)] == [
        ("before", "downgrade"),
        ("failed", "downgrade"),
    ]
    assert project.version_rows() == ["aaaa00000001"]


def test_a_failing_listener_warns_and_never_hides_the_error(sqlite_project) -> None:
    project = sqlite_project
    add_plugin(project)
    project.revision("aaaa00000001", None, 'op.execute("SELECT nonsense(")')
    (project.root / "noisy").write_text("")
    result = project.run("upgrade", "head")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert (
        "Warning: plugin 'team' failed in mighub_revision_failed: "
        "ValueError: the chat server is down"
    ) in lines
    assert lines[-1].startswith("Error: upgrade of revision aaaa00000001 (")
    assert [e["event"] for e in events(project)] == ["before", "failed"]
