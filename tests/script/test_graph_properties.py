"""Properties of plans over random revision graphs (hypothesis).

The central invariant: after every step, the version table holds exactly the
applied revisions that nothing applied builds on (no applied child, counting
``depends_on``).  That is what "one row per head" means, and it is what lets
the next command read the table back.
"""

from __future__ import annotations

import warnings

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mighub.script.errors import MighubError
from mighub.script.graph import Revision, RevisionMap


@st.composite
def graphs(draw, max_size: int = 14) -> RevisionMap:
    n = draw(st.integers(min_value=1, max_value=max_size))
    names = [f"r{i:03d}x" for i in range(n)]
    specs = []
    labels = 0
    for i, name in enumerate(names):
        earlier = names[:i]
        down: list[str] = []
        if earlier and draw(st.integers(0, 9)) > 1:
            down = draw(
                st.lists(st.sampled_from(earlier), min_size=1, max_size=min(3, i), unique=True)
            )
        deps: list[str] = []
        rest = [e for e in earlier if e not in down]
        if rest and draw(st.integers(0, 9)) > 6:
            deps = draw(st.lists(st.sampled_from(rest), min_size=1, max_size=2, unique=True))
        own = []
        if draw(st.integers(0, 9)) > 7:
            own = [f"lbl{labels}"]
            labels += 1
        specs.append((name, down, deps, own))
    order = draw(st.permutations(specs))
    return RevisionMap([Revision(n, d, deps, lab) for n, d, deps, lab in order])


def expected_rows(m: RevisionMap, applied: set[str]) -> set[str]:
    return {r for r in applied if not set(m[r].all_nextrev) & applied}


def applied_by(m: RevisionMap, rows) -> set[str]:
    return {r.revision for r in m._ancestors([m[x] for x in rows])}


def run_checked(m: RevisionMap, rows, steps) -> tuple[str, ...]:
    """Apply ``steps``, checking the row invariant after each one."""
    applied = applied_by(m, rows)
    rows = tuple(rows)
    for step in steps:
        rows = step.apply(rows)
        rev = step.revision.revision
        if step.is_upgrade:
            assert rev not in applied, f"{rev} upgraded twice"
            missing = set(m[rev]._down_all) - applied
            assert not missing, f"{rev} upgraded before {missing}"
            applied.add(rev)
        else:
            assert rev in applied, f"{rev} downgraded but not applied"
            dependents = set(m[rev].all_nextrev) & applied
            assert not dependents, f"{rev} downgraded before {dependents}"
            applied.discard(rev)
        assert set(rows) == expected_rows(m, applied)
        assert len(rows) == len(set(rows))
    return rows


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(graphs())
def test_upgrade_base_to_heads_runs_everything_once_in_dependency_order(m):
    steps = m.upgrade_steps((), "heads")
    assert sorted(s.revision.revision for s in steps) == sorted(r.revision for r in m)
    rows = run_checked(m, (), steps)
    assert set(rows) == set(m.real_heads)


@SETTINGS
@given(graphs())
def test_downgrade_heads_to_base_reverts_everything_once(m):
    top = run_checked(m, (), m.upgrade_steps((), "heads"))
    steps = m.downgrade_steps(top, "base")
    assert sorted(s.revision.revision for s in steps) == sorted(r.revision for r in m)
    assert run_checked(m, top, steps) == ()


@SETTINGS
@given(graphs(), st.data())
def test_upgrade_to_one_revision_applies_exactly_its_ancestry(m, data):
    target = data.draw(st.sampled_from([r.revision for r in m]))
    steps = m.upgrade_steps((), target)
    assert {s.revision.revision for s in steps} == applied_by(m, (target,))
    run_checked(m, (), steps)


@SETTINGS
@given(graphs(), st.data())
def test_moves_between_random_states_keep_one_row_per_head(m, data):
    everything = [r.revision for r in m]
    rows: tuple[str, ...] = ()
    for _ in range(4):
        target = data.draw(st.sampled_from([*everything, "heads", "base", "+1", "-1"]))
        direction = data.draw(st.sampled_from(["up", "down"]))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                steps = (
                    m.upgrade_steps(rows, target)
                    if direction == "up"
                    else m.downgrade_steps(rows, target)
                )
        except MighubError:
            continue
        rows = run_checked(m, rows, steps)


@SETTINGS
@given(graphs())
def test_history_lists_every_revision_newest_first(m):
    walked = m.walk_revisions()
    assert sorted(r.revision for r in walked) == sorted(r.revision for r in m)
    seen: set[str] = set()
    for rev in walked:
        # everything that builds on rev was listed before it
        assert set(rev.all_nextrev) <= seen
        seen.add(rev.revision)


@SETTINGS
@given(graphs())
def test_stamp_heads_then_base(m):
    rows: tuple[str, ...] = ()
    for step in m.stamp_steps(rows, "heads"):
        rows = step.apply(rows)
    assert set(rows) == set(m.real_heads)
    for step in m.stamp_steps(rows, "base"):
        rows = step.apply(rows)
    assert rows == ()


@SETTINGS
@given(graphs())
def test_every_id_and_unique_prefix_resolves_to_itself(m):
    for rev in m:
        assert m.get_revision(rev.revision) is rev
        prefix = rev.revision[:4]
        if sum(1 for r in m if r.revision.startswith(prefix)) == 1:
            assert m.get_revision(prefix) is rev


@SETTINGS
@given(graphs())
def test_labels_stay_within_their_lineage(m):
    for label, owner in m.branch_label_map.items():
        for rev in m:
            if label in rev.branch_labels:
                assert m._shares_lineage(rev, (owner,))
        assert set(m.filter_for_lineage(m.heads, label)) >= {
            h for h in m.heads if label in m[h].branch_labels
        }


@SETTINGS
@given(graphs())
def test_heads_are_the_revisions_without_children(m):
    assert set(m.heads) == {r.revision for r in m if not r.nextrev}
    assert set(m.real_heads) <= set(m.heads)
    if len(m.heads) == 1:
        assert m.get_current_head() == m.heads[0]
