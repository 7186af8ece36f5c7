"""The enterprise end's demo data: reproducible, valid, idempotent, and matched at seed time."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from portal import demo
from portal.demo.enterprises import DEMO_COMPANIES, TOWNS, synthetic_enterprises
from portal.demo.policies import POLICIES
from portal.enterprise_codes import is_valid_uscc, make_uscc
from portal.enterprises import active_membership, enterprises_of, invitations_for
from portal.extensions import db
from portal.models import (
    Account,
    Case,
    Department,
    Enterprise,
    InboxMessage,
    MembershipRole,
    Policy,
    PolicyMatch,
    PolicyStatus,
)
from portal.rules import INDUSTRY_SECTIONS, industry_section_of, leaves, parse, validate


def test_synthetic_enterprises_are_reproducible_and_valid():
    first, second = synthetic_enterprises(), synthetic_enterprises()
    assert first == second
    assert len(first) == 2000
    codes = [c["uscc"] for c in first]
    assert all(is_valid_uscc(code) for code in codes)
    assert len(set(codes)) == len(codes)
    assert len({c["name_zh"] for c in first}) == len(first)
    assert {c["town"] for c in first} == set(TOWNS)  # every town and sub-district has some
    sections = Counter(industry_section_of(c["industry_code"]) for c in first)
    assert set(sections) <= set(INDUSTRY_SECTIONS)
    assert {"C", "I", "M", "F"} <= set(sections)
    # Some figures are missing, as in real data: that is what "uncertain" is for.
    assert any(c["rd_spend_last_year"] is None for c in first)
    assert any(c["revenue_last_year"] is None for c in first)


def test_demo_company_codes_are_valid():
    assert make_uscc("9", "1", "310117", "MA1FPX3K") == DEMO_COMPANIES[0]["uscc"]
    assert make_uscc("9", "1", "310117", "MA7C4Y2N") == DEMO_COMPANIES[1]["uscc"]


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.key)
def test_every_demo_policy_is_valid_and_cites_its_clauses(policy):
    assert validate(policy.criteria) == []
    quoted = dict(policy.clauses)
    for leaf in leaves(parse(policy.criteria)):
        assert leaf.clause in quoted, (policy.key, leaf.clause)
    assert policy.title_en and policy.summary_en and policy.benefit_en


def test_there_are_forty_policies_from_the_right_bureaus():
    assert len(POLICIES) == 40
    assert len({p.key for p in POLICIES}) == 40
    assert {p.department for p in POLICIES} == {"kw", "jjw", "fgw", "rsj", "scjgj", "fgj"}


@pytest.fixture
def district(seeded, app_context):
    return db.session


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_seeding_creates_the_enterprises_policies_and_matches(district):
    session = district
    assert _count(session, Enterprise) == 2002
    towns = set(session.scalars(select(Department.code).join(Enterprise, Enterprise.town_id == Department.id)))
    assert towns == set(TOWNS)
    policies = session.scalars(select(Policy)).all()
    assert len(policies) == 40
    assert {p.status for p in policies} == {PolicyStatus.PUBLISHED}
    assert _count(session, PolicyMatch) > 0


def test_the_demo_staff_and_their_companies(district):
    session = district
    boss = session.scalar(select(Account).where(Account.mobile == "13800000011"))
    agent = session.scalar(select(Account).where(Account.mobile == "13800000012"))
    smart, data = (session.scalar(select(Enterprise).where(Enterprise.uscc == c["uscc"])) for c in DEMO_COMPANIES)
    assert smart.name_zh == "上海松江智造科技有限公司"
    assert smart.town.code == "jtz"
    assert {c.value for c in smart.certifications} >= {"high_tech", "specialised_sme"}
    assert active_membership(session, boss, smart).role == MembershipRole.LEGAL_REPRESENTATIVE
    assert active_membership(session, agent, smart).role == MembershipRole.AGENT
    assert enterprises_of(session, agent) == [smart]
    assert [m.enterprise for m in invitations_for(session, agent)] == [data]
    # Told proactively: both hear of the policies the manufacturer qualifies for.
    told = session.scalars(
        select(InboxMessage.account_id).where(InboxMessage.subject_key == "enterprise.policy_qualified.subject")
    ).all()
    assert boss.id in told and agent.id in told
    # Its grants without application became cases for the issuing bureaus.
    grant_cases = session.scalars(select(Case).where(Case.sender_enterprise_id == smart.id, Case.sender_id == boss.id))
    assert {c.department.code for c in grant_cases} >= {"kw", "jjw", "rsj"}


def test_seeding_twice_changes_nothing(district, app):
    session = district
    before = [_count(session, m) for m in (Enterprise, Policy, PolicyMatch, InboxMessage, Case)]
    with app.app_context():
        report = demo.seed(db.session)
    assert report["enterprises"] == report["policies"] == report["enterprise staff"] == 0
    session.expire_all()
    assert [_count(session, m) for m in (Enterprise, Policy, PolicyMatch, InboxMessage, Case)] == before
