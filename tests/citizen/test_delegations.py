"""Acting for an elder: invite, accept, act, revoke, expiry, and nobody else may use it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal import delegations
from portal.delegations import DelegationError
from portal.extensions import db
from portal.models import AuditEvent, DelegationStatus

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def family(make_resident):
    return make_resident("王秀英"), make_resident("王建国"), make_resident("路人甲")


def invite(elder, son, **options):
    options = {"scopes": {"view_cases", "file_applications"}, "days": 365, "now": NOW, **options}
    return delegations.invite(db.session, elder, mobile=son.mobile, **options)


def error_of(call) -> str:
    with pytest.raises(DelegationError) as caught:
        call()
    return caught.value.code


def test_invite_accept_act_and_revoke(family):
    elder, son, _stranger = family
    invitation = invite(elder, son, relationship_note="儿子")
    assert invitation.status == DelegationStatus.INVITED and invitation.representative_id is None
    assert delegations.invitations_for(db.session, son, now=NOW) == [invitation]
    assert delegations.active_delegation(db.session, son, elder, now=NOW) is None  # not before accepting

    delegations.accept(db.session, son, invitation.public_id, now=NOW)
    assert invitation.status == DelegationStatus.ACTIVE and invitation.representative_id == son.id
    assert delegations.held_by(db.session, son, now=NOW) == [invitation]
    assert delegations.active_delegation(db.session, son, elder, scope="file_applications", now=NOW) == invitation
    assert delegations.start_acting(db.session, son, invitation.public_id, now=NOW) is elder

    delegations.revoke(db.session, elder, invitation.public_id, now=NOW)
    assert delegations.active_delegation(db.session, son, elder, now=NOW) is None
    assert error_of(lambda: delegations.start_acting(db.session, son, invitation.public_id, now=NOW)) == "not_allowed"
    assert error_of(lambda: delegations.require_delegation(db.session, son, elder, now=NOW)) == "not_allowed"


def test_every_step_is_audited_with_both_people(family):
    elder, son, _ = family
    invitation = invite(elder, son)
    delegations.accept(db.session, son, invitation.public_id, now=NOW)
    delegations.start_acting(db.session, son, invitation.public_id, now=NOW)
    delegations.revoke(db.session, elder, invitation.public_id, now=NOW)
    rows = {
        e.action: (e.actor_id, e.subject_id)
        for e in db.session.scalars(db.select(AuditEvent).where(AuditEvent.action.like("delegation.%")))
    }
    assert rows == {
        "delegation.invite": (elder.id, elder.id),
        "delegation.accept": (son.id, elder.id),
        "delegation.act": (son.id, elder.id),
        "delegation.revoke": (elder.id, elder.id),
    }


def test_scope_is_respected(family):
    elder, son, _ = family
    invitation = invite(elder, son, scopes={"view_cases"})
    delegations.accept(db.session, son, invitation.public_id, now=NOW)
    assert delegations.active_delegation(db.session, son, elder, scope="view_cases", now=NOW)
    assert delegations.active_delegation(db.session, son, elder, scope="file_applications", now=NOW) is None
    with pytest.raises(ValueError):
        delegations.active_delegation(db.session, son, elder, scope="everything", now=NOW)


def test_an_expired_delegation_is_refused(family):
    elder, son, _ = family
    invitation = invite(elder, son, days=30)
    delegations.accept(db.session, son, invitation.public_id, now=NOW)
    later = NOW + timedelta(days=30)
    assert delegations.active_delegation(db.session, son, elder, now=later) is None
    assert delegations.held_by(db.session, son, now=later) == []
    assert error_of(lambda: delegations.start_acting(db.session, son, invitation.public_id, now=later)) == "expired"


def test_an_expired_invitation_cannot_be_accepted(family):
    elder, son, _ = family
    invitation = invite(elder, son, days=30)
    later = NOW + timedelta(days=31)
    assert delegations.invitations_for(db.session, son, now=later) == []
    assert error_of(lambda: delegations.accept(db.session, son, invitation.public_id, now=later)) == "expired"


def test_a_third_resident_can_neither_accept_nor_use_nor_end_it(family):
    elder, son, stranger = family
    invitation = invite(elder, son)
    public_id = invitation.public_id
    assert delegations.invitations_for(db.session, stranger, now=NOW) == []
    assert error_of(lambda: delegations.accept(db.session, stranger, public_id, now=NOW)) == "not_found"
    delegations.accept(db.session, son, public_id, now=NOW)
    assert delegations.active_delegation(db.session, stranger, elder, now=NOW) is None
    assert error_of(lambda: delegations.start_acting(db.session, stranger, public_id, now=NOW)) == "not_found"
    assert error_of(lambda: delegations.revoke(db.session, stranger, public_id, now=NOW)) == "not_found"
    assert error_of(lambda: delegations.decline(db.session, stranger, public_id, now=NOW)) == "not_found"


def test_the_representative_may_step_down_or_decline(family):
    elder, son, stranger = family
    first = invite(elder, son)
    delegations.decline(db.session, son, first.public_id, now=NOW)
    assert first.status == DelegationStatus.DECLINED
    assert error_of(lambda: delegations.accept(db.session, son, first.public_id, now=NOW)) == "not_found"
    second = invite(elder, son)
    delegations.accept(db.session, son, second.public_id, now=NOW)
    delegations.revoke(db.session, son, second.public_id, now=NOW)
    assert second.status == DelegationStatus.REVOKED and second.ended_by_id == son.id


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"scopes": set()}, "no_scope"),
        ({"days": 7}, "invalid_duration"),
    ],
)
def test_bad_invitations_are_refused(family, options, code):
    elder, son, _ = family
    assert error_of(lambda: invite(elder, son, **options)) == code


def test_mobile_checks_and_limits(family, make_resident):
    elder, son, _ = family
    assert error_of(lambda: delegations.invite(db.session, elder, mobile="12345", scopes={"view_cases"}, days=30,
                                               now=NOW)) == "invalid_mobile"
    assert error_of(lambda: invite(elder, elder)) == "own_mobile"
    invite(elder, son)
    assert error_of(lambda: invite(elder, son)) == "already_invited"
    for _ in range(delegations.MAX_OPEN - 1):
        invite(elder, make_resident("亲属"))
    assert error_of(lambda: invite(elder, make_resident("又一位"))) == "too_many"


def test_an_invitation_to_a_number_without_an_account_waits_for_it(family, make_resident):
    elder, _, _ = family
    invitation = delegations.invite(db.session, elder, mobile="13911112222", scopes={"view_cases"}, days=90, now=NOW)
    newcomer = make_resident("新用户", mobile="13911112222")
    assert delegations.invitations_for(db.session, newcomer, now=NOW) == [invitation]
