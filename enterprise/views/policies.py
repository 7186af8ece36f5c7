"""Policies for a company: its matches ranked with explanations, every published policy with
filters, one policy with the company's explanation, and the topics it follows."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from auth.session import current_account
from enterprise import bp, services
from enterprise.forms import PolicySearchForm, TopicsForm
from enterprise.views.loading import company_page
from portal.enterprise_labels import enterprise_error_message
from portal.enterprises import EnterpriseError
from portal.extensions import db
from portal.i18n import current_language
from portal.models import MembershipScope
from portal.page_cache import kept_fragment, shared_page

POLICIES = MembershipScope.POLICIES


@bp.get("/c/<public_id>/matches")
@company_page(POLICIES)
# The whole page, for each person: their company's access is checked first (company_page), and
# the key holds all the lists depend on, so a change to the figures or the policies shows at once.
@shared_page(vary=lambda enterprise: (current_account().id, *services.matches_key(db.session, enterprise)))
def matches(enterprise):
    def render_lists() -> str:
        qualified, uncertain, near = services.ranked(db.session, enterprise)
        return render_template("enterprise/_match_lists.html", enterprise=enterprise, qualified=qualified,
                               uncertain=uncertain, near=near)

    # Explaining every policy criterion by criterion is most of the page's work, and its inputs
    # change seldom: kept until the company's figures, the day or the published policies change.
    key = (*services.matches_key(db.session, enterprise), current_language())
    return render_template("enterprise/matches.html", enterprise=enterprise,
                           lists=kept_fragment("policy-matches", key, render_lists))


@bp.get("/c/<public_id>/policies")
@company_page(POLICIES)
def policies(enterprise):
    form = PolicySearchForm(request.args).with_departments(services.policy_departments(db.session),
                                                           current_language())
    found = services.published_policies(db.session, **form.criteria())
    return render_template("enterprise/policies.html", enterprise=enterprise, form=form, policies=found)


@bp.get("/c/<public_id>/policies/<policy_id>")
@company_page(POLICIES)
def policy(enterprise, policy_id: str):
    found = services.published_policy(db.session, policy_id) or abort(404)
    return render_template("enterprise/policy.html", enterprise=enterprise, policy=found,
                           explanation=services.explanation(found, enterprise))


@bp.route("/c/<public_id>/topics", methods=["GET", "POST"])
@company_page(POLICIES)
def topics(enterprise):
    form = TopicsForm(data={"topics": services.topics(db.session, enterprise)} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.set_topics(db.session, current_account(), enterprise, form.topics.data or [])
        except EnterpriseError as error:
            db.session.rollback()
            form.form_errors.append(enterprise_error_message(error))
        else:
            flash(_("Saved. You will hear of every new policy on the topics you chose."), "success")
            return redirect(url_for("enterprise.topics", public_id=enterprise.public_id), 303)
    return render_template("enterprise/topics.html", enterprise=enterprise, form=form)
