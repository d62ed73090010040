"""Read the header of a revision script without importing it.

Building the revision graph needs four module-level values from every script
(``revision``, ``down_revision``, ``branch_labels``, ``depends_on``) and its
docstring.  Importing thousands of scripts (as Alembic does) makes every command
slow and runs arbitrary code just to draw a graph, so we read the values as
literals instead.

There are two readers that must agree on every valid file:

* a fast scanner (``str.find`` for the names, a regular expression for each
  assignment).  It understands the shapes that real scripts use (plain and
  annotated assignments, strings, ``None``, tuples and lists over several
  lines with comments) and *declines* anything it is not certain about by
  returning ``None``.  It reads only what it needs, so a syntax error further
  down a script shows when the script runs, or in
  :meth:`ScriptDirectory.verify <mighub.script.directory.ScriptDirectory.verify>`;
* the reference reader, which parses the file with :mod:`ast` and evaluates
  each value with :func:`ast.literal_eval`.  It is used whenever the scanner
  declines, and it produces every error message, so errors read the same
  whichever path found the problem.

Results are cached per version location (see :class:`HeaderCache`), keyed by
the file's identity, so a warm run reads no script at all.
"""

from __future__ import annotations

import marshal
import os
import re
import stat as stat_module
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from mighub import filecache

from .errors import ScriptError

#: The module-level variables that make up a revision header.
HEADER_NAMES = ("revision", "down_revision", "branch_labels", "depends_on")

#: Characters that would make an id ambiguous in the identifier grammar
#: (``label@rev``, ``rev+2``, ``head-1``, ``start:end``).
ILLEGAL_ID_CHARS = ("@", "-", "+", ":")


class ScriptHeader(NamedTuple):
    """The literal header of one revision script.

    Sequences are always tuples (a single ``down_revision`` string becomes a
    one-tuple), so the graph code has one shape to deal with.  ``docstring``
    is the module docstring exactly as Python would see it (``""`` if none).
    """

    revision: str
    down_revision: tuple[str, ...]
    branch_labels: tuple[str, ...]
    depends_on: tuple[str, ...]
    docstring: str

    @property
    def longdoc(self) -> str:
        """The whole docstring without surrounding blank space, as ``show`` prints it."""
        return self.docstring.strip()

    @property
    def doc(self) -> str:
        """The docstring's first paragraph: the one-line summary ``history`` prints."""
        return self.longdoc.split("\n\n", 1)[0]


# --------------------------------------------------------------------------
# values: shared validation for both readers
# --------------------------------------------------------------------------


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _as_id_tuple(name: str, value: object, path: object) -> tuple[str, ...]:
    """Normalise ``None | str | tuple | list`` to a tuple of non-empty strings."""
    if value is None:
        return ()
    if isinstance(value, str):
        items: Sequence[object] = (value,)
    elif isinstance(value, (tuple, list)):
        items = value
    else:
        raise ScriptError(
            f"{path}: {name} must be None, a string, or a tuple or list of strings; "
            f"found {_describe(value)}",
            path,
        )
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ScriptError(
                f"{path}: {name} must contain only strings; found {_describe(item)}", path
            )
        if not item.strip():
            raise ScriptError(f"{path}: {name} contains an empty revision name", path)
        if item in out:
            raise ScriptError(f"{path}: {name} lists {item!r} more than once", path)
        out.append(item)
    return tuple(out)


def check_revision_id(rev_id: object, path: object) -> str:
    """Reject ids that can't be told apart from the identifier grammar."""
    if not isinstance(rev_id, str):
        raise ScriptError(f"{path}: revision must be a string; found {_describe(rev_id)}", path)
    if not rev_id.strip() or rev_id != rev_id.strip():
        raise ScriptError(
            f"{path}: revision id {rev_id!r} is empty or has surrounding spaces", path
        )
    bad = [c for c in ILLEGAL_ID_CHARS if c in rev_id]
    if bad:
        raise ScriptError(
            f"{path}: revision id {rev_id!r} contains {', '.join(repr(c) for c in bad)}; "
            "revision ids may not contain '@', '-', '+' or ':'",
            path,
        )
    return rev_id


