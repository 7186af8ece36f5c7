"""Rate limits per client, advertised with the IETF RateLimit-Policy and RateLimit fields."""

from __future__ import annotations

import re

import pytest

from tests.api.conftest import API, DEPT_SYSTEM, basic, bearer

FIELD = re.compile(r'^"per-client";r=(\d+);t=(\d+)$')


@pytest.fixture
def limited(make_app, district):
    """An app with limits on: 3 calls a minute per client, 2 for calls without a token."""
    app = make_app(RATELIMIT_ENABLED=True, WTF_CSRF_ENABLED=False, API_RATE_LIMIT="3 per minute",
                   API_RATE_LIMIT_ANONYMOUS="2 per minute")
    return app.test_client()


def _token(http, client_id: str, secret: str) -> str:
    response = http.post("/oidc/token", data={"grant_type": "client_credentials"}, headers=basic(client_id, secret))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["access_token"]


def test_answers_carry_the_policy_and_what_is_left(limited):
    token = _token(limited, *DEPT_SYSTEM)
    remaining = []
    for _ in range(3):
        response = limited.get(f"{API}/cases", headers=bearer(token))
        assert response.status_code == 200
        assert response.headers["RateLimit-Policy"] == '"per-client";q=3;w=60'
        left, reset = FIELD.match(response.headers["RateLimit"]).groups()
        assert 0 <= int(reset) <= 60
        remaining.append(int(left))
    assert remaining == [2, 1, 0]


def test_past_the_quota_the_answer_is_429_with_retry_after(limited):
    token = _token(limited, *DEPT_SYSTEM)
    for _ in range(3):
        limited.get(f"{API}/cases", headers=bearer(token))
    response = limited.get(f"{API}/cases", headers=bearer(token))
    assert response.status_code == 429
    assert response.content_type == "application/problem+json"
    assert response.json["code"] == "rate_limited"
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert FIELD.match(response.headers["RateLimit"]).group(1) == "0"
    assert response.headers["RateLimit-Policy"] == '"per-client";q=3;w=60'


def test_the_quota_is_shared_by_every_operation_of_one_client(limited):
    token = _token(limited, *DEPT_SYSTEM)
    limited.get(f"{API}/cases", headers=bearer(token))
    limited.get(f"{API}/cases/unknown", headers=bearer(token))
    limited.post(f"{API}/cases/unknown/replies", headers=bearer(token), json={"text": "好"})
    assert limited.get(f"{API}/services", headers=bearer(token)).status_code == 429


def test_each_client_has_its_own_quota(limited, register_system):
    first = _token(limited, *DEPT_SYSTEM)
    second = _token(limited, *register_system("jjw"))
    for _ in range(3):
        limited.get(f"{API}/cases", headers=bearer(first))
    assert limited.get(f"{API}/cases", headers=bearer(first)).status_code == 429
    response = limited.get(f"{API}/cases", headers=bearer(second))
    assert response.status_code == 200
    assert FIELD.match(response.headers["RateLimit"]).group(1) == "2"


def test_calls_without_a_token_count_per_address(limited):
    assert limited.get(f"{API}/services").headers["RateLimit-Policy"] == '"per-client";q=2;w=60'
    limited.get(f"{API}/services")
    assert limited.get(f"{API}/services").status_code == 429


def test_limits_stay_off_where_the_configuration_says_so(client, dept_token):
    response = client.get(f"{API}/cases", headers=bearer(dept_token()))
    assert response.status_code == 200
    assert "RateLimit" not in response.headers
