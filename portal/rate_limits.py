"""Flask-Limiter's work skipped where no limit applies.

Only a few endpoints carry a limit (sign-in, second factor, the token endpoint, code pages, the
APIs). Flask-Limiter still resolves every request's limits before finding none, about a tenth of
the time of a page kept by `portal.page_cache`; a request filter that knows the limited endpoints
spares the others, and asked before the limiter's own hook it spares them the limiter's set-up too.

Of the limited endpoints, most carry their limits on the view (a decorator), whose wrapper checks
them itself; the limiter's before-request check finds nothing more to do there than resolve the
limits a second time (a twentieth of a token refresh), so it runs only where a blueprint's limits
apply.

Without Redis the counters live in each process's memory (`SweptMemoryStorage`).
"""

from __future__ import annotations

import threading

from flask import Flask, current_app, request
from flask_limiter.util import get_qualified_name
from limits.storage import MemoryStorage

from portal.extensions import limiter


class SweptMemoryStorage(MemoryStorage):
    """limits' in-process storage (`memory://`), its expired counters swept once a second.

    limits sweeps a hundredth of a second after a hit, on a thread of its own that then ends: under
    load, a new thread every few requests. On the token endpoint at 32 connections that cost about
    5 % of its throughput. A count does not wait for the sweep to expire (reading an expired window
    drops it), so sweeping only frees memory, and a second later frees it as well.
    """

    STORAGE_SCHEME = ["portal-memory"]
    SWEEP_SECONDS = 1.0

    # What MemoryStorage calls on every hit (by its private name, the only way in). Should limits
    # rename it or the sweep, tests/auth/test_rate_limits.py fails.
    def _MemoryStorage__schedule_expiry(self) -> None:
        if not self.timer.is_alive():
            self.timer = threading.Timer(self.SWEEP_SECONDS, self._MemoryStorage__expire_events)
            self.timer.daemon = True  # a process that exits does not wait for its next sweep
            self.timer.start()


# Every endpoint: application-wide or default limits make each one limited.
EVERY_ENDPOINT = None


def limited_endpoints(app: Flask) -> frozenset[str] | None:
    """The endpoints some limit applies to (a decorator on the view, or one on its blueprint), or
    EVERY_ENDPOINT. Read inside a request: a limit given as a function may read the configuration."""
    manager = limiter.limit_manager
    if manager.application_limits or manager.default_limits:
        return EVERY_ENDPOINT
    limited = set()
    for endpoint, view in app.view_functions.items():
        blueprint = endpoint.rpartition(".")[0]
        if manager.decorated_limits(get_qualified_name(view)) or (
            blueprint and manager.blueprint_limits(app, blueprint)
        ):
            limited.add(endpoint)
    return frozenset(limited)


def checked_before_the_view(app: Flask) -> frozenset[str] | None:
    """The endpoints whose limits only the limiter's before-request check applies (limits on
    their blueprint, not on the view itself), or EVERY_ENDPOINT. Application-wide and default
    limits are checked there for every endpoint, so either makes it EVERY_ENDPOINT, as it does for
    `limited_endpoints`."""
    manager = limiter.limit_manager
    if manager.application_limits or manager.default_limits:
        return EVERY_ENDPOINT
    return frozenset(
        endpoint for endpoint, view in app.view_functions.items()
        if (blueprint := endpoint.rpartition(".")[0]) and manager.blueprint_limits(app, blueprint)
        and not manager.decorated_limits(get_qualified_name(view))
    )


def _known(name: str, find) -> frozenset[str] | None:
    extensions = current_app.extensions
    if name not in extensions:
        extensions[name] = find(current_app)
    return extensions[name]


@limiter.request_filter
def no_limit_applies() -> bool:
    limited = _known("portal_limited_endpoints", limited_endpoints)
    return limited is not EVERY_ENDPOINT and request.endpoint not in limited


def nothing_to_check_before_the_view() -> bool:
    checked = _known("portal_checked_before_the_view", checked_before_the_view)
    return checked is not EVERY_ENDPOINT and request.endpoint not in checked


def init_app(app: Flask) -> None:
    """Ask the filter before the limiter's hooks run at all (after limiter.init_app): its
    before-request check, and its after-request headers and teardown, which have nothing to do
    where the check did not run. The filter stays registered, so the limiter itself still skips
    what it would skip."""
    # The hooks Flask-Limiter registers: its check, its headers (a partial) and its teardown.
    check = limiter._check_request_limit  # noqa: SLF001
    headers = limiter._Limiter__inject_headers  # noqa: SLF001
    release = limiter._Limiter__release_context  # noqa: SLF001
    for hooks, limiter_hook, takes_response, skip in (
        (app.before_request_funcs.setdefault(None, []), check, False, nothing_to_check_before_the_view),
        (app.after_request_funcs.setdefault(None, []), headers, True, no_limit_applies),
        (app.teardown_request_funcs.setdefault(None, []), release, False, no_limit_applies),
    ):
        for index, hook in enumerate(hooks):
            if hook == limiter_hook or getattr(hook, "func", None) == getattr(limiter_hook, "__func__", None):
                hooks[index] = _where_limited(hook, takes_response, skip)


def _where_limited(hook, takes_response: bool, skip):
    def where_limited(*args):
        if skip():
            return args[0] if takes_response else None  # an after-request hook passes the response on
        return hook(*args)

    return where_limited
