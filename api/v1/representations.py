"""Rows as the API shows them: from the portal's models to the response schemas."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.v1 import schemas
from api.v1.cases import EventLine
from portal.cases import current_due
from portal.models import Case, Department, Enterprise, Policy, ServiceGuide
from portal.rules import Explanation


def names(zh: str | None, en: str | None) -> schemas.Names:
    return schemas.Names(zh=zh or "", en=en or None)


def department(row: Department | None) -> schemas.DepartmentRef | None:
    if row is None:
        return None
    return schemas.DepartmentRef(code=row.code, name=names(row.name_zh, row.name_en))


def enterprise(row: Enterprise | None) -> schemas.EnterpriseRef | None:
    if row is None:
        return None
    return schemas.EnterpriseRef(uscc=row.uscc, name=names(row.name_zh, row.name_en))


def enterprises_of_cases(session: Session, cases: list[Case]) -> dict[int, Enterprise]:
    ids = {case.sender_enterprise_id for case in cases if case.sender_enterprise_id}
    if not ids:
        return {}
    return {row.id: row for row in session.scalars(select(Enterprise).where(Enterprise.id.in_(ids)))}


def case(row: Case, actions: list[str], *, company: Enterprise | None, for_department: bool,
         model: type[schemas.Case] = schemas.Case, **extra) -> schemas.Case:
    has_location = row.location_text or row.latitude is not None
    return model(
        id=row.public_id,
        reference=row.reference,
        kind=row.kind,
        state=row.state,
        priority=row.priority,
        title=row.title,
        body=row.body,
        category=schemas.CategoryRef(code=row.category.code, name=names(row.category.name_zh, row.category.name_en)),
        department=department(row.department),
        pending_department=department(row.pending_department) if for_department else None,
        enterprise=enterprise(company),
        location=schemas.Location(text=row.location_text, latitude=row.latitude, longitude=row.longitude)
        if has_location else None,
        submitted_at=row.submitted_at,
        updated_at=row.updated_at,
        accepted_at=row.accepted_at,
        replied_at=row.replied_at,
        closed_at=row.closed_at,
        due=schemas.Deadlines(accept_due=row.accept_due, reply_due=row.reply_due, current_due=current_due(row),
                              estimated=row.due_estimated),
        rating=row.rating,
        allowed_actions=actions,
        **extra,
    )


def event(line: EventLine) -> schemas.Event:
    return schemas.Event(
        at=line.at, action=line.action, from_state=line.from_state, to_state=line.to_state,
        visibility=line.visibility, by=line.by, reason=line.reason, basis=line.basis, notes=line.notes,
        department=department(line.department), due=line.due,
    )


def service(row: ServiceGuide, *, detail: bool = False) -> schemas.Service:
    common = {
        "code": row.code,
        "name": names(row.name_zh, row.name_en),
        "summary": names(row.summary_zh, row.summary_en),
        "department": department(row.department),
        "audience": row.audience,
        "time_limit_days": row.time_limit_days,
        "online": row.online,
        "in_person": row.in_person,
        "life_events": [event.code for event in row.life_events],
    }
    if not detail:
        return schemas.Service(**common)
    return schemas.ServiceDetail(
        **common,
        eligibility=names(row.eligibility_zh, row.eligibility_en),
        materials=[names(item.get("zh"), item.get("en")) for item in row.materials or []],
        fee=names(row.fee_zh, row.fee_en),
        where=names(row.where_zh, row.where_en),
    )


def policy(row: Policy, *, detail: bool = False) -> schemas.Policy:
    common = {
        "id": row.public_id,
        "document_number": row.document_number,
        "title": names(row.title_zh, row.title_en),
        "summary": names(row.summary_zh, row.summary_en),
        "department": department(row.department),
        "topic": row.topic,
        "application_method": row.application_method,
        "valid_from": row.valid_from,
        "valid_until": row.valid_until,
        "published_at": row.published_at,
    }
    if not detail:
        return schemas.Policy(**common)
    return schemas.PolicyDetail(
        **common,
        benefit=names(row.benefit_zh, row.benefit_en),
        beneficiaries=names(row.beneficiaries_zh, row.beneficiaries_en),
        conditions=names(row.conditions_zh, row.conditions_en),
        payment_time_limit=names(row.payment_time_limit_zh, row.payment_time_limit_en),
        contacts=names(row.contacts_zh, row.contacts_en),
    )


def jsonable(value: Any) -> Any:
    """A criterion's threshold or a company's value as JSON: dates as ISO strings, sets and pairs as lists."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(jsonable(item) for item in value)
    if isinstance(value, tuple | list):
        return [jsonable(item) for item in value]
    if hasattr(value, "value") and isinstance(value.value, str):  # an enum member
        return value.value
    return value


def match(company: Enterprise, row: Policy, explanation: Explanation) -> schemas.Match:
    return schemas.Match(
        enterprise=enterprise(company),
        policy=policy(row),
        band=explanation.band,
        missing=list(explanation.missing),
        criteria=[
            schemas.Criterion(attribute=leaf.attr, op=leaf.op, threshold=jsonable(leaf.threshold),
                              value=jsonable(leaf.value), outcome=leaf.outcome.value, clause=leaf.clause)
            for leaf in explanation.leaves
        ],
    )
