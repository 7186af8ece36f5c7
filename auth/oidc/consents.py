"""Consent: what a person has allowed each application, and withdrawing it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.oidc import store
from auth.oidc.claims import SUPPORTED_SCOPES
from auth.oidc.models import Consent, OAuthClient, scope_list
from portal import audit
from portal.audit import Origin
from portal.models import Account
from portal.models.base import utcnow

CLIENT = "oidc_client"


def _find(session: Session, account: Account, client: OAuthClient) -> Consent | None:
    return session.scalar(select(Consent).where(Consent.account_id == account.id, Consent.client_pk == client.id))


def covers(session: Session, account: Account, client: OAuthClient, scope: str) -> bool:
    """Has the person already allowed this client every scope it asks for now?"""
    consent = _find(session, account, client)
    return consent is not None and set(scope_list(scope)) <= set(scope_list(consent.scope))


def grant(session: Session, account: Account, client: OAuthClient, scope: str, *, origin: Origin,
          actor: Account | None = None) -> Consent:
    """Remember the scopes allowed, adding to any allowed before."""
    consent = _find(session, account, client)
    if consent is None:
        consent = Consent(account_id=account.id, client_pk=client.id, scope="")
        session.add(consent)
    allowed = set(scope_list(consent.scope)) | set(scope_list(scope))
    consent.scope = " ".join(s for s in SUPPORTED_SCOPES if s in allowed)
    consent.granted_at = utcnow()
    audit.record(session, "oidc.consent.grant", origin=origin, actor_id=(actor or account).id,
                 subject_id=account.id, object_type=CLIENT, object_id=client.client_id, scope=consent.scope)
    return consent


@dataclass(frozen=True)
class Application:
    client: OAuthClient
    scopes: list[str]
    consent: Consent


def applications(session: Session, account: Account) -> list[Application]:
    rows = session.scalars(
        select(Consent).join(Consent.client).where(Consent.account_id == account.id).order_by(OAuthClient.name)
    )
    return [Application(row.client, scope_list(row.scope), row) for row in rows]


def revoke(session: Session, account: Account, client_id: str, *, origin: Origin) -> OAuthClient | None:
    """Withdraw consent and end every token the application holds for this person."""
    consent = session.scalar(
        select(Consent).join(Consent.client).where(Consent.account_id == account.id, OAuthClient.client_id == client_id)
    )
    if consent is None:
        return None
    client = consent.client
    session.delete(consent)
    revoked = store.revoke_tokens_of(session, client=client, account=account, now=utcnow())
    audit.record(session, "oidc.consent.revoke", origin=origin, actor_id=account.id, object_type=CLIENT,
                 object_id=client.client_id, revoked_tokens=revoked)
    return client