def _build(values: dict[str, object], docstring: str, path: object) -> ScriptHeader:
    if "revision" not in values:
        raise ScriptError(
            f"{path}: no module-level 'revision' assignment; a revision script must "
            'assign its id as a literal, e.g. revision = "1975ea83b712"',
            path,
        )
    return ScriptHeader(
        check_revision_id(values["revision"], path),
        _as_id_tuple("down_revision", values.get("down_revision"), path),
        _as_id_tuple("branch_labels", values.get("branch_labels"), path),
        _as_id_tuple("depends_on", values.get("depends_on"), path),
        docstring,
    )


# --------------------------------------------------------------------------
# decoding
# --------------------------------------------------------------------------

_COOKIE = (rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.MULTILINE)
_UTF8_NAMES = {b"utf-8", b"utf8", b"utf_8", b"utf-8-sig", b"utf_8_sig"}


def _decode_fast(data: bytes) -> str | None:
    """Decode as UTF-8 the way Python reads source, or None if that's not certain."""
    if data[:3] == b"\xef\xbb\xbf":
        data = data[3:]
    if b"coding" in data[:400]:
        head = b"\n".join(data.split(b"\n", 2)[:2])
        m = _rx.cookie.search(head)
        if m and m.group(1).lower() not in _UTF8_NAMES:
            return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _decode_exact(data: bytes, path: object) -> str:
    import io
    import tokenize

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        raise ScriptError(f"{path}: can't decode the file as Python source: {exc}", path) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --------------------------------------------------------------------------
# the reference reader (ast)
# --------------------------------------------------------------------------


