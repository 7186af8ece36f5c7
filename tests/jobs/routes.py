"""A route, added to a test's own app, that enqueues a sample job and then commits or rolls back."""

from __future__ import annotations

from pathlib import Path

from flask import g, request

from portal import audit, jobs
from portal.extensions import db
from tests.jobs import sample_jobs


def add_enqueue_route(app) -> None:
    def enqueue_view():
        spec = request.get_json()
        jobs.enqueue(getattr(sample_jobs, spec["job"]), *spec.get("args", []))
        audit.record(db.session, "test.enqueued", object_type="test")
        if spec.get("rollback"):
            db.session.rollback()
        else:
            db.session.commit()
        marker = spec.get("marker")
        return {"request_id": g.request_id, "ran_before_answer": bool(marker) and Path(marker).exists()}

    app.add_url_rule("/_test/enqueue", "test_enqueue", enqueue_view, methods=["POST"])
