"""Demo enterprises: 2,000 synthetic companies across the district's towns and sub-districts, and
the two demo companies of the demo enterprise staff (张伟, legal representative; 陈静, agent).

Deterministic: the same seed gives the same companies on every machine, so a demo script or a
browser test can rely on them. Fast: rows are built in memory and inserted in bulk.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from portal.demo.departments import DEPARTMENTS
from portal.enterprise_codes import generate_uscc
from portal.models import (
    Account,
    Department,
    DepartmentKind,
    Enterprise,
    EnterpriseCertification,
    Membership,
    MembershipRole,
    MembershipStatus,
    PolicyTopic,
    TopicSubscription,
)
from portal.rules import Certification, EnterpriseType, TaxCreditRating, industry_section_of

SEED = 20260302
COUNT = 2000
FIGURES_YEAR = 2025
VERIFIED_AT = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)  # checked against the market-regulation register

LEGAL_REPRESENTATIVE_MOBILE = "13800000011"  # 张伟
AGENT_MOBILE = "13800000012"  # 陈静
ALL_SCOPES = ["affairs", "policies", "appeals", "profile"]


@dataclass(frozen=True)
class Industry:
    code: str  # GB/T 4754-2017 class (小类)
    word_zh: str  # what goes in a company name
    word_en: str
    weight: int
    tech: bool  # research-intensive: R&D spend, patents and certifications are likely


INDUSTRIES = (
    Industry("3491", "机器人科技", "Robotics Technology", 6, True),  # 工业机器人制造
    Industry("3421", "精密机床", "Precision Machine Tools", 3, True),  # 金属切削机床制造
    Industry("3562", "半导体设备", "Semiconductor Equipment", 2, True),  # 半导体器件专用设备制造
    Industry("3973", "集成电路", "Integrated Circuits", 2, True),  # 集成电路制造
    Industry("3982", "电子电路", "Electronic Circuits", 3, True),  # 电子电路制造
    Industry("3983", "传感技术", "Sensor Technology", 2, True),  # 敏感元件及传感器制造
    Industry("3911", "计算机", "Computer", 2, True),  # 计算机整机制造
    Industry("3670", "汽车零部件", "Auto Parts", 5, False),  # 汽车零部件及配件制造
    Industry("3841", "新能源电池", "New Energy Battery", 2, True),  # 锂离子电池制造
    Industry("2761", "生物医药", "Biopharmaceutical", 2, True),  # 生物药品制造
    Industry("3581", "医疗器械", "Medical Devices", 2, True),  # 医疗诊断、监护及治疗设备制造
    Industry("2929", "塑料制品", "Plastic Products", 3, False),  # 塑料零件及其他塑料制品制造
    Industry("1819", "服饰", "Garments", 2, False),  # 其他机织服装制造
    Industry("6513", "软件科技", "Software Technology", 8, True),  # 应用软件开发
    Industry("6511", "信息技术", "Information Technology", 3, True),  # 基础软件开发
    Industry("6520", "微电子科技", "Microelectronics Technology", 2, True),  # 集成电路设计
    Industry("6531", "系统集成", "Systems Integration", 3, True),  # 信息系统集成服务
    Industry("6550", "数据科技", "Data Technology", 3, True),  # 信息处理和存储支持服务
    Industry("7320", "工程技术研究", "Engineering Research", 3, True),  # 工程和技术研究和试验发展
    Industry("7310", "生命科学研究", "Life Science Research", 1, True),  # 自然科学研究和试验发展
    Industry("7491", "工业设计", "Industrial Design", 2, True),  # 工业设计服务
    Industry("5176", "电子科技", "Electronic Technology", 5, False),  # 计算机、软件及辅助设备批发
    Industry("5175", "电气设备", "Electrical Equipment", 3, False),  # 电气设备批发
    Industry("5179", "机电设备", "Mechanical and Electrical Equipment", 3, False),  # 其他机械设备及电子产品批发
    Industry("5212", "超市", "Supermarket", 2, False),  # 超级市场零售
    Industry("5920", "仓储物流", "Warehousing and Logistics", 3, False),  # 通用仓储
    Industry("6210", "餐饮", "Catering", 3, False),  # 正餐服务
    Industry("7212", "投资管理", "Investment Management", 2, False),  # 投资与资产管理
    Industry("7251", "网络广告", "Online Advertising", 2, False),  # 互联网广告服务
    Industry("8730", "影视文化", "Film and Television", 2, False),  # 影视节目制作 (车墩影视基地)
    Industry("4710", "建设工程", "Construction", 2, False),  # 住宅房屋建筑
    Industry("0141", "蔬果", "Vegetable", 1, False),  # 蔬菜种植
)

# Characters for trade names (字号), with their pinyin for the English names.
BRAND_CHARS = (
    ("松", "Song"), ("云", "Yun"), ("茸", "Rong"), ("华", "Hua"), ("亭", "Ting"), ("泖", "Mao"),
    ("峰", "Feng"), ("谷", "Gu"), ("阳", "Yang"), ("辰", "Chen"), ("星", "Xing"), ("启", "Qi"),
    ("恒", "Heng"), ("瑞", "Rui"), ("鼎", "Ding"), ("创", "Chuang"), ("智", "Zhi"), ("博", "Bo"),
    ("嘉", "Jia"), ("泰", "Tai"), ("新", "Xin"), ("联", "Lian"), ("达", "Da"), ("凯", "Kai"),
    ("远", "Yuan"), ("航", "Hang"), ("宇", "Yu"), ("晟", "Sheng"), ("澄", "Cheng"), ("浦", "Pu"),
    ("汇", "Hui"), ("丰", "Feng"), ("源", "Yuan"), ("德", "De"), ("骏", "Jun"), ("润", "Run"),
    ("铭", "Ming"), ("卓", "Zhuo"), ("越", "Yue"), ("科", "Ke"),
)  # fmt: skip

ROADS = (
    ("沪亭北路", "Huting North Road"), ("九新公路", "Jiuxin Highway"), ("新飞路", "Xinfei Road"),
    ("莘砖公路", "Xinzhuan Highway"), ("荣乐东路", "Rongle East Road"), ("光星路", "Guangxing Road"),
    ("泗砖公路", "Sizhuan Highway"), ("车峰路", "Chefeng Road"), ("洞薛路", "Dongxue Road"),
    ("文翔路", "Wenxiang Road"), ("中辰路", "Zhongchen Road"), ("思贤路", "Sixian Road"),
    ("明中路", "Mingzhong Road"), ("玉树路", "Yushu Road"), ("人民北路", "Renmin North Road"),
    ("茸悦路", "Rongyue Road"), ("新营路", "Xinying Road"), ("江田东路", "Jiangtian East Road"),
)  # fmt: skip

# Industrial towns hold more of the factories, the sub-districts more of the services.
TOWN_WEIGHTS = {
    "jtz": 1.4, "cdz": 1.3, "xqz": 1.3, "djz": 1.1, "sjz": 1.2, "ssz": 0.6, "xkszz": 0.8, "shdz": 0.7,
    "mgz": 0.3, "xbz": 0.3, "yxz": 0.5, "yljd": 0.7, "yfjd": 0.8, "fsjd": 0.9, "zsjd": 0.7, "gflj": 0.6,
    "jltjd": 0.9,
}  # fmt: skip
TOWNS = tuple(code for code, kind, *_ in DEPARTMENTS if kind in (DepartmentKind.TOWN, DepartmentKind.SUBDISTRICT))
TOWN_NAMES = {code: (name_zh, name_en) for code, kind, name_zh, name_en, *_ in DEPARTMENTS if code in TOWNS}

# The two demo companies. Codes computed with portal.enterprise_codes.make_uscc (tests check them).
DEMO_COMPANIES = (
    {
        "uscc": "91310117MA1FPX3K11",
        "name_zh": "上海松江智造科技有限公司",
        "name_en": "Shanghai Songjiang Smart Manufacturing Technology Co., Ltd.",
        "enterprise_type": EnterpriseType.LIMITED_COMPANY,
        "industry_code": "3491",
        "town": "jtz",
        "address_zh": "上海市松江区九亭镇沪亭北路218弄6号",
        "address_en": "No. 6, Lane 218, Huting North Road, Jiuting Town, Songjiang District, Shanghai",
        "registered_on": date(2016, 5, 18),
        "registered_capital": 20_000_000,
        "employees": 186,
        "revenue_last_year": 126_000_000,
        "rd_spend_last_year": 8_820_000,  # 7% of revenue
        "invention_patents": 12,
        "tax_credit_rating": TaxCreditRating.A,
        "certifications": (Certification.HIGH_TECH, Certification.SPECIALISED_SME, Certification.TECH_CENTRE),
        "agent_status": MembershipStatus.ACTIVE,
        "agent_scopes": ALL_SCOPES,
        "topics": (PolicyTopic.DIGITAL,),
    },
    {
        "uscc": "91310117MA7C4Y2N6F",
        "name_zh": "上海云间数据科技有限公司",
        "name_en": "Shanghai Yunjian Data Technology Co., Ltd.",
        "enterprise_type": EnterpriseType.LIMITED_COMPANY,
        "industry_code": "6550",
        "town": "jltjd",
        "address_zh": "上海市松江区九里亭街道涞寅路1500号3幢",
        "address_en": "Building 3, No. 1500 Laiyin Road, Jiuliting Sub-district, Songjiang District, Shanghai",
        "registered_on": date(2021, 9, 1),
        "registered_capital": 5_000_000,
        "employees": 42,
        "revenue_last_year": 18_000_000,
        "rd_spend_last_year": None,  # not reported yet: "we need your R&D spend to tell"
        "invention_patents": 2,
        "tax_credit_rating": TaxCreditRating.B,
        "certifications": (Certification.TECH_SME,),
        # The agent has not confirmed this one yet: the demo of an invitation waiting.
        "agent_status": MembershipStatus.PENDING,
        "agent_scopes": ["policies", "appeals"],
        "topics": (),
    },
)
DEMO_USCCS = frozenset(c["uscc"] for c in DEMO_COMPANIES)


def _weighted(rng: random.Random, items, weights):
    return rng.choices(items, weights=weights, k=1)[0]


def _kind_for(rng: random.Random, industry: Industry) -> EnterpriseType:
    if industry.code == "0141":
        return EnterpriseType.COOPERATIVE
    if industry.code in ("6210", "5212") and rng.random() < 0.4:
        return EnterpriseType.INDIVIDUAL_BUSINESS
    if industry.code == "7212" and rng.random() < 0.3:
        return EnterpriseType.PARTNERSHIP
    return _weighted(
        rng,
        [
            EnterpriseType.LIMITED_COMPANY,
            EnterpriseType.JOINT_STOCK,
            EnterpriseType.FOREIGN_INVESTED,
            EnterpriseType.SOLE_PROPRIETORSHIP,
        ],
        [82, 6, 8, 4],
    )


def _names(kind: EnterpriseType, brand: tuple[str, str], industry: Industry, town: str) -> tuple[str, str]:
    zh, en = brand
    word_zh, word_en = industry.word_zh, industry.word_en
    town_zh, town_en = TOWN_NAMES[town]
    if kind == EnterpriseType.COOPERATIVE:
        return f"上海松江{zh}{word_zh}专业合作社", f"Shanghai Songjiang {en} {word_en} Cooperative"
    if kind == EnterpriseType.INDIVIDUAL_BUSINESS:
        return f"松江区{town_zh}{zh}{word_zh}店", f"{en} {word_en} Shop, {town_en}, Songjiang"
    if kind == EnterpriseType.PARTNERSHIP:
        return f"上海{zh}{word_zh}合伙企业（有限合伙）", f"Shanghai {en} {word_en} LP"
    if kind == EnterpriseType.SOLE_PROPRIETORSHIP:
        return f"上海{zh}{word_zh}服务部", f"Shanghai {en} {word_en} Services"
    if kind == EnterpriseType.FOREIGN_INVESTED:
        return f"{zh}{word_zh}（上海）有限公司", f"{en} {word_en} (Shanghai) Co., Ltd."
    if kind == EnterpriseType.JOINT_STOCK:
        return f"上海{zh}{word_zh}股份有限公司", f"Shanghai {en} {word_en} Co., Ltd."
    return f"上海{zh}{word_zh}有限公司", f"Shanghai {en} {word_en} Co., Ltd."


def _uscc_kind(kind: EnterpriseType) -> str:
    return {EnterpriseType.INDIVIDUAL_BUSINESS: "2", EnterpriseType.COOPERATIVE: "3"}.get(kind, "1")


def _maybe(rng: random.Random, missing: float, value):
    return None if rng.random() < missing else value


def synthetic_enterprises(count: int = COUNT, seed: int = SEED) -> list[dict]:
    """The synthetic companies as plain dicts (town as a department code, certifications as a tuple)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not a secret
    industry_weights = [i.weight for i in INDUSTRIES]
    codes: set[str] = set(DEMO_USCCS)
    names: set[str] = {c["name_zh"] for c in DEMO_COMPANIES}
    companies = []
    while len(companies) < count:
        industry = _weighted(rng, INDUSTRIES, industry_weights)
        section = industry_section_of(industry.code)
        factory = section in ("A", "C")
        weights = [TOWN_WEIGHTS.get(t, 1.0) * (1.5 if factory == t.endswith("z") else 1.0) for t in TOWNS]
        town = _weighted(rng, TOWNS, weights)
        kind = _kind_for(rng, industry)
        brand_chars = rng.sample(BRAND_CHARS, 2)
        brand = (brand_chars[0][0] + brand_chars[1][0], brand_chars[0][1] + brand_chars[1][1].lower())
        name_zh, name_en = _names(kind, brand, industry, town)
        uscc = generate_uscc(rng, type_code=_uscc_kind(kind))
        if name_zh in names or uscc in codes:
            continue
        names.add(name_zh)
        codes.add(uscc)

        age_days = min(int(rng.expovariate(1 / 2400)), 28 * 365)
        registered_on = date(2025, 12, 31) - timedelta(days=age_days)
        small = kind in (EnterpriseType.INDIVIDUAL_BUSINESS, EnterpriseType.SOLE_PROPRIETORSHIP)
        employees = rng.randint(1, 8) if small else min(int(rng.lognormvariate(3.0, 1.1)) + 1, 5000)
        per_head = rng.lognormvariate(math.log(450_000), 0.6)
        revenue = round(employees * per_head, -3)
        if industry.tech:
            rd = round(revenue * rng.uniform(0.01, 0.12), -3)
        else:
            rd = 0 if rng.random() < 0.6 else round(revenue * rng.uniform(0.0, 0.02), -3)
        patents = int(rng.expovariate(1 / 4)) if industry.tech else (0 if rng.random() < 0.85 else rng.randint(1, 3))
        capital = None if small else int(round(10 ** rng.uniform(5, 8.3), -4))
        young = age_days < 365
        rating = TaxCreditRating.M if young else _weighted(rng, [*TaxCreditRating, None], [35, 45, 0, 5, 2, 13])
        intensity = rd / revenue * 100 if revenue else 0

        certifications = []
        if industry.tech and intensity >= 3 and patents >= 1 and not young and rng.random() < 0.6:
            certifications.append(Certification.HIGH_TECH)
        if industry.tech and employees <= 500 and revenue <= 200_000_000 and rng.random() < 0.5:
            certifications.append(Certification.TECH_SME)
        if industry.tech and rng.random() < 0.15:
            certifications.append(Certification.INNOVATIVE_SME)
        if section == "C" and revenue >= 10_000_000 and intensity >= 3 and rng.random() < 0.3:
            certifications.append(Certification.SPECIALISED_SME)
            if rng.random() < 0.15:
                certifications.append(Certification.LITTLE_GIANT)
        if industry.tech and revenue >= 100_000_000 and rng.random() < 0.3:
            certifications.append(Certification.TECH_CENTRE)

        road_zh, road_en = rng.choice(ROADS)
        number = rng.randint(1, 2000)
        town_zh, town_en = TOWN_NAMES[town]
        revenue_known = rng.random() >= 0.1
        companies.append(
            {
                "uscc": uscc,
                "name_zh": name_zh,
                "name_en": name_en,
                "enterprise_type": kind,
                "industry_code": industry.code,
                "town": town,
                "address_zh": f"上海市松江区{town_zh}{road_zh}{number}号",
                "address_en": f"No. {number} {road_en}, {town_en}, Songjiang District, Shanghai",
                "registered_on": registered_on,
                "registered_capital": capital,
                "employees": _maybe(rng, 0.03, employees),
                "revenue_last_year": int(revenue) if revenue_known else None,
                "rd_spend_last_year": _maybe(rng, 0.25, int(rd)),
                "invention_patents": _maybe(rng, 0.3, patents),
                "tax_credit_rating": rating,
                "certifications": tuple(certifications),
            }
        )
    return companies


