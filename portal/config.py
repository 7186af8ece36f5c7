"""Configuration read from the environment, in one place, validated at start-up."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE_PATH = PROJECT_ROOT / "instance"


class ConfigError(RuntimeError):
    """The configuration cannot run safely; the message says what to set."""


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def ensure_secret_key(instance_path: Path) -> str:
    """Return the embedded deployment's secret key, creating it once on first use.

    The file is created with O_EXCL so that concurrent workers racing at start-up all end up
    reading the single key the first one wrote, never each generating their own.
    """
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file = instance_path / "secret_key"
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    for _ in range(50):
        key = key_file.read_text().strip()
        if key:
            return key
        # Another process created the file a moment ago and is still writing it.
        time.sleep(0.02)
    raise ConfigError(f"{key_file} is empty; delete it and start again")


def normalise_database_url(url: str) -> str:
    """Accept the common postgres:// spellings and route them through psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    ENV_NAME = "development"
    DEBUG = False
    TESTING = False

    DISTRICT_NAME_ZH = "松江区"
    DISTRICT_NAME_EN = "Songjiang District"
    DISTRICT_HOTLINE = "12345"

    SECRET_KEY: str | None = None
    DATABASE_URL: str | None = None
    REDIS_URL: str | None = None

    # Filled in by portal/database.py: a PostgreSQL pool is checked before use, a SQLite file is not.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}

    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PREFERENCE_COOKIE_MAX_AGE = 365 * 24 * 3600

    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead, so long forms do not expire
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    SEND_FILE_MAX_AGE_DEFAULT = 365 * 24 * 3600  # static URLs carry a content hash

    RATELIMIT_HEADERS_ENABLED = True

    DEMO_DATA_ALLOWED = True

    # Keys that sign the city, paper and enterprise codes, by id: "2:<64 hex>,1:<64 hex>".
    # "derived" derives a key from SECRET_KEY (the default). To rotate: add a new id, make it
    # current, and keep the old one listed until the longest-lived code it signed (180 days) expires.
    CODE_SIGNING_KEYS = "1:derived"
    CODE_SIGNING_KEY_ID = "1"

    # Uploaded files (portal/uploads.py), outside static/: by default <instance>/uploads.
    UPLOAD_DIR: str | None = None

    # Email for case notices (portal/mail.py): none is sent unless SMTP_HOST is set.
    # SMTP_SECURITY is none, starttls or ssl; MAIL_FROM is required with SMTP_HOST.
    SMTP_HOST: str | None = None
    SMTP_PORT = 25
    SMTP_SECURITY = "none"
    SMTP_USERNAME: str | None = None
    SMTP_PASSWORD: str | None = None
    MAIL_FROM: str | None = None

    # Webhooks to department systems (portal/webhooks, docs/webhooks.md): seconds before each
    # retry, attempts before a delivery is given up, the POST's timeout in seconds, and private
    # networks (CIDR, comma-separated) where department systems may be reached. Plain http, and
    # only to loopback, in development and tests.
    WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    WEBHOOK_ALLOWED_NETWORKS = ""
    WEBHOOK_RETRY_DELAYS = "10,30,120,600,3600,21600,86400"
    WEBHOOK_MAX_ATTEMPTS = 8
    WEBHOOK_TIMEOUT = 10

    # Background jobs (portal/jobs, docs/deploy.md): in process without REDIS_URL, on an RQ queue
    # run by `flask worker` with it. A failed job is retried JOB_RETRIES times, the n-th retry
    # after JOB_RETRY_BASE_SECONDS * 2**n seconds.
    JOB_QUEUE = "portal"
    JOB_RETRIES = 4
    JOB_RETRY_BASE_SECONDS = 30
    JOB_TIMEOUT_SECONDS = 600
    JOB_GRACE_SECONDS = 30

    # Logs and metrics (portal/observability.py). LOG_FORMAT is json, text or none (leave logging
    # alone). /metrics answers clients in METRICS_ALLOW_NETWORKS (CIDR, comma-separated) or bearing
    # METRICS_TOKEN. PROXY_COUNT: how many proxies (nginx) stand in front and set X-Forwarded-*.
    LOG_FORMAT = "json"
    LOG_LEVEL = "INFO"
    METRICS_ALLOW_NETWORKS = "127.0.0.0/8,::1/128"
    METRICS_TOKEN: str | None = None
    PROXY_COUNT = 0

    # PostgreSQL (portal/database.py): connection pool per process and a statement timeout.
    DB_POOL_SIZE = 5
    DB_MAX_OVERFLOW = 10
    DB_POOL_TIMEOUT = 10
    DB_POOL_RECYCLE = 1800
    DB_CONNECT_TIMEOUT = 5
    DB_STATEMENT_TIMEOUT_MS = 30000

    # With Redis down, rate limits fall back to each process's memory instead of failing requests.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True

    @classmethod
    def finalise(cls, config: dict, instance_path: Path) -> None:
        """Fill derived settings and refuse configurations that cannot run safely."""
        if not config.get("SECRET_KEY"):
            config["SECRET_KEY"] = ensure_secret_key(instance_path)
        url = config.get("DATABASE_URL") or f"sqlite:///{instance_path / 'portal.sqlite3'}"
        config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(url)
        # Without Redis, limits' in-process storage as portal.rate_limits sweeps it (SweptMemoryStorage).
        config["RATELIMIT_STORAGE_URI"] = config.get("REDIS_URL") or "portal-memory://"
        if config.get("REDIS_URL"):  # a Redis that does not answer costs a request one second at most
            config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 1, "socket_timeout": 1})
        config["UPLOAD_DIR"] = str(config.get("UPLOAD_DIR") or instance_path / "uploads")


