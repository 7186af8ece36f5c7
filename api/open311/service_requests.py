"""Open311 service requests over the portal's cases: filing, finding, and what the public may see.

Plain Python over SQLAlchemy, no Flask: the views hand in the parsed form or query string and the
session, and turn the results (or an `Open311Error`) into the spec's documents.

- Services are the case categories residents file requests under (the citizen request form's
  list): active, offered for requests or for any kind.
- A request filed here becomes a request case through `portal.cases.submit_case`, exactly as the
  citizen request form files one, so the category routes it to its department with its time
  limits. Its sender is the client system's own account (`api.open311.keys.sender_account`); the
  requester's contact details go to the department in the case text, never to the public.
- Every request case is listed, but only its service, status, department and dates, unless the
  requester agreed to publication (the service attribute PUBLIC) or the client asking is the one
  that filed it (it sends its api_key): then the description, place, photo and the department's
  latest public answer (`status_notes`) too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.cases import CaseError, current_due, submit_case
from portal.cases.deadlines import EARLIEST_DATE, LATEST_DATE
from portal.models import Case, CaseCategory, CaseEvent, CaseKind, CaseState, Open311Key, Open311Request, Visibility
from portal.models.base import utcnow

OPEN, CLOSED = "open", "closed"
CLOSED_STATES = frozenset({CaseState.CLOSED, CaseState.REJECTED, CaseState.MERGED})

MAX_RESULTS = 1000  # the spec's limit on one GET requests
MAX_SPAN = timedelta(days=90)  # the spec's default window, and the widest a query may ask for
DESCRIPTION_MAX = 4000
TITLE_MAX = 60

# The one attribute every service has: may the request's text, place and answers be published?
PUBLIC_ATTRIBUTE = "PUBLIC"
YES, NO = "yes", "no"

# Events whose text answers the requester, shown as status_notes: the last one counts.
NOTE_ACTIONS = ("reply", "reject", "merge")

LIMITS = {
    "address_string": 300, "address_id": 100, "media_url": 500, "email": 254, "phone": 30,
    "first_name": 50, "last_name": 50, "device_id": 100, "account_id": 100,
}
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{4,28}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_OFFSET_SPACE = re.compile(r" (\d{2}:?\d{2})$")  # "+08:00" sent unencoded arrives as " 08:00"


def status_of(state: CaseState) -> str:
    return CLOSED if state in CLOSED_STATES else OPEN


def expected_on(case: Case) -> date | None:
    """When an answer is due, while a clock runs (not while waiting for the sender, nor once answered)."""
    return case.reply_due if current_due(case) is not None else None


# --- errors ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One entry of the spec's error array; `code` picks the sentence, `params` fill it."""

    status: int
    code: str
    params: dict = field(default_factory=dict)


class Open311Error(Exception):
    def __init__(self, *problems: Problem) -> None:
        self.problems = list(problems)
        # The response's status: the first problem's (the spec answers one status per response).
        self.status = problems[0].status
        super().__init__(", ".join(p.code for p in problems))


class CaseRefused(Exception):  # noqa: N818 - the case rules' refusal, carried to the view
    def __init__(self, error: CaseError) -> None:
        self.error = error
        super().__init__(str(error))


# --- services --------------------------------------------------------------------------------


def request_categories(session: Session) -> list[CaseCategory]:
    """The services: what residents file requests under."""
    return list(session.scalars(
        select(CaseCategory)
        .where(CaseCategory.active.is_(True),
               (CaseCategory.kind == CaseKind.REQUEST) | CaseCategory.kind.is_(None))
        .options(selectinload(CaseCategory.department))
        .order_by(CaseCategory.code)
    ))


def find_service(session: Session, code: str | None) -> CaseCategory:
    """The service with `code`; raises Open311Error 400 when none is given, 404 when unknown."""
    if not code:
        raise Open311Error(Problem(400, "service_code_missing"))
    category = session.scalar(
        select(CaseCategory).where(
            CaseCategory.code == code, CaseCategory.active.is_(True),
            (CaseCategory.kind == CaseKind.REQUEST) | CaseCategory.kind.is_(None),
        )
    )
    if category is None:
        raise Open311Error(Problem(404, "service_code_unknown", {"code": code[:64]}))
    return category


# --- filing a request --------------------------------------------------------------------------


@dataclass
class NewRequest:
    service_code: str | None
    description: str
    lat: float | None = None
    long: float | None = None
    address_string: str | None = None
    address_id: str | None = None
    media_url: str | None = None
    email: str | None = None
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    device_id: str | None = None
    account_id: str | None = None
    public: bool = False
    attributes: dict = field(default_factory=dict)


def _clean(form: Mapping[str, str], name: str) -> str | None:
    value = form.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def _coordinate(text: str | None, low: float, high: float) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) and low <= value <= high else None


