"""The datasets the district opens (公共数据开放), with their DCAT metadata and declared fields.

The district's digital transformation plan for 2021-2025 sets a target of 30 open public datasets;
these are the ones the portal itself holds. Each is rebuilt by `refresh-open-data` from the
portal's database; statistics are anonymised (see `portal.opendata.suppression`).
"""

from __future__ import annotations

from portal.opendata import builders
from portal.opendata.spec import ANNUAL, IRREGULAR, MONTHLY, WEEKLY, WITHHELD, Dataset, Field

_MONTH = Field("month", "yearmonth", "统计月份（北京时间）", "Month counted (China Standard Time)")
_DEPARTMENT = (
    Field("department_code", "string", "部门代码", "Department code"),
    Field("department_zh", "string", "部门名称（中文）", "Department name in Chinese", "zh"),
    Field("department_en", "string", "部门名称（英文）", "Department name in English", "en"),
)
_TOWN = (
    Field("town_code", "string", "街镇代码", "Sub-district or town code"),
    Field("town_zh", "string", "街镇名称（中文）", "Sub-district or town name in Chinese", "zh"),
    Field("town_en", "string", "街镇名称（英文）", "Sub-district or town name in English", "en"),
)

SERVICE_CATALOGUE = Dataset(
    slug="service-catalogue",
    title_zh="政务服务事项目录",
    title_en="Catalogue of government services",
    description_zh=(
        "松江区“一网通办”政务服务事项清单：每项服务的办理部门、服务对象、申请材料、收费标准、"
        "法定办结时限（工作日）、是否可网上办理及办理地点。"
    ),
    description_en=(
        "The district's one-stop government services: for each service the department that handles it, "
        "who it is for, the materials to bring, the fee, the legal time limit in working days, whether it can "
        "be done online, and where to go."
    ),
    keywords_zh=("政务服务", "一网通办", "办事指南", "事项目录"),
    keywords_en=("government services", "one-stop services", "service guide", "catalogue"),
    frequency=WEEKLY,
    themes=("GOVE",),
    fields=(
        Field("code", "string", "事项编码", "Service code"),
        Field("name_zh", "string", "事项名称（中文）", "Service name in Chinese", "zh"),
        Field("name_en", "string", "事项名称（英文）", "Service name in English", "en"),
        Field("summary_zh", "string", "事项简介（中文）", "Summary in Chinese", "zh"),
        Field("summary_en", "string", "事项简介（英文）", "Summary in English", "en"),
        *_DEPARTMENT,
        Field("audience", "string", "服务对象：resident 个人、enterprise 企业、both 两者",
              "Who it is for: resident, enterprise or both"),
        Field("life_events", "string", "所属主题（人生大事）代码，以分号分隔",
              "Life events it belongs to, codes separated by semicolons"),
        Field("time_limit_working_days", "integer", "法定办结时限（工作日，0为即办）",
              "Legal time limit in working days (0: decided on the spot)"),
        Field("online", "boolean", "是否可全程网办", "Whether it can be done online"),
        Field("in_person", "boolean", "是否可窗口办理", "Whether it can be done at a service window"),
        Field("fee_zh", "string", "收费标准（中文）", "Fee in Chinese", "zh"),
        Field("fee_en", "string", "收费标准（英文）", "Fee in English", "en"),
        Field("materials_zh", "string", "申请材料（中文，以分号分隔）",
              "Materials to bring in Chinese, separated by semicolons", "zh"),
        Field("materials_en", "string", "申请材料（英文，以分号分隔）",
              "Materials to bring in English, separated by semicolons", "en"),
        Field("where_zh", "string", "办理地点（中文）", "Where to go in Chinese", "zh"),
        Field("where_en", "string", "办理地点（英文）", "Where to go in English", "en"),
        Field("updated_on", "date", "最近更新日期", "Date last updated"),
    ),
    build=builders.build_service_catalogue,
)

