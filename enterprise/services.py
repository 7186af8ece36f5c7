"""What the enterprise end's views call: thin glue over the enterprise, matching, code and case
domains. Each function takes the session and the actor; the ones that change data commit.
Every company page loads its enterprise through `company()` (`find_enterprise_for`), so a
removed or expired agent loses access on the next request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from portal import case_labels, case_pages, enterprise_labels, enterprises, policy_matching
from portal.audit import Origin
from portal.cases import cases_for_enterprise, cases_for_staff, current_due
from portal.codes import CodeRefused, Keyring, Purpose, Reason, decode, is_revoked, issue
from portal.enterprise_codes import ALPHABET, normalise_uscc
from portal.models import (
    Account,
    Case,
    CaseKind,
    Department,
    DepartmentKind,
    Enterprise,
    InboxMessage,
    Membership,
    MembershipRole,
    MembershipScope,
    MembershipStatus,
    Policy,
    PolicyMatch,
    PolicyStatus,
)
from portal.models.base import utcnow
from portal.models.catalogue import Audience, ServiceGuide
from portal.rules import Band

CODE_LIFETIME = timedelta(days=90)  # a printed enterprise code is good for a quarter


# --- home and registration ------------------------------------------------------------------------


@dataclass
class Home:
    companies: list[Enterprise]
    invitations: list[Membership]
    pending: list[Membership]  # registrations waiting for an officer


def home(session: Session, account: Account) -> Home:
    pending = session.scalars(
        select(Membership).where(
            Membership.account_id == account.id,
            Membership.role == MembershipRole.LEGAL_REPRESENTATIVE,
            Membership.status == MembershipStatus.PENDING,
        )
    ).all()
    return Home(enterprises.enterprises_of(session, account), enterprises.invitations_for(session, account),
                list(pending))


def towns(session: Session) -> list[Department]:
    return list(session.scalars(
        select(Department).where(Department.kind.in_([DepartmentKind.TOWN, DepartmentKind.SUBDISTRICT]))
        .order_by(Department.code)
    ))


def register(session: Session, actor: Account, data: dict, origin: Origin) -> Membership:
    """Register a company; the person's legal-representative binding waits for an officer.
    Raises EnterpriseError."""
    town = session.scalar(select(Department).where(Department.code == data.get("town"))) if data.get("town") else None
    membership = enterprises.register_enterprise(
        session, actor, uscc=data["uscc"], name_zh=data["name_zh"], name_en=data.get("name_en"),
        enterprise_type=data["enterprise_type"], industry_code=data.get("industry_code") or None, town=town,
        address_zh=data.get("address_zh"), registered_on=data.get("registered_on"),
        registered_capital=data.get("registered_capital"), origin=origin,
    )
    session.commit()
    return membership


# --- one company ----------------------------------------------------------------------------------


def company(session: Session, account: Account, public_id: str, scope: MembershipScope | None = None):
    """The company behind a URL if `account` may act for it now (within `scope`), else None."""
    return enterprises.find_enterprise_for(session, account, public_id, scope=scope)


@dataclass
class Dashboard:
    enterprise: Enterprise
    membership: Membership
    qualified: int
    uncertain: int
    open_appeals: int
    unread: int


def dashboard(session: Session, account: Account, enterprise: Enterprise) -> Dashboard:
    membership = enterprises.active_membership(session, account, enterprise)
    bands = dict(session.execute(
        select(PolicyMatch.band, func.count()).join(Policy).where(
            PolicyMatch.enterprise_id == enterprise.id, Policy.status == PolicyStatus.PUBLISHED
        ).group_by(PolicyMatch.band)
    ).all())
    open_appeals = session.scalar(
        cases_for_enterprise(enterprise.id).with_only_columns(func.count())
        .where(Case.closed_at.is_(None), Case.kind == CaseKind.APPEAL)
    )
    unread = session.scalar(_inbox_query(account, enterprise).with_only_columns(func.count())
                            .where(InboxMessage.read_at.is_(None)))
    return Dashboard(enterprise, membership, bands.get(Band.QUALIFIED, 0), bands.get(Band.UNCERTAIN, 0),
                     open_appeals or 0, unread or 0)


def is_legal_representative(session: Session, account: Account, enterprise: Enterprise) -> bool:
    membership = enterprises.active_membership(session, account, enterprise)
    return membership is not None and membership.role == MembershipRole.LEGAL_REPRESENTATIVE


# --- agents ---------------------------------------------------------------------------------------


def members(session: Session, enterprise: Enterprise) -> list[Membership]:
    return enterprises.members_of(session, enterprise)


def add_agent(session: Session, actor: Account, enterprise: Enterprise, data: dict, origin: Origin) -> bool:
    """Invite the account with this mobile number; False when nobody has it (the page answers
    alike either way). Raises EnterpriseError."""
    agent = session.scalar(select(Account).where(Account.mobile == data["mobile"]))
    if agent is None:
        if not is_legal_representative(session, actor, enterprise):
            raise enterprises.EnterpriseError("not_legal_representative")
        return False
    until = data.get("valid_until")
    valid_until = datetime.combine(until, time(23, 59, 59), tzinfo=UTC) if until else None
    enterprises.add_agent(session, actor, enterprise, agent, scopes=data["scopes"], valid_until=valid_until,
                          origin=origin)
    session.commit()
    return True


def _membership_of(session: Session, enterprise: Enterprise, public_id: str) -> Membership | None:
    return session.scalar(
        select(Membership).where(Membership.public_id == public_id, Membership.enterprise_id == enterprise.id)
    )


def remove_agent(session: Session, actor: Account, enterprise: Enterprise, public_id: str, origin: Origin) -> bool:
    """End an agent's binding at once. False when there is no such binding. Raises EnterpriseError."""
    membership = _membership_of(session, enterprise, public_id)
    if membership is None:
        return False
    enterprises.revoke_membership(session, actor, membership, origin=origin)
    session.commit()
    return True


