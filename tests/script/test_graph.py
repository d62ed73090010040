"""The revision graph: structure, identifiers, upgrade/downgrade/stamp plans, history.

Expected values were checked against Alembic 1.20.1 (RevisionMap, RevisionStep,
HeadMaintainer, ScriptDirectory._stamp_revs) with the same revisions; they are
written here as plain values.  Where Alembic picks a version row through a set
(which parent row survives a merge, which row an unmerge updates), its choice
changes from run to run; ours is fixed (the last parent keeps the row), and the
resulting set of rows is the same.
"""

from __future__ import annotations

import warnings

import pytest

from mighub.script.errors import (
    CycleError,
    GraphError,
    MultipleHeadsError,
    RangeError,
    ResolutionError,
    RevisionError,
)
from mighub.script.graph import (
    MigrationStep,
    Revision,
    RevisionMap,
    RevisionWarning,
    StampStep,
    VersionOp,
    apply_steps,
    apply_version_ops,
    parse_range,
)

LINEAR = [("a001",), ("b002", "a001"), ("c003", "b002"), ("d004", "c003")]
BRANCH = [("a001",), ("b002", "a001"), ("c003", "b002"), ("d004", "b002")]
ROOTS = [
    ("n1a1", None, None, "net"),
    ("n2b2", "n1a1"),
    ("n3c3", "n2b2"),
    ("u1d1", None, None, "auth"),
    ("u2e2", "u1d1"),
]
MERGE = [
    ("a001",),
    ("b002", "a001"),
    ("c003", "b002"),
    ("d004", "b002"),
    ("m005", ("c003", "d004")),
    ("e006", "m005"),
]
DEPS = [
    ("a001",),
    ("b002", "a001"),
    ("c003", "b002"),
    ("x001", None, None, "other"),
    ("y002", "x001", "b002"),
    ("w003", None, "other"),
    ("e001",),
    ("f002", None, "e001"),
]


def make(specs) -> RevisionMap:
    revs = []
    for spec in specs:
        rev, down, deps, labels = (*spec, None, None, None)[:4]
        revs.append(Revision(rev, down, deps, labels))
    return RevisionMap(revs)


def ids(revs) -> list:
    return [getattr(r, "revision", r) for r in revs]


def trace(steps, heads=()):
    """``[(revision, [ops...], rows after)]`` running ``steps`` from rows ``heads``."""
    rows = tuple(heads)
    out = []
    for step in steps:
        ops = step.version_ops(rows)
        rows = apply_version_ops(rows, ops)
        name = step.revision.revision if isinstance(step, MigrationStep) else step.to
        out.append((name, [tuple(o) for o in ops], sorted(rows)))
    return out


def up(m, cur, target):
    return trace(m.upgrade_steps(cur, target), cur)


def down(m, cur, target):
    return trace(m.downgrade_steps(cur, target), cur)


def order(steps):
    return [s.revision.revision for s in steps]


INS = "insert"
DEL = "delete"
UPD = "update"


# ---------------------------------------------------------------------------
# structure
# ---------------------------------------------------------------------------


def test_linear_heads_and_bases():
    m = make(LINEAR)
    assert (m.heads, m.real_heads, m.bases, m.real_bases) == (
        ("d004",),
        ("d004",),
        ("a001",),
        ("a001",),
    )
    assert m.get_current_head() == "d004"
    d = m["d004"]
    assert (d.is_head, d.is_base, d.is_branch_point, d.is_merge_point) == (
        True,
        False,
        False,
        False,
    )
    assert m["a001"].is_base and m["a001"].down_revision is None


def test_branch_point_has_two_heads_in_load_order():
    m = make(BRANCH)
    assert m.heads == ("c003", "d004")
    assert m["b002"].is_branch_point and m["b002"].nextrev == ("c003", "d004")


def test_merge_point():
    m = make(MERGE)
    assert m.heads == ("e006",)
    assert m["m005"].is_merge_point
    assert m["m005"].down_revision == ("c003", "d004")


def test_multiple_roots_and_labels_along_the_branch():
    m = make(ROOTS)
    assert m.heads == ("n3c3", "u2e2")
    assert m.bases == ("n1a1", "u1d1")
    assert {r.revision: sorted(r.branch_labels) for r in m} == {
        "n1a1": ["net"],
        "n2b2": ["net"],
        "n3c3": ["net"],
        "u1d1": ["auth"],
        "u2e2": ["auth"],
    }


def test_dependency_makes_an_effective_head():
    m = make(DEPS)
    assert m.heads == ("c003", "y002", "w003", "e001", "f002")
    assert m.real_heads == ("c003", "y002", "w003", "f002")
    assert m.get_heads(consider_depends_on=True) == m.real_heads
    assert m.bases == ("a001", "x001", "w003", "e001", "f002")
    assert m.real_bases == ("a001", "x001", "e001")
    e = m["e001"]
    assert (e.is_head, e.is_real_head, e.is_effective_head) == (True, False, True)
    assert m["w003"].resolved_dependencies == ("x001",)  # "other" names the labelled revision
    assert {r.revision: sorted(r.branch_labels) for r in m if r.branch_labels} == {
        "x001": ["other"],
        "y002": ["other"],
    }


def test_label_reaches_ancestors_of_an_unbranched_line():
    m = make([("r001",), ("s002", "r001", None, "feat"), ("t003", "s002")])
    assert {r.revision for r in m if "feat" in r.branch_labels} == {"r001", "s002", "t003"}


def test_label_stops_at_the_branch_point_below_it():
    m = make(
        [
            ("r001",),
            ("s002", "r001"),
            ("x002", "r001"),
            ("t003", "s002", None, "feat"),
            ("u004", "t003"),
        ]
    )
    assert {r.revision for r in m if "feat" in r.branch_labels} == {"s002", "t003", "u004"}


def test_label_does_not_reach_ancestors_when_its_line_branches():
    m = make([("r001",), ("s002", "r001", None, "feat"), ("t003", "s002"), ("u003", "s002")])
    assert {r.revision for r in m if "feat" in r.branch_labels} == {"s002", "t003", "u003"}


def test_label_stops_at_a_revision_that_another_depends_on():
    m = make([("r001",), ("s002", "r001", None, "feat"), ("t003", "s002"), ("q009", None, "r001")])
    assert {r.revision for r in m if "feat" in r.branch_labels} == {"s002", "t003"}


