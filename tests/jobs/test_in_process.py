"""Without Redis, jobs run in the web process once the request's transaction commits; never when
it rolls back. A failing job is retried with backoff by `flask run-jobs` and ends as a dead letter."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal import jobs
from portal.extensions import db
from portal.models import AuditEvent, PendingJob
from portal.models.base import utcnow
from tests.jobs import sample_jobs
from tests.jobs.routes import add_enqueue_route


@pytest.fixture
def jobs_app(make_app, app):
    embedded = make_app(WTF_CSRF_ENABLED=False)
    add_enqueue_route(embedded)
    return embedded


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def pending_rows(app) -> list[PendingJob]:
    with app.app_context():
        rows = list(db.session.scalars(select(PendingJob).order_by(PendingJob.id)))
        db.session.expunge_all()
        return rows


def test_a_job_runs_after_the_request_commits(jobs_app, tmp_path):
    marker = tmp_path / "ran"
    response = jobs_app.test_client().post(
        "/_test/enqueue", json={"job": "note", "args": [str(marker)], "marker": str(marker)}
    )
    assert response.status_code == 200
    assert response.json["ran_before_answer"] is False  # not inside the request's transaction
    assert marker.read_text() == "ran\n"  # but by the time the client has the answer
    assert pending_rows(jobs_app) == []


def test_a_rolled_back_request_runs_nothing(jobs_app, tmp_path):
    marker = tmp_path / "ran"
    response = jobs_app.test_client().post(
        "/_test/enqueue", json={"job": "note", "args": [str(marker)], "rollback": True}
    )
    assert response.status_code == 200
    assert not marker.exists()
    assert pending_rows(jobs_app) == []


def test_a_job_uses_its_own_session(jobs_app):
    jobs_app.test_client().post("/_test/enqueue", json={"job": "record", "args": ["test.from_job"]})
    assert audit_actions(jobs_app) == ["test.enqueued", "test.from_job"]


def test_outside_a_request_a_job_runs_when_the_transaction_commits(jobs_app, tmp_path):
    marker = tmp_path / "ran"
    with jobs_app.app_context():
        db.session.execute(select(1))  # a transaction is open
        jobs.enqueue(sample_jobs.note, str(marker))
        assert not marker.exists()
        db.session.rollback()
        assert not marker.exists()
        jobs.enqueue(sample_jobs.note, str(marker), "second")
        db.session.commit()
        assert marker.read_text() == "second\n"


def test_only_importable_functions_with_plain_arguments_are_accepted(jobs_app):
    with jobs_app.app_context():
        with pytest.raises(TypeError, match="importable"):
            jobs.enqueue(lambda: None)
        with pytest.raises(TypeError, match="plain JSON"):
            jobs.enqueue(sample_jobs.note, object())


def test_a_failing_job_is_retried_with_backoff_then_kept_as_a_dead_letter(jobs_app, tmp_path):
    marker = tmp_path / "attempts"
    jobs_app.test_client().post("/_test/enqueue", json={"job": "fail_times", "args": [str(marker), 99]})
    [row] = pending_rows(jobs_app)
    assert row.attempts == 1 and row.failed_at is None and "attempt 1 fails on purpose" in row.last_error
    first_wait = row.run_after - utcnow()
    assert timedelta(seconds=25) < first_wait <= timedelta(seconds=30)  # JOB_RETRY_BASE_SECONDS

    assert jobs.drain_pending(jobs_app) == 0  # not due yet: nothing runs
    waits = [first_wait]
    for attempt in range(2, 6):
        jobs.drain_pending(jobs_app, now=utcnow() + timedelta(days=1))
        [row] = pending_rows(jobs_app)
        assert row.attempts == attempt
        if row.failed_at is None:
            waits.append(row.run_after - utcnow())
    assert all(later > 1.9 * earlier for earlier, later in zip(waits, waits[1:], strict=False))  # doubling
    assert row.failed_at is not None  # 1 + JOB_RETRIES attempts, then a dead letter
    assert len(marker.read_text().splitlines()) == 5
    jobs.drain_pending(jobs_app, now=utcnow() + timedelta(days=30))
    assert len(marker.read_text().splitlines()) == 5  # dead letters are not retried by themselves
    with jobs_app.app_context():
        [dead] = jobs.dead_jobs()
    assert dead.func == "tests.jobs.sample_jobs:fail_times" and dead.summary.startswith("RuntimeError: attempt 5")


def test_a_job_that_succeeds_on_retry_leaves_nothing_behind(jobs_app, tmp_path):
    marker = tmp_path / "attempts"
    jobs_app.test_client().post("/_test/enqueue", json={"job": "fail_times", "args": [str(marker), 1]})
    assert len(pending_rows(jobs_app)) == 1
    assert jobs.drain_pending(jobs_app, now=utcnow() + timedelta(minutes=5)) == 1
    assert pending_rows(jobs_app) == []
    assert len(marker.read_text().splitlines()) == 2


def test_run_jobs_runs_the_periodic_jobs_once(jobs_app):
    result = jobs_app.test_cli_runner().invoke(args=["run-jobs"])
    assert result.exit_code == 0, result.output
    for name in ("deliver-outbox", "deliver-webhooks", "escalate-cases", "refresh-open-data", "purge-registrations"):
        assert f"{name}: " in result.output
    assert "pending jobs: 0" in result.output
    assert "reminded: 0" in result.output or "'reminded': 0" in result.output


def test_run_jobs_refuses_an_unknown_job(jobs_app):
    result = jobs_app.test_cli_runner().invoke(args=["run-jobs", "--job", "nonsense"])
    assert result.exit_code != 0 and "unknown job" in result.output


def test_the_worker_needs_redis(jobs_app):
    result = jobs_app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "REDIS_URL is not set" in result.output



def test_an_administrator_runs_a_dead_letter_again_from_the_desk(app, client, login, tmp_path):
    marker, fixed = tmp_path / "ran", tmp_path / "fixed"
    with app.app_context():
        jobs.enqueue(sample_jobs.fail_until_fixed, str(marker), str(fixed))  # runs at once, and fails
    for _ in range(4):
        jobs.drain_pending(app, now=utcnow() + timedelta(days=1))
    [row] = pending_rows(app)
    assert row.failed_at is not None

    login("admin")
    page = client.get("/gov/jobs").get_data(as_text=True)
    assert "tests.jobs.sample_jobs:fail_until_fixed" in page
    assert "ValueError: the remote system is still broken" in page
    fixed.touch()
    assert client.post(f"/gov/jobs/db:{row.id}/requeue").status_code == 303
    assert marker.read_text() == "fixed\n"  # ran at the end of that request
    assert pending_rows(app) == []
    assert "No failed jobs." in client.get("/gov/jobs").get_data(as_text=True)
    assert client.post(f"/gov/jobs/db:{row.id}/delete").status_code == 404
