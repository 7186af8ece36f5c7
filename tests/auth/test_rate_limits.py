from types import SimpleNamespace

import pytest

from portal.extensions import limiter
from portal.rate_limits import SweptMemoryStorage, checked_before_the_view, limited_endpoints
from tests.helpers import DEMO_PASSWORD, csrf_token


@pytest.fixture
def limited_app(make_app):
    """An app with rate limits on. The limiter is one object shared by every app in the process,
    so its switch and counters are put back afterwards."""
    app = make_app(RATELIMIT_ENABLED=True, WTF_CSRF_ENABLED=True)
    yield app
    limiter.reset()
    limiter.enabled = False


def test_sign_in_attempts_from_one_address_are_rate_limited(limited_app, seeded):
    client = limited_app.test_client()
    statuses = []
    for attempt in range(12):
        token = csrf_token(client.get("/auth/login").get_data(as_text=True))
        response = client.post(
            "/auth/login",
            data={"username": "13800000001", "password": f"Wrong-{attempt}-x", "csrf_token": token},
        )
        statuses.append(response.status_code)
    assert statuses[-1] == 429
    assert statuses.count(429) >= 2
    assert "RateLimit-Remaining" in response.headers or "X-RateLimit-Remaining" in response.headers


def test_password_reset_requests_are_rate_limited_per_name(limited_app, seeded):
    client = limited_app.test_client()
    statuses = []
    for _ in range(7):
        token = csrf_token(client.get("/auth/reset").get_data(as_text=True))
        statuses.append(client.post("/auth/reset", data={"username": "13800000001", "csrf_token": token}).status_code)
    assert statuses[:5] == [302] * 5
    assert statuses[5:] == [429, 429]


def test_every_view_the_limiter_wraps_is_known_as_limited(app):
    """Endpoints outside `limited_endpoints` skip the limiter altogether, so a limit whose view
    the list missed (a decorator that hides the view's name, say) would silently not apply."""
    with app.test_request_context("/"):
        limited = limited_endpoints(app)
    wrapped = {endpoint for endpoint, view in app.view_functions.items()
               if hasattr(view, "__wrapper-limiter-instance")}
    assert wrapped and wrapped <= limited
    assert {"auth.login", "oidc.token", "citizen.city_code_live", "api_v1.list_cases"} <= limited
    assert "citizen.home" not in limited and "static" not in limited


def test_a_page_without_a_limit_answers_while_limits_apply_elsewhere(limited_app, seeded):
    client = limited_app.test_client()
    assert client.get("/citizen/services").status_code == 200
    assert "X-RateLimit-Remaining" not in client.get("/citizen/services").headers
    assert "X-RateLimit-Remaining" in client.get("/api/v1/services").headers


def test_the_limiters_hooks_all_ask_the_filter_first(limited_app):
    """Its check, its headers and its teardown: a hook Flask-Limiter registered some other way
    would be left out, and cost every page again."""
    app = limited_app
    hooks = [*app.before_request_funcs[None], *app.after_request_funcs[None], *app.teardown_request_funcs[None]]
    names = [getattr(getattr(hook, "func", hook), "__qualname__", "") for hook in hooks]
    assert not [name for name in names if name.startswith("Limiter.")], names
    assert sum(name.endswith("where_limited") for name in names) == 3


def test_the_limiters_own_check_before_the_view_runs_only_where_a_blueprint_sets_the_limit(app):
    """A view's own limits are checked by its wrapper; a blueprint's only before the view."""
    with app.test_request_context("/"):
        checked = checked_before_the_view(app)
        limited = limited_endpoints(app)
    assert "api_v1.list_cases" in checked and checked <= limited
    assert {"auth.login", "oidc.token", "citizen.city_code_live", "gov.verify_code"} <= limited - checked


def test_a_views_own_limits_are_resolved_once_a_request(limited_app, monkeypatch):
    """By the view's wrapper only: the limiter's before-request check would resolve them again
    and find nothing more to apply."""
    manager = limiter.limit_manager
    resolved = []
    resolve = manager.resolve_limits
    monkeypatch.setattr(manager, "resolve_limits", lambda *a, **k: resolved.append(a[1]) or resolve(*a, **k))
    client = limited_app.test_client()
    assert client.post("/oidc/token", data={"grant_type": "refresh_token"}).status_code == 401
    assert resolved == ["oidc.token"]
    resolved.clear()
    assert client.get("/api/v1/services").status_code == 200
    assert resolved == ["api_v1.list_services"]  # a blueprint's limit: checked before the view


# --- the in-process storage -------------------------------------------------------------------------


def test_without_redis_the_limits_count_in_the_swept_storage(make_app):
    # One limiter serves every app: the storage is that of the app made last, this one.
    app = make_app(REDIS_URL=None, RATELIMIT_ENABLED=True)
    assert app.config["RATELIMIT_STORAGE_URI"] == "portal-memory://"
    assert isinstance(limiter.storage, SweptMemoryStorage)


def test_a_hit_schedules_the_next_sweep_a_second_away_not_a_hundredth():
    storage = SweptMemoryStorage()
    storage.timer.join()  # limits' own first sweep, scheduled as the storage is made
    storage.incr("sign-in/127.0.0.1", 60)
    scheduled = storage.timer
    try:
        assert scheduled.interval == SweptMemoryStorage.SWEEP_SECONDS == 1.0
        assert scheduled.daemon  # a process that exits does not wait for it
        storage.incr("sign-in/127.0.0.1", 60)
        assert storage.timer is scheduled  # hits while a sweep is due start no thread
        assert storage.get("sign-in/127.0.0.1") == 2
    finally:
        scheduled.cancel()


def test_an_expired_window_counts_nothing_before_the_sweep_and_is_swept_by_it(monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr("limits.storage.memory.time", SimpleNamespace(time=lambda: now[0]))
    storage = SweptMemoryStorage()
    storage.timer.join()
    storage.incr("running", 60)
    storage.incr("ended, read again", 5)
    storage.incr("ended, never read again", 5)
    storage.timer.cancel()
    now[0] += 10
    assert storage.get("ended, read again") == 0  # not swept yet: its window has ended all the same
    storage.timer.function()  # the sweep the timer would have run
    assert set(storage.expirations) == {"running"}
    assert storage.get("running") == 1


def test_changes_to_an_account_are_rate_limited_per_account(limited_app, seeded):
    """Each change is told to the owner by SMS: one account cannot make them without end, from any
    address, while another account from the same address goes on."""
    def sign_in(client, name):
        token = csrf_token(client.get("/auth/login").get_data(as_text=True))
        client.post("/auth/login", data={"username": name, "password": DEMO_PASSWORD, "csrf_token": token})

    first, second = limited_app.test_client(), limited_app.test_client()
    sign_in(first, "13800000001")
    sign_in(second, "13800000002")

    def ask_for_codes(client, address):
        token = csrf_token(client.get("/auth/account").get_data(as_text=True))
        return client.post("/auth/mfa/recovery-codes", data={"password": DEMO_PASSWORD, "csrf_token": token},
                           environ_base={"REMOTE_ADDR": address}).status_code

    statuses = [ask_for_codes(first, f"198.51.100.{n}") for n in range(11)]
    assert statuses[:10] == [302] * 10 and statuses[10] == 429
    assert ask_for_codes(second, "198.51.100.1") == 302
