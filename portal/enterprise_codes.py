"""Unified Social Credit Codes (统一社会信用代码, GB 32100-2015) and the organisation code inside them.

An 18-character code reads:

    position 1       registration authority (登记管理部门代码): 9 market regulation, 5 civil affairs ...
    position 2       organisation type under that authority (机构类别代码): 91 a company, 92 a sole trader ...
    positions 3-8    administrative division of the registering authority (310117 = Songjiang)
    positions 9-17   the organisation code (组织机构代码, GB 11714): 8 characters and a check digit
    position 18      the check character over positions 1-17

Two different check computations are involved, and snippets often mix them up:

* the USCC check character (position 18) values characters by their index in the 31-character
  alphabet `0123456789ABCDEFGHJKLMNPQRTUWXY` (no I, O, S, V, Z), so A=10, ..., H=17, J=18, ..., Y=30;
  weights are 3^(i-1) mod 31 for positions i = 1..17; check = (31 - sum mod 31) mod 31;
* the organisation code's check digit (position 17) values letters by their place in the full
  Latin alphabet, A=10, B=11, ..., Z=35 (so M is 22 here but 21 above); weights 3, 7, 9, 10, 5, 8,
  4, 2; check = 11 - sum mod 11, written 'X' for 10 and '0' for 11.

Plain Python: used by forms, demo data and tests alike.
"""

from __future__ import annotations

import enum
import random

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, ...

ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# Registration authority (position 1) -> the organisation types (position 2) it registers.
# GB 32100-2015 table 1 and the codes assigned since by the national coordination office.
REGISTRATION_TYPES: dict[str, dict[str, str]] = {
    "1": {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},  # 机构编制
    "2": {"1": "外国常驻新闻机构", "9": "其他"},  # 外交
    "3": {
        "1": "律师执业机构",
        "2": "公证处",
        "3": "基层法律服务所",
        "4": "司法鉴定机构",
        "5": "仲裁委员会",
        "9": "其他",
    },  # 司法行政
    "4": {"1": "外国在华文化中心", "9": "其他"},  # 文化
    "5": {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"},  # 民政
    "6": {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"},  # 旅游
    "7": {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"},  # 宗教
    "8": {"1": "基层工会", "9": "其他"},  # 工会
    "9": {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"},  # 工商 (市场监督管理)
    "A": {"1": "军队事业单位", "9": "其他"},  # 中央军委改革和编制办公室
    "N": {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},  # 农业
    "Y": {"1": "其他"},  # 其他
}


class UsccProblem(enum.StrEnum):
    """Why a code was refused: machine codes, worded for people in `portal.enterprise_labels`."""

    FORMAT = "format"  # not 18 characters of the alphabet, or the division code is not 6 digits
    REGISTRATION_AUTHORITY = "registration_authority"  # position 1 names no registration authority
    REGISTRATION_TYPE = "registration_type"  # position 2 is no type that authority registers
    ORG_CODE_CHECK = "org_code_check"  # the organisation code's check digit (position 17) is wrong
    CHECK_CHARACTER = "check_character"  # the check character (position 18) is wrong


def normalise_uscc(text: str) -> str:
    """What a person typed, as a code: outer and inner spaces dropped, upper case."""
    return "".join((text or "").split()).upper()


def uscc_check_character(first17: str) -> str:
    """The 18th character for the first 17 (which must be in the alphabet)."""
    if len(first17) != 17 or any(ch not in _VALUE for ch in first17):
        raise ValueError("need 17 characters of the USCC alphabet")
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def _org_value(ch: str) -> int:
    if ch.isdigit():
        return int(ch)
    return ord(ch) - ord("A") + 10  # GB 11714: A=10 ... Z=35, the full Latin alphabet


def org_code_check_digit(body: str) -> str:
    """The 9th character of an organisation code (GB 11714) for its first 8 (digits or capitals)."""
    if len(body) != 8 or not all(ch.isdigit() or "A" <= ch <= "Z" for ch in body):
        raise ValueError("need 8 digits or capital letters")
    total = sum(_org_value(ch) * w for ch, w in zip(body, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def uscc_problem(code: str) -> UsccProblem | None:
    """None when `code` is a valid USCC, else the first problem found (checked in this order)."""
    if not isinstance(code, str) or len(code) != 18 or any(ch not in _VALUE for ch in code):
        return UsccProblem.FORMAT
    if not code[2:8].isdigit():
        return UsccProblem.FORMAT
    types = REGISTRATION_TYPES.get(code[0])
    if types is None:
        return UsccProblem.REGISTRATION_AUTHORITY
    if code[1] not in types:
        return UsccProblem.REGISTRATION_TYPE
    if org_code_check_digit(code[8:16]) != code[16]:
        return UsccProblem.ORG_CODE_CHECK
    if uscc_check_character(code[:17]) != code[17]:
        return UsccProblem.CHECK_CHARACTER
    return None


def is_valid_uscc(code: str) -> bool:
    return uscc_problem(code) is None


def division_of(code: str) -> str:
    """The administrative division code (positions 3-8) of a code already validated."""
    return code[2:8]


def organisation_code_of(code: str) -> str:
    """The embedded organisation code as usually printed, `XXXXXXXX-X`."""
    return f"{code[8:16]}-{code[16]}"


# Body characters a generated organisation code uses: digits and the capitals the USCC alphabet
# shares with the Latin alphabet (the check digit is a digit or X, which is in both).
_BODY_LETTERS = "ABCDEFGHJKLMNPQRTUWXY"


def make_uscc(authority: str, type_code: str, division: str, org_body: str) -> str:
    """A valid code from its parts: both check characters are computed."""
    first16 = authority + type_code + division + org_body
    first17 = first16 + org_code_check_digit(org_body)
    return first17 + uscc_check_character(first17)


def generate_uscc(rng: random.Random, *, authority: str = "9", type_code: str = "1", division: str = "310117") -> str:
    """A random valid code (demo data, tests). Since 2015 market-regulation bodies begin "MA"."""
    if authority == "9" and rng.random() < 0.7:
        body = "MA" + "".join(rng.choice("0123456789" + _BODY_LETTERS) for _ in range(6))
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    return make_uscc(authority, type_code, division, body)
