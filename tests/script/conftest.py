"""Fixtures for the script-reader and revision-graph tests."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from mighub import filecache
from mighub.script.graph import Revision, RevisionMap

HERE = Path(__file__).parent


def _load_make_graph() -> ModuleType:
    name = "mighub_tests_make_graph"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, HERE / "make_graph.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def make_graph() -> ModuleType:
    """The synthetic-history writer (``tests/script/make_graph.py``)."""
    return _load_make_graph()


@pytest.fixture
def write_script(tmp_path: Path) -> Callable[..., Path]:
    """Write a (dedented) script into ``tmp_path/versions`` and return its path."""

    def write(name: str, text: str, folder: Path | None = None) -> Path:
        target = (folder or tmp_path / "versions") / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return target

    return write


@pytest.fixture
def cache_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the header cache store files written a moment ago (tests can't wait 2 s), and
    write its file even where ``PYTHONDONTWRITEBYTECODE`` is set."""
    monkeypatch.setattr(filecache, "RACY_NS", -(10**18))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


def rmap(*specs: tuple) -> RevisionMap:
    """A map from ``(rev, down, deps, labels)`` tuples (trailing items optional)."""
    revs = []
    for spec in specs:
        rev, down, deps, labels = (*spec, None, None, None)[:4]
        revs.append(Revision(rev, down, deps, labels))
    return RevisionMap(revs)


@pytest.fixture
def build() -> Callable[..., RevisionMap]:
    """``build(("a",), ("b", "a"), ("c", "b", None, "label"))``: a map from tuples."""
    return rmap
