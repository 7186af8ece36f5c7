from flask import Blueprint

bp = Blueprint("citizen", __name__, url_prefix="/citizen", template_folder="templates")

from citizen import views  # noqa: E402,F401  (routes register themselves on bp)
