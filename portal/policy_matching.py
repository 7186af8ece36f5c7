"""Policies against enterprises: the dry run before publishing, publishing, and re-matching one
enterprise after its profile changed. Proactive service: each enterprise that newly qualifies is
told once; a policy granted without application (免申即享) opens a case for its department.

Set-based: a policy is matched against every enterprise by one query (the criteria compiled to
SQL by `portal.rules.compile_to_sql`), and the match rows, inbox messages and flags are written
in bulk. One enterprise against the published policies uses the explainer, which the property
tests hold to the same answers. Plain Python; the session is passed in and the caller commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import bindparam, func, insert, inspect, or_, select, update
from sqlalchemy.orm import Session, selectinload

from portal import audit
from portal.audit import Origin
from portal.cases import SYSTEM, local_date, submit_case, work_calendar
from portal.enterprises.errors import EnterpriseError
from portal.enterprises.memberships import active_membership, effective_clause, recipients
from portal.models.account import Account
from portal.models.base import execute_now, utcnow
from portal.models.case import Case, CaseCategory, CaseKind, InboxMessage
from portal.models.department import Department, DepartmentKind
from portal.models.enterprise import Enterprise, EnterpriseCertification, Membership, MembershipRole, MembershipScope
from portal.models.policy import ApplicationMethod, Policy, PolicyMatch, PolicyStatus, PolicyTopic, TopicSubscription
from portal.rules import Band, Explanation, RuleError, compile_to_sql, explain, facts_of, leaves, parse, validate

CHUNK = 500  # ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits

QUALIFIED_KEY = "enterprise.policy_qualified"
TOPIC_KEY = "enterprise.policy_topic"
GRANT_CATEGORY_PREFIX = "policy-grant-"


class PolicyError(Exception):
    """A policy that cannot be published. Codes: invalid_criteria (see `errors`), withdrawn, expired."""

    def __init__(self, code: str, errors: list[RuleError] | None = None):
        self.code = code
        self.errors = errors or []
        super().__init__(code if not self.errors else f"{code}: {[e.code for e in self.errors]}")


@dataclass(frozen=True)
class TownCount:
    town_id: int | None  # None: enterprises whose town is not on file
    code: str | None
    name_zh: str | None
    name_en: str | None
    qualified: int
    uncertain: int


@dataclass(frozen=True)
class DryRun:
    towns: tuple[TownCount, ...]
    qualified: int
    uncertain: int
    not_qualified: int


@dataclass
class MatchReport:
    qualified: int = 0  # enterprises that qualify now
    uncertain: int = 0  # enterprises that might, if we knew more
    newly_qualified: int = 0  # qualified now but not before this run
    enterprises_told: int = 0  # enterprises told (for the first time) that they qualify
    messages: int = 0  # inbox messages written, to their legal representatives and agents
    topic_messages: int = 0  # inbox messages to topic subscribers
    grant_cases: list[int] = field(default_factory=list)  # cases opened for policies granted without application
    grants_noted: int = 0  # grants owed to enterprises without a verified legal representative yet


def _chunks(ids: Iterable[int]):
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


# --- checking ---------------------------------------------------------------------------------


def check_policy(policy: Policy, *, for_publishing: bool = False) -> list[RuleError]:
    """The criteria's errors; for publishing, also every criterion must cite a clause the policy
    quotes in `clauses` (codes missing_clause, unknown_clause)."""
    errors = validate(policy.criteria)
    if errors or not for_publishing:
        return errors
    known = set(policy.clauses or {})
    for leaf in leaves(parse(policy.criteria)):
        if leaf.clause is None:
            errors.append(RuleError("missing_clause", leaf.path))
        elif leaf.clause not in known:
            errors.append(RuleError("unknown_clause", (*leaf.path, "clause"), {"clause": leaf.clause}))
    return errors


def explain_policy(policy: Policy, enterprise: Enterprise) -> Explanation:
    """Criterion by criterion, where `enterprise` stands on `policy`."""
    return explain(policy.criteria, facts_of(enterprise))


# --- dry run ------------------------------------------------------------------------------------


def _bands(criteria):
    """(enterprise_id, town_id, band) of every enterprise, as a subquery."""
    band = compile_to_sql(criteria, Enterprise).label("band")
    return select(Enterprise.id.label("enterprise_id"), Enterprise.town_id.label("town_id"), band).subquery()


def dry_run(session: Session, policy: Policy | dict) -> DryRun:
    """How many enterprises would qualify, or might, in each town and sub-district: before
    publishing (a policy, or criteria being edited). One grouped query."""
    criteria = policy if isinstance(policy, dict) else policy.criteria
    bands = _bands(criteria)
    counts: dict[int | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    totals: dict[str, int] = defaultdict(int)
    for town_id, band, count in session.execute(
        select(bands.c.town_id, bands.c.band, func.count()).group_by(bands.c.town_id, bands.c.band)
    ):
        counts[town_id][band] += count
        totals[band] += count
    towns = session.scalars(
        select(Department)
        .where(Department.kind.in_([DepartmentKind.SUBDISTRICT, DepartmentKind.TOWN]))
        .order_by(Department.id)
    ).all()
    listed = {t.id for t in towns}
    rows = [
        TownCount(t.id, t.code, t.name_zh, t.name_en, counts[t.id][Band.QUALIFIED], counts[t.id][Band.UNCERTAIN])
        for t in towns
    ]
    for town_id in sorted(set(counts) - listed, key=lambda i: (i is None, i or 0)):
        rows.append(
            TownCount(town_id, None, None, None, counts[town_id][Band.QUALIFIED], counts[town_id][Band.UNCERTAIN])
        )
    return DryRun(tuple(rows), totals[Band.QUALIFIED], totals[Band.UNCERTAIN], totals[Band.NOT_QUALIFIED])


# --- storing bands -------------------------------------------------------------------------------


def _store(session: Session, where: list, bands: dict[tuple[int, int], Band], now: datetime) -> tuple[int, list]:
    """Write the bands of the (policy id, enterprise id) pairs in scope (`where`): rows in scope
    but absent from `bands` are not qualified. Returns how many pairs newly qualified, and them."""
    existing = {
        (policy_id, enterprise_id): (row_id, band)
        for row_id, policy_id, enterprise_id, band in session.execute(
            select(PolicyMatch.id, PolicyMatch.policy_id, PolicyMatch.enterprise_id, PolicyMatch.band).where(*where)
        )
    }
    if existing:
        session.execute(
            update(PolicyMatch).where(*where).values(computed_at=now), execution_options={"synchronize_session": False}
        )
    inserts, updates, newly = [], [], []
    for pair, band in bands.items():
        if pair in existing:
            row_id, old = existing[pair]
            if old != band:
                updates.append({"id": row_id, "band": band})
        else:
            old = None
            inserts.append({"policy_id": pair[0], "enterprise_id": pair[1], "band": band, "computed_at": now})
        if band == Band.QUALIFIED and old != Band.QUALIFIED:
            newly.append(pair)
    for pair, (row_id, old) in existing.items():
        if pair not in bands and old != Band.NOT_QUALIFIED:
            updates.append({"id": row_id, "band": Band.NOT_QUALIFIED})
    if inserts:
        # Core executemany: several times faster than the ORM's bulk insert for thousands of rows.
        session.execute(insert(PolicyMatch.__table__), inserts)
    if updates:
        session.execute(update(PolicyMatch), updates)
    return len(newly), newly


# --- telling ---------------------------------------------------------------------------------------


def _policy_params(policy: Policy) -> dict:
    return {
        "policy": policy.public_id,
        "title_zh": policy.title_zh,
        "title_en": policy.title_en,
        "department_zh": policy.department.name_zh,
        "department_en": policy.department.name_en,
    }


def _enterprise_params(session: Session, enterprise_ids: Iterable[int]) -> dict[int, dict]:
    params = {}
    for chunk in _chunks(enterprise_ids):
        for eid, public_id, name_zh, name_en in session.execute(
            select(Enterprise.id, Enterprise.public_id, Enterprise.name_zh, Enterprise.name_en).where(
                Enterprise.id.in_(chunk)
            )
        ):
            params[eid] = {"enterprise": public_id, "enterprise_zh": name_zh, "enterprise_en": name_en}
    return params


def _inbox_rows(key: str, pairs, policy_params: dict, enterprise_params: dict, now: datetime, **extra) -> list[dict]:
    return [
        {
            "account_id": account_id,
            "subject_key": f"{key}.subject",
            "body_key": f"{key}.body",
            "params": {**policy_params, **enterprise_params[eid], **extra},
            "created_at": now,
        }
        for eid, account_id in pairs
    ]


def _tell_qualified(
    session: Session, policies: list[Policy], enterprise_ids: list[int] | None, now: datetime, report: MatchReport
) -> None:
    """Tell each qualified enterprise not yet told (its legal representatives and agents with the
    policies scope), once: `notified_at` is set in the same transaction as the messages. An
    enterprise with nobody to tell yet stays untold, and hears when someone is verified."""
    by_id = {p.id: p for p in policies}
    query = select(PolicyMatch.id, PolicyMatch.policy_id, PolicyMatch.enterprise_id).where(
        PolicyMatch.policy_id.in_(list(by_id)), PolicyMatch.band == Band.QUALIFIED, PolicyMatch.notified_at.is_(None)
    )
    if enterprise_ids is not None:
        query = query.where(PolicyMatch.enterprise_id.in_(enterprise_ids))
    pending = session.execute(query).all()
    if not pending:
        return
    people = defaultdict(list)
    for eid, account_id in recipients(session, {eid for _, _, eid in pending}, scope=MembershipScope.POLICIES, now=now):
        people[eid].append(account_id)
    told = [(row_id, pid, eid) for row_id, pid, eid in pending if people[eid]]
    names = _enterprise_params(session, {eid for _, _, eid in told})
    messages = []
    for _, pid, eid in told:
        pairs = [(eid, account_id) for account_id in people[eid]]
        messages += _inbox_rows(QUALIFIED_KEY, pairs, _policy_params(by_id[pid]), names, now)
    if messages:
        session.execute(insert(InboxMessage.__table__), messages)
    for chunk in _chunks(row_id for row_id, _, _ in told):
        session.execute(
            update(PolicyMatch).where(PolicyMatch.id.in_(chunk)).values(notified_at=now),
            execution_options={"synchronize_session": False},
        )
    report.enterprises_told += len({eid for _, _, eid in told})
    report.messages += len(messages)


def _tell_subscribers(session: Session, policy: Policy, now: datetime, report: MatchReport) -> None:
    """On first publication: enterprises following the policy's topic hear of it, unless this
    run already told them they qualify."""
    told = select(PolicyMatch.enterprise_id).where(
        PolicyMatch.policy_id == policy.id, PolicyMatch.notified_at.is_not(None)
    )
    subscribers = session.scalars(
        select(TopicSubscription.enterprise_id).where(
            TopicSubscription.topic == policy.topic, TopicSubscription.enterprise_id.not_in(told)
        )
    ).all()
    if not subscribers:
        return
    pairs = recipients(session, subscribers, scope=MembershipScope.POLICIES, now=now)
    rows = _inbox_rows(TOPIC_KEY, pairs, _policy_params(policy), _enterprise_params(session, subscribers), now)
    if rows:
        session.execute(insert(InboxMessage.__table__), rows)
    report.topic_messages += len(rows)


# --- granted without application --------------------------------------------------------------------


def grant_category(session: Session, department: Department) -> CaseCategory:
    """The case category for grants without application handled by `department` (made on first use)."""
    code = f"{GRANT_CATEGORY_PREFIX}{department.code}"
    category = session.scalar(select(CaseCategory).where(CaseCategory.code == code))
    if category is None:
        category = CaseCategory(
            code=code,
            name_zh="免申即享政策兑现",
            name_en="Support granted without application",
            kind=CaseKind.APPLICATION,
            department=department,
            department_id=department.id,
            accept_days=1,
            reply_days=20,
            rectify_days=15,
            active=True,
        )
        session.add(category)
        session.flush()
    return category


def open_grant_case(
    session: Session, policy: Policy, enterprise: Enterprise, representative: Account, *, now: datetime, calendar=None
) -> Case:
    """The case through which the issuing department pays a policy granted without application.
    Filed by the portal itself (SYSTEM) for the enterprise, with its legal representative as sender."""
    title = f"免申即享：{policy.title_zh}"[:200]
    body = (
        f"{enterprise.name_zh}（统一社会信用代码 {enterprise.uscc}）符合《{policy.title_zh}》"
        f"{'（' + policy.document_number + '）' if policy.document_number else ''}的条件。"
        "本案由系统在政策发布或企业信息更新时自动生成，请核定后按政策兑现。"
    )
    return submit_case(
        session,
        SYSTEM,
        kind=CaseKind.APPLICATION,
        category=grant_category(session, policy.department),
        title=title,
        body=body,
        subject=representative,
        enterprise_id=enterprise.id,
        department=policy.department,
        now=now,
        calendar=calendar,
    )


def _grant(
    session: Session, policies: list[Policy], enterprise_ids: list[int] | None, now: datetime, report: MatchReport
) -> None:
    granted = [p for p in policies if p.application_method == ApplicationMethod.GRANTED_WITHOUT_APPLICATION]
    if not granted:
        return
    by_id = {p.id: p for p in granted}
    query = (
        select(PolicyMatch)
        .where(
            PolicyMatch.policy_id.in_(list(by_id)),
            PolicyMatch.band == Band.QUALIFIED,
            PolicyMatch.grant_case_id.is_(None),
        )
        .execution_options(populate_existing=True)
    )
    if enterprise_ids is not None:
        query = query.where(PolicyMatch.enterprise_id.in_(enterprise_ids))
    owed = session.scalars(query).all()
    if not owed:
        return
    representatives: dict[int, int] = {}
    for chunk in _chunks({m.enterprise_id for m in owed}):
        for eid, account_id in session.execute(
            select(Membership.enterprise_id, Membership.account_id)
            .where(
                Membership.enterprise_id.in_(chunk),
                Membership.role == MembershipRole.LEGAL_REPRESENTATIVE,
                effective_clause(now),
            )
            .order_by(Membership.id)
        ):
            representatives.setdefault(eid, account_id)
    noted = [m.id for m in owed if m.enterprise_id not in representatives and m.grant_noted_at is None]
    for chunk in _chunks(noted):
        session.execute(
            update(PolicyMatch).where(PolicyMatch.id.in_(chunk)).values(grant_noted_at=now),
            execution_options={"synchronize_session": False},
        )
    report.grants_noted += len(noted)
    opening = [m for m in owed if m.enterprise_id in representatives]
    if not opening:
        return
    calendar = work_calendar(session)
    for match in opening:
        representative = session.get(Account, representatives[match.enterprise_id])
        case = open_grant_case(
            session, by_id[match.policy_id], match.enterprise, representative, now=now, calendar=calendar
        )
        match.grant_case_id = case.id
        match.grant_noted_at = match.grant_noted_at or now
        report.grant_cases.append(case.id)
    session.flush()


# --- publishing and re-matching ---------------------------------------------------------------------


def _today(now: datetime) -> date:
    return local_date(now)


def _published_open(session: Session, today: date) -> list[Policy]:
    return list(
        session.scalars(
            select(Policy)
            .where(
                Policy.status == PolicyStatus.PUBLISHED,
                or_(Policy.valid_until.is_(None), Policy.valid_until >= today),
            )
            .options(selectinload(Policy.department))  # named on each match: one query, not one each
            .order_by(Policy.id)
        )
    )


def start_publishing(session: Session, policy: Policy, actor: Account | None, *, now: datetime | None = None) -> bool:
    """Check a policy and mark it published (the quick half of publishing, done in the request).
    Returns whether this is its first publication. Raises PolicyError."""
    now = now or utcnow()
    if policy.status == PolicyStatus.WITHDRAWN:
        raise PolicyError("withdrawn")
    errors = check_policy(policy, for_publishing=True)
    if errors:
        raise PolicyError("invalid_criteria", errors)
    if policy.valid_until is not None and policy.valid_until < _today(now):
        raise PolicyError("expired")
    first = policy.status != PolicyStatus.PUBLISHED
    if first:
        policy.status = PolicyStatus.PUBLISHED
        policy.published_at = now
        policy.published_by_id = getattr(actor, "id", None)
    policy.updated_at = now
    session.flush()
    return first


def match_published(
    session: Session,
    policy: Policy,
    actor_id: int | None,
    *,
    first: bool,
    origin: Origin | None = None,
    now: datetime | None = None,
) -> MatchReport:
    """The long half of publishing (a background job): match the policy against every enterprise
    in one query, store the bands, tell each newly qualified enterprise once, open grant cases,
    and on first publication tell the topic's subscribers."""
    now = now or utcnow()
    report = MatchReport()
    bands = _bands(policy.criteria)
    matched = {
        (policy.id, eid): Band(band)
        for eid, band in session.execute(
            select(bands.c.enterprise_id, bands.c.band).where(bands.c.band != Band.NOT_QUALIFIED.value)
        )
    }
    report.qualified = sum(b == Band.QUALIFIED for b in matched.values())
    report.uncertain = len(matched) - report.qualified
    report.newly_qualified, _ = _store(session, [PolicyMatch.policy_id == policy.id], matched, now)
    _tell_qualified(session, [policy], None, now, report)
    _grant(session, [policy], None, now, report)
    if first:
        _tell_subscribers(session, policy, now, report)
    audit.record(
        session,
        "policy.published" if first else "policy.rematched",
        origin=origin,
        actor_id=actor_id,
        object_type="policy",
        object_id=policy.public_id,
        qualified=report.qualified,
        uncertain=report.uncertain,
        told=report.enterprises_told,
        grant_cases=len(report.grant_cases) or None,
    )
    session.flush()
    return report


