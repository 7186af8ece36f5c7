"""The fixed vocabularies enterprise attributes take: machine codes only.

People read them through `portal.enterprise_labels`; the tables store these codes.
"""

from __future__ import annotations

import enum


class Certification(enum.StrEnum):
    """Recognitions an enterprise holds, from the issuing authorities' own records."""

    HIGH_TECH = "high_tech"  # 高新技术企业
    TECH_SME = "tech_sme"  # 科技型中小企业
    INNOVATIVE_SME = "innovative_sme"  # 创新型中小企业
    SPECIALISED_SME = "specialised_sme"  # 专精特新中小企业
    LITTLE_GIANT = "little_giant"  # 专精特新"小巨人"企业
    TECH_CENTRE = "tech_centre"  # 市级企业技术中心


class EnterpriseType(enum.StrEnum):
    LIMITED_COMPANY = "limited_company"  # 有限责任公司
    JOINT_STOCK = "joint_stock"  # 股份有限公司
    FOREIGN_INVESTED = "foreign_invested"  # 外商投资企业
    PARTNERSHIP = "partnership"  # 合伙企业
    SOLE_PROPRIETORSHIP = "sole_proprietorship"  # 个人独资企业
    INDIVIDUAL_BUSINESS = "individual_business"  # 个体工商户
    COOPERATIVE = "cooperative"  # 农民专业合作社


class TaxCreditRating(enum.StrEnum):
    """纳税信用等级, best first. M is a new enterprise without a full year of records."""

    A = "A"
    B = "B"
    M = "M"
    C = "C"
    D = "D"


# GB/T 4754-2017 sections (门类) and the divisions (大类, the first two digits of a class code)
# each one spans.
INDUSTRY_SECTIONS: dict[str, tuple[int, int]] = {
    "A": (1, 5),  # 农、林、牧、渔业
    "B": (6, 12),  # 采矿业
    "C": (13, 43),  # 制造业
    "D": (44, 46),  # 电力、热力、燃气及水生产和供应业
    "E": (47, 50),  # 建筑业
    "F": (51, 52),  # 批发和零售业
    "G": (53, 60),  # 交通运输、仓储和邮政业
    "H": (61, 62),  # 住宿和餐饮业
    "I": (63, 65),  # 信息传输、软件和信息技术服务业
    "J": (66, 69),  # 金融业
    "K": (70, 70),  # 房地产业
    "L": (71, 72),  # 租赁和商务服务业
    "M": (73, 75),  # 科学研究和技术服务业
    "N": (76, 79),  # 水利、环境和公共设施管理业
    "O": (80, 82),  # 居民服务、修理和其他服务业
    "P": (83, 83),  # 教育
    "Q": (84, 85),  # 卫生和社会工作
    "R": (86, 90),  # 文化、体育和娱乐业
    "S": (91, 97),  # 公共管理、社会保障和社会组织
    "T": (98, 98),  # 国际组织
}


def industry_section_of(code: str) -> str | None:
    """The section letter of a GB/T 4754 division, group or class code ("3911" -> "C")."""
    if not code or len(code) < 2 or not code[:2].isdigit():
        return None
    division = int(code[:2])
    for letter, (first, last) in INDUSTRY_SECTIONS.items():
        if first <= division <= last:
            return letter
    return None
