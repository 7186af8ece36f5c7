"""The builders: each reads the database and returns a dataset's rows, already anonymised.

Plain SQLAlchemy, no Flask. Statistics count in the district's time (UTC+8) by calendar month,
the current month to date included; every count and figure passes through `portal.opendata.
suppression` before it leaves here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased, selectinload

from portal.cases.deadlines import local_date
from portal.cases.statistics import department_figures, local_month
from portal.models import (
    CalendarDay,
    Case,
    CaseCategory,
    Department,
    DepartmentKind,
    Enterprise,
    Policy,
    PolicyStatus,
    ResidentHomeArea,
    ServiceGuide,
)
from portal.opendata.spec import Built
from portal.opendata.suppression import average_publishable, protect, share_publishable

TOWN_KINDS = (DepartmentKind.SUBDISTRICT, DepartmentKind.TOWN)

# A case that belongs to no sub-district or town: handled by a bureau for someone whose home area
# is not known.
DISTRICT_WIDE = ("district", "区级（未落到街镇）", "District-wide (no sub-district or town)")
UNKNOWN_TOWN = ("unknown", "未登记街镇", "Sub-district or town not recorded")
UNKNOWN_SECTION = ("unknown", "未登记行业", "Industry not recorded")

# GB/T 4754-2017 sections (门类), as the national standard names them.
INDUSTRY_SECTIONS = {
    "A": ("农、林、牧、渔业", "Agriculture, forestry, animal husbandry and fishery"),
    "B": ("采矿业", "Mining"),
    "C": ("制造业", "Manufacturing"),
    "D": ("电力、热力、燃气及水生产和供应业", "Electricity, heat, gas and water supply"),
    "E": ("建筑业", "Construction"),
    "F": ("批发和零售业", "Wholesale and retail"),
    "G": ("交通运输、仓储和邮政业", "Transport, storage and post"),
    "H": ("住宿和餐饮业", "Accommodation and catering"),
    "I": ("信息传输、软件和信息技术服务业", "Information transmission, software and information technology services"),
    "J": ("金融业", "Finance"),
    "K": ("房地产业", "Real estate"),
    "L": ("租赁和商务服务业", "Leasing and business services"),
    "M": ("科学研究和技术服务业", "Scientific research and technical services"),
    "N": ("水利、环境和公共设施管理业", "Water conservancy, environment and public facilities management"),
    "O": ("居民服务、修理和其他服务业", "Resident, repair and other services"),
    "P": ("教育", "Education"),
    "Q": ("卫生和社会工作", "Health and social work"),
    "R": ("文化、体育和娱乐业", "Culture, sports and entertainment"),
    "S": ("公共管理、社会保障和社会组织", "Public administration, social security and social organisations"),
    "T": ("国际组织", "International organisations"),
}

# The holiday names the chinesecalendar package gives, in Chinese.
HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def month_label(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_bounds(label: str) -> tuple[date, date]:
    year, month = map(int, label.split("-"))
    start = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return start, following - timedelta(days=1)


def months_of_cases(session: Session, now: datetime) -> list[str]:
    """Every month from the first case received to the current one (district time)."""
    first = session.scalar(select(func.min(Case.submitted_at)))
    if first is None:
        return []
    day, last = local_date(first).replace(day=1), local_date(now).replace(day=1)
    months = []
    while day <= last:
        months.append(month_label(day))
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def _coverage(months: list[str], now: datetime) -> tuple[date, date] | None:
    if not months:
        return None
    return month_bounds(months[0])[0], min(month_bounds(months[-1])[1], local_date(now))


# --- small helpers --------------------------------------------------------------------------------


def _joined(items: Iterable[str | None]) -> str:
    return "; ".join(item for item in items if item)


def _department_columns(department: Department | None) -> dict[str, Any]:
    if department is None:
        return {"department_code": None, "department_zh": None, "department_en": None}
    return {
        "department_code": department.code,
        "department_zh": department.name_zh,
        "department_en": department.name_en,
    }


def _rate(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1)


class _Withholding:
    """Marks cells of a row as withheld: the value becomes None and the field is named in the
    row's `withheld` column."""

    def __init__(self) -> None:
        self.cells = 0

    def __call__(self, row: dict[str, Any], name: str) -> None:
        row[name] = None
        row["withheld"] = ";".join(filter(None, [row.get("withheld"), name]))
        self.cells += 1


