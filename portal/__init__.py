"""The district portal: one Flask application serving the citizen, enterprise and government ends."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.ctx import RequestContext

from portal import read_sets
from portal.config import DEFAULT_INSTANCE_PATH, PROJECT_ROOT, config_class, read_environment
from portal.templating import PortalEnvironment

# Where a GET the page shortcut built a request for, and did not answer, keeps that request for Flask.
EARLY_REQUEST = "portal.early_request"


class PortalFlask(Flask):
    """Flask, remembering which views and hooks are plain functions, answering kept pages before
    its request handling where it may (portal.page_shortcut), and with Jinja's environment of
    portal.templating.

    Flask asks of every hook and view, on every request, whether it is a coroutine function (about
    two dozen `inspect` calls a request); the answer never changes, so it is asked once."""

    # Hooks and views number in the dozens; a function made for one request (after_this_request)
    # would make the set grow for ever, so past this many it is asked about every time.
    PLAIN_FUNCTIONS_KEPT = 512
    jinja_environment = PortalEnvironment

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._plain_functions: set = set()
        from portal.i18n import PortalRequest

        self.request_class = PortalRequest

    def ensure_sync(self, func):
        try:
            if func in self._plain_functions:
                return func
        except TypeError:  # an unhashable callable: ask every time
            return super().ensure_sync(func)
        wrapped = super().ensure_sync(func)
        if wrapped is func and len(self._plain_functions) < self.PLAIN_FUNCTIONS_KEPT:
            self._plain_functions.add(func)
        return wrapped

    def wsgi_app(self, environ, start_response):
        shortcut = self.extensions.get("page_shortcut")
        if shortcut is None:
            return super().wsgi_app(environ, start_response)
        answer = shortcut.answer(environ, start_response)
        if answer is not None:
            environ.pop(EARLY_REQUEST, None)
            return answer
        if environ.get("REQUEST_METHOD") != "GET":
            return super().wsgi_app(environ, start_response)
        # What the answer read, for the shortcut to remember with it: on the pages it may remember.
        with read_sets.recording(wanted=shortcut.may_remember):
            return super().wsgi_app(environ, shortcut.remembering(environ, start_response))

    def request_context(self, environ):
        # The request the shortcut built and did not answer, with the cookies it parsed: not built again.
        built = environ.pop(EARLY_REQUEST, None)
        if built is None:
            return super().request_context(environ)
        built.json_module = self.json
        return RequestContext(self, environ, request=built)


def create_app(config_overrides: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, in that order."""
    app = PortalFlask(
        __name__,
        instance_path=str(DEFAULT_INSTANCE_PATH),
        static_folder=str(PROJECT_ROOT / "static"),
        static_url_path="/static",
    )
    _configure(app, config_overrides or {})

    from portal import assets, database, errors, i18n, kept_urls, preferences, rate_limits, security
    from portal.extensions import csrf, db, limiter, login_manager, migrate

    database.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)  # its storage's scheme (portal-memory) is portal.rate_limits'
    rate_limits.init_app(app)  # the limiter's work skipped where no limit applies
    i18n.init_app(app)
    preferences.init_app(app)
    kept_urls.init_app(app)  # the addresses templates build, built once
    assets.init_app(app)
    security.init_app(app)
    from portal import page_cache, page_parts, signed_csrf

    signed_csrf.init_app(app)  # before page_cache: its after_request must see the kept pages' token
    page_cache.init_app(app)  # pages the same for everyone, rendered once a minute (docs/performance.md)
    page_parts.init_app(app)  # the header and footer, rendered once for each kind of page
    from portal import page_shortcut, sessions

    sessions.init_app(app)  # the session cookie's signer, built once
    page_shortcut.init_app(app)  # kept pages answered before the request handling
    errors.init_app(app)

    from portal import jobs, observability

    observability.init_app(app)  # request ids, JSON logs, /metrics
    jobs.init_app(app)  # background jobs: in process, or on Redis with `flask worker`
    if int(app.config.get("PROXY_COUNT") or 0):  # behind nginx: the client's address from X-Forwarded-*
        from werkzeug.middleware.proxy_fix import ProxyFix

        proxies = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    from portal import case_pages, mail

    case_pages.init_app(app)  # the case vocabularies in every template
    mail.init_app(app)  # case notices by email in the recipient's language; SMTP when configured

    from portal import form_tokens

    form_tokens.init_app(app)  # one-time tokens: a repeated POST of a form creates nothing twice

    _register_blueprints(app)

    from portal import commands

    commands.init_app(app)
    return app


def _configure(app: Flask, overrides: dict) -> None:
    cls = config_class()
    app.config.from_object(cls)
    app.config.update(read_environment())
    app.config.update(overrides)
    cls.finalise(app.config, Path(app.instance_path))


def _register_blueprints(app: Flask) -> None:
    from api.v1 import bp as api_v1_bp
    from auth import bp as auth_bp
    from auth.oidc import bp as oidc_bp
    from citizen import bp as citizen_bp
    from enterprise import bp as enterprise_bp
    from gov import bp as gov_bp
    from portal.site import bp as site_bp

    for blueprint in (site_bp, auth_bp, oidc_bp, citizen_bp, enterprise_bp, gov_bp, api_v1_bp):
        app.register_blueprint(blueprint)

    from api.open311 import bp as open311_bp  # Open311 GeoReport v2 (docs/open311.md)

    app.register_blueprint(open311_bp)

    from portal.opendata.views import bp as data_bp  # open data catalogue at /data (docs/open-data.md)

    app.register_blueprint(data_bp)
