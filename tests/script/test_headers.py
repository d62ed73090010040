"""Reading revision headers without importing scripts: both readers, and their errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mighub.script.errors import ScriptError
from mighub.script.headers import (
    ScriptHeader,
    _rx,
    _standard_block,
    is_script_name,
    parse_header,
    parse_header_ast,
    read_header,
    scan_header_text,
)

STANDARD = '''\
"""add account table

Revision ID: 1975ea83b712
Revises: 27c6a30d7c24
Create Date: 2026-01-02 10:00:00

"""
from typing import Sequence, Union

from mighub import op
import sqlalchemy as sa

# revision identifiers, used by mighub.
revision: str = "1975ea83b712"
down_revision: Union[str, Sequence[str], None] = "27c6a30d7c24"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table("account", sa.Column("id", sa.Integer, primary_key=True))


def downgrade() -> None:
    op.drop_table("account")
'''


def both(text: str) -> ScriptHeader:
    """Read with the public entry point and with ast; they must agree."""
    text = textwrap.dedent(text)
    fast = parse_header(text, "x.py")
    assert parse_header_ast(text, "x.py") == fast
    return fast


def agrees_with_ast(text: str) -> None:
    """parse_header gives what ast gives: the same header, or the same error."""
    try:
        expected = parse_header_ast(text, "x.py")
    except ScriptError as exc:
        with pytest.raises(ScriptError) as info:
            parse_header(text, "x.py")
        assert str(info.value) == str(exc)
    else:
        assert parse_header(text, "x.py") == expected


def fast_path_used(text: str) -> bool:
    return scan_header_text(textwrap.dedent(text)) is not None


def test_standard_script_is_read_by_the_fast_scanner():
    assert fast_path_used(STANDARD)
    h = both(STANDARD)
    assert h == ScriptHeader(
        "1975ea83b712",
        ("27c6a30d7c24",),
        (),
        (),
        "add account table\n\nRevision ID: 1975ea83b712\nRevises: 27c6a30d7c24\n"
        "Create Date: 2026-01-02 10:00:00\n\n",
    )
    assert h.doc == "add account table"
    assert h.longdoc.endswith("Create Date: 2026-01-02 10:00:00")


def read_as_one_block(text: str) -> bool:
    """Whether the templates' shape was recognised: the four names read in one match."""
    doc = _rx.doc.match(text)
    return _standard_block(text, doc.end() if doc else 0) is not None


ALEMBIC_SHAPE = '''\
"""merge two heads

Revision ID: 3b2a
Revises: 1a1a, 2b2b
"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '3b2a'
down_revision: Union[str, Sequence[str], None] = ('1a1a', '2b2b')
branch_labels: Union[str, Sequence[str], None] = ('main',)
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass
'''


@pytest.mark.parametrize(
    "text",
    [
        STANDARD,
        ALEMBIC_SHAPE,
        "revision = 'a'\ndown_revision = None\nbranch_labels = None\ndepends_on = 'b'\n",
        '"""doc"""\nrevision = "a"  # the id\ndown_revision = [\'b\']\nbranch_labels = None\n'
        "depends_on = None\n",
    ],
)
def test_the_templates_shape_is_read_in_one_match(text):
    assert read_as_one_block(text)
    both(text)


@pytest.mark.parametrize(
    "text",
    [
        # assigned again further down: the last assignment wins
        STANDARD + 'revision = "ffff"\n',
        # a name mentioned again after the block
        STANDARD + "# depends_on is None on purpose\n",
        # the block is inside a string
        'x = """\nrevision = "b"\ndown_revision = None\nbranch_labels = None\n'
        'depends_on = None\n"""\n',
        # the block continues a statement begun on the line before
        'x = f(1,\nrevision = "b"\ndown_revision = None\nbranch_labels = None\n'
        'depends_on = None)\nrevision = "a"\n',
        # the usual order, but something between two of the lines
        'revision = "a"\ndown_revision = None\nx = 1\nbranch_labels = None\ndepends_on = None\n',
        # brackets that do not match
        'revision = "a"\ndown_revision = ("b"]\nbranch_labels = None\ndepends_on = None\n',
    ],
)
def test_near_misses_of_the_templates_shape_are_read_the_long_way(text):
    assert not read_as_one_block(text)
    agrees_with_ast(text)


