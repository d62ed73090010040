"""The docs show the tested files as they are: a marked code block must equal its file.

docs/plugins.md walks through the fixture plugins that the integration and
extension tests build and run; a block preceded by ``<!-- file: PATH -->``
is that file's content, so the walkthrough cannot drift from what is tested.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MARKED = re.compile(r"<!-- file: (?P<path>\S+) -->\n```[a-z]*\n(?P<body>.*?)\n```", re.S)


def marked_blocks() -> list[tuple[str, str, str]]:
    found = []
    for page in sorted((ROOT / "docs").glob("*.md")):
        for match in MARKED.finditer(page.read_text(encoding="utf-8")):
            found.append((page.name, match["path"], match["body"]))
    return found


def test_the_plugin_guide_shows_its_files() -> None:
    paths = {path for page, path, _ in marked_blocks() if page == "plugins.md"}
    assert "tests/fixtures/project_plugins/views.py" in paths
    assert "tests/fixtures/plugins/mighub-lite/mighub_lite/plugin.py" in paths


def test_the_dialect_walkthrough_shows_every_file_of_its_plugin() -> None:
    """A reader starting from an empty folder gets every file: shown, or copied from the
    generic template as the guide says."""
    plugin = ROOT / "tests" / "fixtures" / "plugins" / "mighub-lite"
    shown = {path for page, path, _ in marked_blocks() if page == "plugins.md"}
    copied = {"mighub_lite/template/env.py", "mighub_lite/template/script.py.mako"}
    files = {
        f.relative_to(plugin).as_posix()
        for f in plugin.rglob("*")
        if f.is_file() and "__pycache__" not in f.parts
    }
    assert (
        files - copied - {p.split("mighub-lite/", 1)[1] for p in shown if "mighub-lite/" in p}
        == set()
    )
    generic = ROOT / "mighub" / "templates" / "generic"
    for name in copied:
        assert (plugin / name).read_text() == (generic / Path(name).name).read_text(), name


@pytest.mark.parametrize(
    ("page", "path", "body"), marked_blocks(), ids=[f"{p}:{f}" for p, f, _ in marked_blocks()]
)
def test_marked_block_is_the_file(page: str, path: str, body: str) -> None:
    assert body == (ROOT / path).read_text(encoding="utf-8").rstrip("\n"), (
        f"docs/{page} shows an outdated {path}; copy the file into the block"
    )


def test_readme_links_every_page() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [
        page.name
        for page in sorted((ROOT / "docs").glob("*.md"))
        if f"(docs/{page.name})" not in readme
    ]
    assert missing == []


def test_the_load_order_names_every_builtin_plugin() -> None:
    from mighub.host import BUILTIN_PLUGINS

    page = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    builtins = page.split("1. **builtin plugins**", 1)[1].split("\n2. ", 1)[0]
    assert re.findall(r"`([\w.]+)`", builtins) == [name for name, _ in BUILTIN_PLUGINS]
