"""Write to the audit trail. Callers pass the request facts; this module knows no Flask."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.models.audit import AuditEvent
from portal.models.base import execute_now


@dataclass(frozen=True)
class Origin:
    """Where an action came from: the client address and user agent."""

    ip_address: str | None = None
    user_agent: str | None = None


def record(session: Session, action: str, **facts) -> AuditEvent:
    """Add one audit row to the session; it commits with the change it describes. `facts` are
    those of `audit_row`."""
    event = AuditEvent(**audit_row(action, **facts))
    session.add(event)
    return event


_NEW_EVENT = AuditEvent.__table__.insert()


def write_now(session: Session, row: dict) -> None:
    """An `audit_row` written at once (`execute_now`) rather than at the flush, as `record` would:
    for the hot paths that commit straight after and never read the row back. It still commits or
    rolls back with the change it describes; a failure to write it surfaces here rather than at the
    commit."""
    execute_now(session, _NEW_EVENT, row)


def audit_row(
    action: str,
    *,
    origin: Origin | None = None,
    actor_id: int | None = None,
    subject_id: int | None = None,
    outcome: str = "success",
    object_type: str | None = None,
    object_id: str | int | None = None,
    **details,
) -> dict:
    """The audit row's columns: who did `action`, on whose behalf (`subject_id`, the actor's own
    when not given), to what, from where; `details` (those not None) go into its JSON."""
    origin = origin or Origin()
    return {
        "action": action,
        "outcome": outcome,
        "actor_id": actor_id,
        "subject_id": subject_id if subject_id is not None else actor_id,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "ip_address": origin.ip_address,
        "user_agent": (origin.user_agent or "")[:256] or None,
        "details": {k: v for k, v in details.items() if v is not None},
    }