def test_doc_is_the_first_paragraph_even_over_several_lines():
    h = both('"""line one\nline two\n\nmore"""\nrevision = "abcd"\n')
    assert h.doc == "line one\nline two"
    assert h.longdoc == "line one\nline two\n\nmore"


def test_file_without_docstring_has_empty_doc():
    h = both('revision = "abcd"\ndown_revision = None\n')
    assert (h.docstring, h.doc) == ("", "")


# Odd but valid shapes: each is read by both readers alike; `fast` says whether
# the scanner is expected to handle it itself (False: it defers to ast).
ODD_CASES = [
    ("single quotes", "revision = 'abc1'\ndown_revision = 'abc0'\n", True, ("abc1", ("abc0",))),
    (
        "typed forms",
        "revision: str = 'abc1'\ndown_revision: Optional[str] = None\n",
        True,
        ("abc1", ()),
    ),
    ("merge tuple", 'revision = "m"\ndown_revision = ("a", "b")\n', True, ("m", ("a", "b"))),
    ("list", 'revision = "m"\ndown_revision = ["a", "b"]\n', True, ("m", ("a", "b"))),
    ("trailing comma", 'revision = "m"\ndown_revision = ("a", "b",)\n', True, ("m", ("a", "b"))),
    ("one-tuple", 'revision = "m"\ndown_revision = ("a",)\n', True, ("m", ("a",))),
    ("parenthesised string", 'revision = ("m")\ndown_revision = ("a")\n', True, ("m", ("a",))),
    ("empty tuple", 'revision = "m"\ndown_revision = ()\n', True, ("m", ())),
    (
        "tuple over lines with comments",
        'revision = "m"  # the merge\ndown_revision = (  # parents\n'
        '    "a",  # left, it\'s old\n    # "zzz" is not a parent\n    "b",\n)\n',
        True,
        ("m", ("a", "b")),
    ),
    ("no spaces", 'revision="m"\ndown_revision=None\n', True, ("m", ())),
    ("comment mentioning names", '# revision = "nope"\nrevision = "m"\n', True, ("m", ())),
    ("last assignment wins", 'revision = "old"\nrevision = "new"\n', True, ("new", ())),
    (
        "header after functions",
        'def upgrade():\n    pass\n\nrevision = "m"\n',
        True,
        ("m", ()),
    ),
    ("escape in string", 'revision = "m\\x41"\n', False, ("mA", ())),
    ("raw string", 'revision = r"m1"\n', False, ("m1", ())),
    ("implicit concatenation", 'revision = "ab" "cd"\n', False, ("abcd", ())),
    ("chained assignment", 'revision = other = "m"\n', False, ("m", ())),
    ("tuple unpacking", 'revision, down_revision = "m", "a"\n', False, ("m", ("a",))),
    ("semicolon", 'import os; revision = "m"\n', False, ("m", ())),
    ("line continuation", 'revision = \\\n    "m"\n', False, ("m", ())),
    (
        "annotation over lines",
        'revision = "m"\ndown_revision: Union[\n    str, None\n] = "a"\n',
        False,
        ("m", ("a",)),
    ),
    (
        "name inside a later triple-quoted string",
        'revision = "m"\ndef upgrade():\n    op.execute("""\nrevision = \'fake\'\n""")\n',
        False,
        ("m", ()),
    ),
    (
        "keyword argument at column 0 inside a call",
        'revision = "m"\nx = dict(\nrevision="fake"\n)\n',
        False,
        ("m", ()),
    ),
    (
        "conditional assignment is not top level",
        'revision = "m"\nif False:\n    revision = "fake"\n',
        False,
        ("m", ()),
    ),
    (
        "annotation only, with a comment that looks like a value",
        'revision = "m"\ndown_revision: str  # = "a"\n',
        False,
        ("m", ()),
    ),
    (
        "attribute assignment is not the variable",
        'revision = "m"\nctx.revision = "fake"\n',
        True,
        ("m", ()),
    ),
    ("column named revision", 'revision = "m"\nt = sa.Column("revision")\n', False, ("m", ())),
    (
        "crlf newlines",
        'revision = "m"\r\ndown_revision = (\r\n  "a",\r\n)\r\n',
        True,
        ("m", ("a",)),
    ),
]