def test_label_stops_at_a_merge_point():
    m = make(
        [
            ("a001",),
            ("b002",),
            ("m003", ("a001", "b002")),
            ("n004", "m003", None, "feat"),
            ("o005", "n004"),
        ]
    )
    assert {r.revision for r in m if "feat" in r.branch_labels} == {"n004", "o005"}


def test_nested_labels_both_spread():
    m = make(
        [
            ("r001", None, None, "outer"),
            ("s002", "r001"),
            ("t003", "s002", None, "inner"),
            ("u004", "t003"),
        ]
    )
    assert {r.revision: sorted(r.branch_labels) for r in m} == {
        "r001": ["inner", "outer"],
        "s002": ["inner", "outer"],
        "t003": ["inner", "outer"],
        "u004": ["inner", "outer"],
    }


def test_dependencies_already_implied_by_an_ancestor_are_normalized_away():
    m = make(
        [("a001",), ("b002", "a001"), ("x001",), ("y002", "x001", "b002"), ("y003", "y002", "b002")]
    )
    assert m["y003"].resolved_dependencies == ("b002",)
    assert m["y003"].normalized_dependencies == ()
    assert m["y002"].normalized_dependencies == ("b002",)
    assert m["b002"].all_nextrev == ("y002", "y003")


def test_topological_order_puts_parents_and_dependencies_first():
    m = make(DEPS)
    pos = {r.revision: i for i, r in enumerate(m.topological())}
    for rev in m:
        for parent in rev.down_revisions + rev.resolved_dependencies:
            assert pos[parent] < pos[rev.revision]


def test_five_thousand_deep_chain_needs_no_recursion():
    revs = [Revision(f"r{i:05d}", f"r{i - 1:05d}" if i else None) for i in range(5000)]
    m = RevisionMap(revs)
    assert m.heads == ("r04999",)
    assert len(m.upgrade_steps((), "heads")) == 5000
    assert len(m.downgrade_steps(("r04999",), "base")) == 5000
    assert len(m.walk_revisions()) == 5000
    assert m.get_revisions("-4999") == (m["r00000"],)


# ---------------------------------------------------------------------------
# graph errors
# ---------------------------------------------------------------------------


def graph_error(specs) -> GraphError:
    with pytest.raises(GraphError) as info:
        make(specs)
    return info.value


def test_down_revision_that_names_nothing():
    assert str(graph_error([("a001",), ("b002", "zzzz")])) == (
        "Revision b002 has down_revision 'zzzz', which is not a revision in the version locations"
    )


def test_down_revision_naming_a_branch_label_is_refused():
    assert str(graph_error([("a001", None, None, "lab"), ("b002", "lab")])) == (
        "Revision b002 has down_revision 'lab', which is not a revision in the version "
        "locations (that is a branch label; down_revision needs an id)"
    )


def test_depends_on_that_names_nothing():
    assert str(graph_error([("a001",), ("b002", "a001", "zzzz")])) == (
        "Revision b002 depends on 'zzzz', which is neither a revision nor a branch label"
    )


def test_errors_name_the_files():
    revs = [Revision("a001", path="v/a.py"), Revision("b002", "zzzz", path="v/b.py")]
    with pytest.raises(GraphError, match=r"^Revision b002 \(v/b\.py\) has down_revision 'zzzz'"):
        RevisionMap(revs)


def test_duplicate_revision_id_names_both_files():
    with pytest.raises(GraphError) as info:
        RevisionMap([Revision("a001", path="v/one.py"), Revision("a001", path="v/two.py")])
    assert str(info.value) == "Revision id a001 is used twice: by v/one.py and by v/two.py"


def test_cycle():
    err = graph_error([("a001", "c003"), ("b002", "a001"), ("c003", "b002"), ("d004",)])
    assert isinstance(err, CycleError)
    assert str(err) == "Cycle detected in revisions: a001, b002, c003"
    assert err.revisions == ("a001", "b002", "c003")


def test_cycle_reachable_from_a_base_and_a_head_is_still_found():
    # Alembic 1.20 misses this one (every node is on some base-to-head path).
    err = graph_error(
        [
            ("r001",),
            ("m002", ("r001", "c004")),
            ("c003", "m002"),
            ("c004", "c003"),
            ("h005", "c003"),
        ]
    )
    assert str(err) == "Cycle detected in revisions: m002, c003, c004"


def test_dependency_cycle():
    assert str(graph_error([("a001", None, "b002"), ("b002", None, "a001")])) == (
        "Dependency cycle detected in revisions: a001, b002"
    )
    err = graph_error([("a001",), ("b002", "a001", "d004"), ("c003",), ("d004", "c003", "b002")])
    assert err.revisions == ("b002", "d004")


def test_self_loops():
    with pytest.raises(CycleError, match=r"^Revision a001 names itself as its down_revision"):
        Revision("a001", "a001")
    with pytest.raises(CycleError, match=r"^Revision a001 depends on itself \(a self-loop\)$"):
        Revision("a001", None, "a001")
    assert str(graph_error([("a001", None, "lbl", "lbl")])) == (
        "Revision a001 depends on itself through 'lbl' (a self-loop)"
    )


def test_label_used_twice():
    assert str(graph_error([("a001", None, None, "x"), ("b002", None, None, "x")])) == (
        "Branch label 'x' of revision b002 is already a branch label of revision a001"
    )


def test_label_that_is_a_revision_id():
    assert str(graph_error([("a001",), ("b002", None, None, "a001")])) == (
        "Branch label 'a001' of revision b002 is already the id of revision a001"
    )


@pytest.mark.parametrize("label", ["head", "heads", "base", "current", "a@b", "a:b"])
def test_unusable_labels(label):
    assert str(graph_error([("a001", None, None, label)])) == (
        f"Branch label {label!r} of revision a001 can't be used: labels may not contain '@' or "
        "':' nor be 'head', 'heads', 'base' or 'current'"
    )


def test_illegal_revision_id():
    with pytest.raises(GraphError, match=r"^Revision id 'a-1' contains '-'"):
        Revision("a-1")


