"""The load test's verdict (bench/load): what the clients were told against what the database holds."""

from __future__ import annotations

from bench.load.checks import Verdict, check_submissions
from bench.load.users import Recorder, Submission


class StoredCases:
    """Stands in for the database: title -> references."""

    def __init__(self, stored: dict[str, list[str]]):
        self.stored = stored

    def cases(self, prefix: str) -> dict[str, list[str]]:
        return {title: refs for title, refs in self.stored.items() if title.startswith(prefix + "-")}


def _told(*submissions: tuple[str, bool]) -> Recorder:
    recorder = Recorder()
    recorder.submissions = [Submission(marker, "request", 0, 0.0, acknowledged=ok) for marker, ok in submissions]
    return recorder


def _verdict(recorder: Recorder, stored: dict[str, list[str]]) -> Verdict:
    verdict = Verdict()
    check_submissions(recorder, StoredCases(stored), "run-steady", verdict)
    return verdict


def test_every_acknowledged_submission_stored_once_passes():
    verdict = _verdict(_told(("run-steady-00-0001", True), ("run-steady-00-0002", False)),
                       {"run-steady-00-0001": ["SJ-2026-000001"], "other-run-00-0001": ["SJ-2026-000002"]})
    assert verdict.passed, verdict.failures


def test_a_submission_stored_twice_fails():
    verdict = _verdict(_told(("run-steady-00-0001", True)),
                       {"run-steady-00-0001": ["SJ-2026-000001", "SJ-2026-000002"]})
    assert verdict.failures == ["1 submissions stored more than once: ['run-steady-00-0001']"]


def test_an_acknowledged_submission_missing_fails():
    verdict = _verdict(_told(("run-steady-00-0001", True), ("run-steady-00-0002", True)),
                       {"run-steady-00-0001": ["SJ-2026-000001"]})
    assert verdict.failures == ["1 acknowledged submissions not stored: ['run-steady-00-0002']"]


def test_a_stored_submission_the_client_was_never_told_about_fails():
    """A 503 answered after the commit, never retried: the person cannot know their case exists."""
    verdict = _verdict(_told(("run-steady-00-0001", True), ("run-steady-00-0002", False)),
                       {"run-steady-00-0001": ["SJ-2026-000001"], "run-steady-00-0002": ["SJ-2026-000002"]})
    assert verdict.failures == ["1 stored submissions the client was never told about: ['run-steady-00-0002']"]


def test_a_case_no_client_sent_fails():
    verdict = _verdict(_told(("run-steady-00-0001", True)),
                       {"run-steady-00-0001": ["SJ-2026-000001"], "run-steady-07-0001": ["SJ-2026-000002"]})
    assert verdict.failures == ["1 stored cases no client sent: ['run-steady-07-0001']"]
