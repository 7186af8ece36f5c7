"""City and enterprise codes forged, replayed, altered, expired or of the wrong kind, shown at the
desk's verification page and the enterprise card; and guessing: numeric codes, passwords, second
factors and reset codes, with the rate limiter on as in production."""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from portal.code_labels import REASONS
from portal.codes import Keyring, Purpose, Reason, issue
from portal.extensions import db
from portal.models.base import utcnow
from tests.helpers import DEMO_PASSWORD, DEMO_TOTP_SECRET
from tests.security.world import PEOPLE, Browser

# The token's layout (portal/codes/tokens.py): byte ranges of each field, and what changing a bit
# there must be refused as.
FIELDS = {
    "version": (0, 1, Reason.MALFORMED),
    "key id": (1, 2, Reason.UNKNOWN_KEY),
    "purpose": (2, 3, Reason.BAD_SIGNATURE),
    "subject length": (3, 4, Reason.MALFORMED),
    "subject": (4, 20, Reason.BAD_SIGNATURE),
    "issued at": (20, 24, Reason.BAD_SIGNATURE),
    "expires at": (24, 28, Reason.BAD_SIGNATURE),
    "nonce": (28, 36, Reason.BAD_SIGNATURE),
    "signature": (36, 52, Reason.BAD_SIGNATURE),
}


def _raw(token: str) -> bytes:
    return base64.b32decode(token + "=" * (-len(token) % 8))


def _token(raw: bytes) -> str:
    return base64.b32encode(raw).decode().rstrip("=")


def flipped(token: str, byte: int, bit: int) -> str:
    raw = bytearray(_raw(token))
    raw[byte] ^= 1 << bit
    return _token(bytes(raw))


def _subject(world, who: str) -> str:
    from portal.models import Account
    from tests.security.world import PEOPLE

    with world.app.app_context():
        return db.session.scalar(select(Account.public_id).where(Account.mobile == PEOPLE[who]))


def _live_code(world, who: str = "resident") -> tuple[str, str]:
    """A live city code of the resident: (QR payload, numeric code)."""
    from portal.city_code import issue_live_code
    from portal.code_keys import app_keyring
    from portal.models import Account
    from tests.security.world import PEOPLE

    with world.app.app_context():
        account = db.session.scalar(select(Account).where(Account.mobile == PEOPLE[who]))
        live = issue_live_code(db.session, app_keyring(), account)
        db.session.commit()
        return live.token, live.digits


def _signed(world, purpose: Purpose, subject: str, *, lifetime=timedelta(minutes=2), now=None, keyring=None) -> str:
    from portal.code_keys import app_keyring

    with world.app.app_context():
        ring = keyring or app_keyring()
        return issue(ring, purpose, subject, lifetime=lifetime, now=now or utcnow())[0]


def _verify(world, code: str, purpose: str = "identity") -> str:
    """What the desk's page says about a code: 'verified' or the reason for the refusal, as text."""
    response = world.post_as("officer.fs", "/gov/verify", {"purpose": purpose, "code": code})
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    if re.search(r'id="result-heading">Verified<', html):
        return "verified"
    for reason, text in REASONS.items():
        if str(text) in html:
            return reason
    raise AssertionError("no result on the page")


def test_a_genuine_code_is_verified_once_per_purpose(world):
    token, _digits = _live_code(world)
    assert _verify(world, token) == "verified"
    assert _verify(world, token) == Reason.REPLAYED
    assert _verify(world, token, "entry") == "verified"  # another purpose is another use
    assert _verify(world, token, "entry") == Reason.REPLAYED


def test_a_numeric_code_is_good_once(world):
    _token_, digits = _live_code(world)
    assert _verify(world, digits) == "verified"
    assert _verify(world, digits) == Reason.REPLAYED


def test_a_code_signed_with_another_key_is_refused(world):
    subject = _subject(world, "resident")
    same_id = Keyring({1: b"f" * 32}, current=1)
    assert _verify(world, _signed(world, Purpose.CITY_CODE, subject, keyring=same_id)) == Reason.BAD_SIGNATURE
    unknown_id = Keyring({9: b"f" * 32}, current=9)
    assert _verify(world, _signed(world, Purpose.CITY_CODE, subject, keyring=unknown_id)) == Reason.UNKNOWN_KEY