# ---------------------------------------------------------------------------
# identifiers
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("specs", "ident", "expected"),
    [
        (LINEAR, "head", ["d004"]),
        (LINEAR, "heads", ["d004"]),
        (LINEAR, "base", []),
        (LINEAR, "b002", ["b002"]),
        (LINEAR, "-1", ["c003"]),
        (LINEAR, "-4", ["base"]),
        (LINEAR, "-5", [None]),
        (BRANCH, "heads", ["c003", "d004"]),
        (BRANCH, "c003@head", ["c003"]),
        (BRANCH, "b002@heads", ["c003", "d004"]),
        (BRANCH, "-1", ["b002", "b002"]),
        (ROOTS, "net@head", ["n3c3"]),
        (ROOTS, "auth@head", ["u2e2"]),
        (ROOTS, "net@heads", ["n3c3"]),
        (ROOTS, "net@base", []),
        (ROOTS, "net@n2b2", ["n2b2"]),
        (ROOTS, "n2b2@head", ["n3c3"]),
        (ROOTS, "n1a1@head", ["n3c3"]),
        (ROOTS, "net@-1", ["n2b2"]),
        (ROOTS, "net", ["n1a1"]),  # a bare label names the revision that declares it
        (DEPS, "heads", ["c003", "y002", "w003", "f002"]),
        (
            [("r001", None, None, ("one", "two")), ("s002", "r001")],
            "two@head",
            ["s002"],
        ),
    ],
)
def test_identifier_forms(specs, ident, expected):
    assert ids(make(specs).get_revisions(ident)) == expected


PARTIAL = [
    ("ae1027a6acf",),
    ("ae10cd2d", "ae1027a6acf"),
    ("27c6a30d7c24", "ae10cd2d", None, "feature"),
]


@pytest.mark.parametrize(
    ("ident", "expected"),
    [
        ("ae102", ["ae1027a6acf"]),
        ("27c", ["27c6a30d7c24"]),  # short prefixes work when they are unique
        ("27", ["27c6a30d7c24"]),
        ("feat", ["27c6a30d7c24"]),  # prefixes of labels count too
        ("feature@ae10c", ["ae10cd2d"]),
        ("27c6a30d7c24@head", ["27c6a30d7c24"]),
        ("ae10c@head", ["27c6a30d7c24"]),
        ("fea@head", ["27c6a30d7c24"]),
    ],
)
def test_partial_identifiers(ident, expected):
    assert ids(make(PARTIAL).get_revisions(ident)) == expected


@pytest.mark.parametrize(
    ("specs", "ident", "error", "message"),
    [
        (
            PARTIAL,
            "ae10",
            ResolutionError,
            "'ae10' is ambiguous: it could be 'ae1027a6acf', 'ae10cd2d'; give more characters",
        ),
        (
            PARTIAL,
            "feature@ae10",
            ResolutionError,
            "'ae10' is ambiguous: it could be 'ae1027a6acf', 'ae10cd2d'; give more characters",
        ),
        (
            PARTIAL,
            "zz",
            ResolutionError,
            "No revision or branch label matches 'zz'; a partial revision id needs at least "
            "four characters",
        ),
        (PARTIAL, "zzzzz", ResolutionError, "No revision or branch label matches 'zzzzz'"),
        (
            BRANCH,
            "head",
            MultipleHeadsError,
            "'head' names several head revisions (c003, d004); name one of them, "
            "'<branchname>@head' for one branch's head, or 'heads' for all of them",
        ),
        (
            BRANCH,
            "b002@head",
            MultipleHeadsError,
            "'b002@head' names several head revisions (c003, d004); name one of them, "
            "'<branchname>@head' for one branch's head, or 'heads' for all of them",
        ),
        (ROOTS, "auth@n2b2", ResolutionError, "Revision n2b2 is not on branch 'auth'"),
        (ROOTS, "nope@head", ResolutionError, "No revision or branch label matches 'nope'"),
        (
            ROOTS,
            "net@+1",
            ResolutionError,
            "No revision or branch label matches '+1' on branch 'net'; a partial revision id "
            "needs at least four characters",
        ),
        (LINEAR, "b002+1", ResolutionError, "No revision or branch label matches 'b002+1'"),
        (
            MERGE,
            "-2",
            RevisionError,
            "Ambiguous walk: 2 revisions follow m005 (c003, d004); name one of them or use a "
            "branch label",
        ),
    ],
)
def test_identifier_errors(specs, ident, error, message):
    with pytest.raises(error) as info:
        make(specs).get_revisions(ident)
    assert str(info.value) == message


def test_get_revision_single():
    m = make(BRANCH)
    assert m.get_revision("base") is None
    assert m.get_revision("c003").revision == "c003"
    with pytest.raises(MultipleHeadsError) as info:
        m.get_revision("heads")
    assert (
        str(info.value)
        == "'heads' names several head revisions (c003, d004); name a single revision"
    )
    assert info.value.heads == ("c003", "d004")


def test_label_at_base_checks_the_label_only_for_a_single_revision():
    m = make(ROOTS)
    assert m.get_revision("net@base") is None
    with pytest.raises(ResolutionError):
        m.get_revision("nope@base")


def test_as_revision_number():
    m = make(BRANCH)
    assert m.as_revision_number("heads") == ("c003", "d004")
    assert m.as_revision_number("base") is None
    assert m.as_revision_number("c00") == "c00"  # resolved later; Alembic's behaviour too


def test_non_string_identifier():
    with pytest.raises(RevisionError, match=r"^Revision identifier 5 is not a string$"):
        make(LINEAR).get_revisions(5)


# ---------------------------------------------------------------------------
# upgrade
# ---------------------------------------------------------------------------


def test_upgrade_linear_from_base():
    assert up(make(LINEAR), (), "head") == [
        ("a001", [(INS, None, "a001")], ["a001"]),
        ("b002", [(UPD, "a001", "b002")], ["b002"]),
        ("c003", [(UPD, "b002", "c003")], ["c003"]),
        ("d004", [(UPD, "c003", "d004")], ["d004"]),
    ]


@pytest.mark.parametrize(
    ("cur", "target", "expected"),
    [
        (("b002",), "+1", ["c003"]),
        ((), "+2", ["a001", "b002"]),
        (("a001",), "c003", ["b002", "c003"]),
        ((), "d004-1", ["a001", "b002", "c003"]),
        ((), "head-2", ["a001", "b002"]),
        ((), "a001+2", ["a001", "b002", "c003"]),
        (("d004",), "b002", []),  # already past it: nothing to do
        (("d004",), "heads", []),
    ],
)
def test_upgrade_linear_targets(cur, target, expected):
    assert order(make(LINEAR).upgrade_steps(cur, target)) == expected


