"""Replay and revocation checks: the part of verification that needs the database."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, exists, or_, select
from sqlalchemy.orm import Session

from portal.codes.tokens import Claims
from portal.models.base import execute_now, insert_if_absent
from portal.models.codes import CodeRevocation, NumericCode, NumericCodeMiss, UsedCodeNonce

# Numeric codes are kept an hour past expiry, so a late one is refused as "expired", not "not found".
NUMERIC_KEPT_AFTER_EXPIRY = timedelta(hours=1)


def consume_nonce(session: Session, claims: Claims, scope: str, now: datetime) -> bool:
    """Remember that this token was used for `scope`; False when it had been already."""
    return insert_if_absent(
        session,
        UsedCodeNonce,
        {"token_id": claims.token_id, "scope": scope, "used_at": now, "expires_at": claims.expires_at},
    )


_SPENT = select(or_(
    exists().where(UsedCodeNonce.token_id == bindparam("token_id")),
    exists().where(NumericCode.token_id == bindparam("token_id"), NumericCode.used_at.is_not(None)),
    exists().where(CodeRevocation.token_id == bindparam("token_id")),
))


def is_spent(session: Session, token_id: str) -> bool:
    """Whether a token has been scanned for any purpose, had its numeric code typed, or was
    revoked: one query, for a page deciding whether a code it showed may be shown again."""
    return bool(execute_now(session, _SPENT, {"token_id": token_id}).scalar())


def is_revoked(session: Session, claims: Claims) -> bool:
    return session.get(CodeRevocation, claims.token_id) is not None


def revoke(session: Session, token_id: str, expires_at: datetime, now: datetime, reason: str | None = None) -> bool:
    """Put a token (by `Claims.token_id`) on the revocation list, effective for the next scan.

    `expires_at` is the token's own expiry, after which the entry is no longer needed. Returns
    False if the token was on the list already.
    """
    return insert_if_absent(
        session,
        CodeRevocation,
        {"token_id": token_id, "revoked_at": now, "expires_at": expires_at, "reason": reason},
    )


def purge_expired(session: Session, now: datetime) -> None:
    """Forget what expired tokens no longer need: used nonces, revocations, old numeric codes.

    Safe at any time, since an expired token is refused before these tables are read.
    """
    session.execute(delete(UsedCodeNonce).where(UsedCodeNonce.expires_at < now))
    session.execute(delete(CodeRevocation).where(CodeRevocation.expires_at < now))
    session.execute(delete(NumericCode).where(NumericCode.expires_at < now - NUMERIC_KEPT_AFTER_EXPIRY))
    session.execute(delete(NumericCodeMiss).where(NumericCodeMiss.at < now - timedelta(days=1)))


def find_numeric(session: Session, digits: str) -> NumericCode | None:
    return session.scalar(select(NumericCode).where(NumericCode.digits == digits))
