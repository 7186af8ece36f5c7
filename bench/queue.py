"""The work queue's first page against its 500th, over 1,000,000 cases: keyset pages cost the same.

    .venv/bin/python -m bench.queue [--count 1000000] [--page 500] [--repeat 15] [--explain]

Builds the case tables in a scratch SQLite file and, when DATABASE_URL names a PostgreSQL
database, in a scratch schema there too (dropped afterwards; nothing else is touched). Fills them
with synthetic cases by bulk inserts: 31 departments, the officer's one (区经济委员会) owning about
an eighth and assisting on 1% of the others', every state, submitted over two years. Then times,
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
import os
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.orm import Session, selectinload

from gov.services import ACTIVE_STATES, queue_query
from portal.cases import keyset_page
from portal.cases.access import decode_cursor
from portal.config import normalise_database_url
from portal.demo.departments import DEPARTMENTS
from portal.extensions import db
from portal.models import (
    Account,
    Case,
    CaseAssist,
    CaseCategory,
    CaseKind,
    CaseState,
    Department,
    Priority,
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
OWN_SHARE = 0.12  # of all cases, owned by the officer's department
SMALL_DEPARTMENT = "kw"  # one of the 30 others sharing the rest: under 3% of the cases
ASSIST_SHARE = 0.01  # of the other departments' cases, with the officer's department assisting
PAGE_SIZE = 25
SENDERS = 2000
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=730)
TODAY = date(2027, 1, 4)

S = CaseState
STATE_WEIGHTS = [  # about 45% still being worked on
    (S.SUBMITTED, 10), (S.ACCEPTED, 10), (S.IN_PROGRESS, 14), (S.RETURNED_FOR_INFO, 3), (S.TRANSFERRING, 2),
    (S.DISPUTED, 1), (S.REOPENED, 1), (S.REPLIED, 4), (S.CLOSED, 45), (S.REJECTED, 5), (S.MERGED, 5),
]
KINDS = [CaseKind.REQUEST] * 7 + [CaseKind.APPLICATION] * 2 + [CaseKind.APPEAL]


def _setup(session: Session) -> tuple[int, dict[str, int], dict[int, int], list[int]]:
    """Departments, one category each, the senders and the officer. Returns ids."""
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
        categories[dept_id] = category.id
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
    officers = {OFFICER_DEPARTMENT: officer.id, SMALL_DEPARTMENT: small.id}
    return officers, departments, categories, [officer.id, colleague.id, *senders]


CASE_COLUMNS = (
    "id", "public_id", "reference", "kind", "state", "priority", "sender_id", "category_id", "department_id",
    "pending_department_id", "resume_state", "assigned_officer_id", "title", "body", "submitted_at", "updated_at",
    "accepted_at", "closed_at", "accept_due_start", "accept_due_days", "accept_due", "reply_due_start",
    "reply_due_days", "reply_due", "due_estimated", "escalation_level", "extension_count", "reopened_count",
    "version",
)
ASSIST_COLUMNS = ("case_id", "department_id", "invited_at")


def _cases(count: int, departments: dict[str, int], categories: dict[int, int], people: list[int],
           rng: random.Random, as_text: bool):
    """Rows (tuples in CASE_COLUMNS order) for the case table, and the assists, in chunks.

    `as_text`: values as SQLAlchemy's SQLite types store them (naive UTC text, ISO dates, 0/1),
    since the rows go straight to the driver."""
    own = departments[OFFICER_DEPARTMENT]
    others = [d for code, d in departments.items() if code != OFFICER_DEPARTMENT]
    staff, senders = people[:2], people[2:]
    states = [s.value for s, w in STATE_WEIGHTS for _ in range(w)]
    paused = {S.TRANSFERRING.value, S.DISPUTED.value, S.RETURNED_FOR_INFO.value}
    unaccepted = {S.SUBMITTED.value, S.REJECTED.value, S.MERGED.value}
    kinds = [k.value for k in KINDS]
    step = SPAN / count
    moment = (lambda t: t.replace(tzinfo=None).isoformat(" ", "microseconds")) if as_text else (lambda t: t)
    calendar_day = (lambda d: d.isoformat()) if as_text else (lambda d: d)
    false = 0 if as_text else False
    chunk, assists = [], []
    for n in range(1, count + 1):
        dept = own if rng.random() < OWN_SHARE else rng.choice(others)
        state = rng.choice(states)
        at = EPOCH + step * n
        submitted, day = moment(at), at.date()
        accepted = state not in unaccepted
        chunk.append((
            n, f"{rng.getrandbits(128):032x}", f"BQ-{day.year}-{n:07d}", rng.choice(kinds), state,
            Priority.NORMAL.value, rng.choice(senders), categories[dept], dept,
            rng.choice(others) if state == S.TRANSFERRING.value else None,
            S.ACCEPTED.value if state in paused else None,
            rng.choice(staff) if accepted and dept == own else None,
            f"诉求 {n}", "合成数据", submitted, submitted,
            moment(at + timedelta(hours=3)) if accepted else None,
            moment(at + timedelta(days=9)) if state == S.CLOSED.value else None,
            calendar_day(day), 1, calendar_day(day + timedelta(days=1)), calendar_day(day), 10,
            calendar_day(day + timedelta(days=14)), false, 0, 0, 0, 1,
        ))
        if dept != own and rng.random() < ASSIST_SHARE:
            assists.append((n, own, submitted))
        if len(chunk) == 50_000:
            yield chunk, assists
            chunk, assists = [], []
    if chunk:
        yield chunk, assists


def _bulk_insert(session: Session, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Straight to the driver: executemany on SQLite, COPY on PostgreSQL."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    connection.exec_driver_sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def _fill(session: Session, count: int) -> dict[str, int]:
    officers, departments, categories, people = _setup(session)
    rng = random.Random(500)  # noqa: S311 - reproducible synthetic data
    as_text = session.get_bind().dialect.name == "sqlite"
    for chunk, assists in _cases(count, departments, categories, people, rng, as_text):
        _bulk_insert(session, "case_file", CASE_COLUMNS, chunk)
        if assists:
            _bulk_insert(session, "case_assist", ASSIST_COLUMNS, assists)
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT setval(pg_get_serial_sequence('case_file', 'id'), :n)"), {"n": count})
    session.execute(text("ANALYZE"))
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

    with tempfile.TemporaryDirectory() as scratch:
        engine = create_engine(f"sqlite:///{Path(scratch) / 'bench.sqlite3'}")
        db.metadata.create_all(engine, tables=TABLES)
        version = engine.dialect.dbapi.sqlite_version
        run(engine, f"SQLite {version}", args.count, args.page, args.repeat, args.explain)
        engine.dispose()

    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql")):
        schema = f"bench_queue_{os.getpid()}"
        admin = create_engine(normalise_database_url(url))
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            engine = create_engine(normalise_database_url(url), connect_args={"options": f"-csearch_path={schema}"})
            db.metadata.create_all(engine, tables=TABLES)
            with engine.connect() as connection:
                version = connection.execute(text("SHOW server_version")).scalar()
            run(engine, f"PostgreSQL {version}", args.count, args.page, args.repeat, args.explain)
            engine.dispose()
        finally:
            with admin.begin() as connection:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()


if __name__ == "__main__":
    main()
