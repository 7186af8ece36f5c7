"""Text the enterprise end adds to `portal.enterprise_labels`: why an enterprise code was refused
(the shared code labels speak of city codes)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.codes import Reason

CODE_REFUSALS = {
    Reason.MALFORMED: _l("This is not an enterprise code. Scan it again, or check what was typed."),
    Reason.BAD_SIGNATURE: _l("This enterprise code is not genuine: it was forged or altered."),
    Reason.UNKNOWN_KEY: _l("This code was not issued by this portal, or its key has been retired."),
    Reason.WRONG_PURPOSE: _l("This is a different kind of code, not an enterprise code."),
    Reason.EXPIRED: _l("This enterprise code has expired. Ask the company for its current code."),
    Reason.REVOKED: _l("This enterprise code has been withdrawn. Ask the company for its current code."),
    Reason.NOT_FOUND: _l("No company on the register has this code."),
}


def code_refusal(reason: Reason) -> str:
    return str(CODE_REFUSALS.get(reason, CODE_REFUSALS[Reason.MALFORMED]))