@pytest.mark.parametrize(
    ("cur", "target", "message"),
    [
        (
            ("b002",),
            "-1",
            "Relative revision -1 can't be an upgrade target: an upgrade goes up (use +N)",
        ),
        (
            ("d004",),
            "+1",
            "Relative revision +1 didn't produce 1 migrations: there aren't that many revisions "
            "above the current one",
        ),
        (
            (),
            "+5",
            "Relative revision +5 didn't produce 5 migrations: there aren't that many revisions "
            "above the current one",
        ),
        ((), "a001+9", "'a001+9' walks past the newest revision"),
        ((), "head-9", "'head-9' walks past the base"),
    ],
)
def test_upgrade_relative_errors(cur, target, message):
    with pytest.raises(RevisionError) as info:
        make(LINEAR).upgrade_steps(cur, target)
    assert str(info.value) == message


def test_upgrade_heads_with_a_branch_inserts_the_second_head():
    assert up(make(BRANCH), (), "heads") == [
        ("a001", [(INS, None, "a001")], ["a001"]),
        ("b002", [(UPD, "a001", "b002")], ["b002"]),
        ("d004", [(UPD, "b002", "d004")], ["d004"]),
        ("c003", [(INS, None, "c003")], ["c003", "d004"]),
    ]


def test_upgrade_one_branch_of_several():
    m = make(BRANCH)
    assert up(m, ("b002",), "c003") == [("c003", [(UPD, "b002", "c003")], ["c003"])]
    assert up(m, ("c003",), "d004") == [("d004", [(INS, None, "d004")], ["c003", "d004"])]
    assert up(m, ("c003",), "heads") == [("d004", [(INS, None, "d004")], ["c003", "d004"])]


def test_upgrade_relative_from_several_heads_is_ambiguous():
    m = make(BRANCH)
    with pytest.raises(RevisionError) as info:
        m.upgrade_steps(("c003", "d004"), "+1")
    assert str(info.value) == (
        "Ambiguous upgrade '+1' from several current revisions (c003, d004); use LABEL@+N or "
        "an absolute target"
    )
    with pytest.raises(RevisionError, match=r"^Ambiguous walk: 2 revisions follow b002"):
        m.upgrade_steps(("b002",), "+1")
    with pytest.raises(MultipleHeadsError):
        m.upgrade_steps((), "head")


def test_upgrade_into_a_merge_deletes_one_parent_row_and_updates_the_other():
    m = make(MERGE)
    assert up(m, ("c003", "d004"), "m005") == [
        ("m005", [(DEL, "c003", None), (UPD, "d004", "m005")], ["m005"])
    ]
    assert up(m, ("b002",), "m005") == [
        ("d004", [(UPD, "b002", "d004")], ["d004"]),
        ("c003", [(INS, None, "c003")], ["c003", "d004"]),
        ("m005", [(DEL, "c003", None), (UPD, "d004", "m005")], ["m005"]),
    ]


def test_upgrade_roots_with_labels():
    m = make(ROOTS)
    assert order(m.upgrade_steps((), "net@head")) == ["n1a1", "n2b2", "n3c3"]
    assert up(m, (), "heads") == [
        ("u1d1", [(INS, None, "u1d1")], ["u1d1"]),
        ("u2e2", [(UPD, "u1d1", "u2e2")], ["u2e2"]),
        ("n1a1", [(INS, None, "n1a1")], ["n1a1", "u2e2"]),
        ("n2b2", [(UPD, "n1a1", "n2b2")], ["n2b2", "u2e2"]),
        ("n3c3", [(UPD, "n2b2", "n3c3")], ["n3c3", "u2e2"]),
    ]
    assert up(m, ("n3c3",), "auth@head") == [
        ("u1d1", [(INS, None, "u1d1")], ["n3c3", "u1d1"]),
        ("u2e2", [(UPD, "u1d1", "u2e2")], ["n3c3", "u2e2"]),
    ]


def test_upgrade_label_relative_from_several_heads():
    m = make(ROOTS)
    assert order(m.upgrade_steps(("n2b2", "u1d1"), "net@+1")) == ["n3c3"]
    assert order(m.upgrade_steps(("n2b2", "u1d1"), "auth@+1")) == ["u2e2"]
    assert order(m.upgrade_steps(("n3c3",), "auth@+1")) == ["u1d1"]  # starts a new root
    assert order(m.upgrade_steps((), "net@+2")) == ["n1a1", "n2b2"]
    assert order(m.upgrade_steps(("n1a1",), "n1a1@+1")) == ["n2b2"]


def test_upgrade_pulls_in_dependencies():
    m = make(DEPS)
    assert up(m, (), "y002") == [
        ("a001", [(INS, None, "a001")], ["a001"]),
        ("b002", [(UPD, "a001", "b002")], ["b002"]),
        ("x001", [(INS, None, "x001")], ["b002", "x001"]),
        ("y002", [(DEL, "x001", None), (UPD, "b002", "y002")], ["y002"]),
    ]
    assert up(m, ("c003",), "y002") == [
        ("x001", [(INS, None, "x001")], ["c003", "x001"]),
        ("y002", [(UPD, "x001", "y002")], ["c003", "y002"]),
    ]


def test_dependency_row_is_taken_over_only_when_it_is_a_head():
    m = make(DEPS)
    assert up(m, (), "f002") == [
        ("e001", [(INS, None, "e001")], ["e001"]),
        ("f002", [(UPD, "e001", "f002")], ["f002"]),
    ]
    # b002 isn't a head here (c003 follows it), so w003's row is new
    assert up(m, ("b002",), "w003") == [
        ("x001", [(INS, None, "x001")], ["b002", "x001"]),
        ("w003", [(UPD, "x001", "w003")], ["b002", "w003"]),
    ]


def test_upgrade_everything_with_dependencies():
    assert up(make(DEPS), (), "heads") == [
        ("e001", [(INS, None, "e001")], ["e001"]),
        ("f002", [(UPD, "e001", "f002")], ["f002"]),
        ("a001", [(INS, None, "a001")], ["a001", "f002"]),
        ("b002", [(UPD, "a001", "b002")], ["b002", "f002"]),
        ("x001", [(INS, None, "x001")], ["b002", "f002", "x001"]),
        ("w003", [(UPD, "x001", "w003")], ["b002", "f002", "w003"]),
        ("y002", [(UPD, "b002", "y002")], ["f002", "w003", "y002"]),
        ("c003", [(INS, None, "c003")], ["c003", "f002", "w003", "y002"]),
    ]