# --- reference data -------------------------------------------------------------------------------


def build_service_catalogue(session: Session, now: datetime) -> Built:
    services = session.scalars(
        select(ServiceGuide)
        .where(ServiceGuide.active.is_(True))
        .options(selectinload(ServiceGuide.department), selectinload(ServiceGuide.life_events))
        .order_by(ServiceGuide.code)
    )
    rows = [
        {
            "code": s.code,
            "name_zh": s.name_zh,
            "name_en": s.name_en,
            "summary_zh": s.summary_zh,
            "summary_en": s.summary_en,
            **_department_columns(s.department),
            "audience": s.audience.value,
            "life_events": _joined(e.code for e in s.life_events),
            "time_limit_working_days": s.time_limit_days,
            "online": s.online,
            "in_person": s.in_person,
            "fee_zh": s.fee_zh,
            "fee_en": s.fee_en,
            "materials_zh": _joined(m.get("zh") for m in s.materials or []),
            "materials_en": _joined(m.get("en") for m in s.materials or []),
            "where_zh": s.where_zh,
            "where_en": s.where_en,
            "updated_on": local_date(s.updated_at) if s.updated_at else None,
        }
        for s in services
    ]
    return Built(rows)


def build_policies(session: Session, now: datetime) -> Built:
    policies = session.scalars(
        select(Policy)
        .where(Policy.status == PolicyStatus.PUBLISHED)
        .options(selectinload(Policy.department))
        .order_by(Policy.published_at.desc(), Policy.id)
    )
    rows = [
        {
            "id": p.public_id,
            "document_number": p.document_number,
            "title_zh": p.title_zh,
            "title_en": p.title_en,
            **_department_columns(p.department),
            "topic": p.topic.value,
            "application_method": p.application_method.value,
            "valid_from": p.valid_from,
            "valid_until": p.valid_until,
            "published_on": local_date(p.published_at) if p.published_at else None,
            "summary_zh": p.summary_zh,
            "summary_en": p.summary_en,
            "beneficiaries_zh": p.beneficiaries_zh,
            "beneficiaries_en": p.beneficiaries_en,
            "benefit_zh": p.benefit_zh,
            "benefit_en": p.benefit_en,
            "payment_time_limit_zh": p.payment_time_limit_zh,
            "payment_time_limit_en": p.payment_time_limit_en,
        }
        for p in policies
    ]
    return Built(rows)


def _departments(session: Session) -> list[Department]:
    return list(session.scalars(select(Department).order_by(Department.kind, Department.code)))


def build_departments(session: Session, now: datetime) -> Built:
    rows = [
        {
            "code": d.code,
            "kind": d.kind.value,
            "name_zh": d.name_zh,
            "name_en": d.name_en,
            "phone": d.phone,
            "address_zh": d.address_zh,
            "address_en": d.address_en,
        }
        for d in _departments(session)
    ]
    return Built(rows)


def build_case_categories(session: Session, now: datetime) -> Built:
    categories = session.scalars(
        select(CaseCategory)
        .where(CaseCategory.active.is_(True))
        .options(selectinload(CaseCategory.department))
        .order_by(CaseCategory.code)
    )
    rows = [
        {
            "code": c.code,
            "name_zh": c.name_zh,
            "name_en": c.name_en,
            "case_kind": c.kind.value if c.kind else None,
            **_department_columns(c.department),
            "accept_working_days": c.accept_days,
            "reply_working_days": c.reply_days,
            "rectify_working_days": c.rectify_days,
        }
        for c in categories
    ]
    return Built(rows)


