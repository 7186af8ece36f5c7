"""The matches page keeps its criterion-by-criterion lists between visits (and, with pages kept,
the whole page), yet always shows what a fresh matching says: after the company's figures change,
and after a policy is withdrawn."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from enterprise import services
from portal import policy_matching
from portal.extensions import db
from portal.models import Account, Enterprise, Policy
from portal.models.enterprise import TaxCreditRating
from portal.page_cache import PageCache
from tests.enterprise.conftest import COMPANY_USCC, REPRESENTATIVE

AWARD = "Award for certified high-tech enterprises"  # needs a tax credit rating other than C or D


def shown(page: str) -> tuple[int, list[str]]:
    qualified = int(re.search(r"You qualify: (\d+) polic", page).group(1))
    return qualified, [unescape(title) for title in re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', page)]


def fresh(app) -> tuple[int, list[str]]:
    with app.app_context():
        company = db.session.scalar(select(Enterprise).where(Enterprise.uscc == COMPANY_USCC))
        qualified, uncertain, near = services.ranked(db.session, company)
        return len(qualified), [r.policy.title_en for r in (*qualified, *uncertain, *near[:5])]


@pytest.fixture(params=["lists kept", "whole page kept"])
def matches(request, app, person, company_ids, monkeypatch):
    if request.param == "whole page kept":  # as in production; the test configuration keeps no pages
        monkeypatch.setitem(app.extensions, "page_cache", PageCache(size=64, seconds=60))
    client = person(REPRESENTATIVE)
    url = f"/enterprise/c/{company_ids[COMPANY_USCC]}/matches"
    return lambda: client.get(url).get_data(as_text=True)


def test_the_lists_follow_the_figures_and_the_policies(app, matches):
    assert shown(matches()) == fresh(app)

    with app.app_context():
        company = db.session.scalar(select(Enterprise).where(Enterprise.uscc == COMPANY_USCC))
        before = company.tax_credit_rating
        company.tax_credit_rating = TaxCreditRating.D if before != TaxCreditRating.D else TaxCreditRating.A
        db.session.commit()
    changed = shown(matches())
    assert changed == fresh(app)

    with app.app_context():
        award = db.session.scalar(select(Policy).where(Policy.title_en == AWARD))
        admin = db.session.scalar(select(Account).where(Account.username == "admin"))
        policy_matching.withdraw(db.session, award, admin)
        db.session.commit()
    page = matches()
    assert shown(page) == fresh(app)
    assert AWARD not in page


def test_an_unchanged_company_is_answered_from_the_kept_lists(app, matches, monkeypatch):
    first = matches()

    def must_not_rank(*args, **kwargs):
        raise AssertionError("ranked again although nothing changed")

    monkeypatch.setattr(services, "ranked", must_not_rank)
    assert shown(matches()) == shown(first)
