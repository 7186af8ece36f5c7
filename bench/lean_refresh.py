"""A third reference: the leanest refresh-token grant this stack can answer, to set beside the
portal's token endpoint as the lean page is set beside its pages. A refresh writes, and nothing in
its answer can be given again, so it costs what its statements cost: this app makes the same ones
the portal makes, on the same tables, with Core statements built once, in one transaction:

    the client by its id (its secret's digest compared), the token with its account by the
    refresh token's digest, the token marked rotated (unless it was already), the new token
    written, the audit row written, the commit;

and answers the same JSON. Nothing else: no Authlib, no session, rate limits, security headers,
access line or latency sample, and none of the refusals (an unknown, rotated or revoked token is
a 400 without its audit row). `make bench` measures it with the portal's load, on tokens the
portal issued, and takes the token endpoint's target against it."""

import base64
import os
import secrets
from datetime import timedelta

from flask import Flask, abort, jsonify, request
from sqlalchemy import bindparam, create_engine, event, insert, select, update

from auth.oidc.models import OAuthClient, OAuthToken, digest, secret_matches
from portal.config import normalise_database_url
from portal.database import configure_sqlite
from portal.models import Account, AuditEvent
from portal.models.base import utcnow

ACCESS_SECONDS, REFRESH_LIFETIME = 900, timedelta(days=14)

app = Flask(__name__)
engine = create_engine(normalise_database_url(os.environ["DATABASE_URL"]))
if engine.dialect.name == "sqlite":
    event.listen(engine, "connect", configure_sqlite)  # the portal's own: WAL, synchronous=NORMAL

CLIENT = select(OAuthClient.id, OAuthClient.client_id, OAuthClient.secret_hash, OAuthClient.disabled_at).where(
    OAuthClient.client_id == bindparam("client_id"))
TOKEN = (
    select(OAuthToken.id, OAuthToken.client_pk, OAuthToken.account_id, OAuthToken.actor_id, OAuthToken.family_id,
           OAuthToken.scope, OAuthToken.refresh_expires_at, Account.session_version, Account.is_active)
    .join_from(OAuthToken, Account, Account.id == OAuthToken.account_id)
    .where(OAuthToken.refresh_token_hash == bindparam("hashed"), OAuthToken.rotated_at.is_(None),
           OAuthToken.revoked_at.is_(None))
)
ROTATE = (
    update(OAuthToken.__table__)
    .where(OAuthToken.id == bindparam("row_id"), OAuthToken.rotated_at.is_(None))
    .values(rotated_at=bindparam("now"))
)
NEW_TOKEN = insert(OAuthToken.__table__)
AUDIT = insert(AuditEvent.__table__)


@app.get("/healthz")
def healthz():
    return "ok"


@app.post("/oidc/token")
def token():
    client_id, _, secret = base64.b64decode(request.headers["Authorization"].split()[1]).decode().partition(":")
    presented = request.form.get("refresh_token", "")
    now = utcnow()
    access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(48)
    with engine.begin() as connection:
        client = connection.execute(CLIENT, {"client_id": client_id}).first()
        if client is None or client.disabled_at is not None or not secret_matches(client.secret_hash, secret):
            abort(401)
        row = connection.execute(TOKEN, {"hashed": digest(presented)}).first()
        if row is None or row.client_pk != client.id or not row.is_active or row.refresh_expires_at <= now:
            abort(400)
        if connection.execute(ROTATE, {"row_id": row.id, "now": now}).rowcount != 1:
            abort(400)
        connection.execute(NEW_TOKEN, {
            "client_pk": client.id, "account_id": row.account_id, "actor_id": row.actor_id,
            "family_id": row.family_id, "access_token_hash": digest(access), "refresh_token_hash": digest(refresh),
            "scope": row.scope, "issued_at": now, "access_expires_at": now + timedelta(seconds=ACCESS_SECONDS),
            "refresh_expires_at": now + REFRESH_LIFETIME, "session_version": row.session_version,
        })
        connection.execute(AUDIT, {
            "action": "oidc.refresh", "outcome": "success", "actor_id": row.account_id,
            "subject_id": row.account_id, "object_type": "oidc_client", "object_id": client.client_id,
            "ip_address": request.remote_addr, "user_agent": request.user_agent.string[:256] or None,
            "details": {"grant_type": "refresh_token", "scope": row.scope, "family": row.family_id},
        })
    return jsonify(access_token=access, token_type="Bearer",  # noqa: S106 - a token type, not a secret
                   expires_in=ACCESS_SECONDS, refresh_token=refresh, scope=row.scope)
