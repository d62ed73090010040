"""Script directories on disk: loading, lazy imports, and writing new revisions."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import pytest

from mighub.script.directory import (
    Script,
    ScriptDirectory,
    _module_name,
    create_date,
    new_rev_id,
    revision_filename,
    slugify,
)
from mighub.script.errors import GraphError, MultipleHeadsError, ScriptError

TEMPLATE = '''\
"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
${imports if imports else ""}

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade():
    ${upgrades if upgrades else "pass"}


def downgrade():
    ${downgrades if downgrades else "pass"}
'''

NOW = dt.datetime(2026, 1, 2, 10, 30, 5)


def plain(rev: str, down=None, **extra) -> str:
    lines = [f'"""{extra.pop("doc", "message for " + rev)}"""', f"revision = {rev!r}"]
    lines.append(f"down_revision = {down!r}")
    for key, value in extra.items():
        lines.append(f"{key} = {value!r}")
    lines += [
        "",
        "def upgrade():",
        "    return 'up ' + revision",
        "",
        "def downgrade():",
        "    pass",
    ]
    return "\n".join(lines) + "\n"


@pytest.fixture
def versions(tmp_path: Path) -> Path:
    loc = tmp_path / "versions"
    loc.mkdir()
    return loc


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "script.py.mako"
    path.write_text(TEMPLATE)
    return path


def put(loc: Path, name: str, text: str) -> Path:
    path = loc / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# ---------------------------------------------------------------------------
# loading
# ---------------------------------------------------------------------------


def test_loads_scripts_and_skips_private_files(versions):
    put(versions, "a001_one.py", plain("a001"))
    put(versions, "b002_two.py", plain("b002", "a001"))
    put(versions, "__init__.py", "")
    put(versions, "_helpers.py", "x = 1\n")
    put(versions, "notes.txt", "revision = 'zzz'\n")
    put(versions, ".#a001_one.py", "lock")
    put(versions, "sub/c003.py", plain("c003", "b002"))  # not recursive: ignored
    sd = ScriptDirectory([versions])
    assert [s.revision for s in sd.revision_map] == ["a001", "b002"]
    assert sd.get_current_head() == "b002"
    script = sd.get_revision("b002")
    assert isinstance(script, Script)
    assert script.path == versions / "b002_two.py"
    assert script.doc == "message for b002"


def test_several_locations_in_order_and_recursive(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    put(one, "z_root.py", plain("a001", None, branch_labels="one"))
    put(two, "a_root.py", plain("x001", None, branch_labels="two"))
    put(two, "deep/er/y002.py", plain("y002", "x001"))
    put(two, "deep/b.py", plain("y001", "x001"))
    sd = ScriptDirectory([one, two, tmp_path / "missing"], recursive=True)
    assert [s.revision for s in sd.revision_map] == ["a001", "x001", "y001", "y002"]
    assert sd.get_heads() == ("a001", "y001", "y002")
    assert sd.get_bases() == ("a001", "x001")
    with pytest.raises(ScriptError, match=r"^The scripts have several bases \(a001, x001\)$"):
        sd.get_base()


def test_duplicate_revision_in_two_files_names_both(versions):
    put(versions, "a.py", plain("a001"))
    put(versions, "b.py", plain("a001"))
    with pytest.raises(GraphError) as info:
        ScriptDirectory([versions]).revision_map  # noqa: B018
    assert str(info.value) == (
        f"Revision id a001 is used twice: by {versions / 'a.py'} and by {versions / 'b.py'}"
    )


def test_same_file_reached_twice_is_read_once(tmp_path, versions):
    put(versions, "a.py", plain("a001"))
    os.link(versions / "a.py", versions / "hardlink.py")
    sd = ScriptDirectory([versions, versions])
    assert [s.revision for s in sd.revision_map] == ["a001"]


def test_graph_errors_name_the_file(versions):
    put(versions, "b.py", plain("b002", "a001"))
    with pytest.raises(GraphError) as info:
        ScriptDirectory([versions]).revision_map  # noqa: B018
    assert str(info.value) == (
        f"Revision b002 ({versions / 'b.py'}) has down_revision 'a001', which is not a revision "
        "in the version locations"
    )


def test_multiple_heads_message_for_current_head(versions):
    put(versions, "a.py", plain("a001"))
    put(versions, "b.py", plain("b002", "a001"))
    put(versions, "c.py", plain("c003", "a001"))
    with pytest.raises(MultipleHeadsError) as info:
        ScriptDirectory([versions]).get_current_head()
    assert str(info.value) == (
        "The scripts have several heads (b002, c003); merge them with 'mighub merge heads' or "
        "name the head you mean"
    )


def test_no_locations_is_an_error():
    with pytest.raises(ScriptError, match=r"^No version locations configured$"):
        ScriptDirectory([])


# ---------------------------------------------------------------------------
# lazy module import
# ---------------------------------------------------------------------------


def test_reading_the_graph_never_imports_a_script(versions):
    put(versions, "a.py", 'revision = "a001"\nraise RuntimeError("imported!")\n')
    sd = ScriptDirectory([versions])
    script = sd.get_revision("a001")
    assert script.revision == "a001"
    assert _module_name(script.path) not in sys.modules
    with pytest.raises(ScriptError) as info:
        script.module  # noqa: B018
    assert str(info.value) == (
        f"{script.path}: importing the revision script failed: RuntimeError: imported!"
    )
    assert _module_name(script.path) not in sys.modules


def test_module_is_imported_on_first_use_only(versions):
    put(versions, "a.py", plain("a001"))
    script = ScriptDirectory([versions]).get_revision("a001")
    fn = script.migration_function("upgrade")
    assert fn() == "up a001"
    assert script.module is sys.modules[_module_name(script.path)]
    assert script.module is script.module
    del sys.modules[_module_name(script.path)]


def test_missing_migration_function(versions):
    put(versions, "a.py", 'revision = "a001"\n')
    script = ScriptDirectory([versions]).get_revision("a001")
    with pytest.raises(ScriptError, match=r"a\.py: has no downgrade\(\) function$"):
        script.migration_function("downgrade")
    del sys.modules[_module_name(script.path)]


def test_syntax_error_found_at_import_names_file_and_line(versions):
    put(versions, "a.py", 'revision = "a001"\n\ndef upgrade(:\n    pass\n')
    script = ScriptDirectory([versions]).get_revision("a001")
    with pytest.raises(ScriptError) as info:
        script.module  # noqa: B018
    assert str(info.value).startswith(f"{script.path}, line 3: syntax error:")


def test_header_changed_by_code_is_refused(versions):
    put(versions, "a.py", plain("a001"))
    put(
        versions,
        "b.py",
        'revision = "b002"\ndown_revision = "a001"\ndown_revision = None or "a001"\n',
    )
    # the last assignment isn't a literal: reading refuses it already
    with pytest.raises(ScriptError, match=r"down_revision must be a literal"):
        ScriptDirectory([versions]).revision_map  # noqa: B018
    put(
        versions,
        "b.py",
        'revision = "b002"\ndown_revision = "a001"\nglobals()["down_revision"] = None\n',
    )
    script = ScriptDirectory([versions]).get_revision("b002")
    with pytest.raises(ScriptError) as info:
        script.module  # noqa: B018
    assert str(info.value) == (
        f"{script.path}: running the script gives revision='b002', down_revision=(), but its "
        "literal header says revision='b002', down_revision=('a001',); header values must not "
        "be changed by code"
    )


# ---------------------------------------------------------------------------
# naming new files
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "length", "slug"),
    [
        ("Add account table", 40, "add_account_table"),
        ("add a 'very' long message, with punctuation!", 20, "add_a_very_long_"),
        ("x" * 50, 10, "xxxxxxxxxx_"),
        (None, 40, ""),
        ("Ünïcode wörds", 40, "ünïcode_wörds"),
    ],
)
def test_slug(message, length, slug):
    assert slugify(message, length) == slug


def test_file_template_tokens():
    when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    assert revision_filename("%(rev)s_%(slug)s", "abc", "Add x", when) == "abc_add_x.py"
    assert (
        revision_filename(
            "%(year)d/%(month).2d/%(day).2d_%(hour).2d%(minute).2d%(second).2d_%(epoch)s_%(rev)s",
            "abc",
            None,
            when,
        )
        == "2026/01/02_030405_1767323045_abc.py"
    )


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            "%(nope)s",
            "file_template '%(nope)s' uses unknown token 'nope'; available tokens: rev, slug, "
            "epoch, year, month, day, hour, minute, second",
        ),
        ("%(rev)", "file_template '%(rev)' is not a valid template: incomplete format"),
        (
            "../%(rev)s",
            "file_template '../%(rev)s' gives '../abc.py', which leaves or skips "
            "folders of the version location",
        ),
    ],
)
def test_file_template_errors(template, message):
    with pytest.raises(ScriptError) as info:
        revision_filename(template, "abc", None, NOW)
    assert str(info.value) == message


def test_new_rev_id_shape():
    ids = {new_rev_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(len(i) == 12 and int(i, 16) >= 0 for i in ids)


def test_timezones():
    moment = dt.datetime(2026, 1, 2, 10, 0, tzinfo=dt.timezone.utc)
    assert create_date("Europe/Paris", moment).hour == 11
    assert create_date("utc", moment).utcoffset() == dt.timedelta(0)  # retried upper-cased
    assert create_date(None, NOW) == NOW
    with pytest.raises(ScriptError) as info:
        create_date("Mars/Olympus_Mons", moment)
    assert str(info.value) == (
        "Unknown timezone 'Mars/Olympus_Mons': the 'timezone' setting needs an IANA key such as "
        "'UTC' or 'Europe/Paris' (on Windows, install the tzdata package)"
    )


# ---------------------------------------------------------------------------
# generate_revision
# ---------------------------------------------------------------------------


def test_first_revision(versions, template):
    sd = ScriptDirectory([versions])
    script = sd.generate_revision(template, "Create account table", rev_id="a001", now=NOW)
    assert script.path == versions / "a001_create_account_table.py"
    assert script.down_revisions == ()
    text = script.path.read_text()
    assert text.startswith('"""Create account table\n\nRevision ID: a001\nRevises: \n')
    assert "Create Date: 2026-01-02 10:30:05" in text
    assert "down_revision = None\nbranch_labels = None\ndepends_on = None\n" in text
    assert "    pass\n" in text
    assert sd.get_heads() == ("a001",)


