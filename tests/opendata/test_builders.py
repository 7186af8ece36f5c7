"""The builders: the figures they publish, and what they withhold."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Department, Enterprise, Policy, PolicyStatus, ServiceGuide
from portal.models.base import utcnow
from portal.opendata import DATASETS, find
from portal.opendata.publishing import published_rows
from portal.opendata.suppression import THRESHOLD, recoverable, small
from tests.opendata.conftest import AFTER_MARCH

COUNT_FIELDS = {"received", "closed", "ratings", "enterprises"}


def build(slug, now=AFTER_MARCH):
    dataset = find(slug)
    built = dataset.build(db.session, now)
    return built, published_rows(dataset, built.rows)  # raises unless the rows carry exactly the declared fields


def by_department(rows, month="2024-03"):
    return {row["department_code"]: row for row in rows if row["month"] == month}


def test_department_figures_publish_what_is_safe_and_withhold_the_rest(app_context, small_district):
    built, rows = build("cases-by-department")
    march = by_department(rows)
    fgw, yljd, fsjd = march["fgw"], march["yljd"], march["fsjd"]
    assert (fgw["received"], fgw["closed"], fgw["on_time_percent"]) == (8, 6, 100.0)
    assert fgw["average_handling_working_days"] == 0.0  # each answered the day it came
    assert fgw["withheld"] is None
    # 6 of 7 closed on time: the one late case would be singled out, so the rate is withheld.
    assert (yljd["received"], yljd["closed"], yljd["on_time_percent"]) == (7, 7, None)
    assert yljd["average_handling_working_days"] == round(13 / 7, 1)  # 13 working days from 1 to 20 March
    assert yljd["withheld"] == "on_time_percent"
    # No cases at all: zero is a count under 5 too.
    assert fsjd["received"] is None
    assert fsjd["withheld"] == "received;closed;on_time_percent;average_handling_working_days"
    assert [row["month"] for row in rows if row["department_code"] == "fgw"] == ["2024-03", "2024-04"]
    assert built.temporal[0].isoformat() == "2024-03-01" and built.temporal[1].isoformat() == "2024-04-02"


def test_a_small_count_takes_the_next_smallest_with_it(app_context, small_district):
    _, rows = build("satisfaction-by-department")
    march = by_department(rows)
    # yljd had 2 ratings: withheld. The month's 8 ratings could be known elsewhere, so fgw's 6
    # would give the 2 away: withheld as well, and so is its rate.
    assert march["yljd"]["ratings"] is None and march["fgw"]["ratings"] is None
    assert march["fgw"]["withheld"] == "ratings;satisfied_percent"
    assert all(row["ratings"] is None for row in rows)


def test_cases_by_category_and_town(app_context, small_district):
    built, rows = build("cases-by-category-and-town")
    # March: od-fgw has 6 cases concerning 方松街道 (the sender's home area) and 2 concerning no
    # town; od-yljd 7 in 岳阳街道. The 2 are withheld; with the category's total (8) known the 6
    # would give them away, so they go too; and with 方松街道's total (6) and the category's,
    # publishing the 7 would still pin the 2 down (every other cell then follows), so it goes too.
    assert rows == []
    assert built.withheld_cells == 3


def test_cases_by_category_and_town_publish_safe_counts_with_their_names(app_context, small_district):
    from portal.cases import submit_case, work_calendar
    from portal.models import Account, CaseCategory, ResidentHomeArea
    from tests.opendata.conftest import at

    # Five more od-fgw cases from a resident of 岳阳街道. The 2 concerning no town are withheld; the 5
    # next to them in the category's row goes too, and since 岳阳街道's total (12) would then give
    # the 5 (and so the 2) away, its other cell, the 7, goes as well. The 6 stays published.
    session = db.session
    category = session.get(CaseCategory, small_district.categories["od-fgw"])
    neighbour = Account(mobile="13900000003", display_name="居民丙", password_hash="!")
    session.add(neighbour)
    session.flush()
    session.add(ResidentHomeArea(account_id=neighbour.id, department_id=small_district.departments["yljd"]))
    for day in range(18, 23):
        submit_case(session, neighbour, kind="request", category=category, title=f"more {day}", body="b",
                    now=at(f"2024-03-{day}"), calendar=work_calendar(session))
    session.commit()
    built, rows = build("cases-by-category-and-town")
    assert [(r["month"], r["category_code"], r["category_en"], r["town_code"], r["town_zh"], r["town_en"],
             r["received"]) for r in rows] == [
        ("2024-03", "od-fgw", "Category fgw", "fsjd", "方松街道", "Fangsong Sub-district", 6)
    ]
    assert built.withheld_cells == 3


def test_statistics_never_publish_a_count_under_five(app_context, small_district):
    for dataset in DATASETS:
        if not dataset.anonymised:
            continue
        _, rows = build(dataset.slug)
        for row in rows:
            for name in COUNT_FIELDS & set(row):
                assert row[name] is None or row[name] >= THRESHOLD, (dataset.slug, row)


def test_every_dataset_builds_on_the_demo_district(app, seeded):
    with app.app_context():
        for dataset in DATASETS:
            built, rows = build(dataset.slug, now=utcnow())
            # Statistics may withhold everything of a small demo month; reference data never is empty.
            assert rows or dataset.anonymised, dataset.slug
            for row in rows:
                for name in COUNT_FIELDS & set(row):
                    assert row[name] is None or row[name] >= THRESHOLD, (dataset.slug, row)

        _, services = build("service-catalogue")
        active = db.session.scalar(select(func.count()).select_from(ServiceGuide).where(ServiceGuide.active.is_(True)))
        assert len(services) == active >= 30
        assert all(row["name_zh"] and row["department_code"] for row in services)

        _, policies = build("enterprise-policies")
        shown = {row["id"] for row in policies}
        assert shown == set(db.session.scalars(select(Policy.public_id).where(Policy.status == PolicyStatus.PUBLISHED)))

        _, departments = build("departments")
        assert {row["code"] for row in departments} == set(db.session.scalars(select(Department.code)))

        _, enterprises = build("enterprises-by-town-and-industry")
        assert sum(row["enterprises"] for row in enterprises) <= db.session.scalar(select(func.count(Enterprise.id)))
        truth = dict(
            db.session.execute(
                select(Department.code, func.count(Enterprise.id))
                .join(Department, Department.id == Enterprise.town_id)
                .where(Enterprise.industry_section == "C")
                .group_by(Department.code)
            ).all()
        )
        for row in enterprises:
            if row["industry_section"] == "C":
                assert row["enterprises"] == truth[row["town_code"]]
        assert len({row["town_code"] for row in enterprises}) >= 10


def test_withheld_department_counts_cannot_be_worked_out_from_a_monthly_total(app, seeded):
    from portal.cases.deadlines import local_date
    from portal.cases.statistics import department_figures
    from portal.opendata.builders import month_bounds

    with app.app_context():
        now = utcnow()
        _, rows = build("cases-by-department", now=now)
        for month in sorted({row["month"] for row in rows}):
            ids = {d.code: d.id for d in db.session.scalars(select(Department))}
            figures = department_figures(db.session, *month_bounds(month), local_date(now), list(ids.values()))
            values = {code: figures[ident].received for code, ident in ids.items()}
            withheld = {row["department_code"] for row in rows if row["month"] == month and row["received"] is None}
            for row in rows:
                if row["month"] == month and row["received"] is not None:
                    assert row["received"] == values[row["department_code"]]
            assert small(values, recoverable(values, withheld, lambda _code: (None, "month"))) == set()


def test_the_domain_modules_import_no_flask():
    """The builders, the rules and the metadata are plain Python: a job or a script can use them."""
    import ast
    from pathlib import Path

    import portal.opendata

    package = Path(portal.opendata.__file__).parent
    for name in ("builders", "catalogue", "datasets", "dcat", "publishing", "spec", "suppression", "__init__"):
        tree = ast.parse((package / f"{name}.py").read_text())
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        assert not {m for m in imported if m.split(".")[0].startswith("flask")}, name
