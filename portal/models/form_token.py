"""One-time form tokens already used: the second POST of a form finds its token here and is shown
the first one's result instead of creating the same thing again (`portal.form_tokens`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import UTCDateTime


class UsedFormToken(db.Model):
    """A form submission that went through, by its token's random part.

    The row is written in the same transaction as what the form created, so the primary key is
    the guard against a double click or a retried POST: the second insert fails and nothing of
    the second submission is committed. Kept until the token expires; an expired token is
    refused by its signature anyway, so the row is then of no use.
    """

    __tablename__ = "used_form_token"

    nonce: Mapped[str] = mapped_column(String(32), primary_key=True)
    # Who sent it (None: nobody was signed in). A token someone else sends, as from a page a cache
    # shared, is refused rather than answered with another person's result.
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    used_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # Where the first submission sent the person (a local path); "" when it answered with a page
    # of its own rather than a redirect; None while that submission is still being answered.
    target: Mapped[str | None] = mapped_column(String(2000))
