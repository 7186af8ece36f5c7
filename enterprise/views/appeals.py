"""Appeals (企业诉求): file one, follow the company's appeals with the shared sender view, answer a
request for more information, rate a closed one."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from auth.session import current_account
from enterprise import bp, services
from enterprise.views.loading import company_page
from portal import case_pages
from portal.case_forms import RatingForm, RequestForm, ResubmitForm
from portal.case_labels import error_message
from portal.cases import CaseError
from portal.extensions import db
from portal.i18n import current_language
from portal.models import CaseState, MembershipScope
from portal.web import request_origin

APPEALS = MembershipScope.APPEALS


@bp.get("/c/<public_id>/appeals")
@company_page(APPEALS)
def appeals(enterprise):
    return render_template("enterprise/appeals/list.html", enterprise=enterprise,
                           rows=services.appeals(db.session, enterprise))


@bp.route("/c/<public_id>/appeals/new", methods=["GET", "POST"])
@company_page(APPEALS)
def new_appeal(enterprise):
    form = RequestForm().with_categories(services.appeal_categories(db.session, current_language()))
    if form.validate_on_submit():
        try:
            case = services.file_appeal(db.session, current_account(), enterprise, form.data)
        except CaseError as error:
            db.session.rollback()
            form.body.errors = [*form.body.errors, error_message(error)]
        else:
            flash(_("Your appeal was received as %(reference)s.", reference=case.reference), "success")
            return redirect(url_for("enterprise.appeal", public_id=enterprise.public_id, case_id=case.public_id), 303)
    return render_template("enterprise/appeals/new.html", enterprise=enterprise, form=form)


def _appeal_page(enterprise, case_id: str, rating_form=None, resubmit_form=None):
    view = services.appeal_view(db.session, current_account(), enterprise, case_id, request_origin()) or abort(404)
    locale = current_language()
    names = case_pages.department_names(db.session, [e.department_id for e in view.events], locale)
    return render_template(
        "enterprise/appeals/case.html", enterprise=enterprise, view=view, names=names,
        department=case_pages.department_name(view.case, locale),
        rating_form=rating_form or RatingForm(formdata=None),
        resubmit_form=resubmit_form or ResubmitForm(formdata=None),
    )


@bp.get("/c/<public_id>/appeals/<case_id>")
@company_page(APPEALS)
def appeal(enterprise, case_id: str):
    return _appeal_page(enterprise, case_id)


@bp.post("/c/<public_id>/appeals/<case_id>/rating")
@company_page(APPEALS)
def rate_appeal(enterprise, case_id: str):
    case = services.appeal(db.session, enterprise, case_id) or abort(404)
    form = RatingForm()
    if not form.validate_on_submit():
        return _appeal_page(enterprise, case_id, rating_form=form)
    try:
        state = services.rate_appeal(db.session, current_account(), case, form.rating.data, form.comment.data)
    except CaseError as error:
        db.session.rollback()
        flash(error_message(error), "error")
    else:
        flash(_("Thank you. We are sorry it did not go well: the appeal is reopened and the department’s lead "
                "will put it right and call you back.") if state == CaseState.REOPENED
              else _("Thank you for your rating."), "success")
    return redirect(url_for("enterprise.appeal", public_id=enterprise.public_id, case_id=case_id), 303)


@bp.post("/c/<public_id>/appeals/<case_id>/information")
@company_page(APPEALS)
def resubmit_appeal(enterprise, case_id: str):
    case = services.appeal(db.session, enterprise, case_id) or abort(404)
    form = ResubmitForm()
    if not form.validate_on_submit():
        return _appeal_page(enterprise, case_id, resubmit_form=form)
    try:
        services.resubmit_appeal(db.session, current_account(), case, form.notes.data)
    except CaseError as error:
        db.session.rollback()
        flash(error_message(error), "error")
    else:
        flash(_("Thank you. The information was sent to the department."), "success")
    return redirect(url_for("enterprise.appeal", public_id=enterprise.public_id, case_id=case_id), 303)
