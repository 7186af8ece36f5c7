"""The escalation job: 催办 when a deadline is near, 督办 once passed — each once per deadline."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from portal.cases import Light, deadline_status, escalate_overdue
from portal.models import CaseState, InboxMessage


def run(world, day: date, hour: int = 2):
    world.now = datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)
    return escalate_overdue(world.session, world.now, calendar=world.calendar)


def keys(world, account) -> list[str]:
    rows = world.session.scalars(
        select(InboxMessage.subject_key).where(InboxMessage.account_id == account.id).order_by(InboxMessage.id)
    )
    return [key.removesuffix(".subject") for key in rows]


def test_remind_then_supervise_each_once(world):
    case = world.submit()  # Monday 2 March: to be signed for by Tuesday 3 March
    far = world.submit()
    far.accept_due = far.reply_due = date(2026, 4, 30)  # nowhere near due

    report = run(world, date(2026, 3, 2))
    assert report.reminded == [case.reference] and report.supervised == []
    assert case.escalation_level == 1 and case.escalation_due == date(2026, 3, 3)
    assert keys(world, world.lead) == keys(world, world.lead2) == ["staff.remind"]
    assert keys(world, world.dispatcher) == []

    assert run(world, date(2026, 3, 2), hour=6).total == 0  # run again: nothing new
    assert run(world, date(2026, 3, 3)).total == 0  # due today: still only reminded

    report = run(world, date(2026, 3, 4))  # Wednesday: overdue
    assert report.supervised == [case.reference]
    assert keys(world, world.lead) == ["staff.remind", "staff.supervise"]
    assert keys(world, world.dispatcher) == ["staff.supervise"]
    assert run(world, date(2026, 3, 5)).total == 0
    assert [e.action for e in case.events] == ["submit", "remind", "supervise"]
    assert all(not e.is_public for e in case.events[1:])
    assert far.escalation_level == 0


def test_a_new_deadline_starts_escalation_again(world):
    case = world.submit()
    run(world, date(2026, 3, 4))  # straight to supervision for the acceptance deadline
    assert case.escalation_level == 2
    world.act(case, "accept", world.officer)
    # Now the reply deadline runs (Monday 9 March): nothing on Wednesday, a reminder on Thursday.
    assert run(world, date(2026, 3, 4), hour=6).total == 0
    assert run(world, date(2026, 3, 5)).reminded == [case.reference]
    assert keys(world, world.officer)[-1] == "staff.remind"  # the assigned officer hears too
    world.act(case, "request_extension", world.officer, reason="Parts", due=date(2026, 3, 27))
    world.act(case, "approve_extension", world.lead)
    assert case.escalation_level == 0
    assert run(world, date(2026, 3, 10)).total == 0
    assert run(world, date(2026, 3, 30)).supervised == [case.reference]


def test_paused_answered_and_finished_cases_are_left_alone(world):
    paused, replied, closed = world.submit(), world.submit(), world.submit()
    world.act(paused, "request_info", world.officer, reason="Photo please")
    for case in (replied, closed):
        world.act(case, "accept", world.officer)
        world.act(case, "reply", world.officer, notes="Done")
    world.act(closed, "close", world.officer)
    assert run(world, date(2026, 4, 1)).total == 0
    assert paused.state == CaseState.RETURNED_FOR_INFO


def test_escalation_reaches_a_department_without_a_lead_through_its_staff(world):
    case = world.submit(department=world.dept("rsj"))  # rsj has an officer and no lead
    run(world, date(2026, 3, 2))
    assert keys(world, world.outsider) == ["staff.remind"]
    assert case.escalation_level == 1


def test_many_cases_are_escalated_in_batches(world):
    cases = [world.submit() for _ in range(7)]
    world.now = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)
    report = escalate_overdue(world.session, world.now, calendar=world.calendar, batch_size=3)
    assert sorted(report.supervised) == sorted(c.reference for c in cases)
    assert escalate_overdue(world.session, world.now, calendar=world.calendar, batch_size=3).total == 0


def test_the_desk_shows_the_running_deadline_and_its_colour(world):
    case = world.submit()
    status = deadline_status(case, world.now, world.calendar)
    assert (status.due, status.light, status.estimated) == (date(2026, 3, 3), Light.AMBER, False)
    world.act(case, "accept", world.officer)
    assert deadline_status(case, world.now, world.calendar).due == date(2026, 3, 9)
    assert deadline_status(case, datetime(2026, 3, 10, 2, tzinfo=UTC), world.calendar).light == Light.OVERDUE
    world.act(case, "reply", world.officer, notes="Done")
    assert deadline_status(case, world.now, world.calendar) is None


def test_a_deadline_in_a_year_not_loaded_is_flagged_for_the_desk(world):
    world.now = datetime(2026, 12, 28, 2, 0, tzinfo=UTC)
    case = world.submit()
    world.act(case, "accept", world.officer)
    status = deadline_status(case, world.now, world.calendar)
    assert status.estimated and status.unloaded_years == (2027,)
    assert case.due_estimated
