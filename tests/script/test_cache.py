"""The header cache: used when valid, never stale, and harmless when broken or unwritable."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mighub.script import headers
from mighub.script.errors import ScriptError
from mighub.script.headers import CACHE_NAME, read_location


def script(rev: str, down: str | None = None, doc: str = "doc") -> str:
    return f'"""{doc}"""\nrevision = {rev!r}\ndown_revision = {down!r}\n'


@pytest.fixture
def location(tmp_path: Path) -> Path:
    loc = tmp_path / "versions"
    loc.mkdir()
    (loc / "a001_first.py").write_text(script("a001"))
    (loc / "b002_second.py").write_text(script("b002", "a001"))
    return loc


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the files actually read (the cache missed)."""
    seen: list[str] = []
    real = headers.read_header

    def counting(path, *args):
        seen.append(Path(path).name)
        return real(path, *args)

    monkeypatch.setattr(headers, "read_header", counting)
    return seen


def cache_file(loc: Path) -> Path:
    return loc / "__pycache__" / CACHE_NAME


def revisions(loc: Path, **kw) -> list[tuple[str, tuple[str, ...]]]:
    return [(h.revision, h.down_revision) for _, h in read_location(loc, **kw)]


def test_second_run_reads_no_script(location, reads, cache_everything):
    first = read_location(location)
    assert reads == ["a001_first.py", "b002_second.py"]
    assert cache_file(location).is_file()
    reads.clear()
    assert read_location(location) == first
    assert reads == []


def test_unchanged_cache_is_not_rewritten(location, cache_everything):
    read_location(location)
    before = cache_file(location).stat()
    read_location(location)
    after = cache_file(location).stat()
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)


def test_edit_with_same_size_and_mtime_is_still_seen(location, reads, cache_everything):
    read_location(location)
    path = location / "b002_second.py"
    st = path.stat()
    path.write_text(script("b002", "a009"))  # same length as before
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size
    reads.clear()
    assert revisions(location) == [("a001", ()), ("b002", ("a009",))]
    assert reads == ["b002_second.py"]


def test_added_and_removed_files(location, reads, cache_everything):
    read_location(location)
    (location / "c003_third.py").write_text(script("c003", "b002"))
    (location / "a001_first.py").unlink()
    reads.clear()
    assert revisions(location) == [("b002", ("a001",)), ("c003", ("b002",))]
    assert reads == ["c003_third.py"]
    reads.clear()
    assert revisions(location) == [("b002", ("a001",)), ("c003", ("b002",))]
    assert reads == []


def test_recently_written_files_are_not_cached_yet(location, reads):
    # without the cache_everything fixture: files written a moment ago could
    # still change within the same clock tick, so they are read every time
    read_location(location)
    reads.clear()
    read_location(location)
    assert reads == ["a001_first.py", "b002_second.py"]


def test_corrupt_cache_is_ignored_and_replaced(location, reads, cache_everything):
    read_location(location)
    cache_file(location).write_bytes(b"\x00garbage")
    reads.clear()
    assert revisions(location) == [("a001", ()), ("b002", ("a001",))]
    assert len(reads) == 2
    reads.clear()
    read_location(location)
    assert reads == []


def test_cache_of_the_wrong_shape_is_ignored(location, cache_everything):
    import marshal

    cache_file(location).parent.mkdir()
    cache_file(location).write_bytes(marshal.dumps((CACHE_NAME, {"a001_first.py": (1, 2)})))
    assert revisions(location) == [("a001", ()), ("b002", ("a001",))]
    cache_file(location).write_bytes(marshal.dumps(["not", "a", "cache"]))
    assert revisions(location) == [("a001", ()), ("b002", ("a001",))]


def test_unwritable_cache_location_is_harmless(location, cache_everything):
    (location / "__pycache__").write_text("a file where the folder should be")
    assert revisions(location) == [("a001", ()), ("b002", ("a001",))]
    assert revisions(location) == [("a001", ()), ("b002", ("a001",))]


def test_read_only_checkout(location, cache_everything):
    os.chmod(location, 0o555)
    try:
        assert revisions(location) == [("a001", ()), ("b002", ("a001",))]
    finally:
        os.chmod(location, 0o755)