POLICIES = Dataset(
    slug="enterprise-policies",
    title_zh="惠企政策清单",
    title_en="Business support policies",
    description_zh=(
        "区各部门发布的现行惠企政策：文号、发布部门、政策类别、申报方式（网上申报、快速兑现、免申即享）、"
        "有效期、支持内容、申报对象和兑付时限。"
    ),
    description_en=(
        "The support policies the district's departments have published for businesses: document number, "
        "issuing department, topic, how to apply (online, fast track, or granted without application), validity, "
        "what the policy gives, who benefits, and the payment time limit."
    ),
    keywords_zh=("惠企政策", "免申即享", "营商环境", "企业服务"),
    keywords_en=("business support", "policies", "granted without application", "business environment"),
    frequency=WEEKLY,
    themes=("ECON", "GOVE"),
    fields=(
        Field("id", "string", "政策标识（门户中的公开编号）", "Policy identifier (its public id in the portal)"),
        Field("document_number", "string", "文号", "Document number", "zh"),
        Field("title_zh", "string", "政策名称（中文）", "Title in Chinese", "zh"),
        Field("title_en", "string", "政策名称（英文）", "Title in English", "en"),
        *_DEPARTMENT,
        Field("topic", "string", "政策类别代码，如 innovation 科技创新、talent 人才、digital 数字化转型",
              "Topic code, e.g. innovation, talent, digital"),
        Field("application_method", "string",
              "申报方式：apply_online 网上申报、fast_track 快速兑现、granted_without_application 免申即享",
              "How to apply: apply_online, fast_track or granted_without_application"),
        Field("valid_from", "date", "有效期起", "Valid from"),
        Field("valid_until", "date", "有效期止", "Valid until"),
        Field("published_on", "date", "发布日期", "Date published"),
        Field("summary_zh", "string", "政策摘要（中文）", "Summary in Chinese", "zh"),
        Field("summary_en", "string", "政策摘要（英文）", "Summary in English", "en"),
        Field("beneficiaries_zh", "string", "申报对象（中文）", "Who benefits in Chinese", "zh"),
        Field("beneficiaries_en", "string", "申报对象（英文）", "Who benefits in English", "en"),
        Field("benefit_zh", "string", "支持内容（中文）", "What it gives in Chinese", "zh"),
        Field("benefit_en", "string", "支持内容（英文）", "What it gives in English", "en"),
        Field("payment_time_limit_zh", "string", "兑付时限（中文）", "Payment time limit in Chinese", "zh"),
        Field("payment_time_limit_en", "string", "兑付时限（英文）", "Payment time limit in English", "en"),
    ),
    build=builders.build_policies,
)

CASES_BY_CATEGORY_AND_TOWN = Dataset(
    slug="cases-by-category-and-town",
    anonymised=True,
    title_zh="办件月度统计（按类别和街镇）",
    title_en="Cases received each month, by category and sub-district or town",
    description_zh=(
        "每月受理的市民诉求、企业诉求和网上办事申请件数，按诉求类别和所涉街镇统计。街镇为承办的街道或镇；"
        "由区级部门承办的，取企业注册地或市民登记的居住街镇，均无则记为“区级”。本月数据截至更新日。"
        "表中只列出公布了数字的组合，未列出的组合为0件、少于5件或为保护其他单元格而隐匿。"
    ),
    description_en=(
        "Residents' requests, enterprise appeals and online applications received each month, by category and "
        "the sub-district or town they concern: the sub-district or town handling it, else the enterprise's "
        "registered town or the resident's home area, else district-wide. The current month runs to the day of "
        "the update. Only combinations with a published count are listed: one not listed had none, fewer "
        "than 5, or was withheld to protect another."
    ),
    keywords_zh=("12345", "市民诉求", "企业诉求", "办件统计", "街镇"),
    keywords_en=("citizen requests", "enterprise appeals", "case statistics", "sub-districts", "towns"),
    frequency=MONTHLY,
    themes=("GOVE", "REGI"),
    fields=(
        _MONTH,
        Field("category_code", "string", "类别代码", "Category code"),
        Field("category_zh", "string", "类别名称（中文）", "Category name in Chinese", "zh"),
        Field("category_en", "string", "类别名称（英文）", "Category name in English", "en"),
        *_TOWN,
        Field("received", "integer", "受理件数（不少于5）", "Cases received (5 or more)"),
    ),
    build=builders.build_cases_by_category_and_town,
)

