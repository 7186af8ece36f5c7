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


def test_the_token_endpoint_is_measured_with_the_reference_its_target_is_taken_against():
    assert [row.name for row in rows_named("OIDC token (refresh)")] == [
        "OIDC token (refresh)", "lean refresh (reference)"]


def _token_and_reference(token_rps: float, token_p99: float, reference_rps: float = 600.0,
                         reference_p99: float = 5.0, reference_errors: int = 0, reference_hello: float = 2000.0,
                         reference_hello_p99: float = 1.0):
    token, reference = rows_named("OIDC token (refresh)")
    hello, hello_then = Load(2000.0, 1.0, 0), Load(reference_hello, reference_hello_p99, 0)
    return [Measured(token, 1, Load(token_rps, token_p99, 0), [hello, hello], None),
            Measured(reference, 1, Load(reference_rps, reference_p99, reference_errors), [hello_then, hello_then],
                     None)]


@pytest.mark.parametrize(("token_rps", "token_p99", "ok"), [
    (390.0, 14.0, True),   # 0.65× the reference, p99 2.8×: at target though far below hello
    (330.0, 6.0, False),   # 0.55× the reference
    (420.0, 16.0, False),  # p99 3.2× the reference's
])
def test_the_token_endpoint_is_held_to_its_target_against_the_lean_refresh(capsys, token_rps, token_p99, ok):
    assert print_table(_token_and_reference(token_rps, token_p99), None) is ok
    out = capsys.readouterr().out
    assert f"against lean refresh (reference), 1 conn.: {token_rps / 600:.2f}× req/s" in out


def test_the_token_endpoint_fails_without_its_reference(capsys):
    assert not print_table(_token_and_reference(400.0, 5.0)[:1], None)
    assert "lean refresh (reference) was not measured" in capsys.readouterr().out


def test_the_token_endpoint_fails_when_its_reference_answered_with_errors():
    token, reference = _token_and_reference(400.0, 5.0)
    assert token.meets_target(reference)
    token, reference = _token_and_reference(400.0, 5.0, reference_errors=3)
    assert not token.meets_target(reference)


def test_the_ratio_to_the_reference_allows_for_the_machine_being_slower_while_the_reference_ran(capsys):
    """Each row is taken by its ratios to hello beside it: the reference's 450 req/s while hello
    answered 1,500 is what 600 would have been at hello's 2,000, and its p99 of 10 ms while hello's
    was 2 ms what 5 ms would have been at hello's 1 ms."""
    assert print_table(_token_and_reference(390.0, 14.0, reference_rps=450.0, reference_hello=1500.0,
                                            reference_p99=10.0, reference_hello_p99=2.0), None)
    assert "1 conn.: 0.65× req/s, p99 2.80×" in capsys.readouterr().out
