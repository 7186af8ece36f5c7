from flask import render_template

from citizen import bp
from portal import services


@bp.get("/")
def index():
    return render_template("citizen/index.html", centres=services.service_centres())
