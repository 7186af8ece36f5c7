"""The provider's tables: registered clients, codes, tokens, consents, nonces and signing keys.

Secrets never rest in the clear: client secrets, authorization codes, access and refresh tokens
are stored as SHA-256 digests (all but the demo secret are 256-bit random values, so a fast
hash is enough), and the nonce store keeps digests too.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime

from authlib.oauth2.rfc6749 import ClientMixin
from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auth.oidc.claims import API_SCOPES
from portal.extensions import db
from portal.models import Account, Department
from portal.models.base import UTCDateTime, utcnow

SECRET_SCHEME = "sha256"  # noqa: S105 - the name of a hash scheme, not a secret


def digest(value: str) -> str:
    """The stored form of a code, token or nonce."""
    return hashlib.sha256(value.encode()).hexdigest()


def hash_secret(secret: str) -> str:
    return f"{SECRET_SCHEME}${digest(secret)}"


def secret_matches(stored: str | None, presented: str | None) -> bool:
    if not stored or not presented:
        return False
    scheme, _, value = stored.partition("$")
    if scheme != SECRET_SCHEME:
        return False
    return hmac.compare_digest(value, digest(presented))


def scope_list(scope: str | None) -> list[str]:
    return [part for part in (scope or "").split() if part]


@dataclass(frozen=True)
class EndUser:
    """Who a code or token speaks for: the subject, and the actor when someone acts for them."""

    subject: Account
    actor: Account | None = None
    auth_time: int | None = None
    acr: str | None = None
    amr: tuple[str, ...] = field(default=())

    @property
    def signer(self) -> Account:
        """The person who actually signed in."""
        return self.actor or self.subject

    def get_user_id(self) -> str:
        return self.subject.public_id


class OAuthClient(ClientMixin, db.Model):
    """A department system (relying party) or resource server registered by an administrator."""

    __tablename__ = "oidc_client"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    # Confidential clients authenticate with a secret; public ones (mobile apps) must use PKCE.
    confidential: Mapped[bool] = mapped_column(Boolean, default=True)
    secret_hash: Mapped[str | None] = mapped_column(String(128))
    secret_rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    redirect_uris: Mapped[list] = mapped_column(JSON, default=list)
    post_logout_redirect_uris: Mapped[list] = mapped_column(JSON, default=list)
    allowed_scopes: Mapped[str] = mapped_column(String(255), default="openid")
    # First-party systems are run by the district itself: their users are not asked to consent.
    first_party: Mapped[bool] = mapped_column(Boolean, default=False)
    # A resource server may introspect access tokens (RFC 7662).
    resource_server: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    # What a confidential client acts as with the client-credentials grant: its own account, an
    # officer's place in its department that no one can sign in to (see clients.system_account).
    service_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL"), unique=True
    )

    department: Mapped[Department] = relationship()
    service_account: Mapped[Account | None] = relationship(foreign_keys=[service_account_id])

    def __repr__(self) -> str:
        return f"<OAuthClient {self.client_id}>"

    @property
    def enabled(self) -> bool:
        return self.disabled_at is None

    @property
    def scopes(self) -> list[str]:
        return scope_list(self.allowed_scopes)

    @property
    def api_scopes(self) -> list[str]:
        """The API scopes this client may ask for; with client credentials, only these."""
        return [scope for scope in self.scopes if scope in API_SCOPES]

    @property
    def client_metadata(self) -> dict:
        """The registration metadata Authlib's endpoints read (RP-initiated logout, userinfo)."""
        return {
            "post_logout_redirect_uris": list(self.post_logout_redirect_uris or []),
            "redirect_uris": list(self.redirect_uris or []),
            "token_endpoint_auth_method": "client_secret_basic" if self.confidential else "none",
        }

    # -- Authlib's ClientMixin -------------------------------------------------------------

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        # Never defaulted: every authorization request must name its redirect URI.
        return None

    def get_allowed_scope(self, scope: str | None) -> str | None:
        """The requested scope if the client may ask for all of it, else None (invalid_scope)."""
        requested = scope_list(scope)
        if not requested or not set(requested) <= set(self.scopes):
            return None
        return " ".join(dict.fromkeys(requested))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        # Exact string match: no prefix, no trailing-slash or port leniency.
        return any(hmac.compare_digest(redirect_uri, uri) for uri in self.redirect_uris or [])

    def check_client_secret(self, client_secret: str) -> bool:
        return self.confidential and secret_matches(self.secret_hash, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if not self.enabled:
            return False
        if endpoint == "introspection":
            return self.resource_server and self.confidential and method != "none"
        if self.confidential:
            return method in ("client_secret_basic", "client_secret_post")
        return method == "none"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and bool(self.redirect_uris)

    def check_grant_type(self, grant_type: str) -> bool:
        if grant_type == "client_credentials":
            # A system acting for its department: it must keep a secret and hold an API scope.
            return self.confidential and bool(self.api_scopes)
        return grant_type in ("authorization_code", "refresh_token") and bool(self.redirect_uris)


class AuthorizationCode(db.Model):
    """A code issued at the authorization endpoint. Redeemed codes are kept (marked) until they
    expire, so that a replay can be recognised and the tokens the code gave revoked."""

    __tablename__ = "oidc_authorization_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_pk: Mapped[int] = mapped_column(ForeignKey("oidc_client.id", ondelete="CASCADE"), index=True)
    # The subject (whose identity the token carries) and, when someone acts for them, the actor.
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    redirect_uri: Mapped[str] = mapped_column(String(500))
    scope: Mapped[str] = mapped_column(String(255))
    nonce: Mapped[str | None] = mapped_column(String(255))
    code_challenge: Mapped[str | None] = mapped_column(String(128))
    code_challenge_method: Mapped[str | None] = mapped_column(String(10))
    auth_time: Mapped[int] = mapped_column(Integer)
    acr: Mapped[str] = mapped_column(String(64))
    amr: Mapped[list] = mapped_column(JSON, default=list)
    # The code's own issue time: not the sign-in's auth_time.
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    redeemed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The token family this code starts; a replayed code revokes the whole family.
    family_id: Mapped[str] = mapped_column(String(32), index=True)

    client: Mapped[OAuthClient] = relationship()
    account: Mapped[Account] = relationship(foreign_keys=[account_id])
    actor: Mapped[Account | None] = relationship(foreign_keys=[actor_id])

    # -- Authlib's AuthorizationCodeMixin ---------------------------------------------------

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> str:
        return self.acr

    def get_amr(self) -> list[str]:
        return list(self.amr or [])


class OAuthToken(db.Model):
    """An access token and (optionally) its refresh token. Refreshing rotates: the old row is
    marked `rotated_at`, a new row joins the same family; presenting a rotated refresh token
    again revokes the family."""

    __tablename__ = "oidc_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_pk: Mapped[int] = mapped_column(ForeignKey("oidc_client.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    family_id: Mapped[str] = mapped_column(String(32), index=True)
    access_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(255))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    access_expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    refresh_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The account's session version at issue: "sign out everywhere" and password changes end it.
    session_version: Mapped[int] = mapped_column(Integer)

    client: Mapped[OAuthClient] = relationship()
    account: Mapped[Account] = relationship(foreign_keys=[account_id])
    actor: Mapped[Account | None] = relationship(foreign_keys=[actor_id])

    # -- Authlib's TokenMixin, for the access token of this row ----------------------------

    def check_client(self, client: OAuthClient) -> bool:
        return self.client_pk == client.id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return max(0, int((self.access_expires_at - self.issued_at).total_seconds()))

    def is_expired(self) -> bool:
        return self.access_expires_at <= utcnow()

    def is_revoked(self) -> bool:
        """Revoked explicitly, or its client disabled, or the person's sessions ended since."""
        if self.revoked_at is not None or not self.client.enabled:
            return True
        signer = self.actor or self.account
        if not self.account.is_active or not signer.is_active:
            return True
        return signer.session_version != self.session_version

    def get_client(self) -> OAuthClient:
        return self.client

    def get_user(self) -> EndUser:
        return EndUser(self.account, self.actor)


class Consent(db.Model):
    """The scopes a person has allowed a client; asked again only for scopes beyond these."""

    __tablename__ = "oidc_consent"
    __table_args__ = (UniqueConstraint("account_id", "client_pk"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    client_pk: Mapped[int] = mapped_column(ForeignKey("oidc_client.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(255))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    client: Mapped[OAuthClient] = relationship()


class NonceRecord(db.Model):
    """Nonces seen in issued codes, kept for a limited time so that a replayed one is refused."""

    __tablename__ = "oidc_nonce"
    __table_args__ = (UniqueConstraint("client_pk", "nonce_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_pk: Mapped[int] = mapped_column(ForeignKey("oidc_client.id", ondelete="CASCADE"))
    nonce_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class SigningKey(db.Model):
    """An ID-token signing key. The newest is used to sign; every key not yet removed stays in the
    JWKS so tokens signed before a rotation still verify."""

    __tablename__ = "oidc_signing_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    alg: Mapped[str] = mapped_column(String(10))
    private_pem: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
