"""The client registry: department systems and resource servers registered by administrators.

Use cases take the acting administrator and the request origin explicitly and write the audit
trail; the government end's views only parse forms and call these.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from auth.oidc import store
from auth.oidc.claims import SUPPORTED_SCOPES
from auth.oidc.models import OAuthClient, hash_secret
from portal import audit
from portal.audit import Origin
from portal.models import Account, Department, StaffPosition, StaffRole
from portal.models.base import CoreLoader, utcnow

CLIENT = "oidc_client"
# Stored as a system account's password hash: no password matches it (it is not an argon2 hash),
# and the account has neither a mobile number nor a login name to sign in with.
NO_PASSWORD = "!"  # noqa: S105 - a marker that matches no password, not a secret
# Native apps may use a reverse-domain private scheme (RFC 8252 §7.1), e.g. cn.gov.sj.app:/cb
PRIVATE_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+$")


@dataclass
class Registration:
    name: str
    department_id: int
    confidential: bool
    redirect_uris: list[str] = field(default_factory=list)
    post_logout_redirect_uris: list[str] = field(default_factory=list)
    scopes: list[str] = field(default_factory=lambda: ["openid"])
    first_party: bool = False
    resource_server: bool = False


def _is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def redirect_uri_problem(uri: str, *, confidential: bool) -> str | None:
    """Why `uri` cannot be registered (a code for the form's message), or None when it can.

    https anywhere; http only on the loopback interface (development, native apps); a private
    reverse-domain scheme only for public (native) clients. No fragments, no wildcards.
    """
    if not uri or any(ch.isspace() for ch in uri) or "*" in uri:
        return "malformed"
    try:
        parts = urlsplit(uri)
    except ValueError:
        return "malformed"
    if parts.fragment or "#" in uri:
        return "fragment"
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname:
        return None if _is_loopback(parts.hostname) else "insecure"
    if not confidential and PRIVATE_SCHEME.match(parts.scheme or "") and parts.path.startswith("/"):
        return None
    return "insecure" if parts.scheme in ("http", "https") else "malformed"


def list_clients(session: Session) -> list[OAuthClient]:
    return list(session.scalars(select(OAuthClient).order_by(OAuthClient.disabled_at.is_not(None), OAuthClient.name)))


# Built once: the token endpoint looks a client up on every request.
_CLIENT_BY_ID = CoreLoader(OAuthClient, OAuthClient.client_id == bindparam("client_id"))


def find_client(session: Session, client_id: str | None, *, enabled_only: bool = True) -> OAuthClient | None:
    if not client_id:
        return None
    client = _CLIENT_BY_ID.one_or_none(session, {"client_id": client_id})
    if client is None or (enabled_only and not client.enabled):
        return None
    return client


def new_client_id(session: Session, department: Department) -> str:
    while True:
        candidate = f"{department.code}-{secrets.token_hex(4)}"
        if find_client(session, candidate, enabled_only=False) is None:
            return candidate


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def register(session: Session, data: Registration, *, actor: Account, origin: Origin,
             client_id: str | None = None, secret: str | None = None) -> tuple[OAuthClient, str | None]:
    """Register a client; returns it and, for a confidential client, its secret (shown once)."""
    unknown = set(data.scopes) - set(SUPPORTED_SCOPES)
    if unknown:
        raise ValueError(f"unsupported scopes: {sorted(unknown)}")
    department = session.get(Department, data.department_id)
    if department is None:
        raise ValueError("unknown department")
    for uri in [*data.redirect_uris, *data.post_logout_redirect_uris]:
        if redirect_uri_problem(uri, confidential=data.confidential):
            raise ValueError(f"redirect URI not allowed: {uri}")
    if data.resource_server and not data.confidential:
        raise ValueError("a resource server must be confidential")
    secret = (secret or new_secret()) if data.confidential else None
    client = OAuthClient(
        client_id=client_id or new_client_id(session, department),
        name=data.name.strip(),
        department_id=department.id,
        confidential=data.confidential,
        secret_hash=hash_secret(secret) if secret else None,
        secret_rotated_at=utcnow() if secret else None,
        redirect_uris=list(dict.fromkeys(data.redirect_uris)),
        post_logout_redirect_uris=list(dict.fromkeys(data.post_logout_redirect_uris)),
        allowed_scopes=" ".join(dict.fromkeys(s for s in SUPPORTED_SCOPES if s in data.scopes)),
        first_party=data.first_party,
        resource_server=data.resource_server,
        created_by_id=actor.id if actor else None,
    )
    session.add(client)
    session.flush()
    audit.record(
        session, "oidc.client.register", origin=origin, actor_id=actor and actor.id, object_type=CLIENT,
        object_id=client.client_id, confidential=client.confidential, first_party=client.first_party,
        scopes=client.allowed_scopes, redirect_uris=client.redirect_uris,
    )
    return client, secret


def rotate_secret(session: Session, client: OAuthClient, *, actor: Account, origin: Origin) -> str:
    """A new secret for a confidential client; the old one stops working at once."""
    if not client.confidential:
        raise ValueError("a public client has no secret")
    secret = new_secret()
    client.secret_hash = hash_secret(secret)
    client.secret_rotated_at = utcnow()
    audit.record(session, "oidc.client.rotate_secret", origin=origin, actor_id=actor.id, object_type=CLIENT,
                 object_id=client.client_id)
    return secret


def disable(session: Session, client: OAuthClient, *, actor: Account, origin: Origin) -> int:
    """Refuse the client from now on and revoke every token it holds; returns how many."""
    now = utcnow()
    client.disabled_at = client.disabled_at or now
    revoked = store.revoke_tokens_of(session, client=client, now=now)
    audit.record(session, "oidc.client.disable", origin=origin, actor_id=actor.id, object_type=CLIENT,
                 object_id=client.client_id, revoked_tokens=revoked)
    return revoked


def enable(session: Session, client: OAuthClient, *, actor: Account, origin: Origin) -> None:
    client.disabled_at = None
    audit.record(session, "oidc.client.enable", origin=origin, actor_id=actor.id, object_type=CLIENT,
                 object_id=client.client_id)


def system_account(session: Session, client: OAuthClient) -> Account:
    """The account a department system acts as with the client-credentials grant.

    The system works its department's cases as one of its officers would: it holds an officer's
    place in the client's department, so the desk's scopes, the state machine and the audit
    trail treat it as they treat a person at the desk, and the case history names it. No one can
    sign in to it. Created on first use; follows the client's name and department.
    """
    account = client.service_account
    if account is None:
        account = Account(display_name=client.name[:100], password_hash=NO_PASSWORD, session_version=1)
        session.add(account)
        session.flush()
        client.service_account = account
        client.service_account_id = account.id
        audit.record(session, "oidc.client.system_account", object_type=CLIENT, object_id=client.client_id,
                     account=account.public_id, department=client.department.code)
    account.display_name = client.name[:100]
    positions = list(account.staff_positions)
    if [(p.department_id, p.role) for p in positions] != [(client.department_id, StaffRole.OFFICER)]:
        for position in positions:
            session.delete(position)
            account.staff_positions.remove(position)
        session.flush()
        account.staff_positions.append(StaffPosition(department_id=client.department_id, role=StaffRole.OFFICER,
                                                     title_zh="业务系统", title_en="Department system"))
        session.flush()
    return account
