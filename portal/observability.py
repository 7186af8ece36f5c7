"""What an operator sees: request ids, JSON logs, Prometheus metrics, readiness and liveness.

- Every request gets an id: the caller's `X-Request-ID` when it is a sensible token, else a new
  one. It is echoed in the response, put on every log line written while the request runs, and
  carried into the jobs the request enqueues (`portal.jobs`), whose log lines carry it too.
- One JSON access line per request (logger `portal.access`): method, path, endpoint, status,
  duration_ms, request_id and, when someone is signed in, a keyed hash of their account (never
  the account itself). Application logs go through the same JSON handler (LOG_FORMAT=json).
- `/metrics` (Prometheus text format): request latency per endpoint, method and status class,
  requests in flight, and, read when scraped, queue depth, dead-letter jobs and overdue cases.
  Under gunicorn the workers share their samples through PROMETHEUS_MULTIPROC_DIR
  (gunicorn.conf.py). Only clients in METRICS_ALLOW_NETWORKS, or bearing METRICS_TOKEN, see it.
- `/livez` answers while the process runs; `/readyz` checks the database, the migrations and
  Redis (routes in portal/site.py, checks here).

The per-request work is a few dictionary look-ups, one histogram sample and one log line.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import os
import re
import sys
import time
import uuid
from contextvars import ContextVar
from datetime import date

from flask import Flask, Response, current_app, g, request, session
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/+=-]{0,127}")

request_id_var: ContextVar[str | None] = ContextVar("portal_request_id", default=None)

access_log = logging.getLogger("portal.access")
log = logging.getLogger("portal.observability")

# Seconds; a page is expected well under 250 ms, a slow policy dry run or export in seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUEST_LATENCY = Histogram(
    "portal_http_request_duration_seconds",
    "Time to answer a request, by endpoint, method and status class.",
    ("endpoint", "method", "status_class"),
    buckets=LATENCY_BUCKETS,
)
IN_FLIGHT = Gauge(
    "portal_http_requests_in_flight",
    "Requests being answered right now.",
    multiprocess_mode="livesum",
)


def current_request_id() -> str | None:
    """The id of the request (or of the job) being handled, if any."""
    return request_id_var.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


def accept_request_id(value: str | None) -> str:
    """The caller's id when it is a plain token of at most 128 characters, else a new one."""
    if value and _VALID_REQUEST_ID.fullmatch(value):
        return value
    return new_request_id()


# --- logging ---------------------------------------------------------------------------------------


class RequestIdFilter(logging.Filter):
    """Puts the current request (or job) id on every record that passes through the handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        return True


# What every LogRecord carries: anything else on a record is an extra, and goes into its line.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonLineFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, the record's extras (the request
    id among them) and its traceback, if any. Written with json.dumps: every request writes an
    access line, and python-json-logger's formatter took a tenth of a kept page's time."""

    def __init__(self):
        super().__init__(datefmt="%Y-%m-%dT%H:%M:%S%z")

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": self.formatTime(record, self.datefmt), "level": record.levelname, "logger": record.name,
                "message": record.getMessage()}
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES:
                line[key] = value
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str)


