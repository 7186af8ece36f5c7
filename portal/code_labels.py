"""What people read for the code machinery's machine words: refusal reasons, scan purposes,
channels. For the citizen end (the history of one's code) and the desk (the verification page)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.codes import Reason

REASONS = {
    Reason.MALFORMED: _l("This is not a city code. Scan it again, or check the digits typed."),
    Reason.BAD_SIGNATURE: _l("This code is not genuine: it was forged or altered."),
    Reason.UNKNOWN_KEY: _l("This code was not issued by this portal, or its key has been retired."),
    Reason.WRONG_PURPOSE: _l("This is a different kind of code, not a city code."),
    Reason.EXPIRED: _l("This code has expired. Ask the resident to show the code on screen now."),
    Reason.REPLAYED: _l("This code has already been used. Ask the resident for the code on screen now."),
    Reason.REVOKED: _l("This code has been revoked. It was reported lost or replaced."),
    Reason.NOT_FOUND: _l("No live code has these digits. Check them with the resident."),
    Reason.RATE_LIMITED: _l("Too many wrong codes were typed. Wait 15 minutes before typing another."),
}

# Short forms for the resident's history table.
OUTCOMES = {
    "verified": _l("Verified"),
    Reason.MALFORMED.value: _l("Not a code"),
    Reason.BAD_SIGNATURE.value: _l("Refused: not genuine"),
    Reason.UNKNOWN_KEY.value: _l("Refused: unknown key"),
    Reason.WRONG_PURPOSE.value: _l("Refused: wrong kind of code"),
    Reason.EXPIRED.value: _l("Refused: expired"),
    Reason.REPLAYED.value: _l("Refused: already used"),
    Reason.REVOKED.value: _l("Refused: revoked"),
    Reason.NOT_FOUND.value: _l("Refused: no such code"),
    Reason.RATE_LIMITED.value: _l("Refused: too many attempts"),
}

SCAN_PURPOSES = {
    "identity": _l("Identity check"),
    "pickup": _l("Collecting a certificate"),
    "entry": _l("Entry to a building"),
}

CHANNELS = {
    "qr": _l("QR code on a phone"),
    "numeric": _l("Numeric code"),
    "paper": _l("Paper code"),
}