_COLUMNS = (
    "uscc", "name_zh", "name_en", "enterprise_type", "industry_code", "address_zh", "address_en", "registered_on",
    "registered_capital", "employees", "revenue_last_year", "rd_spend_last_year", "invention_patents",
    "tax_credit_rating",
)  # fmt: skip


def _row(company: dict, towns: dict[str, int]) -> dict:
    row = {column: company[column] for column in _COLUMNS}
    row["industry_section"] = industry_section_of(company["industry_code"])
    row["town_id"] = towns[company["town"]]
    row["figures_year"] = FIGURES_YEAR if company["revenue_last_year"] is not None else None
    row["verified_at"] = VERIFIED_AT
    row["created_at"] = row["updated_at"] = VERIFIED_AT
    return row


def seed_enterprises(session: Session) -> int:
    """The synthetic and demo companies (those not there yet), in bulk. Returns how many were new."""
    towns = {d.code: d.id for d in session.scalars(select(Department).where(Department.code.in_(TOWNS)))}
    existing = set(session.scalars(select(Enterprise.uscc)))
    companies = [c for c in (*DEMO_COMPANIES, *synthetic_enterprises()) if c["uscc"] not in existing]
    if not companies:
        return 0
    session.execute(insert(Enterprise), [_row(c, towns) for c in companies])
    ids = dict(session.execute(select(Enterprise.uscc, Enterprise.id)).all())
    certifications = [
        {"enterprise_id": ids[c["uscc"]], "certification": cert} for c in companies for cert in c["certifications"]
    ]
    if certifications:
        session.execute(insert(EnterpriseCertification), certifications)
    return len(companies)


