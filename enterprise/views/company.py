"""A company's dashboard, its agents (the legal representative's page), its profile and messages."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from auth.session import current_account
from enterprise import bp, services
from enterprise.forms import ActionForm, AgentForm, ProfileForm
from enterprise.views.loading import company_page
from portal.enterprise_labels import enterprise_error_message
from portal.enterprises import EnterpriseError
from portal.extensions import db
from portal.i18n import current_language
from portal.models import MembershipScope
from portal.web import request_origin


@bp.get("/c/<public_id>")
@company_page()
def dashboard(enterprise):
    board = services.dashboard(db.session, current_account(), enterprise)
    return render_template("enterprise/dashboard.html", enterprise=enterprise, board=board)


def _agents_page(enterprise, form):
    return render_template("enterprise/agents.html", enterprise=enterprise, form=form,
                           members=services.members(db.session, enterprise), action_form=ActionForm(formdata=None))


@bp.get("/c/<public_id>/agents")
@company_page(legal_representative=True)
def agents(enterprise):
    return _agents_page(enterprise, AgentForm(formdata=None))


@bp.post("/c/<public_id>/agents")
@company_page(legal_representative=True)
def add_agent(enterprise):
    form = AgentForm()
    if form.validate_on_submit():
        try:
            services.add_agent(db.session, current_account(), enterprise, form.data, request_origin())
        except EnterpriseError as error:
            db.session.rollback()
            form.form_errors.append(enterprise_error_message(error))
        else:
            # The same words whether or not the number has an account: the page reveals no one.
            flash(_("If %(mobile)s has an account, that person is invited and must confirm before acting "
                    "for the company.", mobile=form.mobile.data), "success")
            return redirect(url_for("enterprise.agents", public_id=enterprise.public_id), 303)
    return _agents_page(enterprise, form)


@bp.post("/c/<public_id>/agents/<membership_id>/remove")
@company_page(legal_representative=True)
def remove_agent(enterprise, membership_id: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        found = services.remove_agent(db.session, current_account(), enterprise, membership_id, request_origin())
    except EnterpriseError as error:
        db.session.rollback()
        flash(enterprise_error_message(error), "error")
    else:
        if not found:
            abort(404)
        flash(_("The agent’s binding has ended. They can no longer act for the company."), "success")
    return redirect(url_for("enterprise.agents", public_id=enterprise.public_id), 303)


@bp.route("/c/<public_id>/profile", methods=["GET", "POST"])
@company_page(MembershipScope.PROFILE)
def profile(enterprise):
    form = ProfileForm(obj=enterprise)
    if form.validate_on_submit():
        try:
            report = services.update_profile(db.session, current_account(), enterprise, form.changes(),
                                             request_origin())
        except EnterpriseError as error:
            db.session.rollback()
            form.form_errors.append(enterprise_error_message(error))
        else:
            flash(_("Saved. The company now qualifies for %(qualified)s policies and might for %(uncertain)s more.",
                    qualified=report.qualified, uncertain=report.uncertain), "success")
            return redirect(url_for("enterprise.matches", public_id=enterprise.public_id), 303)
    return render_template("enterprise/profile.html", enterprise=enterprise, form=form)


@bp.get("/c/<public_id>/inbox")
@company_page()
def inbox(enterprise):
    items = services.inbox(db.session, current_account(), enterprise, current_language())
    return render_template("enterprise/inbox.html", enterprise=enterprise, items=items, form=ActionForm(formdata=None))


@bp.post("/c/<public_id>/inbox/read")
@company_page()
def read_inbox(enterprise):
    if not ActionForm().validate_on_submit():
        abort(400)
    services.mark_inbox_read(db.session, current_account(), enterprise, current_language())
    flash(_("All messages marked as read."), "success")
    return redirect(url_for("enterprise.inbox", public_id=enterprise.public_id), 303)
