"""Flask-Limiter's work skipped where no limit applies.

Only a few endpoints carry a limit (sign-in, second factor, the token endpoint, code pages, the
APIs). Flask-Limiter still resolves every request's limits before finding none, about a tenth of
the time of a page kept by `portal.page_cache`; a request filter that knows the limited endpoints
spares the others, and asked before the limiter's own hook it spares them the limiter's set-up too.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_limiter.util import get_qualified_name

from portal.extensions import limiter

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


@limiter.request_filter
def no_limit_applies() -> bool:
    extensions = current_app.extensions
    if "portal_limited_endpoints" not in extensions:
        extensions["portal_limited_endpoints"] = limited_endpoints(current_app)
    limited = extensions["portal_limited_endpoints"]
    return limited is not EVERY_ENDPOINT and request.endpoint not in limited


def init_app(app: Flask) -> None:
    """Ask the filter before the limiter's hooks run at all (after limiter.init_app): its
    before-request check, and its after-request headers and teardown, which have nothing to do
    where the check did not run. The filter stays registered, so the limiter itself still skips
    what it would skip."""
    # The hooks Flask-Limiter registers: its check, its headers (a partial) and its teardown.
    check = limiter._check_request_limit  # noqa: SLF001
    headers = limiter._Limiter__inject_headers  # noqa: SLF001
    release = limiter._Limiter__release_context  # noqa: SLF001
    for hooks, limiter_hook, takes_response in (
        (app.before_request_funcs.setdefault(None, []), check, False),
        (app.after_request_funcs.setdefault(None, []), headers, True),
        (app.teardown_request_funcs.setdefault(None, []), release, False),
    ):
        for index, hook in enumerate(hooks):
            if hook == limiter_hook or getattr(hook, "func", None) == getattr(limiter_hook, "__func__", None):
                hooks[index] = _where_limited(hook, takes_response)


def _where_limited(hook, takes_response: bool):
    def where_limited(*args):
        if no_limit_applies():
            return args[0] if takes_response else None  # an after-request hook passes the response on
        return hook(*args)

    return where_limited
