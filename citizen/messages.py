"""Words for the machine codes the citizen end's services raise."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

DELEGATION_ERRORS = {
    "invalid_mobile": _l("Enter an 11-digit mobile number, like 13812345678."),
    "own_mobile": _l("That is your own mobile number. Enter your family member's."),
    "already_invited": _l("You have already invited this mobile number."),
    "too_many": _l("You can have at most 5 family members at a time. Withdraw one first."),
    "no_scope": _l("Choose at least one thing your family member may do."),
    "invalid_duration": _l("Choose how long it should last from the list."),
    "not_found": _l("That invitation or permission was not found."),
    "not_pending": _l("That has already been answered or ended."),
    "expired": _l("That has expired. Ask for a new invitation."),
    "not_allowed": _l("You are not allowed to do that for this person."),
}

DELEGATION_STATUSES = {
    "invited": _l("Waiting for them to accept"),
    "active": _l("Active"),
    "declined": _l("Declined"),
    "revoked": _l("Ended"),
}

DELEGATION_SCOPES = {
    "view_cases": _l("See applications and requests"),
    "file_applications": _l("Apply for services and manage the paper code"),
}