def seed_demo_staff(session: Session) -> int:
    """张伟 is the legal representative of both demo companies; 陈静 their agent (confirmed for
    the first, waiting for her confirmation for the second); the first follows a topic."""
    boss = session.scalar(select(Account).where(Account.mobile == LEGAL_REPRESENTATIVE_MOBILE))
    agent = session.scalar(select(Account).where(Account.mobile == AGENT_MOBILE))
    if boss is None or agent is None:
        return 0
    created = 0
    for company in DEMO_COMPANIES:
        enterprise = session.scalar(select(Enterprise).where(Enterprise.uscc == company["uscc"]))
        have = {
            (m.account_id, m.role)
            for m in session.scalars(select(Membership).where(Membership.enterprise_id == enterprise.id))
        }
        if (boss.id, MembershipRole.LEGAL_REPRESENTATIVE) not in have:
            session.add(
                Membership(
                    account_id=boss.id,
                    enterprise_id=enterprise.id,
                    role=MembershipRole.LEGAL_REPRESENTATIVE,
                    scopes=[],
                    status=MembershipStatus.ACTIVE,
                    valid_from=VERIFIED_AT,
                    created_at=VERIFIED_AT,
                    confirmed_at=VERIFIED_AT,
                )
            )
            created += 1
        if (agent.id, MembershipRole.AGENT) not in have:
            active = company["agent_status"] == MembershipStatus.ACTIVE
            session.add(
                Membership(
                    account_id=agent.id,
                    enterprise_id=enterprise.id,
                    role=MembershipRole.AGENT,
                    scopes=list(company["agent_scopes"]),
                    status=company["agent_status"],
                    valid_from=VERIFIED_AT,
                    granted_by_id=boss.id,
                    created_at=VERIFIED_AT,
                    confirmed_at=VERIFIED_AT if active else None,
                )
            )
            created += 1
        followed = set(
            session.scalars(select(TopicSubscription.topic).where(TopicSubscription.enterprise_id == enterprise.id))
        )
        for topic in company["topics"]:
            if topic not in followed:
                session.add(TopicSubscription(enterprise_id=enterprise.id, topic=topic, subscribed_by_id=boss.id))
    session.flush()
    return created


def seed_enterprise_end(session: Session) -> dict[str, int]:
    """The enterprise end's demo data: companies, their staff, and the published policies."""
    from portal.demo.policies import seed_policies

    report = {"enterprises": seed_enterprises(session), "enterprise staff": seed_demo_staff(session)}
    report["policies"] = seed_policies(session)
    return report