def parse_header_ast(text: str, path: object = "<string>") -> ScriptHeader:
    """Read a header with :mod:`ast`: slow, exact, and the source of every error.

    Only plain module-level assignments count (``x = ...``, ``x: T = ...``,
    chained ``a = b = ...`` and tuple unpacking of a literal); the last one wins,
    as it would when the module runs.  Values must be literals.
    """
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. invalid escapes: the import will say so
            tree = ast.parse(text, filename=str(path))
    except SyntaxError as exc:
        line = f", line {exc.lineno}" if exc.lineno else ""
        raise ScriptError(f"{path}{line}: syntax error: {exc.msg}", path) from None

    values: dict[str, object] = {}

    def literal(name: str, node: ast.expr) -> object:
        try:
            return ast.literal_eval(node)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            raise ScriptError(
                f"{path}, line {node.lineno}: {name} must be a literal (None, a string, or a "
                f"tuple or list of strings), not an expression: {ast.unparse(node)[:60]}",
                path,
            ) from None

    def assign(target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            if target.id in HEADER_NAMES:
                values[target.id] = literal(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            names = [n.id for n in target.elts if isinstance(n, ast.Name)]
            if not set(names) & set(HEADER_NAMES):
                return
            first = next(n for n in names if n in HEADER_NAMES)
            if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
                for sub_target, sub_value in zip(target.elts, value.elts, strict=True):
                    assign(sub_target, sub_value)
                return
            raise ScriptError(
                f"{path}, line {target.lineno}: {first} is unpacked from an expression; "
                "assign it a literal on its own",
                path,
            )

    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                assign(target, node.value)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            assign(node.target, node.value)

    docstring = ast.get_docstring(tree, clean=False) or ""
    return _build(values, docstring, path)


# --------------------------------------------------------------------------
# the fast scanner
# --------------------------------------------------------------------------

# blank lines and comment lines before the first statement
_LEAD = r"(?:[ \t\f]*(?:#[^\n]*)?\n)*"
_END = r"[ \t]*(?:#[^\n]*)?(?:\n|\Z)"
_DOC = (
    _LEAD + r"(?:"
    r'"""([^"\\]*(?:"(?!"")[^"\\]*)*)"""'
    r"|'''([^'\\]*(?:'(?!'')[^'\\]*)*)'''"
    r'|"([^"\\\n]*)"'
    r"|'([^'\\\n]*)'"
    r")" + _END
)
_STRINGISH = r"[rRuUbBfF]{0,2}['\"]"

_STR = r"(?:\"[^\"\\\n]*\"|'[^'\\\n]*')"
_GAP = r"(?:[ \t\n]|#[^\n]*)*"
_SEQ = (
    r"[(\[]" + _GAP + r"(?:" + _STR + _GAP + r"(?:," + _GAP + _STR + _GAP + r")*"
    r"(?:," + _GAP + r")?)?[)\]]"
)
_VALUE = r"(None|" + _STR + r"|" + _SEQ + r")"
_IS = r"[ \t]*(?::[^=\n#]+)?=[ \t]*"  # `` = `` with an optional annotation before it
_ASSIGN = r"(" + "|".join(HEADER_NAMES) + r")" + _IS + _VALUE + _END
_ITEM = r"#[^\n]*|\"([^\"\\\n]*)\"|'([^'\\\n]*)'"
# The four assignments in the order every template writes them, one per line.
_BLOCK = "".join(
    name + _IS + (r"(" + _STR + r")" if name == "revision" else _VALUE) + _END
    for name in HEADER_NAMES
)
_QUOTES = ("'", '"')
# the code part of a line: everything up to a comment, skipping simple strings
_CODE = r"""(?:[^#'"\\]|"[^"\\\n]*"|'[^'\\\n]*')*"""


class _Patterns:
    """The scanner's regular expressions, compiled on first use.

    A warm run (everything cached) never scans a file, so it shouldn't pay the
    few milliseconds of compiling them at import time.
    """

    _sources: dict[str, tuple[Any, ...]] = {
        "cookie": _COOKIE,
        "doc": (_DOC,),
        "lead": (_LEAD,),
        "stringish": (_STRINGISH,),
        "assign": (_ASSIGN,),
        "block": (_BLOCK,),
        "item": (_ITEM,),
        "code": (_CODE,),
    }

    def __getattr__(self, name: str) -> re.Pattern:
        pattern = re.compile(*self._sources[name])
        setattr(self, name, pattern)
        return pattern


_rx = _Patterns()


def _seq_value(text: str) -> object:
    inner = text[1:-1]
    items = []
    for m in _rx.item.finditer(inner):
        if m.group(0)[0] != "#":
            items.append(m.group(1) if m.group(1) is not None else m.group(2))
    if text[0] == "[":
        return items
    if len(items) == 1 and "," not in _rx.item.sub("", inner):
        return items[0]  # ("abc") is just a parenthesised string
    return tuple(items)


def _prev_line_blocks(text: str, line_start: int, floor: int) -> bool:
    """True if the previous code line could leave ``line_start`` inside an open statement."""
    j = line_start - 2
    while j >= floor and text[j] in " \t\n":
        j -= 1
    if j < floor:
        return False
    start = text.rfind("\n", 0, j) + 1
    if text.find("#", start, j + 1) == -1:
        return text[j] in "([{,\\:"
    while text[start] == "#" and start > floor:  # whole-line comments: skip them
        j = start - 2
        while j >= floor and text[j] in " \t\n":
            j -= 1
        if j < floor:
            return False
        start = text.rfind("\n", 0, j) + 1
        if text.find("#", start, j + 1) == -1:
            return text[j] in "([{,\\:"
    # the previous line has a comment (or a '#' in a string): look closer
    end = line_start - 1
    while end > floor:
        start = text.rfind("\n", 0, end) + 1
        line = text[max(start, floor) : end].strip()
        end = start - 1
        if not line or line[0] == "#":
            continue
        if "#" in line:
            code = _rx.code.match(line)
            if code is None or (code.end() < len(line) and line[code.end()] != "#"):
                return True  # an escape or an open string: can't tell cheaply
            line = line[: code.end()].rstrip()
            if not line:
                continue
        return line[-1] in "([{,\\:"
    return False


def _has_quote(text: str, start: int, end: int) -> bool:
    return text.find("'", start, end) != -1 or text.find('"', start, end) != -1


def _name_positions(text: str, pos: int) -> list[int]:
    """Start of every whole-word header name after ``pos`` (not after a ``.``).

    ``str.find`` runs at C speed; a regex alternation would try every position.
    """
    found = []
    size = len(text)
    for word in ("revision", "branch_labels", "depends_on"):
        i = text.find(word, pos)
        while i != -1:
            end = i + len(word)
            start = i
            if word == "revision" and i - 5 >= pos and text.startswith("down_", i - 5):
                start = i - 5
            if start:
                ch = text[start - 1]
                if ch == "_" or ch == "." or ch.isalnum():
                    i = text.find(word, end)
                    continue
            if end < size:
                ch = text[end]
                if ch == "_" or ch.isalnum():
                    i = text.find(word, end)
                    continue
            found.append(start)
            i = text.find(word, end)
    found.sort()
    return found


def scan_header_text(text: str) -> tuple[dict[str, object], str] | None:
    """The fast path: the header values and docstring, or None to defer to :mod:`ast`.

    ``text`` must already be decoded with newlines normalised to ``\\n``.
    """
    m = _rx.doc.match(text)
    if m is not None:
        docstring = m.group(m.lastindex)  # the one alternative that matched
        pos = m.end()
    else:
        lead = _rx.lead.match(text)
        start = lead.end() if lead else 0
        if _rx.stringish.match(text, start) or text[start : start + 1] in (" ", "\t", "\f"):
            return None  # an unusual docstring or indentation: let ast decide
        docstring = ""
        pos = 0

    block = _standard_block(text, pos)
    if block is not None:
        return block, docstring
    triple = min((i for i in (text.find('"""', pos), text.find("'''", pos)) if i != -1), default=-1)
    values: dict[str, object] = {}
    last_end = -1
    for at in _name_positions(text, pos):
        if at and text[at - 1] != "\n":
            line_start = text.rfind("\n", 0, at) + 1
            hash_at = text.find("#", line_start, at)
            if hash_at != -1 and not _has_quote(text, line_start, hash_at):
                continue  # a comment that mentions the name
            return None
        if triple != -1 and triple < at:
            return None
        a = _rx.assign.match(text, at)
        if a is None:
            return None
        # a header line right after another one can't be inside a statement
        if at != last_end and _prev_line_blocks(text, at, pos):
            return None
        last_end = a.end()
        value = _value(a.group(2))
        if value is _MISMATCHED:
            return None
        values[a.group(1)] = value
    return values, docstring


def _value(raw: str) -> object:
    """A matched header value as Python would read it; ``_MISMATCHED`` for ``("a"]``."""
    first = raw[0]
    if first in _QUOTES:
        return raw[1:-1]
    if first == "N":
        return None
    if (first == "(") != (raw[-1] == ")"):
        return _MISMATCHED
    return _seq_value(raw)


_MISMATCHED = object()


def _standard_block(text: str, pos: int) -> dict[str, object] | None:
    """The header values when the file has the templates' shape, else None.

    That shape is the four assignments on consecutive lines, in the usual
    order, after which no name appears again. What comes before the block
    cannot change its values (the last assignment wins) unless it opens a
    string or a statement that the block would continue, which the checks on
    triple quotes and on the previous line rule out; so one match reads them.
    """
    if text.startswith("revision", pos) and (pos == 0 or text[pos - 1] == "\n"):
        at = pos
    else:
        at = text.find("\nrevision", pos) + 1
        if not at:
            return None
    if text.find('"""', pos, at) != -1 or text.find("'''", pos, at) != -1:
        return None
    if (
        text.count("revision", at) != 2
        or text.count("branch_labels", at) != 1
        or text.count("depends_on", at) != 1
    ):
        return None
    m = _rx.block.match(text, at)
    if m is None or _prev_line_blocks(text, at, pos):
        return None
    revision, down, labels, depends = m.groups()
    values = {
        "revision": revision[1:-1],
        "down_revision": _value(down),
        "branch_labels": _value(labels),
        "depends_on": _value(depends),
    }
    return (
        None
        if _MISMATCHED in (values["down_revision"], values["branch_labels"], values["depends_on"])
        else values
    )


def parse_header(data: bytes | str, path: object = "<string>") -> ScriptHeader:
    """Read a header from file contents: the fast scanner, else the ast reader."""
    if isinstance(data, str):
        text: str | None = data.replace("\r\n", "\n").replace("\r", "\n") if "\r" in data else data
    else:
        text = _decode_fast(data)
    if text is not None:
        scanned = scan_header_text(text)
        if scanned is not None:
            try:
                return _build(scanned[0], scanned[1], path)
            except ScriptError:
                pass  # report it the way the reference reader does
    else:
        assert isinstance(data, bytes)
        text = _decode_exact(data, path)
    return parse_header_ast(text, path)  # the scanner declined, or found an error


def _read_bytes(path: str | os.PathLike[str], size_hint: int) -> bytes:
    # os.read with the size from stat is about twice as fast as open().read()
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))  # no newline translation
    try:
        chunks = [os.read(fd, size_hint + 1)]
        while len(chunks[-1]) > (size_hint if len(chunks) == 1 else 0):
            size_hint = 0
            more = os.read(fd, 1 << 16)
            if not more:
                break
            chunks.append(more)
    finally:
        os.close(fd)
    return b"".join(chunks) if len(chunks) > 1 else chunks[0]


