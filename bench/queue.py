"""The work queue's first page against its 500th, over 1,000,000 cases: keyset pages cost the same.

    .venv/bin/python -m bench.queue [--count 1000000] [--page 500] [--repeat 15] [--explain]

Builds the case tables in a scratch SQLite file and, when DATABASE_URL names a PostgreSQL
database, in a scratch schema there too (dropped afterwards; nothing else is touched). Fills them
with synthetic cases by bulk inserts (bench/scale.py, shared with the other benchmarks): 31
departments, the officer's one (区经济委员会) owning about an eighth and assisting on 1% of the
others', every state, submitted over two years. Then times,
for an officer of that department, the desk's default queue (every case still being worked on,
through the same scope, filters and keyset pagination the page uses):

  * page 1;
  * page N (default 500), reached by following the cursor from page to page as the "next page"
    link does, then timed with that cursor;
  * for comparison only, page N by OFFSET, which the queue does not use: it reads and discards
    every earlier row, so it grows with N.

Each figure is the median of --repeat runs after a warm-up. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import uuid
from datetime import UTC, date, datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload

from bench.scale import CaseMix, analyze, insert_cases, scratch_databases
from gov.services import ACTIVE_STATES, queue_query
from portal.cases import keyset_page
from portal.cases.access import decode_cursor
from portal.demo.departments import DEPARTMENTS
from portal.extensions import db
from portal.models import (
    Account,
    Case,
    CaseAssist,
    CaseCategory,
    Department,
    StaffPosition,
    StaffRole,
)

TABLES = [
    Department.__table__,
    Account.__table__,
    StaffPosition.__table__,
    CaseCategory.__table__,
    Case.__table__,
    CaseAssist.__table__,
]
OFFICER_DEPARTMENT = "jjw"
SMALL_DEPARTMENT = "kw"  # one of the 30 others sharing the rest: under 3% of the cases
PAGE_SIZE = 25
SENDERS = 2000
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
TODAY = date(2027, 1, 4)


def _setup(session: Session) -> tuple[dict[str, int], CaseMix]:
    """Departments, one category each, the senders and the officers. Returns the officers' ids
    by department code, and who owns, handles and sends the cases."""
    for code, kind, name_zh, name_en, *_ in DEPARTMENTS:
        session.add(Department(code=code, kind=kind, name_zh=name_zh, name_en=name_en))
    session.flush()
    departments = {d.code: d.id for d in session.scalars(select(Department))}
    categories = {}
    for code, dept_id in departments.items():
        category = CaseCategory(code=f"bench-{code}", name_zh=code, name_en=code, department_id=dept_id,
                                accept_days=1, reply_days=10, rectify_days=15, active=True)
        session.add(category)
        session.flush()
        categories[dept_id] = [category.id]
    session.execute(insert(Account), [
        {"public_id": uuid.uuid4().hex, "mobile": f"139{n:08d}", "display_name": f"居民{n}", "password_hash": "!",
         "session_version": 1, "is_active": True, "password_changed_at": EPOCH, "created_at": EPOCH}
        for n in range(SENDERS)
    ])
    unusable = "!"  # no password: nobody signs in to a benchmark
    officer = Account(username="bench.officer", display_name="科员", password_hash=unusable)
    colleague = Account(username="bench.colleague", display_name="同事", password_hash=unusable)
    small = Account(username="bench.small", display_name="科员", password_hash=unusable)
    session.add_all([officer, colleague, small])
    session.flush()
    for person, code in ((officer, OFFICER_DEPARTMENT), (colleague, OFFICER_DEPARTMENT), (small, SMALL_DEPARTMENT)):
        session.add(StaffPosition(account_id=person.id, department_id=departments[code], role=StaffRole.OFFICER))
    session.flush()
    senders = list(session.scalars(select(Account.id).where(Account.mobile.is_not(None))))
    own = departments[OFFICER_DEPARTMENT]
    mix = CaseMix(
        own_department=own, other_departments=[d for code, d in departments.items() if code != OFFICER_DEPARTMENT],
        categories=categories, staff=[officer.id, colleague.id], senders=senders,
        start=EPOCH,
    )
    return {OFFICER_DEPARTMENT: officer.id, SMALL_DEPARTMENT: small.id}, mix


def _fill(session: Session, count: int) -> dict[str, int]:
    officers, mix = _setup(session)
    insert_cases(session.connection(), count, mix, random.Random(500))  # noqa: S311 - reproducible synthetic data
    session.commit()
    analyze(session.connection())
    session.commit()
    return officers


def _explain(session: Session, query, dialect: str) -> str:
    compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
    rows = session.connection().exec_driver_sql(prefix + str(compiled)).fetchall()
    return "\n".join("    " + " ".join(str(c) for c in row[-1:]) for row in rows)


def _alternating(repeat: int, *works) -> list[float]:
    """Median time of each piece of work, run in turn so that drift (caches, other load) hits all alike."""
    for work in works:
        work()  # warm-up: caches, statement compilation
    times: list[list[float]] = [[] for _ in works]
    for _ in range(repeat):
        for spent, work in zip(times, works, strict=True):
            start = time.perf_counter()
            work()
            spent.append(time.perf_counter() - start)
    return [statistics.median(spent) for spent in times]


def _queue_figures(session: Session, officer: Account, page: int, repeat: int, explain: str | None) -> dict:
    query = queue_query(officer, {"state": "open"}, TODAY)
    in_queue = session.scalar(query.with_only_columns(db.func.count()).order_by(None))
    cursor = None
    walk_started = time.perf_counter()
    for _ in range(page - 1):
        cursor = keyset_page(session, query, after=cursor, limit=PAGE_SIZE).next_cursor
    walked = time.perf_counter() - walk_started
    if cursor is None:
        raise SystemExit(f"the queue has fewer than {page} pages: use more cases or a lower --page")
    ordered = query.order_by(Case.submitted_at, Case.id)
    by_cursor = keyset_page(session, query, after=cursor, limit=PAGE_SIZE).items
    by_offset = session.scalars(ordered.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    if [c.id for c in by_cursor] != [c.id for c in by_offset]:
        raise SystemExit(f"page {page} by cursor and by OFFSET differ")
    first, later = _alternating(
        repeat,
        lambda: keyset_page(session, query, limit=PAGE_SIZE),
        lambda: keyset_page(session, query, after=cursor, limit=PAGE_SIZE),
    )
    [offset] = _alternating(max(3, repeat // 3),
                            lambda: session.scalars(ordered.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all())
    if explain:
        moment, ident = decode_cursor(cursor)  # the query keyset_page runs, rebuilt for EXPLAIN
        paged = query.where(Case.submitted_at >= moment, (Case.submitted_at > moment) | (Case.id > ident))
        print(f"\n{explain} plan of page {page}:")
        print(_explain(session, paged.order_by(Case.submitted_at, Case.id).limit(PAGE_SIZE + 1),
                       session.get_bind().dialect.name))
    return {"in_queue": in_queue, "walked": walked, "first": first, "later": later, "offset": offset}


def run(engine, label: str, count: int, page: int, repeat: int, explain: bool) -> None:
    with Session(engine) as session:
        started = time.perf_counter()
        officers = _fill(session, count)
        filled = time.perf_counter() - started
        results = {}
        for code, officer_id in officers.items():
            officer = session.scalar(
                select(Account).options(selectinload(Account.staff_positions)).where(Account.id == officer_id)
            )
            results[code] = _queue_figures(session, officer, page, repeat, f"{label}, {code}" if explain else None)
        session.rollback()

    states = ", ".join(s.value for s in ACTIVE_STATES)
    print(f"\n{label}: {count:,} cases (filled in {filled:.1f} s); the default queue ({states}), "
          f"{PAGE_SIZE} a page")
    for code, r in results.items():
        print(f"  officer of {code}: {r['in_queue']:,} cases in the queue "
              f"(walking pages 1 to {page} by their cursors took {r['walked']:.2f} s in all)")
        lines = [
            ("page 1 (keyset)", r["first"]),
            (f"page {page} (keyset, cursor from the next-page link)", r["later"]),
            (f"for comparison, page {page} by OFFSET", r["offset"]),
        ]
        for text_, seconds in lines:
            print(f"    {text_:<52} {seconds * 1000:8.2f} ms   ratio to page 1 {seconds / r['first']:6.2f}")
        print(f"    page {page} / page 1 = {r['later'] / r['first']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--page", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--explain", action="store_true", help="print the database's plan for page N")
    args = parser.parse_args()
    print(f"The work queue of an officer of {OFFICER_DEPARTMENT}: page 1 against page {args.page}; "
          f"median of {args.repeat}")

    for label, engine in scratch_databases("queue", TABLES):
        run(engine, label, args.count, args.page, args.repeat, args.explain)

if __name__ == "__main__":
    main()
