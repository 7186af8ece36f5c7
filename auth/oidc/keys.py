"""ID-token signing keys, kept in the database and rotated by `flask oidc-rotate-keys`.

The newest key signs; every key not yet removed is published in the JWKS so that ID tokens
signed before a rotation keep verifying. A first key is created on first use when none exists,
so no key ever lives in the code or the repository.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.oidc.models import SigningKey
from portal.models.base import utcnow

ALGORITHM = "RS256"
RSA_BITS = 2048

# Private keys parsed once per process; a key row never changes after it is written.
_parsed: dict[str, RSAKey] = {}


def _new_key(now: datetime) -> SigningKey:
    key = RSAKey.generate_key(RSA_BITS, private=True)
    kid = key.thumbprint()
    public = RSAKey.import_key(key.as_dict(private=False), parameters={"kid": kid, "alg": ALGORITHM, "use": "sig"})
    return SigningKey(
        kid=kid,
        alg=ALGORITHM,
        private_pem=key.as_pem(private=True).decode(),
        public_jwk=public.as_dict(private=False),
        created_at=now,
    )


def current_key_row(session: Session) -> SigningKey | None:
    return session.scalar(
        select(SigningKey)
        .where(SigningKey.removed_at.is_(None))
        .order_by(SigningKey.created_at.desc(), SigningKey.id.desc())
        .limit(1)
    )


def ensure_signing_key(session: Session) -> SigningKey:
    """The key that signs now, creating the first one if the provider has none."""
    row = current_key_row(session)
    if row is None:
        row = _new_key(utcnow())
        session.add(row)
        session.flush()
    return row


def signing_key(session: Session) -> RSAKey:
    row = ensure_signing_key(session)
    key = _parsed.get(row.kid)
    if key is None:
        key = _parsed[row.kid] = RSAKey.import_key(
            row.private_pem, parameters={"kid": row.kid, "alg": row.alg, "use": "sig"}
        )
    return key


def published_keys(session: Session) -> list[SigningKey]:
    return list(
        session.scalars(
            select(SigningKey).where(SigningKey.removed_at.is_(None)).order_by(SigningKey.created_at.desc())
        )
    )


def public_jwks(session: Session) -> dict:
    """The JSON Web Key Set served at the JWKS endpoint: public parts only."""
    ensure_signing_key(session)
    return {"keys": [dict(row.public_jwk) for row in published_keys(session)]}


def public_key_set(session: Session) -> KeySet:
    return KeySet.import_key_set(public_jwks(session))


def rotate(session: Session, *, remove_older_than: timedelta | None = None, now: datetime | None = None) -> dict:
    """Add a new signing key; the previous ones stay published. With `remove_older_than`, keys
    superseded longer ago than that (older than any ID token still in use) are unpublished."""
    now = now or utcnow()
    for row in published_keys(session):
        if row.superseded_at is None:
            row.superseded_at = now
    new = _new_key(now)
    session.add(new)
    removed = []
    if remove_older_than is not None:
        cutoff = now - remove_older_than
        for row in published_keys(session):
            if row.superseded_at is not None and row.superseded_at < cutoff and row is not new:
                row.removed_at = now
                removed.append(row.kid)
    session.flush()
    return {"kid": new.kid, "removed": removed, "published": [row.kid for row in published_keys(session)]}
