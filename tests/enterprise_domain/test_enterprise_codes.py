"""Unified Social Credit Codes (GB 32100-2015) and the organisation code inside them (GB 11714).

The valid codes below have their check characters worked out by hand in the comments, so the
tests do not merely repeat the implementation's arithmetic.

USCC alphabet values: 0-9 are 0-9, then A10 B11 C12 D13 E14 F15 G16 H17 J18 K19 L20 M21 N22
P23 Q24 R25 T26 U27 W28 X29 Y30. Weights for positions 1..17 (3^(i-1) mod 31):
1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28.
Organisation code letters instead count through the full alphabet: A10 ... K20 L21 M22 ... Z35,
with weights 3 7 9 10 5 8 4 2.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.enterprise_codes import (
    ALPHABET,
    UsccProblem,
    generate_uscc,
    is_valid_uscc,
    make_uscc,
    normalise_uscc,
    org_code_check_digit,
    organisation_code_of,
    uscc_check_character,
    uscc_problem,
)

HAND_CHECKED = [
    # 914403001922038216 (a Shenzhen company registered before 2015, digits only).
    # Organisation code 19220382: 1*3 + 9*7 + 2*9 + 2*10 + 0*5 + 3*8 + 8*4 + 2*2 = 164;
    #   164 mod 11 = 10; 11 - 10 = 1 -> '1' (position 17).
    # USCC: 9*1 + 1*3 + 4*9 + 4*27 + 0*19 + 3*26 + 0*16 + 0*17 + 1*20 + 9*29 + 2*25 + 2*13
    #   + 0*8 + 3*24 + 8*10 + 2*30 + 1*28 = 831; 831 mod 31 = 25; 31 - 25 = 6 -> '6'.
    "914403001922038216",
    # 91440300708461136T. Organisation code 70846113: 21 + 0 + 72 + 40 + 30 + 8 + 4 + 6 = 181;
    #   181 mod 11 = 5; 11 - 5 = 6 -> '6'.
    # USCC: 9 + 3 + 36 + 108 + 0 + 78 + 0 + 0 + 7*20 + 0*29 + 8*25 + 4*13 + 6*8 + 1*24 + 1*10
    #   + 3*30 + 6*28 = 966; 966 mod 31 = 5; 31 - 5 = 26 -> 'T'.
    "91440300708461136T",
    # 91310117MA1FL3K290: a Songjiang (310117) company in the post-2015 "MA" series.
    # Organisation code MA1FL3K2 with GB 11714 letter values M=22 A=10 F=15 L=21 K=20:
    #   22*3 + 10*7 + 1*9 + 15*10 + 21*5 + 3*8 + 20*4 + 2*2 = 508; 508 mod 11 = 2; 11 - 2 = 9 -> '9'.
    # USCC with alphabet values M=21 A=10 F=15 L=20 K=19:
    #   9 + 3 + 27 + 27 + 0 + 26 + 16 + 119 + 21*20 + 10*29 + 1*25 + 15*13 + 20*8 + 3*24 + 19*10
    #   + 2*30 + 9*28 = 1891 = 61 * 31; 1891 mod 31 = 0; (31 - 0) mod 31 = 0 -> '0'.
    "91310117MA1FL3K290",
    # 9131011712345677XW. Organisation code 12345677: 3 + 14 + 27 + 40 + 25 + 48 + 28 + 14 = 199;
    #   199 mod 11 = 1; 11 - 1 = 10 -> 'X'.
    # USCC: 227 (for 91310117, as above) + 1*20 + 2*29 + 3*25 + 4*13 + 5*8 + 6*24 + 7*10 + 7*30
    #   + X29*28 = 1708; 1708 mod 31 = 3; 31 - 3 = 28 -> 'W'.
    "9131011712345677XW",
    # 513101171234567101: a social organisation (5 civil affairs, 1 社会团体).
    # Organisation code 12345671: 185 + 1*2 = 187 = 17 * 11; 187 mod 11 = 0; 11 - 0 = 11 -> '0'.
    # USCC: 5 + 3 + 27 + 27 + 0 + 26 + 16 + 119 + 20 + 58 + 75 + 52 + 40 + 144 + 70 + 1*30 + 0*28
    #   = 712; 712 mod 31 = 30; 31 - 30 = 1 -> '1'.
    "513101171234567101",
]


@pytest.mark.parametrize("code", HAND_CHECKED)
def test_hand_checked_codes_are_valid(code):
    assert uscc_problem(code) is None
    assert is_valid_uscc(code)


def test_check_characters_match_the_hand_computations():
    assert uscc_check_character("91440300708461136") == "T"
    assert uscc_check_character("91310117MA1FL3K29") == "0"
    assert org_code_check_digit("12345677") == "X"
    assert org_code_check_digit("12345671") == "0"
    # The organisation code counts M as 22, not as its USCC value 21.
    assert org_code_check_digit("MA1FL3K2") == "9"


def _substitutions(code: str):
    others = ALPHABET + "IOSVZ-a *"
    for i, original in enumerate(code):
        for replacement in others:
            if replacement != original:
                yield i, code[:i] + replacement + code[i + 1 :]


@pytest.mark.parametrize("code", HAND_CHECKED + [generate_uscc(random.Random(seed)) for seed in range(5)])
def test_every_one_character_corruption_is_caught(code):
    missed = [(i, corrupted) for i, corrupted in _substitutions(code) if is_valid_uscc(corrupted)]
    assert missed == []


@pytest.mark.parametrize("code", HAND_CHECKED)
def test_every_adjacent_transposition_is_caught(code):
    for i in range(17):
        swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
        if swapped != code:
            assert not is_valid_uscc(swapped), swapped


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("91440300708461136", UsccProblem.FORMAT),  # 17 characters
        ("91440300708461136T0", UsccProblem.FORMAT),  # 19
        ("91440300708461136I", UsccProblem.FORMAT),  # I is not in the alphabet
        ("9144030070846113 T", UsccProblem.FORMAT),
        ("91A40300708461136T", UsccProblem.FORMAT),  # the division code must be digits
        ("01440300708461136T", UsccProblem.REGISTRATION_AUTHORITY),  # no authority 0
        ("B1440300708461136T", UsccProblem.REGISTRATION_AUTHORITY),
        ("94440300708461136T", UsccProblem.REGISTRATION_TYPE),  # market regulation registers 1, 2, 3
        ("58440300708461136T", UsccProblem.REGISTRATION_TYPE),  # civil affairs: 1, 2, 3, 9
        ("91440300708461137T", UsccProblem.ORG_CODE_CHECK),
        ("914403007084611360", UsccProblem.CHECK_CHARACTER),
        ("914403007084611X6T", UsccProblem.ORG_CODE_CHECK),
    ],
)
def test_each_problem_has_its_reason(code, problem):
    assert uscc_problem(code) == problem


def test_non_strings_are_a_format_problem():
    assert uscc_problem(None) == UsccProblem.FORMAT
    assert uscc_problem(914403001922038216) == UsccProblem.FORMAT


def test_typed_codes_are_normalised():
    assert normalise_uscc(" 91310117ma1fl3k290 ") == "91310117MA1FL3K290"
    assert normalise_uscc("9131 0117 MA1F L3K2 90") == "91310117MA1FL3K290"
    assert normalise_uscc(None) == ""


def test_parts_of_a_code():
    assert organisation_code_of("914403001922038216") == "19220382-1"
    assert make_uscc("9", "1", "440300", "19220382") == "914403001922038216"


@given(st.integers(min_value=0, max_value=2**32))
def test_generated_codes_are_valid_and_in_songjiang(seed):
    code = generate_uscc(random.Random(seed))
    assert is_valid_uscc(code)
    assert code.startswith("91310117")


@given(st.integers(min_value=0, max_value=2**32), st.sampled_from([("9", "2"), ("9", "3"), ("5", "1"), ("Y", "1")]))
def test_generated_codes_for_other_kinds_are_valid(seed, kind):
    authority, type_code = kind
    code = generate_uscc(random.Random(seed), authority=authority, type_code=type_code)
    assert uscc_problem(code) is None
    assert code[:2] == authority + type_code