def publish(
    session: Session,
    policy: Policy,
    actor: Account | None,
    *,
    origin: Origin | None = None,
    now: datetime | None = None,
) -> MatchReport:
    """Publish a draft (or re-match a published policy) in one go: `start_publishing`, then
    `match_published`. Raises PolicyError."""
    now = now or utcnow()
    first = start_publishing(session, policy, actor, now=now)
    return match_published(session, policy, getattr(actor, "id", None), first=first, origin=origin, now=now)


def withdraw(
    session: Session, policy: Policy, actor: Account, *, origin: Origin | None = None, now: datetime | None = None
) -> None:
    """Take a policy down. Its matches stay on record; nobody is told anything new about it."""
    now = now or utcnow()
    policy.status = PolicyStatus.WITHDRAWN
    policy.withdrawn_at = now
    policy.updated_at = now
    audit.record(
        session, "policy.withdrawn", origin=origin, actor_id=actor.id, object_type="policy", object_id=policy.public_id
    )
    session.flush()


def rematch_enterprise(
    session: Session, enterprise: Enterprise, *, actor: Account | None = None, now: datetime | None = None
) -> MatchReport:
    """After an enterprise's profile, records or people changed: its band on every published,
    open policy, stored; told of policies it newly qualifies for (once); grant cases opened.
    `actor` is who caused it (for the record); grant cases are filed by the portal itself."""
    now = now or utcnow()
    session.flush()
    policies = _published_open(session, _today(now))
    report = MatchReport()
    if not policies:
        return report
    facts = facts_of(enterprise)
    bands = {}
    for policy in policies:
        band = explain(policy.criteria, facts).band
        if band != Band.NOT_QUALIFIED:
            bands[(policy.id, enterprise.id)] = band
    report.qualified = sum(b == Band.QUALIFIED for b in bands.values())
    report.uncertain = len(bands) - report.qualified
    where = [PolicyMatch.enterprise_id == enterprise.id, PolicyMatch.policy_id.in_([p.id for p in policies])]
    report.newly_qualified, _ = _store(session, where, bands, now)
    _tell_qualified(session, policies, [enterprise.id], now, report)
    _grant(session, policies, [enterprise.id], now, report)
    session.flush()
    return report


