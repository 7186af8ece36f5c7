"""What the desk's pages call: the workbench, the queue, case pages and actions, announcements,
the calendar and statistics. Each function takes the session and the signed-in account; the
views only parse forms and render.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from auth.oidc.models import OAuthClient
from portal import audit
from portal.audit import Origin
from portal.cases import (
    DeadlineStatus,
    InvalidCursor,
    QueueFilter,
    allowed_actions,
    apply_filter,
    cases_for_staff,
    deadline_status,
    find_visible,
    keyset_page,
    local_date,
    save_calendar_year,
    transition,
    unread_count,
    work_calendar,
)
from portal.cases.access import overdue_condition
from portal.cases.clock import ACCEPT_CLOCK_STATES, OPEN_STATES, REPLY_CLOCK_STATES
from portal.cases.deadlines import WorkCalendar, add_working_days
from portal.cases.statistics import DepartmentFigures, department_figures, total
from portal.models import (
    Account,
    Announcement,
    AnnouncementRead,
    CalendarDay,
    CalendarYear,
    Case,
    CaseCategory,
    CaseEvent,
    CaseKind,
    CaseState,
    DayKind,
    Department,
    StaffPosition,
    StaffRole,
)
from portal.models.base import execute_now

# Cases still needing someone's work: open, or answered and waiting to be closed.
ACTIVE_STATES = tuple(s for s in CaseState if s in OPEN_STATES or s == CaseState.REPLIED)
DUE_SOON_WITHIN = 2  # working days: the amber light
QUEUE_PAGE_SIZE = 25
# Moves only the portal's own jobs make; never offered as a form.
SYSTEM_ACTIONS = {"remind", "supervise", "recalculate"}


class CaseNotFound(Exception):  # noqa: N818 - the page answers 404
    pass


class CaseOutOfScope(Exception):  # noqa: N818 - the page answers 403
    pass


class FormProblem(Exception):  # noqa: N818
    """Input that names something the desk cannot use (a reference not in the queue)."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field_name = field_name
        self.message = message


# --- who is who ----------------------------------------------------------------------------------


def department_ids(account: Account, roles: tuple[StaffRole, ...] | None = None) -> list[int]:
    return sorted(p.department_id for p in account.staff_positions if roles is None or p.role in roles)


def led_department_ids(account: Account) -> list[int]:
    return department_ids(account, (StaffRole.LEAD, StaffRole.ADMIN))


def _labelled(rows, locale: str) -> list[tuple[int, str]]:
    return [(row.id, row.name_in(locale)) for row in rows]


def department_choices(session: Session, locale: str, *, excluding: int | None = None) -> list[tuple[int, str]]:
    query = select(Department).order_by(Department.kind, Department.code)
    if excluding is not None:
        query = query.where(Department.id != excluding)
    return _labelled(session.scalars(query), locale)


def category_choices(session: Session, locale: str) -> list[tuple[int, str]]:
    return _labelled(session.scalars(select(CaseCategory).order_by(CaseCategory.code)), locale)


def colleague_choices(session: Session, department_id: int) -> list[tuple[int, str]]:
    """The department's people a case can be assigned to: not the accounts its systems act as."""
    acts_for_a_system = select(OAuthClient.id).where(OAuthClient.service_account_id == Account.id).exists()
    rows = session.execute(
        select(Account.id, Account.display_name)
        .join(StaffPosition, StaffPosition.account_id == Account.id)
        .where(StaffPosition.department_id == department_id, Account.is_active.is_(True), ~acts_for_a_system)
        .order_by(Account.display_name)
    )
    return [(ident, name) for ident, name in rows]


# --- the workbench -------------------------------------------------------------------------------


@dataclass
class Todo:
    key: str
    label: str
    count: int
    by_kind: dict[CaseKind, int]
    args: dict  # the queue's filters that list these cases


@dataclass
class Tile:
    name: str
    department: str
    url: str


@dataclass
class AnnouncementItem:
    announcement: Announcement
    read_at: datetime | None


@dataclass
class Workbench:
    todos: list[Todo]
    overdue: int
    due_soon: int
    active_by_kind: dict[CaseKind, int]
    announcements: list[AnnouncementItem]
    tiles: list[Tile] | None  # None: the single sign-on client table is not there
    unloaded_years: tuple[int, ...]
    unread_messages: int


