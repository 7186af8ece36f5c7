"""The escalation job: remind (催办) when a deadline is near, supervise (督办) once it has passed.

Run periodically (a CLI command for cron, or a job on the worker). Idempotent: a case is
escalated at most once per level for a given due date, because the level reached and the due
date it refers to are stored on the case; when the deadline moves (an extension, a transfer
to another department, a reopening) the escalation starts again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from portal.cases.calendar import work_calendar
from portal.cases.clock import ACCEPT_CLOCK_STATES, REPLY_CLOCK_STATES, current_due
from portal.cases.deadlines import WorkCalendar, add_working_days, local_date, working_days_between
from portal.cases.roles import SYSTEM
from portal.cases.workflow import transition
from portal.models.base import utcnow
from portal.models.case import Case

REMIND = 1  # 催办: the deadline is near
SUPERVISE = 2  # 督办: the deadline has passed


@dataclass
class EscalationReport:
    reminded: list[str] = field(default_factory=list)  # case references
    supervised: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.reminded) + len(self.supervised)


def escalate_overdue(
    session: Session,
    now: datetime | None = None,
    *,
    calendar: WorkCalendar | None = None,
    soon_within: int = 2,
    batch_size: int = 500,
) -> EscalationReport:
    """Escalate every open case whose running deadline is within `soon_within` working days or
    past, to its department's lead. Writes events and notifications; the caller commits."""
    now = now or utcnow()
    calendar = calendar if calendar is not None else work_calendar(session)
    today = local_date(now)
    horizon = add_working_days(today, soon_within, calendar)
    report = EscalationReport()
    query = (
        select(Case)
        .where(
            or_(
                and_(Case.state.in_(ACCEPT_CLOCK_STATES), Case.accept_due <= horizon),
                and_(Case.state.in_(REPLY_CLOCK_STATES), Case.reply_due <= horizon),
            ),
            # Not already escalated as far as it goes for the deadline running now.
            or_(
                Case.escalation_level < SUPERVISE,
                Case.escalation_due.is_(None),
                and_(Case.state.in_(ACCEPT_CLOCK_STATES), Case.escalation_due != Case.accept_due),
                and_(Case.state.in_(REPLY_CLOCK_STATES), Case.escalation_due != Case.reply_due),
            ),
        )
        .order_by(Case.id)
    )
    last_id = 0
    while True:
        cases = session.scalars(query.where(Case.id > last_id).limit(batch_size)).all()
        if not cases:
            break
        last_id = cases[-1].id
        for case in cases:
            level = _level_due(case, today, calendar, soon_within)
            if level is None:
                continue
            current = case.escalation_level if case.escalation_due == current_due(case) else 0
            if level <= current:
                continue
            action = "supervise" if level == SUPERVISE else "remind"
            transition(session, case, action, SYSTEM, now=now, calendar=calendar)
            (report.supervised if level == SUPERVISE else report.reminded).append(case.reference)
    return report


def _level_due(case: Case, today, calendar: WorkCalendar, soon_within: int) -> int | None:
    due = current_due(case)
    if due is None:
        return None
    if today > due:
        return SUPERVISE
    if working_days_between(today, due, calendar) <= soon_within:
        return REMIND
    return None
