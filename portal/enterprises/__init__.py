"""The enterprise domain: registration and verification, memberships (legal representatives and
agents) with the access check every enterprise page goes through, and the profile that policy
matching reads. Plain Python over SQLAlchemy: nothing here imports Flask. Functions take the
session and the actor and leave the commit to the caller. Human text for the codes used here
lives in `portal.enterprise_labels`.
"""

from portal.enterprises.errors import EnterpriseError
from portal.enterprises.memberships import (
    ALL_SCOPES,
    active_membership,
    add_agent,
    confirm_membership,
    effective_clause,
    enterprises_of,
    find_enterprise_for,
    invitations_for,
    members_of,
    revoke_membership,
)
from portal.enterprises.registration import (
    PROFILE_FIELDS,
    register_enterprise,
    set_official_records,
    update_profile,
    verify_representative,
)

__all__ = [
    "ALL_SCOPES",
    "PROFILE_FIELDS",
    "EnterpriseError",
    "active_membership",
    "add_agent",
    "confirm_membership",
    "effective_clause",
    "enterprises_of",
    "find_enterprise_for",
    "invitations_for",
    "members_of",
    "register_enterprise",
    "revoke_membership",
    "set_official_records",
    "update_profile",
    "verify_representative",
]