TODOS = [
    ("to_sign", _l("Waiting to be signed for"), {"state": "submitted"}),
    ("mine", _l("Assigned to me"), {"mine": "y"}),
    ("offered", _l("Transfers offered to your department"), {"state": "transferring"}),
    ("to_close", _l("Replied, waiting to be closed"), {"state": "replied"}),
    ("extensions", _l("Extensions waiting for your approval"), {"extension": "y"}),
    ("reopened", _l("Reopened after a dissatisfied rating"), {"state": "reopened"}),
    ("disputes", _l("Disputes waiting for the dispatcher"), {"state": "disputed"}),
]


def _todo_conditions(account: Account) -> dict:
    mine = department_ids(account)
    led = led_department_ids(account)
    conditions = {
        "to_sign": (Case.state == CaseState.SUBMITTED) & Case.department_id.in_(mine),
        "mine": (Case.assigned_officer_id == account.id) & Case.state.in_(ACTIVE_STATES),
        "offered": (Case.state == CaseState.TRANSFERRING) & Case.pending_department_id.in_(mine),
        "to_close": (Case.state == CaseState.REPLIED) & Case.department_id.in_(mine),
    }
    if led:
        conditions["extensions"] = Case.extension_due.is_not(None) & Case.department_id.in_(led)
        conditions["reopened"] = (Case.state == CaseState.REOPENED) & Case.department_id.in_(led)
    if account.is_admin:
        conditions["disputes"] = Case.state == CaseState.DISPUTED
    return conditions


def _count_by_kind(session: Session, query: Select) -> dict[CaseKind, int]:
    counted = query.with_only_columns(Case.kind, func.count()).group_by(Case.kind).order_by(None)
    return {CaseKind(kind): count for kind, count in session.execute(counted)}


def running_due_between(low: date, high: date):
    """Open cases whose running deadline falls in [low, high]."""
    return or_(
        Case.state.in_(ACCEPT_CLOCK_STATES) & Case.accept_due.between(low, high),
        Case.state.in_(REPLY_CLOCK_STATES) & Case.reply_due.between(low, high),
    )


def workbench(session: Session, account: Account, now: datetime, locale: str) -> Workbench:
    calendar = work_calendar(session)
    today = local_date(now)
    scope = cases_for_staff(account)
    conditions = _todo_conditions(account)
    todos = []
    for key, label, args in TODOS:
        if key not in conditions:
            continue
        by_kind = _count_by_kind(session, scope.where(conditions[key]))
        todos.append(Todo(key, str(label), sum(by_kind.values()), by_kind, args))
    horizon = add_working_days(today, DUE_SOON_WITHIN, calendar)
    count = scope.with_only_columns(func.count()).order_by(None)
    return Workbench(
        todos=todos,
        overdue=session.scalar(count.where(overdue_condition(today))) or 0,
        due_soon=session.scalar(count.where(running_due_between(today, horizon))) or 0,
        active_by_kind=_count_by_kind(session, scope.where(Case.state.in_(ACTIVE_STATES))),
        announcements=announcements_for(session, account, limit=5),
        tiles=department_systems(session, locale),
        unloaded_years=unloaded_years_ahead(session, calendar, today),
        unread_messages=unread_count(session, account.id),
    )


def unloaded_years_ahead(session: Session, calendar: WorkCalendar, today: date, days: int = 60) -> tuple[int, ...]:
    """Years the calendar lacks that due dates run into now: the next `days`, and any open
    case whose due date was estimated over a year not loaded."""
    years = set(calendar.unloaded_years(today, today + timedelta(days=days)))
    low, high = session.execute(
        select(func.min(Case.accept_due_start), func.max(Case.reply_due)).where(
            Case.due_estimated.is_(True), Case.state.in_(ACTIVE_STATES)
        )
    ).one()
    if low is not None and high is not None:
        years.update(calendar.unloaded_years(low, high))
    return tuple(sorted(years))


def department_systems(session: Session, locale: str) -> list[Tile] | None:
    """Department systems registered for single sign-on, each opened at its own address."""
    try:
        from auth.oidc.models import OAuthClient
    except ImportError:  # pragma: no cover - the provider is part of the portal
        return None
    tiles = []
    clients = session.scalars(
        select(OAuthClient)
        .options(selectinload(OAuthClient.department))
        .where(OAuthClient.disabled_at.is_(None), OAuthClient.resource_server.is_(False))
        .order_by(OAuthClient.name)
    )
    for client in clients:
        parts = urlsplit((client.redirect_uris or [""])[0])
        if parts.scheme not in ("http", "https") or not parts.netloc:
            continue  # an app's private-scheme callback: nothing to open in a browser
        tiles.append(Tile(client.name, client.department.name_in(locale), f"{parts.scheme}://{parts.netloc}/"))
    return tiles