def build_working_calendar(session: Session, now: datetime) -> Built:
    days = list(session.scalars(select(CalendarDay).order_by(CalendarDay.day)))
    rows = [
        {
            "date": d.day,
            "kind": d.kind.value,
            "name_zh": HOLIDAY_NAMES_ZH.get(d.name or "", d.name),
            "name_en": d.name,
        }
        for d in days
    ]
    temporal = (date(days[0].year, 1, 1), date(days[-1].year, 12, 31)) if days else None
    return Built(rows, temporal)


# --- statistics -----------------------------------------------------------------------------------


def _cross_table(
    counts: dict[tuple, int], universe: Iterable[tuple], groups: Callable[[tuple], tuple[Hashable, Hashable]]
) -> tuple[list[tuple], int]:
    """Protect a table given as counts over a fixed universe of keys (missing keys count 0).

    Returns the keys whose count is published, in order, and how many cells with cases were
    withheld. Keys with no cases are part of the table a reader reasons about, but never listed.
    """
    values = {key: counts.get(key, 0) for key in universe}
    values.update(counts)  # a key outside the universe (a category since removed...) still counts
    withheld = protect(values, groups)
    published = [key for key in values if key not in withheld]
    return published, sum(1 for key in withheld if values[key] > 0)


def build_cases_by_category_and_town(session: Session, now: datetime) -> Built:
    """Cases received per month, category and the sub-district or town they concern: the owning
    department when it is one, else the enterprise's registered town for an appeal, else the
    sender's home area, else district-wide."""
    months = months_of_cases(session, now)
    owner = aliased(Department)
    town = case(
        (owner.kind.in_(TOWN_KINDS), owner.id),
        else_=func.coalesce(Enterprise.town_id, ResidentHomeArea.department_id),
    )
    query = (
        select(local_month(Case.submitted_at), Case.category_id, town, func.count())
        .join(owner, owner.id == Case.department_id)
        .outerjoin(Enterprise, Enterprise.id == Case.sender_enterprise_id)
        .outerjoin(ResidentHomeArea, ResidentHomeArea.account_id == Case.sender_id)
        .group_by(local_month(Case.submitted_at), Case.category_id, town)
    )
    counts: dict[tuple, int] = defaultdict(int)
    for month, category_id, town_id, count in session.execute(query):
        counts[(month, category_id, town_id)] += count

    categories = {c.id: c for c in session.scalars(select(CaseCategory))}
    towns = {d.id: d for d in session.scalars(select(Department).where(Department.kind.in_(TOWN_KINDS)))}
    active = [c.id for c in categories.values() if c.active]
    universe = [(m, c, t) for m in months for c in active for t in [*towns, None]]
    published, withheld = _cross_table(counts, universe, lambda k: (("category", k[0], k[1]), ("town", k[0], k[2])))

    rows = []
    for month, category_id, town_id in sorted(
        published, key=lambda k: (k[0], categories[k[1]].code, towns[k[2]].code if k[2] in towns else "~")
    ):
        category, place = categories[category_id], towns.get(town_id)
        code, zh, en = (place.code, place.name_zh, place.name_en) if place else DISTRICT_WIDE
        rows.append(
            {
                "month": month,
                "category_code": category.code,
                "category_zh": category.name_zh,
                "category_en": category.name_en,
                "town_code": code,
                "town_zh": zh,
                "town_en": en,
                "received": counts[(month, category_id, town_id)],
            }
        )
    return Built(rows, _coverage(months, now), withheld)


def _monthly_figures(session: Session, now: datetime):
    months = months_of_cases(session, now)
    today = local_date(now)
    departments = _departments(session)
    ids = [d.id for d in departments]
    figures = {month: department_figures(session, *month_bounds(month), today, ids) for month in months}
    return months, departments, figures


