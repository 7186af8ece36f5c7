"""The signed-code machinery: every refusal reason, key rotation, replay, revocation, numeric codes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import segno

from portal.codes import (
    TOKEN_CHARS,
    CodeRefused,
    Keyring,
    Purpose,
    Reason,
    decode,
    issue,
    issue_numeric,
    luhn_digit,
    purge_expired,
    redeem_numeric,
    revoke,
    verify,
)
from portal.codes import numeric as numeric_codes
from portal.extensions import db
from portal.models import NumericCode, UsedCodeNonce

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SUBJECT = "0123456789abcdef0123456789abcdef"
CITY = {Purpose.CITY_CODE}


def city_token(keyring, now=NOW, lifetime=timedelta(seconds=90), purpose=Purpose.CITY_CODE):
    return issue(keyring, purpose, SUBJECT, lifetime=lifetime, now=now)


def refused(call) -> Reason:
    with pytest.raises(CodeRefused) as caught:
        call()
    return caught.value.reason


# --- the token ----------------------------------------------------------------------------


def test_token_is_compact_uppercase_alphanumeric_and_carries_no_personal_data(keyring):
    token, claims = city_token(keyring)
    assert len(token) == TOKEN_CHARS == 84
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    qr = segno.make(token, error="m", micro=False)
    assert qr.mode == "alphanumeric" and qr.version <= 4
    assert claims.subject == SUBJECT and claims.key_id == 2
    assert decode(keyring, token, purposes=CITY, now=NOW) == claims


def test_scanned_text_is_normalised(keyring):
    token, claims = city_token(keyring)
    spaced = " ".join(token[i : i + 4] for i in range(0, len(token), 4)).lower()
    assert decode(keyring, spaced, purposes=CITY, now=NOW) == claims


@pytest.mark.parametrize("raw", ["", "hello", "A" * 84, "1" * 84, "!" * 84])
def test_garbage_is_malformed(keyring, raw):
    assert refused(lambda: decode(keyring, raw, purposes=CITY, now=NOW)) == Reason.MALFORMED


def test_truncated_or_padded_token_is_malformed(keyring):
    token, _ = city_token(keyring)
    assert refused(lambda: decode(keyring, token[:-1], purposes=CITY, now=NOW)) == Reason.MALFORMED
    assert refused(lambda: decode(keyring, token + "A", purposes=CITY, now=NOW)) == Reason.MALFORMED


def test_every_single_character_change_is_refused(keyring):
    token, _ = city_token(keyring)
    for position in range(len(token)):
        replacement = "A" if token[position] != "A" else "B"
        altered = token[:position] + replacement + token[position + 1 :]
        reason = refused(lambda altered=altered: decode(keyring, altered, purposes=CITY, now=NOW))
        assert reason in {Reason.BAD_SIGNATURE, Reason.MALFORMED, Reason.UNKNOWN_KEY}, position


def test_a_change_in_the_signed_body_is_a_bad_signature(keyring):
    token, _ = city_token(keyring)
    position = 40  # inside the issue time and nonce
    altered = token[:position] + ("B" if token[position] != "B" else "C") + token[position + 1 :]
    assert refused(lambda: decode(keyring, altered, purposes=CITY, now=NOW)) == Reason.BAD_SIGNATURE


def test_a_token_signed_with_another_secret_is_a_bad_signature(keyring):
    forger = Keyring({2: b"f" * 32}, current=2)
    token, _ = city_token(forger)
    assert refused(lambda: decode(keyring, token, purposes=CITY, now=NOW)) == Reason.BAD_SIGNATURE


def test_unknown_key_id_is_refused(keyring):
    other = Keyring({9: b"k" * 32}, current=9)
    token, _ = city_token(other)
    assert refused(lambda: decode(keyring, token, purposes=CITY, now=NOW)) == Reason.UNKNOWN_KEY


def test_wrong_purpose_is_refused(keyring):
    token, _ = city_token(keyring, purpose=Purpose.ENTERPRISE_CODE)
    error = pytest.raises(CodeRefused, decode, keyring, token, purposes=CITY, now=NOW).value
    assert error.reason == Reason.WRONG_PURPOSE
    assert error.claims.purpose == Purpose.ENTERPRISE_CODE


def test_expired_token_is_refused_at_the_second_it_expires(keyring):
    token, claims = city_token(keyring)
    assert decode(keyring, token, purposes=CITY, now=claims.expires_at - timedelta(seconds=1))
    assert refused(lambda: decode(keyring, token, purposes=CITY, now=claims.expires_at)) == Reason.EXPIRED


def test_rotation_old_tokens_verify_until_they_expire_new_ones_use_the_new_key():
    old_ring = Keyring({1: b"k" * 32}, current=1)
    old_token, old_claims = city_token(old_ring, lifetime=timedelta(days=180), purpose=Purpose.PAPER_CODE)
    rotated = Keyring({1: b"k" * 32, 2: b"q" * 32}, current=2)
    new_token, new_claims = city_token(rotated)
    assert new_claims.key_id == 2
    assert decode(rotated, old_token, purposes={Purpose.PAPER_CODE}, now=NOW + timedelta(days=100)) == old_claims
    # Once the old key is retired, what it signed is refused.
    retired = Keyring({2: b"q" * 32}, current=2)
    assert refused(lambda: decode(retired, old_token, purposes={Purpose.PAPER_CODE}, now=NOW)) == Reason.UNKNOWN_KEY
    assert decode(retired, new_token, purposes=CITY, now=NOW) == new_claims


def test_keyring_from_config_derives_keys_and_refuses_bad_settings():
    ring = Keyring.from_config("1:derived,2:" + "ab" * 32, "2", secret_key="s" * 40)
    assert ring.current == 2 and ring.key_ids == {1, 2}
    assert Keyring.from_config("1:derived", "1", secret_key="other" * 8).key(1) != ring.key(1)
    with pytest.raises(ValueError):
        Keyring.from_config("1:abcd", "1")  # too short
    with pytest.raises(ValueError):
        Keyring.from_config("1:derived", "3", secret_key="s" * 40)  # current key missing


# --- replay and revocation (database) -----------------------------------------------------


def test_one_time_code_is_good_once_per_scope(app_context, keyring):
    token, _ = city_token(keyring)
    verify(db.session, keyring, token, purposes=CITY, now=NOW, scope="identity")
    reason = refused(lambda: verify(db.session, keyring, token, purposes=CITY, now=NOW, scope="identity"))
    assert reason == Reason.REPLAYED
    # Another scan purpose is another use.
    verify(db.session, keyring, token, purposes=CITY, now=NOW, scope="entry")


def test_replay_is_remembered_across_transactions(app_context, keyring):
    token, _ = city_token(keyring)
    verify(db.session, keyring, token, purposes=CITY, now=NOW, scope="identity")
    db.session.commit()
    db.session.close()
    reason = refused(lambda: verify(db.session, keyring, token, purposes=CITY, now=NOW, scope="identity"))
    assert reason == Reason.REPLAYED


def test_paper_code_is_reusable_until_revoked(app_context, keyring):
    paper = {Purpose.PAPER_CODE}
    token, claims = city_token(keyring, lifetime=timedelta(days=180), purpose=Purpose.PAPER_CODE)
    for _ in range(3):
        verify(db.session, keyring, token, purposes=paper, now=NOW, scope="identity")
    assert revoke(db.session, claims.token_id, claims.expires_at, NOW, "lost")
    assert not revoke(db.session, claims.token_id, claims.expires_at, NOW, "lost")
    db.session.commit()
    reason = refused(lambda: verify(db.session, keyring, token, purposes=paper, now=NOW, scope="identity"))
    assert reason == Reason.REVOKED


def test_purge_forgets_only_what_expired(app_context, keyring):
    token, claims = city_token(keyring)
    verify(db.session, keyring, token, purposes=CITY, now=NOW, scope="identity")
    purge_expired(db.session, NOW)
    assert db.session.get(UsedCodeNonce, (claims.token_id, "identity")) is not None
    purge_expired(db.session, claims.expires_at + timedelta(seconds=1))
    assert db.session.get(UsedCodeNonce, (claims.token_id, "identity")) is None
    # And the token itself is refused as expired, so forgetting the nonce opens no replay.
    later = claims.expires_at + timedelta(seconds=1)
    assert refused(lambda: verify(db.session, keyring, token, purposes=CITY, now=later)) == Reason.EXPIRED


# --- numeric codes ------------------------------------------------------------------------


def test_luhn_check_digit():
    assert luhn_digit("7992739871") == "3"
    assert numeric_codes.is_well_formed("79927398713") is False  # 11 digits
    body = "123456789"
    assert numeric_codes.is_well_formed(body + luhn_digit(body))


def test_numeric_code_stands_for_one_live_token_and_works_once(app_context, keyring):
    token, claims = city_token(keyring)
    digits = issue_numeric(db.session, token, claims)
    assert len(digits) == 10 and digits.isdigit() and numeric_codes.is_well_formed(digits)
    typed = numeric_codes.group(digits)
    assert redeem_numeric(db.session, typed, verifier="account:1", now=NOW) == token
    reason = refused(lambda: redeem_numeric(db.session, digits, verifier="account:1", now=NOW))
    assert reason == Reason.REPLAYED


def test_numeric_code_expires_with_its_token(app_context, keyring):
    token, claims = city_token(keyring)
    digits = issue_numeric(db.session, token, claims)
    reason = refused(lambda: redeem_numeric(db.session, digits, verifier="account:1", now=claims.expires_at))
    assert reason == Reason.EXPIRED


def test_numeric_typo_is_malformed_and_not_counted_as_a_guess(app_context):
    for _ in range(10):
        assert refused(lambda: redeem_numeric(db.session, "1234567890", verifier="v", now=NOW)) in {
            Reason.MALFORMED, Reason.NOT_FOUND,
        }
    body = "123456789"
    wrong_check = body + str((int(luhn_digit(body)) + 1) % 10)
    assert refused(lambda: redeem_numeric(db.session, wrong_check, verifier="w", now=NOW)) == Reason.MALFORMED
    assert numeric_codes.recent_misses(db.session, "w", NOW) == 0


def test_guessing_numeric_codes_is_rate_limited_per_verifier(app_context, keyring):
    token, claims = city_token(keyring)
    real = issue_numeric(db.session, token, claims)
    guesses = []
    n = 100000000
    while len(guesses) < numeric_codes.MAX_MISSES:
        body = str(n)[:9]
        guess = body + luhn_digit(body)
        if guess != real:
            guesses.append(guess)
        n += 1
    for guess in guesses:
        assert refused(lambda guess=guess: redeem_numeric(db.session, guess, verifier="g", now=NOW)) == Reason.NOT_FOUND
    # Even the right code is refused to this verifier now; another desk is not affected.
    assert refused(lambda: redeem_numeric(db.session, real, verifier="g", now=NOW)) == Reason.RATE_LIMITED
    later = NOW + numeric_codes.MISS_WINDOW + timedelta(seconds=1)
    assert numeric_codes.recent_misses(db.session, "g", later) == 0
    assert redeem_numeric(db.session, real, verifier="h", now=NOW) == token


def test_numeric_codes_are_unique_among_those_kept(app_context, keyring, monkeypatch):
    token, claims = city_token(keyring)
    first = issue_numeric(db.session, token, claims)
    sequence = iter([first, first, "1234567897"])
    monkeypatch.setattr(numeric_codes, "_new_digits", lambda: next(sequence))
    token2, claims2 = city_token(keyring)
    assert issue_numeric(db.session, token2, claims2) == "1234567897"
    assert db.session.query(NumericCode).count() == 2