def test_deleting_the_cache_is_safe(location, reads, cache_everything):
    read_location(location)
    cache_file(location).unlink()
    reads.clear()
    assert revisions(location) == [("a001", ()), ("b002", ("a001",))]
    assert len(reads) == 2


def test_cache_can_be_turned_off(location, reads, cache_everything):
    read_location(location, use_cache=False)
    read_location(location, use_cache=False)
    assert not cache_file(location).exists()
    assert len(reads) == 4


def test_no_cache_is_written_when_python_writes_no_bytecode(
    location, reads, cache_everything, monkeypatch
):
    monkeypatch.setattr("sys.dont_write_bytecode", True)
    read_location(location)
    assert not cache_file(location).exists()
    monkeypatch.setattr("sys.dont_write_bytecode", False)
    read_location(location)
    assert cache_file(location).exists()
    monkeypatch.setattr("sys.dont_write_bytecode", True)
    read_location(location)  # an existing cache is still read
    assert reads == ["a001_first.py", "b002_second.py"] * 2


def test_broken_script_is_reported_every_time(location, cache_everything):
    (location / "c003_bad.py").write_text("revision = compute()\n")
    for _ in range(2):
        with pytest.raises(ScriptError, match=r"c003_bad\.py, line 1: revision must be a literal"):
            read_location(location)


def test_subfolders_share_the_location_cache(tmp_path, reads, cache_everything):
    loc = tmp_path / "versions"
    (loc / "2026" / "01").mkdir(parents=True)
    (loc / "b002.py").write_text(script("b002", "a001"))
    (loc / "2026" / "01" / "a001.py").write_text(script("a001"))
    (loc / "2026" / "c003.py").write_text(script("c003", "b002"))
    assert revisions(loc, recursive=True) == [
        ("b002", ("a001",)),
        ("c003", ("b002",)),
        ("a001", ()),
    ]
    assert not (loc / "2026" / "__pycache__").exists()
    reads.clear()
    read_location(loc, recursive=True)
    assert reads == []


@pytest.mark.parametrize("in_folder", [True, False], ids=["stat-in-folder", "stat-by-path"])
def test_listing_skips_what_is_not_a_script(tmp_path, monkeypatch, in_folder):
    """Both ways of listing (relative ``fstatat`` where the platform has it, whole
    paths elsewhere) find the same scripts: sub-folders only when recursive,
    never through a symlinked folder, ``__pycache__``, private or hidden files,
    or a dangling link."""
    if in_folder and not headers._STAT_IN_FOLDER:
        pytest.skip("this platform cannot stat relative to a folder")
    monkeypatch.setattr(headers, "_STAT_IN_FOLDER", in_folder)
    loc = tmp_path / "versions"
    (loc / "sub").mkdir(parents=True)
    (loc / "odd.py").mkdir()  # a folder with a script's name is a folder
    (loc / "__pycache__").mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x001.py").write_text(script("x001"))
    (loc / "linked").symlink_to(elsewhere, target_is_directory=True)
    (loc / "dangling.py").symlink_to(tmp_path / "missing.py")
    (loc / "a001.py").write_text(script("a001"))
    (loc / "_helper.py").write_text("x = 1\n")
    (loc / ".#a001.py").write_text("lock")
    (loc / "__pycache__" / "p001.py").write_text(script("p001"))
    (loc / "sub" / "b002.py").write_text(script("b002", "a001"))
    (loc / "odd.py" / "c003.py").write_text(script("c003", "b002"))
    (loc / "linked.py").symlink_to(loc / "a001.py")  # the same file twice counts once

    found = [(name, path) for name, path, _ in headers.iter_script_files(loc, recursive=True)]
    assert [name for name, _ in found] == ["a001.py", "linked.py", "odd.py/c003.py", "sub/b002.py"]
    assert all(path == os.path.join(loc, name) for name, path in found)
    assert [rev for rev, _ in revisions(loc, recursive=True)] == ["a001", "c003", "b002"]
    assert [rev for rev, _ in revisions(loc)] == ["a001"]