DEPARTMENT_STATISTICS = Dataset(
    slug="cases-by-department",
    anonymised=True,
    title_zh="各部门办件月度统计",
    title_en="Cases handled by each department, monthly",
    description_zh=(
        "各委办局、街道和镇每月受理件数、办结件数、按时答复率和平均办理时长（工作日，自受理至办结，"
        "扣除法定节假日）。办结件数只计当月办结且未因不满意评价重新办理的件。本月数据截至更新日。"
    ),
    description_en=(
        "For each bureau, sub-district and town, every month: cases received, cases closed, the share answered by "
        "their due date, and the average handling time in working days (received to closed, public holidays "
        "excluded). Closed counts cases closed that month and not reopened after a dissatisfied rating. The "
        "current month runs to the day of the update."
    ),
    keywords_zh=("办件统计", "按时办结率", "办理时长", "政务服务效能"),
    keywords_en=("case statistics", "on-time rate", "handling time", "service performance"),
    frequency=MONTHLY,
    themes=("GOVE",),
    fields=(
        _MONTH,
        *_DEPARTMENT,
        Field("received", "integer", "受理件数", "Cases received"),
        Field("closed", "integer", "办结件数", "Cases closed"),
        Field("on_time_percent", "number", "按时答复率（%，办结件中在期限内答复的比例）",
              "Share of closed cases answered by their due date (%)"),
        Field("average_handling_working_days", "number", "平均办理时长（工作日）",
              "Average handling time of the closed cases (working days)"),
        WITHHELD,
    ),
    build=builders.build_department_statistics,
)

SATISFACTION = Dataset(
    slug="satisfaction-by-department",
    anonymised=True,
    title_zh="各部门“好差评”满意度月度统计",
    title_en="Satisfaction ratings of each department, monthly",
    description_zh=(
        "市民和企业对办结事项的“好差评”（五级评价）按部门和评价月份统计：评价件数，以及评价为"
        "“非常满意”“满意”“基本满意”的比例。"
    ),
    description_en=(
        "The ratings residents and businesses gave cases once closed (the national five-level scale), by "
        "department and month rated: how many ratings, and the share that were very satisfied, satisfied or "
        "basically satisfied."
    ),
    keywords_zh=("好差评", "满意度", "政务服务评价"),
    keywords_en=("satisfaction", "ratings", "service evaluation"),
    frequency=MONTHLY,
    themes=("GOVE",),
    fields=(
        _MONTH,
        *_DEPARTMENT,
        Field("ratings", "integer", "评价件数", "Ratings given"),
        Field("satisfied_percent", "number", "满意率（%，含非常满意、满意、基本满意）",
              "Share very satisfied, satisfied or basically satisfied (%)"),
        WITHHELD,
    ),
    build=builders.build_satisfaction,
)

DEPARTMENTS = Dataset(
    slug="departments",
    title_zh="区级部门和街镇名录",
    title_en="Directory of district departments, sub-districts and towns",
    description_zh="区委办局、街道和镇的名称、类型、联系电话和办公地址。",
    description_en=(
        "The district's bureaus and commissions, sub-districts and towns: names, kind, telephone and address."
    ),
    keywords_zh=("部门名录", "街道", "镇", "联系方式"),
    keywords_en=("departments", "sub-districts", "towns", "contacts"),
    frequency=IRREGULAR,
    themes=("GOVE", "REGI"),
    fields=(
        Field("code", "string", "部门代码", "Department code"),
        Field("kind", "string", "类型：bureau 委办局、subdistrict 街道、town 镇", "Kind: bureau, subdistrict or town"),
        Field("name_zh", "string", "名称（中文）", "Name in Chinese", "zh"),
        Field("name_en", "string", "名称（英文）", "Name in English", "en"),
        Field("phone", "string", "联系电话", "Telephone"),
        Field("address_zh", "string", "办公地址（中文）", "Address in Chinese", "zh"),
        Field("address_en", "string", "办公地址（英文）", "Address in English", "en"),
    ),
    build=builders.build_departments,
)

