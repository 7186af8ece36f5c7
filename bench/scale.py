"""Synthetic data at scale, shared by the benchmarks: scratch databases, bulk rows, and the demo
district scaled up to 100,000 residents, 100,000 enterprises and 1,000,000 cases.

    .venv/bin/python -m bench.scale [--rebuild]     # build (or find) the scaled district; prints its URL

The scaled district is the demo seed (portal/demo) plus bulk rows written straight to the driver
(executemany on SQLite, COPY on PostgreSQL). It takes a few minutes to build on two cores, so it
is kept between runs, keyed by SCALE_VERSION and a digest of the schema, the demo seed and this
module: a change to any of them builds a new one (and removes the old). Each run works on a copy,
so that what one run writes (sign-ins, tokens) never leaks into the next.

  * SQLite (default): <cache>/district-<key>.sqlite3, where <cache> is $BENCH_CACHE_DIR or
    <tmp>/portal-bench; a run copies it next to the original.
  * PostgreSQL, when DATABASE_URL names one: a database <name>_bench_<key> beside it, kept as
    the template of each run's <name>_bench_run. The role needs CREATEDB.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import random
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, insert, literal, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.schema import CreateIndex, CreateTable

from portal.config import normalise_database_url
from portal.enterprise_codes import generate_uscc
from portal.identity_numbers import resident_id_check_char
from portal.models import CaseKind, CaseState, Priority
from portal.rules import Certification, EnterpriseType, TaxCreditRating, industry_section_of

SCALE_VERSION = "1"
RESIDENTS = 100_000
ENTERPRISES = 100_000
CASES = 1_000_000
ROOT = Path(__file__).resolve().parent.parent
BENCH_SECRET_KEY = "bench-secret-key-long-enough-to-sign-cookies-0123456789"  # noqa: S105 - loopback only

# --- scratch databases --------------------------------------------------------------------------


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return normalise_database_url(url) if url.startswith(("postgres://", "postgresql")) else None


def scratch_databases(name: str, tables: Sequence) -> Iterator[tuple[str, Engine]]:
    """(label, engine) with `tables` created, for a `for` loop: a SQLite file in a temporary directory, then,
    when DATABASE_URL names PostgreSQL, a scratch schema there (dropped afterwards; nothing else
    is touched)."""
    with tempfile.TemporaryDirectory() as scratch:
        engine = create_engine(f"sqlite:///{Path(scratch) / 'bench.sqlite3'}")
        tables[0].metadata.create_all(engine, tables=tables)
        try:
            yield f"SQLite {engine.dialect.dbapi.sqlite_version}", engine
        finally:
            engine.dispose()

    url = postgres_url()
    if url is None:
        return
    schema = f"bench_{name}_{os.getpid()}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
        tables[0].metadata.create_all(engine, tables=tables)
        with engine.connect() as connection:
            version = connection.execute(text("SHOW server_version")).scalar()
        try:
            yield f"PostgreSQL {version}", engine
        finally:
            engine.dispose()
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def bulk_insert(connection, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Straight to the driver: executemany on SQLite, COPY on PostgreSQL. Values must already be
    what the driver stores (see `Values`)."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    connection.exec_driver_sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", list(rows))


@dataclass(frozen=True)
class Values:
    """Python values as the driver stores them: on SQLite, as SQLAlchemy's types write them (naive
    UTC text, ISO dates, 0/1); on PostgreSQL, as they are."""

    as_text: bool

    @classmethod
    def for_connection(cls, connection) -> Values:
        return cls(as_text=connection.dialect.name == "sqlite")

    def moment(self, value: datetime | None):
        if value is None or not self.as_text:
            return value
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")

    def day(self, value: date | None):
        return value.isoformat() if value is not None and self.as_text else value

    def flag(self, value: bool):
        return int(value) if self.as_text else value


# --- enterprises ----------------------------------------------------------------------------------

ENTERPRISE_TOWNS = ("jtz", "cdz", "xqz", "sjz", "djz", "yljd", "fsjd", "jltjd", "ssz", "mgz")
INDUSTRIES = ("3491", "3670", "3973", "2929", "6513", "6520", "7320", "5176", "6210", "4710")
ENTERPRISE_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def enterprise_rows(count: int, town_ids: Sequence[int], *, first_id: int = 1,
                    taken_usccs: frozenset[str] = frozenset(), seed: int = 60) -> tuple[list[dict], list[dict]]:
    """`count` synthetic enterprises (ids from `first_id`) and their certifications, as dicts for
    a Core insert. The same seed gives the same rows, so figures compare across runs."""
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data
    codes: set[str] = set(taken_usccs)
    enterprises, certifications = [], []
    for n in range(first_id, first_id + count):
        code = generate_uscc(rng)
        while code in codes:
            code = generate_uscc(rng)
        codes.add(code)
        industry = rng.choice(INDUSTRIES)
        employees = int(rng.lognormvariate(3.0, 1.1)) + 1
        revenue = int(employees * rng.lognormvariate(13, 0.6))
        enterprises.append(
            {
                "id": n,
                "public_id": f"{n:032x}",
                "uscc": code,
                "name_zh": f"企业{n}",
                "enterprise_type": EnterpriseType.LIMITED_COMPANY,
                "industry_code": industry,
                "industry_section": industry_section_of(industry),
                "town_id": rng.choice(town_ids) if rng.random() > 0.02 else None,
                "registered_on": date(2000, 1, 1) + timedelta(days=rng.randint(0, 9000)),
                "employees": employees if rng.random() > 0.03 else None,
                "revenue_last_year": revenue if rng.random() > 0.1 else None,
                "rd_spend_last_year": int(revenue * rng.uniform(0, 0.1)) if rng.random() > 0.25 else None,
                "tax_credit_rating": rng.choice(list(TaxCreditRating)) if rng.random() > 0.15 else None,
                "created_at": ENTERPRISE_EPOCH,
                "updated_at": ENTERPRISE_EPOCH,
            }
        )
        for certification in (Certification.HIGH_TECH, Certification.SPECIALISED_SME, Certification.TECH_SME):
            if rng.random() < 0.08:
                certifications.append({"enterprise_id": n, "certification": certification})
    return enterprises, certifications


def insert_enterprises(session, enterprises: list[dict], certifications: list[dict]) -> None:
    from portal.models import Enterprise, EnterpriseCertification

    for start in range(0, len(enterprises), 10_000):
        session.execute(insert(Enterprise), enterprises[start : start + 10_000])
    for start in range(0, len(certifications), 10_000):
        session.execute(insert(EnterpriseCertification), certifications[start : start + 10_000])


# --- cases ------------------------------------------------------------------------------------------

S = CaseState
STATE_WEIGHTS = [  # about 45% still being worked on
    (S.SUBMITTED, 10), (S.ACCEPTED, 10), (S.IN_PROGRESS, 14), (S.RETURNED_FOR_INFO, 3), (S.TRANSFERRING, 2),
    (S.DISPUTED, 1), (S.REOPENED, 1), (S.REPLIED, 4), (S.CLOSED, 45), (S.REJECTED, 5), (S.MERGED, 5),
]
KINDS = [CaseKind.REQUEST] * 7 + [CaseKind.APPLICATION] * 2 + [CaseKind.APPEAL]
CASE_COLUMNS = (
    "id", "public_id", "reference", "kind", "state", "priority", "sender_id", "category_id", "department_id",
    "pending_department_id", "resume_state", "assigned_officer_id", "title", "body", "submitted_at", "updated_at",
    "accepted_at", "closed_at", "accept_due_start", "accept_due_days", "accept_due", "reply_due_start",
    "reply_due_days", "reply_due", "due_estimated", "escalation_level", "extension_count", "reopened_count",
    "version", "sender_enterprise_id",
)
ASSIST_COLUMNS = ("case_id", "department_id", "invited_at")


@dataclass
class CaseMix:
    """Who owns, handles and sends the synthetic cases.

    One department (the benchmarked officer's) owns `own_share` of them and assists on
    `assist_share` of the others'; the rest are spread evenly over `other_departments`."""

    own_department: int
    other_departments: list[int]
    categories: dict[int, list[int]]  # department id -> the category ids it owns
    staff: list[int]  # officers of the own department: its accepted cases are assigned to them
    senders: list[int]
    enterprises: list[int] = field(default_factory=list)  # appeals are made for one of these
    start: datetime = datetime(2025, 1, 1, tzinfo=UTC)
    span: timedelta = timedelta(days=730)
    own_share: float = 0.12
    assist_share: float = 0.01
    reference_prefix: str = "BQ"
    first_id: int = 1


def case_rows(count: int, mix: CaseMix, rng: random.Random, values: Values, chunk_size: int = 50_000):
    """Rows (tuples in CASE_COLUMNS order) for the case table, and the assists, in chunks:
    every state, submitted evenly over the span."""
    states = [s.value for s, w in STATE_WEIGHTS for _ in range(w)]
    paused = {S.TRANSFERRING.value, S.DISPUTED.value, S.RETURNED_FOR_INFO.value}
    unaccepted = {S.SUBMITTED.value, S.REJECTED.value, S.MERGED.value}
    kinds = [k.value for k in KINDS]
    own, others = mix.own_department, mix.other_departments
    step = mix.span / count
    false = values.flag(False)
    chunk, assists = [], []
    for n in range(mix.first_id, mix.first_id + count):
        dept = own if rng.random() < mix.own_share else rng.choice(others)
        state = rng.choice(states)
        at = mix.start + step * (n - mix.first_id + 1)
        submitted, day = values.moment(at), at.date()
        accepted = state not in unaccepted
        public_id = f"{rng.getrandbits(128):032x}"
        kind = rng.choice(kinds)
        categories = mix.categories[dept]
        chunk.append((
            n, public_id, f"{mix.reference_prefix}-{day.year}-{n:07d}", kind, state,
            Priority.NORMAL.value, rng.choice(mix.senders),
            categories[0] if len(categories) == 1 else rng.choice(categories), dept,
            rng.choice(others) if state == S.TRANSFERRING.value else None,
            S.ACCEPTED.value if state in paused else None,
            rng.choice(mix.staff) if accepted and dept == own else None,
            f"诉求 {n}", "合成数据", submitted, submitted,
            values.moment(at + timedelta(hours=3)) if accepted else None,
            values.moment(at + timedelta(days=9)) if state == S.CLOSED.value else None,
            values.day(day), 1, values.day(day + timedelta(days=1)), values.day(day), 10,
            values.day(day + timedelta(days=14)), false, 0, 0, 0, 1,
            rng.choice(mix.enterprises) if mix.enterprises and kind == CaseKind.APPEAL.value else None,
        ))
        if dept != own and rng.random() < mix.assist_share:
            assists.append((n, own, submitted))
        if len(chunk) == chunk_size:
            yield chunk, assists
            chunk, assists = [], []
    if chunk:
        yield chunk, assists


def insert_cases(connection, count: int, mix: CaseMix, rng: random.Random) -> None:
    for chunk, assists in case_rows(count, mix, rng, Values.for_connection(connection)):
        bulk_insert(connection, "case_file", CASE_COLUMNS, chunk)
        bulk_insert(connection, "case_assist", ASSIST_COLUMNS, assists)
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT setval(pg_get_serial_sequence('case_file', 'id'), (SELECT max(id) FROM case_file))")
        )


