from flask import Blueprint

bp = Blueprint("gov", __name__, url_prefix="/gov", template_folder="templates")

from gov import clients, views  # noqa: E402,F401  (routes register themselves on bp)
