"""Cases through the API, with the portal's own scopes and state machine.

A department system sees and acts exactly as an officer of its department does at the desk
(`cases_for_staff`, `allowed_actions`, `transition`), as its own system account. A person sees
their own cases (`cases_for_sender`) and those of the companies they follow appeals for
(`cases_for_enterprise`), with the sender's public history only, and acts as the sender: send
the information asked for, rate a closed case. Someone acting for an elder needs the elder's
delegation, checked on every request as the citizen end does.

No Flask here: the caller passes the session, the principal, the time and the request origin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, false, select, union
from sqlalchemy.orm import Session, selectinload

from api.v1.auth import Principal
from api.v1.schemas import SYSTEM_ACTIONS, CaseListQuery, TransitionIn
from portal import audit, case_pages, delegations
from portal.audit import Origin
from portal.cases import (
    InvalidCursor,
    QueueFilter,
    allowed_actions,
    apply_filter,
    cases_for_enterprise,
    cases_for_sender,
    cases_for_staff,
    find_visible,
    keyset_page,
    local_date,
    transition,
)
from portal.enterprises.memberships import enterprises_of
from portal.models import Account, Case, CaseCategory, CaseEvent, Department, MembershipScope

ORDERS = {"oldest": "o", "newest": "n"}


class CaseNotFound(Exception):  # noqa: N818 - answered 404
    pass


class ActingNotAllowed(Exception):  # noqa: N818 - answered 403
    """The delegation a token was issued under no longer lets its holder act for the person."""


class FieldProblem(Exception):  # noqa: N818 - answered 422, pointing at the field
    def __init__(self, field: str, detail: str, code: str = "invalid") -> None:
        super().__init__(detail)
        self.field, self.detail, self.code = field, detail, code


# --- whose cases ----------------------------------------------------------------------------------


def _acting_allowed(session: Session, principal: Principal, scope: str, now: datetime) -> bool:
    """A token issued to someone acting for another person works while that delegation does."""
    if principal.actor is None:
        return True
    return delegations.active_delegation(session, principal.actor, principal.account, scope=scope,
                                         now=now) is not None


def case_scope(session: Session, principal: Principal, now: datetime) -> Select[tuple[Case]]:
    """Every case this token may see: the desk's scope for a department system, the sender's for a person."""
    if principal.is_department_system:
        return cases_for_staff(principal.account)
    person = principal.account
    if principal.actor is not None:
        if not _acting_allowed(session, principal, case_pages.VIEW_SCOPE, now):
            return select(Case).where(false())
        return cases_for_sender(person)
    companies = enterprises_of(session, person, scope=MembershipScope.APPEALS, now=now)
    if not companies:
        return cases_for_sender(person)
    visible = union(
        cases_for_sender(person).with_only_columns(Case.id),
        *(cases_for_enterprise(company.id).with_only_columns(Case.id) for company in companies),
    )
    return select(Case).where(Case.id.in_(visible))


# --- lists ----------------------------------------------------------------------------------------


@dataclass
class CaseList:
    cases: list[Case]
    next_cursor: str | None


def _wrap_cursor(order: str, inner: str | None) -> str | None:
    return f"{ORDERS[order]}.{inner}" if inner else None


def _unwrap_cursor(order: str, cursor: str | None) -> str | None:
    """The page cursor carries its order, so a cursor from one order cannot be used with the other."""
    if not cursor:
        return None
    prefix, _, inner = cursor.partition(".")
    if prefix != ORDERS[order] or not inner:
        raise InvalidCursor()
    return inner


def list_cases(session: Session, principal: Principal, query: CaseListQuery, now: datetime) -> CaseList:
    """One page of the cases this token may see, filtered. Raises InvalidCursor."""
    category_ids: tuple[int, ...] = ()
    if query.category:
        found = session.scalar(select(CaseCategory.id).where(CaseCategory.code == query.category))
        category_ids = (found if found is not None else -1,)
    wanted = QueueFilter(
        states=tuple(query.state or ()),
        kinds=(query.kind,) if query.kind else (),
        category_ids=category_ids,
        overdue=bool(query.overdue),
        search=query.q,
    )
    scoped = apply_filter(case_scope(session, principal, now), wanted, local_date(now))
    if query.overdue is False:
        overdue_ids = apply_filter(select(Case.id), QueueFilter(overdue=True), local_date(now))
        scoped = scoped.where(Case.id.not_in(overdue_ids))
    scoped = scoped.options(selectinload(Case.category), selectinload(Case.department),
                            selectinload(Case.pending_department), selectinload(Case.assists))
    page = keyset_page(session, scoped, after=_unwrap_cursor(query.order, query.after), limit=query.limit,
                       newest_first=query.order == "newest")
    return CaseList(page.items, _wrap_cursor(query.order, page.next_cursor))


# --- one case -------------------------------------------------------------------------------------


def load_case(session: Session, principal: Principal, public_id: str, now: datetime,
              origin: Origin | None = None) -> Case:
    """The case, if this token may see it; another department's case is not found, like one that
    does not exist. Reading a case is recorded, as on the desk (it holds personal data)."""
    case = find_visible(session, case_scope(session, principal, now), public_id)
    if case is None:
        raise CaseNotFound(public_id)
    if origin is not None and (principal.is_department_system or principal.actor is not None):
        audit.record(session, "case.view", origin=origin, actor_id=principal.signer.id,
                     subject_id=principal.account.id, object_type="case", object_id=case.public_id,
                     reference=case.reference, via="api", client=principal.client.client_id)
    return case


def standing(principal: Principal, case: Case) -> tuple[Account, Account | None]:
    """(actor, subject) for the state machine: who acts, and for whom when it is someone else."""
    if principal.is_department_system:
        return principal.account, None
    if principal.actor is not None:
        return principal.actor, principal.account
    if case.sender_id == principal.account.id:
        return principal.account, None
    # A company's case: its staff act with the filer's standing, as on the enterprise end.
    return principal.account, case.sender


def actions_for(session: Session, principal: Principal, case: Case, now: datetime) -> list[str]:
    if principal.actor is not None and not _acting_allowed(session, principal, case_pages.ACT_SCOPE, now):
        return []
    actor, subject = standing(principal, case)
    return [action for action in allowed_actions(case, actor, subject) if action not in SYSTEM_ACTIONS]


@dataclass
class EventLine:
    at: datetime
    action: str
    from_state: str | None
    to_state: str | None
    visibility: str
    by: str | None
    reason: str | None
    basis: str | None
    notes: str | None
    department: Department | None
    due: date | None


def _due_of(details: dict | None) -> date | None:
    due = (details or {}).get("due")
    return date.fromisoformat(due) if isinstance(due, str) else None


def history(session: Session, principal: Principal, case: Case) -> list[EventLine]:
    """Every event for a department system; the sender's public lines, with their text, for a person."""
    if principal.is_department_system:
        return [
            EventLine(e.at, e.action, e.from_state, e.to_state, e.visibility, e.actor.display_name if e.actor else None,
                      e.reason, e.basis, e.notes, e.department, _due_of(e.details))
            for e in case.events
        ]
    lines = []
    for event in case_pages.public_events(case, own=True):
        department = session.get(Department, event.department_id) if event.department_id else None
        reason = event.text if event.action in case_pages.REASON_SHOWN else None
        notes = event.text if event.action in case_pages.NOTES_SHOWN else None
        lines.append(EventLine(event.at, event.action, None, event.to_state, "public", None, reason, None, notes,
                               department, event.due))
    return lines