def analyze(connection) -> None:
    connection.execute(text("ANALYZE"))


# --- the scaled district --------------------------------------------------------------------------

ACCOUNT_COLUMNS = (
    "id", "public_id", "mobile", "display_name", "password_hash", "password_changed_at", "session_version",
    "is_active", "created_at",
)
RESIDENT_COLUMNS = ("account_id", "real_name", "resident_id_number", "birth_date", "verified_at")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def _digest() -> str:
    """What the cached district depends on: the schema, the demo seed and this module."""
    from portal import create_app
    from portal.extensions import db

    create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": BENCH_SECRET_KEY})  # imports every model

    parts = [SCALE_VERSION, f"{RESIDENTS}/{ENTERPRISES}/{CASES}"]
    for table in db.metadata.sorted_tables:
        parts.append(str(CreateTable(table).compile(dialect=_sqlite_dialect())))
        parts.extend(sorted(str(CreateIndex(i).compile(dialect=_sqlite_dialect())) for i in table.indexes))
    for source in sorted((ROOT / "portal" / "demo").glob("*.py")) + [Path(__file__)]:
        parts.append(hashlib.sha256(source.read_bytes()).hexdigest())
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]


def _sqlite_dialect():
    from sqlalchemy.dialects import sqlite

    return sqlite.dialect()


