"""The public catalogue (services, published policies) and a person's companies' policy matches.

Services come from the service guide's own search (`portal.catalogue`); matches from the
explainer the enterprise end uses (`policy_matching.ranked_matches`), for each company the person
may see policies for. No Flask: the caller passes the session, the principal and the time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from api.v1.auth import Principal
from api.v1.schemas import MatchQuery, PolicyListQuery, ServiceListQuery
from portal import policy_matching
from portal.catalogue import find_service, search_services
from portal.enterprises.memberships import enterprises_of
from portal.models import Department, Enterprise, MembershipScope, Policy, PolicyStatus, ServiceGuide
from portal.rules import Band

LIST_LIMIT = 200


class NotAnEnterpriseUser(Exception):  # noqa: N818 - answered 403
    """The token is a department system's, or the person acts for no company (with the policies scope)."""


def services(session: Session, query: ServiceListQuery) -> list[ServiceGuide]:
    if query.q and query.q.strip():
        found = search_services(session, query.q, audience=query.audience, limit=LIST_LIMIT).services
    else:
        statement = select(ServiceGuide).where(ServiceGuide.active.is_(True))
        if query.audience is not None:
            statement = statement.where(ServiceGuide.audience == query.audience)
        found = list(session.scalars(
            statement.options(selectinload(ServiceGuide.department), selectinload(ServiceGuide.life_events))
            .order_by(ServiceGuide.popularity.desc(), ServiceGuide.code).limit(LIST_LIMIT)
        ))
    if query.department:
        found = [service for service in found if service.department.code == query.department]
    return found


def service(session: Session, code: str) -> ServiceGuide | None:
    return find_service(session, code)


def _published():
    return select(Policy).where(Policy.status == PolicyStatus.PUBLISHED).options(selectinload(Policy.department))


def policies(session: Session, query: PolicyListQuery) -> list[Policy]:
    statement = _published()
    if query.q and query.q.strip():
        like = f"%{query.q.strip()}%"
        statement = statement.where(or_(Policy.title_zh.like(like), Policy.title_en.ilike(like),
                                        Policy.summary_zh.like(like), Policy.summary_en.ilike(like),
                                        Policy.document_number.like(like)))
    if query.topic is not None:
        statement = statement.where(Policy.topic == query.topic)
    if query.department:
        statement = statement.join(Policy.department).where(Department.code == query.department)
    if query.application_method is not None:
        statement = statement.where(Policy.application_method == query.application_method)
    return list(session.scalars(statement.order_by(Policy.published_at.desc(), Policy.id.desc()).limit(LIST_LIMIT)))


def policy(session: Session, public_id: str) -> Policy | None:
    return session.scalar(_published().where(Policy.public_id == public_id))


@dataclass(frozen=True)
class CompanyMatch:
    enterprise: Enterprise
    ranked: policy_matching.RankedPolicy


def matches(session: Session, principal: Principal, query: MatchQuery, now: datetime) -> list[CompanyMatch]:
    """Every published, open policy against each company the person may see policies for (the
    policies scope of their membership): qualified first, then uncertain, then near misses."""
    if principal.is_department_system or principal.actor is not None:
        raise NotAnEnterpriseUser()
    companies = enterprises_of(session, principal.account, scope=MembershipScope.POLICIES, now=now)
    if not companies:
        raise NotAnEnterpriseUser()
    found = []
    for company in companies:
        if query.uscc and company.uscc != query.uscc:
            continue
        for ranked in policy_matching.ranked_matches(session, company, now=now):
            if query.band is None or ranked.explanation.band == Band(query.band):
                found.append(CompanyMatch(company, ranked))
    return found
