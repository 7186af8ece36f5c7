"""The disclosure rules: no published count under 5, and no withheld small count recoverable.

`solutions_for` is an independent check: it searches the completions of a table a reader could
consider (every withheld cell any count from 0, every row and column total of 5 or more known) and
reports the values a withheld cell can take. A withheld count of 1 to 4 must be able to take at
least two, unless the totals alone already fix it (then nothing published could protect it).
"""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.opendata.suppression import (
    THRESHOLD,
    average_publishable,
    count_publishable,
    protect,
    recoverable,
    share_publishable,
)


def grid_groups(key):
    row, column = key
    return row, column


def known_totals(values, groups):
    totals: dict = {}
    for key in values:
        for kind, name in zip("rc", groups(key), strict=True):
            if name is not None:
                totals.setdefault((kind, name), []).append(key)
    return {g: keys for g, keys in totals.items() if sum(values[k] for k in keys) >= THRESHOLD}


def solutions_for(values, withheld, groups, cell, limit=2):
    """The distinct values (up to `limit`) `cell` takes over the completions a reader considers."""
    groups_known = known_totals(values, groups)
    constrained = {g: [k for k in keys if k in withheld] for g, keys in groups_known.items()}
    residual = {g: sum(values[k] for k in keys if k in withheld) for g, keys in groups_known.items()}
    member_of = {k: [g for g, keys in constrained.items() if k in keys] for k in withheld}
    if not member_of[cell]:
        return "any"
    unknowns = sorted((k for k in withheld if member_of[k]), key=lambda k: (k != cell, repr(k)))
    last = {g: max(unknowns.index(k) for k in keys) for g, keys in constrained.items() if keys}

    def assign(i, value, left):
        for g in member_of[unknowns[i]]:
            left[g] -= value
        return all(left[g] >= 0 for g in member_of[unknowns[i]]) and all(
            left[g] == 0 for g in member_of[unknowns[i]] if last[g] == i
        )

    def undo(i, value, left):
        for g in member_of[unknowns[i]]:
            left[g] += value

    def feasible(i, left):
        if i == len(unknowns):
            return True
        bound = min(left[g] for g in member_of[unknowns[i]])
        for value in range(bound + 1):
            ok = assign(i, value, left) and feasible(i + 1, left)
            undo(i, value, left)
            if ok:
                return True
        return False

    found: set[int] = set()
    left = dict(residual)
    for value in range(min(left[g] for g in member_of[cell]) + 1):
        if assign(0, value, left) and feasible(1, left):
            found.add(value)
        undo(0, value, left)
        if len(found) >= limit:
            break
    return found


def assert_protected(values, groups=grid_groups):
    withheld = protect(values, groups)
    for key, value in values.items():
        if key not in withheld:
            assert value >= THRESHOLD, (key, value)
    for key in withheld:
        if 0 < values[key] < THRESHOLD:
            options = solutions_for(values, withheld, groups, key)
            protected = options == "any" or len(options) >= 2
            assert protected or given_away_by_totals(values, groups, key), (key, values, sorted(withheld, key=repr))
    return withheld


def given_away_by_totals(values, groups, key):
    """Whether the totals alone fix the cell, with nothing at all published."""
    options = solutions_for(values, set(values), groups, key)
    return options != "any" and len(options) == 1


# --- the primary rules ------------------------------------------------------------------------


def test_counts_under_five_zero_included_are_never_published():
    assert [n for n in range(12) if count_publishable(n)] == [5, 6, 7, 8, 9, 10, 11]
    assert not count_publishable(None)


def test_averages_need_five_cases():
    assert not average_publishable(4)
    assert average_publishable(5)


def test_a_share_is_shown_only_when_neither_part_is_a_small_group():
    assert share_publishable(10, 10)  # all ten on time singles nobody out
    assert share_publishable(0, 10)
    assert share_publishable(5, 10)
    assert not share_publishable(9, 10)  # one late case would be singled out
    assert not share_publishable(3, 10)
    assert not share_publishable(4, 4)  # fewer than five cases


