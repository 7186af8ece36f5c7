"""The attack suite's world: the demo district, a few more people, and one object of every kind that
has its own URL, each made by its owner through the real pages (or, where no page makes it, the
real service functions). Every object carries a secret marker that must never reach anyone else.

A `World` is built once per test module (`world` fixture in conftest.py) and hands out browsers:
`world.browser("resident")` is a test client signed in as that person through the real forms.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
from dataclasses import dataclass, field, replace
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import inspect, select, text

from portal.extensions import db
from tests.helpers import DEMO_PASSWORD, DEMO_TOTP_SECRET, totp_code

# Who is who. The demo people, plus two made here: the legal representative and the agent of a
# company that has nothing to do with the demo company.
PEOPLE = {
    "resident": "13800000001",  # 李明: the owner of the resident objects
    "elder": "13800000002",  # 王秀英
    "son": "13800000003",  # 王建国, acting for his mother: "another resident" to 李明
    "representative": "13800000011",  # 张伟: legal representative of the demo company
    "agent": "13800000012",  # 陈静: agent of the demo company
    "other_representative": "13800000021",  # legal representative of another company
    "other_agent": "13800000022",  # agent of that other company
    "officer.jw": "officer.jw",  # 区经济委员会 (jjw): owns the enterprise appeals
    "lead.jw": "lead.jw",
    "officer.fs": "officer.fs",  # 方松街道 (fsjd): owns the resident requests
    "lead.fs": "lead.fs",
    "admin": "admin",  # 区行政服务中心 (xzfwzx): owns the online applications, and administers
}
NEW_PEOPLE = {
    "other_representative": ("周强", "310117198201013318"),
    "other_agent": ("吴芳", "310117199003154521"),
}

COMPANY_USCC = "91310117MA1FPX3K11"  # the demo company: representative and agent above
SECOND_COMPANY_USCC = "91310117MA7C4Y2N6F"  # the agent's invitation to it is still pending
SERVICE = "residence-permit"  # an online service of xzfwzx with a required file
CLIENT = "demo-dept-system"  # the demo department system of 区数据局 (sjj): its webhooks and Open311 key
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token_in(html: str) -> str | None:
    match = _CSRF.search(html)
    return match.group(1) if match else None


def fresh_authenticator(app: Flask, login_name: str) -> None:
    """Forget which TOTP step the account used last, so the current code works for this sign-in.

    Each browser here signs in once; without this, two sign-ins of one officer within 30 seconds
    (two apps in one module) would wait for the next code, as a person would.
    """
    from auth.models import TotpCredential
    from portal.models import Account

    with app.app_context():
        account = db.session.scalar(
            select(Account).where((Account.username == login_name) | (Account.mobile == login_name))
        )
        credential = db.session.scalar(select(TotpCredential).filter_by(account_id=account.id))
        if credential is not None:
            credential.last_used_step = 0
            db.session.commit()


def _read(response):
    """The whole body read and the response closed (a download holds its file open until then)."""
    response.get_data()
    response.close()
    return response


class Browser:
    """A test client that prefers English, with a helper for the CSRF token when the app checks it."""

    def __init__(self, app: Flask, who: str = "anonymous"):
        self.app = app
        self.who = who
        self.client = app.test_client()
        self.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"

    def get(self, url: str, **kwargs):
        return _read(self.client.get(url, **kwargs))

    def post(self, url: str, data=None, **kwargs):
        return _read(self.client.post(url, data=data, **kwargs))

    def request(self, method: str, url: str, **kwargs):
        return _read(self.client.open(url, method=method, **kwargs))

    def token(self, page: str = "/") -> str | None:
        """This browser's CSRF token, read from a page as a person's browser would have it."""
        return csrf_token_in(self.get(page).get_data(as_text=True))

    def _with_token(self, page: str, data: dict) -> dict:
        token = csrf_token_in(page)
        return {**data, "csrf_token": token} if token else data

    def sign_in(self, login_name: str, password: str = DEMO_PASSWORD):
        page = self.get("/auth/login").get_data(as_text=True)
        response = self.post("/auth/login", data=self._with_token(page, {"username": login_name,
                                                                          "password": password}))
        location = response.headers.get("Location", "")
        if response.status_code == 302 and "/auth/mfa" in location:
            fresh_authenticator(self.app, login_name)
            page = self.get(location).get_data(as_text=True)
            response = self.post(location, data=self._with_token(page, {"code": totp_code(DEMO_TOTP_SECRET)}))
        assert response.status_code == 302, f"{login_name} could not sign in"
        assert "/auth/" not in response.headers["Location"], f"{login_name} was not let in"
        return response


def new_id(response) -> str:
    """The public id at the end of the URL a form redirected to."""
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    return urlsplit(response.headers["Location"]).path.rstrip("/").rsplit("/", 1)[-1]


@dataclass
class World:
    app: Flask
    ids: dict[str, str | int] = field(default_factory=dict)
    markers: dict[str, str] = field(default_factory=dict)
    _browsers: dict[str, Browser] = field(default_factory=dict)

    def browser(self, who: str) -> Browser:
        """A browser signed in as `who` (a key of PEOPLE, "anonymous", or "son_acting": the son
        acting for his mother), made once per world."""
        if who not in self._browsers:
            browser = Browser(self.app, who)
            if who == "son_acting":
                browser.sign_in(PEOPLE["son"])
                response = browser.post(f"/citizen/family/{self.ids['delegation']}/act",
                                        data=self._csrf(browser, {}))
                assert response.status_code == 302 and "/citizen/" in response.headers["Location"]
            elif who != "anonymous":
                browser.sign_in(PEOPLE[who])
            self._browsers[who] = browser
        return self._browsers[who]

    def marker(self, name: str) -> str:
        """A secret text of its own for the object `name`."""
        if name not in self.markers:
            self.markers[name] = f"secret-{name}-{secrets.token_hex(4)}"
        return self.markers[name]

    @staticmethod
    def _csrf(browser: Browser, data: dict) -> dict:
        token = browser.token()
        return {**data, "csrf_token": token} if token else data

    def post_as(self, who: str, url: str, data: dict, **kwargs):
        browser = self.browser(who)
        return browser.post(url, data=self._csrf(browser, data), **kwargs)

    def fingerprint(self, skip: tuple[str, ...] = ()) -> dict[str, str]:
        """Every table's rows, hashed: equal fingerprints mean nothing was written."""
        return database_fingerprint(self.app, skip)


