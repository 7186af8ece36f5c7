"""Administrators' dead letters: background jobs that failed every attempt, with their error;
each can be run again (a fresh set of attempts) or deleted."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from auth.access import requires_admin
from auth.session import current_account
from gov import bp
from gov.forms import ActionForm
from portal import audit, jobs
from portal.extensions import db
from portal.web import request_origin


@bp.get("/jobs")
@requires_admin
def failed_jobs():
    return render_template("gov/jobs/failed.html", dead=jobs.dead_jobs(), stats=jobs.queue_stats(),
                           redis=bool(current_app.config.get("REDIS_URL")), form=ActionForm())


@bp.post("/jobs/<key>/<action>")
@requires_admin
def failed_job_action(key: str, action: str):
    if action not in ("requeue", "delete") or not ActionForm().validate_on_submit():
        abort(400)
    done = jobs.requeue_dead(key) if action == "requeue" else jobs.delete_dead(key)
    if not done:
        abort(404)
    audit.record(db.session, f"job.{action}", origin=request_origin(), actor_id=current_account().id,
                 object_type="job", object_id=key)
    db.session.commit()
    flash(_("The job is queued again.") if action == "requeue" else _("The job is deleted."), "success")
    return redirect(url_for("gov.failed_jobs"), 303)