def test_next_revision_builds_on_head_and_renders_template_args(versions, template):
    sd = ScriptDirectory([versions])
    sd.generate_revision(template, "one", rev_id="a001", now=NOW)
    script = sd.generate_revision(
        template,
        "two",
        rev_id="b002",
        now=NOW,
        template_args={"upgrades": "op.do_it()", "imports": "import json"},
    )
    assert script.down_revisions == ("a001",)
    text = script.path.read_text()
    assert "Revises: a001\n" in text and "import json\n" in text and "    op.do_it()\n" in text
    assert sd.get_heads() == ("b002",)


def test_default_message_and_random_id(versions, template):
    script = ScriptDirectory([versions]).generate_revision(template, None, now=NOW)
    assert len(script.revision) == 12
    assert script.doc == "empty message"
    assert script.path.name == f"{script.revision}_.py"


def test_several_heads_need_head_or_merge(versions, template):
    put(versions, "a.py", plain("a001"))
    put(versions, "b.py", plain("b002", "a001"))
    put(versions, "c.py", plain("c003", "a001"))
    sd = ScriptDirectory([versions])
    with pytest.raises(MultipleHeadsError) as info:
        sd.generate_revision(template, "x", now=NOW)
    assert str(info.value) == (
        "Multiple heads are present (b002, c003); pass --head to say which one the new revision "
        "builds on, or merge them first"
    )
    merged = sd.generate_revision(template, "merge", rev_id="m004", head="heads", now=NOW)
    assert merged.down_revisions == ("b002", "c003")
    assert "down_revision = ('b002', 'c003')" in merged.path.read_text()
    assert "Revises: b002, c003\n" in merged.path.read_text()
    assert sd.get_heads() == ("m004",)


