"""The case state machine: one table of allowed moves, one function that makes them.

Every change to a case after its submission goes through `transition()`: it checks the move
against `MOVES` (from which state, by whom, with what), applies it, updates the deadlines,
appends a CaseEvent and writes the notifications — all in the caller's transaction, which the
caller commits. A refused move raises `IllegalTransition` before anything is touched.

    submitted ──accept──▶ accepted ──start──▶ in_progress ──reply──▶ replied ──close──▶ closed
        │  ▲                 │                    │                                   │
        │  └─resubmit── returned_for_info ◀──request_info                   rate (dissatisfied)
        ├──transfer──▶ transferring ──accept_transfer──▶ accepted (receiving department)  ▼
        │                   └──bounce_transfer / withdraw_transfer──▶ back where it was   reopened
        ├──dispute (退单)──▶ disputed ──reassign──▶ submitted (another department)   ──reply (lead)─▶ replied
        │                        └──send_back──▶ back where it was
        ├──reject──▶ rejected
        └──merge──▶ merged (duplicate_of the original)

Moves that keep the state (assign, invite, note, extensions, escalation) are in the same table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.cases import notifications
from portal.cases.calendar import work_calendar
from portal.cases.clock import OPEN_STATES, compute_dues, current_due
from portal.cases.deadlines import WorkCalendar, local_date, working_days_between
from portal.cases.errors import IllegalTransition
from portal.cases.roles import SYSTEM, Actor, Role, roles_of
from portal.models.account import Account
from portal.models.base import utcnow
from portal.models.case import Case, CaseAssist, CaseEvent, CaseState, Rating, Visibility
from portal.models.department import Department

S = CaseState.SUBMITTED
A = CaseState.ACCEPTED
P = CaseState.IN_PROGRESS
I = CaseState.RETURNED_FOR_INFO  # noqa: E741 - one letter per state keeps the table readable
T = CaseState.TRANSFERRING
D = CaseState.DISPUTED
R = CaseState.REPLIED
C = CaseState.CLOSED
X = CaseState.REJECTED
M = CaseState.MERGED
O = CaseState.REOPENED  # noqa: E741

ALL_STATES = tuple(CaseState)
ESCALATABLE = (S, A, P, T, D, O)
OPEN = tuple(s for s in ALL_STATES if s in OPEN_STATES)

# States that hold a case aside and remember where it was (case.resume_state).
PAUSES = frozenset({I, T, D})

STAY = "stay"  # the move keeps the state
RESUME = "resume"  # back to the state the case was in before the pause (case.resume_state)

SENDER, OFFICER, LEAD = Role.SENDER, Role.OFFICER, Role.LEAD
ASSISTING, RECEIVER, DISPATCHER, SYSTEM_ROLE = Role.ASSISTING, Role.RECEIVER, Role.DISPATCHER, Role.SYSTEM

# The submission that creates a case is the entry into the machine: (nothing) → submitted.
SUBMIT = "submit"

# fmt: off
_TABLE = [
    # action               from               to          who may              needs                      sender sees
    ("accept",             (S,),              A,          {OFFICER},           (),                        True),
    ("start",              (A,),              P,          {OFFICER},           (),                        True),
    ("request_info",       (S, A, P),         I,          {OFFICER},           ("reason",),               True),
    ("resubmit",           (I,),              RESUME,     {SENDER},            ("notes",),                True),
    ("transfer",           (S, A, P),         T,          {OFFICER},           ("reason", "department"),  False),
    ("withdraw_transfer",  (T,),              RESUME,     {OFFICER},           (),                        False),
    ("accept_transfer",    (T,),              A,          {RECEIVER},          (),                        True),
    ("bounce_transfer",    (T,),              RESUME,     {RECEIVER},          ("reason",),               False),
    ("dispute",            (S, A, P),         D,          {OFFICER},           ("reason", "basis"),       False),
    ("reassign",           (D,),              S,          {DISPATCHER},        ("reason", "department"),  True),
    ("send_back",          (D,),              RESUME,     {DISPATCHER},        ("reason",),               False),
    ("reject",             (S, A),            X,          {OFFICER},           ("reason",),               True),
    ("merge",              (S, A, P, I),      M,          {OFFICER},           ("duplicate_of",),         True),
    ("reply",              (A, P),            R,          {OFFICER},           ("notes",),                True),
    ("reply",              (O,),              R,          {LEAD},              ("notes",),                True),
    ("close",              (R,),              C,          {OFFICER},           (),                        True),
    ("rate",               (C,),              (C, O),     {SENDER},            ("rating",),               True),
    ("assign",             (S, A, P, I, R, O), STAY,      {OFFICER},           ("officer",),              False),
    ("invite",             (A, P, O),         STAY,       {OFFICER},           ("department",),           False),
    ("note",               ALL_STATES,        STAY,       {OFFICER, ASSISTING, DISPATCHER}, ("notes",),   False),
    ("request_extension",  (A, P, O),         STAY,       {OFFICER},           ("reason", "due"),         False),
    ("approve_extension",  (A, P, O),         STAY,       {LEAD},              (),                        True),
    ("decline_extension",  (A, P, O),         STAY,       {LEAD},              ("reason",),               False),
    ("remind",             ESCALATABLE,       STAY,       {SYSTEM_ROLE},       (),                        False),
    ("supervise",          ESCALATABLE,       STAY,       {SYSTEM_ROLE},       (),                        False),
    ("recalculate",        OPEN,              STAY,       {SYSTEM_ROLE},       (),                        False),
]
# fmt: on


@dataclass(frozen=True)
class Move:
    """One allowed move: `action` from `source`, by one of `roles`, needing `requires`."""

    action: str
    source: CaseState
    to: CaseState | tuple[CaseState, ...] | str  # a state, a choice of states, STAY or RESUME
    roles: frozenset[Role]
    requires: tuple[str, ...]
    public: bool

    @property
    def targets(self) -> tuple[CaseState, ...]:
        """The states this move can lead to (for RESUME: the states a pause can come from)."""
        if self.to == STAY:
            return (self.source,)
        if self.to == RESUME:
            return tuple(sorted(_resumable_from(self), key=ALL_STATES.index))
        if isinstance(self.to, tuple):
            return self.to
        return (self.to,)


MOVES: dict[tuple[str, CaseState], Move] = {
    (action, source): Move(action, source, to, frozenset(roles), requires, public)
    for action, sources, to, roles, requires, public in _TABLE
    for source in sources
}
ACTIONS: frozenset[str] = frozenset(action for action, *_ in _TABLE)


def _resumable_from(move: Move) -> set[CaseState]:
    """A RESUME goes back to whatever state the pausing move (into move.source) started from."""
    return {m.source for m in MOVES.values() if m.to == move.source}


def moves_from(state: CaseState) -> list[Move]:
    return [m for (_, source), m in MOVES.items() if source == state]


def allowed_actions(case: Case, actor: Actor, subject: Account | None = None) -> list[str]:
    """The actions `actor` may attempt on `case` now (for the buttons a page shows)."""
    roles = roles_of(actor, case, subject)
    return sorted({m.action for m in moves_from(case.state) if m.roles & roles})


@dataclass
class _Context:
    session: Session
    case: Case
    move: Move
    actor: Actor
    subject: Account | None
    now: datetime
    values: dict
    given_calendar: WorkCalendar | None
    event_department_id: int | None = None
    details: dict = field(default_factory=dict)

    @property
    def today(self) -> date:
        return local_date(self.now)

    @property
    def calendar(self) -> WorkCalendar:
        if self.given_calendar is None:
            self.given_calendar = work_calendar(self.session)
        return self.given_calendar

    def refuse(self, code: str, **params) -> IllegalTransition:
        return IllegalTransition(code, action=self.move.action, state=self.move.source.value, **params)


def transition(
    session: Session,
    case: Case,
    action: str,
    actor: Actor,
    *,
    subject: Account | None = None,
    reason: str | None = None,
    basis: str | None = None,
    notes: str | None = None,
    department: Department | None = None,
    officer: Account | None = None,
    due: date | None = None,
    rating: Rating | str | None = None,
    comment: str | None = None,
    duplicate_of: Case | None = None,
    now: datetime | None = None,
    calendar: WorkCalendar | None = None,
) -> CaseEvent:
    """Make one move on a case, or raise IllegalTransition having changed nothing.

    `actor` is the signed-in account (or SYSTEM for jobs); `subject` whom they act for, already
    verified by the caller. `reason`/`basis`/`notes` are the why, the legal or policy basis, and
    free text (the reply, the supplement, an internal note). `department` is the target of a
    transfer, reassignment or invitation; `officer` the colleague to assign; `due` the date an
    extension asks for; `rating` and `comment` the sender's rating; `duplicate_of` the original
    a case is merged into. Returns the event written; the caller commits.
    """
    state = case.state
    if action not in ACTIONS:
        raise IllegalTransition("unknown_action", action=action, state=state.value)
    roles = roles_of(actor, case, subject)
    if not roles:
        raise IllegalTransition("not_permitted", action=action, state=state.value)
    move = MOVES.get((action, state))
    if move is None:
        raise IllegalTransition("not_allowed_in_state", action=action, state=state.value)
    if not move.roles & roles:
        raise IllegalTransition("not_permitted", action=action, state=state.value)

    values = {
        "reason": _text(reason),
        "basis": _text(basis),
        "notes": _text(notes),
        "department": _typed(department, Department, "department"),
        "officer": _typed(officer, Account, "officer"),
        "due": _typed(due, date, "due"),
        "rating": _text(rating) if isinstance(rating, str) else rating,
        "comment": _text(comment),
        "duplicate_of": _typed(duplicate_of, Case, "duplicate_of"),
    }
    if isinstance(due, datetime):
        raise TypeError("due is a date, not a datetime")
    ctx = _Context(session, case, move, actor, subject, now or utcnow(), values, calendar)
    for name in move.requires:
        if values[name] is None:
            raise ctx.refuse("field_required", field=name)

    if move.to == RESUME:
        target = case.resume_state
        if target is None:
            raise ctx.refuse("nothing_to_resume")
    elif move.to == STAY:
        target = state
    else:
        target = move.to if isinstance(move.to, CaseState) else None

    # Each effect validates first and raises before its first change.
    chosen = _EFFECTS.get(action, _nothing)(ctx)
    if target is None:
        target = chosen
    assert target in move.targets or move.to == RESUME, (action, target)
    # Leaving a pause, by whatever move, ends it.
    if target not in PAUSES:
        case.resume_state = None
    if target != I:
        case.paused_on = None

    case.state = target
    case.updated_at = ctx.now
    event = CaseEvent(
        case=case,
        at=ctx.now,
        action=action,
        from_state=state,
        to_state=target,
        actor_id=actor.id,
        subject_id=subject.id if subject is not None else actor.id,
        department_id=ctx.event_department_id,
        visibility=Visibility.PUBLIC if move.public else Visibility.INTERNAL,
        reason=values["reason"],
        basis=values["basis"],
        notes=values["notes"] or values["comment"],
        details=ctx.details,
    )
    session.add(event)
    session.flush()  # ids for the messages; a concurrent change to the case fails here
    notifications.notify(session, case, event)
    return event


def record_submission(
    session: Session, case: Case, actor: Account, subject: Account | None, now: datetime
) -> CaseEvent:
    """The first event of a case, written by `operations.submit_case` (the machine's entry)."""
    event = CaseEvent(
        case=case,
        at=now,
        action=SUBMIT,
        from_state=None,
        to_state=case.state,
        actor_id=actor.id,
        subject_id=subject.id if subject is not None else actor.id,
        visibility=Visibility.PUBLIC,
        details={"accept_due": case.accept_due.isoformat(), "reply_due": case.reply_due.isoformat()},
    )
    session.add(event)
    session.flush()
    notifications.notify(session, case, event)
    return event


def recalculate_estimated_deadlines(session: Session, calendar: WorkCalendar, now: datetime | None = None) -> int:
    """After a calendar year is loaded: recompute open cases whose due dates were estimated."""
    cases = session.scalars(
        select(Case).where(Case.due_estimated.is_(True), Case.state.in_(OPEN)).order_by(Case.id)
    ).all()
    for case in cases:
        transition(session, case, "recalculate", SYSTEM, now=now, calendar=calendar)
    return len(cases)


# --- helpers ---------------------------------------------------------------------------------


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _typed(value, kind, name):
    if value is not None and not isinstance(value, kind):
        raise TypeError(f"{name} must be a {kind.__name__}, not {type(value).__name__}")
    return value


def _set_department(case: Case, department: Department) -> None:
    case.department = department
    case.department_id = department.id
    case.assists = [a for a in case.assists if a.department_id != department.id]
    case.assigned_officer = None
    case.assigned_officer_id = None
    _reset_escalation(case)


def _clear_pending(case: Case) -> None:
    case.pending_department = None
    case.pending_department_id = None


def _assign(case: Case, officer: Account | None) -> None:
    case.assigned_officer = officer
    case.assigned_officer_id = officer.id if officer is not None else None


def _reset_escalation(case: Case) -> None:
    case.escalation_level = 0
    case.escalation_due = None


def _as_account(actor: Actor) -> Account | None:
    return actor if isinstance(actor, Account) else None


# --- effects: validate, then change ----------------------------------------------------------


def _nothing(ctx: _Context) -> None:
    return None


def _accept(ctx: _Context) -> None:
    case = ctx.case
    case.accepted_at = ctx.now
    if case.assigned_officer_id is None:
        _assign(case, _as_account(ctx.actor))


def _start(ctx: _Context) -> None:
    if ctx.case.assigned_officer_id is None:
        _assign(ctx.case, _as_account(ctx.actor))


def _pause(ctx: _Context) -> None:
    ctx.case.resume_state = ctx.move.source
    ctx.case.paused_on = ctx.today


def _resubmit(ctx: _Context) -> None:
    case = ctx.case
    # The days the sender held the case do not count against the department (补正期间不计入时限).
    waited = max(0, working_days_between(case.paused_on or ctx.today, ctx.today, ctx.calendar))
    if case.resume_state == S:
        case.accept_due_days += waited
    case.reply_due_days += waited
    compute_dues(case, ctx.calendar)
    case.paused_on = None
    ctx.details.update(paused_working_days=waited, due=case.reply_due.isoformat())


def _transfer(ctx: _Context) -> None:
    case, department = ctx.case, ctx.values["department"]
    if department.id == case.department_id:
        raise ctx.refuse("same_department")
    case.pending_department = department
    case.pending_department_id = department.id
    case.resume_state = ctx.move.source
    ctx.event_department_id = department.id


def _withdraw_transfer(ctx: _Context) -> None:
    ctx.event_department_id = ctx.case.pending_department_id
    _clear_pending(ctx.case)


def _accept_transfer(ctx: _Context) -> None:
    case = ctx.case
    receiving = case.pending_department
    ctx.details["from_department"] = case.department.code
    ctx.event_department_id = receiving.id
    _clear_pending(case)
    case.resume_state = None
    _set_department(case, receiving)
    _assign(case, _as_account(ctx.actor))
    case.accepted_at = ctx.now


def _bounce_transfer(ctx: _Context) -> None:
    ctx.event_department_id = ctx.case.pending_department_id
    _clear_pending(ctx.case)


def _dispute(ctx: _Context) -> None:
    ctx.case.resume_state = ctx.move.source


def _reassign(ctx: _Context) -> None:
    case, department = ctx.case, ctx.values["department"]
    if department.id == case.department_id:
        raise ctx.refuse("same_department")
    ctx.details["from_department"] = case.department.code
    ctx.event_department_id = department.id
    case.resume_state = None
    _set_department(case, department)
    case.accepted_at = None


def _merge(ctx: _Context) -> None:
    case, original = ctx.case, ctx.values["duplicate_of"]
    if original.id == case.id or original.state == M or original.duplicate_of_id is not None:
        raise ctx.refuse("invalid_duplicate")
    case.duplicate_of = original
    case.duplicate_of_id = original.id
    ctx.details["duplicate_of"] = original.reference


def _reply(ctx: _Context) -> None:
    ctx.case.replied_at = ctx.now


def _close(ctx: _Context) -> None:
    ctx.case.closed_at = ctx.now


def _rate(ctx: _Context) -> CaseState:
    case = ctx.case
    try:
        rating = Rating(ctx.values["rating"])
    except ValueError:
        raise ctx.refuse("invalid_rating") from None
    if case.rated_at is not None and case.closed_at is not None and case.rated_at >= case.closed_at:
        raise ctx.refuse("already_rated")
    case.rating = rating
    case.rating_comment = ctx.values["comment"]
    case.rated_at = ctx.now
    ctx.details["rating"] = rating.value
    if not rating.is_dissatisfied:
        return C
    # Reopened for the lead, who must rectify and call back within the category's limit.
    case.reopened_count += 1
    case.reopened_at = ctx.now
    case.reply_due_start = ctx.today
    case.reply_due_days = case.category.rectify_days
    compute_dues(case, ctx.calendar)
    _reset_escalation(case)
    ctx.details["due"] = case.reply_due.isoformat()
    return O


def _assign_officer(ctx: _Context) -> None:
    case, officer = ctx.case, ctx.values["officer"]
    if officer.staff_role_in(case.department_id) is None:
        raise ctx.refuse("officer_not_in_department")
    _assign(case, officer)
    ctx.details["officer"] = officer.public_id


def _invite(ctx: _Context) -> None:
    case, department = ctx.case, ctx.values["department"]
    if department.id == case.department_id:
        raise ctx.refuse("same_department")
    if department.id in case.assisting_department_ids:
        raise ctx.refuse("already_assisting")
    case.assists.append(
        CaseAssist(department=department, department_id=department.id, invited_at=ctx.now, invited_by_id=ctx.actor.id)
    )
    ctx.event_department_id = department.id


def _request_extension(ctx: _Context) -> None:
    case, due = ctx.case, ctx.values["due"]
    if case.extension_due is not None:
        raise ctx.refuse("extension_pending")
    if ctx.today > case.reply_due:
        raise ctx.refuse("extension_too_late", due=case.reply_due.isoformat())
    if due <= case.reply_due:
        raise ctx.refuse("extension_not_later", due=case.reply_due.isoformat())
    case.extension_due = due
    case.extension_reason = ctx.values["reason"]
    case.extension_requested_by = ctx.actor
    case.extension_requested_by_id = ctx.actor.id
    case.extension_requested_at = ctx.now
    ctx.details.update(due=due.isoformat(), previous_due=case.reply_due.isoformat())


def _decide_extension(ctx: _Context) -> None:
    case = ctx.case
    if case.extension_due is None:
        raise ctx.refuse("no_extension_pending")
    if case.extension_requested_by_id == ctx.actor.id:
        raise ctx.refuse("own_extension_request")
    ctx.details["requested_by"] = case.extension_requested_by_id


def _approve_extension(ctx: _Context) -> None:
    _decide_extension(ctx)
    case = ctx.case
    new_due = ctx.values["due"] or case.extension_due
    if new_due <= case.reply_due:
        raise ctx.refuse("extension_not_later", due=case.reply_due.isoformat())
    ctx.details.update(due=new_due.isoformat(), previous_due=case.reply_due.isoformat())
    case.reply_due_start = new_due
    case.reply_due_days = 0
    compute_dues(case, ctx.calendar)
    case.extension_count += 1
    _clear_extension(case)
    _reset_escalation(case)


def _decline_extension(ctx: _Context) -> None:
    _decide_extension(ctx)
    ctx.details["due"] = ctx.case.extension_due.isoformat()
    _clear_extension(ctx.case)


def _clear_extension(case: Case) -> None:
    case.extension_due = None
    case.extension_reason = None
    case.extension_requested_by = None
    case.extension_requested_by_id = None
    case.extension_requested_at = None


def _escalate(level: int) -> Callable[[_Context], None]:
    def escalate(ctx: _Context) -> None:
        case = ctx.case
        due = current_due(case)
        if case.escalation_due == due and case.escalation_level >= level:
            raise ctx.refuse("already_escalated")
        case.escalation_level = level
        case.escalation_due = due
        ctx.details.update(level=level, due=due.isoformat())

    return escalate


def _recalculate(ctx: _Context) -> None:
    case = ctx.case
    before = (case.accept_due, case.reply_due)
    compute_dues(case, ctx.calendar)
    ctx.details.update(
        previous_accept_due=before[0].isoformat(),
        previous_reply_due=before[1].isoformat(),
        accept_due=case.accept_due.isoformat(),
        reply_due=case.reply_due.isoformat(),
        estimated=case.due_estimated,
    )
    if case.reply_due != before[1] or case.accept_due != before[0]:
        _reset_escalation(case)


_EFFECTS: dict[str, Callable[[_Context], CaseState | None]] = {
    "accept": _accept,
    "start": _start,
    "request_info": _pause,
    "resubmit": _resubmit,
    "transfer": _transfer,
    "withdraw_transfer": _withdraw_transfer,
    "accept_transfer": _accept_transfer,
    "bounce_transfer": _bounce_transfer,
    "dispute": _dispute,
    "reassign": _reassign,
    "merge": _merge,
    "reply": _reply,
    "close": _close,
    "rate": _rate,
    "assign": _assign_officer,
    "invite": _invite,
    "request_extension": _request_extension,
    "approve_extension": _approve_extension,
    "decline_extension": _decline_extension,
    "remind": _escalate(1),
    "supervise": _escalate(2),
    "recalculate": _recalculate,
}
assert set(_EFFECTS) <= ACTIONS


def table_rows() -> Iterable[Move]:
    """Every (action, from-state) move, for documentation and tests."""
    return MOVES.values()
