"""The desk's demo data: the holiday calendar, case categories, a few dozen cases, announcements.

Categories are data (owning department and time limits in working days), as an operator would
keep them. The cases are worked through the real state machine at times in the past, so their
histories, deadlines and overdue lights are what the desk would show for real. Idempotent: a
demo case is recognised by its sender and title and never filed twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.cases import CaseError, load_calendar_years, submit_case, transition, work_calendar
from portal.cases.deadlines import WorkCalendar, add_working_days, local_date
from portal.models import (
    Account,
    Announcement,
    Case,
    CaseCategory,
    CaseKind,
    Department,
    Membership,
    MembershipStatus,
)
from portal.models.base import utcnow

R, A, P = CaseKind.REQUEST, CaseKind.APPEAL, CaseKind.APPLICATION

# code, Chinese name, English name, offered for (None: any kind), owning department,
# accept within, reply within, rectify within (working days)
CATEGORIES = [
    ("city-appearance", "市容环境", "City appearance and cleanliness", R, "cgzf", 1, 5, 15),
    ("noise", "噪声扰民", "Noise nuisance", R, "sthjj", 1, 5, 15),
    ("roads", "道路设施", "Roads, potholes and street furniture", R, "jtw", 1, 10, 15),
    ("wage-arrears", "劳动保障（欠薪）", "Wage arrears and labour rights", R, "rsj", 1, 10, 15),
    ("elderly-services", "老年服务", "Services for older people", R, "mzj", 1, 15, 15),
    ("community", "社区事务", "Community affairs", R, "fsjd", 1, 10, 15),
    ("property", "物业与房屋管理", "Housing and property management", R, "fgj", 1, 15, 15),
    ("health", "医疗卫生", "Health services", R, "wjw", 1, 10, 15),
    ("schools", "教育入学", "School admissions", R, "jyj", 1, 10, 15),
    ("business-policy", "惠企政策咨询", "Business policy enquiries", None, "jjw", 1, 5, 15),
    ("business-finance", "企业诉求：融资", "Enterprise appeal: financing", A, "jjw", 1, 15, 15),
    ("business-land", "企业诉求：用地", "Enterprise appeal: industrial land", A, "jjw", 1, 15, 15),
    ("business-innovation", "企业诉求：科技创新", "Enterprise appeal: research and innovation", A, "kw", 1, 15, 15),
    ("business-approval", "企业诉求：审批登记", "Enterprise appeal: licences and registration", A, "scjgj", 1, 10, 15),
    ("elderly-allowance", "老年综合津贴申领", "Old-age allowance application", P, "mzj", 1, 15, 15),
    ("employment-subsidy", "就业补贴申领", "Employment subsidy application", P, "rsj", 1, 20, 15),
    ("data-requests", "政务数据开放与更正", "Government data: access and corrections", R, "sjj", 1, 10, 15),
]


@dataclass
class Step:
    action: str
    by: str  # a demo login name, or "sender"
    hours: float  # after submission
    details: dict = field(default_factory=dict)


@dataclass
class DemoCase:
    title: str
    body: str
    category: str
    sender: str  # mobile
    days_ago: int
    steps: list[Step] = field(default_factory=list)
    kind: CaseKind | None = None  # default: the category's, else a request
    place: str | None = None
    duplicate_of: str | None = None  # the title of the original, for a merge


def _s(action: str, by: str, hours: float, **details) -> Step:
    return Step(action, by, hours, details)


LI, WANG, SON, ZHANG, CHEN = "13800000001", "13800000002", "13800000003", "13800000011", "13800000012"

CASES = [
    # --- 区经济委员会 (jjw): enquiries and enterprise appeals -----------------------------------
    DemoCase("咨询中小企业数字化转型补贴申报条件",
             "我公司是一家软件企业，想了解今年数字化转型补贴的申报条件和截止时间。",
             "business-policy", ZHANG, 0),
    DemoCase("企业技改项目贴息政策咨询", "计划今年更新一条生产线，请问技术改造项目贷款贴息怎么申请？",
             "business-policy", CHEN, 1),
    DemoCase("流动资金贷款续贷困难", "银行要求提前还款后才能续贷，企业资金周转困难，希望协调。",
             "business-finance", ZHANG, 6, [_s("accept", "officer.jw", 3)]),
    DemoCase("厂房扩建用地指标申请进度", "去年提交的工业用地扩建申请一直没有进展，希望了解办理进度。",
             "business-land", ZHANG, 12,
             [_s("accept", "officer.jw", 2), _s("start", "officer.jw", 20)]),
    DemoCase("首台套装备认定咨询", "我们研制的数控设备是否可以申报首台套认定？需要准备哪些材料？",
             "business-policy", CHEN, 5,
             [_s("accept", "officer.jw", 1), _s("start", "officer.jw", 4),
              _s("invite", "officer.jw", 5, department="kw"),
              _s("note", "officer.jw", 6, notes="已请科委协助确认认定目录，待其回复。")]),
    DemoCase("申报专精特新需补充哪些材料", "准备申报专精特新中小企业，不清楚知识产权证明的要求。",
             "business-policy", ZHANG, 4,
             [_s("accept", "officer.jw", 2),
              _s("request_info", "officer.jw", 5, reason="请补充企业近两年的研发费用明细和知识产权清单。")]),
    DemoCase("园区道路积水影响企业运输", "园区内支路每逢下雨积水严重，货车无法进出。",
             "business-policy", CHEN, 3,
             [_s("transfer", "officer.jw", 4, reason="积水点位于方松街道辖区，请街道协调处置。", department="fsjd")]),
    DemoCase("产业扶持资金拨付时间", "去年获批的产业扶持资金什么时候拨付？",
             "business-policy", ZHANG, 10,
             [_s("accept", "officer.jw", 2), _s("start", "officer.jw", 6),
              _s("reply", "officer.jw", 60, notes="资金已进入拨付流程，预计本月底前到账，请留意对公账户。")]),
    DemoCase("高新技术企业认定奖励咨询", "通过高新技术企业认定后区里有哪些奖励？",
             "business-policy", CHEN, 18,
             [_s("accept", "officer.jw", 2), _s("start", "officer.jw", 5),
              _s("reply", "officer.jw", 48, notes="首次认定给予一次性奖励，具体标准见区科委官网公告。"),
              _s("close", "officer.jw", 50),
              _s("rate", "sender", 72, rating="very_satisfied", comment="答复及时，谢谢！")]),
    DemoCase("企业招工补贴未到账", "按政策申请的招工补贴三个月了还没有到账。",
             "business-policy", ZHANG, 20,
             [_s("accept", "officer.jw", 3), _s("start", "officer.jw", 6),
              _s("reply", "officer.jw", 70, notes="已核实，补贴将于下月发放。"),
              _s("close", "officer.jw", 72),
              _s("rate", "sender", 96, rating="dissatisfied", comment="只说下月发放，没有说明延误原因。")]),
    DemoCase("外贸企业出口信用保险补贴", "出口信用保险保费补贴今年还有吗？",
             "business-policy", CHEN, 9,
             [_s("accept", "officer.jw", 1), _s("start", "officer.jw", 3),
              _s("request_extension", "officer.jw", 30, reason="需会同商务部门确认今年的补贴方案。", due_days=10)]),
    DemoCase("区级技术中心认定逾期未答复", "两周前提交的区级企业技术中心认定咨询还没有答复。",
             "business-policy", ZHANG, 21, [_s("accept", "officer.jw", 4), _s("start", "officer.jw", 8)]),
    DemoCase("重复：数字化转型补贴申报条件", "再次询问数字化转型补贴的申报条件。",
             "business-policy", CHEN, 0, [_s("merge", "officer.jw", 1)],
             duplicate_of="咨询中小企业数字化转型补贴申报条件"),
    DemoCase("要求退还已缴纳的行政事业性收费", "要求退还三年前缴纳的一项收费。",
             "business-policy", CHEN, 7,
             [_s("reject", "officer.jw", 5, reason="该收费不属于本委职责范围，且已超过法定申请期限。")]),
    # --- 方松街道 (fsjd): community affairs ---------------------------------------------------
    DemoCase("小区门口共享单车乱停放", "文诚路小区门口共享单车堆放占道，老人出行不便。",
             "community", LI, 0, place="文诚路558弄"),
    DemoCase("楼道堆物存在消防隐患", "3号楼一楼楼道长期堆放杂物，存在消防隐患。",
             "community", WANG, 3, place="方松路200弄3号"),
    DemoCase("社区活动室开放时间", "社区活动室周末是否开放？", "community", WANG, 2,
             [_s("accept", "officer.fs", 2)]),
    DemoCase("小区绿化带被占用种菜", "小区绿化带被个别居民开垦种菜，希望处理。",
             "community", LI, 16, [_s("accept", "officer.fs", 3), _s("start", "officer.fs", 6)],
             place="文诚路558弄"),
    DemoCase("加装电梯意见征询", "我们楼想加装电梯，居委会能否组织意见征询？",
             "community", SON, 8,
             [_s("accept", "officer.fs", 2), _s("start", "officer.fs", 5),
              _s("reply", "officer.fs", 30, notes="居委会将于下周组织意见征询会，届时会在楼道张贴通知。")]),
    DemoCase("路灯不亮", "小区东门外路灯已经一周不亮了。", "community", LI, 14,
             [_s("accept", "officer.fs", 2), _s("start", "officer.fs", 4),
              _s("reply", "officer.fs", 26, notes="已通知养护单位，路灯已于今日修复。"),
              _s("close", "officer.fs", 28), _s("rate", "sender", 40, rating="satisfied")],
             place="文诚路558弄东门"),
    DemoCase("小区健身器材损坏", "小区中心花园的健身器材有两件松动，存在安全隐患。", "community", LI, 2,
             [_s("accept", "officer.fs", 2),
              _s("request_info", "officer.fs", 5, reason="请说明是哪两件器材，最好附上照片或具体位置。")],
             place="文诚路558弄中心花园"),
    DemoCase("小区门禁损坏", "小区北门门禁刷卡失灵，外来人员随意进出。", "community", LI, 9,
             [_s("accept", "officer.fs", 2), _s("start", "officer.fs", 4),
              _s("reply", "officer.fs", 30, notes="已联系物业更换门禁读卡器，今日起恢复正常。"),
              _s("close", "officer.fs", 50)],
             place="文诚路558弄北门"),
    DemoCase("工地夜间施工噪声", "附近工地晚上十点以后还在施工。", "community", SON, 4,
             [_s("dispute", "officer.fs", 3, reason="夜间施工噪声不属于街道职责。",
                 basis="《上海市环境保护条例》：建筑施工噪声由生态环境部门监管。")]),
    DemoCase("小区快递柜收费", "小区快递柜超时收费，能否协调？", "community", LI, 6,
             [_s("accept", "officer.fs", 2),
              _s("transfer", "officer.fs", 4, reason="涉及快递柜经营，请区经委协调。", department="jjw"),
              _s("bounce_transfer", "officer.jw", 8, reason="快递柜收费属市场监管范围，不属于经委职责。")]),
    # --- other departments: waiting for the dispatcher's and the departments' attention ------
    DemoCase("人行道井盖破损", "中山东路人行道有一个井盖破损，容易绊倒行人。", "roads", LI, 2,
             place="中山东路318号附近"),
    DemoCase("道路坑洼积水", "荣乐东路非机动车道坑洼，下雨积水。", "roads", SON, 15, place="荣乐东路2号附近"),
    DemoCase("餐馆油烟扰民", "楼下餐馆油烟直排，影响住户开窗。", "noise", WANG, 5, place="方松路200弄"),
    DemoCase("广场舞音响声音过大", "晚上广场舞音响声音太大。", "noise", LI, 1),
    DemoCase("垃圾清运不及时", "小区垃圾箱房已经两天没有清运。", "city-appearance", SON, 3, place="文诚路558弄"),
    DemoCase("违规张贴小广告", "小区周边电线杆上贴满小广告。", "city-appearance", LI, 0),
    DemoCase("被拖欠三个月工资", "在某装修公司工作，被拖欠三个月工资共计两万元。", "wage-arrears", SON, 9),
    DemoCase("老人助餐点开设申请", "希望在方松街道增设一个老年助餐点。", "elderly-services", WANG, 11),
    DemoCase("物业不履行维修义务", "房屋漏水多次报修，物业拖延不修。", "property", LI, 7),
    DemoCase("社区医院预约挂号困难", "社区卫生服务中心电话预约一直打不通。", "health", WANG, 2),
    DemoCase("随迁子女入学材料咨询", "孩子明年上小学，随迁子女入学需要哪些材料？", "schools", SON, 1),
    DemoCase("申领老年综合津贴", "本人年满七十周岁，申请老年综合津贴。", "elderly-allowance", WANG, 4),
    DemoCase("申领灵活就业社保补贴", "申请灵活就业人员社会保险费补贴。", "employment-subsidy", SON, 6),
    # --- 区数据局 (sjj): worked by the demo department system through the API (examples/) ----
    DemoCase("申请开放公交站点客流数据", "高校课题组研究本区通勤，希望获取公交站点的月度客流统计数据。",
             "data-requests", SON, 1),
    DemoCase("政务服务网上的户籍地址有误", "在区政务服务网查询到的本人户籍地址门牌号有误，请更正。",
             "data-requests", SON, 3),
]

ANNOUNCEMENTS = [
    ("关于做好2026年春节期间12345热线工单办理工作的通知",
     "春节假期期间，各部门须安排专人值守，工单签收时限不变，答复时限按工作日顺延。"),
    ("政务协同门户上线试运行",
     "政务协同门户已上线试运行，请各部门及时签收、办理本部门工单，如遇问题请联系区行政服务中心。"),
]


def seed_categories(session: Session) -> dict[str, CaseCategory]:
    departments = {d.code: d for d in session.scalars(select(Department))}
    existing = {c.code: c for c in session.scalars(select(CaseCategory))}
    for code, name_zh, name_en, kind, dept, accept, reply, rectify in CATEGORIES:
        category = existing.get(code)
        if category is None:
            category = existing[code] = CaseCategory(code=code)
            session.add(category)
        category.name_zh, category.name_en, category.kind = name_zh, name_en, kind
        category.department = departments[dept]
        category.accept_days, category.reply_days, category.rectify_days = accept, reply, rectify
        category.active = True
    session.flush()
    return existing


def _enterprise_of(session: Session, account: Account) -> int | None:
    """The enterprise a demo person acts for, once the enterprise end has seeded one."""
    return session.scalar(
        select(Membership.enterprise_id)
        .where(Membership.account_id == account.id, Membership.status == MembershipStatus.ACTIVE)
        .limit(1)
    )


def _file(session: Session, spec: DemoCase, ctx: dict) -> Case | None:
    category = ctx["categories"][spec.category]
    sender = ctx["people"][spec.sender]
    kind = spec.kind or category.kind or CaseKind.REQUEST
    enterprise_id = _enterprise_of(session, sender) if category.kind in (A, None) else None
    if category.kind is None and enterprise_id is not None:
        kind = A  # an enterprise's enquiry is its appeal
    if kind == A and enterprise_id is None:
        if category.kind == A:
            return None  # no demo enterprise yet: filed on a later run
        kind = R
    submitted = min(_working_hours(ctx["now"] - timedelta(days=spec.days_ago)), ctx["now"] - timedelta(hours=2))
    case = submit_case(
        session, sender, kind=kind, category=category, title=spec.title, body=spec.body,
        enterprise_id=enterprise_id, location_text=spec.place, now=submitted, calendar=ctx["calendar"],
    )
    for step in spec.steps:
        when = min(submitted + timedelta(hours=step.hours), ctx["now"] - timedelta(minutes=5))
        _act(session, case, step, when, ctx)
    return case


def _act(session: Session, case: Case, step: Step, when: datetime, ctx: dict) -> None:
    people, details = ctx["people"], dict(step.details)
    actor = case.sender if step.by == "sender" else people[step.by]
    if "department" in details:
        details["department"] = ctx["departments"][details["department"]]
    if "due_days" in details:
        details["due"] = add_working_days(case.reply_due, details.pop("due_days"), ctx["calendar"])
    if step.action == "merge":
        details["duplicate_of"] = ctx["filed"][ctx["spec"].duplicate_of]
    transition(session, case, step.action, actor, now=when, calendar=ctx["calendar"], **details)


def _working_hours(moment: datetime) -> datetime:
    """10:00 in the district on that day, so demo events read like office hours."""
    day = local_date(moment)
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=moment.tzinfo)


def seed_cases(session: Session, now: datetime | None = None) -> int:
    """Load the calendar, the categories and the demo cases. Returns how many cases were new."""
    load_calendar_years(session)
    categories = seed_categories(session)
    calendar: WorkCalendar = work_calendar(session)
    logins = {"officer.jw", "lead.jw", "officer.fs", "lead.fs", "admin"}
    people = {a.login_name: a for a in session.scalars(select(Account).where(Account.username.in_(logins)))}
    people.update({a.mobile: a for a in session.scalars(select(Account).where(Account.mobile.is_not(None)))})
    if not logins <= set(people):
        return 0  # the demo accounts are seeded first
    ctx = {
        "now": now or utcnow(),
        "calendar": calendar,
        "categories": categories,
        "people": people,
        "departments": {d.code: d for d in session.scalars(select(Department))},
        "filed": {},
    }
    senders = {people[spec.sender].id for spec in CASES if spec.sender in people}
    existing = dict(session.execute(select(Case.title, Case).where(Case.sender_id.in_(senders))).all())
    created = 0
    for spec in CASES:
        if spec.sender not in people:
            continue
        if spec.title in existing:
            ctx["filed"][spec.title] = existing[spec.title]
            continue
        ctx["spec"] = spec
        try:
            case = _file(session, spec, ctx)
        except CaseError:  # e.g. a demo step no longer allowed after a change to the rules
            continue
        if case is not None:
            ctx["filed"][spec.title] = case
            created += 1
    seed_announcements(session, people["admin"], ctx["now"])
    session.flush()
    return created


def seed_announcements(session: Session, admin: Account, now: datetime) -> int:
    titles = set(session.scalars(select(Announcement.title)))
    created = 0
    for days_ago, (title, body) in enumerate(ANNOUNCEMENTS):
        if title not in titles:
            session.add(
                Announcement(title=title, body=body, published_by_id=admin.id,
                             published_at=now - timedelta(days=3 * (len(ANNOUNCEMENTS) - days_ago)))
            )
            created += 1
    return created
