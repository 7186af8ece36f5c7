"""What a sender may see of a case and do with it: shared by the citizen and enterprise ends.

A sender sees the state, the running due date, and the public events only: never an internal
note, a transfer being negotiated between departments, or a staff member's name. Someone whose
own case was merged into another (a duplicate) follows that original: its state and the
department's public replies, never the other sender's details or text.

The caller says whose cases these are (`subject`) and who is acting (`actor`): a family member
acting for an elder needs the elder's delegation with the right scope, checked here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask import Flask
from sqlalchemy import Select, select, union
from sqlalchemy.orm import Session, selectinload

from portal import audit, case_labels, delegations
from portal.audit import Origin
from portal.cases import (
    cases_for_sender,
    current_due,
    mark_read,
    originals_followed_by,
    submit_case,
    transition,
)
from portal.i18n_data import pick
from portal.models import Account, Case, CaseCategory, CaseKind, CaseState, Department, InboxMessage

VIEW_SCOPE = "view_cases"  # a delegation scope: follow the elder's cases
ACT_SCOPE = "file_applications"  # a delegation scope: file, answer and rate for the elder

# What of each public event a sender reads beyond its name and date.
REASON_SHOWN = {"request_info", "reject"}
NOTES_SHOWN = {"reply", "resubmit", "rate"}
# On a case followed as a duplicate: only the department's replies.
FOLLOWER_NOTES = {"reply"}


class NotAllowed(Exception):  # noqa: N818 - the page answers 403
    pass


def check_acting(session: Session, actor: Account, subject: Account, scope: str) -> None:
    """Acting for someone else needs their delegation with `scope`, valid now."""
    if subject.id != actor.id and delegations.active_delegation(session, actor, subject, scope=scope) is None:
        raise NotAllowed


def _subject_arg(actor: Account, subject: Account) -> Account | None:
    return subject if subject.id != actor.id else None


# --- lists -------------------------------------------------------------------------------------


@dataclass
class SenderRow:
    case: Case
    followed: bool  # someone else's case that one of the subject's was merged into
    due: date | None


def sender_cases(
    session: Session, actor: Account, subject: Account, *, kinds: tuple[CaseKind, ...] = ()
) -> list[SenderRow]:
    """The subject's own cases (newest first), then the originals they follow as duplicates."""
    check_acting(session, actor, subject, VIEW_SCOPE)
    own = cases_for_sender(subject)
    if kinds:
        own = own.where(Case.kind.in_(kinds))
    rows = [
        SenderRow(case, False, answer_due(case))
        for case in session.scalars(own.options(selectinload(Case.department)).order_by(Case.submitted_at.desc()))
    ]
    followed = originals_followed_by(subject).options(selectinload(Case.department)).order_by(Case.submitted_at.desc())
    rows += [SenderRow(case, True, answer_due(case)) for case in session.scalars(followed)]
    return rows


# --- one case ----------------------------------------------------------------------------------


@dataclass
class PublicEvent:
    at: datetime
    action: str
    to_state: CaseState | None
    text: str | None
    due: date | None = None  # a new due date the event set (extension, reopening)
    department_id: int | None = None  # the department now handling it (transfer accepted, reassigned)
    rating: str | None = None


@dataclass
class SenderView:
    case: Case
    own: bool
    events: list[PublicEvent]
    due: date | None
    can_rate: bool
    can_resubmit: bool
    info_request: str | None  # what the department asked for, while the case waits for it
    duplicates: list[Case] = field(default_factory=list)  # the subject's own cases merged into this one


def sender_scope(subject: Account) -> Select[tuple[Case]]:
    """Every case the subject may open: their own and the originals they follow."""
    ids = union(
        cases_for_sender(subject).with_only_columns(Case.id),
        originals_followed_by(subject).with_only_columns(Case.id),
    )
    return select(Case).where(Case.id.in_(ids))


def public_events(case: Case, own: bool) -> list[PublicEvent]:
    events = []
    for event in case.events:
        if not event.is_public:
            continue
        details = event.details or {}
        text = None
        if own and event.action in REASON_SHOWN:
            text = event.reason
        elif event.action in (NOTES_SHOWN if own else FOLLOWER_NOTES):
            text = event.notes
        due = details.get("due") if event.action in ("approve_extension", "rate", "submit") else None
        if event.action == "submit":
            due = details.get("reply_due")
        events.append(
            PublicEvent(
                at=event.at,
                action=event.action,
                to_state=event.to_state,
                text=text,
                due=date.fromisoformat(due) if due else None,
                department_id=event.department_id if event.action in ("accept_transfer", "reassign") else None,
                rating=details.get("rating") if own and event.action == "rate" else None,
            )
        )
    return events


def answer_due(case: Case) -> date | None:
    """When the sender will have an answer: the reply deadline while a clock runs (not while the
    department waits for the sender's information, nor once answered)."""
    return case.reply_due if current_due(case) is not None else None


def can_rate(case: Case) -> bool:
    """Closed and not yet rated since it was last closed (a reopened case is rated again)."""
    return case.state == CaseState.CLOSED and (
        case.rated_at is None or case.closed_at is None or case.rated_at < case.closed_at
    )


