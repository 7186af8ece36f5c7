"""Who is told about a case event, written in the same transaction as the event itself.

Every notice becomes an InboxMessage row (message keys and parameters, so it reads in the
recipient's language whenever they open it). Further channels hook in through `hooks`: each hook
is called with the rows just written, in the caller's transaction — `email_hook(render)` queues
an email in the outbox for every recipient with an address, rendered by a function the app
supplies (see `portal.case_labels.render_notice`).

Keys are "<audience>.<action>": `sender.accept` tells the sender their case was signed for,
`staff.transfer` tells a department a case is offered to it. The subject and body message keys
are the key plus ".subject" / ".body".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import outbox
from portal.cases.roles import DISPATCH_DEPARTMENT_CODE
from portal.models.account import Account, StaffPosition, StaffRole
from portal.models.case import Case, CaseEvent, CaseState, InboxMessage
from portal.models.department import Department
from portal.models.outbox import Channel


@dataclass(frozen=True)
class Notice:
    account_id: int
    key: str
    params: dict = field(default_factory=dict)

    @property
    def subject_key(self) -> str:
        return f"{self.key}.subject"

    @property
    def body_key(self) -> str:
        return f"{self.key}.body"


Delivered = list[tuple[Notice, InboxMessage]]
NoticeHook = Callable[[Session, Case, CaseEvent, Delivered], None]

# Extra channels, called after the inbox rows are written. See `enable_email`.
hooks: list[NoticeHook] = []

# Events the sender hears about (their own actions excepted).
SENDER_ACTIONS = frozenset(
    {
        "submit",
        "accept",
        "start",
        "request_info",
        "accept_transfer",
        "reassign",
        "reject",
        "merge",
        "reply",
        "close",
        "approve_extension",
    }
)


# Events staff hear about; the key is "staff.<action>" ("staff.reopened" for a dissatisfied rating).
STAFF_ACTIONS = frozenset(
    {
        "resubmit",
        "bounce_transfer",
        "send_back",
        "transfer",
        "withdraw_transfer",
        "reassign",
        "invite",
        "dispute",
        "assign",
        "request_extension",
        "approve_extension",
        "decline_extension",
        "reopened",
        "remind",
        "supervise",
    }
)


def department_contacts(session: Session, department_id: int) -> list[int]:
    """The leads of a department, or all its staff when it has no lead."""
    rows = session.execute(
        select(StaffPosition.account_id, StaffPosition.role).where(StaffPosition.department_id == department_id)
    ).all()
    leads = [account_id for account_id, role in rows if role == StaffRole.LEAD]
    return sorted(leads or {account_id for account_id, _ in rows})


def dispatchers(session: Session) -> list[int]:
    """The administrators of the service centre, or every administrator when it has none."""
    admins = select(StaffPosition.account_id).where(StaffPosition.role == StaffRole.ADMIN)
    centre = session.scalars(
        admins.join(Department, Department.id == StaffPosition.department_id).where(
            Department.code == DISPATCH_DEPARTMENT_CODE
        )
    ).all()
    return sorted(set(centre or session.scalars(admins).all()))


def _handlers(session: Session, case: Case) -> list[int]:
    """Whoever is working the case: the assigned officer, else the owning department's contacts."""
    if case.assigned_officer_id is not None:
        return [case.assigned_officer_id]
    return department_contacts(session, case.department_id)


def _staff_recipients(session: Session, case: Case, event: CaseEvent) -> list[int]:
    action = event.action
    details = event.details or {}
    if action in ("resubmit", "bounce_transfer", "send_back"):
        return _handlers(session, case)
    if action in ("transfer", "withdraw_transfer", "reassign", "invite"):
        return department_contacts(session, event.department_id) if event.department_id else []
    if action == "dispute":
        return dispatchers(session)
    if action == "assign":
        return [case.assigned_officer_id] if case.assigned_officer_id else []
    if action == "request_extension":
        return department_contacts(session, case.department_id)
    if action in ("approve_extension", "decline_extension"):
        requester = details.get("requested_by")
        return [requester] if requester else []
    if action == "rate" and event.to_state == CaseState.REOPENED:
        return department_contacts(session, case.department_id)
    if action == "remind":
        return sorted({*_handlers(session, case), *department_contacts(session, case.department_id)})
    if action == "supervise":
        return sorted({*department_contacts(session, case.department_id), *dispatchers(session)})
    return []