def answer_invitation(session: Session, actor: Account, public_id: str, accept: bool, origin: Origin):
    """The invited person confirms (or declines) an agent binding. None when it is not theirs."""
    membership = session.scalar(
        select(Membership).where(Membership.public_id == public_id, Membership.account_id == actor.id)
    )
    if membership is None:
        return None
    if accept:
        enterprises.confirm_membership(session, actor, membership, origin=origin)
    else:
        enterprises.revoke_membership(session, actor, membership, origin=origin)
    session.commit()
    return membership


# --- profile and topics ---------------------------------------------------------------------------


def update_profile(session: Session, actor: Account, enterprise: Enterprise, changes: dict, origin: Origin):
    report = enterprises.update_profile(session, actor, enterprise, changes, origin=origin)
    session.commit()
    return report


def topics(session: Session, enterprise: Enterprise) -> list[str]:
    return [t.value for t in policy_matching.topics_of(session, enterprise)]


def set_topics(session: Session, actor: Account, enterprise: Enterprise, chosen: list[str]) -> None:
    policy_matching.set_topics(session, actor, enterprise, chosen)
    session.commit()


# --- policies ---------------------------------------------------------------------------------------


def matches_key(session: Session, enterprise: Enterprise) -> tuple:
    return policy_matching.matches_key(session, enterprise)


def ranked(session: Session, enterprise: Enterprise):
    """Qualified first, then uncertain, then near misses: `(qualified, uncertain, near)`."""
    rows = policy_matching.ranked_matches(session, enterprise)
    split = {band: [r for r in rows if r.explanation.band == band] for band in Band}
    return split[Band.QUALIFIED], split[Band.UNCERTAIN], split[Band.NOT_QUALIFIED]


def published_policies(session: Session, *, q: str | None, topic: str | None, department: str | None,
                       method: str | None) -> list[Policy]:
    query = select(Policy).where(Policy.status == PolicyStatus.PUBLISHED).options(selectinload(Policy.department))
    if q:  # the words as typed: % and _ are matched as themselves, not as wildcards
        query = query.where(or_(Policy.title_zh.contains(q, autoescape=True),
                                Policy.title_en.icontains(q, autoescape=True),
                                Policy.summary_zh.contains(q, autoescape=True),
                                Policy.summary_en.icontains(q, autoescape=True),
                                Policy.document_number.contains(q, autoescape=True)))
    if topic:
        query = query.where(Policy.topic == topic)
    if department:
        query = query.join(Policy.department).where(Department.code == department)
    if method:
        query = query.where(Policy.application_method == method)
    return list(session.scalars(query.order_by(Policy.published_at.desc(), Policy.id.desc()).limit(100)))


