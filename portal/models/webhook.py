"""Webhooks: case events POSTed, signed, to the systems of the departments concerned.

A registered department system (an OIDC client) may have endpoints; every case event that
concerns the client's department becomes a WebhookDelivery row, written in the same flush as
the CaseEvent itself (the listener at the bottom), so an event is never lost after a commit and
never queued when the transaction rolls back. `portal.webhooks` holds the rules; these are
the columns.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.account import Account
from portal.models.base import UTCDateTime, new_public_id, utcnow
from portal.models.case import CaseEvent


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt at next_attempt_at
    DELIVERED = "delivered"  # the receiver answered 2xx
    FAILED = "failed"  # gave up after the last attempt (dead); an administrator may retry it


class WebhookEndpoint(db.Model):
    """An address of a department system that receives the case events it subscribed to."""

    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    # The department system (auth.oidc.models.OAuthClient, table oidc_client) it belongs to; its
    # department decides which cases' events it receives. Referenced by table name only, so the
    # shared models do not import the identity provider's.
    client_id: Mapped[int] = mapped_column(ForeignKey("oidc_client.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    # "case.accept", "case.close"... (portal.webhooks.events.EVENT_TYPES)
    event_types: Mapped[list] = mapped_column(JSON, default=list)
    # The signing key, "whsec_" + base64 (the Standard Webhooks form). Kept, not hashed: the
    # portal signs with it. Shown to an administrator once, when generated.
    secret: Mapped[str] = mapped_column(String(64))
    secret_rotated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))

    created_by: Mapped[Account | None] = relationship()

    def __repr__(self) -> str:
        return f"<WebhookEndpoint {self.public_id} {self.url}>"

    @property
    def enabled(self) -> bool:
        return self.disabled_at is None


class WebhookDelivery(db.Model):
    """One case event to send to one endpoint, with its attempts so far."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        # One delivery per event and endpoint, however often the event is flushed or retried.
        UniqueConstraint("endpoint_id", "case_event_id", name="uq_webhook_delivery_endpoint_event"),
        # The deliverer's one query: what is pending and due.
        Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
        # The desk's list of an endpoint's dead deliveries.
        Index("ix_webhook_delivery_endpoint_status", "endpoint_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoint.id"))
    case_event_id: Mapped[int] = mapped_column(ForeignKey("case_event.id"), index=True)
    # The Standard Webhooks message id (header webhook-id and the payload's "id"): one per case
    # event, the same for every attempt, so receivers can drop a message they already have.
    message_id: Mapped[str] = mapped_column(String(40))
    event_type: Mapped[str] = mapped_column(String(48))
    # The JSON body, as of the event (a snapshot: a later change to the case does not alter it).
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[DeliveryStatus] = mapped_column(
        Enum(DeliveryStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=DeliveryStatus.PENDING,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set by the worker that claimed the delivery for one attempt; its result counts only while
    # the claim holds (another worker may take over once next_attempt_at, the lease, has passed).
    claim_token: Mapped[str | None] = mapped_column(String(32))
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(300))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    endpoint: Mapped[WebhookEndpoint] = relationship()
    case_event: Mapped[CaseEvent] = relationship()

    def __repr__(self) -> str:
        return f"<WebhookDelivery {self.message_id} {self.event_type} {self.status.value}>"


@event.listens_for(CaseEvent, "after_insert")
def _queue_webhooks(_mapper, connection, target: CaseEvent) -> None:
    """Queue the event for every subscribed endpoint, on the flush's own connection."""
    from portal.webhooks.events import queue_deliveries  # the rules; imported late, they import the models

    queue_deliveries(connection, target)
