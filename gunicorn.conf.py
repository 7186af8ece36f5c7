"""gunicorn settings for the embedded deployment; override any of them on the command line."""

import multiprocessing
import os
from pathlib import Path

bind = os.environ.get("PORTAL_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, multiprocessing.cpu_count())))
threads = int(os.environ.get("PORTAL_THREADS", "1"))
timeout = 30
graceful_timeout = 20
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server):
    # Create the embedded secret key in the master, before any worker forks.
    if not os.environ.get("SECRET_KEY") and os.environ.get("PORTAL_ENV", "development") != "production":
        from portal.config import DEFAULT_INSTANCE_PATH, ensure_secret_key

        ensure_secret_key(Path(DEFAULT_INSTANCE_PATH))
