"""The city code's own records: paper codes issued, and every verification of a resident's code."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.account import Account
from portal.models.base import UTCDateTime, new_public_id, utcnow
from portal.models.department import Department


class PaperCode(db.Model):
    """A printed code for someone without a phone: valid 180 days, revocable at once if lost."""

    __tablename__ = "paper_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    # Who asked for it: the resident, or a family member acting for them.
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    # The signed token printed as the QR code (a bearer credential until revoked or expired).
    token: Mapped[str] = mapped_column(String(100))
    token_id: Mapped[str] = mapped_column(String(40), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))

    account: Mapped[Account] = relationship(foreign_keys=[account_id])
    issued_by: Mapped[Account | None] = relationship(foreign_keys=[issued_by_id])

    def is_live(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


class CodeVerification(db.Model):
    """One scan or typed code at a desk: who checked whose code, where, why, and what came of it."""

    __tablename__ = "code_verification"
    __table_args__ = (Index("ix_code_verification_account_at", "account_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The resident whose code it was; None when the code could not be trusted (forged, malformed).
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    verifier_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    purpose: Mapped[str] = mapped_column(String(32))  # the scan purpose, e.g. "identity"
    channel: Mapped[str] = mapped_column(String(16))  # "qr", "numeric" or "paper"
    outcome: Mapped[str] = mapped_column(String(32))  # "verified" or a refusal reason

    verifier: Mapped[Account] = relationship(foreign_keys=[verifier_id])
    department: Mapped[Department | None] = relationship()

    @property
    def verified(self) -> bool:
        return self.outcome == "verified"
