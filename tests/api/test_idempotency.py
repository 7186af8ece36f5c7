"""`Idempotency-Key` on POST: a retried request answers as the first did and acts only once."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import requests
from sqlalchemy import select

from api.v1.models import IdempotencyRecord
from portal.extensions import db
from portal.models import Case, CaseEvent
from tests.api.conftest import API, DEPT_SYSTEM, bearer, file_live_case


def _events(app, public_id: str) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(
            select(CaseEvent.action).join(Case).where(Case.public_id == public_id).order_by(CaseEvent.id)
        ))


def test_a_retry_with_the_same_key_replays_the_answer_and_acts_once(app, client, dept_token, file_case):
    case_id = file_case("sjj")
    token = dept_token()
    headers = {**bearer(token), "Idempotency-Key": "5a1c2e9e-reply-1"}
    url = f"{API}/cases/{case_id}/transitions"
    first = client.post(url, headers=headers, json={"action": "accept"})
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    again = client.post(url, headers=headers, json={"action": "accept"})
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json == first.json
    assert again.headers["Location"] == first.headers["Location"]
    assert _events(app, case_id) == ["submit", "accept"]


def test_member_order_and_spacing_do_not_make_another_request(app, client, dept_token, file_case):
    case_id = file_case("sjj")
    headers = {**bearer(dept_token()), "Idempotency-Key": "k-order"}
    url = f"{API}/cases/{case_id}/transitions"
    client.post(url, headers=headers, data='{"action":"note","notes":"一"}', content_type="application/json")
    again = client.post(url, headers=headers, data='{ "notes": "一",  "action": "note" }',
                        content_type="application/json")
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert _events(app, case_id) == ["submit", "note"]


def test_the_same_key_with_another_body_is_a_conflict(app, client, dept_token, file_case):
    case_id = file_case("sjj")
    headers = {**bearer(dept_token()), "Idempotency-Key": "k-conflict"}
    url = f"{API}/cases/{case_id}/transitions"
    client.post(url, headers=headers, json={"action": "note", "notes": "一"})
    response = client.post(url, headers=headers, json={"action": "note", "notes": "二"})
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert response.json["code"] == "idempotency_conflict"
    other_case = file_case("sjj")
    elsewhere = client.post(f"{API}/cases/{other_case}/transitions", headers=headers,
                            json={"action": "note", "notes": "一"})
    assert elsewhere.json["code"] == "idempotency_conflict"  # a key is bound to its path too
    assert _events(app, case_id) == ["submit", "note"]
    assert _events(app, other_case) == ["submit"]


def test_keys_belong_to_their_client(app, client, dept_token, register_system, file_case):
    case_id = file_case("sjj")
    token = dept_token()
    other = dept_token(*register_system("sjj"))
    url = f"{API}/cases/{case_id}/transitions"
    for who in (token, other):
        response = client.post(url, headers={**bearer(who), "Idempotency-Key": "shared-key"},
                               json={"action": "note", "notes": "各自的备注"})
        assert "Idempotent-Replayed" not in response.headers
    assert _events(app, case_id) == ["submit", "note", "note"]


def test_a_refused_request_does_not_use_up_the_key(app, client, dept_token, file_case):
    case_id = file_case("sjj")
    headers = {**bearer(dept_token()), "Idempotency-Key": "k-refused"}
    url = f"{API}/cases/{case_id}/transitions"
    assert client.post(url, headers=headers, json={"action": "close"}).status_code == 409
    with app.app_context():
        assert db.session.scalar(select(IdempotencyRecord.id)) is None
    assert client.post(url, headers=headers, json={"action": "close"}).status_code == 409


def test_keys_are_forgotten_after_a_day(app, client, dept_token, file_case):
    case_id = file_case("sjj")
    headers = {**bearer(dept_token()), "Idempotency-Key": "k-old"}
    url = f"{API}/cases/{case_id}/transitions"
    client.post(url, headers=headers, json={"action": "note", "notes": "一"})
    with app.app_context():
        record = db.session.scalar(select(IdempotencyRecord))
        assert record.expires_at - record.created_at == timedelta(hours=24)
        record.expires_at = record.created_at - timedelta(seconds=1)
        db.session.commit()
    again = client.post(url, headers=headers, json={"action": "note", "notes": "二"})
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert _events(app, case_id) == ["submit", "note", "note"]


def test_a_malformed_key_is_refused(client, dept_token, file_case):
    case_id = file_case("sjj")
    for key in ("", "with space", "x" * 256):
        response = client.post(f"{API}/cases/{case_id}/transitions",
                               headers={**bearer(dept_token()), "Idempotency-Key": key}, json={"action": "accept"})
        assert response.status_code == 400, key
        assert response.json["errors"][0]["pointer"] == "Idempotency-Key"


def test_a_quoted_key_as_the_ietf_draft_writes_it_is_the_same_key(app, client, dept_token, file_case):
    case_id = file_case("sjj")
    token = dept_token()
    url = f"{API}/cases/{case_id}/transitions"
    client.post(url, headers={**bearer(token), "Idempotency-Key": '"k-quoted"'}, json={"action": "accept"})
    again = client.post(url, headers={**bearer(token), "Idempotency-Key": "k-quoted"}, json={"action": "accept"})
    assert again.headers["Idempotent-Replayed"] == "true"


def test_concurrent_requests_with_one_key_act_once(live_server, live_settings):
    """Two workers receive the same request at the same moment: one acts, the other answers as it did."""
    http = requests.Session()
    token = http.post(f"{live_server}/oidc/token", auth=DEPT_SYSTEM,
                      data={"grant_type": "client_credentials"}).json()["access_token"]
    case_id = file_live_case(live_settings, title="并发测试")

    key = str(uuid.uuid4())
    barrier = threading.Barrier(4)
    answers: list[requests.Response] = []

    def send():
        with requests.Session() as own:
            barrier.wait()
            answers.append(own.post(f"{live_server}{API}/cases/{case_id}/transitions", json={"action": "accept"},
                                    headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key}))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [answer.status_code for answer in answers] == [201] * 4, [a.text for a in answers]
    assert len({answer.text for answer in answers}) == 1
    assert sum(answer.headers.get("Idempotent-Replayed") == "true" for answer in answers) == 3
    history = http.get(f"{live_server}{API}/cases/{case_id}", headers={"Authorization": f"Bearer {token}"}).json()
    assert [event["action"] for event in history["events"]] == ["submit", "accept"]
