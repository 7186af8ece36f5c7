import re
from datetime import date

import pytest

from portal.identity_numbers import (
    InvalidResidentId,
    mask_resident_id,
    resident_id_check_char,
    validate_resident_id,
)

# Check characters worked by hand: sum(digit * weight) mod 11 indexes "10X98765432".
# 11010519491231002: 1*7+1*9+0*10+1*5+0*8+5*4+1*2+9*1+4*6+9*3+1*7+2*9+3*10+1*5+0*8+0*4+2*2 = 167,
# 167 mod 11 = 2 -> "X".
VALID = ["11010519491231002X", "310117198805121232", "310227194503080025", "440524198001010013"]


@pytest.mark.parametrize("number", VALID)
def test_valid_numbers_pass(number):
    assert validate_resident_id(number) == number


def test_hand_computed_check_character():
    assert resident_id_check_char("11010519491231002") == "X"


def test_lower_case_x_and_spaces_are_normalised():
    assert validate_resident_id(" 11010519491231002x ") == "11010519491231002X"


@pytest.mark.parametrize("number", VALID)
def test_every_single_character_change_is_caught(number):
    for position in range(18):
        for replacement in "0123456789X":
            if replacement == number[position] or (position < 17 and replacement == "X"):
                continue
            corrupted = number[:position] + replacement + number[position + 1 :]
            with pytest.raises(InvalidResidentId):
                validate_resident_id(corrupted)


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("3101171988051212", "format"),
        ("31011719880512123A", "format"),
        ("310117198802301234", "birth_date"),
        ("310117203001011234", "birth_date"),
        ("310117198805121233", "check_digit"),
    ],
)
def test_each_kind_of_mistake_has_its_reason(number, code):
    with pytest.raises(InvalidResidentId) as raised:
        validate_resident_id(number, today=date(2026, 11, 25))
    assert raised.value.code == code


def test_masked_number_hides_the_middle():
    assert mask_resident_id("31011719880512123X") == "3101**********123X"


def test_a_number_typed_on_a_chinese_keyboard_is_the_same_number():
    """Full-width digits and X are one person's number spelled another way: made plain, not stored
    as a second number."""
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in "11010519491231002X")
    assert validate_resident_id(full_width) == "11010519491231002X"
    assert validate_resident_id("110105 19491231 002x") == "11010519491231002X"


@pytest.mark.parametrize("number", ["١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "1101051949123100\u0662X"])
def test_digits_of_other_scripts_are_refused(number):
    with pytest.raises(InvalidResidentId):
        validate_resident_id(number)


@pytest.mark.parametrize("typed", ["13800000003\n", "１３８００００００03", "13800000003 ", "1380000000"])
def test_a_mobile_number_is_eleven_ascii_digits_and_nothing_after(typed):
    from portal import delegations
    from portal.identity_numbers import MOBILE_PATTERN

    assert re.match(MOBILE_PATTERN, typed) is None
    assert delegations.MOBILE.match(typed) is None
    assert re.match(MOBILE_PATTERN, "13800000003")
