"""Administrators' desk pages: announcements to staff (with read receipts) and the holiday calendar."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from auth.access import requires_admin
from auth.session import current_account
from gov import bp, services
from gov.forms import ActionForm, AnnouncementForm, CalendarYearForm
from portal.case_labels import error_message
from portal.cases import CalendarError
from portal.extensions import db
from portal.models.base import utcnow
from portal.web import request_origin


def _announcements_page(form: AnnouncementForm):
    receipts, staff = services.announcement_receipts(db.session)
    return render_template("gov/announcements.html", form=form, receipts=receipts, staff=staff,
                           action_form=ActionForm(formdata=None))


@bp.route("/announcements", methods=["GET", "POST"])
@requires_admin
def announcements():
    form = AnnouncementForm()
    if form.validate_on_submit():
        services.publish_announcement(db.session, current_account(), form.title.data, form.body.data,
                                      request_origin(), utcnow())
        flash(_("The announcement is published to all staff."), "success")
        return redirect(url_for("gov.announcements"), 303)
    return _announcements_page(form)


@bp.post("/announcements/<public_id>/withdraw")
@requires_admin
def withdraw_announcement(public_id: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    if not services.withdraw_announcement(db.session, current_account(), public_id, request_origin(), utcnow()):
        abort(404)
    flash(_("The announcement is withdrawn."), "success")
    return redirect(url_for("gov.announcements"), 303)


@bp.route("/calendar", methods=["GET", "POST"])
@requires_admin
def calendar():
    form = CalendarYearForm()
    if request.method == "GET" and request.args.get("year", "").isdigit():
        form.year.data = int(request.args["year"])
        form.holidays.data, form.workdays.data = services.calendar_text(db.session, form.year.data) or ("", "")
    if form.validate_on_submit():
        try:
            services.save_calendar(db.session, current_account(), form.year.data, form.holidays.parsed,
                                   form.workdays.parsed)
        except CalendarError as error:
            db.session.rollback()
            field = form.workdays if error.code == "calendar_workday_not_weekend" else form.holidays
            field.errors = [*field.errors, error_message(error)]
        else:
            flash(_("The calendar for %(year)s is saved. Due dates that depended on it were recalculated.",
                    year=form.year.data), "success")
            return redirect(url_for("gov.calendar"), 303)
    return render_template("gov/calendar.html", form=form, years=services.calendar_years(db.session))
