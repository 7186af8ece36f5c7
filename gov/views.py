from flask import render_template

from gov import bp
from portal import services


@bp.get("/")
def index():
    return render_template(
        "gov/index.html", bureaus=services.bureaus(), centres=services.service_centres()
    )