def read_header(path: str | os.PathLike[str], size_hint: int = 1 << 14) -> ScriptHeader:
    """Read the header of the script at ``path`` (no cache).

    ``size_hint`` (the size from a ``stat``) lets the file be read in one call.
    """
    try:
        data = _read_bytes(path, size_hint)
    except OSError as exc:
        raise ScriptError(f"{path}: can't read revision script: {exc.strerror}", path) from None
    return parse_header(data, path)


# --------------------------------------------------------------------------
# listing script files
# --------------------------------------------------------------------------


def is_script_name(name: str) -> bool:
    """Whether a file name is a revision script: ``*.py`` not starting with ``_`` or ``.``.

    ``_`` keeps ``__init__.py`` and private helpers out; ``.`` skips editor
    lock files such as Emacs's ``.#name.py``.
    """
    return name.endswith(".py") and not name.startswith(("_", "."))


#: Where the platform can, each folder is opened once and its files are
#: ``stat``-ed relative to it (``fstatat``): on a warm cache that ``stat`` per
#: script is most of what reading the graph costs, and a relative one is about
#: a quarter cheaper than resolving the whole path again each time.
_STAT_IN_FOLDER = (
    os.listdir in os.supports_fd and os.stat in os.supports_dir_fd and hasattr(os, "O_DIRECTORY")
)


