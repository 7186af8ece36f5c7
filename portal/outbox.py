"""Queue messages in the outbox and deliver them.

Delivery to an SMS gateway or SMTP is configured per deployment; with none configured (the
embedded default) messages are written to the server log, which is how a developer sees a
password-reset code.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models.base import utcnow
from portal.models.outbox import Channel, OutboxMessage

log = logging.getLogger("portal.outbox")


def queue(
    session: Session, *, channel: Channel, recipient: str, subject: str, body: str, account_id: int | None = None
) -> OutboxMessage:
    message = OutboxMessage(
        channel=channel, recipient=recipient, subject=subject, body=body, account_id=account_id
    )
    session.add(message)
    return message


def deliver_pending(session: Session, limit: int = 100, channels: Iterable[Channel] | None = None) -> int:
    """Send what is waiting (on `channels`, default all); returns how many were sent. Safe to run
    from several workers."""
    query = select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
    if channels is not None:
        query = query.where(OutboxMessage.channel.in_(list(channels)))
    pending = session.scalars(
        query
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for message in pending:
        message.attempts += 1
        log.warning(
            "outbox %s to %s: %s\n%s", message.channel.value, message.recipient, message.subject, message.body
        )
        message.sent_at = utcnow()
    session.commit()
    return len(pending)
