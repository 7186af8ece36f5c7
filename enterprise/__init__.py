from flask import Blueprint

bp = Blueprint("enterprise", __name__, url_prefix="/enterprise", template_folder="templates")

from enterprise import views  # noqa: E402,F401  (routes register themselves on bp)