def _residents(connection, first_id: int, values: Values) -> list[int]:
    rng = random.Random(2026)  # noqa: S311 - reproducible synthetic data
    created = values.moment(datetime(2025, 6, 1, tzinfo=UTC))
    accounts, profiles = [], []
    for n in range(RESIDENTS):
        account_id = first_id + n
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        born = date(1940, 1, 1) + timedelta(days=n % 25_000)
        first17 = f"310117{born:%Y%m%d}{n // 25_000:03d}"
        accounts.append((account_id, uuid.UUID(int=rng.getrandbits(128)).hex, f"139{n:08d}", name, "!", created, 1,
                         values.flag(True), created))
        profiles.append((account_id, name, first17 + resident_id_check_char(first17), values.day(born), created))
    bulk_insert(connection, "account", ACCOUNT_COLUMNS, accounts)
    bulk_insert(connection, "resident_profile", RESIDENT_COLUMNS, profiles)
    return [row[0] for row in accounts]


def _policy_matches(session, first_new: int) -> None:
    """What publishing did for the demo's enterprises, for the new ones too: one set-based insert
    per published policy (the same compiled criteria `policy_matching.publish` stores)."""
    from portal.models import Enterprise, Policy, PolicyMatch, PolicyStatus
    from portal.rules import Band, compile_to_sql

    computed_at = PolicyMatch.__table__.c.computed_at
    now = datetime.now(UTC)
    for policy in session.scalars(select(Policy).where(Policy.status == PolicyStatus.PUBLISHED)):
        band = compile_to_sql(policy.criteria, Enterprise)
        banded = (
            select(Enterprise.id.label("enterprise_id"), band.label("band"))
            .where(Enterprise.id >= first_new)
            .subquery()
        )
        rows = select(
            literal(policy.id), banded.c.enterprise_id, banded.c.band, literal(now, computed_at.type)
        ).where(banded.c.band != Band.NOT_QUALIFIED.value)
        session.execute(
            insert(PolicyMatch.__table__).from_select(["policy_id", "enterprise_id", "band", "computed_at"], rows)
        )


