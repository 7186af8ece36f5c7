"""Demo department systems that sign in through the portal (see examples/department_system)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.oidc import clients, keys
from auth.oidc.models import OAuthClient, hash_secret
from portal.audit import Origin
from portal.models import Department

# client_id, name, owning department, secret (None: public), redirect URIs, post-logout URIs,
# scopes, first party, resource server. Published demo values, never created in production.
CLIENTS = [
    ("demo-dept-system", "区数据局 示范业务系统 (Demo department system)", "sjj", "demo-dept-secret",
     ["http://127.0.0.1:8001/callback"], ["http://127.0.0.1:8001/"],
     ["openid", "profile", "phone", "cases:read", "cases:write"], False, False),
    ("demo-mobile-app", "松江办事 示范移动应用 (Demo mobile app)", "sjj", None,
     ["http://127.0.0.1:8002/callback"], ["http://127.0.0.1:8002/"],
     ["openid", "profile", "phone", "cases:read", "cases:write", "matches:read"], False, False),
    # An API that checks the access tokens department systems send it (token introspection).
    ("demo-dept-api", "区数据局 示范数据接口 (Demo API)", "sjj", "demo-dept-api-secret",
     [], [], ["openid"], False, True),
]


def seed_clients(session: Session) -> int:
    """Create the demo clients, or put back their published settings; and make sure a signing key exists."""
    created = 0
    departments = {d.code: d for d in session.scalars(select(Department))}
    for client_id, name, dept, secret, redirects, logouts, scopes, first_party, resource in CLIENTS:
        data = clients.Registration(
            name=name, department_id=departments[dept].id, confidential=secret is not None,
            redirect_uris=redirects, post_logout_redirect_uris=logouts, scopes=scopes,
            first_party=first_party, resource_server=resource,
        )
        client = session.scalar(select(OAuthClient).where(OAuthClient.client_id == client_id))
        if client is None:
            clients.register(session, data, actor=None, origin=Origin(), client_id=client_id, secret=secret)
            created += 1
            continue
        client.name, client.department_id, client.confidential = name, data.department_id, data.confidential
        client.redirect_uris, client.post_logout_redirect_uris = redirects, logouts
        client.allowed_scopes = " ".join(scopes)
        client.first_party, client.resource_server = first_party, resource
        client.secret_hash = hash_secret(secret) if secret else None
        client.disabled_at = None
    keys.ensure_signing_key(session)
    session.flush()
    return created
