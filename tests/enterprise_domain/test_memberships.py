"""Legal representatives and agents: pending until confirmed, gone at once when removed or expired."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.enterprises import (
    EnterpriseError,
    active_membership,
    add_agent,
    confirm_membership,
    enterprises_of,
    find_enterprise_for,
    invitations_for,
    members_of,
    register_enterprise,
    revoke_membership,
    update_profile,
    verify_representative,
)
from portal.models import AuditEvent, InboxMessage, MembershipRole, MembershipStatus
from tests.enterprise_domain.conftest import NOW


@pytest.fixture
def company(make_account, make_enterprise, make_member):
    """A company with its legal representative, and a colleague who will become an agent."""
    boss = make_account("张伟")
    clerk = make_account("陈静")
    enterprise = make_enterprise("上海松江智造科技有限公司")
    make_member(boss, enterprise)
    return boss, clerk, enterprise


def inbox(session, account):
    return [m.subject_key for m in session.scalars(select(InboxMessage).where(InboxMessage.account_id == account.id))]


def test_an_agent_has_no_access_until_confirming(session, company):
    boss, clerk, enterprise = company
    membership = add_agent(session, boss, enterprise, clerk, scopes=["policies", "appeals"], now=NOW)
    assert membership.status == MembershipStatus.PENDING
    assert membership.granted_by_id == boss.id
    assert active_membership(session, clerk, enterprise, now=NOW) is None
    assert find_enterprise_for(session, clerk, enterprise.public_id, now=NOW) is None
    assert enterprises_of(session, clerk, now=NOW) == []
    assert invitations_for(session, clerk, now=NOW) == [membership]
    assert inbox(session, clerk) == ["enterprise.agent_invited.subject"]

    confirm_membership(session, clerk, membership, now=NOW)
    assert membership.status == MembershipStatus.ACTIVE
    assert active_membership(session, clerk, enterprise, now=NOW) == membership
    assert find_enterprise_for(session, clerk, enterprise.public_id, now=NOW) == enterprise
    assert enterprises_of(session, clerk, now=NOW) == [enterprise]
    assert inbox(session, boss) == ["enterprise.agent_confirmed.subject"]


def test_an_agent_acts_only_within_its_scope(session, company):
    boss, clerk, enterprise = company
    membership = add_agent(session, boss, enterprise, clerk, scopes=["appeals"], now=NOW)
    confirm_membership(session, clerk, membership, now=NOW)
    assert active_membership(session, clerk, enterprise, scope="appeals", now=NOW) == membership
    assert active_membership(session, clerk, enterprise, scope="policies", now=NOW) is None
    assert enterprises_of(session, clerk, scope="policies", now=NOW) == []
    # The legal representative holds every scope.
    assert active_membership(session, boss, enterprise, scope="policies", now=NOW) is not None


def test_a_removed_agent_loses_access_at_once(session, company):
    boss, clerk, enterprise = company
    membership = add_agent(session, boss, enterprise, clerk, scopes=["affairs"], now=NOW)
    confirm_membership(session, clerk, membership, now=NOW)
    session.commit()
    assert find_enterprise_for(session, clerk, enterprise.public_id, now=NOW) == enterprise

    revoke_membership(session, boss, membership, now=NOW + timedelta(minutes=1))
    session.commit()
    later = NOW + timedelta(minutes=1, seconds=1)
    assert find_enterprise_for(session, clerk, enterprise.public_id, now=later) is None
    assert enterprises_of(session, clerk, now=later) == []
    assert membership.revoked_by_id == boss.id
    assert "enterprise.agent_removed.subject" in inbox(session, clerk)
    with pytest.raises(EnterpriseError) as caught:
        revoke_membership(session, boss, membership, now=later)
    assert caught.value.code == "already_revoked"


def test_an_expired_binding_gives_no_access(session, company):
    boss, clerk, enterprise = company
    until = NOW + timedelta(days=30)
    membership = add_agent(session, boss, enterprise, clerk, scopes=["affairs"], valid_until=until, now=NOW)
    confirm_membership(session, clerk, membership, now=NOW)
    assert active_membership(session, clerk, enterprise, now=until - timedelta(seconds=1)) == membership
    assert active_membership(session, clerk, enterprise, now=until) is None
    assert enterprises_of(session, clerk, now=until) == []


def test_an_expired_invitation_cannot_be_confirmed(session, company):
    boss, clerk, enterprise = company
    until = NOW + timedelta(days=1)
    membership = add_agent(session, boss, enterprise, clerk, scopes=["affairs"], valid_until=until, now=NOW)
    assert invitations_for(session, clerk, now=until) == []
    with pytest.raises(EnterpriseError) as caught:
        confirm_membership(session, clerk, membership, now=until)
    assert caught.value.code == "expired"


def test_only_the_invited_person_confirms(session, company, make_account):
    boss, clerk, enterprise = company
    membership = add_agent(session, boss, enterprise, clerk, scopes=["affairs"], now=NOW)
    with pytest.raises(EnterpriseError) as caught:
        confirm_membership(session, make_account(), membership, now=NOW)
    assert caught.value.code == "not_yours"
    confirm_membership(session, clerk, membership, now=NOW)
    with pytest.raises(EnterpriseError) as caught:
        confirm_membership(session, clerk, membership, now=NOW)
    assert caught.value.code == "not_pending"


def test_only_an_active_legal_representative_adds_agents(session, company, make_account):
    boss, clerk, enterprise = company
    membership = add_agent(session, boss, enterprise, clerk, scopes=["affairs"], now=NOW)
    confirm_membership(session, clerk, membership, now=NOW)
    with pytest.raises(EnterpriseError) as caught:
        add_agent(session, clerk, enterprise, make_account(), scopes=["affairs"], now=NOW)
    assert caught.value.code == "not_legal_representative"
    with pytest.raises(EnterpriseError) as caught:
        add_agent(session, make_account(), enterprise, make_account(), scopes=["affairs"], now=NOW)
    assert caught.value.code == "not_legal_representative"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"scopes": []}, "no_scope"),
        ({"scopes": ["everything"]}, "invalid_scope"),
        ({"scopes": ["affairs"], "valid_until": NOW}, "expiry_in_past"),
    ],
)
def test_agent_bindings_are_checked(session, company, kwargs, code):
    boss, clerk, enterprise = company
    with pytest.raises(EnterpriseError) as caught:
        add_agent(session, boss, enterprise, clerk, now=NOW, **kwargs)
    assert caught.value.code == code


def test_no_duplicate_binding_and_not_oneself(session, company):
    boss, clerk, enterprise = company
    add_agent(session, boss, enterprise, clerk, scopes=["affairs"], now=NOW)
    with pytest.raises(EnterpriseError) as caught:
        add_agent(session, boss, enterprise, clerk, scopes=["appeals"], now=NOW)
    assert caught.value.code == "already_member"
    with pytest.raises(EnterpriseError) as caught:
        add_agent(session, boss, enterprise, boss, scopes=["appeals"], now=NOW)
    assert caught.value.code == "own_membership"


def test_an_agent_may_leave_but_not_remove_others(session, company, make_account):
    boss, clerk, enterprise = company
    other = make_account()
    mine = add_agent(session, boss, enterprise, clerk, scopes=["affairs"], now=NOW)
    theirs = add_agent(session, boss, enterprise, other, scopes=["affairs"], now=NOW)
    confirm_membership(session, clerk, mine, now=NOW)
    with pytest.raises(EnterpriseError) as caught:
        revoke_membership(session, clerk, theirs, now=NOW)
    assert caught.value.code == "not_legal_representative"
    revoke_membership(session, other, theirs, now=NOW)  # declining an invitation
    revoke_membership(session, clerk, mine, now=NOW)
    assert active_membership(session, clerk, enterprise, now=NOW) is None
    assert {m.account_id: m.status for m in members_of(session, enterprise)} == {
        boss.id: MembershipStatus.ACTIVE,
        clerk.id: MembershipStatus.REVOKED,
        other.id: MembershipStatus.REVOKED,
    }


def test_a_legal_representative_is_not_revoked_as_an_agent(session, company):
    boss, _, enterprise = company
    with pytest.raises(EnterpriseError) as caught:
        revoke_membership(session, boss, active_membership(session, boss, enterprise, now=NOW), now=NOW)
    assert caught.value.code == "not_permitted"


def test_membership_changes_are_audited(session, company):
    boss, clerk, enterprise = company
    membership = add_agent(session, boss, enterprise, clerk, scopes=["affairs"], now=NOW)
    confirm_membership(session, clerk, membership, now=NOW)
    revoke_membership(session, boss, membership, now=NOW)
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["enterprise.agent_added", "enterprise.agent_confirmed", "enterprise.membership_revoked"]


def test_registration_becomes_a_legal_representative_once_verified(session, make_account, district):
    founder = make_account("王建国")
    officer = make_account("赵磊", staff_in="jjw")
    membership = register_enterprise(
        session,
        founder,
        uscc=" 91310117ma1fl3k290 ",
        name_zh="上海泗泾云图软件有限公司",
        enterprise_type="limited_company",
        industry_code="6513",
        town=district["sjz"],
        now=NOW,
    )
    enterprise = membership.enterprise
    assert enterprise.uscc == "91310117MA1FL3K290"
    assert enterprise.industry_section == "I"
    assert membership.role == MembershipRole.LEGAL_REPRESENTATIVE
    assert membership.status == MembershipStatus.PENDING
    assert enterprises_of(session, founder, now=NOW) == []

    with pytest.raises(EnterpriseError) as caught:
        verify_representative(session, founder, membership, now=NOW)
    assert caught.value.code == "not_permitted"
    verify_representative(session, officer, membership, now=NOW)
    assert enterprise.verified_at == NOW
    assert enterprises_of(session, founder, now=NOW) == [enterprise]
    assert "enterprise.representative_verified.subject" in inbox(session, founder)


def test_verifying_a_new_legal_representative_ends_the_old_one(session, company, make_account):
    boss, _, enterprise = company
    successor = make_account("李明")
    officer = make_account("赵磊", staff_in="jjw")
    claim = register_enterprise(session, successor, uscc=enterprise.uscc, name_zh="", enterprise_type="x", now=NOW)
    assert claim.enterprise == enterprise  # an enterprise on file is claimed, not registered twice
    verify_representative(session, officer, claim, now=NOW)
    assert active_membership(session, boss, enterprise, now=NOW) is None
    assert active_membership(session, successor, enterprise, now=NOW).role == MembershipRole.LEGAL_REPRESENTATIVE


@pytest.mark.parametrize(
    ("uscc", "problem"),
    [
        ("91310117MA1FL3K291", "check_character"),
        ("91310117MA1FL3K2", "format"),
        ("01310117MA1FL3K290", "registration_authority"),
    ],
)
def test_registration_refuses_invalid_codes_with_the_reason(session, make_account, uscc, problem):
    with pytest.raises(EnterpriseError) as caught:
        register_enterprise(session, make_account(), uscc=uscc, name_zh="某公司", enterprise_type="limited_company")
    assert caught.value.code == "invalid_uscc"
    assert caught.value.params == {"problem": problem}


def test_profile_updates_need_the_profile_scope(session, company):
    boss, clerk, enterprise = company
    membership = add_agent(session, boss, enterprise, clerk, scopes=["appeals"], now=NOW)
    confirm_membership(session, clerk, membership, now=NOW)
    with pytest.raises(EnterpriseError) as caught:
        update_profile(session, clerk, enterprise, {"employees": 10}, now=NOW)
    assert caught.value.code == "not_permitted"
    update_profile(session, boss, enterprise, {"employees": 10, "rd_spend_last_year": None}, now=NOW)
    assert enterprise.employees == 10
    for changes, code in [({"uscc": "x"}, "unknown_field"), ({"employees": -1}, "invalid_value")]:
        with pytest.raises(EnterpriseError) as caught:
            update_profile(session, boss, enterprise, changes, now=NOW)
        assert caught.value.code == code