def test_non_head_needs_splice(versions, template):
    put(versions, "a.py", plain("a001"))
    put(versions, "b.py", plain("b002", "a001"))
    sd = ScriptDirectory([versions])
    with pytest.raises(ScriptError) as info:
        sd.generate_revision(template, "x", head="a001", now=NOW)
    assert str(info.value) == (
        "Revision a001 is not a head revision; pass --splice to start a new branch from it"
    )
    spliced = sd.generate_revision(template, "x", rev_id="c003", head="a001", splice=True, now=NOW)
    assert spliced.down_revisions == ("a001",)
    assert sd.get_heads() == ("b002", "c003")


def test_new_root_with_branch_label(versions, template):
    put(versions, "a.py", plain("a001"))
    sd = ScriptDirectory([versions])
    root = sd.generate_revision(
        template, "networking", rev_id="n001", head="base", branch_labels="net", now=NOW
    )
    assert root.down_revisions == () and root.own_branch_labels == ("net",)
    assert "branch_labels = ('net',)" in root.path.read_text()
    child = sd.generate_revision(template, "more", rev_id="n002", head="net@head", now=NOW)
    assert child.down_revisions == ("n001",)
    with pytest.raises(ScriptError, match=r"^Branch label 'net' is already used by revision n001$"):
        sd.generate_revision(template, "again", head="base", branch_labels="net", now=NOW)