def database_fingerprint(app: Flask, skip: tuple[str, ...] = ()) -> dict[str, str]:
    with app.app_context():
        tables = sorted(set(inspect(db.engine).get_table_names()) - {"alembic_version", *skip})
        digests = {}
        with db.engine.connect() as conn:
            for table in tables:
                rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()  # noqa: S608 - table names from the schema
                digests[table] = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
        return digests


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


# --- building it ---------------------------------------------------------------------------------


def _add_people(app: Flask) -> None:
    from auth.passwords import hash_password
    from portal.identity_numbers import birth_date_of
    from portal.models import Account, ResidentProfile

    with app.app_context():
        password_hash = hash_password(DEMO_PASSWORD)
        for who, (name, id_number) in NEW_PEOPLE.items():
            account = Account(mobile=PEOPLE[who], display_name=name, password_hash=password_hash)
            account.resident = ResidentProfile(real_name=name, resident_id_number=id_number,
                                               birth_date=birth_date_of(id_number))
            db.session.add(account)
        db.session.commit()


def _other_company(app: Flask, world: World) -> None:
    """Another company, registered by its representative, verified by an officer, with an agent who
    confirmed; and a second registration still waiting for an officer (for the verification page)."""
    from portal.enterprises import add_agent, confirm_membership, register_enterprise, verify_representative
    from portal.models import Account, Enterprise, Membership, MembershipScope

    with app.app_context():
        def person(who):
            return db.session.scalar(select(Account).where(Account.mobile == PEOPLE[who]))

        free = db.session.scalars(
            select(Enterprise).where(~Enterprise.id.in_(select(Membership.enterprise_id))).order_by(Enterprise.id)
            .limit(2)
        ).all()
        representative, agent = person("other_representative"), person("other_agent")
        admin = db.session.scalar(select(Account).where(Account.username == "admin"))
        company, waiting = free
        membership = register_enterprise(db.session, representative, uscc=company.uscc, name_zh=company.name_zh,
                                         enterprise_type=company.enterprise_type)
        verify_representative(db.session, admin, membership)
        binding = add_agent(db.session, representative, company, agent, scopes=[s.value for s in MembershipScope])
        confirm_membership(db.session, agent, binding)
        pending = register_enterprise(db.session, representative, uscc=waiting.uscc, name_zh=waiting.name_zh,
                                      enterprise_type=waiting.enterprise_type)
        db.session.commit()
        world.ids.update(other_company=company.public_id, pending_registration=pending.public_id)


