"""One tree, two interpreters: the SQL matcher and the explainer agree on every enterprise.

Hypothesis draws criteria trees over every attribute and operator, and enterprises whose values
are drawn from small domains (so thresholds are often hit exactly) with any value possibly
missing. Each example inserts its enterprises, asks the database for every band in one query,
and compares with the explainer over the same facts. Run with DATABASE_URL set to check
PostgreSQL as well as SQLite.
"""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.enterprise_codes import generate_uscc
from portal.models import Enterprise, EnterpriseCertification
from portal.rules import (
    ATTRIBUTES,
    Band,
    Certification,
    EnterpriseType,
    Kind,
    TaxCreditRating,
    compile_to_sql,
    explain,
    facts_of,
    validate,
)

TOWNS = ["jtz", "sjz", "yljd"]
INDUSTRY_CODES = ["3491", "3973", "6513", "6520", "7320", "5176"]
BASE_DAY = date(2020, 1, 1)
DAYS = [BASE_DAY + timedelta(days=n) for n in range(6)]
# Every R&D intensity the drawn enterprises can have, so equality and boundaries are exercised.
INTENSITIES = sorted({float(rd) * 100.0 / float(rev) for rd in range(0, 6) for rev in range(1, 6)})

missing = st.none()
small_int = st.integers(min_value=0, max_value=6)

enterprise_values = {
    "employees": st.one_of(missing, small_int),
    "registered_capital": st.one_of(missing, small_int),
    "revenue_last_year": st.one_of(missing, st.integers(min_value=0, max_value=5)),
    "rd_spend_last_year": st.one_of(missing, st.integers(min_value=0, max_value=5)),
    "invention_patents": st.one_of(missing, small_int),
    "registered_on": st.one_of(missing, st.sampled_from(DAYS)),
    "enterprise_type": st.sampled_from([t.value for t in EnterpriseType]),
    "industry_section": st.one_of(missing, st.sampled_from(["C", "I", "M", "F"])),
    "industry_code": st.one_of(missing, st.sampled_from(INDUSTRY_CODES)),
    "town": st.one_of(missing, st.sampled_from(TOWNS)),
    "tax_credit_rating": st.one_of(missing, st.sampled_from([r.value for r in TaxCreditRating])),
    "certifications": st.frozensets(st.sampled_from([c.value for c in Certification]), max_size=3),
}
enterprises = st.lists(st.fixed_dictionaries(enterprise_values), min_size=1, max_size=12)

number = st.one_of(small_int, st.sampled_from([0.5, 2.5, 5.5, -1, 7]))


def scalar(name: str):
    """A literal for attribute `name`, from the same small domains the enterprises use."""
    attribute = ATTRIBUTES[name]
    if name == "rd_intensity":
        return st.one_of(st.sampled_from(INTENSITIES), st.sampled_from([0, 25, 50.5, 100, 500]))
    if attribute.kind == Kind.NUMBER:
        return number
    if attribute.kind == Kind.DATE:
        return st.sampled_from([d.isoformat() for d in DAYS])
    if name == "industry_division":
        return st.sampled_from(sorted({c[:2] for c in INDUSTRY_CODES} | {"10"}))
    if name == "industry_code":
        return st.sampled_from(INDUSTRY_CODES + ["1819"])
    if name == "town":
        return st.sampled_from(TOWNS + ["nowhere"])
    return st.sampled_from(list(attribute.choices))


@st.composite
def leaf(draw):
    name = draw(st.sampled_from(sorted(ATTRIBUTES)))
    op = draw(st.sampled_from(ATTRIBUTES[name].operators))
    if op == "between":
        low, high = sorted([draw(scalar(name)), draw(scalar(name))])
        value = [low, high]
    elif op in ("in", "not_in"):
        value = draw(st.lists(scalar(name), min_size=1, max_size=3))
    else:
        value = draw(scalar(name))
    return {"attr": name, "op": op, "value": value}


trees = st.recursive(
    leaf(),
    lambda children: st.one_of(
        st.builds(lambda xs: {"all": xs}, st.lists(children, min_size=1, max_size=4)),
        st.builds(lambda xs: {"any": xs}, st.lists(children, min_size=1, max_size=4)),
        st.builds(lambda x: {"not": x}, children),
    ),
    max_leaves=12,
)

_codes = itertools.count()


def _insert(session, district, rows: list[dict]) -> list[Enterprise]:
    made = []
    for row in rows:
        fields = {k: v for k, v in row.items() if k not in ("town", "certifications")}
        enterprise = Enterprise(
            uscc=generate_uscc(random.Random(next(_codes))),
            name_zh="测试企业",
            town_id=district[row["town"]].id if row["town"] else None,
            certification_rows=[EnterpriseCertification(certification=c) for c in sorted(row["certifications"])],
            **fields,
        )
        session.add(enterprise)
        made.append(enterprise)
    session.flush()
    return made


def _sql_bands(session, tree, ids) -> dict[int, Band]:
    band = compile_to_sql(tree, Enterprise)
    return {eid: Band(b) for eid, b in session.execute(select(Enterprise.id, band).where(Enterprise.id.in_(ids)))}


@pytest.fixture
def agreement(session, district):
    """Runs one example: insert the enterprises, compare both interpreters, roll back."""

    def check(tree, rows):
        assert validate(tree) == []
        try:
            made = _insert(session, district, rows)
            in_sql = _sql_bands(session, tree, [e.id for e in made])
            for enterprise, row in zip(made, rows, strict=True):
                expected = explain(tree, row).band
                assert in_sql[enterprise.id] == expected, (tree, row)
                # The explainer reads the stored row the same way it read the drawn facts.
                assert explain(tree, facts_of(enterprise)).band == expected
        finally:
            session.rollback()

    return check


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=trees, rows=enterprises)
def test_sql_matcher_and_explainer_agree(agreement, tree, rows):
    agreement(tree, rows)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=leaf(), rows=enterprises)
def test_they_agree_on_every_single_comparison(agreement, tree, rows):
    agreement(tree, rows)


def test_they_agree_on_hand_picked_edges(agreement):
    nobody = dict.fromkeys(enterprise_values) | {
        "enterprise_type": "limited_company",
        "certifications": frozenset(),
    }
    cases = [
        ({"attr": "rd_intensity", "op": ">=", "value": 0}, {**nobody, "revenue_last_year": 0, "rd_spend_last_year": 0}),
        ({"not": {"attr": "town", "op": "in", "value": ["jtz"]}}, nobody),
        ({"attr": "town", "op": "!=", "value": "nowhere"}, {**nobody, "town": "jtz"}),
        ({"not": {"attr": "certifications", "op": "has", "value": "high_tech"}}, nobody),
        (
            {"any": [{"attr": "employees", "op": "<", "value": 0.5}, {"attr": "employees", "op": ">", "value": 5}]},
            nobody,
        ),
        (
            {"attr": "registered_on", "op": "between", "value": ["2020-01-02", "2020-01-02"]},
            {**nobody, "registered_on": DAYS[1]},
        ),
        ({"attr": "industry_division", "op": "not_in", "value": ["65"]}, {**nobody, "industry_code": "6513"}),
    ]
    for tree, row in cases:
        agreement(tree, [row])
