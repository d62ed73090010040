"""Write docs/hooks.md from mighub/hookspecs.py, the single source of the hook reference.

Run ``python docs/generate_hooks.py`` after changing a hook specification;
the test suite fails while the page and the specifications disagree.
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

ROLE = re.compile(r":(?:class|func|data|meth|mod):`~?([^`]+)`")
PAGE = Path(__file__).resolve().parent / "hooks.md"

INTRO = """\
# Hook reference

This page is generated from `mighub/hookspecs.py` by `python docs/generate_hooks.py`;
edit the docstrings there, not this page. [plugins.md](plugins.md) explains how to
package a plugin; this page is the reference for each hook.

"""


def render() -> str:
    from mighub import hookspecs

    parts = [INTRO, _markdown(inspect.getdoc(hookspecs) or "")]
    source = inspect.getsource(hookspecs)
    names = [n for n in vars(hookspecs) if n.startswith("mighub_")]
    names.sort(key=lambda n: source.index(f"\ndef {n}("))
    for name in names:
        fn = getattr(hookspecs, name)
        params = ", ".join(inspect.signature(fn).parameters)
        opts = getattr(fn, "mighub_spec", {}) or {}
        first = " (first result wins)" if opts.get("firstresult") else ""
        parts.append(f"\n## {name.removeprefix('mighub_').replace('_', ' ').capitalize()}\n\n")
        parts.append(f"### `{name}({params})`{first}\n\n")
        parts.append(_markdown(inspect.getdoc(fn) or ""))
        parts.append("\n")
    return "".join(parts).rstrip() + "\n"


def _markdown(doc: str) -> str:
    """Docstrings use reST literals and ``::`` blocks; make them read well as Markdown."""
    out: list[str] = []
    in_block = False
    for line in doc.splitlines():
        if in_block and line and not line.startswith("    "):
            while out[-1] == "\n":
                out.pop()
            out += ["```\n", "\n"]
            in_block = False
        if line.endswith("::"):
            out += [line[:-1] + "\n", "\n", "```python\n"]
            in_block = True
            continue
        if in_block:
            if line.strip():
                out.append(line[4:] + "\n")
            elif out[-1] != "```python\n":
                out.append("\n")
            continue
        out.append(ROLE.sub(r"`\1`", line).replace("``", "`") + "\n")
    if in_block:
        out.append("```\n")
    return "".join(out)


if __name__ == "__main__":
    sys.path.insert(0, str(PAGE.parent.parent))
    PAGE.write_text(render(), encoding="utf-8")
    print(f"wrote {PAGE}")
