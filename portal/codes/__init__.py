"""Signed codes: the city code, the paper code and the enterprise code share this machinery.

No Flask here. Callers hand in the database session, the keyring (built once from config with
`Keyring.from_config`) and the time.

    token, claims = issue(keyring, Purpose.CITY_CODE, account.public_id, lifetime=..., now=now)
    claims = verify(session, keyring, token, purposes={Purpose.CITY_CODE}, scope="identity", now=now)

`verify` raises CodeRefused whose `reason` (a Reason) says why: malformed, bad_signature,
unknown_key, wrong_purpose, expired, revoked, replayed (and, for numeric codes, not_found and
rate_limited).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from portal.codes.numeric import group, is_well_formed, issue_numeric, looks_numeric, luhn_digit, redeem_numeric
from portal.codes.store import consume_nonce, is_revoked, is_spent, purge_expired, revoke
from portal.codes.tokens import (
    ONE_TIME_PURPOSES,
    TOKEN_CHARS,
    Claims,
    CodeRefused,
    Keyring,
    Purpose,
    Reason,
    decode,
    derive_key,
    issue,
    normalise,
)


def verify(
    session: Session,
    keyring: Keyring,
    raw: str,
    *,
    purposes: set[Purpose] | frozenset[Purpose],
    now: datetime,
    scope: str = "default",
) -> Claims:
    """Everything `decode` checks, then the revocation list, then (one-time codes) replay.

    A one-time token is good once per `scope` (the scan purpose: an identity check and a
    building entry are separate uses). The nonce is written in the caller's transaction.
    """
    claims = decode(keyring, raw, purposes=purposes, now=now)
    if is_revoked(session, claims):
        raise CodeRefused(Reason.REVOKED, claims)
    if claims.purpose.one_time and not consume_nonce(session, claims, scope, now):
        raise CodeRefused(Reason.REPLAYED, claims)
    return claims


__all__ = [
    "ONE_TIME_PURPOSES",
    "TOKEN_CHARS",
    "Claims",
    "CodeRefused",
    "Keyring",
    "Purpose",
    "Reason",
    "consume_nonce",
    "decode",
    "derive_key",
    "group",
    "is_revoked",
    "is_spent",
    "is_well_formed",
    "issue",
    "issue_numeric",
    "looks_numeric",
    "luhn_digit",
    "normalise",
    "purge_expired",
    "redeem_numeric",
    "revoke",
    "verify",
]
