"""Sending the deliveries that are due, with retries.

`deliver_due(session)` runs one pass: it claims one due delivery at a time, POSTs it, records
the outcome, and commits after each step, so no transaction stays open while waiting on a
receiver. A claim is a short lease: the claiming worker sets a token and moves next_attempt_at
forward by `lease` seconds, in one UPDATE that picks the row with FOR UPDATE SKIP LOCKED on
PostgreSQL (SQLite serialises writers by itself). Several workers can therefore run passes at
once without sending the same attempt twice; a worker that dies mid-attempt leaves the row to
be taken again when the lease ends. Delivery is at least once: receivers drop repeats by the
webhook-id header.

A 2xx answer marks the delivery delivered. Anything else (another status, a refused address,
no answer) schedules the next attempt after the policy's delays, with jitter, until
`max_attempts` have failed: then it is failed (dead) until an administrator retries it.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from auth.oidc.models import OAuthClient
from portal.models.base import utcnow
from portal.models.webhook import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from portal.webhooks import signing, transport
from portal.webhooks.transport import AddressPolicy, DeliveryError, Request

log = logging.getLogger("portal.webhooks")

DEFAULT_DELAYS = (10, 30, 120, 600, 3600, 6 * 3600, 24 * 3600)
ERROR_LENGTH = 300

Send = Callable[[Request], int]


class PolicyError(ValueError):
    """A webhook setting cannot be used; the message names it."""


def _number(config: Mapping, name: str, default, kind=int):
    value = config.get(name, default)
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise PolicyError(f"{name} must be a number, not {value!r}") from None
    if number <= 0:
        raise PolicyError(f"{name} must be positive")
    return number


def _flag(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


@dataclass(frozen=True)
class DeliveryPolicy:
    """How deliveries are sent and retried. The defaults suit production."""

    retry_delays: tuple[int, ...] = DEFAULT_DELAYS  # seconds after the 1st, 2nd... failed attempt
    max_attempts: int = 8
    jitter: float = 0.2  # each delay is stretched or shrunk at random by up to this fraction
    timeout: float = 10.0  # seconds, for connecting and for each read
    lease: int = 300  # seconds a claimed delivery is reserved for the worker sending it
    batch: int = 100  # deliveries sent by one pass at most
    addresses: AddressPolicy = field(default_factory=AddressPolicy)

    @classmethod
    def from_config(cls, config: Mapping) -> DeliveryPolicy:
        """From the app's WEBHOOK_* settings (portal/config.py); PolicyError when one is unusable."""
        delays = config.get("WEBHOOK_RETRY_DELAYS", DEFAULT_DELAYS)
        if isinstance(delays, str):
            delays = delays.replace(",", " ").split()
        try:
            delays = tuple(int(delay) for delay in delays)
        except (TypeError, ValueError):
            raise PolicyError(f"WEBHOOK_RETRY_DELAYS must be seconds, e.g. 10,30,120: {delays!r}") from None
        if not delays or min(delays) < 0:
            raise PolicyError("WEBHOOK_RETRY_DELAYS must list at least one delay, none negative")
        try:
            networks = AddressPolicy.parse_networks(config.get("WEBHOOK_ALLOWED_NETWORKS"))
        except ValueError as error:
            raise PolicyError(f"WEBHOOK_ALLOWED_NETWORKS: {error}") from None
        timeout = _number(config, "WEBHOOK_TIMEOUT", cls.timeout, float)
        return cls(
            retry_delays=delays,
            max_attempts=_number(config, "WEBHOOK_MAX_ATTEMPTS", cls.max_attempts),
            timeout=timeout,
            lease=max(cls.lease, int(timeout * 4)),
            addresses=AddressPolicy(
                allow_loopback=_flag(config.get("WEBHOOK_ALLOW_HTTP_LOOPBACK", False)),
                allowed_networks=networks,
            ),
        )

    def delay_after(self, attempts: int) -> timedelta:
        """How long to wait after the `attempts`-th failed attempt, jitter included."""
        base = self.retry_delays[min(attempts, len(self.retry_delays)) - 1]
        spread = secrets.SystemRandom().uniform(-self.jitter, self.jitter) if self.jitter else 0.0
        return timedelta(seconds=base * (1 + spread))


@dataclass
class DeliveryReport:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def attempted(self) -> int:
        return self.delivered + self.retrying + self.failed


