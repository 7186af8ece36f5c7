"""A family member acting for an elder: tokens carry both (`sub` the elder, `act` the helper)."""

from __future__ import annotations

import jwt
from sqlalchemy import select

from portal.extensions import db
from portal.models import Account, AuditEvent


def public_id(app, mobile):
    with app.app_context():
        return db.session.scalar(select(Account.public_id).where(Account.mobile == mobile))


def test_tokens_name_the_elder_as_subject_and_the_helper_as_actor(app, client, login, dept_system):
    elder, son = public_id(app, "13800000002"), public_id(app, "13800000003")
    login("13800000003")
    with client.session_transaction() as session:
        session["acting_for"] = elder  # what the delegation feature (a later issue) will set
    page = dept_system.authorize("openid profile", ui_locales="en").get_data(as_text=True)
    assert "are acting for 王秀英" in page

    location = dept_system.authorize("openid profile", method="POST", data={"decision": "allow"}).location
    tokens = dept_system.exchange(location).get_json()
    claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    assert claims["sub"] == elder
    assert claims["act"] == {"sub": son}
    info = client.get("/oidc/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}).get_json()
    assert info == {"sub": elder, "name": "王秀英", "act": {"sub": son}}

    with app.app_context():
        [issued] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "oidc.token")).all()
        accounts = dict(db.session.execute(select(Account.id, Account.public_id)).all())
        assert accounts[issued.subject_id] == elder
        assert accounts[issued.actor_id] == son