def test_depends_on_resolves_partial_ids_and_keeps_labels(versions, template):
    put(versions, "a.py", plain("a001", None, branch_labels="core"))
    put(versions, "b.py", plain("b0022222", "a001"))
    sd = ScriptDirectory([versions])
    script = sd.generate_revision(
        template, "x", rev_id="x001", head="base", depends_on=["b002", "core"], now=NOW
    )
    assert script.dependencies == ("b0022222", "core")
    assert script.resolved_dependencies == ("b0022222", "a001")


def test_rev_id_checks(versions, template):
    put(versions, "a.py", plain("a001"))
    sd = ScriptDirectory([versions])
    with pytest.raises(ScriptError) as info:
        sd.generate_revision(template, "x", rev_id="a001", now=NOW)
    assert str(info.value) == (
        f"Revision id a001 already exists ({versions / 'a.py'}); pick another"
    )
    with pytest.raises(ScriptError) as info:
        sd.generate_revision(template, "x", rev_id="a-1", now=NOW)
    assert str(info.value) == (
        "--rev-id: revision id 'a-1' contains '-'; revision ids may not contain '@', '-', '+' "
        "or ':'"
    )


def test_several_locations(tmp_path, template):
    one, two = tmp_path / "one", tmp_path / "two"
    put(one, "a.py", plain("a001"))
    two.mkdir()
    sd = ScriptDirectory([one, two])
    child = sd.generate_revision(template, "child", rev_id="b002", now=NOW)
    assert child.path.parent == one  # next to its parent
    with pytest.raises(ScriptError) as info:
        sd.generate_revision(template, "root", head="base", branch_labels="x", now=NOW)
    assert str(info.value) == (
        "Several version locations are configured; pass --version-path to say where the new "
        "revision goes"
    )
    root = sd.generate_revision(
        template, "root", rev_id="x001", head="base", version_path=two, now=NOW
    )
    assert root.path.parent == two
    with pytest.raises(ScriptError, match=r"is not one of the version locations"):
        sd.generate_revision(template, "r", head="base", version_path=tmp_path / "else", now=NOW)


def test_file_template_with_folders_needs_recursive(versions, template):
    sd = ScriptDirectory([versions])
    with pytest.raises(ScriptError) as info:
        sd.generate_revision(
            template, "x", file_template="%(year)d/%(rev)s", rev_id="a001", now=NOW
        )
    assert str(info.value) == (
        "file_template '%(year)d/%(rev)s' puts revisions in sub-folders (2026/a001.py); set "
        "recursive_version_locations = true so they are found again"
    )
    sd = ScriptDirectory([versions], recursive=True)
    script = sd.generate_revision(
        template, "x", file_template="%(year)d/%(rev)s", rev_id="a001", now=NOW
    )
    assert script.path == versions / "2026" / "a001.py"
    child = sd.generate_revision(
        template, "y", file_template="%(year)d/%(rev)s", rev_id="b002", now=NOW
    )
    assert child.path == versions / "2026" / "b002.py"


def test_template_without_branch_labels_is_refused_and_file_removed(versions, tmp_path):
    bad = tmp_path / "bad.mako"
    bad.write_text("revision = ${repr(up_revision)}\ndown_revision = ${repr(down_revision)}\n")
    sd = ScriptDirectory([versions])
    with pytest.raises(ScriptError) as info:
        sd.generate_revision(bad, "x", rev_id="a001", head="base", branch_labels="lab", now=NOW)
    assert str(info.value).startswith(f"{bad}: the template doesn't write branch_labels as asked")
    assert list(versions.iterdir()) == []


def test_template_errors_are_reported(versions, tmp_path):
    bad = tmp_path / "bad.mako"
    bad.write_text("${undefined_thing.attr}\n")
    with pytest.raises(ScriptError, match=r"bad\.mako: rendering the revision template failed"):
        ScriptDirectory([versions]).generate_revision(bad, "x", rev_id="a001", now=NOW)


