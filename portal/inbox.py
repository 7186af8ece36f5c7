"""A person's in-portal inbox: messages kept as keys and parameters (`InboxMessage`), worded in the
reader's language when they read them (`portal.case_pages.inbox`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models.case import InboxMessage


def tell(session: Session, account_id: int, key: str, **params) -> InboxMessage:
    """Put a message in a person's inbox: "<key>.subject" and "<key>.body", with `params`."""
    message = InboxMessage(account_id=account_id, subject_key=f"{key}.subject", body_key=f"{key}.body", params=params)
    session.add(message)
    return message


def unread(session: Session, account_id: int, key: str) -> bool:
    """Whether the person has a message of `key` they have not read yet."""
    statement = select(InboxMessage.id).where(
        InboxMessage.account_id == account_id, InboxMessage.subject_key == f"{key}.subject",
        InboxMessage.read_at.is_(None),
    )
    return session.scalar(statement.limit(1)) is not None


def told_since(session: Session, account_id: int, key: str, since: datetime) -> bool:
    """Whether the person has been told `key` at `since` or later."""
    statement = select(InboxMessage.id).where(
        InboxMessage.account_id == account_id, InboxMessage.subject_key == f"{key}.subject",
        InboxMessage.created_at >= since,
    )
    return session.scalar(statement.limit(1)) is not None