CASE_CATEGORIES = Dataset(
    slug="case-categories",
    title_zh="诉求类别及办理时限",
    title_en="Request categories and their time limits",
    description_zh=(
        "市民诉求、企业诉求和网上申请的类别，各类别的承办部门，以及签收、答复和不满意整改的时限（工作日）。"
    ),
    description_en=(
        "The categories of residents' requests, enterprise appeals and online applications, the department each "
        "goes to, and the time limits in working days to accept, to answer, and to put things right after a "
        "dissatisfied rating."
    ),
    keywords_zh=("诉求分类", "办理时限", "派单规则"),
    keywords_en=("request categories", "time limits", "routing"),
    frequency=IRREGULAR,
    themes=("GOVE",),
    fields=(
        Field("code", "string", "类别代码", "Category code"),
        Field("name_zh", "string", "类别名称（中文）", "Category name in Chinese", "zh"),
        Field("name_en", "string", "类别名称（英文）", "Category name in English", "en"),
        Field("case_kind", "string",
              "适用的办件种类：request 市民诉求、appeal 企业诉求、application 办事申请，空为全部",
              "Kind of case it is offered for: request, appeal or application; empty for every kind"),
        *_DEPARTMENT,
        Field("accept_working_days", "integer", "签收时限（工作日）", "Time limit to accept (working days)"),
        Field("reply_working_days", "integer", "答复时限（工作日）", "Time limit to answer (working days)"),
        Field("rectify_working_days", "integer", "不满意整改时限（工作日）",
              "Time limit to put right after a dissatisfied rating (working days)"),
    ),
    build=builders.build_case_categories,
)

WORKING_CALENDAR = Dataset(
    slug="working-day-calendar",
    title_zh="工作日历（法定节假日和调休工作日）",
    title_en="Working-day calendar (public holidays and adjusted working days)",
    description_zh=(
        "计算办理时限所用的工作日历：国务院办公厅公布的法定节假日，以及调休上班的周末。未列出的周一至周五为工作日，"
        "周六、周日为休息日。"
    ),
    description_en=(
        "The calendar the portal counts working days by: public holidays as the State Council publishes them, and "
        "the weekend days worked in exchange. Any Monday to Friday not listed is a working day, any "
        "Saturday or Sunday not listed a rest day."
    ),
    keywords_zh=("工作日", "法定节假日", "调休"),
    keywords_en=("working days", "public holidays", "calendar"),
    frequency=ANNUAL,
    themes=("GOVE",),
    fields=(
        Field("date", "date", "日期", "Date"),
        Field("kind", "string", "holiday 放假、workday 调休上班",
              "holiday (a day off) or workday (a weekend day worked)"),
        Field("name_zh", "string", "节日名称（中文）", "Holiday name in Chinese", "zh"),
        Field("name_en", "string", "节日名称（英文）", "Holiday name in English", "en"),
    ),
    build=builders.build_working_calendar,
)

ENTERPRISES_BY_TOWN = Dataset(
    slug="enterprises-by-town-and-industry",
    anonymised=True,
    title_zh="各街镇企业数量（按国民经济行业门类）",
    title_en="Enterprises in each sub-district and town, by industry section",
    description_zh=(
        "在门户登记的企业按注册所在街镇和国民经济行业门类（GB/T 4754-2017）统计的户数。"
        "表中只列出公布了数字的组合，未列出的组合为0户、少于5户或为保护其他单元格而隐匿。"
    ),
    description_en=(
        "Enterprises registered with the portal, counted by the sub-district or town they are registered in and "
        "their industry section (GB/T 4754-2017). Only combinations with a published count are listed: one not "
        "listed had none, fewer than 5, or was withheld to protect another."
    ),
    keywords_zh=("企业", "行业分布", "街镇", "G60科创走廊"),
    keywords_en=("enterprises", "industry", "sub-districts", "towns", "G60 corridor"),
    frequency=MONTHLY,
    themes=("ECON", "REGI"),
    fields=(
        *_TOWN,
        Field("industry_section", "string", "行业门类代码（A–T）", "Industry section letter (A–T)"),
        Field("industry_section_zh", "string", "行业门类名称（中文）", "Industry section in Chinese", "zh"),
        Field("industry_section_en", "string", "行业门类名称（英文）", "Industry section in English", "en"),
        Field("enterprises", "integer", "企业户数（不少于5）", "Enterprises (5 or more)"),
    ),
    build=builders.build_enterprises_by_town_and_industry,
)

DATASETS: tuple[Dataset, ...] = (
    SERVICE_CATALOGUE,
    POLICIES,
    CASES_BY_CATEGORY_AND_TOWN,
    DEPARTMENT_STATISTICS,
    SATISFACTION,
    ENTERPRISES_BY_TOWN,
    CASE_CATEGORIES,
    DEPARTMENTS,
    WORKING_CALENDAR,
)

BY_SLUG = {d.slug: d for d in DATASETS}


def find(slug: str) -> Dataset | None:
    return BY_SLUG.get(slug)