@pytest.mark.parametrize(
    ("text", "fast", "expected"),
    [case[1:] for case in ODD_CASES],
    ids=[case[0] for case in ODD_CASES],
)
def test_odd_formatting_reads_the_same_on_both_paths(text, fast, expected):
    text = text.replace("\r\n", "\n") if "crlf" not in text else text
    h = parse_header(text.encode(), "x.py")
    normalised = text.replace("\r\n", "\n")
    assert parse_header_ast(normalised, "x.py") == h
    assert (h.revision, h.down_revision) == expected
    assert (scan_header_text(normalised) is not None) is fast


def test_branch_labels_and_depends_on():
    h = both(
        """\
        revision = "m"
        down_revision = None
        branch_labels = ("net", "wire")
        depends_on = "abc1"
        """
    )
    assert (h.branch_labels, h.depends_on) == (("net", "wire"), ("abc1",))


def test_docstring_shapes():
    assert both("'''single'''\nrevision = 'a'\n").docstring == "single"
    assert both('"plain"\nrevision = "a"\n').docstring == "plain"
    assert both('#!/usr/bin/env python\n# hi\n\n"""doc"""\nrevision = "a"\n').docstring == "doc"
    assert both('"""say "hi" there"""\nrevision = "a"\n').docstring == 'say "hi" there'
    assert both('"""back\\\\slash"""\nrevision = "a"\n').docstring == "back\\slash"
    assert both('b"""bytes are no docstring"""\nrevision = "a"\n').docstring == ""
    assert both('x = 1\n"""not first"""\nrevision = "a"\n').docstring == ""


def test_bom_and_latin1_cookie(tmp_path):
    p = tmp_path / "a.py"
    p.write_bytes(b'\xef\xbb\xbf"""bom"""\nrevision = "a"\n')
    assert read_header(p).docstring == "bom"
    p.write_bytes(b'# -*- coding: latin-1 -*-\n"""caf\xe9"""\nrevision = "a"\n')
    assert read_header(p).docstring == "caf\u00e9"


# ---------------------------------------------------------------------------
# errors name the file and the variable (and the line where there is one)
# ---------------------------------------------------------------------------


def error_of(text: str) -> str:
    with pytest.raises(ScriptError) as info:
        parse_header(textwrap.dedent(text).encode(), "versions/x.py")
    assert info.value.path == "versions/x.py"
    return str(info.value)


def test_non_literal_value_is_an_error_naming_file_and_variable():
    assert error_of('revision = "a"\ndown_revision = some_function()\n') == (
        "versions/x.py, line 2: down_revision must be a literal (None, a string, or a tuple "
        "or list of strings), not an expression: some_function()"
    )
    assert error_of('revision = "a"\ndepends_on = OTHER\n') == (
        "versions/x.py, line 2: depends_on must be a literal (None, a string, or a tuple or "
        "list of strings), not an expression: OTHER"
    )
    assert error_of('revision = f"a{1}"\n').startswith(
        "versions/x.py, line 1: revision must be a literal"
    )


