"""The case domain: filing, the state machine, working-day deadlines, scopes and escalation.

Plain Python over SQLAlchemy: nothing here imports Flask. Every function takes the session and
the actor explicitly and leaves the commit to its caller. Human text for the machine codes used
here (states, actions, error codes, notice keys) lives in `portal.case_labels`.
"""

from portal.cases.access import (
    InvalidCursor,
    Page,
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
from portal.cases.attachments import record_attachment
from portal.cases.calendar import load_calendar_years, save_calendar_year, work_calendar
from portal.cases.clock import DeadlineStatus, current_due, deadline_status
from portal.cases.deadlines import (
    Due,
    Light,
    WorkCalendar,
    add_working_days,
    due_date,
    local_date,
    traffic_light,
    working_days_between,
    working_days_elapsed,
)
from portal.cases.errors import CalendarError, CaseError, IllegalTransition
from portal.cases.escalation import EscalationReport, escalate_overdue
from portal.cases.notifications import email_hook, enable_email, mark_read, unread_count
from portal.cases.operations import submit_case
from portal.cases.references import allocate_reference
from portal.cases.roles import SYSTEM, Role, roles_of
from portal.cases.workflow import MOVES, Move, allowed_actions, transition

__all__ = [
    "MOVES",
    "SYSTEM",
    "CalendarError",
    "CaseError",
    "DeadlineStatus",
    "Due",
    "EscalationReport",
    "IllegalTransition",
    "InvalidCursor",
    "Light",
    "Move",
    "Page",
    "QueueFilter",
    "Role",
    "WorkCalendar",
    "add_working_days",
    "allocate_reference",
    "allowed_actions",
    "apply_filter",
    "cases_for_admin",
    "cases_for_enterprise",
    "cases_for_lead",
    "cases_for_officer",
    "cases_for_sender",
    "cases_for_staff",
    "current_due",
    "deadline_status",
    "due_date",
    "email_hook",
    "enable_email",
    "escalate_overdue",
    "find_visible",
    "keyset_page",
    "load_calendar_years",
    "local_date",
    "mark_read",
    "originals_followed_by",
    "record_attachment",
    "roles_of",
    "save_calendar_year",
    "submit_case",
    "traffic_light",
    "transition",
    "unread_count",
    "work_calendar",
    "working_days_between",
    "working_days_elapsed",
]
