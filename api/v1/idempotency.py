"""Idempotency keys: a retried POST replays the first answer instead of acting twice.

The rules, without Flask: the caller passes the session, who is asking and the time.

- `begin` looks for the key. Unknown: it reserves the key by inserting its row now, in the
  request's transaction, before any work; a concurrent request with the same key then waits on
  the unique constraint (PostgreSQL) or the write lock (SQLite) until this one commits, and finds
  the row. Known and bound to the same request: the stored answer (`Replay`). Known and bound to
  another request: `IdempotencyConflict`.
- `finish` stores the answer in the reserved row; the caller commits it with the change.
- A refused request (any error) rolls back with its reservation, so the key stays free: nothing
  was done, and a retry with the same key is handled as new.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.v1.models import IdempotencyRecord

LIFETIME = timedelta(hours=24)
MAX_KEY_LENGTH = 255


class InvalidKey(ValueError):
    pass


class IdempotencyConflict(Exception):  # noqa: N818 - answered as the problem of that name
    """The key was used, within its lifetime, for a different request."""


@dataclass(frozen=True)
class Replay:
    status: int
    body: dict
    location: str | None


def parse_key(header: str) -> str:
    """The key from an `Idempotency-Key` header: an opaque string of 1–255 visible ASCII characters,
    optionally quoted as the IETF draft writes it (a structured-field string)."""
    key = header.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not 0 < len(key) <= MAX_KEY_LENGTH or not all(33 <= ord(ch) <= 126 for ch in key):
        raise InvalidKey(header)
    return key


def fingerprint(method: str, path: str, body: object) -> str:
    """What a key is bound to. The body as canonical JSON: key order and spacing do not matter."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{method.upper()} {path}\n{canonical}".encode()).hexdigest()


def _find(session: Session, client_pk: int, account_id: int, key: str, now: datetime) -> IdempotencyRecord | None:
    return session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.client_pk == client_pk,
            IdempotencyRecord.account_id == account_id,
            IdempotencyRecord.key == key,
            IdempotencyRecord.expires_at > now,
        )
    )


def _answer(record: IdempotencyRecord, bound_to: str) -> Replay:
    if record.fingerprint != bound_to:
        raise IdempotencyConflict(record.key)
    return Replay(record.status, record.body, record.location)


def begin(session: Session, *, client_pk: int, account_id: int, key: str, bound_to: str,
          now: datetime) -> IdempotencyRecord | Replay:
    """Reserve `key` for this request (returns the row to `finish`), or the answer it had already.
    Raises IdempotencyConflict when the key was used for another request."""
    for attempt in range(2):
        found = _find(session, client_pk, account_id, key, now)
        if found is not None:
            return _answer(found, bound_to)
        # The caller's expired keys are forgotten here, so that a key may be used again after its
        # lifetime (only the caller's: concurrent requests of different clients never wait on each other).
        session.execute(delete(IdempotencyRecord).where(
            IdempotencyRecord.client_pk == client_pk, IdempotencyRecord.account_id == account_id,
            IdempotencyRecord.expires_at <= now,
        ))
        record = IdempotencyRecord(client_pk=client_pk, account_id=account_id, key=key, fingerprint=bound_to,
                                   status=0, body={}, created_at=now, expires_at=now + LIFETIME)
        session.add(record)
        try:
            session.flush()
        except IntegrityError:
            # Someone else reserved it first: once they have committed, answer as they did (the
            # loop reads their row); if their request failed, the key is free again.
            session.rollback()
            if attempt:
                raise
            continue
        return record
    raise AssertionError("unreachable")


def finish(record: IdempotencyRecord, *, status: int, body: dict, location: str | None) -> None:
    record.status = status
    record.body = body
    record.location = location