def test_upgrade_to_a_label_targets_the_labelled_revision():
    m = make([("a001",), ("b002", "a001", None, "lab"), ("c003", "b002"), ("z001", None, "lab")])
    assert up(m, (), "z001") == [
        ("a001", [(INS, None, "a001")], ["a001"]),
        ("b002", [(UPD, "a001", "b002")], ["b002"]),
        ("z001", [(UPD, "b002", "z001")], ["z001"]),
    ]


def test_upgrade_from_rows_that_overlap_is_refused():
    with pytest.raises(RevisionError) as info:
        make(LINEAR).upgrade_steps(("b002", "c003"), "heads")
    assert str(info.value) == "Requested revisions overlap: b002 is an ancestor of c003"


def test_upgrade_from_an_unknown_row():
    with pytest.raises(ResolutionError, match=r"^No revision or branch label matches 'zzzz'$"):
        make(LINEAR).upgrade_steps(("zzzz",), "heads")


def test_redundant_merge_parent_still_gives_exact_rows():
    # m's parents include a001, an ancestor of its other parents; Alembic 1.20
    # may try to delete a001's (absent) row here and fail.
    m = make([("a001",), ("b002", "a001"), ("c003", "a001"), ("m004", ("a001", "b002", "c003"))])
    assert up(m, ("b002",), "m004") == [
        ("c003", [(INS, None, "c003")], ["b002", "c003"]),
        ("m004", [(DEL, "b002", None), (UPD, "c003", "m004")], ["m004"]),
    ]


# ---------------------------------------------------------------------------
# downgrade
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cur", "target", "expected"),
    [
        (("d004",), "-1", ["d004"]),
        (("d004",), "-2", ["d004", "c003"]),
        (("d004",), "base", ["d004", "c003", "b002", "a001"]),
        (("d004",), "b002", ["d004", "c003"]),
        (("d004",), "a001+1", ["d004", "c003"]),
        (("d004",), "d004", []),
    ],
)
def test_downgrade_linear(cur, target, expected):
    assert order(make(LINEAR).downgrade_steps(cur, target)) == expected


def test_downgrade_to_base_deletes_the_last_row():
    assert down(make(LINEAR), ("b002",), "base") == [
        ("b002", [(UPD, "b002", "a001")], ["a001"]),
        ("a001", [(DEL, "a001", None)], []),
    ]


@pytest.mark.parametrize(
    ("cur", "target", "error", "message"),
    [
        (
            ("b002",),
            "d004",
            RangeError,
            "Destination d004 is not a valid downgrade target from the current head(s) (b002)",
        ),
        (
            ("d004",),
            "+1",
            RevisionError,
            "Relative revision +1 can't be a downgrade target: a downgrade goes down (use -N)",
        ),
        (
            ("b002",),
            "-5",
            RevisionError,
            "Relative revision -5 didn't produce 5 migrations: there aren't that many revisions "
            "below the current one",
        ),
        (
            (),
            "-1",
            RevisionError,
            "Relative revision -1 didn't produce 1 migrations: the database is at base",
        ),
    ],
)
def test_downgrade_errors(cur, target, error, message):
    with pytest.raises(error) as info:
        make(LINEAR).downgrade_steps(cur, target)
    assert str(info.value) == message


def test_downgrade_one_branch_of_several():
    m = make(BRANCH)
    assert down(m, ("c003", "d004"), "b002") == [
        ("c003", [(DEL, "c003", None)], ["d004"]),
        ("d004", [(UPD, "d004", "b002")], ["b002"]),
    ]
    assert down(m, ("c003", "d004"), "d004@b002") == [("d004", [(DEL, "d004", None)], ["c003"])]
    assert down(m, ("c003", "d004"), "c003@-1") == [("c003", [(DEL, "c003", None)], ["d004"])]
    assert order(m.downgrade_steps(("c003", "d004"), "c003")) == []


