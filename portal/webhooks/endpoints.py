"""Registering, rotating and disabling a department system's webhook endpoints, and retrying a
dead delivery. Each use case takes the acting administrator and the request origin, writes the
audit trail, and leaves the commit to the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from auth.oidc.models import OAuthClient
from portal import audit
from portal.audit import Origin
from portal.models.account import Account
from portal.models.base import utcnow
from portal.models.webhook import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from portal.webhooks.events import EVENT_TYPES
from portal.webhooks.signing import new_secret
from portal.webhooks.transport import AddressPolicy, url_problem

ENDPOINT = "webhook_endpoint"
DELIVERY = "webhook_delivery"


@dataclass
class Subscription:
    url: str
    event_types: list[str] = field(default_factory=list)


def register_endpoint(
    session: Session,
    client: OAuthClient,
    data: Subscription,
    *,
    policy: AddressPolicy,
    actor: Account,
    origin: Origin,
) -> tuple[WebhookEndpoint, str]:
    """Add an endpoint to a client; returns it and its signing secret (to show once)."""
    url = data.url.strip()
    problem = url_problem(url, policy)
    if problem:
        raise ValueError(f"webhook URL not allowed ({problem}): {url}")
    wanted = [name for name in EVENT_TYPES if name in set(data.event_types)]
    if not wanted or len(wanted) != len(set(data.event_types)):
        raise ValueError(f"unknown or no event types: {sorted(data.event_types)}")
    secret = new_secret()
    endpoint = WebhookEndpoint(
        client_id=client.id, url=url, event_types=wanted, secret=secret, created_by_id=actor.id
    )
    session.add(endpoint)
    session.flush()
    audit.record(
        session, "webhook.register", origin=origin, actor_id=actor.id, object_type=ENDPOINT,
        object_id=endpoint.public_id, client_id=client.client_id, url=url, event_types=wanted,
    )
    return endpoint, secret


def rotate_secret(
    session: Session, endpoint: WebhookEndpoint, *, actor: Account, origin: Origin, now: datetime | None = None
) -> str:
    """A new signing secret, in force at once: the old one stops signing anything."""
    secret = new_secret()
    endpoint.secret = secret
    endpoint.secret_rotated_at = now or utcnow()
    audit.record(session, "webhook.rotate_secret", origin=origin, actor_id=actor.id, object_type=ENDPOINT,
                 object_id=endpoint.public_id)
    return secret


def disable(
    session: Session, endpoint: WebhookEndpoint, *, actor: Account, origin: Origin, now: datetime | None = None
) -> None:
    """Stop queuing and sending: deliveries already queued wait until it is enabled again."""
    if endpoint.disabled_at is None:
        endpoint.disabled_at = now or utcnow()
        audit.record(session, "webhook.disable", origin=origin, actor_id=actor.id, object_type=ENDPOINT,
                     object_id=endpoint.public_id)


def enable(session: Session, endpoint: WebhookEndpoint, *, actor: Account, origin: Origin) -> None:
    if endpoint.disabled_at is not None:
        endpoint.disabled_at = None
        audit.record(session, "webhook.enable", origin=origin, actor_id=actor.id, object_type=ENDPOINT,
                     object_id=endpoint.public_id)


def retry(
    session: Session, delivery: WebhookDelivery, *, actor: Account, origin: Origin, now: datetime | None = None
) -> None:
    """Give a failed (dead) delivery one more attempt, at the next delivery pass."""
    if delivery.status != DeliveryStatus.FAILED:
        raise ValueError("only a failed delivery can be retried")
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = now or utcnow()
    delivery.claim_token = None
    audit.record(session, "webhook.retry", origin=origin, actor_id=actor.id, object_type=DELIVERY,
                 object_id=delivery.id, message_id=delivery.message_id, endpoint=delivery.endpoint.public_id)


# --- what the desk shows -----------------------------------------------------------------------


def endpoints_of(session: Session, client: OAuthClient) -> list[WebhookEndpoint]:
    return list(
        session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.client_id == client.id)
            .order_by(WebhookEndpoint.disabled_at.is_not(None), WebhookEndpoint.id)
        )
    )


def find_endpoint(session: Session, client: OAuthClient, public_id: str) -> WebhookEndpoint | None:
    return session.scalar(
        select(WebhookEndpoint).where(WebhookEndpoint.client_id == client.id, WebhookEndpoint.public_id == public_id)
    )


def find_delivery(session: Session, client: OAuthClient, delivery_id: int) -> WebhookDelivery | None:
    return session.scalar(
        select(WebhookDelivery)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookEndpoint.client_id == client.id, WebhookDelivery.id == delivery_id)
    )


def failed_deliveries(session: Session, client: OAuthClient, limit: int = 100) -> list[WebhookDelivery]:
    """The client's dead deliveries, newest first."""
    return list(
        session.scalars(
            select(WebhookDelivery)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(WebhookEndpoint.client_id == client.id, WebhookDelivery.status == DeliveryStatus.FAILED)
            .options(joinedload(WebhookDelivery.endpoint))
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        )
    )


def status_counts(session: Session, client: OAuthClient) -> dict[int, dict[DeliveryStatus, int]]:
    """For each of the client's endpoints (by id): how many deliveries are in each status."""
    rows = session.execute(
        select(WebhookDelivery.endpoint_id, WebhookDelivery.status, func.count())
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookEndpoint.client_id == client.id)
        .group_by(WebhookDelivery.endpoint_id, WebhookDelivery.status)
    ).all()
    counts: dict[int, dict[DeliveryStatus, int]] = {}
    for endpoint_id, status, count in rows:
        counts.setdefault(endpoint_id, {})[status] = count
    return counts


def directory_summary(session: Session) -> dict[int, tuple[int, int]]:
    """For the client directory: client id → (endpoints, failed deliveries)."""
    endpoints = dict(
        session.execute(
            select(WebhookEndpoint.client_id, func.count()).group_by(WebhookEndpoint.client_id)
        ).all()
    )
    failed = dict(
        session.execute(
            select(WebhookEndpoint.client_id, func.count())
            .join(WebhookDelivery, WebhookDelivery.endpoint_id == WebhookEndpoint.id)
            .where(WebhookDelivery.status == DeliveryStatus.FAILED)
            .group_by(WebhookEndpoint.client_id)
        ).all()
    )
    return {client_id: (count, failed.get(client_id, 0)) for client_id, count in endpoints.items()}
