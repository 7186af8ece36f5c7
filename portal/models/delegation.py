"""Acting for someone (亲友代办): an elder lets a family member view and file on their behalf."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.account import Account
from portal.models.base import UTCDateTime, new_public_id, utcnow


class DelegationStatus(enum.StrEnum):
    INVITED = "invited"  # the subject invited someone by mobile number; not yet accepted
    ACTIVE = "active"  # accepted: the representative may act within scope until it expires
    DECLINED = "declined"  # the invited person said no
    REVOKED = "revoked"  # ended by the subject (or the representative stepping down)


class Delegation(db.Model):
    __tablename__ = "delegation"
    __table_args__ = (
        Index("ix_delegation_representative_status", "representative_id", "status"),
        Index("ix_delegation_invited_mobile_status", "invited_mobile", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    # The person acted for (the elder), and the one acting (the family member, once accepted).
    subject_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    representative_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    # The invitation goes to a mobile number, so that it neither needs nor reveals an account.
    invited_mobile: Mapped[str] = mapped_column(String(20))
    relationship_note: Mapped[str | None] = mapped_column(String(50))
    can_view_cases: Mapped[bool] = mapped_column(Boolean, default=True)
    can_file_applications: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[DelegationStatus] = mapped_column(
        Enum(DelegationStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=DelegationStatus.INVITED,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))

    subject: Mapped[Account] = relationship(foreign_keys=[subject_id])
    representative: Mapped[Account | None] = relationship(foreign_keys=[representative_id])

    def __repr__(self) -> str:
        return f"<Delegation {self.public_id} {self.status.value if self.status else None}>"

    def is_active(self, now: datetime) -> bool:
        return self.status == DelegationStatus.ACTIVE and now < self.expires_at

    def allows(self, scope: str) -> bool:
        return {"view_cases": self.can_view_cases, "file_applications": self.can_file_applications}[scope]

    @property
    def scopes(self) -> tuple[str, ...]:
        return tuple(s for s in ("view_cases", "file_applications") if self.allows(s))