def json_handler(stream=None) -> logging.Handler:
    """A handler writing one JSON object per line: time, level, logger, message and extras."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonLineFormatter())
    handler.addFilter(RequestIdFilter())
    handler._portal_handler = True  # type: ignore[attr-defined]
    return handler


def configure_logging(log_format: str, level: str = "INFO") -> None:
    """Send the root logger's records to stderr as JSON ("json") or text ("text"); "none" leaves
    logging as it is (the test suite, or a host that configures logging itself). Idempotent."""
    if log_format == "none":
        return
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "_portal_handler", False):
            root.removeHandler(existing)
    if log_format == "json":
        handler = json_handler()
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
        handler.addFilter(RequestIdFilter())
        handler._portal_handler = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)


def account_hash(secret: bytes, account_key: str) -> str:
    """A keyed hash of a signed-in account: lines of one person can be followed, not named."""
    return hmac.new(secret, account_key.encode(), hashlib.sha256).hexdigest()[:16]


def _signed_in_key() -> str | None:
    # Only when this request already loaded the user, and read from the session (what Flask-Login
    # stored at sign-in): never cost a query for the log line, even after a commit expired the account.
    user = g.get("_login_user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return session.get("_user_id")


# --- per request -----------------------------------------------------------------------------------


def _status_class(status: int) -> str:
    return f"{status // 100}xx"


def _before_request() -> None:
    g._obs_start = time.perf_counter()
    rid = accept_request_id(request.headers.get(REQUEST_ID_HEADER))
    g.request_id = rid
    g._obs_token = request_id_var.set(rid)
    IN_FLIGHT.inc()


def _after_request(response: Response) -> Response:
    rid = g.get("request_id")
    if rid:
        response.headers[REQUEST_ID_HEADER] = rid
    return response


def _teardown_request(error: BaseException | None) -> None:
    start = g.pop("_obs_start", None)
    if start is None:  # before_request never ran (an exception in an earlier hook)
        return
    IN_FLIGHT.dec()
    status = g.pop("_obs_status", 500 if error is not None else 200)
    rule = request.url_rule
    key = _signed_in_key()
    record_answer(
        request.method, request.path, rule.endpoint if rule is not None else "(unmatched)", status,
        time.perf_counter() - start, g.get("request_id"),
        None if key is None else account_hash(current_app.extensions["portal_observability"]["account_key"], key),
    )
    token = g.pop("_obs_token", None)
    if token is not None:
        request_id_var.reset(token)


def record_answer(method: str, path: str, endpoint: str, status: int, duration: float, request_id: str | None,
                  account: str | None = None) -> None:
    """The latency sample and the access line of one answered request."""
    REQUEST_LATENCY.labels(endpoint, method, _status_class(status)).observe(duration)
    extra = {"method": method, "path": path, "endpoint": endpoint, "status": status,
             "duration_ms": round(duration * 1000, 2), "request_id": request_id}
    if account is not None:
        extra["account"] = account
    access_log.info("request", extra=extra)


def _remember_status(response: Response) -> Response:
    g._obs_status = response.status_code
    return response


# --- /metrics --------------------------------------------------------------------------------------


def _networks(spec: str) -> tuple:
    networks = []
    for part in (spec or "").split(","):
        part = part.strip()
        if part:
            networks.append(ipaddress.ip_network(part, strict=False))
    return tuple(networks)


def metrics_allowed(settings: dict) -> bool:
    """A bearer token when one is configured, or a client address in the allowed networks.

    Behind a proxy (nginx) the address is the proxy's unless PROXY_COUNT tells the app to read
    X-Forwarded-For; a forwarded request is then never let in by address when PROXY_COUNT is 0.
    """
    token = settings["token"]
    if token:
        offered = request.headers.get("Authorization", "")
        if offered.startswith("Bearer ") and hmac.compare_digest(offered[7:].strip().encode(), token.encode()):
            return True
    if not settings["proxied"] and "X-Forwarded-For" in request.headers:
        return False
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in settings["networks"])


class PortalCollector:
    """Gauges read when Prometheus scrapes: queue depth, dead letters, overdue cases."""

    def __init__(self, app: Flask):
        self.app = app

    def collect(self):
        from portal import jobs

        depth = GaugeMetricFamily("portal_job_queue_depth", "Jobs waiting, per queue.", labels=["queue"])
        failed = GaugeMetricFamily("portal_jobs_failed", "Jobs that failed every attempt (the dead letters).")
        overdue = GaugeMetricFamily("portal_cases_overdue", "Open cases past their running deadline.")
        up = GaugeMetricFamily("portal_dependency_up", "Whether a dependency answered the scrape.", labels=["name"])
        with self.app.app_context():
            try:
                stats = jobs.queue_stats()
            except Exception:  # noqa: BLE001 - a scrape reports what it can
                log.warning("queue statistics unavailable", exc_info=True)
                stats = None
            if stats is not None:
                for queue, count in stats.depth.items():
                    depth.add_metric([queue], count)
                failed.add_metric([], stats.failed)
            db_up = 1
            try:
                overdue.add_metric([], _overdue_cases(self.app))
            except Exception:  # noqa: BLE001
                db_up = 0
                log.warning("overdue case count unavailable", exc_info=True)
            up.add_metric(["database"], db_up)
            if self.app.config.get("REDIS_URL"):
                up.add_metric(["redis"], 1 if stats is not None and stats.redis_up else 0)
        yield depth
        yield failed
        yield overdue
        yield up


_overdue_cache: dict[int, tuple[float, int]] = {}


def _overdue_cases(app: Flask) -> int:
    """Open cases past their running deadline: two counts, each an index-only scan of the
    (state, due date) indexes, instead of one OR that visits every matching row."""
    from sqlalchemy import func, select

    from portal.cases import local_date
    from portal.cases.clock import ACCEPT_CLOCK_STATES, REPLY_CLOCK_STATES
    from portal.extensions import db
    from portal.models import Case
    from portal.models.base import utcnow

    # Each process counts at most every METRICS_CACHE_SECONDS, however often it is scraped.
    key = id(app)
    cached = _overdue_cache.get(key)
    if cached is not None and time.monotonic() - cached[0] < float(app.config.get("METRICS_CACHE_SECONDS", 30)):
        return cached[1]
    today: date = local_date(utcnow())
    try:
        count = sum(
            db.session.scalar(select(func.count()).select_from(Case).where(Case.state.in_(states), due < today)) or 0
            for states, due in ((ACCEPT_CLOCK_STATES, Case.accept_due), (REPLY_CLOCK_STATES, Case.reply_due))
        )
    finally:
        db.session.rollback()
    _overdue_cache[key] = (time.monotonic(), count)
    return count


def metrics_response(app: Flask) -> Response:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # every gunicorn worker's samples
    else:
        from prometheus_client import REGISTRY as registry
    scrape = CollectorRegistry()
    scrape.register(PortalCollector(app))
    body = generate_latest(registry) + generate_latest(scrape)
    return Response(body, mimetype=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


def metrics_view():
    settings = current_app.extensions["portal_observability"]["metrics"]
    if not metrics_allowed(settings):
        return {"error": "forbidden", "message": "Metrics are for the operators' monitoring only."}, 403
    return metrics_response(current_app)


# --- readiness ---------------------------------------------------------------------------------------


def _migration_heads(app: Flask) -> set[str]:
    cached = app.extensions["portal_observability"].get("heads")
    if cached is None:
        from alembic.config import Config as AlembicConfig
        from alembic.script import ScriptDirectory

        directory = app.extensions["migrate"].directory
        config = AlembicConfig()
        config.set_main_option("script_location", str(directory))
        cached = set(ScriptDirectory.from_config(config).get_heads())
        app.extensions["portal_observability"]["heads"] = cached
    return cached


def readiness(app: Flask) -> tuple[bool, dict]:
    """(ready, checks): the database answers and is migrated to the head, Redis answers when
    configured. A node that is not ready should get no traffic from the load balancer."""
    from sqlalchemy import text

    from portal.extensions import db

    checks: dict[str, str] = {}
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            try:
                current = set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
            except Exception:  # noqa: BLE001 - no version table: never migrated
                current = set()
        checks["database"] = "ok"
        checks["migrations"] = "ok" if current == _migration_heads(app) else "pending"
    except Exception:  # noqa: BLE001 - any failure to reach the database means "not ready"
        checks["database"] = "unreachable"
    if app.config.get("REDIS_URL"):
        from portal import jobs

        checks["redis"] = "ok" if jobs.redis_answers() else "unreachable"
    ready = all(value == "ok" for value in checks.values())
    return ready, checks


# --- set-up ------------------------------------------------------------------------------------------


def init_app(app: Flask) -> None:
    configure_logging(app.config.get("LOG_FORMAT", "json"), app.config.get("LOG_LEVEL", "INFO"))
    secret = app.config["SECRET_KEY"]
    app.extensions["portal_observability"] = {
        "account_key": hashlib.sha256(b"portal-log-account:" + secret.encode()).digest(),
        "metrics": {
            "token": app.config.get("METRICS_TOKEN") or "",
            "networks": _networks(app.config.get("METRICS_ALLOW_NETWORKS", "")),
            "proxied": int(app.config.get("PROXY_COUNT") or 0) > 0,
        },
    }
    app.before_request_funcs.setdefault(None, []).insert(0, _before_request)
    app.after_request(_after_request)
    # Registered first, so it runs last among the after-request hooks and sees the final status.
    app.after_request_funcs.setdefault(None, []).insert(0, _remember_status)
    app.teardown_request(_teardown_request)
    app.add_url_rule("/metrics", "metrics", metrics_view)
