"""gunicorn settings for the embedded deployment; override any of them on the command line.

Logs: the application writes one JSON access line per request (portal/observability.py), so
gunicorn's own access log is off unless GUNICORN_ACCESS_LOG names a file (or "-"); gunicorn's
error log is JSON too. Metrics: the workers share their samples through the directory in
PROMETHEUS_MULTIPROC_DIR (a fresh temporary one when unset), its sample files removed when the master starts.
"""

import multiprocessing
import os
import shutil
import tempfile
from pathlib import Path

bind = os.environ.get("PORTAL_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, multiprocessing.cpu_count())))
threads = int(os.environ.get("PORTAL_THREADS", "1"))
timeout = 30
graceful_timeout = 20
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Set before any worker imports prometheus_client, which reads it once.
_own_metrics_dir = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _own_metrics_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="portal-metrics-")
_metrics_dir = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])

if os.environ.get("LOG_FORMAT", "json") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
                "datefmt": "%Y-%m-%dT%H:%M:%S%z",
            }
        },
        "handlers": {"error": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "root": {"level": "INFO", "handlers": []},  # the application adds its own JSON handler
        "loggers": {
            "gunicorn.error": {"handlers": ["error"], "level": "INFO", "propagate": False},
            # The portal writes its own access lines; gunicorn's only when GUNICORN_ACCESS_LOG is set.
            "gunicorn.access": {"handlers": ["error"] if accesslog else [], "level": "INFO" if accesslog else "WARNING",
                                "propagate": False},
        },
    }


def on_starting(server):
    # Samples left by an earlier run would be added to this one's (only the *.db sample files go:
    # the directory may hold the pid file too).
    _metrics_dir.mkdir(parents=True, exist_ok=True)
    for entry in _metrics_dir.glob("*.db"):
        entry.unlink(missing_ok=True)
    # Create the embedded secret key in the master, before any worker forks.
    if not os.environ.get("SECRET_KEY") and os.environ.get("PORTAL_ENV", "development") != "production":
        from portal.config import DEFAULT_INSTANCE_PATH, ensure_secret_key

        ensure_secret_key(Path(DEFAULT_INSTANCE_PATH))


def child_exit(server, worker):
    # A dead worker's live gauges (requests in flight) must stop counting.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _own_metrics_dir:
        shutil.rmtree(_metrics_dir, ignore_errors=True)