@dataclass(frozen=True)
class RankedPolicy:
    policy: Policy
    explanation: Explanation


_BAND_ORDER = {Band.QUALIFIED: 0, Band.UNCERTAIN: 1, Band.NOT_QUALIFIED: 2}


# Built once: every view of the matches runs them.
_CATALOGUE_VERSION = select(func.count(Policy.id), func.max(Policy.updated_at)).where(
    Policy.status == PolicyStatus.PUBLISHED,
    or_(Policy.valid_until.is_(None), Policy.valid_until >= bindparam("today", type_=Policy.valid_until.type)),
)
_CERTIFICATION_NAMES = (
    select(EnterpriseCertification.certification)
    .where(EnterpriseCertification.enterprise_id == bindparam("enterprise_id"))
    .order_by(EnterpriseCertification.certification)  # stable, for the rows a page answered early compares
)


def enterprise_facts(session: Session, enterprise: Enterprise) -> dict:
    """`facts_of(enterprise)`, its certifications' names read by a Core statement built once when
    the company's certifications are not loaded: the relationship's lazy load builds its statement
    on every request, and the facts need the names, not the rows as objects (the policy matches
    page, kept whole, asks this on every view). Read that way, they are the rows on file once the
    session's pending changes are flushed (a certification added by its company's id included);
    read from loaded rows, they are what the company object holds."""
    if "certification_rows" not in inspect(enterprise).unloaded:
        return facts_of(enterprise)
    names = execute_now(session, _CERTIFICATION_NAMES, {"enterprise_id": enterprise.id}).scalars().all()
    return facts_of(enterprise, members={"certification_rows": names})


