from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth", template_folder="templates")

from auth import models, views  # noqa: E402,F401  (tables and routes register themselves)
from auth.oidc import models as oidc_models  # noqa: E402,F401  (the OpenID provider's tables)