def notice_params(case: Case, event: CaseEvent) -> dict:
    department = case.department
    params = {
        "reference": case.reference,
        "title": case.title,
        "case": case.public_id,
        "department_zh": department.name_zh,
        "department_en": department.name_en,
    }
    if event.reason:
        params["reason"] = event.reason
    for key in ("due", "reply_due", "rating", "duplicate_of", "level", "previous_due"):
        if key in (event.details or {}):
            params[key] = event.details[key]
    return params


def notices_for(session: Session, case: Case, event: CaseEvent) -> list[Notice]:
    params = notice_params(case, event)
    notices = []
    told: set[int] = set()
    if event.actor_id is not None and event.action != "submit":  # a filing gets a receipt
        told.add(event.actor_id)  # nobody is told of what they did themselves
    if event.action in SENDER_ACTIONS and event.is_public and case.sender_id not in told:
        notices.append(Notice(case.sender_id, f"sender.{event.action}", params))
        told.add(case.sender_id)
    key = "staff.reopened" if event.action == "rate" else f"staff.{event.action}"
    for account_id in _staff_recipients(session, case, event):
        if account_id not in told:
            notices.append(Notice(account_id, key, params))
            told.add(account_id)
    return notices


def notify(session: Session, case: Case, event: CaseEvent) -> list[InboxMessage]:
    """Write the inbox messages for an event and run the hooks. Called by the state machine."""
    delivered: Delivered = []
    for notice in notices_for(session, case, event):
        message = InboxMessage(
            account_id=notice.account_id,
            case_id=case.id,
            event_id=event.id,
            subject_key=notice.subject_key,
            body_key=notice.body_key,
            params=notice.params,
        )
        session.add(message)
        delivered.append((notice, message))
    for hook in list(hooks):
        hook(session, case, event, delivered)
    return [message for _, message in delivered]


Render = Callable[[str, str, dict, str], tuple[str, str]]


def email_hook(render: Render, default_locale: str = "zh") -> NoticeHook:
    """A hook that queues an email for each recipient with an address, in their language.

    `render(subject_key, body_key, params, locale)` returns the subject and body text.
    """

    def queue_emails(session: Session, case: Case, event: CaseEvent, delivered: Delivered) -> None:
        for notice, message in delivered:
            account = session.get(Account, notice.account_id)
            if account is None or not account.email:
                continue
            subject, body = render(
                message.subject_key, message.body_key, message.params, account.locale or default_locale
            )
            outbox.queue(
                session,
                channel=Channel.EMAIL,
                recipient=account.email,
                subject=subject,
                body=body,
                account_id=account.id,
            )

    return queue_emails


def enable_email(render: Render, default_locale: str = "zh") -> None:
    """Queue an email for every notice from now on (idempotent: replaces an earlier email hook).

    Called once at start-up, e.g. `enable_email(portal.case_labels.render_notice)`.
    """
    hook = email_hook(render, default_locale)
    hook.sends_email = True  # type: ignore[attr-defined]
    hooks[:] = [h for h in hooks if not getattr(h, "sends_email", False)] + [hook]


def unread_count(session: Session, account_id: int) -> int:
    return session.scalar(
        select(func.count(InboxMessage.id)).where(
            InboxMessage.account_id == account_id, InboxMessage.read_at.is_(None)
        )
    ) or 0


def mark_read(session: Session, account_id: int, message_ids: Iterable[int], now: datetime) -> int:
    """Mark the reader's own messages read (others' ids are ignored)."""
    messages = session.scalars(
        select(InboxMessage).where(
            InboxMessage.account_id == account_id,
            InboxMessage.id.in_(list(message_ids)),
            InboxMessage.read_at.is_(None),
        )
    ).all()
    for message in messages:
        message.read_at = now
    return len(messages)
