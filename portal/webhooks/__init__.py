"""Webhooks: case events POSTed, signed (Standard Webhooks), to department systems, with retries.

Plain Python over SQLAlchemy: nothing here but `cli` (the command) imports Flask. Queuing
happens by itself when a case event is written (portal.models.webhook's listener calls
`events.queue_deliveries`); sending is `deliver_due(session)`, run by `flask --app wsgi
deliver-webhooks` or a periodic job. The receiver's side is documented in docs/webhooks.md.
"""

from portal.webhooks.delivery import DeliveryPolicy, DeliveryReport, PolicyError, deliver_due
from portal.webhooks.endpoints import (
    Subscription,
    directory_summary,
    disable,
    enable,
    endpoints_of,
    failed_deliveries,
    find_delivery,
    find_endpoint,
    register_endpoint,
    retry,
    rotate_secret,
    status_counts,
)
from portal.webhooks.events import EVENT_TYPES, action_of, event_type
from portal.webhooks.signing import InvalidSignature, sign_headers, verify
from portal.webhooks.transport import AddressPolicy, DeliveryError, url_problem

__all__ = [
    "EVENT_TYPES",
    "AddressPolicy",
    "DeliveryError",
    "DeliveryPolicy",
    "DeliveryReport",
    "InvalidSignature",
    "PolicyError",
    "Subscription",
    "action_of",
    "deliver_due",
    "directory_summary",
    "disable",
    "enable",
    "endpoints_of",
    "event_type",
    "failed_deliveries",
    "find_delivery",
    "find_endpoint",
    "register_endpoint",
    "retry",
    "rotate_secret",
    "sign_headers",
    "status_counts",
    "url_problem",
    "verify",
]
