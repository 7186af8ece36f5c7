"""`make bench`: rows chosen by name (`--only`, commas in names included), and which rows can fail a run."""

from __future__ import annotations

import pytest

from bench.pages import Load, Measured, print_table, rows_named


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


def _measured(row_name: str, rps: float, hello_rps: float = 2000.0):
    row = rows_named(row_name)[0]
    hello = Load(hello_rps, 1.0, 0)
    return Measured(row, 1, Load(rps, 1.0, 0), [hello, hello], None)


def test_the_lean_page_is_printed_as_a_reference_that_never_fails_the_run(capsys):
    assert print_table([_measured("lean page (reference)", 100.0)], None)
    line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("lean page"))
    assert "0.05" in line and "none: a reference" in line


def test_a_row_with_a_target_below_it_fails_the_run():
    assert not print_table([_measured("desk queue", 500.0), _measured("lean page (reference)", 1200.0)], None)
    assert print_table([_measured("desk queue", 700.0)], None)
