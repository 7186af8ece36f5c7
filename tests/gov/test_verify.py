"""The desk's city-code check: only what the purpose allows, and each refusal with its reason."""

from __future__ import annotations

from datetime import timedelta

from portal.city_code import CODE_LIFETIME
from portal.code_keys import app_keyring
from portal.codes import Purpose, issue
from portal.extensions import db
from portal.models import Account
from portal.models.base import utcnow
from tests.helpers import DEMO_PASSWORD


def resident_token(app, mobile="13800000001", ago=timedelta(0)) -> str:
    with app.app_context():
        account = db.session.scalar(db.select(Account).filter_by(mobile=mobile))
        token, _claims = issue(app_keyring(), Purpose.CITY_CODE, account.public_id, lifetime=CODE_LIFETIME,
                               now=utcnow() - ago)
        return token


def check(client, code: str, purpose: str = "identity") -> str:
    response = client.post("/gov/verify", data={"code": code, "purpose": purpose})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_verification_shows_what_the_purpose_allows_and_refuses_with_reasons(app, client, login):
    login("officer.fs")
    page = client.get("/gov/verify").get_data(as_text=True)
    assert "Check a city code" in page and 'src="/static/js/code-scan' in page
    token = resident_token(app)
    html = check(client, token)
    assert "Verified" in html and "李*" in html and "310117" not in html
    assert "already been used" in check(client, token)  # replayed
    assert "李*" not in check(client, resident_token(app), purpose="entry")  # presence only
    assert "has expired" in check(client, resident_token(app, ago=timedelta(minutes=10)))
    fresh = resident_token(app)
    altered = fresh[:20] + ("A" if fresh[20] != "A" else "B") + fresh[21:]
    assert "not genuine" in check(client, altered)
    assert "Scan the code" in check(client, "")


def test_only_staff_verify(client, seeded):
    assert "/auth/login" in client.get("/gov/verify").headers["Location"]
    client.post("/auth/login", data={"username": "13800000001", "password": DEMO_PASSWORD})
    assert client.get("/gov/verify").status_code == 403
