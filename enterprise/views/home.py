"""The enterprise end's home, registering a company, and answering an agent invitation."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from auth.access import requires_signin
from auth.session import current_account
from enterprise import bp, services
from enterprise.forms import ActionForm, RegisterForm
from portal import services as portal_services
from portal.enterprise_labels import enterprise_error_message
from portal.enterprises import EnterpriseError
from portal.extensions import db
from portal.i18n import current_language
from portal.web import request_origin


@bp.get("/")
def index():
    account = current_account()
    page = services.home(db.session, account) if account is not None else None
    return render_template("enterprise/index.html", page=page, bureaus=portal_services.bureaus(),
                           form=ActionForm(formdata=None))


@bp.route("/register", methods=["GET", "POST"])
@requires_signin
def register():
    form = RegisterForm().with_towns(services.towns(db.session), current_language())
    if form.validate_on_submit():
        try:
            services.register(db.session, current_account(), form.data, request_origin())
        except EnterpriseError as error:
            db.session.rollback()
            form.form_errors.append(enterprise_error_message(error))
        else:
            flash(_("Registered. An officer will verify that you are the legal representative; "
                    "you will find a message in your inbox when it is done."), "success")
            return redirect(url_for("enterprise.index"), 303)
    return render_template("enterprise/register.html", form=form)


@bp.post("/invitations/<public_id>/<answer>")
@requires_signin
def answer_invitation(public_id: str, answer: str):
    if answer not in ("confirm", "decline") or not ActionForm().validate_on_submit():
        abort(400)
    try:
        found = services.answer_invitation(db.session, current_account(), public_id, answer == "confirm",
                                           request_origin())
    except EnterpriseError as error:
        db.session.rollback()
        flash(enterprise_error_message(error), "error")
        return redirect(url_for("enterprise.index"), 303)
    if found is None:
        abort(404)
    flash(_("You now act for the company.") if answer == "confirm" else _("Invitation declined."), "success")
    return redirect(url_for("enterprise.index"), 303)
