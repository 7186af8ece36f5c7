"""Authlib wired to the portal: the authorization server, its grants and endpoints, and the
resource protector for the userinfo endpoint.

Where Authlib leaves gaps (see the issue and its changelog), they are closed here:
- PKCE: S256 only, required for public clients, a challenge demanded at the authorization
  endpoint rather than only at the token endpoint;
- a redirect URI is always required and matched exactly, never defaulted;
- nonces live in their own store with a time limit;
- codes carry their own issue time, are claimed atomically, and a replay revokes their tokens;
- refresh tokens rotate, and presenting a rotated one revokes the whole family;
- the client-credentials grant gives a confidential department system a token for the JSON API
  (API scopes only, its department's cases), acting as its own system account.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import InvalidGrantError, InvalidRequestError, InvalidScopeError, grants
from authlib.oauth2.rfc6749.util import extract_basic_authorization
from authlib.oauth2.rfc6750 import BearerTokenGenerator, BearerTokenValidator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc7636.challenge import compare_s256_code_challenge
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from authlib.oidc.core import UserInfoEndpoint
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.rpinitiated import EndSessionEndpoint
from flask import current_app, g
from flask import request as flask_request

from auth.oidc import claims, clients, events, keys, store
from auth.oidc.models import EndUser, scope_list
from auth.session import current_account, end_session
from portal import audit
from portal.extensions import db
from portal.models.base import new_public_id, utcnow
from portal.web import request_origin

DEFAULTS = {
    # Set OIDC_ISSUER in production; otherwise the address the request came to is used.
    "OIDC_ISSUER": None,
    "OIDC_CODE_LIFETIME": 60,
    "OIDC_ACCESS_TOKEN_LIFETIME": 900,
    "OIDC_REFRESH_TOKEN_LIFETIME": 14 * 24 * 3600,
    "OIDC_ID_TOKEN_LIFETIME": 600,
    "OIDC_NONCE_LIFETIME": 24 * 3600,
    "OIDC_TOKEN_RATE_LIMIT_PER_CLIENT": "120 per minute",
    "OIDC_TOKEN_RATE_LIMIT_PER_ADDRESS": "600 per minute",
}

CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

# Which audit action an error at each endpoint is recorded under.
ENDPOINT_ACTIONS = {
    "oidc.authorize": "oidc.authorize",
    "oidc.token": "oidc.token",
    "oidc.revoke": "oidc.revoke",
    "oidc.introspect": "oidc.introspect",
    "oidc.userinfo": "oidc.userinfo",
    "oidc.end_session": "oidc.logout",
}


def seconds(name: str) -> timedelta:
    return timedelta(seconds=int(current_app.config[name]))


def issuer() -> str:
    return current_app.config.get("OIDC_ISSUER") or flask_request.url_root.rstrip("/")


def request_signing_key():
    """The key this request signs with, read once: the `kid` in a token's header and its signature
    must come from the same key, even when a key rotation commits between the two."""
    key = g.get("_oidc_signing_key")
    if key is None:
        key = g._oidc_signing_key = keys.signing_key(db.session)
    return key


def presented_client_id() -> str | None:
    client_id, _ = extract_basic_authorization(flask_request.headers)
    return client_id or flask_request.values.get("client_id")


# -- the server ----------------------------------------------------------------------------


class PortalAuthorizationServer(AuthorizationServer):
    def load_config(self, config) -> None:
        self.scopes_supported = list(claims.SUPPORTED_SCOPES)
        self.register_token_generator(
            "default",
            BearerTokenGenerator(
                # As long and as random as Authlib's own (256 and 384 bits), from one call to the
                # system's generator rather than one per character (a fiftieth of the time).
                access_token_generator=lambda **_: secrets.token_urlsafe(32),
                refresh_token_generator=lambda **_: secrets.token_urlsafe(48),
                expires_generator=lambda client, grant_type: int(current_app.config["OIDC_ACCESS_TOKEN_LIFETIME"]),
            ),
        )

    def query_client(self, client_id):
        return clients.find_client(db.session, client_id)

    def save_token(self, token, request):
        self.write_token(*self.token_rows(token, request))

    def token_rows(self, token, request) -> tuple[dict, dict]:
        """The issued token's row and its audit row, built before either is written."""
        if request.payload.grant_type == ClientCredentialsGrant.GRANT_TYPE:
            # Each token a department system obtains stands alone: no refresh token, no family.
            end_user = EndUser(clients.system_account(db.session, request.client))
            family, action = new_public_id(), "oidc.token"
        elif request.authorization_code is not None:
            end_user: EndUser = request.user
            family, action = request.authorization_code.family_id, "oidc.token"
        else:
            end_user = request.user
            family, action = request.refresh_token.family_id, "oidc.refresh"
        token_row = store.token_row(
            token=token, client=request.client, end_user=end_user, family_id=family, now=utcnow(),
            refresh_lifetime=seconds("OIDC_REFRESH_TOKEN_LIFETIME"),
        )
        audit_row = events.success_row(
            action, origin=request_origin(), client=request.client, subject_id=end_user.subject.id,
            actor_id=end_user.signer.id, grant_type=request.payload.grant_type, scope=token.get("scope"),
            family=family, refresh_token=bool(token.get("refresh_token")),
        )
        return token_row, audit_row

    @staticmethod
    def write_token(token_row: dict, audit_row: dict) -> None:
        store.save_token(db.session, token_row)
        audit.write_now(db.session, audit_row)

    def handle_error_response(self, request, error):
        self.record_refusal(error)
        return super().handle_error_response(request, error)

    def record_refusal(self, error: OAuth2Error, action: str | None = None) -> None:
        action = action or ENDPOINT_ACTIONS.get(flask_request.endpoint, "oidc.request")
        if action == "oidc.token" and flask_request.values.get("grant_type") == "refresh_token":
            action = "oidc.refresh"
        client_id = presented_client_id()
        events.record_refusal(
            db.session, action, error, origin=request_origin(), client_id=client_id,
            client=clients.find_client(db.session, client_id, enabled_only=False),
            grant_type=flask_request.values.get("grant_type"),
        )