def _demo_ids(app: Flask, world: World) -> None:
    from auth.oidc.models import OAuthClient
    from portal.models import (
        Account,
        Announcement,
        Case,
        CaseKind,
        CaseState,
        Delegation,
        Department,
        Enterprise,
        Membership,
        MembershipRole,
        Policy,
        PolicyStatus,
    )

    with app.app_context():
        s = db.session

        def company(uscc):
            return s.scalar(select(Enterprise).where(Enterprise.uscc == uscc))

        def account(who):
            return s.scalar(select(Account).where(Account.mobile == PEOPLE[who]))

        def case(**where):
            query = select(Case).join(Department, Case.department_id == Department.id)
            for name, value in where.items():
                query = query.where(Department.code == value if name == "department" else getattr(Case, name) == value)
            found = s.scalars(query.order_by(Case.id)).first()
            assert found is not None, where
            return found.public_id

        main, second = company(COMPANY_USCC), company(SECOND_COMPANY_USCC)
        resident = account("resident")
        world.ids.update(
            company=main.public_id,
            agent_membership=s.scalar(select(Membership.public_id).where(
                Membership.enterprise_id == main.id, Membership.role == MembershipRole.AGENT)),
            pending_agent_invitation=s.scalar(select(Membership.public_id).where(
                Membership.enterprise_id == second.id, Membership.role == MembershipRole.AGENT)),
            appeal=case(sender_enterprise_id=main.id, kind=CaseKind.APPEAL, state=CaseState.SUBMITTED),
            appeal_waiting=case(sender_enterprise_id=main.id, kind=CaseKind.APPEAL,
                                state=CaseState.RETURNED_FOR_INFO),
            appeal_closed=case(sender_enterprise_id=main.id, kind=CaseKind.APPEAL, state=CaseState.CLOSED),
            request_waiting=case(sender_id=resident.id, kind=CaseKind.REQUEST, state=CaseState.RETURNED_FOR_INFO),
            request_closed=case(sender_id=resident.id, kind=CaseKind.REQUEST, state=CaseState.CLOSED),
            fsjd_request=case(sender_id=resident.id, department="fsjd", state=CaseState.SUBMITTED),
            delegation=s.scalar(select(Delegation.public_id).order_by(Delegation.id)),
            published_policy=s.scalar(select(Policy.public_id).where(Policy.status == PolicyStatus.PUBLISHED)
                                       .order_by(Policy.id)),
            announcement=s.scalar(select(Announcement.public_id).order_by(Announcement.id)),
            client=CLIENT,
            enterprise_service=s.scalar(text("SELECT code FROM service_guide WHERE audience = 'enterprise' "
                                             "ORDER BY id LIMIT 1")),
        )
        # The demo appeal's title is its marker: only the company and jjw may read it.
        world.markers["appeal"] = s.scalar(select(Case.title).where(Case.public_id == world.ids["appeal"]))
        client = s.scalar(select(OAuthClient).where(OAuthClient.client_id == CLIENT))
        from auth.oidc import consents

        consents.grant(s, resident, client, "openid profile", origin=None)
        s.commit()


def _made_through_pages(world: World) -> None:
    """Objects their owners make on the real pages, each with its secret marker in it."""
    ids = world.ids
    # A resident's request.
    with world.app.app_context():
        from portal.models import CaseCategory

        # Neighbourhood matters go to 方松街道 (fsjd).
        category = db.session.scalar(select(CaseCategory.id).where(CaseCategory.code == "community"))
    ids["request"] = new_id(world.post_as("resident", "/citizen/requests/new", {
        "category": str(category), "title": world.marker("request"), "body": world.marker("request"),
    }))
    # An online application with a file, and a draft.
    answers = {"applicant_name": world.marker("application"), "contact_phone": "13800000001",
               "address": "松江区人民北路1号"}
    ids["application"] = new_id(world.post_as("resident", f"/citizen/services/{SERVICE}/apply", {
        **answers, "contract": (io.BytesIO(PDF), f"{world.marker('file')}.pdf"), "action": "submit",
    }, content_type="multipart/form-data"))
    ids["draft"] = new_id(world.post_as("resident", f"/citizen/services/{SERVICE}/apply", {
        "applicant_name": world.marker("draft"), "action": "save",
    }, content_type="multipart/form-data"))
    # A paper code.
    ids["paper_code"] = new_id(world.post_as("resident", "/citizen/code/paper", {}))
    # An invitation from the elder still waiting for its answer.
    response = world.post_as("elder", "/citizen/family/invite", {
        "mobile": PEOPLE["agent"], "relationship_note": world.marker("invitation"), "can_view_cases": "y",
        "days": "30",
    })
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    # A draft policy of jjw.
    ids["draft_policy"] = new_id(world.post_as("lead.jw", "/gov/policies/new", {
        "title_zh": world.marker("policy"), "topic": "innovation", "application_method": "apply_online",
        "summary_zh": world.marker("policy"), "benefit_zh": "x", "beneficiaries_zh": "x", "conditions_zh": "x",
        "combinator": "all", "rows-0-attr": "employees", "rows-0-op": ">=", "rows-0-value": "10",
    }))
    with world.app.app_context():
        from portal.models import Case, CaseAttachment, Delegation, DelegationStatus

        ids["invitation"] = db.session.scalar(select(Delegation.public_id).where(
            Delegation.status == DelegationStatus.INVITED))
        ids["attachment"] = db.session.scalar(select(CaseAttachment.id).join(Case, CaseAttachment.case_id == Case.id)
                                              .where(Case.public_id == ids["application"]))