def test_a_lone_small_count_is_withheld():
    assert protect({"a": 12, "b": 3, "c": 40}) == {"b"}


# --- secondary suppression --------------------------------------------------------------------


def test_one_withheld_cell_in_a_row_takes_the_next_smallest_with_it():
    values = {("r", "a"): 3, ("r", "b"): 6, ("r", "c"): 9}
    withheld = assert_protected(values, lambda key: (key[0], None))
    assert withheld == {("r", "a"), ("r", "b")}


def test_withheld_cells_that_add_up_to_less_than_five_take_another():
    values = {("r", "a"): 1, ("r", "b"): 1, ("r", "c"): 9, ("r", "d"): 20}
    withheld = assert_protected(values, lambda key: (key[0], None))
    assert withheld == {("r", "a"), ("r", "b"), ("r", "c")}


def test_a_small_row_total_is_never_known_so_it_needs_no_partner():
    values = {("r", "a"): 1, ("r", "b"): 2}  # the row holds 3: never published anywhere
    assert protect(values, lambda key: (key[0], None)) == {("r", "a"), ("r", "b")}


def test_cells_in_no_row_or_column_need_no_partner():
    assert protect({"a": 2, "b": 7}) == {"a"}


def test_row_and_column_totals_together_are_considered():
    # Withholding (0,0) and (0,1) protects the first row, but column 0's total would still give
    # (0,0) away unless another cell of that column goes too.
    values = {(0, 0): 2, (0, 1): 8, (1, 0): 9, (1, 1): 30}
    withheld = assert_protected(values)
    assert (1, 0) in withheld


def test_a_table_with_nothing_small_withholds_nothing():
    values = {(r, c): 5 + r + c for r in range(3) for c in range(3)}
    assert protect(values, grid_groups) == set()


def test_the_audit_finds_a_cell_given_away_by_its_row():
    values = {(0, 0): 2, (0, 1): 8, (1, 0): 9, (1, 1): 30}
    assert recoverable(values, {(0, 0)}, grid_groups) == {(0, 0)}
    assert recoverable(values, {(0, 0), (0, 1), (1, 0), (1, 1)}, grid_groups) == set()


def test_the_audit_agrees_with_the_exhaustive_search_on_every_pattern_of_a_small_table():
    values = {(0, 0): 2, (0, 1): 7, (0, 2): 0, (1, 0): 1, (1, 1): 4, (1, 2): 11}
    cells = list(values)
    for size in range(1, len(cells) + 1):
        for withheld in itertools.combinations(cells, size):
            audit = recoverable(values, withheld, grid_groups)
            for cell in withheld:
                options = solutions_for(values, set(withheld), grid_groups, cell)
                pinned = options != "any" and len(options) == 1
                assert (cell in audit) == pinned, (withheld, cell, options)


# --- properties over many tables ------------------------------------------------------------

counts = st.integers(min_value=0, max_value=12)


@st.composite
def grids(draw):
    rows = draw(st.integers(min_value=1, max_value=3))
    columns = draw(st.integers(min_value=1, max_value=4))
    return {(r, c): draw(counts) for r in range(rows) for c in range(columns)}


@settings(max_examples=300, deadline=None)
@given(grids())
def test_no_published_count_is_small_and_no_withheld_small_count_is_recoverable(values):
    assert_protected(values)


@settings(max_examples=200, deadline=None)
@given(st.lists(counts, min_size=1, max_size=8))
def test_one_way_tables_are_protected_against_their_total(values):
    table = {("month", i): v for i, v in enumerate(values)}
    assert_protected(table, lambda key: (None, key[0]))


@settings(max_examples=200, deadline=None)
@given(grids())
def test_the_audit_agrees_with_the_exhaustive_search(values):
    withheld = protect(values, grid_groups)
    audit = recoverable(values, withheld, grid_groups)
    for cell in withheld:
        options = solutions_for(values, withheld, grid_groups, cell)
        assert (cell in audit) == (options != "any" and len(options) == 1), (values, withheld, cell)