@pytest.mark.parametrize("field", FIELDS)
def test_every_altered_bit_is_refused(world, field):
    start, end, reason = FIELDS[field]
    token, _digits = _live_code(world)
    for byte in range(start, end):
        for bit in (0, 7) if end - start > 4 else range(8):
            assert _verify(world, flipped(token, byte, bit)) == reason, (field, byte, bit)
    assert _verify(world, token) == "verified", "the control: the unaltered code"


def test_truncated_padded_and_garbled_codes_are_refused(world):
    token, _digits = _live_code(world)
    for text in (token[:-1], token + "A", token[1:], token.lower()[:-1] + "1", "A" * len(token), "8" * len(token),
                 token.replace(token[10], "0"), "' OR 1=1 --", "x" * 200):
        assert _verify(world, text) in (Reason.MALFORMED, Reason.BAD_SIGNATURE), text


def test_an_expired_code_is_refused(world):
    subject = _subject(world, "resident")
    old = _signed(world, Purpose.CITY_CODE, subject, lifetime=timedelta(minutes=2),
                  now=utcnow() - timedelta(minutes=10))
    assert _verify(world, old) == Reason.EXPIRED


def test_an_enterprise_code_is_not_a_city_code(world):
    with world.app.app_context():
        from enterprise.services import issue_code
        from portal.code_keys import app_keyring
        from portal.models import Enterprise

        company = db.session.scalar(select(Enterprise).where(Enterprise.public_id == world.ids["company"]))
        token, _claims = issue_code(app_keyring(), company)
    assert _verify(world, token) == Reason.WRONG_PURPOSE


def test_the_enterprise_card_refuses_forged_altered_expired_and_city_codes(world):
    from enterprise.labels import CODE_REFUSALS
    from enterprise.services import uscc_subject
    from portal.models import Enterprise

    with world.app.app_context():
        from portal.code_keys import app_keyring

        company = db.session.scalar(select(Enterprise).where(Enterprise.public_id == world.ids["company"]))
        subject, name = uscc_subject(company.uscc), company.uscc
        genuine = issue(app_keyring(), Purpose.ENTERPRISE_CODE, subject, lifetime=timedelta(days=90),
                        now=utcnow())[0]
    card = Browser(world.app)
    response = card.get(f"/enterprise/code/{genuine}")
    assert response.status_code == 200 and name in response.get_data(as_text=True)
    city, _digits = _live_code(world)
    cases = {
        "forged": (_signed(world, Purpose.ENTERPRISE_CODE, subject, keyring=Keyring({1: b"f" * 32}, current=1)),
                   Reason.BAD_SIGNATURE),
        "altered subject": (flipped(genuine, 10, 3), Reason.BAD_SIGNATURE),
        "altered expiry": (flipped(genuine, 26, 0), Reason.BAD_SIGNATURE),
        "altered signature": (flipped(genuine, 50, 5), Reason.BAD_SIGNATURE),
        "expired": (_signed(world, Purpose.ENTERPRISE_CODE, subject, lifetime=timedelta(days=1),
                            now=utcnow() - timedelta(days=2)), Reason.EXPIRED),
        "a city code": (city, Reason.WRONG_PURPOSE),
        "garbled": (genuine[:-2], Reason.MALFORMED),
    }
    for label, (token, reason) in cases.items():
        for url in (f"/enterprise/code/{token}", f"/enterprise/code?token={token}"):
            response = card.get(url)
            html = unescape(response.get_data(as_text=True))
            assert response.status_code == 400, (label, url)
            assert str(CODE_REFUSALS[reason]) in html, label
            assert name not in html, label


