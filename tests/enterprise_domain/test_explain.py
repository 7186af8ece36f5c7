"""The explainer: three bands, Kleene's logic, and an explanation per criterion."""

from __future__ import annotations

from datetime import date

import pytest

from portal.rules import Band, InvalidRule, Outcome, explain

SMALL = {"attr": "employees", "op": "<=", "value": 300, "clause": "第二条第（一）项"}
HIGH_TECH = {"attr": "certifications", "op": "has", "value": "high_tech", "clause": "第二条第（二）项"}
RD = {"attr": "rd_intensity", "op": ">=", "value": 3, "clause": "第二条第（三）项"}
GOOD_TAX = {"attr": "tax_credit_rating", "op": "in", "value": ["A", "B"], "clause": "第三条"}


def band(tree, **facts):
    return explain(tree, facts).band


def test_all_met_qualifies():
    assert band({"all": [SMALL, HIGH_TECH]}, employees=120, certifications={"high_tech"}) == Band.QUALIFIED


def test_one_unmet_condition_does_not_qualify_even_with_missing_data():
    # Kleene: false AND unknown is false.
    assert band({"all": [SMALL, RD]}, employees=500) == Band.NOT_QUALIFIED


def test_missing_data_is_never_a_no():
    result = explain({"all": [SMALL, RD]}, {"employees": 120})
    assert result.band == Band.UNCERTAIN
    assert result.missing == ("rd_intensity",)
    assert result.unmet == ()


def test_any_is_met_by_one_even_when_others_are_unknown():
    # true OR unknown is true.
    assert band({"any": [SMALL, RD]}, employees=120) == Band.QUALIFIED
    # false OR unknown is unknown.
    assert band({"any": [SMALL, RD]}, employees=500) == Band.UNCERTAIN
    assert band({"any": [SMALL, RD]}, employees=500, revenue_last_year=100, rd_spend_last_year=1) == (
        Band.NOT_QUALIFIED
    )


def test_not_swaps_met_and_not_met_and_keeps_unknown():
    bad_tax = {"not": GOOD_TAX}
    assert band(bad_tax, tax_credit_rating="C") == Band.QUALIFIED
    assert band(bad_tax, tax_credit_rating="A") == Band.NOT_QUALIFIED
    assert band(bad_tax) == Band.UNCERTAIN


@pytest.mark.parametrize(
    ("left", "right", "all_", "any_"),
    [
        ("met", "met", "met", "met"),
        ("met", "not_met", "not_met", "met"),
        ("met", "unknown", "unknown", "met"),
        ("not_met", "not_met", "not_met", "not_met"),
        ("not_met", "unknown", "not_met", "unknown"),
        ("unknown", "unknown", "unknown", "unknown"),
    ],
)
def test_kleene_truth_tables(left, right, all_, any_):
    values = {"met": 10, "not_met": 1000, "unknown": None}
    a = {"attr": "employees", "op": "<=", "value": 300}
    b = {"attr": "invention_patents", "op": "<=", "value": 300}
    facts = {"employees": values[left], "invention_patents": values[right]}
    assert explain({"all": [a, b]}, facts).root.outcome == Outcome(all_)
    assert explain({"any": [a, b]}, facts).root.outcome == Outcome(any_)
    assert explain({"all": [b, a]}, facts).root.outcome == Outcome(all_)
    assert explain({"any": [b, a]}, facts).root.outcome == Outcome(any_)


def test_each_criterion_says_value_threshold_and_clause():
    result = explain({"all": [SMALL, HIGH_TECH, RD]}, {"employees": 350, "certifications": ["tech_sme"]})
    small, high_tech, rd = result.leaves
    assert (small.attr, small.op, small.threshold, small.value) == ("employees", "<=", 300, 350)
    assert small.outcome == Outcome.NOT_MET
    assert small.clause == "第二条第（一）项"
    assert small.pointer == "/all/0"
    assert high_tech.value == ("tech_sme",)
    assert high_tech.outcome == Outcome.NOT_MET
    assert rd.value is None
    assert rd.outcome == Outcome.UNKNOWN
    assert result.band == Band.NOT_QUALIFIED
    assert [leaf.attr for leaf in result.unmet] == ["employees", "certifications"]
    assert result.missing == ("rd_intensity",)


def test_would_qualify_if_lists_only_what_stands_in_the_way():
    tree = {"all": [SMALL, {"any": [HIGH_TECH, RD]}]}
    result = explain(tree, {"employees": 100, "revenue_last_year": 1000, "rd_spend_last_year": 10})
    assert result.band == Band.NOT_QUALIFIED
    # Either alternative of the "any" would do; the size criterion is met and not listed.
    assert [leaf.attr for leaf in result.unmet] == ["certifications", "rd_intensity"]
    qualified = explain(tree, {"employees": 100, "certifications": ["high_tech"]})
    assert qualified.band == Band.QUALIFIED
    assert qualified.blocking == ()


def test_blocking_under_not_names_the_met_leaf():
    result = explain({"not": GOOD_TAX}, {"tax_credit_rating": "A"})
    assert [(leaf.attr, leaf.outcome) for leaf in result.blocking] == [("tax_credit_rating", Outcome.MET)]


def test_rd_intensity_is_derived_and_unknown_without_revenue():
    assert explain(RD, {"revenue_last_year": 1_000_000, "rd_spend_last_year": 50_000}).leaves[0].value == 5.0
    assert band(RD, revenue_last_year=0, rd_spend_last_year=50_000) == Band.UNCERTAIN
    assert band(RD, revenue_last_year=1_000_000) == Band.UNCERTAIN
    assert band(RD, revenue_last_year=1_000_000, rd_spend_last_year=0) == Band.NOT_QUALIFIED


def test_certifications_are_a_complete_record():
    # An enterprise without a certificate does not have it: a fact, not missing data.
    assert band(HIGH_TECH) == Band.NOT_QUALIFIED


def test_dates_ranges_and_lists():
    old = {"attr": "registered_on", "op": "<=", "value": "2024-12-31"}
    assert band(old, registered_on=date(2020, 5, 1)) == Band.QUALIFIED
    assert band(old, registered_on=date(2025, 5, 1)) == Band.NOT_QUALIFIED
    sized = {"attr": "employees", "op": "between", "value": [10, 100]}
    assert [band(sized, employees=n) for n in (9, 10, 100, 101)] == [
        Band.NOT_QUALIFIED,
        Band.QUALIFIED,
        Band.QUALIFIED,
        Band.NOT_QUALIFIED,
    ]
    software = {"attr": "industry_division", "op": "in", "value": ["64", "65"]}
    assert band(software, industry_code="6513") == Band.QUALIFIED
    assert band(software, industry_code="3491") == Band.NOT_QUALIFIED
    assert band(software) == Band.UNCERTAIN
    outside = {"attr": "town", "op": "not_in", "value": ["jtz", "sjz"]}
    assert band(outside, town="cdz") == Band.QUALIFIED
    assert band(outside, town="jtz") == Band.NOT_QUALIFIED


def test_an_invalid_tree_is_refused():
    with pytest.raises(InvalidRule):
        explain({"attr": "employees", "op": "eval", "value": "__import__('os')"}, {})