def test_missing_revision_is_an_error_naming_the_file():
    assert error_of('"""doc"""\ndown_revision = None\n') == (
        "versions/x.py: no module-level 'revision' assignment; a revision script must assign "
        'its id as a literal, e.g. revision = "1975ea83b712"'
    )


def test_syntax_error_in_the_header_names_file_and_line():
    assert error_of('"""doc"""\nrevision = "a"\ndown_revision = (\n') == (
        "versions/x.py, line 3: syntax error: '(' was never closed"
    )
    assert error_of('"""doc\nrevision = "a"\n').startswith("versions/x.py, line 1: syntax error")


def test_syntax_error_below_the_header_is_left_to_the_import():
    """The scanner reads only what it needs; the rest of the file is checked when the
    script is imported to run (see test_directory), so a clean header still reads."""
    h = parse_header(b'revision = "a"\n\ndef upgrade(:\n    pass\n', "x.py")
    assert h.revision == "a"


@pytest.mark.parametrize(
    ("rev", "chars"),
    [("a-b", "'-'"), ("a@b", "'@'"), ("a+b", "'+'"), ("a:b", "':'"), ("a-b+c", "'-', '+'")],
)
def test_illegal_characters_in_revision_id(rev, chars):
    assert error_of(f'revision = "{rev}"\n') == (
        f"versions/x.py: revision id {rev!r} contains {chars}; revision ids may not contain "
        "'@', '-', '+' or ':'"
    )


def test_wrong_value_types():
    assert error_of("revision = 12\n") == "versions/x.py: revision must be a string; found 12"
    assert error_of('revision = "a"\ndown_revision = 3\n') == (
        "versions/x.py: down_revision must be None, a string, or a tuple or list of strings; "
        "found 3"
    )
    assert error_of('revision = "a"\nbranch_labels = ("x", 1)\n') == (
        "versions/x.py: branch_labels must contain only strings; found 1"
    )
    assert error_of('revision = "a"\ndown_revision = ("b", "b")\n') == (
        "versions/x.py: down_revision lists 'b' more than once"
    )
    assert error_of('revision = "a"\ndown_revision = ""\n') == (
        "versions/x.py: down_revision contains an empty revision name"
    )
    assert error_of('revision = ""\n') == (
        "versions/x.py: revision id '' is empty or has surrounding spaces"
    )


def test_unpacking_from_an_expression_is_an_error():
    assert error_of("revision, down_revision = compute()\n") == (
        "versions/x.py, line 1: revision is unpacked from an expression; assign it a literal "
        "on its own"
    )


def test_unreadable_file(tmp_path):
    with pytest.raises(ScriptError, match=r"missing\.py: can't read revision script"):
        read_header(tmp_path / "missing.py")


def test_script_names():
    assert is_script_name("1975ea83b712_add.py")
    assert not is_script_name("__init__.py")
    assert not is_script_name("_helpers.py")
    assert not is_script_name(".#lock.py")
    assert not is_script_name("notes.txt")
    assert not is_script_name("x.pyc")


# ---------------------------------------------------------------------------
# property: the scanner and ast agree on generated headers
# ---------------------------------------------------------------------------

ident = st.text(alphabet="abcdef0123456789_xyz", min_size=1, max_size=14)


@st.composite
def literal_source(draw, value):
    """Source text for ``value`` (None, str or a list of str) in a random valid style."""
    quote = draw(st.sampled_from(['"', "'"]))

    def s(x):
        return f"{quote}{x}{quote}"

    if value is None:
        return "None"
    if isinstance(value, str):
        return draw(st.sampled_from([s(value), f"({s(value)})"]))
    open_, close = draw(st.sampled_from([("(", ")"), ("[", "]")]))
    if not value:
        return open_ + close
    sep = draw(st.sampled_from([", ", ",", ",\n    ", ",  # note it's here\n    "]))
    trailing = draw(st.sampled_from(["", ",", ",\n"]))
    if len(value) == 1 and open_ == "(":
        trailing = ","
    lead = draw(st.sampled_from(["", "\n    ", "  # parents\n    "]))
    return open_ + lead + sep.join(s(v) for v in value) + trailing + close


