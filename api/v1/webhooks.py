"""A department system's own webhook endpoints, kept by `portal.webhooks` (the registry the desk
also shows): the system registers where its department's case events go, lists and stops them.

Only a department system's own token may: the endpoints belong to its client, and it acts under
its system account in the audit trail. No Flask here: the caller passes the address policy.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.v1.auth import Principal
from api.v1.schemas import WebhookIn
from portal import webhooks
from portal.audit import Origin
from portal.models.webhook import WebhookEndpoint
from portal.webhooks import AddressPolicy, Subscription, url_problem


class NotADepartmentSystem(Exception):  # noqa: N818 - answered 403
    pass


class AddressRefused(Exception):  # noqa: N818 - answered 422, pointing at the url
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _own_client(principal: Principal):
    if not principal.is_department_system:
        raise NotADepartmentSystem()
    return principal.client


def endpoints(session: Session, principal: Principal) -> list[WebhookEndpoint]:
    return webhooks.endpoints_of(session, _own_client(principal))


def register(session: Session, principal: Principal, data: WebhookIn, *, policy: AddressPolicy,
             origin: Origin) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret (the only time it is shown). Raises AddressRefused."""
    client = _own_client(principal)
    reason = url_problem(data.url.strip(), policy)
    if reason:
        raise AddressRefused(reason)
    return webhooks.register_endpoint(session, client, Subscription(data.url, list(data.event_types)),
                                      policy=policy, actor=principal.account, origin=origin)


def stop(session: Session, principal: Principal, public_id: str, *, origin: Origin) -> bool:
    """Stop sending to one of the system's endpoints; False when it has none with that id."""
    endpoint = webhooks.find_endpoint(session, _own_client(principal), public_id)
    if endpoint is None:
        return False
    webhooks.disable(session, endpoint, actor=principal.account, origin=origin)
    return True
