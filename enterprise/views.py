from flask import render_template

from enterprise import bp
from portal import services


@bp.get("/")
def index():
    return render_template("enterprise/index.html", bureaus=services.bureaus())
