"""The citizen end's use cases. Each takes the session and the people explicitly: `actor` (who is
signed in) and, where it matters, `subject` (on whose behalf: themselves or an elder)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from auth.session import set_acting_for
from portal import audit, city_code, delegations
from portal.audit import Origin
from portal.catalogue import (
    SearchResult,
    departments_with_services,
    find_department,
    find_life_event,
    find_service,
    life_events,
    popular_services,
    search_services,
    services_for_department,
    services_for_life_event,
)
from portal.code_keys import app_keyring
from portal.models import (
    Account,
    Department,
    DepartmentKind,
    PaperCode,
    ResidentHomeArea,
    ResidentProfile,
    ServiceGuide,
)
from portal.models.base import CoreLoader, fill_unloaded, utcnow
from portal.page_cache import PageCache

# Acting for someone in these pages needs this scope of the delegation.
PAPER_CODE_SCOPE = "file_applications"


class NotAllowed(Exception):  # noqa: N818 - reads as the answer: not allowed
    """The signed-in person may not do this (for this subject): the page answers 403."""


def _acting_check(session: Session, actor: Account, subject: Account, scope: str) -> None:
    if subject.id != actor.id and delegations.active_delegation(session, actor, subject, scope=scope) is None:
        raise NotAllowed


# --- city code -----------------------------------------------------------------------------


@dataclass
class CodePage:
    subject: Account
    acting: bool
    live: city_code.LiveCode | None
    qr: str | None
    paper_codes: list[PaperCode]
    history: list
    can_manage_paper: bool
    now: datetime  # what the page was worked out for: which paper codes it shows as expired

    # The page lists this many paper codes: a longer list is for the history page.
    PAPER_CODES_SHOWN = 5

    @property
    def shown_paper_codes(self) -> list[PaperCode]:
        return self.paper_codes[:self.PAPER_CODES_SHOWN]

    def key(self) -> tuple:
        """Everything the page shows, for the page cache: equal keys, equal pages (but for a
        department renamed since, whose new name shows within PAGE_CACHE_SECONDS)."""
        live = None if self.live is None else (self.live.token_id, self.live.digits, self.live.refresh_seconds)
        papers = tuple((paper.public_id, paper.issued_at, paper.revoked_at, paper.expires_at,
                        paper.expires_at <= self.now) for paper in self.shown_paper_codes)
        history = tuple((row.id, row.at, row.department_id, row.purpose, row.channel, row.outcome)
                        for row in self.history)
        return self.subject.id, self.acting, self.can_manage_paper, live, papers, history

    def shown_alike_until(self) -> datetime:
        """Until when the page would be shown the same by the clock alone: its code's countdown, and
        the first paper code it shows as working that expires."""
        moments = [paper.expires_at for paper in self.shown_paper_codes
                   if paper.revoked_at is None and paper.expires_at > self.now]
        if self.live is not None:
            moments.append(city_code.shown_alike_until(self.live))
        return min(moments, default=self.now + timedelta(days=1))


# Built once: read on every view of the code page.
_RESIDENT_OF = CoreLoader(ResidentProfile, ResidentProfile.account_id == bindparam("account_id"))


def code_page(
    session: Session, actor: Account, subject: Account, qr_label: str, *, last_shown: city_code.LiveCode | None = None,
) -> CodePage:
    """The code page: the live code only on the resident's own phone (`last_shown` again while it is
    good for most of its minute); paper codes and history for them or for family acting with the
    right scope."""
    now = utcnow()
    acting = subject.id != actor.id
    fill_unloaded(subject, "resident", lambda: _RESIDENT_OF.one_or_none(session, {"account_id": subject.id}))
    if acting:
        can_manage = delegations.active_delegation(session, actor, subject, scope=PAPER_CODE_SCOPE) is not None
    else:
        can_manage = subject.resident is not None
    live = qr = None
    if not acting and subject.resident is not None:
        live = city_code.shown_live_code(session, app_keyring(), subject, last_shown, now=now)
        qr = _qr(live, qr_label)
    page = CodePage(
        subject=subject,
        acting=acting,
        live=live,
        qr=qr,
        paper_codes=city_code.paper_codes_of(session, subject) if can_manage else [],
        history=city_code.verification_history(session, subject, limit=10),
        can_manage_paper=can_manage,
        now=now,
    )
    if live is not None and not live.shown_before:
        session.commit()  # the new code and its numeric twin (a commit would also expire the account)
    return page


def live_code(session: Session, actor: Account, qr_label: str) -> tuple[city_code.LiveCode, str] | None:
    """A new live code for the signed-in resident (the page's refresh script asks every minute)."""
    if actor.resident is None:
        return None
    live = city_code.issue_live_code(session, app_keyring(), actor)
    session.commit()
    return live, _qr(live, qr_label)


# A code is shown for a minute: its drawing is kept that long, apart from the fragments pages share.
QR_DRAWINGS_KEPT = 256


def _qr(live: city_code.LiveCode, label: str) -> str:
    """The code's QR, drawn once per process however often the code is shown in its minute."""
    kept = current_app.extensions.setdefault(
        "city_code_qr", PageCache(QR_DRAWINGS_KEPT, city_code.REFRESH_SECONDS)
    )
    drawing = kept.kept((live.token,), lambda: city_code.qr_drawing(live.token))
    return city_code.labelled(drawing, label)


def code_history(session: Session, subject: Account) -> list:
    return city_code.verification_history(session, subject, limit=200)


def issue_paper_code(session: Session, actor: Account, subject: Account, origin: Origin) -> PaperCode:
    _acting_check(session, actor, subject, PAPER_CODE_SCOPE)
    if subject.resident is None:
        raise NotAllowed
    paper = city_code.issue_paper_code(session, app_keyring(), actor=actor, subject=subject, origin=origin)
    session.commit()
    return paper


def paper_code(session: Session, actor: Account, subject: Account, public_id: str) -> PaperCode | None:
    _acting_check(session, actor, subject, PAPER_CODE_SCOPE)
    return city_code.find_paper_code(session, subject, public_id)


def revoke_paper_code(session: Session, actor: Account, subject: Account, public_id: str, origin: Origin) -> bool:
    paper = paper_code(session, actor, subject, public_id)
    if paper is None:
        raise LookupError(public_id)
    revoked = city_code.revoke_paper_code(session, paper, actor=actor, origin=origin)
    session.commit()
    return revoked


def masked_name(subject: Account) -> str:
    return city_code.mask_name(subject.resident.real_name if subject.resident else subject.display_name)


def paper_qr(paper: PaperCode, label: str) -> str:
    return city_code.qr_svg(paper.token, label)


# --- help and the nearest service centre ---------------------------------------------------


def service_centres(session: Session) -> list[Department]:
    return list(
        session.scalars(
            select(Department)
            .where(Department.kind.in_([DepartmentKind.SUBDISTRICT, DepartmentKind.TOWN]))
            .order_by(Department.kind, Department.code)
        )
    )


def home_centre(session: Session, account: Account | None) -> Department | None:
    if account is None:
        return None
    area = session.get(ResidentHomeArea, account.id)
    return area.department if area is not None else None


def set_home_area(session: Session, actor: Account, code: str, origin: Origin) -> Department:
    department = session.scalar(
        select(Department).where(
            Department.code == code, Department.kind.in_([DepartmentKind.SUBDISTRICT, DepartmentKind.TOWN])
        )
    )
    if department is None:
        raise LookupError(code)
    area = session.get(ResidentHomeArea, actor.id)
    if area is None:
        area = ResidentHomeArea(account_id=actor.id)
        session.add(area)
    area.department_id = department.id
    area.updated_at = utcnow()
    audit.record(session, "home_area.set", origin=origin, actor_id=actor.id, area=department.code)
    session.commit()
    return department


# --- the service catalogue -----------------------------------------------------------------


@dataclass
class CataloguePage:
    search: SearchResult | None
    life_events: list
    departments: list
    popular: list[ServiceGuide]
    heading_event: object = None
    heading_department: Department | None = None
    listed: list[ServiceGuide] | None = None


def catalogue(session: Session, *, query: str | None, event: str | None, department: str | None) -> CataloguePage:
    page = CataloguePage(
        search=search_services(session, query) if query else None,
        life_events=life_events(session),
        departments=departments_with_services(session),
        popular=popular_services(session, limit=6),
    )
    if event and (found := find_life_event(session, event)) is not None:
        page.heading_event, page.listed = found, services_for_life_event(session, event)
    elif department and (found := find_department(session, department)) is not None:
        page.heading_department, page.listed = found, services_for_department(session, department)
    return page


def service_guide(session: Session, code: str) -> ServiceGuide | None:
    return find_service(session, code)


def elder_services(session: Session, limit: int = 2) -> list[ServiceGuide]:
    return popular_services(session, for_elders=True, limit=limit)


# --- acting for an elder -------------------------------------------------------------------


@dataclass
class FamilyPage:
    granted: list  # what I gave others (the elder's side)
    invitations: list  # invitations waiting for me
    held: list  # delegations I may use now (the family member's side)


def family_page(session: Session, actor: Account) -> FamilyPage:
    return FamilyPage(
        granted=delegations.granted_by(session, actor),
        invitations=delegations.invitations_for(session, actor),
        held=delegations.held_by(session, actor),
    )


def invite_family_member(session: Session, actor: Account, form_data: dict, origin: Origin):
    scopes = {name for name in delegations.SCOPES if form_data.get(f"can_{name}")}
    delegation = delegations.invite(
        session, actor, mobile=form_data["mobile"], scopes=scopes, days=form_data["days"],
        relationship_note=form_data.get("relationship_note"), origin=origin,
    )
    session.commit()
    return delegation


def answer_invitation(session: Session, actor: Account, public_id: str, accept: bool, origin: Origin):
    action = delegations.accept if accept else delegations.decline
    delegation = action(session, actor, public_id, origin=origin)
    session.commit()
    return delegation


def end_delegation(session: Session, actor: Account, public_id: str, origin: Origin):
    delegation = delegations.revoke(session, actor, public_id, origin=origin)
    session.commit()
    return delegation


def start_acting_for(session: Session, actor: Account, public_id: str, origin: Origin) -> Account:
    subject = delegations.start_acting(session, actor, public_id, origin=origin)
    session.commit()
    set_acting_for(subject)
    return subject


def stop_acting_for(session: Session, actor: Account, subject: Account | None, origin: Origin) -> None:
    if subject is not None:
        audit.record(session, "delegation.stop_acting", origin=origin, actor_id=actor.id, subject_id=subject.id)
        session.commit()
    set_acting_for(None)


def acting_for_still_allowed(session: Session, actor: Account | None, subject: Account | None) -> bool:
    """Checked on every request: a revoked or expired delegation stops working at once."""
    if subject is None:
        return True
    if actor is None:
        return False
    return delegations.active_delegation(session, actor, subject) is not None