def iter_script_files(
    location: str | os.PathLike[str], recursive: bool = False
) -> Iterator[tuple[str, str, os.stat_result]]:
    """Yield ``(relative name, path, stat)`` for each script, in a fixed order.

    The order is that of Alembic's loader (each folder's files sorted by name,
    then its sub-folders sorted by name, depth first), because it breaks ties
    between unrelated revisions in ``heads`` and in upgrade order.  Symlinked
    folders are listed but not entered, ``__pycache__`` is skipped, and a file
    that vanishes while being listed is left out.
    """
    todo: list[tuple[str, str]] = [(os.fspath(location), "")]
    stat, is_dir = os.stat, stat_module.S_ISDIR
    while todo:
        folder, prefix = todo.pop()
        fd = None
        try:
            if _STAT_IN_FOLDER:
                fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
                names = os.listdir(fd)
            else:
                names = os.listdir(folder)
        except (FileNotFoundError, NotADirectoryError):
            if fd is not None:
                os.close(fd)
            continue
        base = os.path.join(folder, "")
        subdirs = []
        try:
            for name in sorted(names):
                if is_script_name(name):
                    try:
                        st = stat(name, dir_fd=fd) if fd is not None else stat(base + name)
                    except OSError:
                        continue  # vanished, or a dangling symlink
                    if not is_dir(st.st_mode):
                        yield prefix + name, base + name, st
                        continue
                elif not recursive or name == "__pycache__":
                    continue
                if recursive:
                    try:
                        st = (
                            stat(name, dir_fd=fd, follow_symlinks=False)
                            if fd is not None
                            else os.lstat(base + name)
                        )
                    except OSError:
                        continue
                    if is_dir(st.st_mode):  # not a symlink to one
                        subdirs.append((base + name, prefix + name + "/"))
        finally:
            if fd is not None:
                os.close(fd)
        todo.extend(reversed(subdirs))


# --------------------------------------------------------------------------
# the cache
# --------------------------------------------------------------------------

#: Bump when the meaning of a cached header changes; old caches are then ignored.
CACHE_FORMAT = 1
CACHE_NAME = f"mighub-headers.v{CACHE_FORMAT}.m{marshal.version}.marshal"


