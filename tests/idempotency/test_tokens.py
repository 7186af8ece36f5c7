"""The one-time token itself: expired and malformed tokens, refusals that leave it unused, two
copies of the same submission racing, and the clean-up of old records."""

from __future__ import annotations

import time
from datetime import timedelta

from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from portal import form_tokens
from portal.extensions import db
from portal.models import Case, CaseEvent, UsedFormToken
from portal.models.base import utcnow
from tests.idempotency.conftest import form_token, form_tokens_in
from tests.idempotency.test_creating_forms import LI, Sender


def _cases_titled(app, title: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Case.id)).where(Case.title == title))


def _old_token(app, monkeypatch, age_seconds: int) -> str:
    issued = int(time.time()) - age_seconds
    with monkeypatch.context() as patch, app.test_request_context():
        patch.setattr(TimestampSigner, "get_timestamp", lambda _self: issued)
        return form_tokens.issue(app)


def _request(token: str, title: str = "Broken street light") -> dict:
    return {"title": title, "body": "The light at the corner has been out for a week.", "form_token": token}


def test_an_expired_token_is_refused_in_words_and_keeps_what_was_typed(app, browser_for, monkeypatch):
    sender = Sender(app, browser_for, "citizen request")
    expired = _old_token(app, monkeypatch, 25 * 3600)
    with app.app_context():
        data = {**sender.form.data(sender.ctx, "Broken street light"), **_request(expired)}
    response = sender.browser.post("/citizen/requests/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This form was open for too long, so it was not sent. Check what you entered and send it again." in html
    assert 'value="Broken street light"' in html and "The light at the corner has been out for a week." in html
    assert _cases_titled(app, "Broken street light") == 0
    fresh = form_token(html)
    assert fresh != expired
    # What the page now carries goes through.
    assert sender.browser.post("/citizen/requests/new", data={**data, "form_token": fresh}).status_code == 303
    assert _cases_titled(app, "Broken street light") == 1


def test_a_token_a_day_old_still_works(app, browser_for, monkeypatch):
    sender = Sender(app, browser_for, "citizen request")
    with app.app_context():
        data = {**sender.form.data(sender.ctx, "Day old"), "form_token": _old_token(app, monkeypatch, 23 * 3600)}
    assert sender.browser.post("/citizen/requests/new", data=data).status_code == 303
    assert _cases_titled(app, "Day old") == 1


def test_a_malformed_or_forged_token_is_refused_in_words(app, browser_for):
    sender = Sender(app, browser_for, "citizen request")
    genuine = sender.token()
    forged = genuine[:-3] + ("aaa" if not genuine.endswith("aaa") else "bbb")
    for bad in ("not-a-token", forged):
        with app.app_context():
            data = {**sender.form.data(sender.ctx, "Forged"), "form_token": bad}
        response = sender.browser.post("/citizen/requests/new", data=data)
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "This form could not be checked, so it was not sent." in html
        assert 'value="Forged"' in html
        assert bad not in form_tokens_in(html)
    assert _cases_titled(app, "Forged") == 0


def test_a_refused_submission_leaves_its_token_unused(app, browser_for):
    """The desk refuses a merge into an unknown case and shows the page again (writing the view to
    the audit trail meanwhile): the corrected form, with the same token, still goes through."""
    sender = Sender(app, browser_for, "desk note")
    page = sender.browser.get(sender.page).get_data(as_text=True)
    token = form_token(page.split(f'action="/gov/cases/{sender.ctx["case"]}/note"')[1])
    refused = sender.browser.post(sender.url, data={"note-notes": "", "note-form_token": token})
    assert refused.status_code == 200 and "Write the note." in refused.get_data(as_text=True)
    merge_page = sender.browser.get(sender.page).get_data(as_text=True)
    merge_token = form_token(merge_page.split(f'action="/gov/cases/{sender.ctx["case"]}/merge"')[1])
    unknown = sender.browser.post(f"/gov/cases/{sender.ctx['case']}/merge",
                                  data={"merge-duplicate_of": "SJ-2020-999999", "merge-form_token": merge_token})
    assert "No case with that reference is in your queue." in unknown.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(UsedFormToken)) == 0

    assert sender.browser.post(sender.url, data={"note-notes": "Called the sender.", "note-form_token": token}) \
        .status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count(CaseEvent.id)).where(CaseEvent.notes == "Called the sender.")) == 1