def parse_new_request(form: Mapping[str, str]) -> NewRequest:
    """Read a POSTed form (application/x-www-form-urlencoded, the spec's fields). Raises Open311Error
    listing every problem found, so that a client can fix them all at once."""
    problems: list[Problem] = []
    if _clean(form, "service_code") is None:
        problems.append(Problem(400, "service_code_missing"))
    values = {name: _clean(form, name) for name in LIMITS}
    for name, limit in LIMITS.items():
        if values[name] is not None and len(values[name]) > limit:
            problems.append(Problem(400, "too_long", {"field": name, "max": limit}))
            values[name] = None
    description = _clean(form, "description")
    if description is None:
        problems.append(Problem(400, "description_missing"))
    elif len(description) > DESCRIPTION_MAX:
        problems.append(Problem(400, "too_long", {"field": "description", "max": DESCRIPTION_MAX}))

    lat_text, long_text = _clean(form, "lat"), _clean(form, "long")
    lat = long = None
    if lat_text is not None or long_text is not None:
        lat, long = _coordinate(lat_text, -90, 90), _coordinate(long_text, -180, 180)
        if lat is None or long is None:
            problems.append(Problem(400, "coordinates_invalid"))
            lat = long = None
    elif values["address_string"] is None and values["address_id"] is None:
        problems.append(Problem(400, "location_missing"))

    if values["email"] is not None and not _EMAIL.match(values["email"]):
        problems.append(Problem(400, "email_invalid"))
    if values["phone"] is not None and not _PHONE.match(values["phone"]):
        problems.append(Problem(400, "phone_invalid"))
    if values["media_url"] is not None:
        parts = urlsplit(values["media_url"])
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems.append(Problem(400, "media_url_invalid"))

    attributes = {key[len("attribute["):-1]: (value or "").strip() for key, value in form.items()
                  if key.startswith("attribute[") and key.endswith("]")}
    for code in attributes:
        if code != PUBLIC_ATTRIBUTE:
            problems.append(Problem(400, "attribute_unknown", {"code": code[:64]}))
    public = attributes.get(PUBLIC_ATTRIBUTE, NO) or NO
    if public not in (YES, NO):
        problems.append(Problem(400, "attribute_value", {"code": PUBLIC_ATTRIBUTE, "values": f"{YES}, {NO}"}))
    if problems:
        raise Open311Error(*problems)
    return NewRequest(
        service_code=_clean(form, "service_code"), description=description, lat=lat, long=long,
        public=public == YES, attributes={PUBLIC_ATTRIBUTE: public} if PUBLIC_ATTRIBUTE in attributes else {},
        **values,
    )


def title_of(description: str) -> str:
    """The case's title: the description's first line, shortened."""
    first = " ".join(next(line for line in description.splitlines() if line.strip()).split())
    return first if len(first) <= TITLE_MAX else first[: TITLE_MAX - 1] + "…"


def case_text(data: NewRequest) -> str:
    """What the department reads: the description, then what the client passed on for it. Labels in
    both languages: this is stored once and read on the desk in either."""
    lines = []
    name = " ".join(part for part in (data.last_name, data.first_name) if part)
    for label, value in (
        ("联系人 Contact", name), ("电话 Phone", data.phone), ("邮箱 Email", data.email),
        ("地址编号 Address ID", data.address_id), ("照片 Photo", data.media_url),
    ):
        if value:
            lines.append(f"{label}: {value}")
    if data.public:
        lines.append("同意公开 Published: 诉求内容、地点和答复经 Open311 接口公开 / the description, place and "
                     "answers are published through Open311")
    return data.description + ("\n\n— Open311\n" + "\n".join(lines) if lines else "")


def file_request(session: Session, key: Open311Key, sender, data: NewRequest,
                 now: datetime | None = None) -> tuple[Case, Open311Request]:
    """File the request as a request case, routed by its category. The caller commits.

    Raises Open311Error (unknown service) or CaseRefused (the case rules said no)."""
    now = now or utcnow()
    category = find_service(session, data.service_code)
    try:
        case = submit_case(
            session, sender, kind=CaseKind.REQUEST, category=category, title=title_of(data.description),
            body=case_text(data), location_text=data.address_string, latitude=data.lat, longitude=data.long,
            now=now,
        )
    except CaseError as error:
        raise CaseRefused(error) from error
    record = Open311Request(
        case_id=case.id, client_id=key.client_id, key_id=key.id, public=data.public,
        description=data.description, address_id=data.address_id, media_url=data.media_url,
        first_name=data.first_name, last_name=data.last_name, phone=data.phone, email=data.email,
        device_id=data.device_id, account_ref=data.account_id, attributes=data.attributes, created_at=now,
    )
    session.add(record)
    session.flush()
    return case, record


# --- finding requests --------------------------------------------------------------------------


@dataclass
class Query:
    references: list[str] | None = None
    service_codes: list[str] | None = None
    start: datetime | None = None
    end: datetime | None = None
    statuses: set[str] | None = None