def _fill_district(url: str) -> None:
    """The demo seed, then the bulk rows, into the empty database at `url`."""
    from portal import create_app, demo
    from portal.cases import load_calendar_years
    from portal.extensions import db
    from portal.models import Account, CaseCategory, Department, Enterprise, StaffPosition

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": BENCH_SECRET_KEY})
    with app.app_context():
        db.create_all()
        session = db.session
        load_calendar_years(session)
        demo.seed(session)
        session.commit()

        connection = session.connection()
        if connection.dialect.name == "sqlite":
            # Random public ids land all over their unique indexes: with SQLite's default 2 MB
            # page cache the build waits on the disk, with 512 MB it does not.
            connection.exec_driver_sql("PRAGMA cache_size=-524288")
            connection.exec_driver_sql("PRAGMA synchronous=OFF")
        values = Values.for_connection(connection)
        next_account = (session.scalar(select(db.func.max(Account.id))) or 0) + 1
        senders = _residents(connection, next_account, values)

        towns = list(session.scalars(select(Department.id).where(Department.code.in_(ENTERPRISE_TOWNS))))
        first_enterprise = (session.scalar(select(db.func.max(Enterprise.id))) or 0) + 1
        taken = frozenset(session.scalars(select(Enterprise.uscc)))
        enterprises, certifications = enterprise_rows(ENTERPRISES, towns, first_id=first_enterprise,
                                                      taken_usccs=taken)
        insert_enterprises(session, enterprises, certifications)
        _policy_matches(session, first_enterprise)

        departments = {d.code: d.id for d in session.scalars(select(Department))}
        categories: dict[int, list[int]] = {}
        for category in session.scalars(select(CaseCategory).order_by(CaseCategory.id)):
            categories.setdefault(category.department_id, []).append(category.id)
        own = departments["jjw"]
        staff = list(session.scalars(select(StaffPosition.account_id).where(StaffPosition.department_id == own)))
        first_case = (session.scalar(text("SELECT max(id) FROM case_file")) or 0) + 1
        today = datetime.now(UTC).replace(hour=2, minute=0, second=0, microsecond=0)
        mix = CaseMix(
            own_department=own, other_departments=[d for d in categories if d != own], categories=categories,
            staff=staff, senders=senders, enterprises=[e["id"] for e in enterprises],
            start=today - timedelta(days=731), span=timedelta(days=730), reference_prefix="SC",
            first_id=first_case,
        )
        insert_cases(session.connection(), CASES, mix, random.Random(500))  # noqa: S311 - synthetic data
        session.commit()
        analyze(session.connection())
        session.commit()
        db.session.remove()
        db.engine.dispose()


