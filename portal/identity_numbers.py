"""Chinese resident identity numbers (GB 11643-1999): 17 digits and a check character."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"
# ASCII digits only (\d takes any script's, and int() reads them) and \Z (`$` allows a final newline):
# the number is stored and compared as typed once normalised, so one person has one spelling.
_SHAPE = re.compile(r"^[0-9]{17}[0-9X]\Z")


class InvalidResidentId(ValueError):
    """The reason is in `code`: "format", "birth_date" or "check_digit"."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def resident_id_check_char(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalise_resident_id(value: str) -> str:
    """Full-width digits and letters from a Chinese keyboard made plain, spaces left out."""
    return "".join(unicodedata.normalize("NFKC", value).split()).upper()


def validate_resident_id(value: str, today: date | None = None) -> str:
    """Return the normalised number, or raise InvalidResidentId saying what is wrong."""
    number = normalise_resident_id(value)
    if not _SHAPE.match(number):
        raise InvalidResidentId("format")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidResidentId("birth_date") from None
    if born.year < 1900 or born > (today or date.today()):
        raise InvalidResidentId("birth_date")
    if resident_id_check_char(number[:17]) != number[17]:
        raise InvalidResidentId("check_digit")
    return number


def birth_date_of(number: str) -> date:
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


# A mainland mobile number: ASCII digits (\d takes any script's) and \Z, not $, which also matches
# before a final newline and would let "13800000000\n" through as a different number.
MOBILE_PATTERN = r"^1[3-9][0-9]{9}\Z"


def mask_mobile(number: str) -> str:
    """A mobile number as shown to anyone but its owner typing it: 138****0001."""
    return number[:3] + "****" + number[-4:]


def mask_resident_id(number: str) -> str:
    """Show the region prefix and the last four characters only: 3101**********123X."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