def policy_departments(session: Session) -> list[Department]:
    return list(session.scalars(
        select(Department).where(Department.id.in_(
            select(Policy.department_id).where(Policy.status == PolicyStatus.PUBLISHED)
        )).order_by(Department.code)
    ))


def published_policy(session: Session, public_id: str) -> Policy | None:
    return session.scalar(
        select(Policy).where(Policy.public_id == public_id, Policy.status == PolicyStatus.PUBLISHED)
    )


def explanation(policy: Policy, enterprise: Enterprise):
    return policy_matching.explain_policy(policy, enterprise)


# --- enterprise services (办事) --------------------------------------------------------------------


def enterprise_services(session: Session, query: str | None) -> list[ServiceGuide]:
    if query:
        from portal.catalogue import search_services

        return search_services(session, query, audience=Audience.ENTERPRISE).services
    return list(session.scalars(
        select(ServiceGuide)
        .where(ServiceGuide.active.is_(True), ServiceGuide.audience.in_([Audience.ENTERPRISE, Audience.BOTH]))
        .options(selectinload(ServiceGuide.department))
        .order_by(ServiceGuide.popularity.desc(), ServiceGuide.code)
    ))


def enterprise_service(session: Session, code: str) -> ServiceGuide | None:
    from portal.catalogue import find_service

    service = find_service(session, code)
    if service is None or service.audience not in (Audience.ENTERPRISE, Audience.BOTH):
        return None
    return service


# --- appeals (企业诉求) -------------------------------------------------------------------------------


@dataclass
class AppealRow:
    case: Case
    due: date | None


def appeals(session: Session, enterprise: Enterprise) -> list[AppealRow]:
    query = (cases_for_enterprise(enterprise.id).where(Case.kind == CaseKind.APPEAL)
             .options(selectinload(Case.department)).order_by(Case.submitted_at.desc()))
    return [AppealRow(case, current_due(case)) for case in session.scalars(query)]


def appeal_categories(session: Session, locale: str) -> list[tuple[int, str]]:
    return case_pages.request_categories(session, locale, kind=CaseKind.APPEAL)


def file_appeal(session: Session, actor: Account, enterprise: Enterprise, data: dict) -> Case:
    """The appeal becomes a case routed by its category; the sender is the person and the company.
    Raises CaseError."""
    return case_pages.file_request(session, actor, actor, data, kind=CaseKind.APPEAL, enterprise_id=enterprise.id)


def appeal_view(session: Session, actor: Account, enterprise: Enterprise, public_id: str, origin: Origin):
    return case_pages.sender_view(session, actor, actor, public_id, origin,
                                  scope=cases_for_enterprise(enterprise.id).where(Case.kind == CaseKind.APPEAL))


def appeal(session: Session, enterprise: Enterprise, public_id: str) -> Case | None:
    return session.scalar(
        cases_for_enterprise(enterprise.id).where(Case.public_id == public_id, Case.kind == CaseKind.APPEAL)
    )


def rate_appeal(session: Session, actor: Account, case: Case, rating: str, comment: str | None):
    """Anyone with the appeals scope rates for the company: they act with the filer's standing
    (the membership was checked when the company was loaded). Raises CaseError."""
    return case_pages.rate(session, actor, case.sender, case, rating, comment, utcnow())


def resubmit_appeal(session: Session, actor: Account, case: Case, notes: str) -> None:
    case_pages.resubmit(session, actor, case.sender, case, notes, utcnow())


# --- the company's messages ------------------------------------------------------------------------


def _inbox_query(account: Account, enterprise: Enterprise):
    """The person's messages about this company: its notices and its cases'."""
    about_cases = select(Case.id).where(Case.sender_enterprise_id == enterprise.id)
    return select(InboxMessage).where(
        InboxMessage.account_id == account.id,
        or_(InboxMessage.case_id.in_(about_cases), InboxMessage.subject_key.like("enterprise.%")),
    )


