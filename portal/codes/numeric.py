"""Short numeric codes: ten digits a resident reads aloud or a clerk types, bound to a live token.

Nine random digits and a Luhn check digit: a mistyped digit is caught as "malformed" before it
counts as a guess. A numeric code stands for exactly one token on the server side, lives as long
as that token, and is used once. Guessing is bounded per verifier: after MAX_MISSES codes that
match nothing within MISS_WINDOW, that verifier is refused until the window passes. With 10⁹
possible codes and a few thousand live at once, five guesses per quarter hour find nothing.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal.codes.store import find_numeric
from portal.codes.tokens import Claims, CodeRefused, Reason
from portal.models.codes import NumericCode, NumericCodeMiss

LENGTH = 10
MAX_MISSES = 5
MISS_WINDOW = timedelta(minutes=15)


def luhn_digit(digits: str) -> str:
    """The Luhn check digit to append to `digits`."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:  # every second digit from the right, counting the check digit's place
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def is_well_formed(digits: str) -> bool:
    return len(digits) == LENGTH and digits.isdigit() and luhn_digit(digits[:-1]) == digits[-1]


def normalise(raw: str) -> str:
    return "".join(ch for ch in (raw or "") if not ch.isspace() and ch != "-")


def looks_numeric(raw: str) -> bool:
    text = normalise(raw)
    return bool(text) and text.isdigit()


def group(digits: str) -> str:
    """"1234567890" -> "12345 67890", easier to read aloud."""
    return f"{digits[:5]} {digits[5:]}"


def _new_digits() -> str:
    body = "".join(secrets.choice("0123456789") for _ in range(LENGTH - 1))
    return body + luhn_digit(body)


def issue_numeric(session: Session, token: str, claims: Claims) -> str:
    """A fresh numeric code for `token`, unique among the codes kept."""
    for _ in range(20):
        digits = _new_digits()
        if find_numeric(session, digits) is None:
            break
    else:  # pragma: no cover - 20 collisions in a row cannot happen by chance
        raise RuntimeError("no free numeric code")
    session.add(NumericCode(digits=digits, token=token, token_id=claims.token_id, expires_at=claims.expires_at))
    session.flush()
    return digits


def recent_misses(session: Session, verifier: str, now: datetime) -> int:
    return session.scalar(
        select(func.count(NumericCodeMiss.id)).where(
            NumericCodeMiss.verifier == verifier, NumericCodeMiss.at > now - MISS_WINDOW
        )
    )


def redeem_numeric(session: Session, raw: str, *, verifier: str, now: datetime) -> str:
    """The token a numeric code stands for, marking the code used; or CodeRefused.

    `verifier` names who typed it (e.g. "account:42"): the guessing limit is theirs.
    """
    digits = normalise(raw)
    if recent_misses(session, verifier, now) >= MAX_MISSES:
        raise CodeRefused(Reason.RATE_LIMITED)
    if not is_well_formed(digits):
        raise CodeRefused(Reason.MALFORMED)
    code = find_numeric(session, digits)
    if code is None:
        session.add(NumericCodeMiss(verifier=verifier, at=now))
        session.flush()
        raise CodeRefused(Reason.NOT_FOUND)
    if code.used_at is not None:
        raise CodeRefused(Reason.REPLAYED)
    if now >= code.expires_at:
        raise CodeRefused(Reason.EXPIRED)
    # Conditional update: of two clerks typing the same code at once, one wins.
    claimed = session.execute(
        update(NumericCode)
        .where(NumericCode.id == code.id, NumericCode.used_at.is_(None))
        .values(used_at=now)
        .returning(NumericCode.id)
    ).first()
    if claimed is None:
        raise CodeRefused(Reason.REPLAYED)
    session.expire(code)
    return code.token
