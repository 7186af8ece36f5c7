"""Registering an enterprise, verifying its legal representative, keeping its profile current.

A person registers (or claims) a company by its USCC and becomes its legal representative once
an officer, or the upstream registration service, verifies it. The company's own staff keep the
figures a policy may ask for (employees, revenue, R&D spend, patents) up to date; records held
by authorities (certifications, tax credit rating) are set by officers. Every change re-matches
the enterprise against the published policies. No Flask.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import audit
from portal.audit import Origin
from portal.enterprise_codes import normalise_uscc, uscc_problem
from portal.enterprises.errors import EnterpriseError
from portal.enterprises.memberships import active_membership
from portal.inbox import tell
from portal.models.account import Account
from portal.models.base import utcnow
from portal.models.department import Department, DepartmentKind
from portal.models.enterprise import (
    Enterprise,
    EnterpriseCertification,
    Membership,
    MembershipRole,
    MembershipScope,
    MembershipStatus,
)
from portal.rules.vocabulary import Certification, EnterpriseType, TaxCreditRating, industry_section_of

# Figures the enterprise's own staff maintain (with the "profile" scope).
PROFILE_FIELDS = (
    "name_en",
    "address_zh",
    "address_en",
    "employees",
    "figures_year",
    "revenue_last_year",
    "rd_spend_last_year",
    "invention_patents",
)
_WHOLE_NUMBERS = {"employees", "figures_year", "revenue_last_year", "rd_spend_last_year", "invention_patents"}
_TEXT_LIMITS = {"name_en": 300, "address_zh": 300, "address_en": 400}


def _industry(code: str | None) -> tuple[str | None, str | None]:
    if not code:
        return None, None
    code = code.strip()
    section = industry_section_of(code)
    if len(code) != 4 or not code.isdigit() or section is None:
        raise EnterpriseError("invalid_industry", code=code)
    return code, section


def register_enterprise(
    session: Session,
    actor: Account,
    *,
    uscc: str,
    name_zh: str,
    enterprise_type: EnterpriseType | str,
    name_en: str | None = None,
    industry_code: str | None = None,
    town: Department | None = None,
    address_zh: str | None = None,
    registered_on: date | None = None,
    registered_capital: int | None = None,
    origin: Origin | None = None,
    now: datetime | None = None,
) -> Membership:
    """Register a company (or claim one already on file) as its legal representative.

    Returns the pending legal-representative membership an officer verifies. Codes:
    invalid_uscc (problem=<UsccProblem>), field_required, invalid_type, invalid_industry,
    invalid_town, already_member.
    """
    now = now or utcnow()
    code = normalise_uscc(uscc)
    problem = uscc_problem(code)
    if problem is not None:
        raise EnterpriseError("invalid_uscc", problem=problem.value)
    enterprise = session.scalar(select(Enterprise).where(Enterprise.uscc == code))
    if enterprise is None:
        name_zh = (name_zh or "").strip()
        if not name_zh:
            raise EnterpriseError("field_required", field="name_zh")
        try:
            kind = EnterpriseType(enterprise_type)
        except ValueError:
            raise EnterpriseError("invalid_type") from None
        if town is not None and town.kind == DepartmentKind.BUREAU:
            raise EnterpriseError("invalid_town")
        industry, section = _industry(industry_code)
        enterprise = Enterprise(
            uscc=code,
            name_zh=name_zh[:200],
            name_en=(name_en or "").strip()[:300] or None,
            enterprise_type=kind,
            industry_code=industry,
            industry_section=section,
            town_id=town.id if town is not None else None,
            address_zh=(address_zh or "").strip()[:300] or None,
            registered_on=registered_on,
            registered_capital=registered_capital,
            created_at=now,
            updated_at=now,
        )
        session.add(enterprise)
        session.flush()
    else:
        taken = session.scalar(
            select(Membership.id).where(
                Membership.enterprise_id == enterprise.id,
                Membership.account_id == actor.id,
                Membership.status.in_([MembershipStatus.PENDING, MembershipStatus.ACTIVE]),
            )
        )
        if taken is not None:
            raise EnterpriseError("already_member")
    membership = Membership(
        account_id=actor.id,
        enterprise_id=enterprise.id,
        role=MembershipRole.LEGAL_REPRESENTATIVE,
        scopes=[],
        status=MembershipStatus.PENDING,
        valid_from=now,
        created_at=now,
    )
    session.add(membership)
    session.flush()
    audit.record(
        session,
        "enterprise.registered",
        origin=origin,
        actor_id=actor.id,
        object_type="enterprise",
        object_id=enterprise.public_id,
        membership=membership.public_id,
    )
    return membership


def verify_representative(
    session: Session,
    officer: Account,
    membership: Membership,
    *,
    origin: Origin | None = None,
    now: datetime | None = None,
):
    """An officer confirms a registration: the person becomes the legal representative (any
    earlier one's binding ends), the enterprise is verified, and it is matched against the
    published policies (now there is someone to tell). Codes: not_permitted, not_pending."""
    from portal import policy_matching

    now = now or utcnow()
    if not officer.is_staff:
        raise EnterpriseError("not_permitted")
    if membership.role != MembershipRole.LEGAL_REPRESENTATIVE or membership.status != MembershipStatus.PENDING:
        raise EnterpriseError("not_pending")
    enterprise = membership.enterprise
    earlier = session.scalars(
        select(Membership).where(
            Membership.enterprise_id == enterprise.id,
            Membership.role == MembershipRole.LEGAL_REPRESENTATIVE,
            Membership.status == MembershipStatus.ACTIVE,
            Membership.id != membership.id,
        )
    ).all()
    for previous in earlier:
        previous.status = MembershipStatus.REVOKED
        previous.revoked_at = now
        previous.revoked_by_id = officer.id
    membership.status = MembershipStatus.ACTIVE
    membership.confirmed_at = now
    membership.granted_by_id = officer.id
    if enterprise.verified_at is None:
        enterprise.verified_at = now
    tell(
        session,
        membership.account_id,
        "enterprise.representative_verified",
        enterprise=enterprise.public_id,
        enterprise_zh=enterprise.name_zh,
        enterprise_en=enterprise.name_en,
    )
    audit.record(
        session,
        "enterprise.representative_verified",
        origin=origin,
        actor_id=officer.id,
        object_type="membership",
        object_id=membership.public_id,
        enterprise=enterprise.public_id,
        replaced=[m.public_id for m in earlier] or None,
    )
    session.flush()
    return policy_matching.rematch_enterprise(session, enterprise, actor=officer, now=now)


def _clean(field: str, value: Any) -> Any:
    if field in _WHOLE_NUMBERS:
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise EnterpriseError("invalid_value", field=field)
        return value
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise EnterpriseError("invalid_value", field=field)
    if len(text) > _TEXT_LIMITS[field]:
        raise EnterpriseError("field_too_long", field=field, max=_TEXT_LIMITS[field])
    return text or None


def update_profile(
    session: Session,
    actor: Account,
    enterprise: Enterprise,
    changes: Mapping[str, Any],
    *,
    origin: Origin | None = None,
    now: datetime | None = None,
):
    """The enterprise's staff update its figures; it is then re-matched (and told of any policy
    it newly qualifies for). Returns the re-match report. Codes: not_permitted, unknown_field,
    invalid_value, field_too_long."""
    from portal import policy_matching

    now = now or utcnow()
    if active_membership(session, actor, enterprise, scope=MembershipScope.PROFILE, now=now) is None:
        raise EnterpriseError("not_permitted")
    unknown = sorted(set(changes) - set(PROFILE_FIELDS))
    if unknown:
        raise EnterpriseError("unknown_field", field=unknown[0])
    cleaned = {field: _clean(field, value) for field, value in changes.items()}
    changed = sorted(f for f, v in cleaned.items() if getattr(enterprise, f) != v)
    for field in changed:
        setattr(enterprise, field, cleaned[field])
    if changed:
        enterprise.updated_at = now
        audit.record(
            session,
            "enterprise.profile_updated",
            origin=origin,
            actor_id=actor.id,
            object_type="enterprise",
            object_id=enterprise.public_id,
            fields=changed,
        )
    session.flush()
    return policy_matching.rematch_enterprise(session, enterprise, actor=actor, now=now)


def set_official_records(
    session: Session,
    officer: Account,
    enterprise: Enterprise,
    *,
    certifications: Iterable[Certification | str] | None = None,
    tax_credit_rating: TaxCreditRating | str | None = None,
    origin: Origin | None = None,
    now: datetime | None = None,
):
    """An officer records what the authorities hold: certifications (the complete set) and the
    tax credit rating. Re-matches the enterprise. Codes: not_permitted, invalid_value."""
    from portal import policy_matching

    now = now or utcnow()
    if not officer.is_staff:
        raise EnterpriseError("not_permitted")
    details: dict[str, Any] = {}
    if certifications is not None:
        try:
            wanted = {Certification(c) for c in certifications}
        except ValueError:
            raise EnterpriseError("invalid_value", field="certifications") from None
        current = {row.certification: row for row in enterprise.certification_rows}
        for code, row in current.items():
            if code not in wanted:
                enterprise.certification_rows.remove(row)
        for code in sorted(wanted - set(current)):
            enterprise.certification_rows.append(EnterpriseCertification(certification=code))
        details["certifications"] = sorted(c.value for c in wanted)
    if tax_credit_rating is not None:
        try:
            enterprise.tax_credit_rating = TaxCreditRating(tax_credit_rating)
        except ValueError:
            raise EnterpriseError("invalid_value", field="tax_credit_rating") from None
        details["tax_credit_rating"] = enterprise.tax_credit_rating.value
    enterprise.updated_at = now
    audit.record(
        session,
        "enterprise.records_set",
        origin=origin,
        actor_id=officer.id,
        object_type="enterprise",
        object_id=enterprise.public_id,
        **details,
    )
    session.flush()
    return policy_matching.rematch_enterprise(session, enterprise, actor=officer, now=now)