def test_downgrade_minus_one_from_several_heads_warns_and_takes_the_first():
    m = make(BRANCH)
    with pytest.warns(RevisionWarning, match=r"ambiguous; going down from c003 only"):
        assert order(m.downgrade_steps(("c003", "d004"), "-1")) == ["c003"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert order(m.downgrade_steps(("d004", "c003"), "-1")) == ["d004"]


def test_unmerge_inserts_the_other_parent_row():
    m = make(MERGE)
    assert down(m, ("e006",), "c003") == [
        ("e006", [(UPD, "e006", "m005")], ["m005"]),
        ("m005", [(INS, None, "c003"), (UPD, "m005", "d004")], ["c003", "d004"]),
    ]
    assert down(m, ("m005",), "d004") == [
        ("m005", [(INS, None, "c003"), (UPD, "m005", "d004")], ["c003", "d004"])
    ]
    assert down(m, ("e006",), "b002") == [
        ("e006", [(UPD, "e006", "m005")], ["m005"]),
        ("m005", [(INS, None, "c003"), (UPD, "m005", "d004")], ["c003", "d004"]),
        ("c003", [(DEL, "c003", None)], ["d004"]),
        ("d004", [(UPD, "d004", "b002")], ["b002"]),
    ]


def test_relative_downgrade_through_a_merge_is_ambiguous():
    with pytest.raises(RevisionError, match=r"^Ambiguous walk: 2 revisions follow m005"):
        make(MERGE).downgrade_steps(("m005",), "-1")


def test_downgrade_label_to_base_leaves_other_roots():
    m = make(ROOTS)
    assert down(m, ("n3c3", "u2e2"), "net@base") == [
        ("n3c3", [(UPD, "n3c3", "n2b2")], ["n2b2", "u2e2"]),
        ("n2b2", [(UPD, "n2b2", "n1a1")], ["n1a1", "u2e2"]),
        ("n1a1", [(DEL, "n1a1", None)], ["u2e2"]),
    ]
    assert order(m.downgrade_steps(("n3c3", "u2e2"), "auth@-1")) == ["u2e2"]
    assert order(m.downgrade_steps(("n3c3", "u2e2"), "net@-2")) == ["n3c3", "n2b2"]
    assert order(m.downgrade_steps(("n3c3", "u2e2"), "net@n1a1")) == ["n3c3", "n2b2"]
    assert order(m.downgrade_steps(("n3c3", "u2e2"), "base")) == [
        "n3c3",
        "n2b2",
        "n1a1",
        "u2e2",
        "u1d1",
    ]


def test_downgrade_does_not_take_dependencies_down():
    m = make(DEPS)
    assert down(m, ("c003", "y002"), "other@base") == [
        ("y002", [(UPD, "y002", "x001")], ["c003", "x001"]),
        ("x001", [(DEL, "x001", None)], ["c003"]),
    ]
    # going below b002 takes its dependent y002 down too, and puts b002's row back
    assert down(m, ("c003", "y002"), "a001") == [
        ("c003", [(DEL, "c003", None)], ["y002"]),
        ("y002", [(INS, None, "x001"), (UPD, "y002", "b002")], ["b002", "x001"]),
        ("b002", [(UPD, "b002", "a001")], ["a001", "x001"]),
    ]
    # but downgrading to b002 keeps it: y002 is not b002's versioned child
    assert order(m.downgrade_steps(("c003", "y002"), "b002")) == ["c003"]
    assert down(m, ("f002",), "base") == [
        ("f002", [(UPD, "f002", "e001")], ["e001"]),
        ("e001", [(DEL, "e001", None)], []),
    ]
    with pytest.raises(RangeError):
        m.downgrade_steps(("f002",), "e001")


def test_downgrade_all_heads_with_dependencies():
    assert down(make(DEPS), ("c003", "y002", "w003", "f002"), "base") == [
        ("c003", [(DEL, "c003", None)], ["f002", "w003", "y002"]),
        ("y002", [(UPD, "y002", "b002")], ["b002", "f002", "w003"]),
        ("w003", [(UPD, "w003", "x001")], ["b002", "f002", "x001"]),
        ("x001", [(DEL, "x001", None)], ["b002", "f002"]),
        ("b002", [(UPD, "b002", "a001")], ["a001", "f002"]),
        ("a001", [(DEL, "a001", None)], ["f002"]),
        ("f002", [(UPD, "f002", "e001")], ["e001"]),
        ("e001", [(DEL, "e001", None)], []),
    ]


def test_redundant_dependency_row_is_restored_once():
    m = make(
        [
            ("a001",),
            ("b002", "a001"),
            ("c003", "b002", "a001"),
            ("x001",),
            ("y002", "x001", "b002"),
            ("y003", "y002", "b002"),
        ]
    )
    assert down(m, ("c003", "y003"), "base") == [
        ("c003", [(DEL, "c003", None)], ["y003"]),
        ("y003", [(UPD, "y003", "y002")], ["y002"]),
        ("y002", [(INS, None, "x001"), (UPD, "y002", "b002")], ["b002", "x001"]),
        ("x001", [(DEL, "x001", None)], ["b002"]),
        ("b002", [(UPD, "b002", "a001")], ["a001"]),
        ("a001", [(DEL, "a001", None)], []),
    ]


def test_label_stops_at_merge_then_label_base_unmerges():
    m = make(
        [
            ("a001",),
            ("b002",),
            ("m003", ("a001", "b002")),
            ("n004", "m003", None, "feat"),
            ("o005", "n004"),
        ]
    )
    assert down(m, ("o005",), "feat@base") == [
        ("o005", [(UPD, "o005", "n004")], ["n004"]),
        ("n004", [(UPD, "n004", "m003")], ["m003"]),
        ("m003", [(INS, None, "a001"), (UPD, "m003", "b002")], ["a001", "b002"]),
        ("a001", [(DEL, "a001", None)], ["b002"]),
        ("b002", [(DEL, "b002", None)], []),
    ]


# ---------------------------------------------------------------------------
# stamp
# ---------------------------------------------------------------------------


def stamp(m, cur, dests):
    rows = tuple(cur)
    out = []
    for step in m.stamp_steps(cur, dests):
        ops = step.version_ops(rows)
        rows = apply_version_ops(rows, ops)
        out.append(
            (
                step.from_,
                step.to,
                "up" if step.is_upgrade else "down",
                step.branch_move,
                [tuple(o) for o in ops],
                sorted(rows),
            )
        )
    return out


def test_stamp_linear():
    m = make(LINEAR)
    assert stamp(m, (), "head") == [((), ("d004",), "up", True, [(INS, None, "d004")], ["d004"])]
    assert stamp(m, ("d004",), "b002") == [
        (("d004",), ("b002",), "down", False, [(UPD, "d004", "b002")], ["b002"])
    ]
    assert stamp(m, ("b002",), "d004") == [
        (("b002",), ("d004",), "up", False, [(UPD, "b002", "d004")], ["d004"])
    ]
    assert stamp(m, ("b002",), "base") == [(("b002",), (), "down", True, [(DEL, "b002", None)], [])]
    assert stamp(m, ("b002",), "b002") == []
    assert stamp(m, (), "base") == []
    assert stamp(m, ("b002",), None) == stamp(m, ("b002",), "base")


def test_stamp_branches():
    m = make(BRANCH)
    assert stamp(m, ("c003",), "d004") == [
        ((), ("d004",), "up", True, [(INS, None, "d004")], ["c003", "d004"])
    ]
    assert stamp(m, ("c003", "d004"), "b002") == [
        (
            ("c003", "d004"),
            ("b002",),
            "down",
            False,
            [(DEL, "c003", None), (UPD, "d004", "b002")],
            ["b002"],
        )
    ]
    assert stamp(m, ("b002",), "heads") == [
        (("b002",), ("c003",), "up", False, [(UPD, "b002", "c003")], ["c003"]),
        (("b002",), ("d004",), "up", False, [(INS, None, "d004")], ["c003", "d004"]),
    ]
    assert stamp(m, ("c003", "d004"), "base") == [
        (("c003",), (), "down", True, [(DEL, "c003", None)], ["d004"]),
        (("d004",), (), "down", True, [(DEL, "d004", None)], []),
    ]
    assert stamp(m, ("c003", "d004"), "c003@base") == [
        (("c003",), (), "down", True, [(DEL, "c003", None)], ["d004"])
    ]


def test_stamp_merge_like_steps():
    m = make(MERGE)
    assert stamp(m, ("c003", "d004"), "m005") == [
        (
            ("c003", "d004"),
            ("m005",),
            "up",
            False,
            [(DEL, "c003", None), (UPD, "d004", "m005")],
            ["m005"],
        )
    ]
    assert stamp(m, ("m005",), "c003") == [
        (("m005",), ("c003",), "down", False, [(UPD, "m005", "c003")], ["c003"])
    ]
    assert stamp(m, ("c003",), "e006") == [
        (("c003",), ("e006",), "up", False, [(UPD, "c003", "e006")], ["e006"])
    ]


def test_stamp_several_roots():
    m = make(ROOTS)
    assert stamp(m, ("n3c3", "u2e2"), "net@base") == [
        (("n3c3",), (), "down", True, [(DEL, "n3c3", None)], ["u2e2"])
    ]
    assert stamp(m, (), "heads") == [
        ((), ("n3c3",), "up", True, [(INS, None, "n3c3")], ["n3c3"]),
        ((), ("u2e2",), "up", True, [(INS, None, "u2e2")], ["n3c3", "u2e2"]),
    ]
    assert stamp(m, ("n3c3",), ("n1a1", "u1d1")) == [
        (("n3c3",), ("n1a1",), "down", False, [(UPD, "n3c3", "n1a1")], ["n1a1"]),
        ((), ("u1d1",), "up", True, [(INS, None, "u1d1")], ["n1a1", "u1d1"]),
    ]


def test_stamp_with_dependencies():
    m = make(DEPS)
    assert stamp(m, ("c003",), "y002") == [
        ((), ("y002",), "up", True, [(INS, None, "y002")], ["c003", "y002"])
    ]
    assert stamp(m, ("f002",), "e001") == [
        (("f002",), ("e001",), "down", False, [(UPD, "f002", "e001")], ["e001"])
    ]


def test_stamp_step_equality_and_repr():
    a = StampStep(("x",), ("y",), True, False)
    assert a == StampStep(["x"], ["y"], True, False)
    assert repr(a) == "StampStep(('x',) -> ('y',), upgrade)"
    assert a.short_log() == "stamp x -> y"


# ---------------------------------------------------------------------------
# history
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("specs", "base", "head", "expected"),
    [
        (LINEAR, "base", "heads", ["d004", "c003", "b002", "a001"]),
        (LINEAR, "b002", "heads", ["d004", "c003", "b002"]),
        (LINEAR, "base", "c003", ["c003", "b002", "a001"]),
        (LINEAR, "b002", "b002", ["b002"]),
        (LINEAR, "-2", "heads", ["d004", "c003", "b002"]),
        (BRANCH, "base", "heads", ["c003", "d004", "b002", "a001"]),
        (BRANCH, "b002", "heads", ["c003", "d004", "b002"]),
        (ROOTS, "base", "net@head", ["n3c3", "n2b2", "n1a1"]),
        (ROOTS, "net@base", "net@head", ["n3c3", "n2b2", "n1a1"]),
        (ROOTS, "auth@base", "heads", ["u2e2", "u1d1"]),
        (ROOTS, "base", "heads", ["n3c3", "n2b2", "n1a1", "u2e2", "u1d1"]),
        (MERGE, "base", "heads", ["e006", "m005", "c003", "d004", "b002", "a001"]),
        (MERGE, "d004", "heads", ["e006", "m005", "d004"]),
        (MERGE, "c003", "e006", ["e006", "m005", "c003"]),
        (DEPS, "base", "heads", ["c003", "y002", "w003", "x001", "b002", "a001", "f002", "e001"]),
        (DEPS, "base", "y002", ["y002", "x001", "b002", "a001"]),
        (DEPS, "x001", "heads", ["y002", "x001"]),
        (LINEAR, ("b002",), "heads", ["d004", "c003", "b002"]),
    ],
)
def test_history_ranges(specs, base, head, expected):
    assert ids(make(specs).walk_revisions(base, head)) == expected


