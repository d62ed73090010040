"""The graph commands through the CLI: revision, merge, heads, branches, history, show, edit."""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

import pytest

from mighub.config import load_config


@pytest.fixture
def env(run, project_dir: Path) -> Path:
    assert run("-q", "init", "migrations").exit_code == 0
    return project_dir / "migrations"


def new_revision(run, *args: str) -> str:
    result = run("revision", *args)
    assert result.exit_code == 0, result.stderr
    match = re.search(r"Generated (\S+)", result.stdout)
    assert match, result.stdout
    path = Path(match.group(1))
    return ast.literal_eval(re.search(r"^revision: str = (.+)$", path.read_text(), re.M).group(1))


def test_revision_writes_a_script_that_reads_back(run, env: Path) -> None:
    result = run("revision", "-m", "Create account table!", "--rev-id", "a1b2c3d4e5f6")
    assert result.exit_code == 0, result.stderr
    path = env / "versions" / "a1b2c3d4e5f6_create_account_table.py"
    assert result.stdout == f"Generated {path}\n"
    text = path.read_text()
    assert text.startswith('"""Create account table!\n\nRevision ID: a1b2c3d4e5f6\nRevises: \n')
    assert "down_revision: str | Sequence[str] | None = None" in text
    ast.parse(text)
    assert run("heads").stdout == "a1b2c3d4e5f6 (head)\n"


def test_revisions_chain_onto_the_head(run, env: Path) -> None:
    first = new_revision(run, "-m", "one")
    second = new_revision(run, "-m", "two")
    assert run("heads").stdout == f"{second} (head)\n"
    assert run("history").stdout == (f"{first} -> {second} (head), two\n<base> -> {first}, one\n")


def test_new_root_with_branch_label_then_build_on_it(run, env: Path) -> None:
    main = new_revision(run, "-m", "main line")
    billing = new_revision(run, "-m", "billing", "--head", "base", "--branch-label", "billing")
    invoices = new_revision(run, "-m", "invoices", "--head", "billing@head")
    heads = run("heads").stdout.splitlines()
    assert sorted(heads) == sorted([f"{main} (head)", f"{invoices} (billing) (head)"])
    result = run("revision", "-m", "ambiguous")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: Multiple heads are present (")
    assert "merge them first" in result.stderr
    assert json.loads(run("show", billing, "--json").stdout)["revisions"][0]["branch_labels"] == [
        "billing"
    ]


def test_splice_needed_for_a_non_head(run, env: Path) -> None:
    first = new_revision(run, "-m", "one")
    new_revision(run, "-m", "two")
    result = run("revision", "-m", "side", "--head", first)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: Revision {first} is not a head revision; pass --splice to start a new "
        "branch from it\n"
    )
    side = new_revision(run, "-m", "side", "--head", first, "--splice")
    out = run("branches").stdout
    assert out.startswith(f"{first} (branchpoint), one\n")
    assert f" -> {side} (head), side" in out


def test_merge_joins_heads(run, env: Path) -> None:
    base = new_revision(run, "-m", "base")
    left = new_revision(run, "-m", "left")
    right = new_revision(run, "-m", "right", "--head", base, "--splice")
    result = run("merge", "heads", "-m", "join", "--rev-id", "mmmm00000001")
    assert result.exit_code == 0, result.stderr
    path = env / "versions" / "mmmm00000001_join.py"
    text = path.read_text()
    parents = ast.literal_eval(re.search(r"^down_revision: .* = (.+)$", text, re.M).group(1))
    assert sorted(parents) == sorted([left, right])
    assert run("heads").stdout == "mmmm00000001 (head)\n"
    line = run("history").stdout.splitlines()[0]
    assert line.endswith(" -> mmmm00000001 (head) (mergepoint), join")
    result = run("merge", left, "-m", "alone")
    assert result.exit_code == 1
    assert "merge needs at least two revisions" in result.stderr


def test_depends_on_and_show(run, env: Path) -> None:
    base = new_revision(run, "-m", "base")
    other = new_revision(run, "-m", "other root", "--head", "base", "--branch-label", "other")
    dependent = new_revision(run, "-m", "needs other", "--head", base, "--depends-on", other)
    entry = run("show", dependent).stdout
    assert entry.startswith(f"Rev: {dependent} (head)\nParent: {base}\n")
    assert f"Also depends on: {other}\n" in entry
    assert "    needs other" in entry
    heads_plain = run("heads").stdout
    assert f"{other} (other) (effective head)" in heads_plain
    assert other not in run("heads", "--resolve-dependencies").stdout


def test_history_range_and_json(run, env: Path) -> None:
    revs = [new_revision(run, "-m", f"step {i}") for i in range(4)]
    out = run("history", "-r", f"{revs[1]}:{revs[2]}").stdout
    assert out == (f"{revs[1]} -> {revs[2]}, step 2\n{revs[0]} -> {revs[1]}, step 1\n")
    data = json.loads(run("history", "--json").stdout)
    assert [r["revision"] for r in data["revisions"]] == revs[::-1]
    assert data["revisions"][0]["is_head"] and data["revisions"][-1]["is_base"]
    result = run("history", "-r", "nonsense")
    assert result.exit_code == 1
    assert (
        result.stderr == "Error: history -r nonsense: a range is START:END (either may be empty)\n"
    )


def test_partial_ids_and_ambiguity(run, env: Path) -> None:
    new_revision(run, "-m", "a", "--rev-id", "abc111111111")
    new_revision(run, "-m", "b", "--rev-id", "abc222222222")
    assert run("show", "abc1").stdout.startswith("Rev: abc111111111")
    result = run("show", "abc")
    assert result.exit_code == 1
    assert "abc111111111" in result.stderr and "abc222222222" in result.stderr


