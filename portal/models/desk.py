"""The government desk's own tables: announcements to staff and who has read them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.account import Account
from portal.models.base import UTCDateTime, new_public_id, utcnow


class Announcement(db.Model):
    """A district announcement to all staff, published by an administrator (通知公告).

    Written in the language its author chose; staff read it as published. Withdrawn, not deleted:
    the read receipts stay as the record of who saw it.
    """

    __tablename__ = "announcement"
    __table_args__ = (Index("ix_announcement_published", "withdrawn_at", "published_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    published_by: Mapped[Account | None] = relationship()

    def __repr__(self) -> str:
        return f"<Announcement {self.public_id}>"


class AnnouncementRead(db.Model):
    """A read receipt: this staff member confirmed reading this announcement, then."""

    __tablename__ = "announcement_read"

    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcement.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), primary_key=True, index=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