# -- grants --------------------------------------------------------------------------------


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = CLIENT_AUTH_METHODS

    @staticmethod
    def validate_authorization_redirect_uri(request, client):
        # Always required (Authlib would default it), always an exact match, never redirected to
        # when wrong: the error page is shown instead.
        uri = request.payload.redirect_uri
        if not uri:
            raise events.with_facts(InvalidRequestError("Missing 'redirect_uri' in request."), "redirect_uri_missing")
        if not client.check_redirect_uri(uri):
            raise events.with_facts(
                InvalidRequestError("The 'redirect_uri' is not registered for this client."),
                "redirect_uri_unregistered", redirect_uri=uri[:500],
            )
        return uri

    def save_authorization_code(self, code, request):
        data = request.payload.data
        now = utcnow()
        store.save_code(
            db.session, code=code, client=request.client, end_user=request.user,
            redirect_uri=request.payload.redirect_uri, scope=request.scope, nonce=data.get("nonce"),
            code_challenge=data.get("code_challenge"), code_challenge_method=data.get("code_challenge_method"),
            now=now, lifetime=seconds("OIDC_CODE_LIFETIME"),
        )
        if data.get("nonce"):
            store.remember_nonce(db.session, request.client, data["nonce"], now, seconds("OIDC_NONCE_LIFETIME"))

    def query_authorization_code(self, code, client):
        row = store.find_code(db.session, code)
        if row is None:
            raise events.with_facts(InvalidGrantError("The code is not valid."), "code_unknown")
        people = {"subject_id": row.account_id, "actor_id": row.actor_id}
        if row.client_pk != client.id:
            raise events.with_facts(
                InvalidGrantError("The code was not issued to this client."), "code_of_another_client",
                code_client=row.client.client_id, **people,
            )
        if row.redeemed_at is not None:
            self._replayed(row)
        if row.expires_at <= utcnow():
            raise events.with_facts(InvalidGrantError("The code has expired."), "code_expired", **people)
        return row

    def _replayed(self, row):
        revoked = store.revoke_family(db.session, row.family_id, utcnow())
        raise events.with_facts(
            InvalidGrantError("The code has been used already."), "code_replayed", revoked_tokens=revoked,
            family=row.family_id, subject_id=row.account_id, actor_id=row.actor_id,
        )

    def create_token_response(self):
        # Claimed atomically only now, after every check passed: two concurrent redemptions
        # cannot both win, and a failed attempt (say, a wrong verifier) does not burn the code.
        row = self.request.authorization_code
        if not store.claim_code(db.session, row, utcnow()):
            self._replayed(row)
        return super().create_token_response()

    def delete_authorization_code(self, authorization_code):
        """Kept, marked redeemed, until it expires: a replay must be recognised."""

    def authenticate_user(self, authorization_code):
        subject, actor = authorization_code.account, authorization_code.actor
        if not subject.is_active or (actor is not None and not actor.is_active):
            return None
        return EndUser(subject, actor, authorization_code.auth_time, authorization_code.acr,
                       tuple(authorization_code.get_amr()))


class RefreshTokenGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = CLIENT_AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token):
        found = store.find_token(db.session, refresh_token)
        if found is None or found.kind != "refresh_token":
            raise events.with_facts(InvalidGrantError("The refresh token is not valid."), "refresh_unknown")
        row = found.row
        people = {"subject_id": row.account_id, "actor_id": row.actor_id}
        if row.client_pk != self.request.client.id:
            raise events.with_facts(
                InvalidGrantError("The refresh token was not issued to this client."),
                "refresh_of_another_client", **people,
            )
        if row.rotated_at is not None:
            self._reused(row)
        if row.is_revoked():
            raise events.with_facts(InvalidGrantError("The refresh token has been revoked."), "refresh_revoked",
                                    **people)
        if found.is_expired():
            raise events.with_facts(InvalidGrantError("The refresh token has expired."), "refresh_expired",
                                    **people)
        return row

    def _reused(self, row):
        revoked = store.revoke_family(db.session, row.family_id, utcnow())
        raise events.with_facts(
            InvalidGrantError("The refresh token has been used already."), "refresh_reused",
            revoked_tokens=revoked, family=row.family_id, subject_id=row.account_id, actor_id=row.actor_id,
        )

    def save_token(self, token):
        # One connection at a time writes to SQLite, from its first write to its commit, and one
        # that finds another writing waits a millisecond or more. So the rows are built first, and
        # the claim, the two INSERTs and the commit follow one another with nothing in between:
        # two workers refreshing at once hold each other up as little as the statements allow.
        # What Authlib does after this (`revoke_old_credential`, the answer) runs after the commit,
        # so nothing there may refuse the request: the client would lose the token just issued.
        token_row, audit_row = self.server.token_rows(token, self.request)
        row = self.request.refresh_token
        if not store.claim_refresh_token(db.session, row, utcnow()):
            self._reused(row)
        self.server.write_token(token_row, audit_row)
        db.session.commit()

    def authenticate_user(self, refresh_token):
        return refresh_token.get_user()

    def revoke_old_credential(self, refresh_token):
        """Marked rotated when it was claimed, as the new token was saved."""


class ClientCredentialsGrant(grants.ClientCredentialsGrant):
    """A department system's own token for the JSON API (RFC 6749 §4.4).

    Confidential clients only, holding at least one API scope (`OAuthClient.check_grant_type`).
    The scope asked for must be API scopes the client is allowed; none asked means all of them.
    The token speaks for the client's system account, whose standing is an officer's in the
    client's department.
    """

    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def validate_token_request(self):
        super().validate_token_request()
        allowed = self.request.client.api_scopes
        requested = scope_list(self.request.payload.scope)
        if requested and not set(requested) <= set(allowed):
            raise events.with_facts(
                InvalidScopeError("The client may not ask for that scope with client credentials."),
                "scope_not_allowed", requested=" ".join(requested)[:255],
            )
        self.granted_scope = " ".join(dict.fromkeys(requested or allowed))

    def create_token_response(self):
        token = self.generate_token(scope=self.granted_scope, include_refresh_token=False)
        self.save_token(token)
        return 200, token, self.TOKEN_RESPONSE_HEADER


class S256CodeChallenge(CodeChallenge):
    """PKCE, S256 only (Authlib also accepts `plain`), demanded of every public client at the
    authorization endpoint (Authlib checks only at the token endpoint)."""

    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    CODE_CHALLENGE_METHODS = {"S256": compare_s256_code_challenge}

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        challenge, method = data.get("code_challenge"), data.get("code_challenge_method")
        if not challenge and not method:
            if not grant.request.client.confidential:
                raise events.with_facts(
                    InvalidRequestError("A public client must send a PKCE 'code_challenge' (S256)."), "pkce_missing"
                )
            return
        if method != "S256":
            # An absent method means `plain` (RFC 7636 §4.3), which is refused too.
            raise events.with_facts(
                InvalidRequestError("Only the 'S256' code_challenge_method is accepted."), "pkce_method"
            )
        super().validate_code_challenge(grant, redirect_uri)

    def validate_code_verifier(self, grant, result):
        try:
            super().validate_code_verifier(grant, result)
        except OAuth2Error as error:
            code = grant.request.authorization_code
            raise events.with_facts(error, "pkce_failed", subject_id=code.account_id, actor_id=code.actor_id) from None


class PortalOpenIDCode(OpenIDCode):
    def exists_nonce(self, nonce, request):
        return store.nonce_seen(db.session, request.client, nonce, utcnow())

    def validate_openid_authorization_request(self, grant, redirect_uri):
        # A request without a nonce is fine for the code flow; a nonce seen before is not.
        nonce = grant.request.payload.data.get("nonce")
        if nonce and len(nonce) > 255:
            raise events.with_facts(InvalidRequestError("The 'nonce' is too long."), "nonce_too_long")
        if nonce and self.exists_nonce(nonce, grant.request):
            raise events.with_facts(InvalidRequestError("The 'nonce' has been used before."), "nonce_replayed")

    def resolve_client_private_key(self, client):
        return request_signing_key()

    def get_client_algorithm(self, client):
        return keys.ALGORITHM

    def get_encode_header(self, client):
        return {"alg": keys.ALGORITHM, "kid": request_signing_key().kid, "typ": "JWT"}

    def get_client_claims(self, client):
        now = int(utcnow().timestamp())
        return {
            "iss": issuer(),
            "aud": client.client_id,
            "azp": client.client_id,
            "iat": now,
            "exp": now + int(current_app.config["OIDC_ID_TOKEN_LIFETIME"]),
        }

    def generate_user_info(self, user: EndUser, scope):
        # The ID token says who; the claims each scope releases come from the userinfo endpoint.
        return claims.user_claims(user.subject, [claims.OPENID], user.actor)