def matches_key(session: Session, enterprise: Enterprise, *, now: datetime | None = None) -> tuple:
    """What `ranked_matches` depends on, as a hashable value: equal keys give equal matches.

    The enterprise's facts, the day (validity ends at a date), and the published, open policies'
    count and latest change: publishing, withdrawing and editing a policy all set its `updated_at`,
    and a policy leaving the set changes the count. Two queries at most, neither loading a policy.
    """
    today = _today(now or utcnow())
    catalogue = execute_now(session, _CATALOGUE_VERSION, {"today": today}).one()
    facts = enterprise_facts(session, enterprise)
    return (enterprise.id, today, tuple(catalogue), tuple(sorted(facts.items())))


def ranked_matches(session: Session, enterprise: Enterprise, *, now: datetime | None = None) -> list[RankedPolicy]:
    """Every published, open policy with its explanation for `enterprise`: qualified first, then
    the ones we need more data for (fewest missing first), then near misses (fewest unmet first)."""
    now = now or utcnow()
    facts = enterprise_facts(session, enterprise)
    ranked = [RankedPolicy(p, explain(p.criteria, facts)) for p in _published_open(session, _today(now))]
    ranked.sort(
        key=lambda r: (
            _BAND_ORDER[r.explanation.band],
            len(r.explanation.missing) + len(r.explanation.unmet),
            -(r.policy.published_at.timestamp() if r.policy.published_at else 0),
            r.policy.id,
        )
    )
    return ranked