def _cache_dir() -> Path:
    return Path(os.environ.get("BENCH_CACHE_DIR") or Path(tempfile.gettempdir()) / "portal-bench")


def _build_sqlite(key: str, rebuild: bool, log) -> Path:
    cache = _cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / f"district-{key}.sqlite3"
    if target.exists() and not rebuild:
        return target
    for old in [*cache.glob("district-*.sqlite3*"), *cache.glob("partial-*.sqlite3*")]:
        old.unlink()  # earlier versions, and builds that were interrupted
    partial = cache / f"partial-{key}.sqlite3"
    started = time.perf_counter()
    log(f"building the scaled district (SQLite) in {partial} ...")
    _fill_district(f"sqlite:///{partial}")
    engine = create_engine(f"sqlite:///{partial}")
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.exec_driver_sql("PRAGMA journal_mode=DELETE")
    engine.dispose()
    partial.rename(target)
    log(f"built in {time.perf_counter() - started:.0f} s: {target}")
    return target


def _admin_engine(url: str) -> Engine:
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _build_postgres(base: str, key: str, rebuild: bool, log) -> str:
    url = make_url(base)
    prefix = f"{url.database}_bench_"
    target, partial = f"{prefix}{key}", f"{prefix}{key}_partial"
    admin = _admin_engine(base)
    try:
        with admin.connect() as connection:
            existing = set(connection.execute(
                text("SELECT datname FROM pg_database WHERE datname LIKE :p"), {"p": prefix + "%"}
            ).scalars())
            if target in existing and not rebuild:
                return url.set(database=target).render_as_string(hide_password=False)
            for name in existing - {f"{prefix}run"}:
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{partial}"'))
        started = time.perf_counter()
        log(f"building the scaled district (PostgreSQL) in {partial} ...")
        _fill_district(url.set(database=partial).render_as_string(hide_password=False))
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{partial}" RENAME TO "{target}"'))
        log(f"built in {time.perf_counter() - started:.0f} s: {target}")
    finally:
        admin.dispose()
    return url.set(database=target).render_as_string(hide_password=False)


def scaled_district(*, rebuild: bool = False, log=print) -> str:
    """The URL of the cached scaled district, built first if needed."""
    key = f"{SCALE_VERSION}-{_digest()}"
    base = postgres_url()
    if base is None:
        return f"sqlite:///{_build_sqlite(key, rebuild, log)}"
    return _build_postgres(base, key, rebuild, log)


@contextlib.contextmanager
def district_copy(workdir: Path, *, log=print) -> Iterator[str]:
    """A working copy of the scaled district for one run; yields its URL and removes it after."""
    cached = scaled_district(log=log)
    if cached.startswith("sqlite"):
        copy = workdir / "district.sqlite3"
        shutil.copyfile(make_url(cached).database, copy)
        yield f"sqlite:///{copy}"
        return
    url = make_url(cached)
    run = f"{url.database.rsplit('_bench_', 1)[0]}_bench_run"
    admin = _admin_engine(cached)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{run}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{run}" TEMPLATE "{url.database}"'))
    try:
        yield url.set(database=run).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{run}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true", help="build again even when a cached copy exists")
    args = parser.parse_args()
    url = scaled_district(rebuild=args.rebuild)
    print(make_url(url).render_as_string(hide_password=True))


if __name__ == "__main__":
    main()
