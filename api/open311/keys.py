"""Open311 API keys: issued to a registered client system, shown once, stored as a digest, revocable.

Each client that receives a key also gets its sender account: the account its requests are filed
under (see `portal.models.open311.Open311Sender`). The account has no login name, no usable
password and is inactive, so nobody can sign in as it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from auth.oidc.models import OAuthClient
from portal import audit
from portal.audit import Origin
from portal.models import Account, Open311Key, Open311Sender
from portal.models.base import utcnow

PREFIX = "o311_"
# Never matches any password hash: the sender account cannot sign in even if it were activated.
UNUSABLE_PASSWORD = "!open311-sender"  # noqa: S105 - a marker, not a secret
LABEL_MAX = 100


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return PREFIX + secrets.token_urlsafe(32)


@dataclass
class Issued:
    key: Open311Key
    secret: str  # the key itself: shown once, never stored


def find_client(session: Session, client_id: str) -> OAuthClient | None:
    return session.scalar(select(OAuthClient).where(OAuthClient.client_id == client_id))


def sender_account(session: Session, client: OAuthClient) -> Account:
    """The account the client's requests are filed under, created on first need."""
    sender = session.get(Open311Sender, client.id)
    if sender is not None:
        return sender.account
    account = Account(
        display_name=client.name[:100], password_hash=UNUSABLE_PASSWORD, is_active=False,
    )
    session.add(account)
    session.flush()
    session.add(Open311Sender(client_id=client.id, account_id=account.id))
    session.flush()
    return account


def issue(session: Session, client: OAuthClient, *, label: str | None, actor: Account | None,
          origin: Origin | None = None, now: datetime | None = None) -> Issued:
    """A new key for an enabled client. The caller commits, then shows `secret` once."""
    if not client.enabled:
        raise ValueError("the client is disabled")
    secret = new_key()
    key = Open311Key(
        client_id=client.id, digest=digest(secret), hint=secret[-4:], label=(label or "").strip()[:LABEL_MAX] or None,
        created_at=now or utcnow(), created_by_id=actor.id if actor else None,
    )
    session.add(key)
    sender_account(session, client)
    session.flush()
    audit.record(session, "open311.key_issued", origin=origin, actor_id=actor.id if actor else None,
                 object_type="open311_key", object_id=key.public_id, client=client.client_id)
    return Issued(key, secret)


def revoke(session: Session, key: Open311Key, *, actor: Account | None, origin: Origin | None = None,
           now: datetime | None = None) -> bool:
    """Stop a key working at once. False when it was revoked already. The caller commits."""
    if key.revoked_at is not None:
        return False
    key.revoked_at = now or utcnow()
    key.revoked_by_id = actor.id if actor else None
    audit.record(session, "open311.key_revoked", origin=origin, actor_id=actor.id if actor else None,
                 object_type="open311_key", object_id=key.public_id)
    return True


def find_key(session: Session, public_id: str) -> Open311Key | None:
    return session.scalar(select(Open311Key).where(Open311Key.public_id == public_id))


def authenticate(session: Session, presented: str | None,
                 now: datetime | None = None) -> tuple[Open311Key, OAuthClient] | None:
    """The key and its client for a presented `api_key`; None unless both are in use."""
    if not presented or len(presented) > 200:
        return None
    key = session.scalar(select(Open311Key).where(Open311Key.digest == digest(presented)))
    if key is None or not key.active:
        return None
    client = session.get(OAuthClient, key.client_id)
    if client is None or not client.enabled:
        return None
    key.last_used_at = now or utcnow()
    return key, client


def keys_of(session: Session, client: OAuthClient) -> list[Open311Key]:
    """The client's keys, newest first, revoked ones included."""
    return list(session.scalars(
        select(Open311Key).where(Open311Key.client_id == client.id)
        .order_by(Open311Key.created_at.desc(), Open311Key.id.desc())
    ))


@dataclass
class ClientKeys:
    client: OAuthClient
    keys: list[Open311Key]


def keys_by_client(session: Session) -> list[ClientKeys]:
    """Every registered client with its keys (newest first), enabled clients first."""
    clients = session.scalars(
        select(OAuthClient).options(selectinload(OAuthClient.department))
        .order_by(OAuthClient.disabled_at.is_not(None), OAuthClient.name)
    )
    keys: dict[int, list[Open311Key]] = {}
    for key in session.scalars(select(Open311Key).order_by(Open311Key.created_at.desc(), Open311Key.id.desc())):
        keys.setdefault(key.client_id, []).append(key)
    return [ClientKeys(client, keys.get(client.id, [])) for client in clients]
