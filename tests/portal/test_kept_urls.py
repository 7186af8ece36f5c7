"""Templates' `url_for` keeps the addresses it builds, and they are the addresses Flask builds."""

from __future__ import annotations

import pytest


@pytest.fixture
def kept(make_app):
    app = make_app()
    return app, app.jinja_env.globals["url_for"]


CALLS = [
    ("citizen.city_code", {}),
    ("citizen.city_code", {"new": 1}),
    ("citizen.paper_code", {"public_id": "abc123"}),
    ("citizen.paper_code", {"public_id": "a/b?c=d&e"}),
    ("static", {"filename": "css/portal.css", "v": "0123456789ab"}),
    ("gov.queue", {"status": "open", "after": "x y"}),
]


def test_a_kept_address_is_the_one_flask_builds_under_each_script_root(kept):
    app, url_for = kept
    for script_root in ("", "/portal", "", "/other"):
        with app.test_request_context("/citizen/", base_url=f"http://localhost{script_root}/"):
            for endpoint, values in CALLS:
                built = app.url_for(endpoint, **values)
                assert url_for(endpoint, **values) == built == url_for(endpoint, **values)
                assert built.startswith(script_root + "/")


def test_external_anchored_relative_and_outside_request_addresses_are_built_each_time(kept):
    app, url_for = kept
    with app.test_request_context("/citizen/", base_url="https://one.example"):
        assert url_for("citizen.city_code", _external=True) == "https://one.example/citizen/code"
        assert url_for("citizen.city_code", _anchor="live") == "/citizen/code#live"
        assert url_for(".city_code") == "/citizen/code"  # the request's own blueprint
        assert url_for("gov.queue", tags=["a", "b"]) == app.url_for("gov.queue", tags=["a", "b"])
    with app.test_request_context("/citizen/", base_url="https://two.example"):
        assert url_for("citizen.city_code", _external=True) == "https://two.example/citizen/code"
    app.config["SERVER_NAME"] = "portal.example"
    with app.app_context():
        assert url_for("citizen.city_code") == app.url_for("citizen.city_code")


def test_static_addresses_carry_the_file_digest(kept):
    app, _url_for = kept
    with app.test_request_context("/", base_url="http://localhost/portal/"):
        address = app.jinja_env.globals["static_url"]("js/city-code.js")
        assert address.startswith("/portal/static/js/city-code.js?v=") and len(address.rsplit("=", 1)[1]) == 12
