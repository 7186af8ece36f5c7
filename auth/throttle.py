"""Lock a secret against guessing after repeated failures, and limit what may be done to a mobile
number, counted in the database so that every worker and every address counts together.

Three kinds of key:
- a login name as typed at sign-in, whether or not an account has that name, so that a lock-out
  never tells an attacker whether an account exists;
- a factor an account proves once it is known who is asking (its second factor after its password;
  its password again on the account page), so that guesses spread over many addresses, or made
  from a session someone has taken over, stop after a handful all the same;
- the codes texted to a mobile number for registrations (`take_use`), whoever asks for them.

Each attempt is counted, and committed, before its secret is checked (`take_attempt`): guesses sent
all at once each take one of the window's attempts, so no more than `MAX_FAILURES` are ever checked.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import case, delete, or_, type_coerce, update
from sqlalchemy.orm import Session

from auth.models import SignInThrottle
from portal.models.base import dialect_insert

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_DURATION = timedelta(minutes=15)

SECOND_FACTOR = "second_factor"
PASSWORD = "password"  # noqa: S105 - the factor counted, not a secret

_THROTTLE = SignInThrottle.__table__


def name_key(login_name: str) -> str:
    return hashlib.sha256(login_name.strip().lower().encode()).hexdigest()


def account_key(factor: str, account_public_id: str) -> str:
    # A capital letter: a name's key is digested lower-cased, so no name can ever count an account's.
    return hashlib.sha256(f"Account:{factor}:{account_public_id}".encode()).hexdigest()


def texts_key(mobile: str) -> str:
    """The codes texted to a mobile number for registrations, whoever asks for them."""
    return hashlib.sha256(f"Texts:{mobile}".encode()).hexdigest()


def _count(session: Session, key: str, now: datetime, window: timedelta, *, unless_locked: bool) -> int | None:
    """Count one more at `key` in one statement, so that no other request's count, success or failure
    can come between a read and a write: the window's count so far, or None while the key is locked
    (with `unless_locked`)."""
    window_over = or_(_THROTTLE.c.first_failure_at.is_(None), _THROTTLE.c.first_failure_at <= now - window)
    now = type_coerce(now, _THROTTLE.c.first_failure_at.type)  # kept in UTC, as every time is, even in a CASE
    insert = dialect_insert(session)(_THROTTLE).values(name_digest=key, failures=1, first_failure_at=now)
    unlocked = or_(_THROTTLE.c.locked_until.is_(None), _THROTTLE.c.locked_until <= now)
    return session.execute(
        insert.on_conflict_do_update(
            index_elements=[_THROTTLE.c.name_digest],
            set_={"failures": case((window_over, 1), else_=_THROTTLE.c.failures + 1),
                  "first_failure_at": case((window_over, now), else_=_THROTTLE.c.first_failure_at)},
            where=unlocked if unless_locked else None,
        ).returning(_THROTTLE.c.failures)
    ).scalar()


def take_attempt(session: Session, key: str, now: datetime) -> bool:
    """Count one attempt at `key`'s secret and commit it, before the secret is checked: True when
    it may be checked, False while the key is locked or the window's attempts are taken. A success
    gives it back (`clear`), a failure keeps it (`record_failure`).

    It commits the session: call it before anything else is changed in it."""
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("take_attempt commits: call it before the session holds changes")
    counted = _count(session, key, now, FAILURE_WINDOW, unless_locked=True)
    session.commit()
    return counted is not None and counted <= MAX_FAILURES


def take_use(session: Session, key: str, now: datetime, *, limit: int, window: timedelta) -> bool:
    """Count one use of `key` (a text sent, say) in the transaction of what it is for: True while
    the window holds at most `limit`. The count stays only if the caller commits; a caller refused
    rolls back, so that only uses made are counted."""
    counted = _count(session, key, now, window, unless_locked=False)
    return counted is not None and counted <= limit


def purge(session: Session, now: datetime, idle_for: timedelta) -> int:
    """Delete the keys whose window began over `idle_for` ago and that are not locked: they count
    nothing any more (the caller commits). `idle_for` must be at least the longest window."""
    stale = (or_(_THROTTLE.c.first_failure_at.is_(None), _THROTTLE.c.first_failure_at <= now - idle_for),
             or_(_THROTTLE.c.locked_until.is_(None), _THROTTLE.c.locked_until <= now))
    return session.execute(delete(_THROTTLE).where(*stale)).rowcount or 0


def record_failure(session: Session, key: str, now: datetime) -> bool:
    """The attempt taken failed; True when it was the window's last, which locks the key for
    `LOCK_DURATION` (the caller commits)."""
    locked = session.execute(
        update(_THROTTLE)
        .where(_THROTTLE.c.name_digest == key, _THROTTLE.c.failures >= MAX_FAILURES)
        .values(locked_until=now + LOCK_DURATION, failures=0, first_failure_at=None)
        .returning(_THROTTLE.c.id)
    ).first()
    return locked is not None


def clear(session: Session, key: str) -> None:
    """The secret was right: the key's count starts again (the caller commits, with what the secret
    allowed)."""
    session.execute(delete(_THROTTLE).where(_THROTTLE.c.name_digest == key))