def sender_view(session: Session, actor: Account, subject: Account, public_id: str,
                origin: Origin | None = None, *, scope: Select[tuple[Case]] | None = None) -> SenderView | None:
    """One case as its sender (or a follower) sees it; None when it is not theirs to see.

    `scope` replaces the person's own cases with another sender scope, e.g. the enterprise end's
    `cases_for_enterprise(id)` after checking the membership: its cases count as the viewer's own.
    """
    check_acting(session, actor, subject, VIEW_SCOPE)
    case = session.scalar((scope if scope is not None else sender_scope(subject)).where(Case.public_id == public_id))
    if case is None:
        return None
    own = scope is not None or case.sender_id == subject.id
    if actor.id != subject.id:  # someone acting for the sender: on the record under both names
        audit.record(session, "case.view", origin=origin, actor_id=actor.id, subject_id=subject.id,
                     object_type="case", object_id=case.public_id)
        session.commit()
    request = None
    if own and case.state == CaseState.RETURNED_FOR_INFO:
        asked = [e for e in case.events if e.action == "request_info"]
        request = asked[-1].reason if asked else None
    duplicates = [] if own else list(
        session.scalars(select(Case).where(Case.duplicate_of_id == case.id, Case.sender_id == subject.id))
    )
    return SenderView(
        case=case,
        own=own,
        events=public_events(case, own),
        due=answer_due(case),
        can_rate=own and can_rate(case),
        can_resubmit=own and case.state == CaseState.RETURNED_FOR_INFO,
        info_request=request,
        duplicates=duplicates,
    )


def own_case(session: Session, actor: Account, subject: Account, public_id: str) -> Case | None:
    """The subject's own case, for answering or rating it (acting for them needs the act scope)."""
    check_acting(session, actor, subject, ACT_SCOPE)
    return session.scalar(cases_for_sender(subject).where(Case.public_id == public_id))


def resubmit(session: Session, actor: Account, subject: Account, case: Case, notes: str, now: datetime) -> None:
    """Send the information asked for (补正); the clock resumes. Raises IllegalTransition."""
    transition(session, case, "resubmit", actor, subject=_subject_arg(actor, subject), notes=notes, now=now)
    session.commit()


def rate(session: Session, actor: Account, subject: Account, case: Case, rating: str, comment: str | None,
         now: datetime) -> CaseState:
    """Rate a closed case (好差评); a dissatisfied rating reopens it. Returns the new state."""
    transition(session, case, "rate", actor, subject=_subject_arg(actor, subject), rating=rating,
               comment=comment, now=now)
    session.commit()
    return case.state


# --- filing a request --------------------------------------------------------------------------


def request_categories(session: Session, locale: str, kind: CaseKind = CaseKind.REQUEST) -> list[tuple[int, str]]:
    rows = session.scalars(
        select(CaseCategory)
        .where(CaseCategory.active.is_(True), (CaseCategory.kind == kind) | CaseCategory.kind.is_(None))
        .order_by(CaseCategory.code)
    )
    return [(row.id, row.name_in(locale)) for row in rows]


def file_request(session: Session, actor: Account, subject: Account, data: dict, now: datetime | None = None,
                 *, kind: CaseKind = CaseKind.REQUEST, enterprise_id: int | None = None) -> Case:
    """File a request (or, from the enterprise end, an appeal). Raises CaseError."""
    check_acting(session, actor, subject, ACT_SCOPE)
    category = session.get(CaseCategory, int(data["category"]))
    case = submit_case(
        session, actor, kind=kind, category=category, title=data["title"], body=data["body"],
        subject=_subject_arg(actor, subject), enterprise_id=enterprise_id, location_text=data.get("place"),
        latitude=data.get("latitude"), longitude=data.get("longitude"), now=now,
    )
    session.commit()
    return case


# --- the inbox ---------------------------------------------------------------------------------


@dataclass
class InboxItem:
    message: InboxMessage
    subject: str
    body: str


def _notice_text(key: str, params: dict, locale: str) -> str:
    if key.startswith("enterprise."):
        from portal import enterprise_labels

        return enterprise_labels.notice_text(key, params, locale)
    return case_labels.notice_text(key, params, locale)


def inbox(session: Session, account: Account, locale: str, limit: int = 50) -> list[InboxItem]:
    """The newest messages, worded in the reader's language now."""
    messages = session.scalars(
        select(InboxMessage)
        .where(InboxMessage.account_id == account.id)
        .order_by(InboxMessage.created_at.desc(), InboxMessage.id.desc())
        .limit(limit)
    )
    items = []
    for message in messages:
        params = message.params or {}
        items.append(InboxItem(message, _notice_text(message.subject_key, params, locale),
                               _notice_text(message.body_key, params, locale)))
    return items


def mark_messages_read(session: Session, account: Account, ids: list[int] | None, now: datetime) -> int:
    """Mark some (or, with None, all) of the reader's own messages read."""
    if ids is None:
        ids = list(session.scalars(
            select(InboxMessage.id).where(InboxMessage.account_id == account.id, InboxMessage.read_at.is_(None))
        ))
    count = mark_read(session, account.id, ids, now)
    session.commit()
    return count


# --- templates ---------------------------------------------------------------------------------


def department_name(case: Case, locale: str) -> str:
    return pick(case.department.name_zh, case.department.name_en, locale)


def department_names(session: Session, ids, locale: str) -> dict[int, str]:
    """Names of the departments a sender's history mentions (a transfer accepted, a reassignment)."""
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    return {d.id: d.name_in(locale) for d in session.scalars(select(Department).where(Department.id.in_(ids)))}


def init_app(app: Flask) -> None:
    """The case vocabularies for every template and macro (`case_labels.state_label(...)`)."""
    app.jinja_env.globals.update(case_labels=case_labels)
