"""Every error under /api/v1 is problem details with a stable code; malformed or unknown input is
refused (400/422/415), never a 500 and never silently ignored."""

from __future__ import annotations

import pytest

from tests.api.conftest import API, bearer

PROBLEM = "application/problem+json"


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == PROBLEM
    body = response.json
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"].endswith(f"/api/v1/docs#problem-{code}")
    assert body["title"]
    return body


@pytest.fixture
def case_and_token(dept_token, file_case):
    return file_case("sjj"), dept_token()


def test_no_token_asks_for_one(client, district):
    response = client.get(f"{API}/cases")
    _problem(response, 401, "authentication_required")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="portal-api", scope="cases:read"'


def test_an_unknown_token_is_invalid(client, district):
    response = client.get(f"{API}/cases", headers=bearer("made-up"))
    _problem(response, 401, "invalid_token")
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_another_authorization_scheme_is_not_a_token(client, district):
    response = client.get(f"{API}/cases", headers={"Authorization": "Basic Zm9vOmJhcg=="})
    _problem(response, 401, "authentication_required")


def test_a_token_without_the_write_scope_cannot_change_a_case(app, client, dept_token, file_case):
    case_id = file_case("sjj")
    token = dept_token(scope="cases:read")
    response = client.post(f"{API}/cases/{case_id}/transitions", headers=bearer(token), json={"action": "accept"})
    body = _problem(response, 403, "insufficient_scope")
    assert body["scope"] == "cases:write"
    assert response.headers["WWW-Authenticate"] == (
        'Bearer realm="portal-api", error="insufficient_scope", scope="cases:write"'
    )


def test_unknown_paths_and_methods_are_problems_too(client, district):
    _problem(client.get(f"{API}/no-such-thing"), 404, "not_found")
    _problem(client.get(f"{API}/cases/x/y/z"), 404, "not_found")
    response = client.delete(f"{API}/cases")
    _problem(response, 405, "method_not_allowed")
    assert set(response.headers["Allow"].split(", ")) >= {"GET"}


def test_a_body_that_is_not_json_is_refused(client, case_and_token):
    case_id, token = case_and_token
    url = f"{API}/cases/{case_id}/transitions"
    response = client.post(url, headers=bearer(token), data="action=accept",
                           content_type="application/x-www-form-urlencoded")
    _problem(response, 415, "unsupported_media_type")
    assert response.headers["Accept-Post"] == "application/json"
    _problem(client.post(url, headers=bearer(token), data="{not json", content_type="application/json"),
             400, "invalid_request")
    _problem(client.post(url, headers=bearer(token), data='["accept"]', content_type="application/json"),
             400, "invalid_request")
    _problem(client.post(url, headers=bearer(token), data='{"action": NaN}', content_type="application/json"),
             400, "invalid_request")


def test_unknown_members_are_refused_not_ignored(app, client, case_and_token):
    case_id, token = case_and_token
    response = client.post(f"{API}/cases/{case_id}/transitions", headers=bearer(token),
                           json={"action": "accept", "priority": "urgent"})
    body = _problem(response, 422, "unknown_field")
    assert body["errors"] == [{"pointer": "/priority", "detail": "Extra inputs are not permitted", "code": "unknown"}]
    state = client.get(f"{API}/cases/{case_id}", headers=bearer(token)).json["state"]
    assert state == "submitted"


@pytest.mark.parametrize("body, pointer", [
    ({"action": "fly"}, "/action"),
    ({"action": 7}, "/action"),
    ({"action": "request_extension", "reason": "材料多", "due": "next week"}, "/due"),
    ({"action": "note", "notes": 12}, "/notes"),
    ({"action": "note", "notes": ""}, "/notes"),
    ({"action": "note", "notes": "x" * 5001}, "/notes"),
    ({}, "/action"),
])
def test_malformed_members_are_refused_with_a_pointer(client, case_and_token, body, pointer):
    case_id, token = case_and_token
    response = client.post(f"{API}/cases/{case_id}/transitions", headers=bearer(token), json=body)
    found = _problem(response, 422, "validation_failed")
    assert [error["pointer"] for error in found["errors"]] == [pointer]


def test_a_reply_needs_its_text(client, case_and_token):
    case_id, token = case_and_token
    response = client.post(f"{API}/cases/{case_id}/replies", headers=bearer(token), json={})
    assert _problem(response, 422, "validation_failed")["errors"][0]["pointer"] == "/text"


@pytest.mark.parametrize("query, code", [
    ("colour=red", "unknown_field"),
    ("limit=0", "invalid_request"),
    ("limit=ten", "invalid_request"),
    ("state=lost", "invalid_request"),
    ("kind=request&kind=appeal", "invalid_request"),
    ("overdue=perhaps", "invalid_request"),
])
def test_query_parameters_are_checked_too(client, dept_token, district, query, code):
    response = client.get(f"{API}/cases?{query}", headers=bearer(dept_token()))
    _problem(response, 400, code)


def test_a_body_too_large_is_refused(app, client, case_and_token):
    case_id, token = case_and_token
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(f"{API}/cases/{case_id}/transitions", headers=bearer(token), data=big,
                           content_type="application/json")
    _problem(response, 413, "payload_too_large")


def test_an_unexpected_failure_is_a_problem_and_changes_nothing(app, client, case_and_token, monkeypatch):
    from api.v1 import cases

    case_id, token = case_and_token

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(cases, "transition", broken)
    response = client.post(f"{API}/cases/{case_id}/transitions", headers=bearer(token), json={"action": "accept"})
    body = _problem(response, 500, "internal_error")
    assert "database" not in str(body)  # nothing of the failure leaks
