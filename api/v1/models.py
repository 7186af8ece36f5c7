"""The API's own table: responses kept for `Idempotency-Key` replays."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import UTCDateTime, utcnow


class IdempotencyRecord(db.Model):
    """The first response to a POST sent with an `Idempotency-Key`, kept for 24 hours.

    A key belongs to one client and the one principal its token speaks for (a person, or the
    department system itself): the unique constraint is what makes two concurrent requests with
    the same key create one thing, on SQLite and PostgreSQL alike. The row is written in the
    same transaction as the change it answers for, so it exists exactly when the change does.
    """

    __tablename__ = "api_idempotency_key"
    __table_args__ = (UniqueConstraint("client_pk", "account_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_pk: Mapped[int] = mapped_column(ForeignKey("oidc_client.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(255))
    # SHA-256 of the method, the path and the body (as canonical JSON): what the key was bound to.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict] = mapped_column(JSON)
    location: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
