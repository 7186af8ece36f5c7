"""What the database (and the SMTP sink) hold after a scenario, against what the clients were told."""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import create_engine, text

from bench.load.users import Recorder

REFERENCE = re.compile(r"[A-Z]{2}-\d{4}-\d{6}")


class Database:
    def __init__(self, url: str):
        self.engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), pool_pre_ping=True)

    def close(self) -> None:
        self.engine.dispose()

    def cases(self, prefix: str) -> dict[str, list[str]]:
        """Title -> the references of the cases with that title, for titles starting with `prefix`."""
        found: dict[str, list[str]] = {}
        with self.engine.connect() as connection:
            for title, reference in connection.execute(
                text("SELECT title, reference FROM case_file WHERE title LIKE :prefix"), {"prefix": f"{prefix}-%"}
            ):
                found.setdefault(title, []).append(reference)
        return found

    def pending_jobs(self) -> int:
        with self.engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM pending_job WHERE failed_at IS NULL")).scalar_one()

    def receipts(self, references: set[str]) -> tuple[Counter, Counter]:
        """(emails queued, emails marked sent) per case reference, among the load accounts' mail."""
        queued, sent = Counter(), Counter()
        with self.engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT subject, sent_at FROM outbox_message WHERE channel = 'email' AND recipient LIKE '%@load.test'"
            ))
            for subject, sent_at in rows:
                for reference in set(REFERENCE.findall(subject)) & references:
                    queued[reference] += 1
                    if sent_at is not None:
                        sent[reference] += 1
        return queued, sent


@dataclass
class Verdict:
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def require(self, condition: bool, failure: str) -> None:
        if not condition:
            self.failures.append(failure)

    @property
    def passed(self) -> bool:
        return not self.failures


def check_submissions(recorder: Recorder, database: Database, prefix: str, verdict: Verdict) -> set[str]:
    """Every acknowledged submission exists exactly once; none that was not acknowledged exists; no
    case exists that no client sent. Returns the references of the acknowledged ones."""
    stored = database.cases(prefix)
    sent = {s.marker: s for s in recorder.submissions}
    duplicated = sorted(m for m, refs in stored.items() if len(refs) > 1)
    missing = sorted(s.marker for s in recorder.submissions if s.acknowledged and s.marker not in stored)
    unacknowledged = sorted(m for m in stored if m in sent and not sent[m].acknowledged)
    strangers = sorted(m for m in stored if m not in sent)
    verdict.require(not duplicated, f"{len(duplicated)} submissions stored more than once: {duplicated[:5]}")
    verdict.require(not missing, f"{len(missing)} acknowledged submissions not stored: {missing[:5]}")
    verdict.require(not unacknowledged,
                    f"{len(unacknowledged)} stored submissions the client was never told about: {unacknowledged[:5]}")
    verdict.require(not strangers, f"{len(strangers)} stored cases no client sent: {strangers[:5]}")
    verdict.require(any(s.acknowledged for s in recorder.submissions), "no submission was acknowledged at all")
    return {refs[0] for marker, refs in stored.items() if marker in sent and sent[marker].acknowledged and refs}


def wait_for_receipts(database: Database, references: set[str], sink, timeout: float) -> tuple[Counter, Counter, float]:
    """Wait until the worker has sent the receipt email of every case (or `timeout`); returns the
    queued and delivered counts per reference and how long it took."""
    started = time.monotonic()
    while True:
        queued, sent = database.receipts(references)
        delivered = Counter(r for _to, subject in sink.snapshot() for r in set(REFERENCE.findall(subject)) & references)
        done = all(sent[r] >= 1 and delivered[r] >= 1 for r in references) and database.pending_jobs() == 0
        if done or time.monotonic() - started > timeout:
            return queued, delivered, time.monotonic() - started
        time.sleep(1)


def check_receipts(database: Database, references: set[str], sink, timeout: float, verdict: Verdict,
                   repeats_allowed: bool = False) -> None:
    """The receipt each filing queued in the outbox was sent by the worker, and arrived exactly once.

    `repeats_allowed`: when the database itself went away, an email the SMTP server had taken may not
    have been marked sent, so it goes again (email is delivered at least once); then a second copy
    is reported, not failed."""
    queued, delivered, waited = wait_for_receipts(database, references, sink, timeout)
    not_queued = sorted(r for r in references if queued[r] != 1)
    undelivered = sorted(r for r in references if delivered[r] == 0)
    twice = sorted(r for r in references if delivered[r] > 1)
    verdict.require(not not_queued, f"{len(not_queued)} cases without exactly one receipt in the outbox: "
                                     f"{not_queued[:5]}")
    verdict.require(not undelivered, f"{len(undelivered)} receipts not delivered within {timeout:.0f} s: "
                                     f"{undelivered[:5]}")
    verdict.notes.append(f"receipts: {sum(delivered[r] for r in references)} emails for {len(references)} cases, "
                         f"all sent {waited:.0f} s after the load stopped" if not undelivered else
                         f"receipts: {len(references) - len(undelivered)} of {len(references)} delivered")
    if repeats_allowed and twice:
        verdict.notes.append(f"{len(twice)} receipts arrived twice: sent just as the database restarted, before "
                             f"they could be marked sent ({twice[:5]})")
    else:
        verdict.require(not twice, f"{len(twice)} receipts delivered more than once: {twice[:5]}")
