"""Enterprise services (办事): the catalogue's services for businesses, with their guides."""

from __future__ import annotations

from flask import abort, render_template, request

from enterprise import bp
from enterprise import services as glue
from enterprise.forms import ServiceSearchForm
from enterprise.views.loading import company_page
from portal.catalogue import parse_form_definition
from portal.extensions import db
from portal.models import MembershipScope


@bp.get("/c/<public_id>/services")
@company_page(MembershipScope.AFFAIRS)
def services(enterprise):
    form = ServiceSearchForm(request.args)
    query = form.q.data.strip() if form.validate() and form.q.data else None
    return render_template("enterprise/services.html", enterprise=enterprise, form=form,
                           found=glue.enterprise_services(db.session, query), query=query)


@bp.get("/c/<public_id>/services/<code>")
@company_page(MembershipScope.AFFAIRS)
def service(enterprise, code: str):
    found = glue.enterprise_service(db.session, code) or abort(404)
    return render_template("enterprise/service.html", enterprise=enterprise, service=found,
                           fields=parse_form_definition(found.form_definition))