# --- the queue -----------------------------------------------------------------------------------


@dataclass
class QueueRow:
    case: Case
    status: DeadlineStatus | None


@dataclass
class QueuePage:
    rows: list[QueueRow]
    next_cursor: str | None
    bad_cursor: bool = False
    first_page: bool = True


def queue_query(account: Account, criteria: dict, today: date) -> Select[tuple[Case]]:
    """The officer's scope narrowed by the queue's filters (see `gov.forms.QueueForm.criteria`)."""
    state = criteria.get("state") or "open"
    if state == "open":
        states = ACTIVE_STATES
    elif state == "all":
        states = ()
    else:
        states = (CaseState(state),)
    wanted = QueueFilter(
        states=states,
        kinds=(CaseKind(criteria["kind"]),) if criteria.get("kind") else (),
        category_ids=(criteria["category_id"],) if criteria.get("category_id") else (),
        department_id=criteria.get("department_id") if account.is_admin else None,
        overdue=bool(criteria.get("overdue")),
        assigned_to_id=account.id if criteria.get("mine") else None,
        search=criteria.get("search"),
    )
    query = apply_filter(cases_for_staff(account), wanted, today)
    if criteria.get("extension"):
        query = query.where(Case.extension_due.is_not(None))
    return query


# Built once: every view of the queue asks it.
_LATEST_CASE_EVENT = select(func.max(CaseEvent.id))


def queue_version(session: Session, account: Account, now: datetime) -> tuple:
    """What a staff member's queue page shows beyond its address: whose scope it is (their
    departments and roles), the day (the deadline lights), and the latest case event: every change
    to a case goes through the state machine, which writes one. A kept page is at most
    PAGE_CACHE_SECONDS old in what this misses: names of people, categories and departments, a
    calendar edit, and on PostgreSQL a change whose transaction commits after a later event's."""
    positions = tuple(sorted((p.department_id, p.role.value) for p in account.staff_positions))
    return account.id, positions, local_date(now), execute_now(session, _LATEST_CASE_EVENT).scalar()


def queue(session: Session, account: Account, criteria: dict, after: str | None, now: datetime,
          limit: int = QUEUE_PAGE_SIZE) -> QueuePage:
    today = local_date(now)
    query = queue_query(account, criteria, today).options(
        selectinload(Case.category), selectinload(Case.department), selectinload(Case.assigned_officer)
    )
    bad = False
    try:
        page = keyset_page(session, query, after=after or None, limit=limit)
    except InvalidCursor:
        bad, after = True, None
        page = keyset_page(session, query, limit=limit)
    calendar = work_calendar(session)
    rows = [QueueRow(case, deadline_status(case, now, calendar, amber_within=DUE_SOON_WITHIN)) for case in page.items]
    return QueuePage(rows, page.next_cursor, bad_cursor=bad, first_page=not after)


# --- a case --------------------------------------------------------------------------------------


def load_case(session: Session, account: Account, public_id: str) -> Case:
    """A case through the desk's scope: 403 when it exists outside it, 404 when it does not exist."""
    case = find_visible(session, cases_for_staff(account), public_id)
    if case is not None:
        return case
    if session.scalar(select(Case.id).where(Case.public_id == public_id)) is not None:
        raise CaseOutOfScope
    raise CaseNotFound


@dataclass
class CasePage:
    case: Case
    events: list[CaseEvent]
    actions: list[str]
    forms: dict
    status: DeadlineStatus | None
    unloaded_years: tuple[int, ...]
    sender_mobile: str | None
    enterprise_name: str | None
    names: dict[int, str] = field(default_factory=dict)  # department id → name, for the history
    dues: dict[int, date] = field(default_factory=dict)  # event id → the due date it set


# The order the case page offers actions in: the usual next step first, the rare ones last.
ACTION_ORDER = [
    "accept", "accept_transfer", "start", "reply", "close", "request_info", "assign", "invite", "transfer",
    "withdraw_transfer", "bounce_transfer", "request_extension", "approve_extension", "decline_extension", "note",
    "reassign", "send_back", "dispute", "reject", "merge",
]


def offered_actions(case: Case, account: Account) -> list[str]:
    actions = [a for a in allowed_actions(case, account) if a not in SYSTEM_ACTIONS]
    return sorted(actions, key=lambda a: ACTION_ORDER.index(a) if a in ACTION_ORDER else len(ACTION_ORDER))


