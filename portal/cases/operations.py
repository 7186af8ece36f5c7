"""Filing a case: the entry into the state machine, used by the citizen and enterprise ends."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from portal.cases.calendar import work_calendar
from portal.cases.clock import compute_dues
from portal.cases.deadlines import WorkCalendar, local_date
from portal.cases.errors import CaseError
from portal.cases.references import DEFAULT_PREFIX, allocate_reference
from portal.cases.workflow import record_submission
from portal.models.account import Account
from portal.models.base import utcnow
from portal.models.case import Case, CaseCategory, CaseKind, CaseState, Priority
from portal.models.department import Department

TITLE_MAX = 200


def submit_case(
    session: Session,
    actor: Account,
    *,
    kind: CaseKind | str,
    category: CaseCategory,
    title: str,
    body: str,
    subject: Account | None = None,
    enterprise_id: int | None = None,
    department: Department | None = None,
    priority: Priority | str = Priority.NORMAL,
    location_text: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    now: datetime | None = None,
    calendar: WorkCalendar | None = None,
    reference_prefix: str = DEFAULT_PREFIX,
) -> Case:
    """File a case for `subject` (or the actor themselves) and start its clock.

    The category decides the owning department (unless `department` routes it elsewhere) and
    the time limits, which are copied onto the case so that later changes to the category do
    not move the deadlines of cases already filed. The caller commits.
    """
    now = now or utcnow()
    try:
        kind = CaseKind(kind)
    except ValueError:
        raise CaseError("invalid_kind") from None
    try:
        priority = Priority(priority)
    except ValueError:
        raise CaseError("invalid_priority") from None
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise CaseError("field_required", field="title")
    if len(title) > TITLE_MAX:
        raise CaseError("field_too_long", field="title", max=TITLE_MAX)
    if not body:
        raise CaseError("field_required", field="body")
    if not category.active:
        raise CaseError("category_inactive")
    if category.kind is not None and category.kind != kind:
        raise CaseError("category_kind_mismatch")
    if kind == CaseKind.APPEAL and enterprise_id is None:
        raise CaseError("enterprise_required")
    if (latitude is None) != (longitude is None):
        raise CaseError("invalid_location")
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise CaseError("invalid_location")

    calendar = calendar if calendar is not None else work_calendar(session)
    sender = subject if subject is not None else actor
    today = local_date(now)
    owner = department if department is not None else category.department
    case = Case(
        reference=allocate_reference(session, today.year, reference_prefix),
        kind=kind,
        state=CaseState.SUBMITTED,
        priority=priority,
        sender=sender,
        sender_id=sender.id,
        filed_by_id=actor.id if sender.id != actor.id else None,
        sender_enterprise_id=enterprise_id,
        category=category,
        department=owner,
        department_id=owner.id,
        title=title,
        body=body,
        location_text=(location_text or "").strip() or None,
        latitude=latitude,
        longitude=longitude,
        submitted_at=now,
        updated_at=now,
        accept_due_start=today,
        accept_due_days=category.accept_days,
        reply_due_start=today,
        reply_due_days=category.reply_days,
        escalation_level=0,
        extension_count=0,
        reopened_count=0,
    )
    compute_dues(case, calendar)
    session.add(case)
    session.flush()
    record_submission(session, case, actor, subject, now)
    return case
