"""With REDIS_URL set, jobs go onto the RQ queue after the commit and `flask worker` runs them:
retried with growing intervals, failed ones listed for administrators and run again on request.
With Redis down, the request still succeeds and the job runs once Redis is back."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from portal import jobs
from portal.extensions import db
from portal.models import PendingJob
from portal.models.base import utcnow
from tests.jobs.conftest import sign_in, wait_for
from tests.jobs.routes import add_enqueue_route


@pytest.fixture
def queue_app(redis_app):
    add_enqueue_route(redis_app)
    return redis_app


def pending(app) -> list[PendingJob]:
    with app.app_context():
        rows = list(db.session.scalars(select(PendingJob)))
        db.session.expunge_all()
        return rows


def queued(app) -> int:
    with app.app_context():
        return jobs.queue_stats().depth["portal"]


def json_lines(text: str) -> list[dict]:
    lines = []
    for line in text.splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            continue
    return lines


def test_a_job_waits_on_the_queue_until_a_worker_runs_it(queue_app, start_worker, tmp_path):
    marker = tmp_path / "ran"
    client = queue_app.test_client()
    response = client.post("/_test/enqueue", json={"job": "note", "args": [str(marker)]},
                           headers={"X-Request-ID": "req-queue-0001"})
    assert response.status_code == 200
    assert queued(queue_app) == 1 and pending(queue_app) == []  # on Redis, not in the table
    assert not marker.exists()  # nothing runs in the web process

    worker = start_worker()
    wait_for(marker.exists)
    assert marker.read_text() == "ran\n"
    # The job's own log line carries the id of the request that enqueued it.
    lines = wait_for(lambda: [e for e in json_lines(worker.output()) if e.get("message") == "sample job ran"])
    assert lines[0]["request_id"] == "req-queue-0001"
    assert wait_for(lambda: queued(queue_app) == 0)


def test_a_rolled_back_request_queues_nothing(queue_app, tmp_path):
    queue_app.test_client().post("/_test/enqueue", json={"job": "note", "args": [str(tmp_path / "x")],
                                                         "rollback": True})
    assert queued(queue_app) == 0 and pending(queue_app) == []


def test_failures_are_retried_with_growing_intervals(make_app, redis, start_worker, tmp_path):
    slow = make_app(REDIS_URL=redis.url, JOB_RETRIES=2, JOB_RETRY_BASE_SECONDS=2, WTF_CSRF_ENABLED=False)
    add_enqueue_route(slow)
    marker = tmp_path / "attempts"
    slow.test_client().post("/_test/enqueue", json={"job": "fail_times", "args": [str(marker), 2]})
    start_worker()
    times = wait_for(lambda: [float(t) for t in marker.read_text().splitlines()] if marker.exists()
                     and len(marker.read_text().splitlines()) >= 3 else None, timeout=60)
    assert len(times) == 3  # two failures, then success
    first_wait, second_wait = times[1] - times[0], times[2] - times[1]
    # 2 s, then 4 s (JOB_RETRY_BASE_SECONDS * 2**n); RQ's scheduler keeps whole seconds, so a
    # retry may start up to a second early.
    assert first_wait >= 1 and second_wait >= 3
    with slow.app_context():
        assert wait_for(lambda: jobs.queue_stats().failed == 0 and jobs.queue_stats().depth["portal"] == 0)
        assert jobs.dead_jobs() == []


def test_a_job_that_keeps_failing_is_listed_for_administrators_and_can_run_again(
    queue_app, start_worker, seeded, tmp_path
):
    marker, fixed = tmp_path / "ran", tmp_path / "fixed"
    queue_app.test_client().post("/_test/enqueue", json={"job": "fail_until_fixed",
                                                         "args": [str(marker), str(fixed)]})
    worker = start_worker()
    with queue_app.app_context():
        [dead] = wait_for(jobs.dead_jobs, timeout=60)
    assert dead.func == "tests.jobs.sample_jobs:fail_until_fixed"
    assert dead.summary == "ValueError: the remote system is still broken"

    admin = queue_app.test_client()
    admin.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    sign_in(queue_app, admin, "admin")
    page = admin.get("/gov/jobs").get_data(as_text=True)
    assert "tests.jobs.sample_jobs:fail_until_fixed" in page
    assert "ValueError: the remote system is still broken" in page

    officer = queue_app.test_client()
    sign_in(queue_app, officer, "officer.jw")
    assert officer.get("/gov/jobs").status_code == 403
    assert officer.post(f"/gov/jobs/{dead.key}/requeue").status_code == 403

    fixed.touch()
    assert admin.post(f"/gov/jobs/{dead.key}/requeue").status_code == 303
    wait_for(marker.exists)
    assert marker.read_text() == "fixed\n"
    assert "No failed jobs." in admin.get("/gov/jobs").get_data(as_text=True)
    assert admin.post(f"/gov/jobs/{dead.key}/delete").status_code == 404  # gone from the list
    worker.stop()


def test_a_dead_letter_can_be_deleted(queue_app, start_worker, seeded, tmp_path):
    queue_app.test_client().post("/_test/enqueue", json={"job": "fail_until_fixed",
                                                         "args": [str(tmp_path / "m"), str(tmp_path / "f")]})
    start_worker()
    with queue_app.app_context():
        [dead] = wait_for(jobs.dead_jobs, timeout=60)
    admin = queue_app.test_client()
    sign_in(queue_app, admin, "admin")
    assert admin.post(f"/gov/jobs/{dead.key}/delete").status_code == 303
    with queue_app.app_context():
        assert jobs.dead_jobs() == []


def test_with_redis_down_the_request_succeeds_and_the_job_runs_when_it_is_back(
    queue_app, redis, start_worker, tmp_path, caplog
):
    marker = tmp_path / "ran"
    redis.stop()
    response = queue_app.test_client().post("/_test/enqueue", json={"job": "note", "args": [str(marker)]})
    assert response.status_code == 200
    [row] = pending(queue_app)
    assert row.func == "tests.jobs.sample_jobs:note"
    assert row.run_after <= utcnow()  # due at once: the worker takes it as soon as Redis answers
    assert any("Redis unavailable" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)
    ready = queue_app.test_client().get("/readyz")
    assert ready.status_code == 503 and ready.json["redis"] == "unreachable"

    redis.start()
    start_worker()
    wait_for(marker.exists)
    assert marker.read_text() == "ran\n"  # once
    assert pending(queue_app) == []


def test_a_row_whose_request_died_before_queueing_it_is_drained(queue_app, tmp_path):
    """The process died between its commit and Redis: the row is there; the drain queues it once."""
    marker = tmp_path / "ran"
    with queue_app.app_context():
        from portal.jobs.core import _TABLE as table
        from portal.jobs.core import _row, _settings

        with db.engine.begin() as connection:
            connection.execute(table.insert().values(**_row("tests.jobs.sample_jobs:note", [str(marker)], {},
                                                            _settings())))
    assert jobs.drain_pending(queue_app) == 1
    assert jobs.drain_pending(queue_app) == 0
    assert queued(queue_app) == 1 and pending(queue_app) == []
