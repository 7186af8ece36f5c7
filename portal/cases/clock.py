"""A case's deadlines: computing them from their basis, and which one is running now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from portal.cases.deadlines import Light, WorkCalendar, add_working_days, local_date, traffic_light
from portal.models.case import Case, CaseState

# While waiting for its owner to sign for it, a case runs against the acceptance limit; once
# signed for (and through transfers, disputes and rectification) against the reply limit.
ACCEPT_CLOCK_STATES = frozenset({CaseState.SUBMITTED})
REPLY_CLOCK_STATES = frozenset(
    {CaseState.ACCEPTED, CaseState.IN_PROGRESS, CaseState.TRANSFERRING, CaseState.DISPUTED, CaseState.REOPENED}
)
# Open cases: not finished. RETURNED_FOR_INFO is open but its clock is paused (the sender has it).
OPEN_STATES = ACCEPT_CLOCK_STATES | REPLY_CLOCK_STATES | {CaseState.RETURNED_FOR_INFO}


def compute_dues(case: Case, calendar: WorkCalendar) -> None:
    """Set the due dates from their bases, and flag whether any relied on a year not loaded."""
    case.accept_due = add_working_days(case.accept_due_start, case.accept_due_days, calendar)
    case.reply_due = add_working_days(case.reply_due_start, case.reply_due_days, calendar)
    case.due_estimated = bool(
        calendar.unloaded_years(case.accept_due_start, case.accept_due)
        or calendar.unloaded_years(case.reply_due_start, case.reply_due)
    )


def current_due(case: Case) -> date | None:
    """The deadline running now, or None when no clock runs (paused, answered, finished)."""
    if case.state in ACCEPT_CLOCK_STATES:
        return case.accept_due
    if case.state in REPLY_CLOCK_STATES:
        return case.reply_due
    return None


@dataclass(frozen=True)
class DeadlineStatus:
    due: date
    light: Light
    # Years the due date was computed over that the calendar did not know: warn on the desk.
    unloaded_years: tuple[int, ...]

    @property
    def estimated(self) -> bool:
        return bool(self.unloaded_years)


def deadline_status(
    case: Case, now: datetime | date, calendar: WorkCalendar, *, amber_within: int = 2
) -> DeadlineStatus | None:
    """What the desk shows for a case's running deadline, or None when no clock runs."""
    due = current_due(case)
    if due is None:
        return None
    start = case.accept_due_start if case.state in ACCEPT_CLOCK_STATES else case.reply_due_start
    return DeadlineStatus(
        due=due,
        light=traffic_light(due, local_date(now), calendar, amber_within=amber_within),
        unloaded_years=calendar.unloaded_years(start, due),
    )