# --- topic subscriptions --------------------------------------------------------------------------


def topics_of(session: Session, enterprise: Enterprise) -> list[PolicyTopic]:
    return list(
        session.scalars(
            select(TopicSubscription.topic)
            .where(TopicSubscription.enterprise_id == enterprise.id)
            .order_by(TopicSubscription.topic)
        )
    )


def set_topics(
    session: Session,
    actor: Account,
    enterprise: Enterprise,
    topics: Iterable[PolicyTopic | str],
    *,
    now: datetime | None = None,
) -> list[PolicyTopic]:
    """The enterprise follows exactly `topics` (someone with the policies scope chooses).
    Codes (EnterpriseError): not_permitted, invalid_value."""
    now = now or utcnow()
    if active_membership(session, actor, enterprise, scope=MembershipScope.POLICIES, now=now) is None:
        raise EnterpriseError("not_permitted")
    try:
        wanted = {PolicyTopic(t) for t in topics}
    except ValueError:
        raise EnterpriseError("invalid_value", field="topics") from None
    current = {
        row.topic: row
        for row in session.scalars(select(TopicSubscription).where(TopicSubscription.enterprise_id == enterprise.id))
    }
    for topic, row in current.items():
        if topic not in wanted:
            session.delete(row)
    for topic in sorted(wanted - set(current)):
        session.add(
            TopicSubscription(enterprise_id=enterprise.id, topic=topic, subscribed_by_id=actor.id, created_at=now)
        )
    session.flush()
    return sorted(wanted)
