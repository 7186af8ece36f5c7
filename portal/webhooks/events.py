"""Which endpoints hear of a case event, and what they are sent.

Called from the CaseEvent insert listener (portal.models.webhook) with the flush's connection:
plain SQL on that connection only, so the delivery rows commit or roll back with the event.

A department system hears of the events of the cases its department can see on the desk: the
cases it owns, is offered in a pending transfer, or assists on, and the event that concerns it
as the other department (a transfer offered to it and then withdrawn, an invitation). The
payload carries the case's summary only, never the sender's identity or the text of the case.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, or_, select, union
from sqlalchemy.orm import aliased

from auth.oidc.models import OAuthClient
from portal.cases.clock import ACCEPT_CLOCK_STATES, REPLY_CLOCK_STATES
from portal.cases.workflow import ACTIONS, SUBMIT
from portal.models.base import utcnow
from portal.models.case import Case, CaseAssist, CaseCategory, CaseEvent, CaseState
from portal.models.department import Department
from portal.models.webhook import DeliveryStatus, WebhookDelivery, WebhookEndpoint

PREFIX = "case."
# Every event type an endpoint may subscribe to: "case.submit", "case.accept"...
EVENT_TYPES: tuple[str, ...] = tuple(PREFIX + action for action in (SUBMIT, *sorted(ACTIONS)))


def event_type(action: str) -> str:
    return PREFIX + action


def action_of(event_type_name: str) -> str:
    return event_type_name.removeprefix(PREFIX)


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _subscribers(connection: Connection, event: CaseEvent) -> list[tuple[int, list]]:
    """(endpoint id, event types) of the enabled endpoints whose department the case concerns."""
    concerned = union(
        select(Case.department_id).where(Case.id == event.case_id),
        select(Case.pending_department_id).where(Case.id == event.case_id, Case.pending_department_id.is_not(None)),
        select(CaseAssist.department_id).where(CaseAssist.case_id == event.case_id),
    )
    department = OAuthClient.department_id.in_(concerned)
    if event.department_id is not None:
        department = or_(department, OAuthClient.department_id == event.department_id)
    rows = connection.execute(
        select(WebhookEndpoint.id, WebhookEndpoint.event_types)
        .join(OAuthClient, OAuthClient.id == WebhookEndpoint.client_id)
        .where(WebhookEndpoint.disabled_at.is_(None), OAuthClient.disabled_at.is_(None), department)
        .order_by(WebhookEndpoint.id)
    ).all()
    return [(row.id, list(row.event_types or [])) for row in rows]


def due_date(state: CaseState, accept_due, reply_due):
    """The deadline running in this state (portal.cases.clock.current_due, from columns)."""
    if state in ACCEPT_CLOCK_STATES:
        return accept_due
    if state in REPLY_CLOCK_STATES:
        return reply_due
    return None


def case_summary(connection: Connection, event: CaseEvent) -> dict:
    """What a department system needs to find and file the case: no personal data."""
    owner, pending, other = aliased(Department), aliased(Department), aliased(Department)
    row = connection.execute(
        select(
            Case.reference,
            Case.public_id,
            Case.kind,
            Case.state,
            Case.priority,
            Case.accept_due,
            Case.reply_due,
            Case.submitted_at,
            CaseCategory.code.label("category"),
            owner.code.label("department"),
            pending.code.label("pending_department"),
        )
        .join(CaseCategory, CaseCategory.id == Case.category_id)
        .join(owner, owner.id == Case.department_id)
        .outerjoin(pending, pending.id == Case.pending_department_id)
        .where(Case.id == event.case_id)
    ).one()
    other_code = None
    if event.department_id is not None:
        other_code = connection.scalar(select(other.code).where(other.id == event.department_id))
    due = due_date(row.state, row.accept_due, row.reply_due)
    assisting = connection.scalars(
        select(Department.code)
        .join(CaseAssist, CaseAssist.department_id == Department.id)
        .where(CaseAssist.case_id == event.case_id)
        .order_by(Department.code)
    ).all()
    return {
        "case": {
            "reference": row.reference,
            "public_id": row.public_id,
            "kind": row.kind.value,
            "category": row.category,
            "state": row.state.value,
            "priority": row.priority.value,
            "department": row.department,
            "pending_department": row.pending_department,
            "assisting_departments": list(assisting),
            "submitted_at": _iso(row.submitted_at),
            "due_date": due.isoformat() if due else None,
        },
        "event": {
            "action": event.action,
            "from_state": event.from_state.value if event.from_state else None,
            "to_state": event.to_state.value if event.to_state else None,
            "department": other_code,
        },
    }


def payload(message_id: str, event: CaseEvent, data: dict) -> dict:
    return {
        "id": message_id,
        "type": event_type(event.action),
        "occurred_at": _iso(event.at),
        "data": data,
    }


def queue_deliveries(connection: Connection, event: CaseEvent) -> int:
    """Write one pending delivery per subscribed endpoint; returns how many were written."""
    wanted = event_type(event.action)
    endpoints = [endpoint_id for endpoint_id, types in _subscribers(connection, event) if wanted in types]
    if not endpoints:
        return 0
    message_id = new_message_id()
    body = payload(message_id, event, case_summary(connection, event))
    created = utcnow()
    connection.execute(
        insert(WebhookDelivery.__table__),
        [
            {
                "endpoint_id": endpoint_id,
                "case_event_id": event.id,
                "message_id": message_id,
                "event_type": wanted,
                "payload": body,
                "status": DeliveryStatus.PENDING,
                "attempts": 0,
                "next_attempt_at": event.at or created,
                "created_at": created,
            }
            for endpoint_id in endpoints
        ],
    )
    return len(endpoints)
