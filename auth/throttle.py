"""Lock a login name after repeated failures, whether or not an account has that name."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.models import SignInThrottle

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_DURATION = timedelta(minutes=15)


def _digest(login_name: str) -> str:
    return hashlib.sha256(login_name.strip().lower().encode()).hexdigest()


def _row(session: Session, login_name: str) -> SignInThrottle | None:
    return session.scalar(select(SignInThrottle).where(SignInThrottle.name_digest == _digest(login_name)))


def locked_until(session: Session, login_name: str, now: datetime) -> datetime | None:
    row = _row(session, login_name)
    if row and row.locked_until and row.locked_until > now:
        return row.locked_until
    return None


def record_failure(session: Session, login_name: str, now: datetime) -> bool:
    """Count a failure; returns True when this failure locks the name."""
    row = _row(session, login_name)
    if row is None:
        row = SignInThrottle(name_digest=_digest(login_name), failures=0)
        session.add(row)
    if row.first_failure_at is None or now - row.first_failure_at > FAILURE_WINDOW:
        row.failures, row.first_failure_at = 0, now
    row.failures += 1
    if row.failures >= MAX_FAILURES:
        row.locked_until = now + LOCK_DURATION
        row.failures, row.first_failure_at = 0, None
        return True
    return False


def clear(session: Session, login_name: str) -> None:
    row = _row(session, login_name)
    if row is not None:
        session.delete(row)
