"""Codes, tokens, nonces and client secrets in the database, without a request."""

from __future__ import annotations

import gc
from datetime import timedelta

import pytest
from sqlalchemy import select

from auth.oidc import store
from auth.oidc.models import EndUser, OAuthClient, OAuthToken, hash_secret, secret_matches
from portal.extensions import db
from portal.models import Account
from portal.models.base import utcnow
from tests.helpers import statements_run


@pytest.fixture
def parties(app_context, seeded):
    client = db.session.scalar(select(OAuthClient).where(OAuthClient.client_id == "demo-dept-system"))
    account = db.session.scalar(select(Account).where(Account.mobile == "13800000001"))
    return client, EndUser(account, None, 1_800_000_000, "acr", ("pwd",))


def _code(parties, code="the-code", now=None):
    client, end_user = parties
    return store.save_code(
        db.session, code=code, client=client, end_user=end_user, redirect_uri=client.redirect_uris[0],
        scope="openid", nonce=None, code_challenge=None, code_challenge_method=None, now=now or utcnow(),
        lifetime=timedelta(seconds=60),
    )


def test_codes_are_stored_hashed_with_their_own_issue_time(parties):
    now = utcnow()
    row = _code(parties, now=now)
    db.session.flush()
    assert row.code_hash != "the-code" and len(row.code_hash) == 64
    assert store.find_code(db.session, "the-code") is row
    assert row.issued_at == now != row.auth_time
    assert row.expires_at == now + timedelta(seconds=60)


def test_a_code_is_claimed_once(parties):
    row = _code(parties)
    db.session.flush()
    assert store.claim_code(db.session, row, utcnow()) is True
    assert store.claim_code(db.session, row, utcnow()) is False


def _token(parties, family, access, refresh):
    client, end_user = parties
    store.save_token(db.session, store.token_row(
        token={"access_token": access, "refresh_token": refresh, "expires_in": 60, "scope": "openid"},
        client=client, end_user=end_user, family_id=family, now=utcnow(), refresh_lifetime=timedelta(days=1)))
    return store.find_token(db.session, access).row


def test_refresh_tokens_rotate_once_and_families_revoke_together(parties):
    first = _token(parties, "fam-1", "a1", "r1")
    second = _token(parties, "fam-1", "a2", "r2")
    other = _token(parties, "fam-2", "a3", "r3")
    db.session.flush()
    assert store.claim_refresh_token(db.session, first, utcnow()) is True
    assert store.claim_refresh_token(db.session, first, utcnow()) is False
    assert store.revoke_family(db.session, "fam-1", utcnow()) == 2
    db.session.expire_all()
    assert first.is_revoked() and second.is_revoked() and not other.is_revoked()


def test_tokens_are_found_by_either_string_and_stored_hashed(parties):
    _token(parties, "fam", "access-string", "refresh-string")
    db.session.flush()
    assert store.find_token(db.session, "access-string").kind == "access_token"
    assert store.find_token(db.session, "refresh-string").kind == "refresh_token"
    assert store.find_token(db.session, "nothing") is None
    stored = db.session.scalars(select(OAuthToken.access_token_hash, OAuthToken.refresh_token_hash)).all()
    assert "access-string" not in str(stored)


def test_a_found_token_knows_its_account_without_reading_it_again(parties):
    _token(parties, "fam-3", "a3", "r3")
    client_pk = parties[0].id
    db.session.commit()
    db.session.expunge_all()
    client = db.session.get(OAuthClient, client_pk)  # as the endpoint has, having authenticated it
    with statements_run() as statements:
        found = store.find_token(db.session, "r3")
        gc.collect()  # what the session read is only weakly held
        assert found.row.account.mobile == "13800000001"
        assert found.is_revoked() is False and found.row.client is client
    assert len(statements) == 1, statements


def test_a_found_code_knows_its_account_and_its_claim_is_written_once(parties):
    _code(parties, code="code-4")
    db.session.commit()
    db.session.expunge_all()
    with statements_run() as statements:
        row = store.find_code(db.session, "code-4")
        gc.collect()
        assert row.account.mobile == "13800000001"
        assert store.claim_code(db.session, row, utcnow()) is True
        db.session.flush()
    assert [statement.split()[0] for statement in statements] == ["SELECT", "UPDATE"], statements
    assert store.find_code(db.session, "nothing") is None


def test_signing_out_everywhere_ends_the_tokens_too(parties):
    row = _token(parties, "fam", "a", "r")
    db.session.flush()
    assert not row.is_revoked()
    parties[1].subject.session_version += 1
    assert row.is_revoked()


def test_nonces_are_remembered_for_a_limited_time(parties):
    client, _ = parties
    now = utcnow()
    store.remember_nonce(db.session, client, "n-1", now, timedelta(hours=1))
    db.session.flush()
    assert store.nonce_seen(db.session, client, "n-1", now)
    assert not store.nonce_seen(db.session, client, "n-2", now)
    assert not store.nonce_seen(db.session, client, "n-1", now + timedelta(hours=2))


def test_client_secrets_are_stored_hashed(parties):
    client, _ = parties
    assert client.secret_hash.startswith("sha256$")
    assert "demo-dept-secret" not in client.secret_hash
    assert client.check_client_secret("demo-dept-secret")
    assert not client.check_client_secret("demo-dept-secret ")
    assert not secret_matches(hash_secret("x"), None)


@pytest.mark.parametrize(
    "uri",
    ["http://127.0.0.1:8001/callback/", "http://127.0.0.1:8001/callback/x", "http://127.0.0.1:8001/Callback",
     "http://localhost:8001/callback", "https://127.0.0.1:8001/callback", "http://127.0.0.1:8001/callback?a=1"],
)
def test_redirect_uris_match_exactly(parties, uri):
    client, _ = parties
    assert client.check_redirect_uri("http://127.0.0.1:8001/callback")
    assert not client.check_redirect_uri(uri)


def test_scopes_beyond_the_registration_are_refused(parties):
    client, _ = parties
    assert client.get_allowed_scope("openid profile") == "openid profile"
    assert client.get_allowed_scope("openid portal.ends") is None
    assert client.get_allowed_scope(None) is None


def test_a_token_is_written_at_once_within_the_transaction(parties):
    with statements_run() as statements:
        store.save_token(db.session, store.token_row(
            token={"access_token": "now-a", "refresh_token": "now-r", "scope": "openid"},
            client=parties[0], end_user=parties[1], family_id="fam-now", now=utcnow(),
            refresh_lifetime=timedelta(days=1)))
    assert [statement.split()[0] for statement in statements] == ["INSERT"], statements
    assert store.find_token(db.session, "now-r").row.family_id == "fam-now"
    db.session.rollback()
    assert store.find_token(db.session, "now-a") is None
