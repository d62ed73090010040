"""Reading a ``CREATE TABLE`` statement: the table's own definition, down to each clause.

Reflection does not tell the whole story of a SQLite table: unnamed CHECK
constraints, column-level CHECKs, collations, conflict clauses, generated
columns and type names that SQLAlchemy does not know are only in the SQL that
SQLite keeps in ``sqlite_master``. So the batch works on that SQL itself: it
is split into column definitions and table constraints, each kept as the text
the user wrote, and only what the batch changes is written anew.

The tokenizer knows SQL's lexical rules (strings, the four identifier
quotings, comments, nested parentheses), not its grammar: enough to split a
definition safely, and to tell which identifiers an expression mentions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from mighub.errors import MighubError

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+|--[^\n]*(?:\n|$)|/\*.*?(?:\*/|$))
  | (?P<string>[xX]?'(?:[^']|'')*')
  | (?P<quoted>"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\])
  | (?P<number>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)
  | (?P<word>[A-Za-z_\x80-\U0010ffff][A-Za-z0-9_$\x80-\U0010ffff]*)
  | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)

# Words that open a column constraint: the column's type ends before the first of them.
_COLUMN_CLAUSES = {
    "constraint",
    "primary",
    "not",
    "null",
    "unique",
    "check",
    "default",
    "collate",
    "references",
    "generated",
    "as",
    "auto_increment",
    "comment",
    "on",
}
_TABLE_CONSTRAINTS = {"constraint", "primary", "unique", "check", "foreign", "key", "index"}


@dataclass(frozen=True)
class Token:
    kind: str
    """``ws`` (also comments), ``string``, ``quoted``, ``number``, ``word`` or ``punct``."""
    text: str
    start: int

    @property
    def is_name(self) -> bool:
        return self.kind in ("word", "quoted")

    @property
    def value(self) -> str:
        """The identifier as the database sees it: quotes removed."""
        if self.kind != "quoted":
            return self.text
        body = self.text[1:-1]
        if self.text[0] == "[":
            return body
        return body.replace(self.text[0] * 2, self.text[0])

    def keyword(self) -> str:
        return self.text.lower() if self.kind == "word" else ""


def tokenize(sql: str) -> list[Token]:
    return [Token(m.lastgroup or "punct", m.group(), m.start()) for m in _TOKEN.finditer(sql)]


def significant(tokens: list[Token]) -> list[Token]:
    return [t for t in tokens if t.kind != "ws"]


def names_in(sql: str) -> set[str]:
    """Every identifier the SQL mentions, lowercased (SQLite compares names without case)."""
    return {t.value.lower() for t in tokenize(sql) if t.is_name}


def rename_identifiers(sql: str, renames: dict[str, str], quote: Callable[[str], str]) -> str:
    """``sql`` with each identifier in ``renames`` (lowercased keys) replaced by its new name."""
    out = []
    for token in tokenize(sql):
        new = renames.get(token.value.lower()) if token.is_name else None
        out.append(quote(new) if new is not None else token.text)
    return "".join(out)


def _matching_paren(tokens: list[Token], open_index: int) -> int:
    depth = 0
    for i in range(open_index, len(tokens)):
        if tokens[i].text == "(":
            depth += 1
        elif tokens[i].text == ")":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError("unbalanced parentheses")


def _split_commas(tokens: list[Token]) -> list[list[Token]]:
    parts: list[list[Token]] = [[]]
    depth = 0
    for token in tokens:
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        if token.text == "," and depth == 0:
            parts.append([])
        else:
            parts[-1].append(token)
    return [p for p in parts if significant(p)]


def _text(tokens: list[Token]) -> str:
    return "".join(t.text for t in tokens).strip()


def _name_list(tokens: list[Token]) -> list[str]:
    """The column names of ``( a, "b" COLLATE x DESC, ...)`` (the first name of each item)."""
    names = []
    for part in _split_commas(tokens):
        first = significant(part)
        if first and first[0].is_name:
            names.append(first[0].value)
    return names


@dataclass
class Clause:
    """One constraint of a column definition (``NOT NULL``, ``CHECK (...)``...), as written."""

    kind: str
    """``primary``, ``notnull``, ``null``, ``unique``, ``check``, ``default``, ``collate``,
    ``references``, ``generated`` or ``other``."""
    text: str
    name: str | None = None


@dataclass
class ColumnDef:
    name: str
    type_text: str
    clauses: list[Clause] = field(default_factory=list)
    original: str | None = None
    """The definition exactly as written; ``None`` once the batch changed the column."""

    def render(self, quote: Callable[[str], str]) -> str:
        if self.original is not None:
            return self.original
        parts = [quote(self.name)]
        if self.type_text:
            parts.append(self.type_text)
        parts += [c.text for c in self.clauses]
        return " ".join(parts)

    def has(self, kind: str) -> bool:
        return any(c.kind == kind for c in self.clauses)

    def clause(self, kind: str) -> Clause | None:
        return next((c for c in self.clauses if c.kind == kind), None)


@dataclass
class ConstraintDef:
    """A table constraint, as written."""

    kind: str
    """``primary``, ``unique``, ``check``, ``foreignkey`` or ``other``."""
    text: str
    name: str | None = None
    columns: list[str] = field(default_factory=list)
    """Local columns of a primary key, unique or foreign key; for a check, ``[]``."""
    referred_table: str | None = None


@dataclass
class TableDef:
    name: str
    columns: list[ColumnDef]
    constraints: list[ConstraintDef]
    options: str
    """What follows the closing parenthesis (``WITHOUT ROWID``, ``STRICT``, MySQL options)."""
    prefix: str = "CREATE TABLE"

    def column(self, name: str) -> ColumnDef | None:
        lowered = name.lower()
        return next((c for c in self.columns if c.name.lower() == lowered), None)


def parse_create_table(sql: str) -> TableDef:
    """Split a ``CREATE TABLE name (...) options`` statement into its definitions."""
    tokens = tokenize(sql)
    sig = [i for i, t in enumerate(tokens) if t.kind != "ws"]
    try:
        open_at = next(i for i in sig if tokens[i].text == "(")
        close_at = _matching_paren(tokens, open_at)
    except (StopIteration, ValueError):
        raise MighubError(f"cannot read the table definition: {sql[:80]!r}") from None
    head = [tokens[i] for i in sig if i < open_at]
    if not head or not head[-1].is_name or tokens[open_at - 1].text == ".":
        raise MighubError(f"cannot read the table definition: {sql[:80]!r}")
    name = head[-1].value
    prefix = _text(tokens[: tokens.index(head[-1])])
    if head[-2:-1] and head[-2].text == ".":
        prefix = _text(tokens[: tokens.index(head[-3])])
    columns: list[ColumnDef] = []
    constraints: list[ConstraintDef] = []
    for part in _split_commas(tokens[open_at + 1 : close_at]):
        first = significant(part)[0]
        if first.keyword() in _TABLE_CONSTRAINTS and not _is_column_named_like_keyword(part):
            constraints.append(_parse_table_constraint(part))
        else:
            columns.append(_parse_column(part))
    options = "".join(t.text for t in tokens[close_at + 1 :]).rstrip().rstrip(";")
    return TableDef(name, columns, constraints, options, prefix or "CREATE TABLE")


def _is_column_named_like_keyword(part: list[Token]) -> bool:
    """``key INTEGER`` is a column called key; ``KEY ix (a)`` (MySQL) is an index."""
    sig = significant(part)
    if sig[0].keyword() != "key":
        return False
    return len(sig) < 2 or (sig[1].text != "(" and not (len(sig) > 2 and sig[2].text == "("))


def _parse_table_constraint(part: list[Token]) -> ConstraintDef:
    sig = significant(part)
    text = _text(part)
    name = None
    i = 0
    if sig[0].keyword() == "constraint" and len(sig) > 1:
        name = sig[1].value
        i = 2
    word = sig[i].keyword() if i < len(sig) else ""
    paren = next((j for j in range(i, len(sig)) if sig[j].text == "("), None)
    columns: list[str] = []
    if paren is not None and word in ("primary", "unique", "foreign"):
        columns = _name_list(sig[paren + 1 : _matching_paren(sig, paren)])
    if word == "primary":
        return ConstraintDef("primary", text, name, columns)
    if word == "unique":
        return ConstraintDef("unique", text, name, columns)
    if word == "check":
        return ConstraintDef("check", text, name)
    if word == "foreign":
        ref = next((j for j in range(i, len(sig)) if sig[j].keyword() == "references"), None)
        referred = None
        if ref is not None and ref + 1 < len(sig):
            referred = sig[ref + 1].value
            if ref + 3 < len(sig) and sig[ref + 2].text == ".":
                referred = sig[ref + 3].value
        return ConstraintDef("foreignkey", text, name, columns, referred)
    return ConstraintDef("other", text, name)


def _parse_column(part: list[Token]) -> ColumnDef:
    sig = significant(part)
    name = sig[0].value
    # The type: every token up to the first clause keyword at depth 0.
    depth = 0
    end = len(sig)
    for j in range(1, len(sig)):
        token = sig[j]
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        elif depth == 0 and token.keyword() in _COLUMN_CLAUSES:
            end = j
            break
    type_text = _tokens_text(part, sig[1] if end > 1 else None, sig[end - 1] if end > 1 else None)
    clauses = _parse_clauses(part, sig[end:])
    return ColumnDef(name, type_text, clauses, original=_text(part))


def _tokens_text(part: list[Token], first: Token | None, last: Token | None) -> str:
    if first is None or last is None:
        return ""
    start = next(i for i, t in enumerate(part) if t is first)
    stop = next(i for i, t in enumerate(part) if t is last)
    return "".join(t.text for t in part[start : stop + 1])


def _parse_clauses(part: list[Token], sig: list[Token]) -> list[Clause]:
    """Cut the column constraints apart: each starts with a keyword at depth 0."""
    starts = []
    depth = 0
    j = 0
    while j < len(sig):
        token = sig[j]
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        elif depth == 0:
            word = token.keyword()
            previous = sig[j - 1].keyword() if j else ""
            if word in _COLUMN_CLAUSES and previous != "constraint" and not _continues(sig, j):
                starts.append(j)
        j += 1
    clauses = []
    pending_name: str | None = None
    pending_text = ""
    for n, start in enumerate(starts):
        stop = starts[n + 1] - 1 if n + 1 < len(starts) else len(sig) - 1
        text = _tokens_text(part, sig[start], sig[stop])
        word = sig[start].keyword()
        if word == "constraint":
            pending_name = sig[start + 1].value if start + 1 <= stop else None
            pending_text = text + " "
            continue
        kind = {
            "primary": "primary",
            "unique": "unique",
            "check": "check",
            "default": "default",
            "collate": "collate",
            "references": "references",
            "generated": "generated",
            "as": "generated",
            "null": "null",
        }.get(word, "other")
        if word == "not" and start + 1 <= stop and sig[start + 1].keyword() == "null":
            kind = "notnull"
        clauses.append(Clause(kind, pending_text + text, pending_name))
        pending_name, pending_text = None, ""
    return clauses


def _continues(sig: list[Token], j: int) -> bool:
    """Whether the keyword at ``j`` belongs to the clause before it, not a new one.

    ``NULL`` after ``NOT``, ``ON`` / ``NOT`` inside ``REFERENCES ... ON DELETE``
    or ``NOT DEFERRABLE``, ``AS`` after ``GENERATED ALWAYS``, ``DEFAULT`` after
    ``ON UPDATE``/``SET``, ``NULL`` after ``SET`` or ``DEFAULT``...
    """
    word = sig[j].keyword()
    previous = sig[j - 1].keyword() if j else ""
    if word == "null" and previous in ("not", "set", "default"):
        return True
    if word == "as" and previous == "always":
        return True
    if word == "default" and previous in ("set", "on"):
        return True
    if word in ("on", "not", "null", "default", "collate"):
        # inside a REFERENCES clause: ON DELETE / ON UPDATE / NOT DEFERRABLE / SET NULL
        for k in range(j - 1, -1, -1):
            kw = sig[k].keyword()
            if kw == "references":
                return word in ("on", "not") or previous in ("set", "no")
            if kw in _COLUMN_CLAUSES - {"on", "not", "null", "default"}:
                break
        if word == "on" and previous == "conflict":
            return True
        if word == "on" and j + 1 < len(sig) and sig[j + 1].keyword() == "conflict":
            return True
    return False


def render_table(
    table: TableDef,
    name: str,
    quote: Callable[[str], str],
    *,
    quoted: bool = False,
) -> str:
    """``CREATE TABLE`` for ``table`` under ``name`` (quoted and qualified if ``quoted``)."""
    items = [c.render(quote) for c in table.columns] + [c.text for c in table.constraints]
    body = ",\n    ".join(items)
    target = name if quoted else quote(name)
    return f"{table.prefix} {target} (\n    {body}\n){table.options}"
