"""The session cookie: a cookie verified once is remembered, but still ages, and what a request
changes in its session never reaches another request that sends the same cookie."""

from __future__ import annotations

from portal import sessions


def _cookie_for(app, content: dict) -> str:
    interface = app.session_interface
    return interface.get_signing_serializer(app).dumps(content)


def _open(app, cookie: str):
    with app.test_request_context("/", headers={"Cookie": f"session={cookie}"}) as ctx:
        return ctx.session


def test_a_remembered_cookie_gives_each_request_its_own_copy(app):
    cookie = _cookie_for(app, {"_flashes": [("info", "one")], "csrf_token": "abc"})
    first = _open(app, cookie)
    first["_flashes"].append(("info", "two"))
    first["csrf_token"] = "changed"
    second = _open(app, cookie)  # answered from what the first verification remembered
    assert second["_flashes"] == [("info", "one")] and second["csrf_token"] == "abc"


def test_a_remembered_cookie_still_expires(app, monkeypatch):
    cookie = _cookie_for(app, {"csrf_token": "abc"})
    assert _open(app, cookie)["csrf_token"] == "abc"
    lifetime = int(app.permanent_session_lifetime.total_seconds())
    later = sessions.time.time() + lifetime + 60
    monkeypatch.setattr(sessions.time, "time", lambda: later)
    assert dict(_open(app, cookie)) == {}


def test_an_altered_cookie_is_refused_even_after_the_real_one_was_remembered(app):
    cookie = _cookie_for(app, {"csrf_token": "abc"})
    assert _open(app, cookie)["csrf_token"] == "abc"
    payload, _, signature = cookie.rpartition(".")
    altered = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    assert dict(_open(app, altered)) == {}


def test_a_new_secret_key_forgets_what_the_old_one_verified(make_app):
    app = make_app()
    cookie = _cookie_for(app, {"csrf_token": "abc"})
    assert _open(app, cookie)["csrf_token"] == "abc"
    app.secret_key = "another-secret-key-long-enough-for-the-portal-0123"
    assert dict(_open(app, cookie)) == {}