def test_guessing_numeric_codes_is_stopped_after_five_misses(world):
    from portal.codes import luhn_digit

    _token_, digits = _live_code(world, "elder")
    guesses = [f"{n:09d}" for n in range(123456780, 123456790)]
    guesses = [g + luhn_digit(g) for g in guesses if g + luhn_digit(g) != digits][:5]
    officer = Browser(world.app)
    officer.sign_in("lead.fs")

    def check(code):
        response = officer.post("/gov/verify", data={"purpose": "identity", "code": code})
        html = unescape(response.get_data(as_text=True))
        return next((reason for reason, text in REASONS.items() if str(text) in html), "verified")

    assert [check(g) for g in guesses] == [Reason.NOT_FOUND] * 5
    assert check(digits) == Reason.RATE_LIMITED, "the right code after five wrong ones"
    assert _verify(world, digits) == "verified", "another officer's guesses do not lock this one out"


@pytest.fixture
def limited(make_app):
    """The app with the rate limiter on, as deployed (same database as the world)."""
    return make_app(RATELIMIT_ENABLED=True, WTF_CSRF_ENABLED=False)


def test_the_verification_page_is_rate_limited(world, limited):
    officer = Browser(limited)
    officer.sign_in("officer.jw")
    statuses = [officer.post("/gov/verify", data={"purpose": "identity", "code": "X"}).status_code
                for _ in range(61)]
    assert statuses[:60] == [200] * 60 and statuses[60] == 429


def test_passwords_lock_after_five_failures_even_for_the_right_one(world, forget_failures):
    browser = Browser(world.app)
    for _ in range(5):
        response = browser.post("/auth/login", data={"username": "13800000021", "password": "Wrong-guess-2026"})
    assert response.status_code == 429
    response = browser.post("/auth/login", data={"username": "13800000021", "password": DEMO_PASSWORD})
    assert response.status_code == 429 and "Too many failed attempts" in response.get_data(as_text=True)
    assert browser.get("/auth/account").status_code == 302
    # A name without an account locks alike: the lock tells nothing about who has an account.
    for _ in range(5):
        response = browser.post("/auth/login", data={"username": "13999999999", "password": "Wrong-guess-2026"})
    assert response.status_code == 429


def test_sign_in_attempts_are_rate_limited_per_name_and_address(world, limited, forget_failures):
    browser = Browser(limited)
    statuses = [browser.post("/auth/login", data={"username": f"1399999{n:04d}", "password": "x"}).status_code
                for n in range(31)]
    assert 429 in statuses and statuses.index(429) == 30, statuses
    other = Browser(limited)
    other.client.environ_base["REMOTE_ADDR"] = "10.0.0.2"
    same_name = [other.post("/auth/login", data={"username": "13800000022", "password": "x"}).status_code
                 for _ in range(11)]
    assert same_name[-1] == 429


@pytest.fixture
def forget_failures(world):
    """The module's people unlocked again after a test that locks them (the world outlives it)."""
    yield
    from auth.models import SignInThrottle

    with world.app.app_context():
        db.session.execute(SignInThrottle.__table__.delete())
        db.session.commit()


def _wrong_code(n: int) -> str:
    from auth import mfa

    code = f"{n:06d}"
    return code if mfa.matching_step(DEMO_TOTP_SECRET, code) is None else f"{(n + 1) % 1_000_000:06d}"


def _pending_second_factor(browser: Browser, login_name: str) -> None:
    response = browser.post("/auth/login", data={"username": login_name, "password": DEMO_PASSWORD})
    assert "/auth/mfa" in response.headers["Location"]


def test_second_factor_guesses_from_one_address_are_rate_limited(world, limited, forget_failures):
    """Ten a minute from one address, whichever accounts they are spread over (four each stays
    below every account's own lock)."""
    browser = Browser(limited)
    browser.client.environ_base["REMOTE_ADDR"] = "10.0.0.3"
    statuses = []
    for login_name, guesses in (("lead.jw", 4), ("officer.fs", 4), ("admin", 3)):
        _pending_second_factor(browser, login_name)
        statuses += [browser.post("/auth/mfa", data={"code": _wrong_code(n)}) for n in range(guesses)]
    assert [r.status_code for r in statuses] == [200] * 10 + [429]
    assert "Too many wrong codes" not in statuses[-1].get_data(as_text=True), "the address's limit, not a lock"
    assert browser.get("/gov/").status_code == 302


