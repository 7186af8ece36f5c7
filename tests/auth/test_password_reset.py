import re

from sqlalchemy import select

from portal.extensions import db
from portal.models import OutboxMessage
from tests.helpers import DEMO_PASSWORD


def last_code(app, mobile: str) -> str:
    with app.app_context():
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == mobile).order_by(OutboxMessage.id.desc())
        ).first()
        return re.search(r"\b(\d{6})\b", message.body).group(1)


def test_reset_code_goes_to_the_outbox_and_changes_the_password(app, client, seeded):
    response = client.post("/auth/reset", data={"username": "13800000001"})
    assert response.headers["Location"].startswith("/auth/reset/confirm")
    code = last_code(app, "13800000001")
    done = client.post(
        "/auth/reset/confirm",
        data={"username": "13800000001", "code": code, "password": "Brand-new-pass-42", "confirm": "Brand-new-pass-42"},
    )
    assert done.headers["Location"] == "/auth/login"
    old = client.post("/auth/login", data={"username": "13800000001", "password": DEMO_PASSWORD})
    assert old.status_code == 200
    new = client.post("/auth/login", data={"username": "13800000001", "password": "Brand-new-pass-42"})
    assert new.status_code == 302
    # The code is spent.
    again = client.post(
        "/auth/reset/confirm",
        data={"username": "13800000001", "code": code, "password": "Other-new-pass-43", "confirm": "Other-new-pass-43"},
    )
    assert "wrong or has expired" in again.get_data(as_text=True)


def test_unknown_names_get_the_same_answer_and_no_message(app, client, seeded):
    known = client.post("/auth/reset", data={"username": "13800000001"})
    unknown = client.post("/auth/reset", data={"username": "13899999999"})
    assert known.status_code == unknown.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "13899999999")) is None


def test_a_weak_new_password_is_refused_and_the_entries_kept(app, client, seeded):
    client.post("/auth/reset", data={"username": "13800000001"})
    code = last_code(app, "13800000001")
    page = client.post(
        "/auth/reset/confirm",
        data={"username": "13800000001", "code": code, "password": "password", "confirm": "password"},
    ).get_data(as_text=True)
    assert "too common" in page
    assert f'value="{code}"' in page and 'value="13800000001"' in page


def test_registration_checks_the_resident_id_and_keeps_what_was_typed(client, seeded):
    page = client.post(
        "/auth/register",
        data={"real_name": "刘洋", "mobile": "13912345678", "resident_id_number": "310117199001011230",
              "password": "Good-pass-2026x", "confirm": "Good-pass-2026x"},
    ).get_data(as_text=True)
    assert "not valid" in page
    assert 'value="刘洋"' in page and 'value="13912345678"' in page


NEW_PASSWORD = "Brand-new-pass-42"  # noqa: S105 - a test's new password


def _confirm(client, code: str, password: str = NEW_PASSWORD):
    return client.post("/auth/reset/confirm", data={"username": "13800000001", "code": code,
                                                    "password": password, "confirm": password})


def test_five_wrong_codes_spend_the_code(app, client, seeded):
    client.post("/auth/reset", data={"username": "13800000001"})
    code = last_code(app, "13800000001")
    wrong = [f"{(int(code) + n) % 1_000_000:06d}" for n in range(1, 6)]
    assert all("wrong or has expired" in _confirm(client, guess).get_data(as_text=True) for guess in wrong)
    assert "wrong or has expired" in _confirm(client, code).get_data(as_text=True)
    assert client.post("/auth/login", data={"username": "13800000001", "password": DEMO_PASSWORD}).status_code == 302


def test_the_right_code_with_weak_passwords_is_not_spent(app, client, seeded):
    client.post("/auth/reset", data={"username": "13800000001"})
    code = last_code(app, "13800000001")
    assert all("too common" in _confirm(client, code, "password").get_data(as_text=True) for _ in range(6))
    assert _confirm(client, code).headers["Location"] == "/auth/login"
