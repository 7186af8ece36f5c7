"""Publishing a policy: the dry run, matching set-based, telling each enterprise once, grants."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, inspect, select

from portal.enterprises import update_profile, verify_representative
from portal.models import (
    ApplicationMethod,
    Case,
    CaseKind,
    Enterprise,
    EnterpriseCertification,
    InboxMessage,
    Membership,
    MembershipRole,
    MembershipStatus,
    PolicyMatch,
    PolicyStatus,
    PolicyTopic,
    TopicSubscription,
)
from portal.policy_matching import (
    PolicyError,
    check_policy,
    dry_run,
    enterprise_facts,
    explain_policy,
    matches_key,
    publish,
    ranked_matches,
    rematch_enterprise,
    withdraw,
)
from portal.rules import Band, facts_of
from tests.enterprise_domain.conftest import NOW

SMALL_HIGH_TECH = {
    "all": [
        {"attr": "employees", "op": "<=", "value": 300, "clause": "第二条第（一）项"},
        {"attr": "certifications", "op": "has", "value": "high_tech", "clause": "第二条第（二）项"},
    ]
}


def messages(session, account=None, key="enterprise.policy_qualified.subject"):
    query = select(InboxMessage).where(InboxMessage.subject_key == key)
    if account is not None:
        query = query.where(InboxMessage.account_id == account.id)
    return session.scalars(query.order_by(InboxMessage.id)).all()


def band_of(session, policy, enterprise):
    return session.scalar(
        select(PolicyMatch.band).where(PolicyMatch.policy_id == policy.id, PolicyMatch.enterprise_id == enterprise.id)
    )


@pytest.fixture
def people(make_account, make_enterprise, make_member):
    """An enterprise that qualifies, with its legal representative and an agent."""
    boss, clerk = make_account("张伟"), make_account("陈静")
    enterprise = make_enterprise(employees=120, certifications=["high_tech"])
    make_member(boss, enterprise)
    make_member(clerk, enterprise, MembershipRole.AGENT, scopes=["policies"])
    return boss, clerk, enterprise


def test_dry_run_counts_per_town(session, make_enterprise, make_policy, district):
    make_enterprise(town="jtz", employees=100, certifications=["high_tech"])
    make_enterprise(town="jtz", employees=None, certifications=["high_tech"])
    make_enterprise(town="jtz", employees=100)
    make_enterprise(town="sjz", employees=200, certifications=["high_tech"])
    make_enterprise(town="sjz", employees=900, certifications=["high_tech"])
    make_enterprise(town=None, employees=10, certifications=["high_tech"])
    policy = make_policy(SMALL_HIGH_TECH)

    result = dry_run(session, policy)
    by_code = {row.code: (row.qualified, row.uncertain) for row in result.towns}
    assert by_code == {"jtz": (1, 1), "sjz": (1, 0), "yljd": (0, 0), None: (1, 0)}
    assert [row.code for row in result.towns][:3] == ["jtz", "sjz", "yljd"]  # towns only, no bureaus
    assert (result.qualified, result.uncertain, result.not_qualified) == (3, 1, 2)
    assert policy.status == PolicyStatus.DRAFT
    assert session.scalar(select(func.count(PolicyMatch.id))) == 0  # a dry run writes nothing
    # Criteria being edited can be tried before they are saved.
    assert dry_run(session, {"attr": "employees", "op": ">", "value": 500}).qualified == 1


def test_publishing_tells_each_qualified_enterprise_once(session, people, make_enterprise, make_policy):
    boss, clerk, enterprise = people
    make_enterprise(employees=100)  # not high-tech
    unknown = make_enterprise(employees=None, certifications=["high_tech"])
    policy = make_policy(SMALL_HIGH_TECH)

    report = publish(session, policy, boss, now=NOW)
    assert policy.status == PolicyStatus.PUBLISHED
    assert policy.published_at == NOW
    assert (report.qualified, report.uncertain, report.newly_qualified) == (1, 1, 1)
    assert (report.enterprises_told, report.messages) == (1, 2)
    assert band_of(session, policy, enterprise) == Band.QUALIFIED
    assert band_of(session, policy, unknown) == Band.UNCERTAIN
    told = messages(session)
    assert {m.account_id for m in told} == {boss.id, clerk.id}
    assert told[0].params["policy"] == policy.public_id
    assert told[0].params["enterprise"] == enterprise.public_id

    again = publish(session, policy, boss, now=NOW + timedelta(days=1))
    assert (again.qualified, again.newly_qualified, again.messages) == (1, 0, 0)
    assert len(messages(session)) == 2
    assert policy.published_at == NOW


def test_an_enterprise_that_newly_qualifies_is_told_once(
    session, people, make_enterprise, make_policy, make_account, make_member
):
    boss, _, _ = people
    other = make_enterprise(employees=None, certifications=["high_tech"])
    owner = make_account("李明")
    make_member(owner, other)
    policy = make_policy(SMALL_HIGH_TECH)
    publish(session, policy, boss, now=NOW)
    assert band_of(session, policy, other) == Band.UNCERTAIN
    assert messages(session, owner) == []

    report = update_profile(session, owner, other, {"employees": 40}, now=NOW)
    assert (report.newly_qualified, report.enterprises_told) == (1, 1)
    assert band_of(session, policy, other) == Band.QUALIFIED
    assert len(messages(session, owner)) == 1

    # Falling out and qualifying again does not tell them twice.
    update_profile(session, owner, other, {"employees": 4000}, now=NOW)
    assert band_of(session, policy, other) == Band.NOT_QUALIFIED
    report = update_profile(session, owner, other, {"employees": 30}, now=NOW)
    assert report.newly_qualified == 1
    assert report.enterprises_told == 0
    assert len(messages(session, owner)) == 1


def test_only_people_who_may_act_are_told(session, make_account, make_enterprise, make_member, make_policy):
    enterprise = make_enterprise(employees=10, certifications=["high_tech"])
    boss, appeals_only, pending, expired = (make_account() for _ in range(4))
    make_member(boss, enterprise)
    make_member(appeals_only, enterprise, MembershipRole.AGENT, scopes=["appeals"])
    make_member(pending, enterprise, MembershipRole.AGENT, status=MembershipStatus.PENDING, scopes=["policies"])
    make_member(expired, enterprise, MembershipRole.AGENT, scopes=["policies"], valid_until=NOW - timedelta(days=1))
    publish(session, make_policy(SMALL_HIGH_TECH), None, now=NOW)
    assert [m.account_id for m in messages(session)] == [boss.id]


def test_an_enterprise_with_nobody_to_tell_hears_once_someone_is_verified(
    session, make_enterprise, make_account, make_policy
):
    from portal.enterprises import register_enterprise

    enterprise = make_enterprise(employees=10, certifications=["high_tech"])
    policy = make_policy(SMALL_HIGH_TECH)
    report = publish(session, policy, None, now=NOW)
    assert (report.qualified, report.enterprises_told) == (1, 0)

    founder = make_account("王建国")
    officer = make_account("赵磊", staff_in="jjw")
    claim = register_enterprise(session, founder, uscc=enterprise.uscc, name_zh="", enterprise_type="", now=NOW)
    verify_representative(session, officer, claim, now=NOW)
    assert len(messages(session, founder)) == 1
    rematch_enterprise(session, enterprise, now=NOW)
    assert len(messages(session, founder)) == 1


def test_granted_without_application_opens_a_case_for_the_department(
    session, people, make_enterprise, make_policy, district
):
    boss, _, enterprise = people
    orphan = make_enterprise(employees=10, certifications=["high_tech"])
    policy = make_policy(
        SMALL_HIGH_TECH, method=ApplicationMethod.GRANTED_WITHOUT_APPLICATION, document_number="沪松科规〔2026〕1号"
    )

    report = publish(session, policy, None, now=NOW)
    assert len(report.grant_cases) == 1
    assert report.grants_noted == 1
    case = session.get(Case, report.grant_cases[0])
    assert case.kind == CaseKind.APPLICATION
    assert case.department_id == district["kw"].id
    assert case.sender_id == boss.id
    assert case.sender_enterprise_id == enterprise.id
    assert case.filed_by_id is None  # filed by the portal itself
    match = session.scalar(select(PolicyMatch).where(PolicyMatch.enterprise_id == enterprise.id))
    assert match.grant_case_id == case.id
    owed = session.scalar(select(PolicyMatch).where(PolicyMatch.enterprise_id == orphan.id))
    assert owed.grant_case_id is None and owed.grant_noted_at == NOW

    publish(session, policy, None, now=NOW + timedelta(hours=1))
    assert session.scalar(select(func.count(Case.id))) == 1  # never a second case


def test_subscribers_hear_of_a_new_policy_on_their_topic(
    session, people, make_enterprise, make_account, make_member, make_policy
):
    boss, clerk, enterprise = people
    follower = make_enterprise(employees=5000)
    reader = make_account("读者")
    make_member(reader, follower)
    for subscribed in (enterprise, follower):
        session.add(TopicSubscription(enterprise_id=subscribed.id, topic=PolicyTopic.INNOVATION))
    session.flush()
    policy = make_policy(SMALL_HIGH_TECH, topic=PolicyTopic.INNOVATION)
    report = publish(session, policy, None, now=NOW)
    topic = messages(session, key="enterprise.policy_topic.subject")
    # The qualified enterprise was told it qualifies; the follower hears of the policy.
    assert [m.account_id for m in topic] == [reader.id]
    assert report.topic_messages == 1
    publish(session, policy, None, now=NOW)
    assert len(messages(session, key="enterprise.policy_topic.subject")) == 1


def test_publishing_checks_the_policy(session, make_policy):
    no_clause = make_policy({"attr": "employees", "op": "<=", "value": 300})
    with pytest.raises(PolicyError) as caught:
        publish(session, no_clause, None, now=NOW)
    assert caught.value.code == "invalid_criteria"
    assert [e.code for e in caught.value.errors] == ["missing_clause"]

    unquoted = make_policy(SMALL_HIGH_TECH, clauses={"第二条第（一）项": "……"})
    assert [(e.code, e.pointer) for e in check_policy(unquoted, for_publishing=True)] == [
        ("unknown_clause", "/all/1/clause")
    ]
    assert check_policy(unquoted) == []

    broken = make_policy({"all": []}, clauses={})
    with pytest.raises(PolicyError) as caught:
        publish(session, broken, None, now=NOW)
    assert [e.code for e in caught.value.errors] == ["empty_group"]

    ended = make_policy(SMALL_HIGH_TECH, valid_until=date(2025, 12, 31))
    with pytest.raises(PolicyError) as caught:
        publish(session, ended, None, now=NOW)
    assert caught.value.code == "expired"

    withdrawn = make_policy(SMALL_HIGH_TECH)
    withdraw(session, withdrawn, _officer(session), now=NOW)
    with pytest.raises(PolicyError) as caught:
        publish(session, withdrawn, None, now=NOW)
    assert caught.value.code == "withdrawn"


def _officer(session):
    from portal.models import Account

    officer = Account(display_name="officer", username="officer.kw", password_hash="!")
    session.add(officer)
    session.flush()
    return officer


def test_rematch_covers_only_published_open_policies(session, people, make_policy):
    _, _, enterprise = people
    draft = make_policy(SMALL_HIGH_TECH)
    published = make_policy(SMALL_HIGH_TECH, status=PolicyStatus.PUBLISHED)
    report = rematch_enterprise(session, enterprise, now=NOW)
    assert report.qualified == 1
    assert band_of(session, published, enterprise) == Band.QUALIFIED
    assert band_of(session, draft, enterprise) is None


def test_ranked_matches_put_qualified_first_then_near_misses(session, make_enterprise, make_policy):
    enterprise = make_enterprise(employees=120, certifications=["high_tech"], revenue_last_year=None)
    clause = "第二条"
    rd = make_policy(
        {"attr": "rd_intensity", "op": ">=", "value": 3, "clause": clause}, status=PolicyStatus.PUBLISHED, title="研发"
    )
    big = make_policy(
        {"attr": "employees", "op": ">=", "value": 500, "clause": clause}, status=PolicyStatus.PUBLISHED, title="大"
    )
    fits = make_policy(SMALL_HIGH_TECH, status=PolicyStatus.PUBLISHED, title="合适")
    ranked = ranked_matches(session, enterprise, now=NOW)
    assert [r.policy for r in ranked] == [fits, rd, big]
    assert [r.explanation.band for r in ranked] == [Band.QUALIFIED, Band.UNCERTAIN, Band.NOT_QUALIFIED]
    assert ranked[1].explanation.missing == ("rd_intensity",)
    assert explain_policy(big, enterprise).unmet[0].threshold == 500


def test_only_legal_representatives_are_the_sender_of_grant_cases(
    session, make_enterprise, make_account, make_member, make_policy
):
    enterprise = make_enterprise(employees=10, certifications=["high_tech"])
    agent = make_account()
    make_member(agent, enterprise, MembershipRole.AGENT, scopes=["policies"])
    policy = make_policy(SMALL_HIGH_TECH, method=ApplicationMethod.GRANTED_WITHOUT_APPLICATION)
    report = publish(session, policy, None, now=NOW)
    assert report.grant_cases == [] and report.grants_noted == 1
    assert report.enterprises_told == 1  # the agent with the policies scope is still told
    assert session.scalar(select(func.count(Membership.id))) == 1


def test_following_topics_needs_the_policies_scope(session, make_account, make_enterprise, make_member):
    from portal.enterprises import EnterpriseError
    from portal.policy_matching import set_topics, topics_of

    enterprise = make_enterprise()
    boss, appeals_only = make_account(), make_account()
    make_member(boss, enterprise)
    make_member(appeals_only, enterprise, MembershipRole.AGENT, scopes=["appeals"])
    assert set_topics(session, boss, enterprise, ["talent", "digital"], now=NOW) == [
        PolicyTopic.DIGITAL,
        PolicyTopic.TALENT,
    ]
    set_topics(session, boss, enterprise, ["digital", "g60"], now=NOW)
    assert topics_of(session, enterprise) == [PolicyTopic.DIGITAL, PolicyTopic.G60]
    with pytest.raises(EnterpriseError) as caught:
        set_topics(session, appeals_only, enterprise, ["talent"], now=NOW)
    assert caught.value.code == "not_permitted"
    with pytest.raises(EnterpriseError) as caught:
        set_topics(session, boss, enterprise, ["gossip"], now=NOW)
    assert caught.value.code == "invalid_value"


def test_a_company_read_afresh_has_the_facts_of_its_certifications_on_file(session, make_enterprise):
    enterprise = make_enterprise(employees=120, certifications=["high_tech", "specialised_sme"])
    expected, enterprise_id = facts_of(enterprise), enterprise.id
    session.commit()
    session.expunge_all()
    fresh = session.get(Enterprise, enterprise_id)
    assert "certification_rows" in inspect(fresh).unloaded

    assert enterprise_facts(session, fresh) == expected
    assert expected["certifications"] == frozenset({"high_tech", "specialised_sme"})


def test_a_certification_added_changes_what_the_matches_depend_on(session, make_enterprise, make_policy):
    enterprise = make_enterprise(employees=120)
    fits = make_policy(SMALL_HIGH_TECH, status=PolicyStatus.PUBLISHED, title="合适")
    enterprise_id, policy_id = enterprise.id, fits.id
    session.commit()
    session.expunge_all()
    fresh = session.get(Enterprise, enterprise_id)
    before = matches_key(session, fresh, now=NOW)
    assert [r.explanation.band for r in ranked_matches(session, fresh, now=NOW) if r.policy.id == policy_id] == [
        Band.NOT_QUALIFIED]

    session.add(EnterpriseCertification(enterprise_id=enterprise_id, certification="high_tech"))  # not flushed yet

    assert matches_key(session, fresh, now=NOW) != before
    assert [r.explanation.band for r in ranked_matches(session, fresh, now=NOW) if r.policy.id == policy_id] == [
        Band.QUALIFIED]