def test_second_factor_locks_after_five_wrong_codes_from_any_address(world, forget_failures):
    """With the password known, guesses spread over many addresses (or workers, each counting its
    own rate limits) still stop after five: the account's second factor locks, even for the right
    code, for 15 minutes, and nobody else's does."""
    from auth.models import SignInThrottle
    from portal.models import Account, AuditEvent
    from tests.helpers import totp_code

    with world.app.app_context():
        before = db.session.scalar(select(db.func.max(AuditEvent.id)))
    attacker = Browser(world.app)
    _pending_second_factor(attacker, "lead.jw")
    answers = []
    for n in range(5):
        attacker.client.environ_base["REMOTE_ADDR"] = f"203.0.113.{n + 1}"
        answers.append(attacker.post("/auth/mfa", data={"code": _wrong_code(n)}))
    assert [r.status_code for r in answers] == [200, 200, 200, 200, 429]
    assert "Too many wrong codes" in answers[-1].get_data(as_text=True)

    owner = Browser(world.app)
    _pending_second_factor(owner, "lead.jw")
    refused = owner.post("/auth/mfa", data={"code": totp_code(DEMO_TOTP_SECRET)})
    assert refused.status_code == 429 and "Too many wrong codes" in refused.get_data(as_text=True)
    assert owner.get("/gov/").status_code == 302
    Browser(world.app).sign_in("lead.fs")  # another officer signs in as ever

    with world.app.app_context():
        lead = db.session.scalar(select(Account.id).where(Account.username == "lead.jw"))
        outcomes = db.session.scalars(select(AuditEvent.action + ":" + AuditEvent.outcome).where(
            AuditEvent.id > before, AuditEvent.actor_id == lead,
            AuditEvent.action.in_(["mfa_verify", "lock"]))).all()
        assert outcomes.count("mfa_verify:failure") == 5 and outcomes.count("lock:locked") == 1
        assert outcomes.count("mfa_verify:locked") == 1
        # Fifteen minutes later the right code works again.
        db.session.execute(SignInThrottle.__table__.update().values(locked_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    owner = Browser(world.app)
    owner.sign_in("lead.jw")
    told = owner.get("/gov/messages").get_data(as_text=True)
    assert told.count("Your sign-in codes are locked for 15 minutes") == 1, "the owner is told once"


def test_a_taken_over_session_cannot_guess_the_password(world, forget_failures):
    """The forms that ask a signed-in person for their password again stop after five wrong ones:
    the password is not changed, not even with the right one. (Removing or moving an authenticator,
    the others, are locked alike: tests/auth/test_second_factor.py.)"""
    browser = Browser(world.app)
    browser.sign_in(PEOPLE["son"])
    change = {"password": "Another-2026-portal", "confirm": "Another-2026-portal"}
    answers = [browser.post("/auth/password", data={**change, "current_password": f"Guess-{n}-2026"})
               for n in range(5)]
    assert [r.status_code for r in answers] == [200, 200, 200, 200, 429]
    assert "Too many wrong passwords" in answers[-1].get_data(as_text=True)
    right = browser.post("/auth/password", data={**change, "current_password": DEMO_PASSWORD})
    assert right.status_code == 429 and "Too many wrong passwords" in right.get_data(as_text=True)
    codes = browser.post("/auth/mfa/recovery-codes", data={"password": DEMO_PASSWORD}, follow_redirects=True)
    assert "turn one on first" in codes.get_data(as_text=True), "no authenticator, so no recovery codes"
    assert not re.search(r"<li>[0-9a-f]{5}-[0-9a-f]{5}</li>", codes.get_data(as_text=True)), "no codes given"
    Browser(world.app).sign_in(PEOPLE["son"])  # the password is still the one it was


def test_reset_codes_are_rate_limited(world, limited):
    browser = Browser(limited)
    browser.client.environ_base["REMOTE_ADDR"] = "10.0.0.4"
    statuses = [browser.post("/auth/reset/confirm", data={
        "username": "13800000003", "code": f"{n:06d}", "password": "Another-2026-portal",
        "confirm": "Another-2026-portal"}).status_code for n in range(11)]
    assert statuses[-1] == 429 and 429 not in statuses[:10]
