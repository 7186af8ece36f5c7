"""verify_city_code: what a desk sees, what is recorded, and every refusal, through the service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal import city_code
from portal.audit import Origin
from portal.codes import Purpose, Reason, issue
from portal.extensions import db
from portal.models import AuditEvent, CodeVerification

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
ORIGIN = Origin(ip_address="10.0.0.7", user_agent="desk")


@pytest.fixture
def people(make_resident, make_officer):
    return make_resident("王秀英"), make_officer()


def check(raw, officer, keyring, purpose="identity", now=NOW):
    return city_code.verify_city_code(db.session, raw, purpose, officer, ORIGIN, keyring=keyring, now=now)


def test_a_live_code_verifies_once_showing_only_the_masked_name(people, keyring):
    elder, officer = people
    live = city_code.issue_live_code(db.session, keyring, elder, now=NOW)
    result = check(live.token, officer, keyring)
    assert result.verified and result.reason is None
    assert result.masked_name == "王*英"
    assert result.channel == "qr"
    shown = repr(result)
    assert elder.resident.resident_id_number not in shown and elder.mobile not in shown
    assert elder.public_id not in shown
    again = check(live.token, officer, keyring)
    assert not again.verified and again.reason == Reason.REPLAYED and again.masked_name is None


def test_the_entry_purpose_shows_no_name(people, keyring):
    elder, officer = people
    live = city_code.issue_live_code(db.session, keyring, elder, now=NOW)
    result = check(live.token, officer, keyring, purpose="entry")
    assert result.verified and result.masked_name is None


def test_each_verification_is_in_the_residents_history_and_the_audit_trail(people, keyring):
    elder, officer = people
    live = city_code.issue_live_code(db.session, keyring, elder, now=NOW)
    check(live.token, officer, keyring)
    check(live.token, officer, keyring)
    history = city_code.verification_history(db.session, elder)
    assert [row.outcome for row in history] == ["replayed", "verified"]  # newest first
    assert {row.verifier_id for row in history} == {officer.id}
    assert history[0].department.code == "fsjd" and history[0].purpose == "identity"
    audits = db.session.scalars(db.select(AuditEvent).filter_by(action="city_code.verify")).all()
    assert len(audits) == 2
    assert {(a.actor_id, a.subject_id) for a in audits} == {(officer.id, elder.id)}
    assert {a.outcome for a in audits} == {"success", "failure"}
    assert audits[0].ip_address == "10.0.0.7"


def test_the_numeric_code_verifies_the_same_token(people, keyring):
    elder, officer = people
    live = city_code.issue_live_code(db.session, keyring, elder, now=NOW)
    result = check(live.grouped_digits, officer, keyring)
    assert result.verified and result.channel == "numeric" and result.masked_name == "王*英"
    # The QR of the same code was used up for this purpose by the numeric code.
    assert check(live.token, officer, keyring).reason == Reason.REPLAYED
    assert check(live.digits, officer, keyring).reason == Reason.REPLAYED


def test_expired_forged_altered_and_foreign_codes_are_refused_with_their_reason(people, keyring):
    elder, officer = people
    old = city_code.issue_live_code(db.session, keyring, elder, now=NOW - timedelta(minutes=5))
    assert check(old.token, officer, keyring).reason == Reason.EXPIRED
    live = city_code.issue_live_code(db.session, keyring, elder, now=NOW)
    altered = live.token[:40] + ("B" if live.token[40] != "B" else "C") + live.token[41:]
    result = check(altered, officer, keyring)
    assert result.reason == Reason.BAD_SIGNATURE and result.masked_name is None
    enterprise, _ = issue(keyring, Purpose.ENTERPRISE_CODE, elder.public_id, lifetime=timedelta(minutes=1), now=NOW)
    assert check(enterprise, officer, keyring).reason == Reason.WRONG_PURPOSE
    assert check("not a code", officer, keyring).reason == Reason.MALFORMED
    # A forged code names nobody, so it is in no resident's history, but it is in the audit trail.
    forged = db.session.scalars(db.select(CodeVerification).filter_by(outcome="bad_signature")).one()
    assert forged.account_id is None
    # The expired one is in the elder's history: she can see someone tried an old code.
    assert "expired" in {row.outcome for row in city_code.verification_history(db.session, elder)}


def test_a_paper_code_verifies_many_times_until_revoked(people, keyring, make_resident):
    elder, officer = people
    son = make_resident("王建国")
    paper = city_code.issue_paper_code(db.session, keyring, actor=son, subject=elder, origin=ORIGIN, now=NOW)
    assert paper.expires_at - paper.issued_at == timedelta(days=180)
    for _ in range(2):
        result = check(paper.token, officer, keyring)
        assert result.verified and result.channel == "paper"
    later = NOW + timedelta(days=179)
    assert check(paper.token, officer, keyring, now=later).verified
    assert city_code.revoke_paper_code(db.session, paper, actor=elder, origin=ORIGIN, now=NOW)
    assert check(paper.token, officer, keyring).reason == Reason.REVOKED
    issue_audit = db.session.scalars(db.select(AuditEvent).filter_by(action="paper_code.issue")).one()
    assert (issue_audit.actor_id, issue_audit.subject_id) == (son.id, elder.id)


def test_a_new_paper_code_replaces_the_old_one(people, keyring):
    elder, officer = people
    first = city_code.issue_paper_code(db.session, keyring, actor=elder, subject=elder, now=NOW)
    second = city_code.issue_paper_code(db.session, keyring, actor=elder, subject=elder, now=NOW)
    assert check(first.token, officer, keyring).reason == Reason.REVOKED
    assert check(second.token, officer, keyring).verified
    assert city_code.paper_codes_of(db.session, elder) == [second, first]  # newest first


def test_a_closed_account_makes_its_codes_fail(people, keyring):
    elder, officer = people
    live = city_code.issue_live_code(db.session, keyring, elder, now=NOW)
    elder.is_active = False
    assert check(live.token, officer, keyring).reason == Reason.REVOKED


def test_only_staff_verify_and_only_known_purposes(people, keyring, make_resident):
    elder, officer = people
    live = city_code.issue_live_code(db.session, keyring, elder, now=NOW)
    with pytest.raises(PermissionError):
        check(live.token, make_resident("路人"), keyring)
    with pytest.raises(ValueError):
        check(live.token, officer, keyring, purpose="everything")


def test_guessing_numeric_codes_at_a_desk_is_stopped(people, keyring):
    from portal.codes import luhn_digit

    _elder, officer = people
    reasons = []
    for n in range(7):
        body = f"90000000{n}"
        reasons.append(check(body + luhn_digit(body), officer, keyring).reason)
    assert reasons[:5] == [Reason.NOT_FOUND] * 5
    assert reasons[5:] == [Reason.RATE_LIMITED] * 2


@pytest.mark.parametrize(
    ("name", "masked"), [("王秀英", "王*英"), ("李明", "李*"), ("欧阳娜娜", "欧**娜"), ("X", "*"), ("", "")]
)
def test_mask_name(name, masked):
    assert city_code.mask_name(name) == masked


def test_the_code_shown_last_is_shown_again_only_within_its_minute(people, keyring):
    elder, _officer = people
    first = city_code.shown_live_code(db.session, keyring, elder, None, now=NOW)
    assert first.refresh_seconds == city_code.REFRESH_SECONDS and not first.shown_before
    kept = city_code.LiveCode.from_kept(first.kept())
    again = city_code.shown_live_code(db.session, keyring, elder, kept, now=NOW + timedelta(seconds=30))
    assert (again.token, again.digits) == (first.token, first.digits)
    assert again.shown_before and again.refresh_seconds == 30  # the page asks for the next one on time
    late = NOW + timedelta(seconds=city_code.REFRESH_SECONDS - city_code.MIN_SECONDS_LEFT + 1)
    replaced = city_code.shown_live_code(db.session, keyring, elder, kept, now=late)
    assert replaced.token != first.token and not replaced.shown_before
    early = city_code.shown_live_code(db.session, keyring, elder, kept, now=NOW - timedelta(seconds=1))
    assert early.token != first.token  # a clock gone back: never trust a code "from the future"


@pytest.mark.parametrize("seconds_in, alike_for", [(0, 1), (0.4, 0.6), (30, 1), (49.2, 0.8), (50, 0)])
def test_a_page_showing_a_code_stays_the_same_until_its_countdown_ticks(people, keyring, seconds_in, alike_for):
    elder, _officer = people
    first = city_code.shown_live_code(db.session, keyring, elder, None, now=NOW)
    shown = first if seconds_in == 0 else city_code.shown_live_code(
        db.session, keyring, elder, first, now=NOW + timedelta(seconds=seconds_in))
    assert shown.token == first.token
    until = city_code.shown_alike_until(shown)
    assert until == NOW + timedelta(seconds=seconds_in + alike_for)
    # Just before then the same code is shown with the same countdown; from then on it is not.
    if alike_for:
        before = city_code.shown_live_code(db.session, keyring, elder, first, now=until - timedelta(milliseconds=1))
        assert (before.token, before.refresh_seconds) == (shown.token, shown.refresh_seconds)
    after = city_code.shown_live_code(db.session, keyring, elder, first, now=until + timedelta(milliseconds=1))
    assert (after.token, after.refresh_seconds) != (shown.token, shown.refresh_seconds)


@pytest.mark.parametrize("channel", ["qr", "numeric"])
def test_a_code_once_used_is_never_shown_again(people, keyring, channel):
    elder, officer = people
    first = city_code.shown_live_code(db.session, keyring, elder, None, now=NOW)
    assert check(first.token if channel == "qr" else first.digits, officer, keyring, purpose="entry").verified
    following = city_code.shown_live_code(db.session, keyring, elder, first, now=NOW + timedelta(seconds=5))
    assert following.token != first.token and following.digits != first.digits


@pytest.mark.parametrize("kept", [None, {}, {"token": "x"}, {"token": "x", "digits": "1", "token_id": "c:1",
                                                           "issued_at": "yesterday", "expires_at": "2026"}])
def test_a_kept_code_that_does_not_read_is_none(kept):
    assert city_code.LiveCode.from_kept(kept) is None