def test_every_copy_of_a_form_on_a_page_gets_its_own_token(app, browser_for):
    resident = browser_for(LI)
    first, second = (form_tokens_in(resident.get("/citizen/requests/new").get_data(as_text=True)) for _ in range(2))
    assert len(first) == 1 and first != second


def test_the_second_of_two_racing_copies_is_rolled_back_and_shown_the_first_result(app, browser_for, monkeypatch):
    """Both copies arrive before either has committed: neither finds the token recorded, both run the
    view, and the database's unique key stops the second, whose whole transaction is rolled back."""
    sender = Sender(app, browser_for, "citizen request")
    token = sender.token()
    first = sender.send(token, "Racing")
    assert first.status_code == 303
    real_lookup, looks = form_tokens._recorded, []

    def missed_once(nonce):  # the second copy's early look happened before the first committed
        looks.append(nonce)
        return None if len(looks) == 1 else real_lookup(nonce)

    monkeypatch.setattr(form_tokens, "_recorded", missed_once)
    second = sender.send(token, "Racing")
    assert len(looks) >= 2  # it ran the view, then was answered as a repeat
    assert second.status_code == 303 and second.headers["Location"] == first.headers["Location"]
    assert _cases_titled(app, "Racing") == 1


def test_a_repeat_while_the_first_is_still_answering_waits_for_its_result(app, browser_for, monkeypatch):
    sender = Sender(app, browser_for, "citizen request")
    token = sender.token()
    with app.test_request_context():
        nonce = form_tokens.check(token).nonce
    with app.app_context():  # the first copy committed but has not stored where it sent the person
        db.session.add(UsedFormToken(nonce=nonce, used_at=utcnow(), expires_at=utcnow() + timedelta(hours=1)))
        db.session.commit()
    monkeypatch.setattr(form_tokens, "WAIT_FOR_FIRST_SECONDS", 0.3)
    response = sender.send(token, "Still answering")
    assert response.status_code == 200
    assert "You had already sent this form, so it was not sent a second time." in response.get_data(as_text=True)
    assert _cases_titled(app, "Still answering") == 0


def test_expired_records_are_deleted_by_the_clean_up(app, seeded):
    now = utcnow()
    with app.app_context():
        db.session.add_all([
            UsedFormToken(nonce="old", used_at=now - timedelta(days=2), expires_at=now - timedelta(days=1)),
            UsedFormToken(nonce="live", used_at=now, expires_at=now + timedelta(hours=20)),
        ])
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge-form-tokens"])
    assert result.exit_code == 0 and "1 expired form tokens deleted." in result.output
    with app.app_context():
        assert db.session.scalars(select(UsedFormToken.nonce)).all() == ["live"]


def test_a_token_someone_else_used_is_refused_not_answered_with_their_result(app, browser_for):
    """As if a cache had served one page, token included, to two people: the second person's
    submission is neither swallowed nor shown the first one's case."""
    first = Sender(app, browser_for, "citizen request")
    token = first.token()
    sent = first.send(token, "First person's request")
    assert sent.status_code == 303
    other = browser_for("13800000002")
    with app.app_context():
        data = {**first.form.data(first.ctx, "Second person's request"), "form_token": token}
    response = other.post("/citizen/requests/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and sent.headers["Location"] not in html
    assert "This copy of the form was already used, so it was not sent." in html
    assert 'value="Second person&#39;s request"' in html
    assert _cases_titled(app, "Second person's request") == 0
    assert other.post("/citizen/requests/new", data={**data, "form_token": form_token(html)}).status_code == 303
    assert _cases_titled(app, "Second person's request") == 1