def _list(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def parse_datetime(text: str | None, name: str) -> datetime | None:
    """A W3C date and time with its time zone; Open311Error 400 otherwise."""
    if text is None or not text.strip():
        return None
    text = _OFFSET_SPACE.sub(r"+\1", text.strip())
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise Open311Error(Problem(400, "datetime_invalid", {"field": name}))
    if not EARLIEST_DATE <= value.date() <= LATEST_DATE:
        raise Open311Error(Problem(400, "datetime_out_of_range", {
            "field": name, "earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()}))
    return value


def parse_query(args: Mapping[str, str], now: datetime | None = None) -> Query:
    """The filters of GET requests. service_request_id overrides the others, as the spec says;
    otherwise the window defaults to the last 90 days and may not be wider."""
    references = _list(args.get("service_request_id"))
    if references:
        if len(references) > MAX_RESULTS:
            raise Open311Error(Problem(400, "too_many_ids", {"max": MAX_RESULTS}))
        return Query(references=references)
    now = now or utcnow()
    problems = []
    start = end = None
    for name in ("start_date", "end_date"):
        try:
            value = parse_datetime(args.get(name), name)
        except Open311Error as error:
            problems += error.problems
        else:
            start, end = (value, end) if name == "start_date" else (start, value)
    statuses = {s.lower() for s in _list(args.get("status"))}
    if statuses - {OPEN, CLOSED}:
        problems.append(Problem(400, "status_invalid"))
    if problems:
        raise Open311Error(*problems)
    if start is None and end is None:
        end, start = now, now - MAX_SPAN
    elif start is None:
        start = end - MAX_SPAN
    elif end is None:
        end = start + MAX_SPAN
    if start > end:
        raise Open311Error(Problem(400, "range_reversed"))
    if end - start > MAX_SPAN:
        raise Open311Error(Problem(400, "range_too_long", {"days": MAX_SPAN.days}))
    return Query(service_codes=_list(args.get("service_code")) or None, start=start, end=end,
                 statuses=statuses or None)


def _requests():
    return (
        select(Case)
        .where(Case.kind == CaseKind.REQUEST)
        .options(selectinload(Case.category), selectinload(Case.department), selectinload(Case.duplicate_of))
    )


def find_requests(session: Session, query: Query) -> list[Case]:
    """The request cases the query asks for, newest first, at most MAX_RESULTS."""
    stmt = _requests()
    if query.references is not None:
        stmt = stmt.where(Case.reference.in_(query.references))
    else:
        stmt = stmt.where(Case.submitted_at >= query.start, Case.submitted_at <= query.end)
        if query.service_codes:
            stmt = stmt.where(
                Case.category_id.in_(select(CaseCategory.id).where(CaseCategory.code.in_(query.service_codes)))
            )
        if query.statuses == {OPEN}:
            stmt = stmt.where(Case.state.not_in(CLOSED_STATES))
        elif query.statuses == {CLOSED}:
            stmt = stmt.where(Case.state.in_(CLOSED_STATES))
    return list(session.scalars(stmt.order_by(Case.submitted_at.desc(), Case.id.desc()).limit(MAX_RESULTS)))


def find_request(session: Session, reference: str) -> Case:
    case = session.scalar(_requests().where(Case.reference == reference))
    if case is None:
        raise Open311Error(Problem(404, "request_not_found", {"id": reference[:40]}))
    return case


def resolve_token(session: Session, token: str) -> Open311Request:
    record = session.scalar(
        select(Open311Request).where(Open311Request.token == token).options(selectinload(Open311Request.case))
    )
    if record is None:
        raise Open311Error(Problem(404, "token_not_found", {"token": token[:40]}))
    return record


# --- what may be shown -------------------------------------------------------------------------


@dataclass
class Shown:
    """A request case as a response shows it: in full only when `full`."""

    case: Case
    record: Open311Request | None
    full: bool
    notes: CaseEvent | None = None  # the latest answer to the requester, when shown in full

    @property
    def status(self) -> str:
        return status_of(self.case.state)


def shown(session: Session, cases: list[Case], viewer_client_id: int | None = None) -> list[Shown]:
    """Decide for each case what the public (or the client that filed it) may see."""
    ids = [case.id for case in cases]
    records = {
        record.case_id: record
        for record in session.scalars(select(Open311Request).where(Open311Request.case_id.in_(ids)))
    } if ids else {}
    rows = []
    for case in cases:
        record = records.get(case.id)
        full = record is not None and (record.public or record.client_id == viewer_client_id)
        rows.append(Shown(case, record, full))
    full_ids = [row.case.id for row in rows if row.full]
    if full_ids:
        latest: dict[int, CaseEvent] = {}
        for event in session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id.in_(full_ids), CaseEvent.visibility == Visibility.PUBLIC,
                   CaseEvent.action.in_(NOTE_ACTIONS))
            .order_by(CaseEvent.id)
        ):
            latest[event.case_id] = event
        for row in rows:
            row.notes = latest.get(row.case.id)
    return rows