# --- moves ----------------------------------------------------------------------------------------


def _resolve(session: Session, principal: Principal, data: TransitionIn, now: datetime) -> dict:
    """The move's details as the state machine takes them: rows for the codes a client sends."""
    details = {name: getattr(data, name) for name in ("reason", "basis", "notes", "due", "comment")
               if getattr(data, name) is not None}
    if data.rating is not None:
        details["rating"] = data.rating.value
    if data.department is not None:
        details["department"] = session.scalar(select(Department).where(Department.code == data.department))
        if details["department"] is None:
            raise FieldProblem("department", "No department has that code.")
    if data.officer is not None:
        details["officer"] = session.scalar(select(Account).where(Account.public_id == data.officer))
        if details["officer"] is None:
            raise FieldProblem("officer", "No colleague has that identifier.")
    if data.duplicate_of is not None:
        details["duplicate_of"] = session.scalar(
            case_scope(session, principal, now).where(Case.reference == data.duplicate_of.upper())
        )
        if details["duplicate_of"] is None:
            raise FieldProblem("duplicate_of", "No case with that reference is visible to this token.")
    return details


def act(session: Session, principal: Principal, case: Case, data: TransitionIn, now: datetime,
        origin: Origin) -> CaseEvent:
    """Make one move through the state machine, recorded under the acting account (the department
    system's own, or the person's) and in the audit trail with the client. Raises
    IllegalTransition, FieldProblem or ActingNotAllowed having changed nothing; the caller commits."""
    if principal.actor is not None and not _acting_allowed(session, principal, case_pages.ACT_SCOPE, now):
        raise ActingNotAllowed()
    details = _resolve(session, principal, data, now)
    actor, subject = standing(principal, case)
    event = transition(session, case, data.action, actor, subject=subject, now=now, **details)
    audit.record(session, "api.case.transition", origin=origin, actor_id=actor.id,
                 subject_id=subject.id if subject is not None else actor.id, object_type="case",
                 object_id=case.public_id, reference=case.reference, move=data.action,
                 from_state=event.from_state.value if event.from_state else None, to_state=event.to_state.value,
                 client=principal.client.client_id, event_id=event.id)
    return event
