"""Guessing limits counted in the database (auth.throttle), without a request."""

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from auth import throttle
from auth.models import SignInThrottle
from portal.extensions import db
from portal.models.base import utcnow


@pytest.fixture
def now():
    return utcnow()


def test_a_names_key_is_what_it_always_was():
    """Locks already in the database keep working: a name's key is the digest of it, trimmed and
    lower-cased."""
    assert throttle.name_key(" Lead.JW ") == hashlib.sha256(b"lead.jw").hexdigest()


def test_no_name_counts_against_an_accounts_factor():
    public_id = "0123456789abcdef0123456789abcdef"
    key = throttle.account_key(throttle.SECOND_FACTOR, public_id)
    spelled = [f"Account:second_factor:{public_id}", f"account:second_factor:{public_id}",
               f"\0second_factor\0{public_id}"]
    assert key not in {throttle.name_key(name) for name in spelled}
    assert key != throttle.account_key(throttle.PASSWORD, public_id)


def test_attempts_are_counted_before_they_are_checked(app_context, now):
    """Guesses sent at once each take an attempt before any of them is checked: the sixth is
    refused even though no failure has been recorded yet."""
    key = throttle.name_key("13800000009")
    assert [throttle.take_attempt(db.session, key, now) for _ in range(6)] == [True] * 5 + [False]


def test_the_fifth_failure_locks_for_fifteen_minutes(app_context, now):
    key = throttle.account_key(throttle.SECOND_FACTOR, "a" * 32)
    locks = []
    for _ in range(5):
        assert throttle.take_attempt(db.session, key, now)
        locks.append(throttle.record_failure(db.session, key, now))
        db.session.commit()
    assert locks == [False] * 4 + [True]
    assert not throttle.take_attempt(db.session, key, now + throttle.LOCK_DURATION - timedelta(seconds=1))
    later = now + throttle.LOCK_DURATION
    assert throttle.take_attempt(db.session, key, later)
    assert db.session.scalar(select(SignInThrottle.failures).where(SignInThrottle.name_digest == key)) == 1


def test_a_right_secret_gives_the_attempts_back(app_context, now):
    key = throttle.account_key(throttle.PASSWORD, "b" * 32)
    for _ in range(4):
        throttle.take_attempt(db.session, key, now)
        throttle.record_failure(db.session, key, now)
    throttle.take_attempt(db.session, key, now)
    throttle.clear(db.session, key)
    db.session.commit()
    assert [throttle.take_attempt(db.session, key, now) for _ in range(5)] == [True] * 5


def test_failures_older_than_the_window_are_forgotten(app_context, now):
    key = throttle.name_key("13800000008")
    for _ in range(4):
        throttle.take_attempt(db.session, key, now)
        throttle.record_failure(db.session, key, now)
    db.session.commit()
    later = now + throttle.FAILURE_WINDOW + timedelta(seconds=1)
    assert [throttle.take_attempt(db.session, key, later) for _ in range(5)] == [True] * 5


def test_a_lock_on_the_second_factor_leaves_the_name_and_the_password_alone(app_context, now):
    public_id = "c" * 32
    second_factor = throttle.account_key(throttle.SECOND_FACTOR, public_id)
    for _ in range(5):
        throttle.take_attempt(db.session, second_factor, now)
        throttle.record_failure(db.session, second_factor, now)
    db.session.commit()
    assert not throttle.take_attempt(db.session, second_factor, now)
    assert throttle.take_attempt(db.session, throttle.account_key(throttle.PASSWORD, public_id), now)
    assert throttle.take_attempt(db.session, throttle.name_key("officer.jw"), now)


def test_a_time_in_another_zone_is_kept_as_the_same_moment(app_context, now):
    from datetime import timezone

    key = throttle.name_key("13800000007")
    later = now + throttle.FAILURE_WINDOW + timedelta(minutes=1)
    for moment in (now, later):  # the row made, then its window started again
        throttle.take_attempt(db.session, key, moment.astimezone(timezone(timedelta(hours=8))))
        kept = db.session.scalar(select(SignInThrottle.first_failure_at).where(SignInThrottle.name_digest == key))
        assert kept == moment


def test_an_attempt_is_not_taken_over_changes_it_would_commit(app_context, now):
    """Taking an attempt commits; with changes already in the session it refuses rather than
    commit them early."""
    db.session.add(SignInThrottle(name_digest="0" * 64, failures=0))
    with pytest.raises(RuntimeError):
        throttle.take_attempt(db.session, throttle.name_key("13800000006"), now)
    db.session.rollback()
    assert db.session.scalar(select(SignInThrottle.id).where(SignInThrottle.name_digest == "0" * 64)) is None


def test_texts_to_a_number_are_counted_in_the_transaction_that_sends_them(app_context, now):
    key = throttle.texts_key("13900000001")
    window = timedelta(hours=1)
    assert [throttle.take_use(db.session, key, now, limit=2, window=window) for _ in range(3)] == [True, True, False]
    db.session.rollback()  # the refused request sends nothing, and nothing of it is counted
    assert db.session.scalar(select(SignInThrottle.failures).where(SignInThrottle.name_digest == key)) is None
    assert throttle.take_use(db.session, key, now, limit=2, window=window)
    db.session.commit()
    assert throttle.take_use(db.session, key, now + window, limit=1, window=window), "a new window"


def test_counts_whose_window_is_over_are_purged_but_not_locks(app_context, now):
    idle, counting, locked = (throttle.name_key(name) for name in ("idle.name", "counting.name", "locked.name"))
    throttle.take_attempt(db.session, idle, now - timedelta(hours=2))
    throttle.take_attempt(db.session, counting, now - timedelta(minutes=5))
    for _ in range(5):
        throttle.take_attempt(db.session, locked, now - timedelta(hours=2))
        throttle.record_failure(db.session, locked, now - timedelta(minutes=10))
        db.session.commit()
    assert throttle.purge(db.session, now, idle_for=timedelta(hours=1)) == 1
    db.session.commit()
    assert set(db.session.scalars(select(SignInThrottle.name_digest))) >= {counting, locked}
    assert idle not in set(db.session.scalars(select(SignInThrottle.name_digest)))
