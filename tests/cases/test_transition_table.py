"""Every move in the transition table, by everyone: the permitted succeed, all others are refused
and change nothing. Every (action, state) pair missing from the table is refused too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.cases import SYSTEM, IllegalTransition, Role
from portal.cases.workflow import ACTIONS, MOVES, PAUSES, RESUME, STAY
from portal.models import Case, CaseAssist, CaseEvent, CaseState, InboxMessage, Visibility

S, A, P, I, T, D, R, C, X, M, O = (  # noqa: E741 - one letter per state, as in the table
    CaseState.SUBMITTED,
    CaseState.ACCEPTED,
    CaseState.IN_PROGRESS,
    CaseState.RETURNED_FOR_INFO,
    CaseState.TRANSFERRING,
    CaseState.DISPUTED,
    CaseState.REPLIED,
    CaseState.CLOSED,
    CaseState.REJECTED,
    CaseState.MERGED,
    CaseState.REOPENED,
)

ACTORS = ("sender", "officer", "lead", "assistant", "receiver", "dispatcher", "outsider", "system")


def roles_held(actor: str, state: CaseState) -> set[Role]:
    """What each person in the fixture world is to a case set up by `case_in`."""
    return {
        "sender": {Role.SENDER},
        "officer": {Role.OFFICER},
        "lead": {Role.OFFICER, Role.LEAD},
        "assistant": {Role.ASSISTING},
        "receiver": {Role.RECEIVER} if state == T else set(),
        "dispatcher": {Role.DISPATCHER},
        "outsider": set(),
        "system": {Role.SYSTEM},
    }[actor]


def actor_of(world, name: str):
    return SYSTEM if name == "system" else getattr(world, name)


def case_in(world, state: CaseState) -> Case:
    """A case of the owning department (jjw), assisted by kw, put straight into `state`."""
    case = world.submit()
    case.assists.append(CaseAssist(department=world.dept("kw"), invited_by_id=world.officer.id, invited_at=world.now))
    case.state = state
    if state not in (S, T, D, I):
        case.accepted_at = world.now
    if state in (I, T, D):
        case.resume_state = A  # paused from "accepted"
    if state == I:
        case.paused_on = world.now.date()
    if state == T:
        case.pending_department = world.dept("fgw")
    if state in (R, C):
        case.replied_at = world.now
    if state == C:
        case.closed_at = world.now
    if state == M:
        case.duplicate_of = world.submit(sender=world.neighbour)
    if state == O:
        case.rating = "dissatisfied"
        case.rated_at = world.now
    world.session.flush()
    return case


def details_for(world, case: Case, action: str) -> dict:
    """What each action needs to succeed, with any precondition set up on the case."""
    if action in ("approve_extension", "decline_extension"):
        case.extension_due = case.reply_due + timedelta(days=7)
        case.extension_reason = "Site survey needed"
        case.extension_requested_by = world.officer
        world.session.flush()
    return {
        "request_info": {"reason": "Please add the lamp post number"},
        "resubmit": {"notes": "It is post 61-3"},
        "transfer": {"reason": "Roads are the transport commission's", "department": world.dept("sthjj")},
        "bounce_transfer": {"reason": "Not ours either"},
        "dispute": {"reason": "Not our duty", "basis": "District duty list, item 7"},
        "reassign": {"reason": "Belongs to ecology", "department": world.dept("sthjj")},
        "send_back": {"reason": "Your duty per the duty list"},
        "reject": {"reason": "Outside the district"},
        "merge": {"duplicate_of": world.submit(sender=world.neighbour)},
        "reply": {"notes": "Repaired on Tuesday"},
        "rate": {"rating": "satisfied", "comment": "Quick"},
        "assign": {"officer": world.officer2},
        "invite": {"department": world.dept("sthjj")},
        "note": {"notes": "Called the sender"},
        "request_extension": {"reason": "Parts on order", "due": case.reply_due + timedelta(days=10)},
        "decline_extension": {"reason": "Not justified"},
    }.get(action, {})


def snapshot(world, case: Case) -> dict:
    values = {column.key: getattr(case, column.key) for column in Case.__table__.columns}
    values["assists"] = sorted(a.department_id for a in case.assists)
    values["events"] = world.session.scalar(select(func.count(CaseEvent.id)))
    values["inbox"] = world.session.scalar(select(func.count(InboxMessage.id)))
    return values


LEGAL = [
    pytest.param(move, actor, id=f"{move.action}-{move.source.value}-{actor}")
    for move in MOVES.values()
    for actor in ACTORS
    if roles_held(actor, move.source) & move.roles
]

ILLEGAL_PAIRS = [
    pytest.param(action, state, id=f"{action}-{state.value}")
    for action in sorted(ACTIONS)
    for state in CaseState
    if (action, state) not in MOVES
]


def test_every_move_has_someone_in_the_fixture_who_may_make_it():
    covered = {(move.action, move.source) for move, _ in (p.values for p in LEGAL)}
    assert covered == set(MOVES)


@pytest.mark.parametrize(("move", "actor"), LEGAL)
def test_a_permitted_move_succeeds(world, move, actor):
    case = case_in(world, move.source)
    details = details_for(world, case, move.action)
    resume = case.resume_state
    event = world.act(case, move.action, actor_of(world, actor), **details)

    if move.to == STAY:
        expected = move.source
    elif move.to == RESUME:
        expected = resume
    elif isinstance(move.to, tuple):
        expected = C  # a satisfied rating keeps it closed
    else:
        expected = move.to
    assert case.state == expected
    assert expected in move.targets
    assert event.action == move.action
    assert (event.from_state, event.to_state) == (move.source, expected)
    assert event.actor_id == (None if actor == "system" else getattr(world, actor).id)
    assert event.visibility == (Visibility.PUBLIC if move.public else Visibility.INTERNAL)
    if expected not in PAUSES:
        assert case.resume_state is None and case.paused_on is None
    if expected != T:
        assert case.pending_department_id is None
    assert event in case.events


@pytest.mark.parametrize("move", list(MOVES.values()), ids=lambda m: f"{m.action}-{m.source.value}")
def test_everyone_else_is_refused_and_nothing_changes(world, move):
    case = case_in(world, move.source)
    details = details_for(world, case, move.action)
    before = snapshot(world, case)
    refused = [actor for actor in ACTORS if not roles_held(actor, move.source) & move.roles]
    assert refused, "every move should be closed to somebody"
    for actor in refused:
        with pytest.raises(IllegalTransition) as raised:
            world.act(case, move.action, actor_of(world, actor), **details)
        assert raised.value.code == "not_permitted", actor
        assert snapshot(world, case) == before, actor


def _eligible_actor(action: str) -> str:
    """Somebody holding a role this action is granted to in some state (so the state decides)."""
    roles = set().union(*(m.roles for m in MOVES.values() if m.action == action))
    for actor, role in (
        ("system", Role.SYSTEM),
        ("sender", Role.SENDER),
        ("dispatcher", Role.DISPATCHER),
        ("lead", Role.LEAD),
    ):
        if role in roles:
            return actor
    return "lead"  # officer, assisting and receiving moves: the lead holds a role on every case


@pytest.mark.parametrize(("action", "state"), ILLEGAL_PAIRS)
def test_a_move_missing_from_the_table_is_refused_and_nothing_changes(world, action, state):
    case = case_in(world, state)
    details = details_for(world, case, action)
    before = snapshot(world, case)
    with pytest.raises(IllegalTransition) as raised:
        world.act(case, action, actor_of(world, _eligible_actor(action)), **details)
    assert raised.value.code == "not_allowed_in_state"
    assert (raised.value.action, raised.value.state) == (action, state.value)
    assert snapshot(world, case) == before


REQUIRING = [
    pytest.param(move, name, id=f"{move.action}-{move.source.value}-{name}")
    for move in MOVES.values()
    for name in move.requires
]


@pytest.mark.parametrize(("move", "missing"), REQUIRING)
def test_a_move_without_what_it_needs_is_refused(world, move, missing):
    case = case_in(world, move.source)
    details = details_for(world, case, move.action)
    actor = next(a for a in ACTORS if roles_held(a, move.source) & move.roles)
    before = snapshot(world, case)
    blank = "   " if isinstance(details[missing], str) else None
    with pytest.raises(IllegalTransition) as raised:
        world.act(case, move.action, actor_of(world, actor), **{**details, missing: blank})
    assert raised.value.code == "field_required"
    assert raised.value.params["field"] == missing
    assert snapshot(world, case) == before


def test_an_unknown_action_is_refused(world):
    case = world.submit()
    with pytest.raises(IllegalTransition) as raised:
        world.act(case, "teleport", world.officer)
    assert raised.value.code == "unknown_action"
