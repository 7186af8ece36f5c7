"""The enterprise end's pages on the demo district: one test client per person."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Account, Enterprise

COMPANY_USCC = "91310117MA1FPX3K11"  # 上海松江智造科技有限公司: 张伟 legal representative, 陈静 agent
OTHER_USCC = "91310117MA7C4Y2N6F"  # 上海云间数据科技有限公司: 陈静's invitation still pending
REPRESENTATIVE, AGENT, RESIDENT = "13800000011", "13800000012", "13800000001"


@pytest.fixture
def person(app, seeded):
    """`person("13800000011")`: a test client signed in as that person through the real forms."""
    from auth.models import TotpCredential
    from tests.helpers import DEMO_PASSWORD, DEMO_TOTP_SECRET, totp_code

    def sign_in(username: str):
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        response = client.post("/auth/login", data={"username": username, "password": DEMO_PASSWORD})
        if "/auth/mfa" in response.headers.get("Location", ""):
            with app.app_context():
                account = db.session.scalar(select(Account).where(Account.username == username))
                credential = db.session.scalar(select(TotpCredential).filter_by(account_id=account.id))
                ahead = max(0, credential.last_used_step + 1 - int(time.time() // 30))
            client.post("/auth/mfa", data={"code": totp_code(DEMO_TOTP_SECRET, ahead)})
        return client

    return sign_in


@pytest.fixture
def company_ids(app, seeded):
    with app.app_context():
        return {
            uscc: db.session.scalar(select(Enterprise.public_id).where(Enterprise.uscc == uscc))
            for uscc in (COMPANY_USCC, OTHER_USCC)
        }


def company_urls(public_id: str) -> list[str]:
    base = f"/enterprise/c/{public_id}"
    return [base, f"{base}/agents", f"{base}/profile", f"{base}/matches", f"{base}/policies", f"{base}/topics",
            f"{base}/code", f"{base}/services", f"{base}/appeals", f"{base}/appeals/new", f"{base}/inbox"]