class DevelopmentConfig(Config):
    WEBHOOK_ALLOW_HTTP_LOOPBACK = True


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    LOG_FORMAT = "none"  # pytest captures the records itself
    RATELIMIT_ENABLED = True
    WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    # Tests change the data between requests of one app; tests/portal/test_page_cache.py turns it on.
    PAGE_CACHE_SECONDS = 0


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    DEMO_DATA_ALLOWED = False

    @classmethod
    def finalise(cls, config: dict, instance_path: Path) -> None:
        if not config.get("SECRET_KEY"):
            raise ConfigError("SECRET_KEY must be set in production (PORTAL_ENV=production)")
        if len(config["SECRET_KEY"]) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters long")
        if not config.get("DATABASE_URL"):
            raise ConfigError("DATABASE_URL must be set in production")
        super().finalise(config, instance_path)


# Settings an operator may give through the environment; everything else is fixed per class.
ENVIRONMENT_SETTINGS = (
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "DISTRICT_NAME_ZH",
    "DISTRICT_NAME_EN",
    "DISTRICT_HOTLINE",
    "CODE_SIGNING_KEYS",
    "CODE_SIGNING_KEY_ID",
    "UPLOAD_DIR",
    "OIDC_ISSUER",  # the provider's public address, e.g. https://id.example.gov.cn (see auth/oidc)
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_SECURITY",
    "SMTP_USERNAME",
    "SMTP_PASSWORD",
    "MAIL_FROM",
    "JOB_RETRIES",
    "JOB_RETRY_BASE_SECONDS",
    "JOB_TIMEOUT_SECONDS",
    "LOG_FORMAT",
    "LOG_LEVEL",
    "METRICS_ALLOW_NETWORKS",
    "METRICS_TOKEN",
    "PROXY_COUNT",
    "DB_POOL_SIZE",
    "DB_MAX_OVERFLOW",
    "DB_POOL_TIMEOUT",
    "DB_POOL_RECYCLE",
    "DB_CONNECT_TIMEOUT",
    "DB_STATEMENT_TIMEOUT_MS",
    "WEBHOOK_ALLOWED_NETWORKS",
    "WEBHOOK_RETRY_DELAYS",
    "WEBHOOK_MAX_ATTEMPTS",
    "WEBHOOK_TIMEOUT",
)


def read_environment() -> dict:
    settings = {name: os.environ[name] for name in ENVIRONMENT_SETTINGS if os.environ.get(name)}
    if "SESSION_COOKIE_SECURE" in os.environ:
        settings["SESSION_COOKIE_SECURE"] = _env_bool("SESSION_COOKIE_SECURE", True)
    if os.environ.get("SECRET_KEY_FALLBACKS"):  # earlier secret keys, comma-separated, while rotating
        fallbacks = os.environ["SECRET_KEY_FALLBACKS"].split(",")
        settings["SECRET_KEY_FALLBACKS"] = [key.strip() for key in fallbacks if key.strip()]
    return settings


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_class() -> type[Config]:
    name = os.environ.get("PORTAL_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise ConfigError(f"PORTAL_ENV must be one of {sorted(CONFIGS)}, not {name!r}") from None
