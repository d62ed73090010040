"""Bring reflected and model SQL to one spelling before comparing them.

PostgreSQL gives definitions back in its own words: ``'open'::status``,
``nextval('ticket_id_seq'::regclass)``, ``lower((name)::text)``,
``'0'`` as ``0``. The model says ``"open"``, ``Identity()``,
``text("lower(name)")``. Comparing the texts as they are reports a change on
every run; these functions remove what does not change the meaning (casts
to the column's own type, redundant parentheses, identifier quotes, case
outside literals, spacing) so that only real differences remain.
"""

from __future__ import annotations

import re

_TYPE_WORDS = r"(?:\s+(?:varying|precision|without\s+time\s+zone|with\s+time\s+zone))*"
_CAST = re.compile(
    r"::\s*(?:\"[^\"]+\"|[a-z_][a-z0-9_$]*)(?:\.(?:\"[^\"]+\"|[a-z_][a-z0-9_$]*))?"
    + _TYPE_WORDS
    + r"(?:\s*\(\s*\d+(?:\s*,\s*\d+)?\s*\))?(?:\[\])*",
    re.IGNORECASE,
)
_QUOTED_NAME = re.compile(r'"([a-z_][a-z0-9_]*)"')
_PAREN_NAME = re.compile(r"(?<![\w$])\(([a-z_][a-z0-9_]*|\x00\d+\x00|-?\d+(?:\.\d+)?)\)")
_DOUBLE_QUOTED = re.compile(r'("(?:[^"]|"")*")')


def _split_literals(sql: str) -> list[tuple[bool, str]]:
    """``sql`` cut into (is a string literal, text) pieces; ``''`` inside literals kept."""
    pieces: list[tuple[bool, str]] = []
    i = 0
    while i < len(sql):
        start = sql.find("'", i)
        if start < 0:
            pieces.append((False, sql[i:]))
            break
        if start > i:
            pieces.append((False, sql[i:start]))
        end = start + 1
        while True:
            end = sql.find("'", end)
            if end < 0:
                end = len(sql) - 1
                break
            if end + 1 < len(sql) and sql[end + 1] == "'":
                end += 2
                continue
            break
        pieces.append((True, sql[start : end + 1]))
        i = end + 1
    return pieces


def normalize_sql(sql: str | None) -> str | None:
    """One spelling for an SQL expression: no casts, quotes, case or spacing that do not matter."""
    if sql is None:
        return None
    out = []
    literals: list[str] = []
    for is_literal, piece in _split_literals(sql.strip()):
        if is_literal:  # set aside, so nothing below can touch its text
            out.append(f"\x00{len(literals)}\x00")
            literals.append(piece)
            continue
        piece = _CAST.sub("", piece)
        # unquoted names are case-insensitive, quoted ones are not
        parts = _DOUBLE_QUOTED.split(piece)
        piece = "".join(part if i % 2 else part.lower() for i, part in enumerate(parts))
        piece = re.sub(r"\s+", " ", piece)
        piece = _QUOTED_NAME.sub(r"\1", piece)
        piece = re.sub(r"\s*([(),=<>+*/-])\s*", r"\1", piece)
        out.append(piece)
    text = "".join(out).strip()
    previous = None
    while previous != text:  # (name) -> name, ((x)) -> (x), repeatedly
        previous = text
        text = _PAREN_NAME.sub(r"\1", text)
        text = _collapse_double_parentheses(text)
        text = _strip_outer_parentheses(text)
    return re.sub("\x00(\\d+)\x00", lambda m: literals[int(m.group(1))], text)


def _collapse_double_parentheses(text: str) -> str:
    """``((x))`` -> ``(x)`` anywhere: a group that only wraps another group."""
    i = text.find("((")
    while i >= 0:
        outer, inner = _matching(text[i:]), _matching(text[i + 1 :])
        if outer >= 0 and inner >= 0 and inner + 1 == outer - 1:
            text = text[:i] + text[i + 1 : i + outer] + text[i + outer + 1 :]
        else:
            i += 1
        i = text.find("((", i)
    return text


def _strip_outer_parentheses(text: str) -> str:
    while text.startswith("(") and text.endswith(")") and _matching(text) == len(text) - 1:
        text = text[1:-1].strip()
    return text


def _matching(text: str) -> int:
    """Index of the parenthesis closing the one at 0 (literals are set aside by then)."""
    depth = 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
    return -1
