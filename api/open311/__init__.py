"""Open311 GeoReport v2 at /open311/v2: the international standard for citizen service requests,
so that existing client apps can list services, file requests and follow them (docs/open311.md).

Clients authenticate each POST with an `api_key`, never a cookie, so the blueprint is exempt from
the portal's CSRF check.
"""

from flask import Blueprint

from portal.extensions import csrf

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
csrf.exempt(bp)

from api.open311 import views  # noqa: E402,F401 - the routes register themselves on bp