def test_history_range_that_is_not_a_lineage():
    with pytest.raises(RangeError) as info:
        make(BRANCH).walk_revisions("c003", "d004")
    assert str(info.value) == (
        "Requested range c003:d004 does not refer to ancestor/descendant revisions along the "
        "same branch"
    )


def test_all_current_shows_dependencies_whose_row_was_taken_over():
    m = make(DEPS)
    assert ids(m.get_all_current(("f002",))) == ["e001", "f002"]
    assert ids(m.get_all_current(("c003", "y002"))) == ["c003", "y002"]
    assert ids(make(MERGE).get_all_current(("e006",))) == ["e006"]


# ---------------------------------------------------------------------------
# steps
# ---------------------------------------------------------------------------


def test_step_reports_direction_and_log_line():
    m = make(MERGE)
    step = m.upgrade_steps(("c003", "d004"), "m005")[0]
    assert (step.direction, step.is_upgrade, step.is_downgrade) == ("upgrade", True, False)
    assert step.short_log() == "upgrade c003, d004 -> m005"
    assert step.from_revisions == ("c003", "d004")
    assert step.to_revisions_no_deps == ("m005",)
    back = m.downgrade_steps(("m005",), "c003")[0]
    assert back.short_log() == "downgrade m005 -> c003, d004"
    assert step == MigrationStep(m, m["m005"], True) and step != back
    assert apply_steps(("c003", "d004"), [step]) == ("m005",)


def test_applying_impossible_ops_is_an_error():
    with pytest.raises(RevisionError, match=r"^Version table already holds 'a'; can't insert it$"):
        apply_version_ops(("a",), [VersionOp(INS, None, "a")])
    with pytest.raises(RevisionError, match=r"^Version table doesn't hold 'b'; can't delete it$"):
        apply_version_ops(("a",), [VersionOp(DEL, "b", None)])
    with pytest.raises(RevisionError, match=r"doesn't hold 'b'; can't update it to 'c'$"):
        apply_version_ops(("a",), [VersionOp(UPD, "b", "c")])
    assert apply_version_ops(("a", "b"), [VersionOp(UPD, "a", "c")]) == ("c", "b")


def test_offline_start():
    m = make(LINEAR)
    assert m.offline_start(None) == ()
    assert m.offline_start("base") == ()
    assert m.offline_start("b00") == ("b002",)
    assert m.offline_start(("b002", "base")) == ("b002",)


# ---------------------------------------------------------------------------
# corners (also checked against Alembic 1.20.1)
# ---------------------------------------------------------------------------


