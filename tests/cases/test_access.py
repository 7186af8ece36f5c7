"""Scopes: who sees which cases, and keyset pages through them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event

from portal.cases import (
    InvalidCursor,
    QueueFilter,
    apply_filter,
    cases_for_admin,
    cases_for_enterprise,
    cases_for_lead,
    cases_for_officer,
    cases_for_sender,
    cases_for_staff,
    find_visible,
    keyset_page,
    originals_followed_by,
)
from portal.models import CaseKind, CaseState


def seen(world, scope) -> set[str]:
    return {case.reference for case in world.session.scalars(scope)}


def test_who_sees_a_case_as_it_moves_between_departments(world):
    case = world.submit()
    other = world.submit(sender=world.neighbour, department=world.dept("sthjj"))
    ref = {case.reference}

    assert seen(world, cases_for_staff(world.officer)) == ref
    assert seen(world, cases_for_lead(world.lead)) == ref
    assert seen(world, cases_for_lead(world.officer)) == set()  # not a lead anywhere
    assert seen(world, cases_for_staff(world.assistant)) == set()
    assert seen(world, cases_for_staff(world.receiver)) == set()
    assert seen(world, cases_for_staff(world.dispatcher)) == {case.reference, other.reference}
    assert seen(world, cases_for_admin()) == {case.reference, other.reference}

    world.act(case, "accept", world.officer)
    world.act(case, "invite", world.officer, department=world.dept("kw"))
    assert seen(world, cases_for_staff(world.assistant)) == ref
    assert seen(world, cases_for_lead(world.assist_lead)) == ref

    world.act(case, "transfer", world.officer, reason="Investment", department=world.dept("fgw"))
    assert seen(world, cases_for_staff(world.receiver)) == ref  # offered: may look before accepting
    world.act(case, "bounce_transfer", world.receiver, reason="Not ours")
    assert seen(world, cases_for_staff(world.receiver)) == set()


def test_an_officer_of_a_third_department_sees_nothing(world):
    case = world.submit()
    world.act(case, "accept", world.officer)
    world.act(case, "invite", world.officer, department=world.dept("kw"))
    scope = cases_for_staff(world.outsider)
    assert seen(world, scope) == set()
    assert find_visible(world.session, scope, case.public_id) is None
    assert find_visible(world.session, cases_for_staff(world.officer), case.public_id) == case
    assert seen(world, cases_for_officer(world.outsider)) == set()


def test_a_person_with_no_position_sees_nothing_on_the_desk(world):
    world.submit()
    assert seen(world, cases_for_staff(world.sender)) == set()


def test_senders_see_their_own_and_follow_originals_of_their_merged_duplicates(world):
    mine = world.submit()
    theirs = world.submit(sender=world.neighbour)
    assert seen(world, cases_for_sender(world.sender)) == {mine.reference}
    assert find_visible(world.session, cases_for_sender(world.sender), theirs.public_id) is None
    assert seen(world, originals_followed_by(world.sender)) == set()
    world.act(mine, "merge", world.officer, duplicate_of=theirs)
    assert seen(world, originals_followed_by(world.sender)) == {theirs.reference}
    assert seen(world, originals_followed_by(world.neighbour)) == set()


def test_an_enterprise_sees_its_appeals(world):
    appeal = world.submit(kind=CaseKind.APPEAL, enterprise_id=7)
    world.submit(kind=CaseKind.APPEAL, enterprise_id=8)
    assert seen(world, cases_for_enterprise(7)) == {appeal.reference}


# --- keyset pagination ------------------------------------------------------------------------


def file_many(world, count: int, *, same_moment_every: int = 3):
    cases = []
    for n in range(count):
        if n % same_moment_every:
            world.advance(minutes=1)  # every few cases share a submission time: ties broken by id
        cases.append(world.submit(title=f"Case number {n}"))
    return cases


@pytest.mark.parametrize("newest_first", [False, True])
def test_pages_follow_each_other_without_gaps_or_repeats(world, newest_first):
    cases = file_many(world, 11)
    expected = [c.reference for c in sorted(cases, key=lambda c: (c.submitted_at, c.id), reverse=newest_first)]
    got, cursor, pages = [], None, 0
    while True:
        scope = cases_for_staff(world.officer)
        page = keyset_page(world.session, scope, after=cursor, limit=4, newest_first=newest_first)
        got += [c.reference for c in page.items]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert got == expected
    assert pages == 3


def test_a_cursor_continues_after_new_cases_arrive(world):
    cases = file_many(world, 5)
    first = keyset_page(world.session, cases_for_admin(), limit=2)
    world.advance(days=1)
    world.submit(title="Late arrival")
    second = keyset_page(world.session, cases_for_admin(), after=first.next_cursor, limit=2)
    assert [c.reference for c in second.items] == [c.reference for c in cases[2:4]]


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "bm9waXBl",  # "nopipe"
        "MjAyNi0wMy0wMnwx",  # "2026-03-02|1": a moment without its zone
        "MjAyNi0wMy0wMlQwMTowMDowMCswMDowMHx4",  # an id that is not a number
        "OTk5OS0xMi0zMVQyMzo1OTo1OS0xNDowMHwx",  # a moment past datetime.max in UTC
    ],
)
def test_a_tampered_cursor_is_refused(world, cursor):
    world.submit()
    with pytest.raises(InvalidCursor):
        keyset_page(world.session, cases_for_admin(), after=cursor)


def test_an_empty_cursor_is_the_first_page(world):
    case = world.submit()
    assert keyset_page(world.session, cases_for_admin(), after="").items == [case]


def test_the_second_page_seeks_in_the_index(world):
    """The statement keyset_page sends for a later page is planned as an index range, not a scan."""
    if world.session.get_bind().dialect.name != "sqlite":
        pytest.skip("the plan text is SQLite's")
    file_many(world, 3)
    first = keyset_page(world.session, cases_for_admin(), limit=1)
    sent = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))

    engine = world.session.get_bind()
    event.listen(engine, "before_cursor_execute", capture)
    try:
        keyset_page(world.session, cases_for_admin(), after=first.next_cursor, limit=1)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    statement, parameters = sent[-1]
    plan = world.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    details = " ".join(str(row[-1]) for row in plan)
    assert "USING INDEX ix_case_file_queue (submitted_at>?)" in details, details
    assert "TEMP B-TREE" not in details, details  # no sort: rows come in index order


# --- filters ----------------------------------------------------------------------------------


def test_queue_filters(world):
    light, noisy, late = (
        world.submit(title="Street light out"),
        world.submit(title="Noise at 100% volume", kind=CaseKind.APPLICATION),
        world.submit(title="Pothole"),
    )
    world.act(light, "accept", world.officer)
    world.act(noisy, "accept", world.officer2)
    scope = cases_for_staff(world.lead)
    today = date(2026, 3, 4)

    def refs(**wanted):
        return {c.reference for c in world.session.scalars(apply_filter(scope, QueueFilter(**wanted), today))}

    assert refs(states=(CaseState.SUBMITTED,)) == {late.reference}
    assert refs(kinds=(CaseKind.APPLICATION,)) == {noisy.reference}
    assert refs(assigned_to_id=world.officer.id) == {light.reference}
    assert refs(overdue=True) == {late.reference}  # accept due 3 March; the others run to 9 March
    assert refs(overdue=True) == refs(overdue=True, department_id=world.dept("jjw").id)
    assert refs(search=light.reference.lower()) == {light.reference}
    assert refs(search="pothole") == {late.reference}
    assert refs(search="100%") == {noisy.reference}
    assert refs(search="%") == {noisy.reference}  # a literal percent sign, not a wildcard
    assert refs(category_ids=(world.category.id,)) == {light.reference, noisy.reference, late.reference}
    assert refs(overdue=True) and not refs(overdue=True, states=(CaseState.ACCEPTED,))
    assert today - timedelta(days=1) == date(2026, 3, 3)
