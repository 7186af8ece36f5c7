"""Matching one policy against 100,000 enterprises, as a ratio to a bare SELECT of the same rows.

    .venv/bin/python -m bench.matching [--count 100000] [--repeat 5]

Builds the enterprise tables in a scratch SQLite file and, when DATABASE_URL names a PostgreSQL
database, in a scratch schema there too (dropped afterwards; nothing else is touched). Fills
them with synthetic enterprises (bench/scale.py, shared with the other benchmarks), then times,
in the same run and on the same rows:

  * the baseline: a bare SELECT of every enterprise's id and the columns the criteria read
    (plain SQL through the driver, no result processing);
  * the SQL matcher: the band of every enterprise, computed by the compiled criteria;
  * the dry run: qualified / uncertain counts per town (one grouped query);
  * for comparison only, the loop the matcher replaces: the explainer in Python, row by row,
    over rows already loaded (not counting the load).

Each figure is the median of --repeat runs after a warm-up. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import statistics
import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.scale import ENTERPRISE_TOWNS, analyze, enterprise_rows, insert_enterprises, scratch_databases
from portal.models import Department, DepartmentKind, Enterprise, EnterpriseCertification
from portal.policy_matching import dry_run
from portal.rules import compile_to_sql, explain, parse

# After the 专精特新 pool's entry criteria: a negated certification, an industry section, revenue,
# the derived R&D intensity, an employee range, and a town or a tax rating: every kind of leaf
# the compiler produces (EXISTS, derived value, range, town subquery, enum list).
POLICY = {
    "all": [
        {"not": {"attr": "certifications", "op": "has", "value": "specialised_sme", "clause": "第二条第（一）项"}},
        {"attr": "industry_section", "op": "==", "value": "C", "clause": "第二条第（二）项"},
        {"attr": "revenue_last_year", "op": ">=", "value": 10_000_000, "clause": "第二条第（三）项"},
        {"attr": "rd_intensity", "op": ">=", "value": 3, "clause": "第二条第（四）项"},
        {"attr": "employees", "op": "between", "value": [10, 1000], "clause": "第二条第（五）项"},
        {
            "any": [
                {"attr": "town", "op": "in", "value": ["jtz", "cdz", "xqz", "sjz"], "clause": "第三条"},
                {"attr": "tax_credit_rating", "op": "in", "value": ["A", "B"], "clause": "第三条"},
            ]
        },
    ]
}
READ_COLUMNS = (
    Enterprise.industry_section,
    Enterprise.revenue_last_year,
    Enterprise.rd_spend_last_year,
    Enterprise.employees,
    Enterprise.town_id,
    Enterprise.tax_credit_rating,
)
TABLES = [Department.__table__, Enterprise.__table__, EnterpriseCertification.__table__]


def _fill(session: Session, count: int) -> None:
    towns = []
    for code in ENTERPRISE_TOWNS:
        kind = DepartmentKind.SUBDISTRICT if code.endswith("jd") else DepartmentKind.TOWN
        towns.append(Department(code=code, kind=kind, name_zh=code, name_en=code))
    session.add_all(towns)
    session.flush()
    insert_enterprises(session, *enterprise_rows(count, [t.id for t in towns]))
    session.commit()
    analyze(session.connection())
    session.commit()


def _median(repeat: int, work) -> tuple[float, object]:
    result = work()  # warm-up: caches, statement compilation
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def time_matcher(session: Session, repeat: int) -> tuple[float, float, list]:
    """Median seconds of the bare SELECT and of the SQL matcher over every enterprise in the
    session's database, and the matcher's (id, band) rows."""
    band = compile_to_sql(POLICY, Enterprise)
    # The baseline is the cheapest way to read those rows: plain SQL, no result processing.
    columns = ", ".join(c.name for c in READ_COLUMNS)
    bare_sql = f"SELECT id, {columns} FROM enterprise"
    bare, _ = _median(repeat, lambda: session.connection().exec_driver_sql(bare_sql).fetchall())
    matcher, banded = _median(repeat, lambda: session.execute(select(Enterprise.id, band)).all())
    return bare, matcher, banded


def run(engine, label: str, count: int, repeat: int) -> None:
    with Session(engine) as session:
        started = time.perf_counter()
        _fill(session, count)
        filled = time.perf_counter() - started
        bare, matcher, banded = time_matcher(session, repeat)
        rows = session.execute(select(Enterprise.id, *READ_COLUMNS)).all()
        per_town, _ = _median(repeat, lambda: dry_run(session, POLICY))

        codes = {d.id: d.code for d in session.scalars(select(Department))}
        held: dict[int, set[str]] = {}
        for eid, certification in session.execute(
            select(EnterpriseCertification.enterprise_id, EnterpriseCertification.certification)
        ):
            held.setdefault(eid, set()).add(certification.value)
        facts = [
            {
                "industry_section": r.industry_section,
                "revenue_last_year": r.revenue_last_year,
                "rd_spend_last_year": r.rd_spend_last_year,
                "employees": r.employees,
                "town": codes.get(r.town_id),
                "tax_credit_rating": r.tax_credit_rating.value if r.tax_credit_rating else None,
                "certifications": held.get(r.id, ()),
            }
            for r in rows
        ]
        node = parse(POLICY)
        loop, explained = _median(max(1, repeat // 2), lambda: [explain(node, f).band.value for f in facts])
        session.rollback()

    in_sql = dict(banded)
    if in_sql != {r.id: band for r, band in zip(rows, explained, strict=True)}:
        raise SystemExit("the SQL matcher and the explainer disagree")
    tally = {b: list(in_sql.values()).count(b) for b in ("qualified", "uncertain", "not_qualified")}
    print(f"\n{label}: {count:,} enterprises (filled in {filled:.1f} s); bands {tally}")
    lines = [
        (f"bare SELECT of id and the {len(READ_COLUMNS)} columns read", bare),
        ("SQL matcher: the band of every enterprise", matcher),
        ("dry run: counts per town and band (dry_run)", per_town),
        ("for comparison, the explainer row by row", loop),
    ]
    for text_, seconds in lines:
        print(f"  {text_:<46} {seconds * 1000:8.1f} ms   ratio {seconds / bare:5.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("Matching one policy (7 comparisons under all, any and not) against every enterprise; median of", args.repeat)

    for label, engine in scratch_databases("matching", TABLES):
        run(engine, label, args.count, args.repeat)

if __name__ == "__main__":
    main()
