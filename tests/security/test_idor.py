"""IDOR: every URL that names an object, opened by people who have no business with it.

Each row of DOORS is one object URL of the three ends with its owner (who gets the page) and the
people who must be refused: another resident (also while acting for his mother), another
company's agent and legal representative, an officer of another department, someone signed out.
Refused means 403 or 404 (or, signed out, the sign-in page), the object's secret marker nowhere in
the answer, and for a POST nothing written. `test_every_object_route_has_a_row` keeps the table
complete: a route with a variable part that is not here fails it, whether it is committed or not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from flask import Flask

from tests.security.routes import fill, object_rules
from tests.security.world import changed_tables

# Who tries each kind of object.
AGAINST_RESIDENT = ("son", "son_acting", "other_agent", "other_representative", "officer.fs", "admin", "anonymous")
AGAINST_COMPANY = ("resident", "other_agent", "other_representative", "officer.jw", "anonymous")
AGAINST_LEGAL_REP = (*AGAINST_COMPANY, "agent")  # the company's own agent is not its legal representative
AGAINST_JJW = ("officer.fs", "lead.fs", "resident", "representative", "other_agent", "anonymous")
AGAINST_FSJD = ("officer.jw", "lead.jw", "son", "representative", "other_agent", "anonymous")
AGAINST_XZFWZX = ("officer.jw", "officer.fs", "lead.fs", "son", "other_agent", "anonymous")
AGAINST_ADMIN = ("officer.jw", "lead.fs", "resident", "other_agent", "anonymous")
AGAINST_STAFF = ("resident", "representative", "other_agent", "anonymous")


@dataclass(frozen=True)
class Door:
    endpoint: str
    method: str
    values: Callable[[dict], dict]  # the URL's variable parts, from the world's ids
    owner: str
    attackers: tuple[str, ...]
    marker: str | None = None  # the world marker the owner sees and nobody else may
    data: dict = field(default_factory=dict)

    def url(self, app: Flask, ids: dict) -> str:
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == self.endpoint and self.method in r.methods)
        return fill(rule, self.values(ids))

    def __str__(self) -> str:
        return f"{self.method} {self.endpoint}"


def _company(ids, **more):
    return {"public_id": ids["company"], **more}


NOTE = {"notes": "An attacker's note"}
RATING = {"rating": "very_dissatisfied", "comment": "An attacker's rating"}
APPEAL = {"category": "1", "title": "An attacker's appeal", "body": "An attacker's appeal"}

DOORS = [
    # --- citizen: a resident's own objects ---
    Door("citizen.case", "GET", lambda i: {"public_id": i["request"]}, "resident", AGAINST_RESIDENT, "request"),
    Door("citizen.resubmit_case", "POST", lambda i: {"public_id": i["request_waiting"]}, "resident",
         AGAINST_RESIDENT, data={"notes": "An attacker's answer"}),
    Door("citizen.rate_case", "POST", lambda i: {"public_id": i["request_closed"]}, "resident", AGAINST_RESIDENT,
         data=RATING),
    Door("citizen.application", "GET", lambda i: {"public_id": i["application"]}, "resident", AGAINST_RESIDENT,
         "application"),
    Door("citizen.application_file", "GET",
         lambda i: {"public_id": i["application"], "attachment_id": i["attachment"]}, "resident", AGAINST_RESIDENT,
         "file"),
    Door("citizen.draft", "GET", lambda i: {"public_id": i["draft"]}, "resident", AGAINST_RESIDENT, "draft"),
    Door("citizen.draft", "POST", lambda i: {"public_id": i["draft"]}, "resident", AGAINST_RESIDENT,
         data={"applicant_name": "An attacker", "action": "save"}),
    Door("citizen.delete_draft", "POST", lambda i: {"public_id": i["draft"]}, "resident", AGAINST_RESIDENT),
    Door("citizen.paper_code", "GET", lambda i: {"public_id": i["paper_code"]}, "resident", AGAINST_RESIDENT),
    Door("citizen.revoke_paper_code", "POST", lambda i: {"public_id": i["paper_code"]}, "resident",
         AGAINST_RESIDENT),
    # The elder's delegation to her son, and her invitation to the demo agent.
    Door("citizen.revoke_delegation", "POST", lambda i: {"public_id": i["delegation"]}, "elder",
         ("resident", "other_agent", "officer.fs", "anonymous")),
    Door("citizen.act_for", "POST", lambda i: {"public_id": i["delegation"]}, "son",
         ("resident", "other_agent", "officer.fs", "anonymous")),
    Door("citizen.accept_invitation", "POST", lambda i: {"public_id": i["invitation"]}, "agent",
         ("resident", "son", "other_agent", "officer.fs", "anonymous")),
    Door("citizen.decline_invitation", "POST", lambda i: {"public_id": i["invitation"]}, "agent",
         ("resident", "son", "other_agent", "officer.fs", "anonymous")),
    # --- enterprise: the demo company's pages ---
    Door("enterprise.dashboard", "GET", _company, "representative", AGAINST_COMPANY),
    Door("enterprise.agents", "GET", _company, "representative", AGAINST_LEGAL_REP),
    Door("enterprise.add_agent", "POST", _company, "representative", AGAINST_LEGAL_REP,
         data={"mobile": "13800000001", "scopes": "appeals"}),
    Door("enterprise.remove_agent", "POST", lambda i: _company(i, membership_id=i["agent_membership"]),
         "representative", AGAINST_LEGAL_REP),
    Door("enterprise.appeals", "GET", _company, "representative", AGAINST_COMPANY, "appeal"),
    Door("enterprise.appeal", "GET", lambda i: _company(i, case_id=i["appeal"]), "representative", AGAINST_COMPANY,
         "appeal"),
    Door("enterprise.resubmit_appeal", "POST", lambda i: _company(i, case_id=i["appeal_waiting"]), "representative",
         AGAINST_COMPANY, data={"notes": "An attacker's answer"}),
    Door("enterprise.rate_appeal", "POST", lambda i: _company(i, case_id=i["appeal_closed"]), "representative",
         AGAINST_COMPANY, data=RATING),
    Door("enterprise.new_appeal", "GET", _company, "representative", AGAINST_COMPANY),
    Door("enterprise.new_appeal", "POST", _company, "representative", AGAINST_COMPANY, data=APPEAL),
    Door("enterprise.company_code", "GET", _company, "representative", AGAINST_COMPANY),
    Door("enterprise.inbox", "GET", _company, "representative", AGAINST_COMPANY),
    Door("enterprise.read_inbox", "POST", _company, "representative", AGAINST_COMPANY),
    Door("enterprise.matches", "GET", _company, "representative", AGAINST_COMPANY),
    Door("enterprise.policies", "GET", _company, "representative", AGAINST_COMPANY),
    Door("enterprise.policy", "GET", lambda i: _company(i, policy_id=i["published_policy"]), "representative",
         AGAINST_COMPANY),
    Door("enterprise.profile", "GET", _company, "representative", AGAINST_COMPANY),
    Door("enterprise.profile", "POST", _company, "representative", AGAINST_COMPANY,
         data={"employees": "1", "name_en": "Taken over"}),
    Door("enterprise.services", "GET", _company, "representative", AGAINST_COMPANY),
    Door("enterprise.service", "GET", lambda i: _company(i, code=i["enterprise_service"]), "representative",
         AGAINST_COMPANY),
    Door("enterprise.topics", "GET", _company, "representative", AGAINST_COMPANY),
    Door("enterprise.topics", "POST", _company, "representative", AGAINST_COMPANY, data={"topics": "green"}),
    Door("enterprise.answer_invitation", "POST",
         lambda i: {"public_id": i["pending_agent_invitation"], "answer": "confirm"}, "agent",
         ("resident", "son", "other_agent", "representative", "officer.jw", "anonymous")),
    # --- gov: the desk's cases, files, policies, announcements, clients, verifications ---
    Door("gov.case", "GET", lambda i: {"public_id": i["appeal"]}, "officer.jw", AGAINST_JJW, "appeal"),
    Door("gov.case", "GET", lambda i: {"public_id": i["request"]}, "officer.fs", AGAINST_FSJD, "request"),
    Door("gov.act", "POST", lambda i: {"public_id": i["appeal"], "action": "note"}, "officer.jw", AGAINST_JJW,
         data={"note-notes": "An attacker's note"}),
    Door("gov.act", "POST", lambda i: {"public_id": i["fsjd_request"], "action": "accept"}, "officer.fs",
         AGAINST_FSJD),
    Door("gov.case_file", "GET", lambda i: {"public_id": i["application"], "attachment_id": i["attachment"]},
         "admin", AGAINST_XZFWZX, "file"),
    Door("gov.policy", "GET", lambda i: {"public_id": i["draft_policy"]}, "lead.jw", AGAINST_JJW, "policy"),
    Door("gov.edit_policy", "GET", lambda i: {"public_id": i["draft_policy"]}, "lead.jw", AGAINST_JJW, "policy"),
    Door("gov.edit_policy", "POST", lambda i: {"public_id": i["draft_policy"]}, "lead.jw", AGAINST_JJW,
         data={"title_zh": "Taken over"}),
    Door("gov.policy_action", "POST", lambda i: {"public_id": i["draft_policy"], "action": "publish"}, "lead.jw",
         AGAINST_JJW),
    Door("gov.read_announcement", "POST", lambda i: {"public_id": i["announcement"]}, "officer.jw", AGAINST_STAFF),
    Door("gov.withdraw_announcement", "POST", lambda i: {"public_id": i["announcement"]}, "admin", AGAINST_ADMIN),
    Door("gov.disable_client", "POST", lambda i: {"client_id": i["client"]}, "admin", AGAINST_ADMIN),
    Door("gov.enable_client", "POST", lambda i: {"client_id": i["client"]}, "admin", AGAINST_ADMIN),
    Door("gov.rotate_client_secret", "POST", lambda i: {"client_id": i["client"]}, "admin", AGAINST_ADMIN),
    # The demo system's webhooks (one in use with a failed delivery, one disabled), a dead background
    # job and an Open311 key: administrators' desk pages.
    Door("gov.client_webhooks", "GET", lambda i: {"client_id": i["client"]}, "admin", AGAINST_ADMIN, "webhook"),
    Door("gov.register_webhook", "GET", lambda i: {"client_id": i["client"]}, "admin", AGAINST_ADMIN),
    Door("gov.register_webhook", "POST", lambda i: {"client_id": i["client"]}, "admin", AGAINST_ADMIN,
         data={"url": "https://attacker.example.com/hook", "event_types": "case.submit"}),
    Door("gov.rotate_webhook_secret", "POST", lambda i: {"client_id": i["client"], "endpoint_id": i["webhook"]},
         "admin", AGAINST_ADMIN, "webhook"),
    Door("gov.disable_webhook", "POST", lambda i: {"client_id": i["client"], "endpoint_id": i["webhook"]},
         "admin", AGAINST_ADMIN, "webhook"),
    Door("gov.enable_webhook", "POST",
         lambda i: {"client_id": i["client"], "endpoint_id": i["webhook_disabled"]}, "admin", AGAINST_ADMIN,
         "webhook_disabled"),
    Door("gov.retry_webhook_delivery", "POST",
         lambda i: {"client_id": i["client"], "delivery_id": i["failed_delivery"]}, "admin", AGAINST_ADMIN,
         "webhook"),
    Door("gov.failed_job_action", "POST", lambda i: {"key": i["dead_job"], "action": "requeue"}, "admin",
         AGAINST_ADMIN, "job"),
    Door("gov.failed_job_action", "POST", lambda i: {"key": i["dead_job"], "action": "delete"}, "admin",
         AGAINST_ADMIN, "job"),
    Door("gov.revoke_open311_key", "POST", lambda i: {"public_id": i["open311_key"]}, "admin", AGAINST_ADMIN,
         "open311_key"),
    # Any officer verifies a registration (the register of companies is district-wide); nobody else.
    Door("gov.verify_representative", "POST", lambda i: {"public_id": i["pending_registration"]}, "officer.fs",
         AGAINST_STAFF),
]

# Routes with a variable part that name no one's object, and where their attacks are tried instead.
NOT_OBJECTS = {
    "citizen.service_guide": "a public page of the service guide",
    "citizen.apply": "a public service's form; what it makes belongs to whoever signs in (test_xss, test_uploads)",
    "enterprise.card": "a signed enterprise code: whoever holds it may see the public card (test_codes)",
}

GET_DOORS = [d for d in DOORS if d.method == "GET"]
POST_DOORS = [d for d in DOORS if d.method == "POST"]
# Writes the refusals may leave behind: the audit trail of refused attempts, and the sign-in throttle.
MAY_CHANGE = ("audit_event", "sign_in_throttle")


def test_every_object_route_has_a_row(app):
    """Every object route of the page blueprints, committed or still being written: a new route
    needs its row before it lands. The machine interfaces (routes.MACHINE_PREFIXES) are out of scope."""
    tried = {d.endpoint for d in DOORS} | set(NOT_OBJECTS)
    missing = [f"{r.endpoint} {r.rule}" for r in object_rules(app) if r.endpoint not in tried]
    assert not missing, "object routes nobody tries to break into; add them to DOORS:\n" + "\n".join(missing)


def test_every_row_names_a_route(app):
    """A row whose route is gone (renamed, or its method dropped) would pass without trying anything."""
    rules = {(r.endpoint, method) for r in app.url_map.iter_rules() for method in r.methods}
    stale = [str(d) for d in DOORS if (d.endpoint, d.method) not in rules]
    stale += [name for name in NOT_OBJECTS if name not in {r.endpoint for r in object_rules(app)}]
    assert not stale, f"rows of routes that no longer exist: {stale}"


def _refused(response, who: str) -> bool:
    if who == "anonymous":
        return response.status_code == 302 and "/auth/login" in response.headers["Location"]
    return response.status_code in (403, 404)


def _leaks(world, response, door: Door) -> bool:
    if door.marker is None:
        return False
    marker = world.marker(door.marker)
    return marker in response.get_data(as_text=True) or marker in str(response.headers)


@pytest.mark.parametrize("door", GET_DOORS, ids=str)
def test_the_owner_gets_the_page(world, door):
    """The other half of each row: the page works for its owner, so a refusal below means something."""
    response = world.browser(door.owner).get(door.url(world.app, world.ids))
    assert response.status_code == 200, door
    if door.marker is not None:
        assert _leaks(world, response, door), f"{door}: the owner does not see the object's marker"


@pytest.mark.parametrize("door", GET_DOORS, ids=str)
def test_others_cannot_open_it(world, door):
    url = door.url(world.app, world.ids)
    for who in door.attackers:
        response = world.browser(who).get(url)
        assert _refused(response, who), f"{who} opened {url}: {response.status_code}"
        assert not _leaks(world, response, door), f"{who} saw the marker of {url}"


@pytest.mark.parametrize("door", POST_DOORS, ids=str)
def test_others_cannot_act_on_it(world, door):
    url = door.url(world.app, world.ids)
    before = world.fingerprint(skip=MAY_CHANGE)
    for who in door.attackers:
        response = world.post_as(who, url, door.data)
        assert _refused(response, who), f"{who} posted to {url}: {response.status_code}"
        assert not _leaks(world, response, door)
    assert not changed_tables(before, world.fingerprint(skip=MAY_CHANGE)), f"{door} wrote for an attacker"


def test_consents_are_withdrawn_only_by_their_own_person(world):
    """The consent page's form names the client, not the person: another person's post changes
    only their own (empty) consents."""
    before = world.fingerprint(skip=MAY_CHANGE)
    for who in ("son", "other_agent", "officer.fs"):
        response = world.post_as(who, "/auth/applications/revoke", {"client_id": world.ids["client"]})
        assert response.status_code in (302, 303, 400)
    assert not changed_tables(before, world.fingerprint(skip=MAY_CHANGE))
    page = world.browser("resident").get("/auth/applications").get_data(as_text=True)
    assert world.ids["client"] in page or "Department" in page


def test_acting_for_an_elder_reaches_only_her_objects(world):
    """The son acting for his mother sees her cases, never 李明's, even with their URLs."""
    son = world.browser("son_acting")
    assert son.get("/citizen/cases").status_code == 200
    listing = son.get("/citizen/cases").get_data(as_text=True)
    assert world.ids["request"] not in listing and world.marker("request") not in listing
