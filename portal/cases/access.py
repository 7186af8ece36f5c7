"""Which cases a person may see, as SQLAlchemy selects, and keyset pagination over them.

Every list and every case page loads through one of these scopes, so a case outside a person's
scope is neither listed nor found by its id (`find_visible` returns None: the page answers 404
or 403). Pages are cut by a cursor on (submitted_at, id), never by OFFSET, so the 500th page
costs what the first does; the indexes ending in (submitted_at, id) on case_file serve them.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Select, and_, false, or_, select
from sqlalchemy.orm import Session, aliased

from portal.cases.clock import ACCEPT_CLOCK_STATES, REPLY_CLOCK_STATES
from portal.cases.errors import CaseError
from portal.models.account import Account, StaffPosition, StaffRole
from portal.models.case import Case, CaseAssist, CaseKind, CaseState

# --- scopes ----------------------------------------------------------------------------------


def _departments_of(account: Account, roles: tuple[StaffRole, ...] | None = None) -> Select:
    query = select(StaffPosition.department_id).where(StaffPosition.account_id == account.id)
    if roles is not None:
        query = query.where(StaffPosition.role.in_(roles))
    return query


def _touching(departments: Select):
    """Cases a set of departments owns, assists on, or is offered in a pending transfer."""
    assisted = select(CaseAssist.case_id).where(CaseAssist.department_id.in_(departments))
    return or_(
        Case.department_id.in_(departments),
        Case.pending_department_id.in_(departments),
        Case.id.in_(assisted),
    )


def cases_for_officer(account: Account) -> Select[tuple[Case]]:
    """An officer: cases their departments own, assist on, or are offered by transfer."""
    return select(Case).where(_touching(_departments_of(account)))


def cases_for_lead(account: Account) -> Select[tuple[Case]]:
    """A lead: the cases of the departments they lead (owned, assisted, offered)."""
    return select(Case).where(_touching(_departments_of(account, (StaffRole.LEAD, StaffRole.ADMIN))))


def cases_for_admin() -> Select[tuple[Case]]:
    """An administrator: every case."""
    return select(Case)


def cases_for_staff(account: Account) -> Select[tuple[Case]]:
    """The desk's scope for a staff member: all for an administrator, else their departments'."""
    if account.is_admin:
        return cases_for_admin()
    if not account.staff_positions:
        return select(Case).where(false())
    return cases_for_officer(account)


def cases_for_sender(account: Account) -> Select[tuple[Case]]:
    """A resident: the cases filed for them."""
    return select(Case).where(Case.sender_id == account.id)


def cases_for_enterprise(enterprise_id: int) -> Select[tuple[Case]]:
    """An enterprise's staff (as their membership allows): the cases filed for the enterprise."""
    return select(Case).where(Case.sender_enterprise_id == enterprise_id)


def originals_followed_by(account: Account) -> Select[tuple[Case]]:
    """Originals into which a sender's cases were merged: they follow its progress.

    These are someone else's cases: show their state and public replies only, never the
    original sender's details or text.
    """
    duplicate = aliased(Case)
    followed = select(duplicate.duplicate_of_id).where(
        duplicate.sender_id == account.id, duplicate.state == CaseState.MERGED
    )
    return select(Case).where(Case.id.in_(followed))


def find_visible(session: Session, scope: Select[tuple[Case]], public_id: str) -> Case | None:
    """Load one case by its public id through a scope; None when it is not in the scope."""
    return session.scalars(scope.where(Case.public_id == public_id).limit(1)).first()


# --- filters ---------------------------------------------------------------------------------

REFERENCE_PATTERN = re.compile(r"^[A-Z]{1,8}-\d{4}-\d{6,}$")


@dataclass(frozen=True)
class QueueFilter:
    states: tuple[CaseState, ...] = ()
    kinds: tuple[CaseKind, ...] = ()
    category_ids: tuple[int, ...] = ()
    department_id: int | None = None
    overdue: bool = False
    assigned_to_id: int | None = None
    search: str | None = None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def overdue_condition(today: date):
    """Open cases whose running deadline has passed."""
    return or_(
        and_(Case.state.in_(ACCEPT_CLOCK_STATES), Case.accept_due < today),
        and_(Case.state.in_(REPLY_CLOCK_STATES), Case.reply_due < today),
    )


def apply_filter(query: Select[tuple[Case]], wanted: QueueFilter, today: date) -> Select[tuple[Case]]:
    if wanted.states:
        query = query.where(Case.state.in_(wanted.states))
    if wanted.kinds:
        query = query.where(Case.kind.in_(wanted.kinds))
    if wanted.category_ids:
        query = query.where(Case.category_id.in_(wanted.category_ids))
    if wanted.department_id is not None:
        query = query.where(Case.department_id == wanted.department_id)
    if wanted.overdue:
        query = query.where(overdue_condition(today))
    if wanted.assigned_to_id is not None:
        query = query.where(Case.assigned_officer_id == wanted.assigned_to_id)
    text = (wanted.search or "").strip()
    if text:
        if REFERENCE_PATTERN.match(text.upper()):
            query = query.where(Case.reference == text.upper())
        else:
            pattern = f"%{_escape_like(text)}%"
            query = query.where(or_(Case.title.ilike(pattern, escape="\\"), Case.body.ilike(pattern, escape="\\")))
    return query


# --- keyset pagination -----------------------------------------------------------------------


class InvalidCursor(CaseError):
    def __init__(self) -> None:
        super().__init__("invalid_cursor")


@dataclass(frozen=True)
class Page:
    items: list[Case]
    next_cursor: str | None  # pass back as `after` for the next page; None on the last page


def encode_cursor(case: Case) -> str:
    raw = f"{case.submitted_at.astimezone(UTC).isoformat()}|{case.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, _, ident = raw.partition("|")
        when = datetime.fromisoformat(moment)
        if when.tzinfo is None:
            raise ValueError("naive")
        return when.astimezone(UTC), int(ident)
    except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise InvalidCursor() from None


def keyset_page(
    session: Session,
    query: Select[tuple[Case]],
    *,
    after: str | None = None,
    limit: int = 50,
    newest_first: bool = False,
) -> Page:
    """One page of `query` ordered by (submitted_at, id), starting after the cursor `after`."""
    if limit < 1:
        raise ValueError("limit must be positive")
    if after:
        moment, ident = decode_cursor(after)
        # The redundant range on submitted_at alone lets both databases seek in the index.
        if newest_first:
            query = query.where(
                Case.submitted_at <= moment, or_(Case.submitted_at < moment, Case.id < ident)
            )
        else:
            query = query.where(
                Case.submitted_at >= moment, or_(Case.submitted_at > moment, Case.id > ident)
            )
    if newest_first:
        query = query.order_by(Case.submitted_at.desc(), Case.id.desc())
    else:
        query = query.order_by(Case.submitted_at.asc(), Case.id.asc())
    rows = session.scalars(query.limit(limit + 1)).all()
    items = list(rows[:limit])
    return Page(items, encode_cursor(items[-1]) if len(rows) > limit else None)