def test_file_template_and_timezone(run, env: Path, project_dir: Path) -> None:
    config = project_dir / "mighub.toml"
    config.write_text(
        config.read_text()
        + '\nfile_template = "%(year)d_%(month).2d_%(day).2d-%(rev)s_%(slug)s"\n'
        + 'timezone = "UTC"\ntruncate_slug_length = 10\n'
    )
    new_revision(run, "-m", "a rather long message here", "--rev-id", "feedfacecafe")
    (path,) = (env / "versions").glob("*.py")
    assert re.fullmatch(r"\d{4}_\d\d_\d\d-feedfacecafe_a_rather_\.py", path.name), path.name
    assert re.search(r"Create Date: .*\+00:00", path.read_text())


def test_several_version_locations(run, env: Path, project_dir: Path) -> None:
    config = project_dir / "mighub.toml"
    config.write_text(
        config.read_text() + '\nversion_locations = ["migrations/versions", "extra"]\n'
    )
    (project_dir / "extra").mkdir()
    result = run("revision", "-m", "root")
    assert result.exit_code == 1
    assert "pass --version-path" in result.stderr
    result = run("revision", "-m", "root", "--version-path", "extra", "--rev-id", "e1e1e1e1e1e1")
    assert result.exit_code == 0, result.stderr
    assert (project_dir / "extra" / "e1e1e1e1e1e1_root.py").is_file()
    new_revision(run, "-m", "child", "--rev-id", "c2c2c2c2c2c2")
    assert (project_dir / "extra" / "c2c2c2c2c2c2_child.py").is_file()  # follows its parent
    assert load_config().version_locations[1] == project_dir / "extra"


def test_post_write_hook_module(run, env: Path, project_dir: Path) -> None:
    tool = project_dir / "stamper.py"
    tool.write_text(
        "import sys\nfrom pathlib import Path\n"
        "p = Path(sys.argv[-1]); p.write_text('# stamped\\n' + p.read_text())\n"
    )
    config = project_dir / "mighub.toml"
    config.write_text(
        config.read_text()
        + '\n[[post_write_hooks]]\nname = "stamp"\ntype = "exec"\n'
        + f'executable = "{sys.executable}"\noptions = "{tool} REVISION_SCRIPT_FILENAME"\n'
    )
    result = run("revision", "-m", "hooked", "--rev-id", "h0h0h0h0h0h0")
    assert result.exit_code == 0, result.stderr
    assert "Running post-write hook 'stamp' on h0h0h0h0h0h0_hooked.py" in result.stdout
    assert (env / "versions" / "h0h0h0h0h0h0_hooked.py").read_text().startswith("# stamped\n")


def test_post_write_hook_ruff_formats_the_file(run, env: Path, project_dir: Path) -> None:
    config = project_dir / "mighub.toml"
    config.write_text(
        config.read_text()
        + '\n[[post_write_hooks]]\nname = "ruff"\ntype = "module"\nmodule = "ruff"\n'
        + 'options = "format --quiet REVISION_SCRIPT_FILENAME"\n'
    )
    result = run("revision", "-m", "formatted", "--rev-id", "f0f0f0f0f0f0")
    assert result.exit_code == 0, result.stderr
    text = (env / "versions" / "f0f0f0f0f0f0_formatted.py").read_text()
    assert 'revision: str = "f0f0f0f0f0f0"' in text  # ruff turned the repr's quotes double


def test_failing_post_write_hook_is_an_error(run, env: Path, project_dir: Path) -> None:
    config = project_dir / "mighub.toml"
    config.write_text(
        config.read_text()
        + '\n[[post_write_hooks]]\nname = "fails"\ntype = "exec"\nexecutable = "false"\n'
    )
    result = run("revision", "-m", "x", "--rev-id", "b0b0b0b0b0b0")
    assert result.exit_code == 1
    path = env / "versions" / "b0b0b0b0b0b0_x.py"
    assert result.stderr == (
        f"Error: post-write hook 'fails' failed on {path} with exit status 1\n"
    )


def test_post_write_hook_console_script_must_exist(run, env: Path, project_dir: Path) -> None:
    config = project_dir / "mighub.toml"
    config.write_text(
        config.read_text()
        + '\n[[post_write_hooks]]\nname = "nope"\ntype = "console_scripts"\n'
        + 'entrypoint = "no-such-tool-xyz"\n'
    )
    result = run("revision", "-m", "x")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: post-write hook 'nope': no installed console script named 'no-such-tool-xyz'\n"
    )


def test_edit_opens_the_file_in_the_editor(run, env: Path, project_dir, monkeypatch) -> None:
    rev = new_revision(run, "-m", "edit me")
    log = project_dir / "edited.txt"
    editor = project_dir / "editor.py"
    editor.write_text(f"import sys\nopen({str(log)!r}, 'a').write(sys.argv[1] + '\\n')\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)
    assert run("edit", rev[:6]).exit_code == 0
    (path,) = (env / "versions").glob(f"{rev}_*.py")
    assert log.read_text() == f"{path}\n"


def test_bad_header_names_file_and_variable(run, env: Path) -> None:
    path = env / "versions" / "broken.py"
    path.write_text('revision = "abc123"\ndown_revision = compute()\n')
    result = run("heads")
    assert result.exit_code == 1
    assert str(path) in result.stderr and "down_revision" in result.stderr
    assert result.stderr.count("\n") == 1
