"""`make bench --only`: rows chosen by name, commas in names included."""

from __future__ import annotations

import pytest

from bench.pages import rows_named


@pytest.mark.parametrize(("only", "names"), [
    ("citizen home, signed in", ["citizen home, signed in"]),
    ("citizen home", ["citizen home"]),
    ("desk queue, citizen home, signed in,citizen home", ["citizen home", "citizen home, signed in", "desk queue"]),
    (" city code ,desk queue", ["city code", "desk queue"]),
])
def test_rows_are_chosen_by_their_whole_names(only, names):
    assert [row.name for row in rows_named(only)] == names


def test_an_unknown_name_is_refused_with_the_names_there_are():
    with pytest.raises(SystemExit, match=r"no row named \['nope'\]; rows: citizen home; citizen home, signed in"):
        rows_named("desk queue,nope")
