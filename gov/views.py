from flask import render_template

from auth.access import requires_staff
from auth.session import current_account
from gov import bp
from portal import services


@bp.get("/")
@requires_staff()
def index():
    return render_template(
        "gov/index.html",
        positions=current_account().staff_positions,
        bureaus=services.bureaus(),
        centres=services.service_centres(),
    )
