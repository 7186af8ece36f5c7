"""The example department system in examples/ signs a person in against the live portal."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.oidc.rp import follow

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "department_system" / "app.py"


@pytest.fixture
def example(live_server, monkeypatch):
    monkeypatch.setenv("PORTAL_URL", live_server)
    spec = importlib.util.spec_from_file_location("department_system_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.app.test_client()


def test_the_example_signs_in_and_out_through_the_portal(live_server, example, signed_in):
    sent = example.get("/login")
    assert sent.status_code == 302
    back = follow(signed_in, live_server, sent.location)
    landed = example.get(back.location.removeprefix("http://127.0.0.1:8001"))
    assert landed.status_code == 302, landed.get_data(as_text=True)
    assert "Signed in: 林小雨 (urn:portal:acr:password)" in example.get("/").get_data(as_text=True)

    logout = example.get("/logout")
    response = signed_in.get(logout.location, allow_redirects=False)
    assert response.headers["Location"] == "http://127.0.0.1:8001/"
    assert signed_in.get(f"{live_server}/auth/account", allow_redirects=False).status_code == 302
