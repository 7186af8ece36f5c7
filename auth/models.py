"""Credentials, second factors and sign-in throttling. Only `auth/` reads or writes these."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import UTCDateTime, utcnow


class TotpCredential(db.Model):
    """An authenticator app enrolled by the account holder."""

    __tablename__ = "totp_credential"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), unique=True)
    secret: Mapped[str] = mapped_column(String(64))
    enabled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The last 30-second step accepted: a code is never accepted twice.
    last_used_step: Mapped[int] = mapped_column(Integer, default=0)


class RecoveryCode(db.Model):
    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(128))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PasswordResetCode(db.Model):
    __tablename__ = "password_reset_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SignInThrottle(db.Model):
    """Counts per key in a window (`auth.throttle`): attempts at a secret and its lock (a login name,
    kept alike for names that exist and names that do not so that a lock-out never tells an
    attacker whether an account exists; an account's second factor or password asked again), or
    codes texted to a mobile number. Only digests are kept, and only while their window lasts."""

    __tablename__ = "sign_in_throttle"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_digest: Mapped[str] = mapped_column(String(64), unique=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PendingRegistration(db.Model):
    """A resident's registration waiting for the code sent to its mobile number: no account is made
    for a number until its owner has typed the code. The password only as its hash; deleted an hour
    after it expires (`auth.services.purge_registrations`)."""

    __tablename__ = "pending_registration"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The browser's session holds this; a row is found by it and never by the mobile number alone.
    public_id: Mapped[str] = mapped_column(String(43), unique=True)
    mobile: Mapped[str] = mapped_column(String(20))
    real_name: Mapped[str] = mapped_column(String(50))
    resident_id_number: Mapped[str] = mapped_column(String(18))
    password_hash: Mapped[str] = mapped_column(String(255))
    code_hash: Mapped[str] = mapped_column(String(128))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    code_sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # Set when the account is made; the details are cleared then, and the row kept until it is
    # purged, so that the same code sent again (a double click) is answered "made already".
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