def _one_way(values: dict[tuple, int]) -> set[tuple]:
    """Protect one count per (month, department) against each month's total."""
    return protect(values, lambda key: (None, key[0]))


def build_department_statistics(session: Session, now: datetime) -> Built:
    months, departments, figures = _monthly_figures(session, now)
    keys = [(m, d.id) for m in months for d in departments]
    received = {k: figures[k[0]][k[1]].received for k in keys}
    closed = {k: figures[k[0]][k[1]].closed for k in keys}
    withheld_received, withheld_closed = _one_way(received), _one_way(closed)
    withhold = _Withholding()
    rows = []
    for month in months:
        for department in departments:
            key, item = (month, department.id), figures[month][department.id]
            row = {
                "month": month,
                **_department_columns(department),
                "received": item.received,
                "closed": item.closed,
                "on_time_percent": _rate(item.closed_on_time, item.closed) if item.closed else None,
                "average_handling_working_days": (
                    round(item.handling_days_total / item.closed, 1) if item.closed else None
                ),
                "withheld": None,
            }
            if key in withheld_received:
                withhold(row, "received")
            if key in withheld_closed:
                withhold(row, "closed")
            if key in withheld_closed or not share_publishable(item.closed_on_time, item.closed):
                withhold(row, "on_time_percent")
            if key in withheld_closed or not average_publishable(item.closed):
                withhold(row, "average_handling_working_days")
            rows.append(row)
    return Built(rows, _coverage(months, now), withhold.cells)


def build_satisfaction(session: Session, now: datetime) -> Built:
    months, departments, figures = _monthly_figures(session, now)
    keys = [(m, d.id) for m in months for d in departments]
    rated = {k: figures[k[0]][k[1]].rated for k in keys}
    withheld_rated = _one_way(rated)
    withhold = _Withholding()
    rows = []
    for month in months:
        for department in departments:
            key, item = (month, department.id), figures[month][department.id]
            row = {
                "month": month,
                **_department_columns(department),
                "ratings": item.rated,
                "satisfied_percent": _rate(item.satisfied, item.rated) if item.rated else None,
                "withheld": None,
            }
            if key in withheld_rated:
                withhold(row, "ratings")
            if key in withheld_rated or not share_publishable(item.satisfied, item.rated):
                withhold(row, "satisfied_percent")
            rows.append(row)
    return Built(rows, _coverage(months, now), withhold.cells)


def build_enterprises_by_town_and_industry(session: Session, now: datetime) -> Built:
    query = select(Enterprise.town_id, Enterprise.industry_section, func.count()).group_by(
        Enterprise.town_id, Enterprise.industry_section
    )
    counts = {(town_id, section): count for town_id, section, count in session.execute(query)}
    towns = {
        d.id: d
        for d in session.scalars(select(Department).where(Department.kind.in_(TOWN_KINDS)).order_by(Department.code))
    }
    universe = [(t, s) for t in [*towns, None] for s in [*INDUSTRY_SECTIONS, None]]
    published, withheld = _cross_table(counts, universe, lambda k: (("town", k[0]), ("section", k[1])))
    rows = []
    for town_id, section in sorted(
        published, key=lambda k: (towns[k[0]].code if k[0] in towns else "~", k[1] or "~")
    ):
        place = towns.get(town_id)
        town_code, town_zh, town_en = (place.code, place.name_zh, place.name_en) if place else UNKNOWN_TOWN
        section_zh, section_en = INDUSTRY_SECTIONS.get(section or "", UNKNOWN_SECTION[1:])
        rows.append(
            {
                "town_code": town_code,
                "town_zh": town_zh,
                "town_en": town_en,
                "industry_section": section or UNKNOWN_SECTION[0],
                "industry_section_zh": section_zh,
                "industry_section_en": section_en,
                "enterprises": counts[(town_id, section)],
            }
        )
    return Built(rows, None, withheld)
