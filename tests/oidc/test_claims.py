"""Claims per scope, computed from an account alone."""

from __future__ import annotations

import pytest

from auth.oidc import claims
from portal.models import Account, ResidentProfile, StaffPosition, StaffRole


def resident(**fields) -> Account:
    account = Account(public_id="p-resident", mobile="13800000001", display_name="李明", **fields)
    account.resident = ResidentProfile(real_name="李明", resident_id_number="310117198805121232")
    return account


def test_openid_alone_says_only_who():
    assert claims.user_claims(resident(), ["openid"]) == {"sub": "p-resident"}


def test_profile_and_phone():
    account = resident(locale="zh")
    assert claims.user_claims(account, ["openid", "profile", "phone"]) == {
        "sub": "p-resident", "name": "李明", "locale": "zh-CN",
        "phone_number": "+8613800000001", "phone_number_verified": False,
    }


def test_staff_have_a_login_name_and_the_gov_end():
    officer = Account(public_id="p-officer", username="officer.jw", display_name="赵磊")
    officer.staff_positions = [StaffPosition(role=StaffRole.OFFICER)]
    released = claims.user_claims(officer, ["openid", "profile", "phone", "portal.ends"])
    assert released == {"sub": "p-officer", "name": "赵磊", "preferred_username": "officer.jw",
                        "portal_ends": ["gov"]}


def test_acting_for_someone_names_both():
    elder = resident()
    son = Account(public_id="p-son", display_name="王建国")
    assert claims.user_claims(elder, ["openid"], actor=son) == {"sub": "p-resident", "act": {"sub": "p-son"}}
    assert "act" not in claims.user_claims(elder, ["openid"], actor=elder)


def test_enterprise_claims_appear_once_memberships_exist(monkeypatch):
    account = resident()
    assert "enterprises" not in claims.user_claims(account, ["openid", "portal.enterprise"])
    monkeypatch.setattr(claims, "enterprise_memberships",
                        lambda _account: [claims.EnterpriseRole("91310117MA1J00000X", "agent")])
    released = claims.user_claims(account, ["openid", "portal.ends", "portal.enterprise"])
    assert released["enterprises"] == [{"uscc": "91310117MA1J00000X", "role": "agent"}]
    assert released["portal_ends"] == ["citizen", "enterprise"]


@pytest.mark.parametrize("scope", claims.SUPPORTED_SCOPES)
def test_every_scope_is_described_for_the_consent_page(scope):
    [info] = claims.describe([scope])
    assert str(info.description)
