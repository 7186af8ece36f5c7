"""Signing keys in the database, rotated by the CLI while old ID tokens keep verifying."""

from __future__ import annotations

from datetime import timedelta

import jwt
from joserfc import jwt as jose_jwt

from auth.oidc import keys
from auth.oidc.models import SigningKey
from auth.oidc.server import request_signing_key
from portal.extensions import db
from portal.models.base import utcnow


def _sign(claims: dict) -> str:
    key = keys.signing_key(db.session)
    return jose_jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def _verify(token: str) -> dict:
    jwks = jwt.PyJWKSet.from_dict(keys.public_jwks(db.session))
    kid = jwt.get_unverified_header(token)["kid"]
    [match] = [k for k in jwks.keys if k.key_id == kid]
    return jwt.decode(token, match.key, algorithms=["RS256"])


def test_rotation_signs_with_the_new_key_and_old_tokens_still_verify(app, app_context):
    old_token = _sign({"sub": "before"})
    result = app.test_cli_runner().invoke(args=["oidc-rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "New signing key" in result.output
    db.session.expire_all()
    new_token = _sign({"sub": "after"})
    assert jwt.get_unverified_header(new_token)["kid"] != jwt.get_unverified_header(old_token)["kid"]
    assert _verify(old_token) == {"sub": "before"}
    assert _verify(new_token) == {"sub": "after"}
    assert len(keys.public_jwks(db.session)["keys"]) == 2


def test_old_keys_are_unpublished_only_when_asked_and_only_long_superseded_ones(app_context):
    keys.ensure_signing_key(db.session)
    long_ago = utcnow() - timedelta(days=30)
    keys.rotate(db.session, now=long_ago)  # the first key superseded 30 days ago
    keys.rotate(db.session)  # the second superseded now
    report = keys.rotate(db.session, remove_older_than=timedelta(days=7))
    assert len(report["removed"]) == 1
    assert len(report["published"]) == 3
    assert db.session.query(SigningKey).count() == 4  # removed keys are kept, just not published


def test_private_keys_are_never_in_code_or_config(app_context):
    keys.ensure_signing_key(db.session)
    row = db.session.query(SigningKey).one()
    assert row.private_pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert "d" not in row.public_jwk


def test_a_request_signs_with_one_key_even_when_a_rotation_commits_meanwhile(app):
    # The kid in a token's header and the key that signs it are asked for separately.
    with app.test_request_context("/oidc/token", method="POST"):
        first = request_signing_key()
        keys.rotate(db.session)
        db.session.commit()
        assert request_signing_key() is first
    with app.test_request_context("/oidc/token", method="POST"):
        assert request_signing_key().kid != first.kid  # the next request signs with the new key
