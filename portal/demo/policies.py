"""Forty demo policies of the kinds the district offers, published and matched at seed time.

Written after the district's real support policies (R&D subsidies, high-tech enterprise awards,
专精特新 awards, digital transformation vouchers, talent housing, job-retention refunds, G60
corridor support ...), in Chinese with English titles and summaries. Each criterion cites the
clause of the policy it comes from; `clauses` quotes those clauses.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import ApplicationMethod, Department, Policy, PolicyStatus, PolicyTopic
from portal.models.base import utcnow

GRANTED = ApplicationMethod.GRANTED_WITHOUT_APPLICATION
FAST = ApplicationMethod.FAST_TRACK
ONLINE = ApplicationMethod.APPLY_ONLINE
T = PolicyTopic

# Stable public ids for the demo policies, so links in demo scripts keep working.
NAMESPACE = uuid.UUID("6f1c3f1e-9a53-4f55-9a7e-3c1f6e2b5d10")

DOCUMENT_PREFIX = {
    "kw": "松科规",
    "jjw": "松经规",
    "fgw": "松发改规",
    "rsj": "松人社规",
    "scjgj": "松市监规",
    "fgj": "松房管规",
}

PAYMENT = {
    GRANTED: (
        "名单确认后20个工作日内直接拨付至企业基本账户，无需申请。",
        "Paid into the company's basic bank account within 20 working days of the list being confirmed; "
        "no application needed.",
    ),
    FAST: (
        "受理后10个工作日内完成审核，审核通过后10个工作日内拨付。",
        "Reviewed within 10 working days of acceptance and paid within 10 working days of approval.",
    ),
    ONLINE: (
        "申报截止后30个工作日内完成评审，公示无异议后15个工作日内拨付。",
        "Assessed within 30 working days of the closing date and paid within 15 working days after public notice.",
    ),
}


def L(attr: str, op: str, value, clause: str) -> dict:
    return {"attr": attr, "op": op, "value": value, "clause": clause}


def ALL(*nodes) -> dict:
    return {"all": list(nodes)}


def ANY(*nodes) -> dict:
    return {"any": list(nodes)}


def NOT(node) -> dict:
    return {"not": node}


BAD_TAX = ["C", "D"]


@dataclass(frozen=True)
class DemoPolicy:
    key: str
    department: str
    topic: PolicyTopic
    method: ApplicationMethod
    title_zh: str
    title_en: str
    summary_zh: str
    summary_en: str
    benefit_zh: str
    benefit_en: str
    who_zh: str  # 申报对象
    who_en: str
    clauses: tuple[tuple[str, str], ...]  # (clause reference, its words)
    criteria: dict
    valid_from: date = date(2025, 1, 1)
    valid_until: date = date(2027, 12, 31)


POLICIES = (
    DemoPolicy(
        "kw-high-tech-award", "kw", T.INNOVATION, GRANTED,
        "高新技术企业认定奖励", "Award for certified high-tech enterprises",
        "对首次通过或重新通过认定的高新技术企业给予一次性奖励，由区科委根据认定名单直接兑现，企业无需申请。",
        "A one-off award for enterprises certified or re-certified as high-tech, paid by the District Science "
        "and Technology Commission from the certification list, with no application.",
        "首次认定的奖励20万元，重新认定的奖励10万元。",
        "CNY 200,000 on first certification, CNY 100,000 on re-certification.",
        "在本区注册、经认定的高新技术企业。", "High-tech enterprises registered in the district.",
        (("第二条", "获得国家高新技术企业认定且在有效期内的企业。"),
         ("第三条", "申请奖励的企业纳税信用等级不为C级、D级。")),
        ALL(L("certifications", "has", "high_tech", "第二条"),
            L("tax_credit_rating", "not_in", BAD_TAX, "第三条")),
    ),
    DemoPolicy(
        "kw-high-tech-pool", "kw", T.INNOVATION, ONLINE,
        "高新技术企业培育库入库支持", "Support for the high-tech enterprise cultivation pool",
        "支持具备发展潜力、尚未认定的科技企业进入高新技术企业培育库，给予培育资金。",
        "Cultivation funding for promising technology firms not yet certified as high-tech, once they join the pool.",
        "入库企业给予最高10万元培育资金。", "Up to CNY 100,000 of cultivation funding per enterprise in the pool.",
        "尚未获得高新技术企业认定的科技型企业。", "Technology firms not yet certified as high-tech.",
        (("第二条第（一）项", "尚未获得高新技术企业认定。"),
         ("第二条第（二）项", "在本区注册成立满一年。"),
         ("第二条第（三）项", "上一年度研究开发费用占营业收入的比例不低于3%。"),
         ("第二条第（四）项", "拥有至少1项发明专利。")),
        ALL(NOT(L("certifications", "has", "high_tech", "第二条第（一）项")),
            L("registered_on", "<=", "2025-03-01", "第二条第（二）项"),
            L("rd_intensity", ">=", 3, "第二条第（三）项"),
            L("invention_patents", ">=", 1, "第二条第（四）项")),
    ),
    DemoPolicy(
        "kw-tech-sme-rd", "kw", T.INNOVATION, FAST,
        "科技型中小企业研发费用补贴", "R&D subsidy for technology-based SMEs",
        "对入库的科技型中小企业按上一年度研发投入给予补贴，鼓励企业加大研发投入。",
        "A subsidy on last year's R&D spending for registered technology-based SMEs, to encourage more research.",
        "按上一年度研发费用的10%给予补贴，最高50万元。", "10% of last year's R&D spend, up to CNY 500,000.",
        "已入库的科技型中小企业。", "Registered technology-based SMEs.",
        (("第二条", "已通过科技型中小企业评价并入库。"),
         ("第三条第（一）项", "上一年度研究开发费用不低于100万元。"),
         ("第三条第（二）项", "职工总数不超过500人。")),
        ALL(L("certifications", "has", "tech_sme", "第二条"),
            L("rd_spend_last_year", ">=", 1_000_000, "第三条第（一）项"),
            L("employees", "<=", 500, "第三条第（二）项")),
    ),
    DemoPolicy(
        "kw-rd-post-funding", "kw", T.INNOVATION, ONLINE,
        "企业研发投入后补助", "Post-funding for enterprise R&D spending",
        "对研发投入规模较大、强度较高的企业，按研发投入增量给予后补助。",
        "Post-funding on the increase in R&D spending for enterprises that spend heavily on research.",
        "按研发投入增量的15%给予补助，最高200万元。", "15% of the increase in R&D spend, up to CNY 2 million.",
        "研发投入规模较大的企业。", "Enterprises with substantial R&D spending.",
        (("第二条第（一）项", "上一年度研究开发费用不低于500万元。"),
         ("第二条第（二）项", "上一年度研究开发费用占营业收入的比例不低于3%。"),
         ("第四条", "纳税信用等级不为C级、D级。")),
        ALL(L("rd_spend_last_year", ">=", 5_000_000, "第二条第（一）项"),
            L("rd_intensity", ">=", 3, "第二条第（二）项"),
            L("tax_credit_rating", "not_in", BAD_TAX, "第四条")),
    ),
    DemoPolicy(
        "jjw-tech-centre-award", "jjw", T.MANUFACTURING, GRANTED,
        "市级企业技术中心奖励", "Award for municipal enterprise technology centres",
        "对新认定的市级企业技术中心给予一次性奖励，根据认定名单直接兑现。",
        "A one-off award for newly recognised municipal enterprise technology centres, paid from the list.",
        "一次性奖励50万元。", "A one-off CNY 500,000.",
        "拥有市级企业技术中心的企业。", "Enterprises with a municipal enterprise technology centre.",
        (("第二条", "企业技术中心经市经济信息化委认定为市级企业技术中心。"),),
        ALL(L("certifications", "has", "tech_centre", "第二条")),
    ),
    DemoPolicy(
        "scjgj-patent-funding", "scjgj", T.INNOVATION, ONLINE,
        "发明专利资助", "Invention patent funding",
        "对获得授权的国内发明专利给予资助，鼓励企业创造高价值知识产权。",
        "Funding for granted domestic invention patents, to encourage valuable intellectual property.",
        "每件国内发明专利资助5000元，每家企业每年最高20万元。",
        "CNY 5,000 per domestic invention patent, up to CNY 200,000 per enterprise per year.",
        "拥有授权发明专利的企业。", "Enterprises holding granted invention patents.",
        (("第三条", "企业拥有有效的国内发明专利。"),
         ("第五条", "企业未被列为纳税信用D级。")),
        ALL(L("invention_patents", ">=", 1, "第三条"),
            L("tax_credit_rating", "!=", "D", "第五条")),
    ),
    DemoPolicy(
        "scjgj-ip-demonstration", "scjgj", T.INNOVATION, ONLINE,
        "知识产权示范企业奖励", "Award for intellectual property demonstration enterprises",
        "对知识产权创造、运用成效突出的企业给予奖励。",
        "An award for enterprises that excel at creating and using intellectual property.",
        "一次性奖励30万元。", "A one-off CNY 300,000.",
        "知识产权优势明显的企业。", "Enterprises with strong intellectual property.",
        (("第二条第（一）项", "拥有有效发明专利20件以上。"),
         ("第二条第（二）项", "上一年度研究开发费用占营业收入的比例不低于3%。")),
        ALL(L("invention_patents", ">=", 20, "第二条第（一）项"),
            L("rd_intensity", ">=", 3, "第二条第（二）项")),
    ),
    DemoPolicy(
        "kw-new-rd-institute", "kw", T.INNOVATION, ONLINE,
        "新型研发机构建设支持", "Support for new-type R&D institutes",
        "支持科学研究和技术服务类机构建设新型研发机构，按建设投入给予支持。",
        "Support, in proportion to investment, for research and technical service organisations building "
        "new-type R&D institutes.",
        "按建设投入的30%给予支持，最高1000万元。", "30% of the investment, up to CNY 10 million.",
        "科学研究和技术服务业机构。", "Scientific research and technical service organisations.",
        (("第二条", "属于科学研究和技术服务业。"),
         ("第三条第（一）项", "研发人员不少于30人。"),
         ("第三条第（二）项", "上一年度研究开发费用不低于1000万元。")),
        ALL(L("industry_section", "==", "M", "第二条"),
            L("employees", ">=", 30, "第三条第（一）项"),
            L("rd_spend_last_year", ">=", 10_000_000, "第三条第（二）项")),
    ),
    DemoPolicy(
        "kw-industry-university", "kw", T.INNOVATION, ONLINE,
        "产学研合作项目资助", "Funding for industry-university research projects",
        "支持科技企业与高校、科研院所开展合作研发，按合同实际支付金额给予资助。",
        "Funding for technology firms' joint research with universities and institutes, on the amount paid.",
        "按合同实际支付金额的20%资助，最高100万元。", "20% of the amount paid under the contract, up to CNY 1 million.",
        "高新技术企业或科技型中小企业。", "High-tech enterprises or technology-based SMEs.",
        (("第二条第（一）项", "为高新技术企业或已入库的科技型中小企业。"),
         ("第二条第（二）项", "属于制造业、信息传输软件和信息技术服务业或科学研究和技术服务业。")),
        ALL(ANY(L("certifications", "has", "high_tech", "第二条第（一）项"),
                L("certifications", "has", "tech_sme", "第二条第（一）项")),
            L("industry_section", "in", ["C", "I", "M"], "第二条第（二）项")),
    ),
    DemoPolicy(
        "kw-technology-transfer", "kw", T.INNOVATION, ONLINE,
        "科技成果转化项目奖励", "Award for technology transfer projects",
        "对实施重大科技成果转化、形成规模销售的高新技术企业给予奖励。",
        "An award for high-tech enterprises that commercialise major research results at scale.",
        "按项目新增销售额的3%奖励，最高100万元。", "3% of the project's new sales, up to CNY 1 million.",
        "实施成果转化项目的高新技术企业。", "High-tech enterprises carrying out technology transfer projects.",
        (("第二条", "为高新技术企业，属于制造业或科学研究和技术服务业。"),
         ("第三条", "上一年度营业收入不低于2000万元。")),
        ALL(L("certifications", "has", "high_tech", "第二条"),
            L("industry_section", "in", ["C", "M"], "第二条"),
            L("revenue_last_year", ">=", 20_000_000, "第三条")),
    ),
    DemoPolicy(
        "jjw-specialised-award", "jjw", T.GROWTH, GRANTED,
        "专精特新中小企业奖励", "Award for specialised and sophisticated SMEs",
        "对新认定的上海市专精特新中小企业给予一次性奖励，根据认定名单直接兑现。",
        "A one-off award for newly recognised Shanghai specialised and sophisticated SMEs, paid from the list.",
        "一次性奖励10万元。", "A one-off CNY 100,000.",
        "经认定的专精特新中小企业。", "Recognised specialised and sophisticated SMEs.",
        (("第二条", "经认定为上海市专精特新中小企业。"),
         ("第四条", "纳税信用等级不为C级、D级。")),
        ALL(L("certifications", "has", "specialised_sme", "第二条"),
            L("tax_credit_rating", "not_in", BAD_TAX, "第四条")),
    ),
    DemoPolicy(
        "jjw-little-giant-award", "jjw", T.GROWTH, GRANTED,
        "专精特新“小巨人”企业奖励", "Award for specialised and sophisticated “little giant” enterprises",
        "对新认定的国家级专精特新“小巨人”企业给予一次性奖励，根据认定名单直接兑现。",
        "A one-off award for newly recognised national “little giant” enterprises, paid from the list.",
        "一次性奖励50万元。", "A one-off CNY 500,000.",
        "国家级专精特新“小巨人”企业。", "National specialised and sophisticated “little giant” enterprises.",
        (("第二条", "经工业和信息化部认定为专精特新“小巨人”企业。"),),
        ALL(L("certifications", "has", "little_giant", "第二条")),
    ),
    DemoPolicy(
        "jjw-innovative-sme", "jjw", T.GROWTH, FAST,
        "创新型中小企业培育支持", "Support for innovative SMEs",
        "支持创新型中小企业向专精特新方向发展，给予培育资金。",
        "Funding for innovative SMEs working towards specialised and sophisticated status.",
        "给予最高5万元培育资金。", "Up to CNY 50,000 of cultivation funding.",
        "经评价的创新型中小企业。", "Assessed innovative SMEs.",
        (("第二条", "经评价为创新型中小企业，职工总数不超过1000人。"),
         ("第三条", "尚未认定为专精特新中小企业。")),
        ALL(L("certifications", "has", "innovative_sme", "第二条"),
            L("employees", "<=", 1000, "第二条"),
            NOT(L("certifications", "has", "specialised_sme", "第三条"))),
    ),
    DemoPolicy(
        "jjw-specialised-pool", "jjw", T.GROWTH, ONLINE,
        "专精特新企业培育库入库", "Entry to the specialised and sophisticated enterprise pool",
        "遴选具有发展潜力的制造业中小企业进入专精特新培育库，提供诊断、培训和资金支持。",
        "Promising manufacturing SMEs join the cultivation pool for diagnosis, training and funding.",
        "入库企业享受免费诊断服务及最高20万元培育资金。",
        "Free diagnosis and up to CNY 200,000 of cultivation funding.",
        "尚未认定专精特新的制造业中小企业。", "Manufacturing SMEs not yet recognised as specialised.",
        (("第二条第（一）项", "尚未认定为专精特新中小企业。"),
         ("第二条第（二）项", "属于制造业。"),
         ("第二条第（三）项", "上一年度营业收入不低于1000万元。"),
         ("第二条第（四）项", "上一年度研究开发费用占营业收入的比例不低于3%。"),
         ("第二条第（五）项", "职工人数在10人至1000人之间。")),
        ALL(NOT(L("certifications", "has", "specialised_sme", "第二条第（一）项")),
            L("industry_section", "==", "C", "第二条第（二）项"),
            L("revenue_last_year", ">=", 10_000_000, "第二条第（三）项"),
            L("rd_intensity", ">=", 3, "第二条第（四）项"),
            L("employees", "between", [10, 1000], "第二条第（五）项")),
    ),
    DemoPolicy(
        "jjw-digital-voucher", "jjw", T.DIGITAL, ONLINE,
        "中小企业数字化转型服务券", "Digital transformation vouchers for SMEs",
        "向中小企业发放数字化转型服务券，用于购买经备案的数字化转型服务。",
        "Vouchers for SMEs to buy registered digital transformation services.",
        "服务券面额最高20万元，可抵扣服务合同金额的50%。",
        "Vouchers worth up to CNY 200,000, covering 50% of the service contract.",
        "制造业、批发零售业、物流业和商务服务业中小企业。",
        "SMEs in manufacturing, trade, logistics and business services.",
        (("第二条第（一）项", "具有独立法人资格的企业（个体工商户、农民专业合作社除外）。"),
         ("第二条第（二）项", "职工人数在10人至1000人之间。"),
         ("第二条第（三）项", "属于制造业、批发和零售业、交通运输仓储和邮政业或租赁和商务服务业。"),
         ("第二条第（四）项", "纳税信用等级不为C级、D级。")),
        ALL(L("enterprise_type", "not_in", ["individual_business", "cooperative"], "第二条第（一）项"),
            L("employees", "between", [10, 1000], "第二条第（二）项"),
            L("industry_section", "in", ["C", "F", "G", "L"], "第二条第（三）项"),
            L("tax_credit_rating", "not_in", BAD_TAX, "第二条第（四）项")),
    ),
    DemoPolicy(
        "jjw-smart-factory", "jjw", T.MANUFACTURING, ONLINE,
        "智能工厂建设奖励", "Award for smart factories",
        "对建成市级及以上智能工厂的规模以上制造业企业给予奖励。",
        "An award for large manufacturers that build recognised smart factories.",
        "按智能化改造投入的10%奖励，最高300万元。",
        "10% of the investment in automation, up to CNY 3 million.",
        "规模以上制造业企业。", "Manufacturers above the statistical size threshold.",
        (("第二条", "属于制造业。"),
         ("第三条第（一）项", "上一年度营业收入不低于1亿元。"),
         ("第三条第（二）项", "职工人数不少于100人。")),
        ALL(L("industry_section", "==", "C", "第二条"),
            L("revenue_last_year", ">=", 100_000_000, "第三条第（一）项"),
            L("employees", ">=", 100, "第三条第（二）项")),
    ),
    DemoPolicy(
        "jjw-robot-adoption", "jjw", T.MANUFACTURING, FAST,
        "工业机器人应用补贴", "Subsidy for industrial robot adoption",
        "鼓励制造业企业购置工业机器人实施“机器换人”，按设备购置金额给予补贴。",
        "A subsidy on the purchase price of industrial robots for manufacturers automating production.",
        "按购置机器人设备金额的10%补贴，最高100万元。", "10% of the robots' price, up to CNY 1 million.",
        "购置工业机器人的制造业企业。", "Manufacturers buying industrial robots.",
        (("第二条", "属于制造业。"),
         ("第三条", "职工人数不少于20人。")),
        ALL(L("industry_section", "==", "C", "第二条"),
            L("employees", ">=", 20, "第三条")),
    ),
    DemoPolicy(
        "jjw-industrial-internet", "jjw", T.DIGITAL, ONLINE,
        "工业互联网平台应用支持", "Support for industrial internet platform adoption",
        "支持优质企业应用工业互联网平台，推进设备联网和数据贯通。",
        "Support for leading firms adopting industrial internet platforms to connect equipment and data.",
        "按平台应用投入的20%支持，最高50万元。", "20% of the platform investment, up to CNY 500,000.",
        "制造业和软件信息服务业的优质企业。", "Leading manufacturing and software firms.",
        (("第二条", "属于制造业或信息传输、软件和信息技术服务业。"),
         ("第三条", "为高新技术企业、专精特新中小企业或专精特新“小巨人”企业。")),
        ALL(L("industry_section", "in", ["C", "I"], "第二条"),
            ANY(L("certifications", "has", "high_tech", "第三条"),
                L("certifications", "has", "specialised_sme", "第三条"),
                L("certifications", "has", "little_giant", "第三条"))),
    ),
    DemoPolicy(
        "jjw-technology-upgrade", "jjw", T.MANUFACTURING, ONLINE,
        "技术改造项目补贴", "Subsidy for technological upgrading projects",
        "支持制造业企业实施技术改造，按项目设备投资给予补贴。",
        "A subsidy on equipment investment for manufacturers upgrading their technology.",
        "按项目设备投资的10%补贴，最高500万元。", "10% of the equipment investment, up to CNY 5 million.",
        "实施技术改造项目的制造业企业。", "Manufacturers carrying out upgrading projects.",
        (("第二条", "属于制造业。"),
         ("第三条第（一）项", "在本区注册经营满两年。"),
         ("第三条第（二）项", "纳税信用等级不为C级、D级。")),
        ALL(L("industry_section", "==", "C", "第二条"),
            L("registered_on", "<=", "2023-12-31", "第三条第（一）项"),
            L("tax_credit_rating", "not_in", BAD_TAX, "第三条第（二）项")),
    ),
    DemoPolicy(
        "jjw-first-of-a-kind", "jjw", T.MANUFACTURING, ONLINE,
        "首台（套）重大技术装备支持", "Support for first-of-a-kind major equipment",
        "支持装备制造企业研制首台（套）重大技术装备并实现销售。",
        "Support for equipment makers that develop and sell first-of-a-kind major equipment.",
        "按首台（套）销售合同金额的20%给予支持，最高500万元。",
        "20% of the first sale contract, up to CNY 5 million.",
        "装备制造领域的高新技术企业。", "High-tech equipment manufacturers.",
        (("第二条", "属于通用设备、专用设备、电气机械或计算机通信电子设备制造业。"),
         ("第三条", "为高新技术企业。")),
        ALL(L("industry_division", "in", ["34", "35", "38", "39"], "第二条"),
            L("certifications", "has", "high_tech", "第三条")),
    ),
    DemoPolicy(
        "jjw-software-services", "jjw", T.DIGITAL, ONLINE,
        "软件和信息服务业发展专项支持", "Support for software and information services",
        "对营业收入增长较快的软件和信息服务企业给予奖励。",
        "An award for fast-growing software and information service firms.",
        "按营业收入增量的2%奖励，最高200万元。", "2% of revenue growth, up to CNY 2 million.",
        "软件和信息服务业企业。", "Software and information service firms.",
        (("第二条", "属于互联网和相关服务或软件和信息技术服务业。"),
         ("第三条", "上一年度营业收入不低于500万元。")),
        ALL(L("industry_division", "in", ["64", "65"], "第二条"),
            L("revenue_last_year", ">=", 5_000_000, "第三条")),
    ),
    DemoPolicy(
        "jjw-ic-tape-out", "jjw", T.INNOVATION, ONLINE,
        "集成电路设计企业流片补贴", "Tape-out subsidy for integrated circuit design firms",
        "对集成电路设计企业开展工程流片给予补贴。",
        "A subsidy on engineering tape-outs for integrated circuit design firms.",
        "按流片费用的30%补贴，最高300万元。", "30% of the tape-out cost, up to CNY 3 million.",
        "集成电路设计企业。", "Integrated circuit design firms.",
        (("第二条", "属于集成电路设计行业。"),
         ("第三条", "上一年度研究开发费用占营业收入的比例不低于10%。")),
        ALL(L("industry_code", "==", "6520", "第二条"),
            L("rd_intensity", ">=", 10, "第三条")),
    ),
    DemoPolicy(
        "jjw-green-factory", "jjw", T.GREEN, ONLINE,
        "绿色工厂奖励", "Award for green factories",
        "对获评国家级、市级绿色工厂的制造业企业给予奖励。",
        "An award for manufacturers recognised as national or municipal green factories.",
        "国家级奖励100万元，市级奖励50万元。", "CNY 1 million for national, CNY 500,000 for municipal recognition.",
        "规模较大的制造业企业。", "Larger manufacturers.",
        (("第二条", "属于制造业。"),
         ("第三条", "上一年度营业收入不低于5000万元。")),
        ALL(L("industry_section", "==", "C", "第二条"),
            L("revenue_last_year", ">=", 50_000_000, "第三条")),
    ),
    DemoPolicy(
        "fgw-energy-saving", "fgw", T.GREEN, ONLINE,
        "节能减排技术改造补贴", "Subsidy for energy-saving retrofits",
        "支持工业企业实施节能技术改造，按年节能量给予补贴。",
        "A subsidy, by energy saved each year, for industrial retrofits.",
        "按年节能量每吨标准煤600元补贴，最高300万元。",
        "CNY 600 per tonne of coal equivalent saved a year, up to CNY 3 million.",
        "工业和能源企业。", "Industrial and energy enterprises.",
        (("第二条", "属于制造业或电力、热力、燃气及水生产和供应业。"),
         ("第三条", "职工人数不少于50人。")),
        ALL(L("industry_section", "in", ["C", "D"], "第二条"),
            L("employees", ">=", 50, "第三条")),
    ),
    DemoPolicy(
        "fgw-g60-collaboration", "fgw", T.G60, ONLINE,
        "G60科创走廊产业协同创新项目支持", "Support for G60 Science and Innovation Corridor collaboration projects",
        "支持优质企业牵头开展G60科创走廊九城市产业链协同创新项目。",
        "Support for leading firms heading supply-chain innovation projects across the nine G60 corridor cities.",
        "按项目投入的20%支持，最高500万元。", "20% of the project investment, up to CNY 5 million.",
        "先进制造和数字经济领域的优质企业。", "Leading firms in advanced manufacturing and the digital economy.",
        (("第二条第（一）项", "为高新技术企业、专精特新中小企业或专精特新“小巨人”企业。"),
         ("第二条第（二）项", "属于装备制造、汽车、电子信息、软件或研究和试验发展行业。")),
        ALL(ANY(L("certifications", "has", "high_tech", "第二条第（一）项"),
                L("certifications", "has", "specialised_sme", "第二条第（一）项"),
                L("certifications", "has", "little_giant", "第二条第（一）项")),
            L("industry_division", "in", ["34", "35", "36", "38", "39", "65", "73"], "第二条第（二）项")),
    ),
    DemoPolicy(
        "fgw-g60-transfer-loans", "fgw", T.G60, FAST,
        "G60科创走廊科技成果转化贷款贴息", "G60 corridor loan interest subsidy for technology transfer",
        "对高新技术企业用于科技成果转化的贷款给予贴息。",
        "An interest subsidy on high-tech enterprises' loans for commercialising research.",
        "按贷款利息的50%贴息，最高100万元。", "50% of the interest, up to CNY 1 million.",
        "研发投入较大的高新技术企业。", "High-tech enterprises with substantial R&D spending.",
        (("第二条", "为高新技术企业。"),
         ("第三条", "上一年度研究开发费用不低于300万元。"),
         ("第四条", "纳税信用等级为A级或B级。")),
        ALL(L("certifications", "has", "high_tech", "第二条"),
            L("rd_spend_last_year", ">=", 3_000_000, "第三条"),
            L("tax_credit_rating", "in", ["A", "B"], "第四条")),
    ),
    DemoPolicy(
        "fgw-major-projects", "fgw", T.MANUFACTURING, ONLINE,
        "重大产业项目固定资产投资补贴", "Subsidy for fixed-asset investment in major industrial projects",
        "对注册资本较大的制造业企业实施的重大产业项目，按设备投资额给予补贴。",
        "A subsidy on equipment investment for major projects of well-capitalised manufacturers.",
        "按设备投资额的8%补贴，最高2000万元。", "8% of the equipment investment, up to CNY 20 million.",
        "实施重大产业项目的制造业企业。", "Manufacturers carrying out major projects.",
        (("第二条第（一）项", "注册资本不低于5000万元。"),
         ("第二条第（二）项", "属于制造业。")),
        ALL(L("registered_capital", ">=", 50_000_000, "第二条第（一）项"),
            L("industry_section", "==", "C", "第二条第（二）项")),
    ),
    DemoPolicy(
        "fgw-modern-services", "fgw", T.GROWTH, ONLINE,
        "现代服务业发展引导资金", "Guidance fund for modern services",
        "支持软件信息、商务服务和科技服务企业做大做强。",
        "Support for software, business-service and technical-service firms to grow.",
        "按项目投入的20%支持，最高200万元。", "20% of the project investment, up to CNY 2 million.",
        "现代服务业企业。", "Modern service firms.",
        (("第二条", "属于信息传输软件和信息技术服务业、租赁和商务服务业或科学研究和技术服务业。"),
         ("第三条", "上一年度营业收入不低于1000万元。")),
        ALL(L("industry_section", "in", ["I", "L", "M"], "第二条"),
            L("revenue_last_year", ">=", 10_000_000, "第三条")),
    ),
    DemoPolicy(
        "fgw-headquarters", "fgw", T.GROWTH, ONLINE,
        "总部经济企业奖励", "Award for regional headquarters",
        "对在本区设立的地区总部和总部型企业给予一次性奖励。",
        "A one-off award for regional and company headquarters set up in the district.",
        "一次性奖励最高1000万元。", "Up to CNY 10 million, once.",
        "经认定的总部型企业。", "Recognised headquarters companies.",
        (("第二条第（一）项", "注册资本不低于1亿元。"),
         ("第二条第（二）项", "上一年度营业收入不低于5亿元。")),
        ALL(L("registered_capital", ">=", 100_000_000, "第二条第（一）项"),
            L("revenue_last_year", ">=", 500_000_000, "第二条第（二）项")),
    ),
    DemoPolicy(
        "rsj-job-retention", "rsj", T.EMPLOYMENT, GRANTED,
        "失业保险稳岗返还", "Unemployment insurance refund for keeping jobs",
        "对不裁员或少裁员的参保企业返还部分失业保险费，经大数据比对后直接返还，企业无需申请。",
        "Part of the unemployment insurance paid is refunded to insured employers that keep their staff, "
        "matched from the records and paid with no application.",
        "中小微企业按上年度实际缴纳失业保险费的60%返还，大型企业按30%返还。",
        "60% of last year's unemployment insurance for small firms, 30% for large ones.",
        "依法参加失业保险的企业。", "Employers insured against unemployment.",
        (("第二条", "依法参加失业保险并足额缴费。"),
         ("第三条", "在本区参保缴费满12个月。"),
         ("第四条", "未被列为纳税信用D级。")),
        ALL(L("employees", ">=", 1, "第二条"),
            L("registered_on", "<=", "2025-03-01", "第三条"),
            L("tax_credit_rating", "!=", "D", "第四条")),
    ),
    DemoPolicy(
        "rsj-hiring-subsidy", "rsj", T.EMPLOYMENT, FAST,
        "一次性扩岗补助", "One-off hiring subsidy",
        "对招用高校毕业生并参加失业保险的企业给予一次性扩岗补助。",
        "A one-off subsidy for employers that hire university graduates and insure them.",
        "每招用1名高校毕业生补助1500元。", "CNY 1,500 for each graduate hired.",
        "招用高校毕业生的企业。", "Employers hiring graduates.",
        (("第二条", "招用毕业年度或离校2年内未就业高校毕业生，并为其缴纳失业保险费。"),),
        ALL(L("employees", ">=", 1, "第二条")),
    ),
    DemoPolicy(
        "rsj-priority-groups", "rsj", T.EMPLOYMENT, ONLINE,
        "吸纳重点群体就业补贴", "Subsidy for employing people from priority groups",
        "对吸纳就业困难人员、退役军人等重点群体就业的企业给予补贴。",
        "A subsidy for employers who hire people with difficulty finding work, veterans and other priority groups.",
        "每人每年最高5000元。", "Up to CNY 5,000 per person per year.",
        "吸纳重点群体就业的企业。", "Employers of priority groups.",
        (("第二条", "职工人数不少于5人，依法与重点群体人员签订一年以上劳动合同。"),
         ("第三条", "未被列为纳税信用D级。")),
        ALL(L("employees", ">=", 5, "第二条"),
            L("tax_credit_rating", "!=", "D", "第三条")),
    ),
    DemoPolicy(
        "fgj-talent-apartment", "fgj", T.TALENT, ONLINE,
        "人才公寓租赁补贴", "Rent subsidy for talent apartments",
        "对重点企业引进的人才入住区人才公寓给予租金补贴。",
        "A rent subsidy for talent recruited by key firms who live in the district's talent apartments.",
        "按租金的50%补贴，最长三年。", "50% of the rent, for up to three years.",
        "重点产业企业及其引进人才。", "Key-industry firms and the talent they recruit.",
        (("第二条第（一）项", "为高新技术企业、专精特新企业，或属于软件信息服务业、科学研究和技术服务业。"),
         ("第二条第（二）项", "职工人数不少于10人。")),
        ALL(ANY(L("certifications", "has", "high_tech", "第二条第（一）项"),
                L("certifications", "has", "specialised_sme", "第二条第（一）项"),
                L("certifications", "has", "little_giant", "第二条第（一）项"),
                L("industry_section", "in", ["I", "M"], "第二条第（一）项")),
            L("employees", ">=", 10, "第二条第（二）项")),
    ),
    DemoPolicy(
        "rsj-young-talent-housing", "rsj", T.TALENT, ONLINE,
        "青年人才安居补贴", "Housing allowance for young talent",
        "对重点产业企业新引进的青年人才发放安居补贴。",
        "A housing allowance for young talent newly recruited by key-industry firms.",
        "每人每月1000元，最长三年。", "CNY 1,000 per person per month, for up to three years.",
        "重点产业企业。", "Key-industry firms.",
        (("第二条", "属于制造业、信息传输软件和信息技术服务业或科学研究和技术服务业。"),
         ("第三条", "职工人数不少于5人。"),
         ("第四条", "纳税信用等级不为C级、D级。")),
        ALL(L("industry_section", "in", ["C", "I", "M"], "第二条"),
            L("employees", ">=", 5, "第三条"),
            L("tax_credit_rating", "not_in", BAD_TAX, "第四条")),
    ),
    DemoPolicy(
        "rsj-high-skills", "rsj", T.TALENT, ONLINE,
        "高技能人才培养补贴", "Subsidy for training highly skilled workers",
        "对制造业企业职工取得高级工以上职业资格给予培养补贴。",
        "A subsidy for manufacturers whose workers earn senior vocational qualifications.",
        "高级工每人3000元，技师5000元，高级技师8000元。",
        "CNY 3,000 per senior worker, 5,000 per technician, 8,000 per senior technician.",
        "制造业企业。", "Manufacturers.",
        (("第二条", "属于制造业。"),
         ("第三条", "职工人数不少于50人。")),
        ALL(L("industry_section", "==", "C", "第二条"),
            L("employees", ">=", 50, "第三条")),
    ),
    DemoPolicy(
        "rsj-skills-training", "rsj", T.EMPLOYMENT, FAST,
        "企业职工职业技能培训补贴", "Vocational skills training subsidy",
        "对企业组织职工参加职业技能培训并取得证书的，按培训费用给予补贴。",
        "A subsidy on training fees when employers' staff complete certified vocational training.",
        "按培训费用的80%补贴，每人每年最高3000元。", "80% of the fees, up to CNY 3,000 per person per year.",
        "开展职工培训的企业。", "Employers training their staff.",
        (("第二条", "依法参加社会保险，组织职工参加职业技能培训。"),
         ("第三条", "未被列为纳税信用D级。")),
        ALL(L("employees", ">=", 1, "第二条"),
            L("tax_credit_rating", "!=", "D", "第三条")),
    ),
    DemoPolicy(
        "rsj-postdoctoral", "rsj", T.TALENT, ONLINE,
        "博士后科研工作站资助", "Funding for postdoctoral research stations",
        "支持高新技术企业设立博士后科研工作站并招收博士后研究人员。",
        "Support for high-tech enterprises setting up postdoctoral stations and recruiting researchers.",
        "新设工作站资助50万元，每招收1名博士后资助10万元。",
        "CNY 500,000 for a new station and CNY 100,000 per postdoctoral researcher.",
        "研发实力较强的高新技术企业。", "High-tech enterprises with strong research.",
        (("第二条第（一）项", "为高新技术企业。"),
         ("第二条第（二）项", "上一年度研究开发费用不低于500万元。"),
         ("第二条第（三）项", "职工人数不少于50人。")),
        ALL(L("certifications", "has", "high_tech", "第二条第（一）项"),
            L("rd_spend_last_year", ">=", 5_000_000, "第二条第（二）项"),
            L("employees", ">=", 50, "第二条第（三）项")),
    ),
    DemoPolicy(
        "scjgj-standards", "scjgj", T.GROWTH, ONLINE,
        "标准化战略资助", "Funding for standard setting",
        "对主导或参与制定国际、国家和行业标准的企业给予资助。",
        "Funding for firms that lead or take part in setting international, national and industry standards.",
        "主导制定国际标准资助50万元，国家标准30万元，行业标准15万元。",
        "CNY 500,000 for an international standard, 300,000 national, 150,000 industry.",
        "参与标准制定的优质企业。", "Leading firms taking part in standard setting.",
        (("第二条", "为高新技术企业或专精特新中小企业。"),),
        ALL(ANY(L("certifications", "has", "high_tech", "第二条"),
                L("certifications", "has", "specialised_sme", "第二条"))),
    ),
    DemoPolicy(
        "jjw-first-loan", "jjw", T.FINANCE, FAST,
        "小微企业首贷贴息", "Interest subsidy on small businesses' first loans",
        "对首次获得银行贷款的小微企业给予贴息，缓解融资难、融资贵。",
        "An interest subsidy for small businesses on their first bank loan.",
        "按首笔贷款利息的50%贴息，最高20万元。", "50% of the first loan's interest, up to CNY 200,000.",
        "首次获得贷款的小微企业。", "Small businesses taking their first loan.",
        (("第二条第（一）项", "职工人数不超过100人。"),
         ("第二条第（二）项", "上一年度营业收入不超过1亿元。"),
         ("第二条第（三）项", "纳税信用等级为A级、B级或M级。")),
        ALL(L("employees", "<=", 100, "第二条第（一）项"),
            L("revenue_last_year", "<=", 100_000_000, "第二条第（二）项"),
            L("tax_credit_rating", "in", ["A", "B", "M"], "第二条第（三）项")),
    ),
    DemoPolicy(
        "kw-technology-loans", "kw", T.FINANCE, FAST,
        "科技履约贷贴息贴费", "Interest and guarantee subsidy for technology loans",
        "对通过科技履约贷获得贷款的科技企业给予贴息和担保费补贴。",
        "An interest and guarantee-fee subsidy for technology firms borrowing through the technology loan scheme.",
        "按贷款利息的50%贴息，担保费全额补贴。", "50% of the interest and the full guarantee fee.",
        "科技型中小企业和高新技术企业。", "Technology-based SMEs and high-tech enterprises.",
        (("第二条", "为科技型中小企业或高新技术企业。"),
         ("第三条", "纳税信用等级为A级或B级。")),
        ALL(ANY(L("certifications", "has", "tech_sme", "第二条"),
                L("certifications", "has", "high_tech", "第二条")),
            L("tax_credit_rating", "in", ["A", "B"], "第三条")),
    ),
)  # fmt: skip


def public_id_of(key: str) -> str:
    return uuid.uuid5(NAMESPACE, key).hex


def _document_numbers() -> dict[str, str]:
    counters: dict[str, int] = {}
    numbers = {}
    for demo in POLICIES:
        counters[demo.department] = counters.get(demo.department, 0) + 1
        numbers[demo.key] = f"{DOCUMENT_PREFIX[demo.department]}〔2025〕{counters[demo.department]}号"
    return numbers


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _policy(demo: DemoPolicy, department: Department, number: str) -> Policy:
    payment_zh, payment_en = PAYMENT[demo.method]
    clause_text = "\n".join(f"{ref}　{text}" for ref, text in demo.clauses)
    return Policy(
        public_id=public_id_of(demo.key),
        document_number=number,
        title_zh=demo.title_zh,
        title_en=demo.title_en,
        department_id=department.id,
        topic=demo.topic,
        summary_zh=demo.summary_zh,
        summary_en=demo.summary_en,
        full_text_zh=(
            f"第一条　为{demo.summary_zh.rstrip('。')}，结合本区实际，制定本办法。\n{clause_text}\n"
            f"第六条　支持标准：{demo.benefit_zh}\n第七条　本办法自{_chinese_date(demo.valid_from)}起施行，"
            f"有效期至{_chinese_date(demo.valid_until)}。"
        ),
        benefit_zh=demo.benefit_zh,
        benefit_en=demo.benefit_en,
        beneficiaries_zh=f"在松江区依法注册、具有独立承担民事责任能力的{demo.who_zh}",
        beneficiaries_en=f"{demo.who_en.rstrip('.')}, registered in Songjiang District.",
        conditions_zh=clause_text,
        payment_time_limit_zh=payment_zh,
        payment_time_limit_en=payment_en,
        contacts_zh=f"{department.name_zh}，咨询电话{department.phone}；受理窗口：区行政服务中心企业服务专窗（乐都西路867号）。",
        contacts_en=(
            f"{department.name_en}, telephone {department.phone}; service window: enterprise services desk, "
            "District Administrative Service Centre, 867 Ledu West Road."
        ),
        application_method=demo.method,
        status=PolicyStatus.DRAFT,
        valid_from=demo.valid_from,
        valid_until=demo.valid_until,
        criteria=demo.criteria,
        clauses=dict(demo.clauses),
    )


def seed_policies(session: Session) -> int:
    """Create the demo policies not there yet, and publish them: each is matched against every
    enterprise, the qualified ones are told, and grants without application open their cases."""
    from portal.policy_matching import publish

    departments = {d.code: d for d in session.scalars(select(Department))}
    existing = set(session.scalars(select(Policy.public_id)))
    numbers = _document_numbers()
    created = []
    for demo in POLICIES:
        if public_id_of(demo.key) in existing:
            continue
        policy = _policy(demo, departments[demo.department], numbers[demo.key])
        session.add(policy)
        created.append(policy)
    session.flush()
    now = utcnow()
    for policy in created:
        publish(session, policy, None, now=now)
    return len(created)
