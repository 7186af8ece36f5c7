"""Who may open a company's pages: its own staff only, loaded afresh on every request."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import Account, Enterprise, Membership, MembershipRole, MembershipStatus
from portal.models.base import utcnow
from tests.enterprise.conftest import AGENT, COMPANY_USCC, OTHER_USCC, REPRESENTATIVE, RESIDENT, company_urls


def test_the_legal_representative_opens_every_company_page(person, company_ids):
    client = person(REPRESENTATIVE)
    for url in company_urls(company_ids[COMPANY_USCC]):
        response = client.get(url)
        assert response.status_code == 200, url
        assert len(response.data) < 60 * 1024, url


def test_home_lists_only_ones_own_companies(person, company_ids):
    html = person(REPRESENTATIVE).get("/enterprise/").get_data(as_text=True)
    assert company_ids[COMPANY_USCC] in html
    assert "Invitations waiting for you" not in html
    # 陈静 acts for the first company and is still invited by the second.
    agent = person(AGENT).get("/enterprise/").get_data(as_text=True)
    assert company_ids[COMPANY_USCC] in agent and company_ids[OTHER_USCC] not in agent.split("Your companies")[1]
    assert "Invitations waiting for you" in agent


def test_another_companys_agent_gets_404_on_every_company_url(app, person, company_ids):
    with app.app_context():
        resident = db.session.scalar(select(Account).where(Account.mobile == RESIDENT))
        other = db.session.scalar(select(Enterprise).where(Enterprise.uscc == OTHER_USCC))
        db.session.add(Membership(account_id=resident.id, enterprise_id=other.id, role=MembershipRole.AGENT,
                                  status=MembershipStatus.ACTIVE, scopes=["affairs", "policies", "appeals", "profile"],
                                  valid_from=utcnow()))
        db.session.commit()
    client = person(RESIDENT)
    assert client.get(f"/enterprise/c/{company_ids[OTHER_USCC]}").status_code == 200
    for url in company_urls(company_ids[COMPANY_USCC]):
        assert client.get(url).status_code == 404, url


def test_a_pending_agent_has_no_access(person, company_ids):
    client = person(AGENT)
    for url in company_urls(company_ids[OTHER_USCC]):
        assert client.get(url).status_code == 404, url


def test_an_agent_removed_loses_access_at_once(app, person, company_ids):
    company = company_ids[COMPANY_USCC]
    agent = person(AGENT)
    assert agent.get(f"/enterprise/c/{company}/matches").status_code == 200
    assert agent.get(f"/enterprise/c/{company}/agents").status_code == 403  # the legal representative's page
    with app.app_context():
        binding = db.session.scalar(
            select(Membership.public_id).join(Account, Membership.account_id == Account.id)
            .where(Account.mobile == AGENT, Membership.status == MembershipStatus.ACTIVE)
        )
    representative = person(REPRESENTATIVE)
    response = representative.post(f"/enterprise/c/{company}/agents/{binding}/remove")
    assert response.status_code == 303
    for url in company_urls(company):
        assert agent.get(url).status_code == 404, url


def test_an_invited_agent_confirms_and_then_acts(person, company_ids):
    other = company_ids[OTHER_USCC]
    agent = person(AGENT)
    html = agent.get("/enterprise/").get_data(as_text=True)
    invitation = html.split("/enterprise/invitations/")[1].split("/")[0]
    assert agent.post(f"/enterprise/invitations/{invitation}/confirm").status_code == 303
    assert agent.get(f"/enterprise/c/{other}/matches").status_code == 200
    assert agent.get(f"/enterprise/c/{other}/profile").status_code == 404  # not within the agent's scopes


def test_adding_an_agent_answers_alike_for_unknown_numbers(person, company_ids):
    client = person(REPRESENTATIVE)
    url = f"/enterprise/c/{company_ids[COMPANY_USCC]}/agents"
    known = client.post(url, data={"mobile": RESIDENT, "scopes": ["appeals"]}, follow_redirects=True)
    unknown = client.post(url, data={"mobile": "13912345678", "scopes": ["appeals"]}, follow_redirects=True)
    assert "that person is invited" in known.get_data(as_text=True)
    assert "that person is invited" in unknown.get_data(as_text=True)


def test_signed_out_visitors_see_the_public_home_and_are_sent_to_sign_in(client, seeded, company_ids):
    assert "District departments" in client.get("/enterprise/").get_data(as_text=True)
    response = client.get(f"/enterprise/c/{company_ids[COMPANY_USCC]}")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
