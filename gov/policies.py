"""Policy authoring on the desk: an officer drafts a policy of their department with its criteria
(rows or JSON, checked with their paths), sees a dry run per town, publishes (every matching
enterprise is told once) or withdraws it; and verifies legal representatives who registered."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from auth.access import requires_staff
from auth.session import current_account
from gov import bp
from gov import policy_services as services
from gov.policy_forms import PolicyActionForm, PolicyForm
from portal import enterprise_labels
from portal.enterprises import EnterpriseError
from portal.extensions import db
from portal.policy_matching import PolicyError
from portal.web import request_origin


@bp.context_processor
def _vocabularies() -> dict:
    return {"enterprise_labels": enterprise_labels}


def _load(public_id: str):
    return services.policy_for(db.session, current_account(), public_id) or abort(404)


@bp.get("/policies")
@requires_staff()
def policies():
    found = services.policies_for(db.session, current_account())
    return render_template("gov/policies/list.html", policies=found)


def _edit(policy, form: PolicyForm):
    rule_errors, problem = [], None
    if form.validate_on_submit():
        criteria, problem = form.criteria()
        if problem is None:
            saved = services.save_draft(db.session, current_account(), policy, form.policy_fields(), criteria,
                                        form.clause_texts())
            rule_errors = saved.errors
            if not rule_errors:
                flash(_("Draft saved. Check the dry run before publishing."), "success")
                return redirect(url_for("gov.policy", public_id=saved.policy.public_id), 303)
    return render_template("gov/policies/edit.html", form=form, policy=policy, problem=problem,
                           errors=[(e, enterprise_labels.rule_error_message(e)) for e in rule_errors])


@bp.route("/policies/new", methods=["GET", "POST"])
@requires_staff()
def new_policy():
    return _edit(None, PolicyForm())


@bp.route("/policies/<public_id>/edit", methods=["GET", "POST"])
@requires_staff()
def edit_policy(public_id: str):
    policy = _load(public_id)
    if policy.status.value != "draft":
        abort(404)
    form = PolicyForm(obj=policy)
    return _edit(policy, form if form.is_submitted() else form.load(policy))


@bp.get("/policies/<public_id>")
@requires_staff()
def policy(public_id: str):
    found = _load(public_id)
    errors = [(e, enterprise_labels.rule_error_message(e)) for e in services.check(found)]
    return render_template("gov/policies/policy.html", policy=found, errors=errors,
                           dry_run=services.dry_run(db.session, found), form=PolicyActionForm())


@bp.post("/policies/<public_id>/<action>")
@requires_staff()
def policy_action(public_id: str, action: str):
    found = _load(public_id)
    if action not in ("publish", "withdraw") or not PolicyActionForm().validate_on_submit():
        abort(400)
    try:
        if action == "withdraw":
            services.withdraw(db.session, current_account(), found, request_origin())
            flash(_("Withdrawn. Enterprises are told nothing new about it."), "success")
        else:
            services.publish(db.session, current_account(), found, request_origin())
            flash(_("Published. Every enterprise that qualifies is being told; the dry run below shows how "
                    "many qualify."), "success")
    except PolicyError as error:
        db.session.rollback()
        flash(enterprise_labels.policy_error_message(error.code), "error")
    return redirect(url_for("gov.policy", public_id=public_id), 303)


@bp.get("/enterprises/verifications")
@requires_staff()
def verifications():
    return render_template("gov/policies/verifications.html", pending=services.pending_representatives(db.session),
                           form=PolicyActionForm())


@bp.post("/enterprises/verifications/<public_id>")
@requires_staff()
def verify_representative(public_id: str):
    if not PolicyActionForm().validate_on_submit():
        abort(400)
    try:
        report = services.verify(db.session, current_account(), public_id, request_origin())
    except EnterpriseError as error:
        db.session.rollback()
        flash(enterprise_labels.enterprise_error_message(error), "error")
    else:
        if report is None:
            abort(404)
        flash(_("Verified. The legal representative can now act for the company."), "success")
    return redirect(url_for("gov.verifications"), 303)