@st.composite
def header_text(draw):
    names = ["revision", "down_revision", "branch_labels", "depends_on"]
    values = {
        "revision": draw(ident),
        "down_revision": draw(
            st.one_of(st.none(), ident, st.lists(ident, max_size=3, unique=True))
        ),
        "branch_labels": draw(
            st.one_of(st.none(), ident, st.lists(ident, max_size=2, unique=True))
        ),
        "depends_on": draw(st.one_of(st.none(), ident, st.lists(ident, max_size=2, unique=True))),
    }
    order = draw(st.permutations(names))
    lines = []
    doc = draw(
        st.sampled_from(
            [
                "",
                '"""add a table\n\nRevision ID: x\n"""\n',
                "'''short'''\n",
                '"one line"\n',
                '# coding: utf-8\n"""after a comment"""\n',
            ]
        )
    )
    lines.append(doc + "from mighub import op\nimport sqlalchemy as sa\n")
    for name in order:
        if draw(st.booleans()) and name != "revision":
            continue
        annotation = draw(st.sampled_from(["", ": str", ": Union[str, Sequence[str], None]"]))
        comment = draw(st.sampled_from(["", "  # set by mighub", "  # it's = here"]))
        space = draw(st.sampled_from([" = ", "=", "  =  "]))
        lines.append(f"{name}{annotation}{space}{draw(literal_source(values[name]))}{comment}\n")
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(["\n", "# a comment\n", "x = 1\n"])))
    lines.append("\n\ndef upgrade() -> None:\n    op.drop_table('x')\n")
    return "".join(lines)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(header_text())
def test_scanner_and_ast_agree_on_generated_headers(text):
    scanned = scan_header_text(text)
    assert scanned is not None, "the scanner should handle every generated shape"
    assert parse_header(text, "x.py") == parse_header_ast(text, "x.py")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="ab=:(),[]\"'#\n \\revisondw_\t", max_size=120))
def test_scanner_never_disagrees_with_ast_on_noise(noise):
    text = 'revision = "m"\n' + noise
    try:
        expected = parse_header_ast(text, "x.py")
    except ScriptError:
        expected = None
    if expected is not None:
        assert parse_header(text, "x.py") == expected


def test_real_files_read_from_disk(write_script):
    path: Path = write_script("1975ea83b712_add.py", STANDARD)
    assert read_header(path).revision == "1975ea83b712"


def test_undecodable_file_is_an_error(tmp_path):
    p = tmp_path / "a.py"
    p.write_bytes(b'revision = "a\xff"\n')
    with pytest.raises(ScriptError, match=r"a\.py: can't decode the file as Python source"):
        read_header(p)
    p.write_bytes(b'# coding: klingon\nrevision = "a"\n')
    with pytest.raises(ScriptError, match=r"a\.py: can't decode the file as Python source"):
        read_header(p)


def test_file_bigger_than_the_size_hint_is_read_whole(tmp_path):
    p = tmp_path / "a.py"
    p.write_text('"""' + "x" * 70000 + '"""\nrevision = "a"\n')
    assert read_header(p, size_hint=10).revision == "a"
    assert len(read_header(p, size_hint=10).docstring) == 70000


@pytest.mark.parametrize(
    "text",
    [
        'revision = "m"\ndown_revision = ("a"]\n',  # mismatched brackets
        'x = "#"; y = (  # it\'s\nrevision = "m"\n)\n',  # can't tell the comment from a string
        'revision = "m"\na, b = 1, 2\n',  # unpacking that doesn't touch the header
        'revision = "m"\nx = 1  # "quoted" comment\ndown_revision = "a"\n',
    ],
)
def test_more_shapes_agree(text):
    agrees_with_ast(text)
