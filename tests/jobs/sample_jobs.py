"""Jobs the tests enqueue: each leaves a trace a test can read (a file, or an audit row)."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from portal import audit
from portal.extensions import db

log = logging.getLogger("tests.jobs")


def note(marker: str, text: str = "ran") -> None:
    """Append a line to `marker`."""
    log.info("sample job ran", extra={"marker": marker})
    with Path(marker).open("a") as handle:
        handle.write(f"{text}\n")


def record(action: str) -> None:
    """Write an audit row, through the job's own session."""
    audit.record(db.session, action, object_type="test")
    db.session.commit()


def fail_times(marker: str, failures: int) -> None:
    """Fail the first `failures` attempts (each noted in `marker` with its time), then succeed."""
    path = Path(marker)
    attempts = len(path.read_text().splitlines()) if path.exists() else 0
    with path.open("a") as handle:
        handle.write(f"{time.time()}\n")
    if attempts < failures:
        raise RuntimeError(f"attempt {attempts + 1} fails on purpose")


def fail_until_fixed(marker: str, fixed: str) -> None:
    """Fail until the file `fixed` exists, then note success in `marker`."""
    if not Path(fixed).exists():
        raise ValueError("the remote system is still broken")
    note(marker, "fixed")