def _notice(key: str, params: dict, locale: str) -> str:
    if key.startswith("enterprise."):
        return enterprise_labels.notice_text(key, params, locale)
    return case_labels.notice_text(key, params, locale)


def inbox(session: Session, account: Account, enterprise: Enterprise, locale: str) -> list[case_pages.InboxItem]:
    items = []
    for message in session.scalars(_inbox_query(account, enterprise)
                                   .order_by(InboxMessage.created_at.desc(), InboxMessage.id.desc()).limit(100)):
        params = message.params or {}
        if message.case_id is None and params.get("enterprise") != enterprise.public_id:
            continue
        items.append(case_pages.InboxItem(message, _notice(message.subject_key, params, locale),
                                          _notice(message.body_key, params, locale)))
    return items


def mark_inbox_read(session: Session, account: Account, enterprise: Enterprise, locale: str) -> int:
    ids = [item.message.id for item in inbox(session, account, enterprise, locale) if item.message.read_at is None]
    return case_pages.mark_messages_read(session, account, ids, utcnow()) if ids else 0


# --- the enterprise code (企业码) ---------------------------------------------------------------------
# Keyed on the USCC, as the national market-entity identity code is: the 18 characters of the
# code (base 31) fit the token's 16-byte subject, so the token names the company and nothing else.


def uscc_subject(uscc: str) -> str:
    number = 0
    for ch in uscc:
        number = number * 31 + ALPHABET.index(ch)
    return number.to_bytes(16, "big").hex()


def uscc_of_subject(subject: str) -> str:
    number = int(subject, 16)
    chars = []
    for _ in range(18):
        number, digit = divmod(number, 31)
        chars.append(ALPHABET[digit])
    return "".join(reversed(chars)) if number == 0 else ""


def issue_code(keyring: Keyring, enterprise: Enterprise, now: datetime | None = None):
    """A signed enterprise code for the company: (token, claims)."""
    return issue(keyring, Purpose.ENTERPRISE_CODE, uscc_subject(enterprise.uscc), lifetime=CODE_LIFETIME,
                 now=now or utcnow())


def read_code(session: Session, keyring: Keyring, token: str, now: datetime | None = None) -> Enterprise:
    """The company a scanned code stands for. Raises CodeRefused (forged, altered, expired...).

    A printed enterprise code is shown to many visitors (an inspector, a bank, a supplier), so
    it is checked for signature, purpose, expiry and revocation, but not spent on first scan."""
    claims = decode(keyring, token, purposes={Purpose.ENTERPRISE_CODE}, now=now or utcnow())
    if is_revoked(session, claims):
        raise CodeRefused(Reason.REVOKED, claims)
    uscc = normalise_uscc(uscc_of_subject(claims.subject))
    enterprise = session.scalar(select(Enterprise).where(Enterprise.uscc == uscc)) if uscc else None
    if enterprise is None:
        raise CodeRefused(Reason.NOT_FOUND, claims)
    return enterprise


@dataclass
class OfficerCard:
    cases: list[Case]
    matches: list[PolicyMatch]


def officer_card(session: Session, officer: Account, enterprise: Enterprise) -> OfficerCard:
    """What a signed-in officer sees beyond the public card: the company's cases within the
    officer's own scope, and the published policies it qualifies for or might."""
    scope = cases_for_staff(officer).where(Case.sender_enterprise_id == enterprise.id)
    cases = list(session.scalars(scope.order_by(Case.submitted_at.desc()).limit(50)))
    matches = list(session.scalars(
        select(PolicyMatch).join(Policy).where(
            PolicyMatch.enterprise_id == enterprise.id, Policy.status == PolicyStatus.PUBLISHED,
            PolicyMatch.band.in_([Band.QUALIFIED, Band.UNCERTAIN]),
        ).options(selectinload(PolicyMatch.policy)).order_by(PolicyMatch.band, Policy.id)
    ))
    return OfficerCard(cases, matches)