# -- endpoints -----------------------------------------------------------------------------


class PortalBearerTokenValidator(BearerTokenValidator):
    def authenticate_token(self, token_string):
        found = store.find_token(db.session, token_string)
        return found.row if found is not None and found.kind == "access_token" else None


class PortalResourceProtector(ResourceProtector):
    def parse_request_authorization(self, request):
        # RFC 6750 §2.2: a POST may carry the token in its form body instead of the header.
        if not flask_request.headers.get("Authorization") and flask_request.method == "POST":
            token = flask_request.form.get("access_token")
            if token:
                return self.get_token_validator("bearer"), token
        return super().parse_request_authorization(request)


class PortalUserInfoEndpoint(UserInfoEndpoint):
    def get_issuer(self):
        return issuer()

    def generate_user_info(self, user: EndUser, scope):
        return claims.user_claims(user.subject, scope_list(scope), user.actor)

    def resolve_private_key(self):
        return request_signing_key()


class _TokenLookup:
    def query_token(self, token_string, token_type_hint):
        return store.find_token(db.session, token_string, token_type_hint)


class PortalRevocationEndpoint(_TokenLookup, RevocationEndpoint):
    CLIENT_AUTH_METHODS = CLIENT_AUTH_METHODS

    def revoke_token(self, token, request):
        now = utcnow()
        row = token.row
        if token.kind == "refresh_token":
            revoked = store.revoke_family(db.session, row.family_id, now)
        else:
            revoked = 0 if row.revoked_at else 1
            row.revoked_at = row.revoked_at or now
        events.record_success(
            db.session, "oidc.revoke", origin=request_origin(), client=request.client, subject_id=row.account_id,
            actor_id=row.actor_id, token_type=token.kind, family=row.family_id, revoked_tokens=revoked,
        )


class PortalIntrospectionEndpoint(_TokenLookup, IntrospectionEndpoint):
    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def check_permission(self, token, client, request):
        return client.resource_server

    def introspect_token(self, token):
        row = token.row
        payload = {
            "active": True,
            "client_id": row.client.client_id,
            "token_type": "Bearer" if token.kind == "access_token" else "refresh_token",
            "scope": row.scope,
            "sub": row.account.public_id,
            "aud": row.client.client_id,
            "iss": issuer(),
            "iat": int(row.issued_at.timestamp()),
            "exp": int(token.expires_at().timestamp()),
        }
        if row.actor is not None:
            payload["act"] = {"sub": row.actor.public_id}
        return payload


class PortalEndSessionEndpoint(EndSessionEndpoint):
    def get_server_jwks(self):
        return keys.public_jwks(db.session)

    def get_algorithms(self):
        return [keys.ALGORITHM]

    def is_post_logout_redirect_uri_legitimate(self, request, post_logout_redirect_uri, client, logout_hint):
        # Without an id_token_hint, a registered URI is followed only after the person confirmed
        # on our own page (CSRF-checked in the view).
        return bool(g.get("oidc_logout_confirmed"))

    def end_session(self, end_session_request):
        client = end_session_request.client
        signed_in = current_account()
        end_session()
        audit.record(
            db.session, "oidc.logout", origin=request_origin(), actor_id=signed_in.id if signed_in else None,
            object_type=events.CLIENT, object_id=client.client_id if client else None,
            id_token_hint=end_session_request.id_token_claims is not None,
            redirected=end_session_request.redirect_uri is not None,
        )


server = PortalAuthorizationServer()
server.register_grant(AuthorizationCodeGrant, [S256CodeChallenge(required=True), PortalOpenIDCode(require_nonce=False)])
server.register_grant(RefreshTokenGrant)
server.register_grant(ClientCredentialsGrant)
server.register_endpoint(PortalRevocationEndpoint)
server.register_endpoint(PortalIntrospectionEndpoint)
server.register_endpoint(PortalEndSessionEndpoint)

require_oauth = PortalResourceProtector()
require_oauth.register_token_validator(PortalBearerTokenValidator())
server.register_endpoint(PortalUserInfoEndpoint(resource_protector=require_oauth))


def init_app(app) -> None:
    for name, value in DEFAULTS.items():
        app.config.setdefault(name, value)
    server.init_app(app)