def failing_job(marker: str) -> None:
    """A background job that fails every attempt: the world's dead letter (importable, as jobs must be)."""
    raise RuntimeError(f"the remote system does not answer ({marker})")


def _receiver_down(_request) -> int:
    """The department system's answer to every webhook delivery: an error."""
    return 503


def _made_on_the_desk(world: World) -> None:
    """The administrator's objects: two webhooks of the demo department system (one disabled) and a
    delivery that failed every attempt, a dead background job, an Open311 key."""
    from portal import jobs
    from portal.models import CaseCategory, DeliveryStatus, Open311Key, PendingJob, WebhookDelivery, WebhookEndpoint
    from portal.models.base import utcnow
    from portal.webhooks import deliver_due
    from portal.webhooks.cli import policy_for

    app, ids = world.app, world.ids
    desk = f"/gov/clients/{CLIENT}/webhooks"

    def add_webhook(name: str) -> str:
        url = f"https://sjj.example.gov.cn/{world.marker(name)}"
        response = world.post_as("admin", f"{desk}/new", {"url": url, "event_types": ["case.submit"]})
        assert response.status_code == 200, response.get_data(as_text=True)[:2000]
        with app.app_context():
            public_id = db.session.scalar(select(WebhookEndpoint.public_id).where(WebhookEndpoint.url == url))
        assert public_id is not None, f"the webhook to {url} was not added"
        return public_id

    # A webhook in use, and a case event it could not deliver: a resident's request about government
    # data goes to sjj, the system's department; the system answers every attempt with an error.
    ids["webhook"] = add_webhook("webhook")
    with app.app_context():
        category = db.session.scalar(select(CaseCategory.id).where(CaseCategory.code == "data-requests"))
    new_id(world.post_as("resident", "/citizen/requests/new", {
        "category": str(category), "title": "Open data about street lights", "body": "Which data sets are there?",
    }))
    with app.app_context():
        give_up_at_once = replace(policy_for(app), max_attempts=1)
        report = deliver_due(db.session, policy=give_up_at_once, http=_receiver_down)
        assert report.failed == 1, report
        ids["failed_delivery"] = db.session.scalar(
            select(WebhookDelivery.id).join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(WebhookEndpoint.public_id == ids["webhook"], WebhookDelivery.status == DeliveryStatus.FAILED))
    # A webhook disabled on the desk (so that enabling it would change something).
    ids["webhook_disabled"] = add_webhook("webhook_disabled")
    response = world.post_as("admin", f"{desk}/{ids['webhook_disabled']}/disable", {})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]

    # A job that fails at once and at each retry `flask run-jobs` gives it, until it is a dead letter.
    with app.app_context():
        jobs.enqueue(failing_job, world.marker("job"))  # no transaction open: it runs now, and fails
    path = jobs.job_path(failing_job)
    for _ in range(app.config.get("JOB_RETRIES", 4) + 2):
        with app.app_context():
            row = db.session.scalar(select(PendingJob).where(PendingJob.func == path))
            assert row is not None, "the failing job left no row"
            if row.failed_at is not None:
                ids["dead_job"] = f"db:{row.id}"
                break
        jobs.drain_pending(app, now=utcnow() + timedelta(days=1))
    assert "dead_job" in ids, "the failing job never became a dead letter"

    # An Open311 key issued to the demo system on the desk.
    response = world.post_as("admin", "/gov/open311-keys", {"client": CLIENT, "label": world.marker("open311_key")})
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    with app.app_context():
        ids["open311_key"] = db.session.scalar(select(Open311Key.public_id).where(
            Open311Key.label == world.marker("open311_key")))


def build_world(app: Flask) -> World:
    from portal import demo

    with app.app_context():
        demo.seed(db.session)
    world = World(app)
    _add_people(app)
    _demo_ids(app, world)
    _other_company(app, world)
    _made_through_pages(world)
    _made_on_the_desk(world)
    missing = [name for name, value in world.ids.items() if value in (None, "")]
    assert not missing, f"the world lacks {missing}"
    return world


def empty_tables(app: Flask) -> None:
    """What the root conftest does after each test: every table the migrations made, emptied."""
    with app.app_context():
        db.session.rollback()
        existing = set(inspect(db.engine).get_table_names())
        for table in reversed(db.metadata.sorted_tables):
            if table.name in existing:
                db.session.execute(table.delete())
        db.session.commit()