def test_existing_file_is_not_overwritten(versions, template):
    put(versions, "a001_x.py", plain("zzz1"))
    with pytest.raises(ScriptError) as info:
        ScriptDirectory([versions]).generate_revision(template, "x", rev_id="a001", now=NOW)
    assert str(info.value) == f"{versions / 'a001_x.py'}: already exists; not overwriting it"
    assert "zzz1" in (versions / "a001_x.py").read_text()


def test_directory_wrappers_delegate_to_the_graph(versions):
    put(versions, "a.py", plain("a001"))
    put(versions, "b.py", plain("b002", "a001"))
    sd = ScriptDirectory([versions], use_cache=False)
    assert [s.revision for s in sd] == ["a001", "b002"]
    assert [s.revision for s in sd.get_revisions("heads")] == ["b002"]
    assert [s.revision for s in sd.walk_revisions()] == ["b002", "a001"]
    assert [s.revision.revision for s in sd.upgrade_steps((), "heads")] == ["a001", "b002"]
    assert [s.revision.revision for s in sd.downgrade_steps(("b002",), "base")] == ["b002", "a001"]
    assert sd.stamp_steps((), "heads")[0].to == ("b002",)
    assert sd.get_base() == "a001"
    put(versions, "c.py", plain("c003", "b002"))
    assert sd.get_current_head() == "b002"
    sd.refresh()
    assert sd.get_current_head() == "c003"
    assert not (versions / "__pycache__").exists()


def test_empty_directory(versions):
    sd = ScriptDirectory([versions])
    assert sd.get_heads() == () and sd.get_current_head() is None and sd.get_base() is None


def test_module_registered_by_another_directory_is_reused(versions):
    put(versions, "a.py", plain("a001"))
    first = ScriptDirectory([versions]).get_revision("a001").module
    assert ScriptDirectory([versions]).get_revision("a001").module is first
    del sys.modules[_module_name(versions / "a.py")]


def test_naive_now_is_taken_as_utc_for_a_timezone():
    assert create_date("Europe/Paris", dt.datetime(2026, 7, 1, 10, 0)).hour == 12


def test_verify_finds_problems_below_the_header(versions):
    put(versions, "a.py", plain("a001"))
    put(versions, "b.py", 'revision = "b002"\ndown_revision = "a001"\n\ndef upgrade(:\n    pass\n')
    sd = ScriptDirectory([versions])
    assert sd.get_heads() == ("b002",)  # the header reads fine
    problems = sd.verify()
    assert [str(p) for p in problems] == [
        f"{versions / 'b.py'}, line 4: syntax error: invalid syntax"
    ]
    put(versions, "b.py", plain("b002", "a001"))
    assert ScriptDirectory([versions]).verify() == []


def test_synthetic_histories_load_through_the_fast_scanner(tmp_path, make_graph):
    from mighub.script.headers import _decode_fast, scan_header_text

    linear = tmp_path / "linear"
    make_graph.write(linear, make_graph.linear(300))
    branched = tmp_path / "branched"
    specs = make_graph.merged_branches(400, 40)
    make_graph.write(branched, specs)
    for folder in (linear, branched):
        for path in folder.glob("*.py"):
            assert scan_header_text(_decode_fast(path.read_bytes())) is not None, path
    sd = ScriptDirectory([linear])
    assert len(sd.get_heads()) == 1 and len(sd.upgrade_steps((), "heads")) == 300
    sd = ScriptDirectory([branched])
    assert len(sd.revision_map) == 400 == len(specs)
    assert sd.get_heads() == (specs[-1].rev,)
    assert sum(1 for s in sd.revision_map if s.is_merge_point) == 40
    steps = sd.upgrade_steps((), "heads")
    rows: tuple[str, ...] = ()
    for step in steps:
        rows = step.apply(rows)
    assert rows == (specs[-1].rev,)


def test_changed_script_is_imported_again_in_the_same_process(tmp_path) -> None:
    import os

    from mighub.script.directory import load_module

    path = tmp_path / "abc_rev.py"
    path.write_text('revision = "abc"\ndown_revision = None\nVALUE = 1\n')
    assert load_module(path).VALUE == 1
    assert load_module(path) is load_module(path)  # unchanged: the same module
    path.write_text('revision = "abc"\ndown_revision = None\nVALUE = 22\n')
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert load_module(path).VALUE == 22


# ---------------------------------------------------------------------------
# the bytecode cache of revision scripts
# ---------------------------------------------------------------------------


