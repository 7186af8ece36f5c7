"""What signed codes need the database for: used nonces, revocations and short numeric codes.

Shared by every kind of code (city, paper, enterprise). The tokens themselves are stateless
(`portal.codes.tokens`); these tables hold only what must be remembered across scans.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import UTCDateTime, utcnow


class UsedCodeNonce(db.Model):
    """A one-time token already shown for a scan purpose ("scope"): showing it again is a replay.

    Kept until the token expires; after that the token is refused as expired anyway.
    """

    __tablename__ = "used_code_nonce"

    token_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    scope: Mapped[str] = mapped_column(String(32), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class CodeRevocation(db.Model):
    """The revocation list: a token reported lost (a paper code) is refused from this moment."""

    __tablename__ = "code_revocation"

    token_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    reason: Mapped[str | None] = mapped_column(String(32))


class NumericCode(db.Model):
    """A short code of digits, read aloud or typed at a window, standing for one live token."""

    __tablename__ = "numeric_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    digits: Mapped[str] = mapped_column(String(16), unique=True)
    token: Mapped[str] = mapped_column(String(100))
    token_id: Mapped[str] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NumericCodeMiss(db.Model):
    """A numeric code typed that matched no live code: counted per verifier against guessing."""

    __tablename__ = "numeric_code_miss"
    __table_args__ = (Index("ix_numeric_code_miss_verifier_at", "verifier", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Who typed it, e.g. "account:42": the limit is per person at a desk.
    verifier: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
