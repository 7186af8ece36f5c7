"""Acting for an elder (亲友代办): both sides of the invitation, switching, and ending it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from auth.access import requires_signin
from auth.session import acting_for, current_account
from citizen import bp, services
from citizen.forms import ActionForm, InviteForm
from citizen.messages import DELEGATION_ERRORS
from portal.delegations import DelegationError
from portal.extensions import db
from portal.web import request_origin


@bp.get("/family")
@requires_signin
def family():
    page = services.family_page(db.session, current_account())
    return render_template("citizen/family.html", page=page, form=ActionForm(formdata=None))


@bp.route("/family/invite", methods=["GET", "POST"])
@requires_signin
def invite_family():
    form = InviteForm()
    if form.validate_on_submit():
        try:
            services.invite_family_member(db.session, current_account(), form.data, request_origin())
        except DelegationError as error:
            field = {"invalid_duration": form.days, "no_scope": form.can_file_applications}.get(error.code, form.mobile)
            field.errors = [*field.errors, DELEGATION_ERRORS[error.code]]
        else:
            flash(_("Invitation sent. When your family member signs in with that mobile number, they can accept it."),
                  "success")
            return redirect(url_for("citizen.family"))
    return render_template("citizen/family_invite.html", form=form)


def _act(operation, public_id: str, done: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        operation(db.session, current_account(), public_id, request_origin())
    except DelegationError as error:
        if error.code == "not_found":
            abort(404)
        flash(DELEGATION_ERRORS[error.code], "error")
    else:
        flash(done, "success")
    return redirect(url_for("citizen.family"))


@bp.post("/family/<public_id>/accept")
@requires_signin
def accept_invitation(public_id: str):
    return _act(lambda s, a, p, o: services.answer_invitation(s, a, p, True, o), public_id,
                _("Accepted. You can now act for them from this page."))


@bp.post("/family/<public_id>/decline")
@requires_signin
def decline_invitation(public_id: str):
    return _act(lambda s, a, p, o: services.answer_invitation(s, a, p, False, o), public_id,
                _("Declined."))


@bp.post("/family/<public_id>/revoke")
@requires_signin
def revoke_delegation(public_id: str):
    return _act(services.end_delegation, public_id, _("Ended. It stopped working at once."))


@bp.post("/family/<public_id>/act")
@requires_signin
def act_for(public_id: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        subject = services.start_acting_for(db.session, current_account(), public_id, request_origin())
    except DelegationError as error:
        if error.code == "not_found":
            abort(404)
        flash(DELEGATION_ERRORS[error.code], "error")
        return redirect(url_for("citizen.family"))
    flash(_("You are now acting for %(name)s.", name=subject.display_name), "success")
    return redirect(url_for("citizen.index"))


@bp.post("/family/stop")
@requires_signin
def stop_acting():
    if not ActionForm().validate_on_submit():
        abort(400)
    services.stop_acting_for(db.session, current_account(), acting_for(), request_origin())
    flash(_("You are acting for yourself again."), "success")
    return redirect(url_for("citizen.family"))