def action_forms(session: Session, case: Case, actions: list[str], locale: str, posted=None,
                 formdata=None) -> dict:
    """A form for every action given, with its choices. `posted` = (action, form) keeps a form
    as it was sent (with what was typed and its errors); `formdata` fills them from a request."""
    from gov.forms import action_form

    needs_departments = {"transfer", "reassign", "invite"} & set(actions)
    departments = department_choices(session, locale, excluding=case.department_id) if needs_departments else []
    colleagues = colleague_choices(session, case.department_id) if "assign" in actions else []
    forms = {}
    for action in actions:
        if posted is not None and posted[0] == action:
            forms[action] = posted[1]
        else:
            forms[action] = action_form(action, departments=departments, colleagues=colleagues, formdata=formdata)
    return forms


def still_visible(session: Session, account: Account, case: Case) -> bool:
    """After a move (a transfer sent back, say) the case may have left this person's scope."""
    return find_visible(session, cases_for_staff(account), case.public_id) is not None


def case_page(session: Session, account: Account, case: Case, now: datetime, origin: Origin, locale: str,
              posted=None) -> CasePage:
    """Everything the case page shows; the view is written to the audit trail (personal data)."""
    from portal.models import Enterprise

    audit.record(session, "case.view", origin=origin, actor_id=account.id, object_type="case",
                 object_id=case.public_id, reference=case.reference)
    session.commit()
    calendar = work_calendar(session)
    status = deadline_status(case, now, calendar, amber_within=DUE_SOON_WITHIN)
    actions = offered_actions(case, account)
    owner_staff = account.staff_role_in(case.department_id) is not None
    sender = case.sender
    enterprise = session.get(Enterprise, case.sender_enterprise_id) if case.sender_enterprise_id else None
    return CasePage(
        case=case,
        events=list(case.events),
        actions=actions,
        forms=action_forms(session, case, actions, locale, posted),
        status=status,
        unloaded_years=calendar.unloaded_years(case.accept_due_start, case.reply_due) if case.due_estimated else (),
        sender_mobile=(sender.mobile if owner_staff else sender.masked_mobile) if sender.mobile else None,
        enterprise_name=enterprise.name_in(locale) if enterprise is not None else None,
        names={d.id: d.name_in(locale) for d in session.scalars(select(Department))},
        dues={e.id: date.fromisoformat(e.details["due"]) for e in case.events if (e.details or {}).get("due")},
    )


def act(session: Session, account: Account, case: Case, action: str, data: dict, now: datetime) -> CaseEvent:
    """Make one move from a desk form's data; raises CaseError or FormProblem having changed nothing."""
    details: dict = {}
    for name in ("reason", "basis", "notes", "due"):
        if data.get(name) not in (None, ""):
            details[name] = data[name]
    if data.get("department"):
        details["department"] = session.get(Department, int(data["department"]))
        if details["department"] is None:
            raise FormProblem("department", _("Choose a department from the list."))
    if data.get("officer"):
        details["officer"] = session.get(Account, int(data["officer"]))
        if details["officer"] is None:
            raise FormProblem("officer", _("Choose a colleague from the list."))
    if data.get("duplicate_of"):
        original = session.scalar(cases_for_staff(account).where(Case.reference == data["duplicate_of"]))
        if original is None:
            raise FormProblem("duplicate_of", _("No case with that reference is in your queue."))
        details["duplicate_of"] = original
    event = transition(session, case, action, account, now=now, **details)
    session.commit()
    return event


# --- announcements -------------------------------------------------------------------------------


def _published():
    return select(Announcement).where(Announcement.withdrawn_at.is_(None))


def announcements_for(session: Session, account: Account, limit: int | None = None) -> list[AnnouncementItem]:
    query = (
        _published()
        .add_columns(AnnouncementRead.read_at)
        .outerjoin(
            AnnouncementRead,
            (AnnouncementRead.announcement_id == Announcement.id) & (AnnouncementRead.account_id == account.id),
        )
        .order_by(Announcement.published_at.desc(), Announcement.id.desc())
    )
    if limit:
        query = query.limit(limit)
    return [AnnouncementItem(item, read_at) for item, read_at in session.execute(query)]


def mark_announcement_read(session: Session, account: Account, public_id: str, now: datetime) -> bool:
    announcement = session.scalar(_published().where(Announcement.public_id == public_id))
    if announcement is None:
        return False
    if session.get(AnnouncementRead, (announcement.id, account.id)) is None:
        session.add(AnnouncementRead(announcement_id=announcement.id, account_id=account.id, read_at=now))
        session.commit()
    return True


