"""CSRF: every state-changing form, posted by a signed-in person's browser without the CSRF token or
with a wrong one, is refused with 400 and writes nothing.

The POST routes come from the app's URL map, so a new form is attacked as soon as it exists. The
only routes let through are listed in routes.CSRF_EXEMPT (each with the reason) and the machine
interfaces under routes.MACHINE_PREFIXES, which read no cookie.
"""

from __future__ import annotations

import pytest

from portal.extensions import csrf
from tests.security.routes import CSRF_EXEMPT, blueprint_of, fill, is_machine, post_rules
from tests.security.test_idor import POST_DOORS
from tests.security.world import Browser, World, changed_tables, csrf_token_in

# Who posts each blueprint's forms: someone the form is meant for.
POSTER = {"citizen": "resident", "enterprise": "representative", "gov": "admin", "auth": "resident",
          "oidc": "resident", "site": "resident"}
# The form data each would send (with a good token, these would do something).
FORM_DATA = {
    "site.set_language": {"lang": "en", "next": "/"},
    "site.set_elder_mode": {"enabled": "1", "next": "/"},
    "auth.login": {"username": "13800000001", "password": "Demo-2026-portal"},
    "auth.logout": {},
    "auth.register": {"real_name": "钱七", "mobile": "13900000077", "resident_id_number": "310117198801011236",
                      "password": "Another-2026-portal", "confirm": "Another-2026-portal"},
    "auth.register_confirm": {"code": "123456"},
    "auth.change_password": {"current_password": "Demo-2026-portal", "password": "Changed-2026-portal",
                             "confirm": "Changed-2026-portal"},
    "auth.mfa_remove": {"password": "Demo-2026-portal"},
    "auth.mfa_recovery_codes": {"password": "Demo-2026-portal"},
    "oidc.revoke_application": {"client_id": "demo-dept-system"},
    "citizen.new_request": {"category": "9", "title": "Forged", "body": "Forged"},
    "citizen.invite_family": {"mobile": "13800000003", "can_view_cases": "y", "days": "30"},
    "gov.announcements": {"title": "Forged", "body": "Forged"},
}


def _csrf_world(csrf_app, world) -> World:
    """The module's world seen through the app with CSRF checks on (same database)."""
    return World(csrf_app, ids=world.ids, markers=world.markers)


@pytest.fixture(scope="module")
def attack(csrf_app, world):
    return _csrf_world(csrf_app, world)


def _targets(app, ids) -> list[tuple[str, str, str, dict]]:
    """(endpoint, url, who, data) for every POST route of the pages: the real object and owner
    where the IDOR table knows them, else made-up values (the check comes before the view)."""
    doors = {d.endpoint: d for d in POST_DOORS}
    targets = []
    for rule in post_rules(app):
        if is_machine(rule) or rule.endpoint in CSRF_EXEMPT or rule.endpoint == "static":
            continue
        door = doors.get(rule.endpoint)
        if door is not None:
            targets.append((rule.endpoint, fill(rule, door.values(ids)), door.owner, door.data))
        else:
            who = POSTER.get(blueprint_of(rule), "resident")
            targets.append((rule.endpoint, fill(rule), who, FORM_DATA.get(rule.endpoint, {})))
    return targets


def test_only_the_documented_endpoints_skip_the_csrf_check(csrf_app):
    """Flask-WTF's list of exempt views, compared with routes.CSRF_EXEMPT (plus machine interfaces)."""
    exempt = []
    for rule in post_rules(csrf_app):
        view = csrf_app.view_functions[rule.endpoint]
        name = f"{view.__module__}.{view.__name__}"
        if name in csrf._exempt_views or blueprint_of(rule) in csrf._exempt_blueprints:  # noqa: SLF001
            exempt.append(rule)
    undocumented = sorted(f"{r.endpoint} {r.rule}" for r in exempt
                          if r.endpoint not in CSRF_EXEMPT and not is_machine(r))
    assert not undocumented, f"POST routes without the CSRF check, not documented: {undocumented}"
    assert {r.endpoint for r in exempt} >= set(CSRF_EXEMPT), "a documented exemption no longer exists"


@pytest.mark.parametrize("token", ["missing", "garbage", "another_session"])
def test_every_form_refuses_a_post_without_the_right_token(attack, token):
    foreign = Browser(attack.app).token()  # a real token, but of someone else's session
    assert foreign
    targets = _targets(attack.app, attack.ids)
    for who in {who for _endpoint, _url, who, _data in targets}:
        attack.browser(who)  # signed in before the fingerprint: signing in writes
    before = attack.fingerprint()
    failures = []
    for endpoint, url, who, data in targets:
        sent = dict(data)
        if token == "garbage":
            sent["csrf_token"] = "IjAwMDAi.forged.token"
        elif token == "another_session":
            sent["csrf_token"] = foreign
        response = attack.browser(who).post(url, data=sent)
        if response.status_code != 400:
            failures.append(f"{endpoint} {url} as {who}: {response.status_code}")
    assert not failures, "accepted without the right CSRF token:\n" + "\n".join(failures)
    assert not changed_tables(before, attack.fingerprint()), "a refused form wrote to the database"


def test_with_the_right_token_the_same_form_works(attack):
    """The control: the refusals above come from the token, not from the request."""
    browser = attack.browser("resident")
    token = browser.token()
    response = browser.post("/preferences/language", data={"lang": "en", "next": "/citizen/", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/citizen/")
    page = browser.get("/citizen/inbox").get_data(as_text=True)
    response = browser.post("/citizen/inbox/read", data={"csrf_token": csrf_token_in(page)})
    assert response.status_code == 303


def test_the_oidc_consent_and_logout_check_their_own_token(attack):
    """/oidc/authorize and /oidc/logout take POSTs from clients, but the person's answers on them
    (allow or deny, sign out) need the page's CSRF token."""
    resident = attack.browser("resident")
    before = attack.fingerprint(skip=("audit_event",))
    consent = resident.post("/oidc/authorize", data={
        "decision": "allow", "response_type": "code", "client_id": "demo-mobile-app", "scope": "openid phone",
        "redirect_uri": "http://127.0.0.1:8002/callback", "state": "s", "code_challenge": "x" * 43,
        "code_challenge_method": "S256",
    })
    assert consent.status_code == 400
    assert "code=" not in consent.headers.get("Location", "")
    logout = resident.post("/oidc/logout", data={"confirm": "yes", "client_id": "demo-dept-system"})
    assert logout.status_code in (200, 302, 303, 400)
    assert resident.get("/auth/account").status_code == 200, "a forged logout signed the person out"
    assert not changed_tables(before, attack.fingerprint(skip=("audit_event",)))