def test_history_from_a_revision_used_as_branch_name():
    m = make(ROOTS)
    assert ids(m.walk_revisions("n2b2@base", "heads")) == ["n3c3", "n2b2", "n1a1"]
    assert ids(m.walk_revisions("n2b2@n1a1", "heads")) == ["n3c3", "n2b2", "n1a1"]
    assert ids(m.walk_revisions("net@n2b2", "heads")) == ["n3c3", "n2b2"]
    assert ids(m.walk_revisions("net@-1", "heads")) == ["n3c3", "n2b2"]
    assert ids(m.walk_revisions("-1", "heads")) == ["n3c3", "n2b2", "u2e2", "u1d1"]
    with pytest.raises(RevisionError) as info:
        make(LINEAR).walk_revisions("b002@base", "heads")  # Alembic: AssertionError
    assert str(info.value) == (
        "Revision b002 is used as a branch in 'b002@base' but carries 0 branch labels; use a label"
    )


def test_history_relative_lower_end():
    m = make(LINEAR)
    assert ids(m.walk_revisions("-2", "heads")) == ["d004", "c003", "b002"]
    with pytest.raises(RevisionError) as info:
        m.walk_revisions("-5", "heads")
    assert str(info.value) == "Relative revision -5 goes below the base from heads"


def test_history_between_current_heads():
    m = make(BRANCH)
    assert ids(m.walk_revisions("b002", ("c003", "d004"))) == ["c003", "d004", "b002"]
    assert ids(m.walk_revisions(("c003",), "heads")) == ["c003"]


def test_downgrade_relative_to_a_revision():
    m = make(LINEAR)
    assert order(m.downgrade_steps(("d004",), "b002-1")) == ["d004", "c003", "b002"]
    with pytest.raises(RevisionError, match=r"^'d004\+2' walks past the newest revision$"):
        m.downgrade_steps(("d004",), "d004+2")
    with pytest.raises(RevisionError, match=r"^'b002-5' walks past the base$"):
        m.downgrade_steps(("d004",), "b002-5")
    assert order(m.upgrade_steps(("b002",), "head-1")) == ["c003"]


def test_downgrade_with_a_branch_that_excludes_every_child():
    with pytest.raises(RevisionError) as info:
        make(BRANCH).downgrade_steps(("c003", "d004"), "a001@b002")
    assert str(info.value) == "'a001@b002' is not a valid downgrade target from the current heads"


def test_label_relative_downgrade_finds_a_row_taken_over_by_a_dependent():
    m = make(DEPS)
    # e001's row was taken over by f002, yet e001@-1 still starts from e001's line
    assert down(m, ("f002",), "e001@-1") == [
        ("f002", [(UPD, "f002", "e001")], ["e001"]),
        ("e001", [(DEL, "e001", None)], []),
    ]
    assert order(m.downgrade_steps(("c003", "y002"), "other@-1")) == ["y002"]
    assert order(m.downgrade_steps(("c003", "y002"), "x001@-1")) == ["y002"]


def test_label_relative_downgrade_needs_one_current_revision_on_the_branch():
    with pytest.raises(RevisionError) as info:
        make(ROOTS).downgrade_steps(("n3c3",), "auth@-1")
    assert (
        str(info.value)
        == "Can't tell where 'auth@-1' starts: no current revision is on branch 'auth'"
    )


def test_stamp_with_several_heads_needs_a_single_target():
    with pytest.raises(MultipleHeadsError) as info:
        make(BRANCH).stamp_steps(("c003",), "head")
    assert str(info.value) == (
        "Multiple heads are present (c003, d004); stamp needs a single target revision for each "
        "lineage"
    )


def test_stamp_base_among_other_destinations_only_filters():
    # as in Alembic, "base" next to a real destination adds no step of its own
    assert stamp(make(LINEAR), ("b002",), ("c003", "base")) == [
        (("b002",), ("c003",), "up", False, [(UPD, "b002", "c003")], ["c003"])
    ]


def test_version_ops_refuse_inconsistent_rows():
    m = make(MERGE)
    with pytest.raises(RevisionError) as info:
        MigrationStep(m, m["m005"], True).version_ops(("c003", "d004", "e006"))
    assert str(info.value) == (
        "Can't merge into m005: every parent row is implied by another head (c003, d004, e006)"
    )
    with pytest.raises(RevisionError) as info:
        MigrationStep(m, m["m005"], False).version_ops(("a001",))
    assert str(info.value) == (
        "Can't tell which version row to update when downgrading m005: the table holds a001"
    )
    with pytest.raises(RevisionError, match=r"^Can't apply StampStep"):
        StampStep((), (), False, False).version_ops(())


def test_revision_repr_and_paths():
    rev = Revision("b002", ("a001", "x001"), "y001", "lab", path="v/b.py")
    assert repr(rev) == (
        "Revision('b002', ('a001', 'x001'), dependencies=('y001',), branch_labels=('lab',))"
    )
    assert str(rev.path) == "v/b.py" and Revision("a001").path is None
    m = make(LINEAR)
    assert len(m) == 4 and "b002" in m and [r.revision for r in m.revisions][:2] == ["a001", "b002"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("base:heads", ("base", "heads")), (":head", (None, "head")), ("ae10:", ("ae10", None))],
)
def test_parse_range(text, expected):
    assert parse_range(text) == expected


@pytest.mark.parametrize("text", ["head", "a:b:c"])
def test_parse_range_errors(text):
    with pytest.raises(RevisionError) as info:
        parse_range(text)
    assert str(info.value) == (
        f"Revision range {text!r} must be START:END (either side may be empty, as in ':head' or "
        "'ae10:')"
    )


def test_revisions_can_be_linked_again_after_a_failed_build():
    revs = [Revision("a001"), Revision("b002", "a001"), Revision("c003", "zzzz")]
    with pytest.raises(GraphError):
        RevisionMap(revs)
    m = RevisionMap(revs[:2])
    assert m["a001"].nextrev == ("b002",) and m.heads == ("b002",)
    again = RevisionMap([revs[0]])
    assert again["a001"].nextrev == () and again.heads == ("a001",)


def test_duplicate_version_rows_move_together():
    m = make(LINEAR)
    assert apply_steps(("b002", "b002"), m.upgrade_steps(("b002", "b002"), "d004")) == ("d004",)


def test_stamp_refuses_a_table_with_rows_above_and_below_the_target():
    with pytest.raises(RevisionError) as info:
        make(LINEAR).stamp_steps(("d004", "a001"), "b002")  # Alembic: AssertionError
    assert str(info.value) == (
        "Can't stamp b002: the version table holds revisions both above it (d004) and below it "
        "(a001) on the same lineage; use --purge to start from an empty table"
    )
