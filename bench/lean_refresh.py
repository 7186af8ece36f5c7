"""A third reference: the leanest refresh-token grant this stack can answer, to set beside the
portal's token endpoint as the lean page is set beside its pages. A refresh writes, and nothing in
its answer can be given again, so it costs what its statements cost: this app runs the statements
the portal's refresh runs, the same statement objects where the portal builds them once, on the
same tables, in one transaction:

    the client by its id (`auth.oidc.clients`' statement, every column; its secret's digest
    compared), the token with its account by the presented token's digest
    (`auth.oidc.store`'s statement), the token marked rotated (the store's UPDATE), the new token
    written (the store's INSERT), the audit row written (`portal.audit`'s row and INSERT), the
    commit, the rows built before the UPDATE, as the portal builds them;

and answers the same JSON. Nothing else: no Authlib (but for reading the Basic credentials), no
ORM session or objects, no session cookie, rate limits, security headers, request id, access line
or latency sample, and none of the refusals' audit rows (a refusal is a bare 400 or 401). A token
given to someone acting for another person is refused too: its signer's session would need one
more statement, and the benchmark's tokens have none. `make bench` measures it with the portal's
load, on tokens the portal issued, and takes the token endpoint's target against it."""

import os
import secrets
from datetime import timedelta

from authlib.oauth2.rfc6749.util import extract_basic_authorization
from flask import Flask, abort, jsonify, request
from sqlalchemy import create_engine, event

from auth.oidc.clients import _CLIENT_BY_ID
from auth.oidc.events import CLIENT
from auth.oidc.models import OAuthToken, digest, secret_matches
from auth.oidc.server import DEFAULTS
from auth.oidc.store import _CLAIM_REFRESH_TOKEN, _NEW_TOKEN, _TOKEN_BY_HASH
from portal.audit import _NEW_EVENT, audit_row
from portal.config import normalise_database_url
from portal.database import configure_sqlite
from portal.models import Account
from portal.models.base import utcnow
from portal.web import request_origin

# The portal's own lifetimes, as its token endpoint has them without OIDC_* settings.
ACCESS_SECONDS = DEFAULTS["OIDC_ACCESS_TOKEN_LIFETIME"]
REFRESH_LIFETIME = timedelta(seconds=DEFAULTS["OIDC_REFRESH_TOKEN_LIFETIME"])

app = Flask(__name__)
engine = create_engine(normalise_database_url(os.environ["DATABASE_URL"]))
if engine.dialect.name == "sqlite":
    event.listen(engine, "connect", configure_sqlite)  # the portal's own: WAL, synchronous=NORMAL

token_columns, account_columns = OAuthToken.__table__.c, Account.__table__.c


@app.get("/healthz")
def healthz():
    return "ok"


@app.post("/oidc/token")
def token():
    client_id, secret = extract_basic_authorization(request.headers)
    presented = digest(request.form.get("refresh_token", ""))
    now = utcnow()
    access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(48)
    with engine.begin() as connection:
        client = connection.execute(_CLIENT_BY_ID.statement, {"client_id": client_id}).first()
        if client is None or client.disabled_at is not None or not secret_matches(client.secret_hash, secret):
            abort(401)
        found = connection.execute(_TOKEN_BY_HASH, {"hashed": presented}).first()
        if found is None:
            abort(400)
        row = found._mapping
        if (row[token_columns.refresh_token_hash] != presented or row[token_columns.client_pk] != client.id
                or row[token_columns.rotated_at] is not None or row[token_columns.revoked_at] is not None
                or row[token_columns.refresh_expires_at] <= now or row[token_columns.actor_id] is not None
                or not row[account_columns.is_active]
                or row[account_columns.session_version] != row[token_columns.session_version]):
            abort(400)
        account_id, family = row[token_columns.account_id], row[token_columns.family_id]
        scope = row[token_columns.scope]
        # Built before the claim, as the portal builds them: the write lock is held for the statements only.
        new_token = {
            "client_pk": client.id, "account_id": account_id, "actor_id": None, "family_id": family,
            "access_token_hash": digest(access), "refresh_token_hash": digest(refresh), "scope": scope,
            "issued_at": now, "access_expires_at": now + timedelta(seconds=ACCESS_SECONDS),
            "refresh_expires_at": now + REFRESH_LIFETIME, "session_version": row[account_columns.session_version],
        }
        event_row = audit_row(
            "oidc.refresh", origin=request_origin(), actor_id=account_id,
            subject_id=account_id, object_type=CLIENT, object_id=client.client_id,
            grant_type="refresh_token", scope=scope, family=family, refresh_token=True,
        )
        claimed = connection.execute(_CLAIM_REFRESH_TOKEN, {"row_id": row[token_columns.id], "claimed_at": now})
        if claimed.rowcount != 1:
            abort(400)
        connection.execute(_NEW_TOKEN, new_token)
        connection.execute(_NEW_EVENT, event_row)
    return jsonify(access_token=access, token_type="Bearer",  # noqa: S106 - a token type, not a secret
                   expires_in=ACCESS_SECONDS, refresh_token=refresh, scope=scope)