def _fresh_script(tmp_path: Path, value: int) -> Path:
    path = tmp_path / "abc_rev.py"
    path.write_text(f'revision = "abc"\ndown_revision = None\nVALUE = {value}\n')
    os.utime(path, (1_700_000_000, 1_700_000_000))
    return path


def _forget(path: Path) -> None:
    sys.modules.pop(_module_name(path), None)


def test_script_bytecode_is_written_then_used(tmp_path, monkeypatch) -> None:
    import importlib.util
    import marshal

    from mighub.script.directory import load_module

    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    path = _fresh_script(tmp_path, 1)
    module = load_module(path)
    cached = Path(importlib.util.cache_from_source(str(path)))
    assert module.VALUE == 1
    assert module.__file__ == str(path) and module.__cached__ == str(cached)
    assert cached.is_file()
    # The cache is trusted while its header matches the source's mtime and size, as
    # Python's own import does: a body swapped behind the header is what runs.
    header = cached.read_bytes()[:16]
    cached.write_bytes(header + marshal.dumps(compile("VALUE = 7", str(path), "exec")))
    _forget(path)
    assert load_module(path).VALUE == 7


def test_stale_or_broken_script_bytecode_is_not_used(tmp_path, monkeypatch) -> None:
    import importlib.util

    from mighub.script.directory import load_module

    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    path = _fresh_script(tmp_path, 1)
    assert load_module(path).VALUE == 1
    cached = Path(importlib.util.cache_from_source(str(path)))
    # same size, another second: the header no longer matches
    path.write_text(path.read_text().replace("VALUE = 1", "VALUE = 2"))
    os.utime(path, (1_700_000_100, 1_700_000_100))
    _forget(path)
    assert load_module(path).VALUE == 2
    # a matching header over a body that is not code: removed, and the source compiled anew
    cached.write_bytes(cached.read_bytes()[:16] + b"\x00garbage")
    _forget(path)
    assert load_module(path).VALUE == 2
    assert b"garbage" not in cached.read_bytes()


def test_hash_based_script_bytecode_is_checked_against_the_source(tmp_path) -> None:
    import py_compile

    from mighub.script.directory import load_module

    path = _fresh_script(tmp_path, 1)
    py_compile.compile(str(path), invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
    path.write_text(path.read_text().replace("VALUE = 1", "VALUE = 3"))
    _forget(path)
    assert load_module(path).VALUE == 3


def test_a_failing_script_shows_its_source_line(tmp_path) -> None:
    import traceback

    from mighub.script.directory import load_module

    path = tmp_path / "abc_rev.py"
    path.write_text('revision = "abc"\ndown_revision = None\n\ndef upgrade():\n    1 / 0\n')
    module = load_module(path)
    with pytest.raises(ZeroDivisionError) as info:
        module.upgrade()
    assert "    1 / 0" in "".join(traceback.format_tb(info.tb))


def test_a_moved_project_reports_the_scripts_new_path(tmp_path, monkeypatch) -> None:
    """Bytecode copied along with the project (a container image, a renamed checkout)
    names the old path; tracebacks must name where the script is now."""
    import shutil

    from mighub.script.directory import load_module

    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    old = tmp_path / "old"
    old.mkdir()
    path = old / "abc_rev.py"
    path.write_text('revision = "abc"\ndown_revision = None\n\ndef upgrade():\n    1 / 0\n')
    load_module(path)
    new = tmp_path / "new"
    shutil.copytree(old, new)  # keeps the modification times, so the bytecode is valid
    shutil.rmtree(old)
    module = load_module(new / "abc_rev.py")
    assert module.upgrade.__code__.co_filename == str(new / "abc_rev.py")


def test_a_new_script_is_in_the_state_that_revision_reset_gives() -> None:
    """Script.__init__ inlines Revision._reset; the two must set the same fields."""
    from mighub.script.graph import Revision
    from mighub.script.headers import ScriptHeader

    header = ScriptHeader("b2", ("a1",), ("feature",), ("c3",), "doc")
    fresh = Script(header, "versions/b2_x.py")
    reset = Script(header, "versions/b2_x.py")
    for slot in Revision.__slots__:
        setattr(reset, slot, "stale")
    reset.revision = "b2"
    reset.down_revisions, reset.dependencies = ("a1",), ("c3",)
    reset.own_branch_labels = ("feature",)
    reset._path = "versions/b2_x.py"
    reset._reset()
    for slot in Revision.__slots__:
        assert getattr(fresh, slot) == getattr(reset, slot), slot
