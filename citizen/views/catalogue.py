"""The service catalogue (办事指南): browse by life event and department, search, read a guide."""

from __future__ import annotations

from flask import abort, render_template, request

from citizen import bp, services
from citizen.forms import ServiceSearchForm
from citizen.views.home import acting_for_someone
from portal.catalogue import parse_form_definition
from portal.extensions import db
from portal.page_cache import shared_page


@bp.get("/services")
@shared_page(unless=acting_for_someone)
def service_catalogue():
    form = ServiceSearchForm(request.args)
    query = form.q.data.strip() if form.validate() and form.q.data else None
    page = services.catalogue(
        db.session, query=query, event=request.args.get("event"), department=request.args.get("department")
    )
    return render_template("citizen/services.html", form=form, page=page)


@bp.get("/services/<code>")
@shared_page(unless=acting_for_someone)
def service_guide(code: str):
    service = services.service_guide(db.session, code)
    if service is None:
        abort(404)
    return render_template(
        "citizen/service.html", service=service, fields=parse_form_definition(service.form_definition)
    )
