"""A resident's cases: file a request, follow cases, answer requests for more information, rate
closed cases, and read the inbox. The pages use the shared sender view (`portal.case_pages`), so
a family member acting for an elder sees and does what the elder's delegation allows."""

from __future__ import annotations

from functools import wraps

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from auth.access import requires_signin
from auth.session import acting_for, current_account
from citizen import bp
from portal import case_pages
from portal.case_forms import CaseActionForm, RatingForm, RequestForm, ResubmitForm
from portal.case_labels import error_message
from portal.cases import CaseError
from portal.extensions import db
from portal.i18n import current_language
from portal.models import CaseState
from portal.models.base import utcnow
from portal.web import request_origin


def _people():
    """(who is signed in, whose cases these are): an elder's, when acting for her."""
    actor = current_account()
    return actor, acting_for() or actor


def _refuse_without_delegation(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except case_pages.NotAllowed:
            abort(403)

    return wrapper


@bp.get("/cases")
@requires_signin
@_refuse_without_delegation
def cases():
    rows = case_pages.sender_cases(db.session, *_people())
    return render_template("citizen/cases/list.html", rows=rows)


def _case_page(public_id: str, rating_form=None, resubmit_form=None):
    actor, subject = _people()
    view = case_pages.sender_view(db.session, actor, subject, public_id, request_origin()) or abort(404)
    names = {event.department_id: None for event in view.events if event.department_id}
    return render_template(
        "citizen/cases/case.html", view=view, department=case_pages.department_name(view.case, current_language()),
        names=case_pages.department_names(db.session, names, current_language()),
        rating_form=rating_form or RatingForm(formdata=None),
        resubmit_form=resubmit_form or ResubmitForm(formdata=None),
    )


@bp.get("/cases/<public_id>")
@requires_signin
@_refuse_without_delegation
def case(public_id: str):
    return _case_page(public_id)


@bp.post("/cases/<public_id>/information")
@requires_signin
@_refuse_without_delegation
def resubmit_case(public_id: str):
    actor, subject = _people()
    case = case_pages.own_case(db.session, actor, subject, public_id) or abort(404)
    form = ResubmitForm()
    if form.validate_on_submit():
        try:
            case_pages.resubmit(db.session, actor, subject, case, form.notes.data, utcnow())
        except CaseError as error:  # no longer waiting for information: say so on the case page
            db.session.rollback()
            flash(error_message(error), "error")
            return redirect(url_for("citizen.case", public_id=public_id), 303)
        else:
            flash(_("Thank you. The information was sent to the department."), "success")
            return redirect(url_for("citizen.case", public_id=public_id), 303)
    return _case_page(public_id, resubmit_form=form)


@bp.post("/cases/<public_id>/rating")
@requires_signin
@_refuse_without_delegation
def rate_case(public_id: str):
    actor, subject = _people()
    case = case_pages.own_case(db.session, actor, subject, public_id) or abort(404)
    form = RatingForm()
    if form.validate_on_submit():
        try:
            state = case_pages.rate(db.session, actor, subject, case, form.rating.data, form.comment.data, utcnow())
        except CaseError as error:  # not closed, or rated already: say so on the case page
            db.session.rollback()
            flash(error_message(error), "error")
            return redirect(url_for("citizen.case", public_id=public_id), 303)
        else:
            if state == CaseState.REOPENED:
                flash(_("Thank you. We are sorry it did not go well: the case is reopened and the department's "
                        "lead will put it right and call you back."), "success")
            else:
                flash(_("Thank you for your rating."), "success")
            return redirect(url_for("citizen.case", public_id=public_id), 303)
    return _case_page(public_id, rating_form=form)


@bp.route("/requests/new", methods=["GET", "POST"])
@requires_signin
@_refuse_without_delegation
def new_request():
    actor, subject = _people()
    form = RequestForm().with_categories(case_pages.request_categories(db.session, current_language()))
    if form.validate_on_submit():
        try:
            case = case_pages.file_request(db.session, actor, subject, form.data)
        except CaseError as error:
            db.session.rollback()
            form.body.errors = [*form.body.errors, error_message(error)]
        else:
            flash(_("Your request was received as %(reference)s.", reference=case.reference), "success")
            return redirect(url_for("citizen.case", public_id=case.public_id), 303)
    return render_template("citizen/cases/new_request.html", form=form)


@bp.get("/inbox")
@requires_signin
def inbox():
    items = case_pages.inbox(db.session, current_account(), current_language())
    return render_template("citizen/cases/inbox.html", items=items, form=CaseActionForm(formdata=None))


@bp.post("/inbox/read")
@requires_signin
def read_inbox():
    if not CaseActionForm().validate_on_submit():
        abort(400)
    case_pages.mark_messages_read(db.session, current_account(), None, utcnow())
    flash(_("All messages marked as read."), "success")
    return redirect(url_for("citizen.inbox"), 303)
