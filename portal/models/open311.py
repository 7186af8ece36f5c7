"""Open311 GeoReport v2: API keys of registered department systems, and the requests they filed.

A key belongs to a registered client (auth.oidc.models.OAuthClient, table oidc_client, referenced
by table name only so the shared models do not import the identity provider's). Keys rest as
SHA-256 digests: they are 256-bit random values, shown once when issued. `api.open311` holds the
rules; these are the columns.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.account import Account
from portal.models.base import UTCDateTime, new_public_id, utcnow
from portal.models.case import Case


class Open311Key(db.Model):
    """An API key a client system sends as `api_key` to file service requests."""

    __tablename__ = "open311_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    client_id: Mapped[int] = mapped_column(ForeignKey("oidc_client.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    # The key's last characters, so that an administrator can tell keys apart without the key.
    hint: Mapped[str] = mapped_column(String(8))
    label: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))

    created_by: Mapped[Account | None] = relationship(foreign_keys=[created_by_id])
    revoked_by: Mapped[Account | None] = relationship(foreign_keys=[revoked_by_id])

    def __repr__(self) -> str:
        return f"<Open311Key …{self.hint}>"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class Open311Sender(db.Model):
    """The account a client system's requests are filed under: one per client, which cannot sign in.

    The person behind a request is not a portal user the system could vouch for, so the case's
    sender is the system itself; the contact details it passed on are in Open311Request.
    """

    __tablename__ = "open311_sender"

    client_id: Mapped[int] = mapped_column(ForeignKey("oidc_client.id"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), unique=True)

    account: Mapped[Account] = relationship()


class Open311Request(db.Model):
    """What came with a case filed through Open311 beyond the case itself."""

    __tablename__ = "open311_request"

    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), primary_key=True)
    # The spec's token: another handle on the request, resolved by GET tokens/{token}.
    token: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    client_id: Mapped[int] = mapped_column(ForeignKey("oidc_client.id"), index=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("open311_key.id"), index=True)
    # The requester agreed that the description, place, photo and replies may be published.
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str] = mapped_column(Text)
    address_id: Mapped[str | None] = mapped_column(String(100))
    media_url: Mapped[str | None] = mapped_column(String(500))
    # Contact details of the requester, for the department only (never in a public response).
    first_name: Mapped[str | None] = mapped_column(String(50))
    last_name: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(254))
    # The requester's device and account in the client's own system, echoed back to it.
    device_id: Mapped[str | None] = mapped_column(String(100))
    account_ref: Mapped[str | None] = mapped_column(String(100))
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship()
    key: Mapped[Open311Key] = relationship()