@dataclass
class Receipts:
    announcement: Announcement
    read: int


def announcement_receipts(session: Session) -> tuple[list[Receipts], int]:
    """Every announcement with how many staff have read it, and how many staff there are."""
    reads = (
        select(AnnouncementRead.announcement_id, func.count().label("read"))
        .group_by(AnnouncementRead.announcement_id)
        .subquery()
    )
    rows = session.execute(
        select(Announcement, func.coalesce(reads.c.read, 0))
        .outerjoin(reads, reads.c.announcement_id == Announcement.id)
        .order_by(Announcement.withdrawn_at.is_not(None), Announcement.published_at.desc())
    )
    staff = session.scalar(select(func.count(func.distinct(StaffPosition.account_id)))) or 0
    return [Receipts(a, read) for a, read in rows], staff


def publish_announcement(session: Session, admin: Account, title: str, body: str, origin: Origin,
                         now: datetime) -> Announcement:
    announcement = Announcement(title=title, body=body, published_by_id=admin.id, published_at=now)
    session.add(announcement)
    session.flush()
    audit.record(session, "announcement.publish", origin=origin, actor_id=admin.id, object_type="announcement",
                 object_id=announcement.public_id)
    session.commit()
    return announcement


def withdraw_announcement(session: Session, admin: Account, public_id: str, origin: Origin, now: datetime) -> bool:
    announcement = session.scalar(_published().where(Announcement.public_id == public_id))
    if announcement is None:
        return False
    announcement.withdrawn_at = now
    audit.record(session, "announcement.withdraw", origin=origin, actor_id=admin.id, object_type="announcement",
                 object_id=public_id)
    session.commit()
    return True


# --- the calendar --------------------------------------------------------------------------------


@dataclass
class CalendarRow:
    year: int
    source: str
    loaded_at: datetime
    holidays: int
    workdays: int


def calendar_years(session: Session) -> list[CalendarRow]:
    counts = {
        (year, kind): n
        for year, kind, n in session.execute(
            select(CalendarDay.year, CalendarDay.kind, func.count()).group_by(CalendarDay.year, CalendarDay.kind)
        )
    }
    return [
        CalendarRow(row.year, row.source, row.loaded_at, counts.get((row.year, DayKind.HOLIDAY), 0),
                    counts.get((row.year, DayKind.WORKDAY), 0))
        for row in session.scalars(select(CalendarYear).order_by(CalendarYear.year.desc()))
    ]


def calendar_text(session: Session, year: int) -> tuple[str, str] | None:
    """A loaded year as the form's two lists, for editing; None when it is not loaded."""
    row = session.get(CalendarYear, year)
    if row is None:
        return None
    lines = {DayKind.HOLIDAY: [], DayKind.WORKDAY: []}
    for day in row.days:
        lines[day.kind].append(f"{day.day.isoformat()} {day.name or ''}".rstrip())
    return "\n".join(lines[DayKind.HOLIDAY]), "\n".join(lines[DayKind.WORKDAY])


def save_calendar(session: Session, admin: Account, year: int, holidays: dict, workdays: dict) -> CalendarYear:
    """Save a year an administrator entered; recomputes the due dates estimated without it."""
    row = save_calendar_year(session, year, holidays=holidays, workdays=workdays, actor_id=admin.id)
    session.commit()
    return row


# --- statistics ----------------------------------------------------------------------------------


@dataclass
class StatsRow:
    department: Department | None  # None: the total
    name: str
    figures: DepartmentFigures


@dataclass
class Stats:
    start: date
    end: date
    rows: list[StatsRow]
    total: StatsRow


def default_period(today: date) -> tuple[date, date]:
    return date(today.year, 1, 1), today


def stats(session: Session, account: Account, start: date, end: date, now: datetime, locale: str) -> Stats:
    """Administrators see every department; other staff their own departments."""
    scope = None if account.is_admin else department_ids(account)
    figures = department_figures(session, start, end, local_date(now), scope)
    departments = {d.id: d for d in session.scalars(select(Department).where(Department.id.in_(list(figures))))}
    rows = sorted(
        (StatsRow(departments[ident], departments[ident].name_in(locale), item) for ident, item in figures.items()),
        key=lambda row: (row.department.kind, row.department.code),
    )
    return Stats(start, end, rows, StatsRow(None, _("All departments shown"), total(figures)))