class HeaderCache:
    """Headers of one version location, remembered across runs.

    The cache lives in ``<location>/__pycache__/`` (``CACHE_NAME``) and maps
    each script's relative name to its size, mtime, inode and ctime plus the
    header.  An entry is used only when all four match, so an edited, touched,
    replaced or restored file is read again; files modified in the last two
    seconds are not stored yet.  The file is rewritten (atomically) only when
    something changed, and any problem reading or writing it (corrupt data, a
    read-only checkout) just means working without it.  Like Python's own
    bytecode, it is read but never written when ``PYTHONDONTWRITEBYTECODE``
    (``sys.dont_write_bytecode``) asks for no cache files.
    """

    def __init__(self, location: str | os.PathLike[str], enabled: bool = True) -> None:
        self.location = os.fspath(location)
        self.path = os.path.join(self.location, "__pycache__", CACHE_NAME)
        self.enabled = enabled
        self._old: dict[str, tuple[Any, ...]] = self._load() if enabled else {}
        self._new: dict[str, tuple[Any, ...]] = {}
        self._changed = False

    def _load(self) -> dict[str, tuple[Any, ...]]:
        payload = filecache.load(self.path, CACHE_NAME)
        return payload if isinstance(payload, dict) else {}

    def read_all(
        self, files: Iterable[tuple[str, str, os.stat_result]], seen: set[tuple[int, int]]
    ) -> list[tuple[str, ScriptHeader]]:
        """``(path, header)`` of each ``(name, path, stat)`` in ``files`` (as
        :func:`iter_script_files` yields them), from the cache where the entry is
        still valid.  A file already in ``seen`` (device, inode) is skipped, and
        each file read is added to it.
        """
        out: list[tuple[str, ScriptHeader]] = []
        # It runs once per script on every command: hence the local names, and the
        # entry compared field by field rather than as tuples (no allocation per script).
        # An entry is filecache.stamp(st) (size, mtime_ns, ino, ctime_ns), then the header.
        old, new, make, append = self._old, self._new, tuple.__new__, out.append
        for name, path, st in files:
            ino = st.st_ino
            ident = (st.st_dev, ino)
            if ident in seen:
                continue
            seen.add(ident)
            cached = old.get(name)
            if (
                cached is not None
                and len(cached) == 9
                and cached[2] == ino
                and cached[1] == st.st_mtime_ns
                and cached[0] == st.st_size
                and cached[3] == st.st_ctime_ns
            ):
                new[name] = cached
                append((path, make(ScriptHeader, cached[4:])))
            else:
                append((path, self._read_file(name, path, st)))
        return out

    def _read_file(self, name: str, path: str, st: os.stat_result) -> ScriptHeader:
        """Read the script (its entry is missing or stale) and remember its header."""
        header = read_header(path, st.st_size)
        if self.enabled:
            if filecache.settled(st):
                self._new[name] = (*filecache.stamp(st), *header)
            self._changed = True
        return header

    def save(self) -> None:
        """Write the cache if anything changed; never raises."""
        if not self.enabled or not filecache.writing_allowed():
            return
        if not self._changed and self._new.keys() == self._old.keys():
            return
        filecache.save(self.path, CACHE_NAME, self._new)
        self._old, self._changed = dict(self._new), False


def read_location(
    location: str | os.PathLike[str],
    recursive: bool = False,
    use_cache: bool = True,
    _seen: set[tuple[int, int]] | None = None,
) -> list[tuple[str, ScriptHeader]]:
    """``(path, header)`` of every script in one version location, in loader order.

    Paths are plain strings: building thousands of ``Path`` objects would cost
    more than reading a warm cache.  A missing location yields nothing (Alembic
    skips it too).  The same file reached twice (hard link, symlink) counts once.
    """
    cache = HeaderCache(location, enabled=use_cache)
    out = cache.read_all(iter_script_files(location, recursive), set() if _seen is None else _seen)
    cache.save()
    return out


def read_locations(
    locations: Iterable[str | os.PathLike[str]], recursive: bool = False, use_cache: bool = True
) -> list[tuple[str, ScriptHeader]]:
    """Headers from several version locations, in order (see :func:`read_location`)."""
    out: list[tuple[str, ScriptHeader]] = []
    seen: set[tuple[int, int]] = set()
    for location in locations:
        out.extend(read_location(location, recursive, use_cache, seen))
    return out


__all__ = [
    "CACHE_NAME",
    "HEADER_NAMES",
    "ILLEGAL_ID_CHARS",
    "HeaderCache",
    "ScriptHeader",
    "check_revision_id",
    "is_script_name",
    "iter_script_files",
    "parse_header",
    "parse_header_ast",
    "read_header",
    "read_location",
    "read_locations",
    "scan_header_text",
]
