from flask import Blueprint

from auth.mfa import account_with_standing
from auth.session import read_with_account

bp = Blueprint("gov", __name__, url_prefix="/gov", template_folder="templates")
# Every desk page asks first for the officer's staff positions and second factor.
read_with_account(bp, account_with_standing)

# Routes register themselves on bp. clients: the client registry; views, desk_admin, stats_views: the desk;
# verify: city-code checks; attachments: case files for staff; policies: policy authoring;
# jobs_admin: failed background jobs, for administrators.
import gov.open311_keys  # noqa: E402,F401 - Open311 API keys, for administrators
from gov import attachments, clients, desk_admin, jobs_admin, policies, stats_views, verify, views  # noqa: E402,F401