@dataclass(frozen=True)
class _Claim:
    id: int
    token: str
    attempts: int
    message_id: str
    payload: dict
    url: str
    secret: str


def body_of(payload: dict) -> bytes:
    """The bytes sent (and signed): the same on every attempt."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def _due(now: datetime):
    return (
        select(WebhookDelivery.id)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .join(OAuthClient, OAuthClient.id == WebhookEndpoint.client_id)
        .where(
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.next_attempt_at <= now,
            WebhookEndpoint.disabled_at.is_(None),
            OAuthClient.disabled_at.is_(None),
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(1)
        .with_for_update(skip_locked=True, of=WebhookDelivery)
    )


def _claim(session: Session, now: datetime, policy: DeliveryPolicy) -> _Claim | None:
    token = secrets.token_hex(16)
    claimed = session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == _due(now).scalar_subquery(),
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.next_attempt_at <= now,
        )
        .values(
            claim_token=token,
            next_attempt_at=now + timedelta(seconds=policy.lease),
            attempts=WebhookDelivery.attempts + 1,
            last_attempt_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    row = None
    if claimed:
        row = session.execute(
            select(
                WebhookDelivery.id,
                WebhookDelivery.attempts,
                WebhookDelivery.message_id,
                WebhookDelivery.payload,
                WebhookEndpoint.url,
                WebhookEndpoint.secret,
            )
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(WebhookDelivery.claim_token == token)
        ).one()
    session.commit()
    if row is None:
        return None
    return _Claim(row.id, token, row.attempts, row.message_id, row.payload, row.url, row.secret)


def _attempt(claim: _Claim, send: Send, now: datetime, policy: DeliveryPolicy) -> tuple[int | None, str | None]:
    """(HTTP status, error) of one attempt."""
    body = body_of(claim.payload)
    headers = signing.sign_headers(claim.secret, claim.message_id, int(now.timestamp()), body)
    try:
        status = send(Request(claim.url, body, headers, policy.timeout))
    except DeliveryError as error:
        return None, str(error)[:ERROR_LENGTH]
    if 200 <= status < 300:
        return status, None
    return status, f"HTTP {status}"


def _record(
    session: Session, claim: _Claim, status: int | None, error: str | None, now: datetime, policy: DeliveryPolicy
) -> DeliveryStatus:
    values: dict = {"claim_token": None, "last_status_code": status, "last_error": error}
    if error is None:
        outcome = DeliveryStatus.DELIVERED
        values.update(status=outcome, delivered_at=now)
    elif claim.attempts >= policy.max_attempts:
        outcome = DeliveryStatus.FAILED
        values.update(status=outcome)
    else:
        outcome = DeliveryStatus.PENDING
        values.update(next_attempt_at=now + policy.delay_after(claim.attempts))
    session.execute(
        update(WebhookDelivery)
        # Only while the claim holds: after the lease another worker owns the row.
        .where(WebhookDelivery.id == claim.id, WebhookDelivery.claim_token == claim.token)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return outcome


def deliver_due(
    session: Session,
    now: datetime | None = None,
    http: Send | None = None,
    *,
    policy: DeliveryPolicy | None = None,
) -> DeliveryReport:
    """Send every delivery due at `now` (default: the real clock, read at each step) once.

    `http(request) -> status` makes the POST (default: `transport.post` under the policy's
    address rules), raising transport.DeliveryError when no answer came. Commits as it goes:
    call it with a session that has no unfinished work. Cheap when nothing is due: one UPDATE
    that matches no row.
    """
    policy = policy or DeliveryPolicy()
    send = http or partial(transport.post, policy=policy.addresses)
    clock: Callable[[], datetime] = (lambda: now) if now is not None else utcnow
    report = DeliveryReport()
    for _ in range(policy.batch):
        claim = _claim(session, clock(), policy)
        if claim is None:
            break
        status, error = _attempt(claim, send, clock(), policy)
        outcome = _record(session, claim, status, error, clock(), policy)
        if outcome == DeliveryStatus.DELIVERED:
            report.delivered += 1
        elif outcome == DeliveryStatus.FAILED:
            report.failed += 1
        else:
            report.retrying += 1
        log.info("webhook %s attempt %s: %s", claim.message_id, claim.attempts, error or status)
    return report
