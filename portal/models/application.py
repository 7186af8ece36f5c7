"""Online applications (一网通办) saved as drafts, to come back to before they are sent.

A draft belongs to the person typing it (`account`) and is for `subject` (themselves, or an
elder they act for). Values are the raw text typed, so a resumed draft shows exactly what was
typed; attachments are refs to files already checked and stored (portal.uploads). On submission
the draft becomes a case and is deleted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.account import Account
from portal.models.base import UTCDateTime, new_public_id, utcnow
from portal.models.catalogue import ServiceGuide


class ApplicationDraft(db.Model):
    __tablename__ = "application_draft"
    __table_args__ = (Index("ix_application_draft_account_subject", "account_id", "subject_id", "updated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service_guide.id", ondelete="CASCADE"), index=True)
    # {field name: the text typed}
    values: Mapped[dict] = mapped_column(JSON, default=dict)
    # {field name: {"key", "name", "content_type", "size"}} (portal.uploads.StoredFile refs)
    attachments: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    account: Mapped[Account] = relationship(foreign_keys=[account_id])
    subject: Mapped[Account] = relationship(foreign_keys=[subject_id])
    service: Mapped[ServiceGuide] = relationship()

    def __repr__(self) -> str:
        return f"<ApplicationDraft {self.public_id}>"
