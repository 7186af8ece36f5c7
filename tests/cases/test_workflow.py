"""What the state machine does along the way: deadlines, departments, notices, history."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from portal.cases import (
    SYSTEM,
    CaseError,
    IllegalTransition,
    allowed_actions,
    enable_email,
    mark_read,
    notifications,
    record_attachment,
    transition,
    unread_count,
)
from portal.extensions import db
from portal.models import (
    Account,
    Case,
    CaseEvent,
    CaseKind,
    CaseState,
    InboxMessage,
    OutboxMessage,
    Rating,
    Visibility,
)
from portal.models.case import CaseHistoryIsAppendOnly


def inbox(world, account) -> list[str]:
    """The notice keys in someone's inbox, oldest first."""
    rows = world.session.scalars(
        select(InboxMessage).where(InboxMessage.account_id == account.id).order_by(InboxMessage.id)
    )
    return [row.subject_key.removesuffix(".subject") for row in rows]


def refused(world, case, action, actor, **details) -> str:
    with pytest.raises(IllegalTransition) as raised:
        world.act(case, action, actor, **details)
    return raised.value.code


# --- filing ------------------------------------------------------------------------------------


def test_submitting_starts_the_clock_and_tells_the_sender(world):
    case = world.submit()
    assert case.reference == "SJ-2026-000001"
    assert len(case.public_id) == 32 and case.public_id != case.reference
    assert case.state == CaseState.SUBMITTED
    assert case.department == world.dept("jjw")  # the category's department
    assert case.submitted_at == world.now
    # Monday 2 March: sign for by Tuesday, reply within 5 working days by Monday 9 March.
    assert (case.accept_due, case.reply_due) == (date(2026, 3, 3), date(2026, 3, 9))
    assert (case.accept_due_days, case.reply_due_days) == (1, 5)
    assert not case.due_estimated
    [event] = case.events
    assert (event.action, event.from_state, event.to_state) == ("submit", None, CaseState.SUBMITTED)
    assert event.visibility == Visibility.PUBLIC
    assert inbox(world, world.sender) == ["sender.submit"]
    assert world.submit().reference == "SJ-2026-000002"


def test_the_category_limits_are_copied_so_later_changes_do_not_move_filed_cases(world):
    case = world.submit()
    world.category.reply_days = 15
    assert case.reply_due == date(2026, 3, 9)
    assert world.submit().reply_due == date(2026, 3, 23)


def test_filing_for_someone_else_records_both(world):
    case = world.submit(sender=world.neighbour, subject=world.sender)
    assert case.sender == world.sender
    assert case.filed_by_id == world.neighbour.id
    event = case.events[0]
    assert (event.actor_id, event.subject_id) == (world.neighbour.id, world.sender.id)


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"title": "  "}, "field_required"),
        ({"body": ""}, "field_required"),
        ({"title": "x" * 201}, "field_too_long"),
        ({"kind": "complaint"}, "invalid_kind"),
        ({"priority": "panic"}, "invalid_priority"),
        ({"kind": CaseKind.APPEAL}, "enterprise_required"),
        ({"latitude": 31.0}, "invalid_location"),
        ({"latitude": 95.0, "longitude": 121.2}, "invalid_location"),
    ],
)
def test_a_filing_that_makes_no_sense_is_refused(world, overrides, code):
    with pytest.raises(CaseError) as raised:
        world.submit(**overrides)
    assert raised.value.code == code
    assert world.session.scalar(select(Case.id)) is None


def test_category_rules_for_filing(world):
    world.category.kind = CaseKind.APPLICATION
    with pytest.raises(CaseError, match="category_kind_mismatch"):
        world.submit(kind=CaseKind.REQUEST)
    world.category.kind = None
    world.category.active = False
    with pytest.raises(CaseError, match="category_inactive"):
        world.submit()


def test_an_appeal_is_filed_for_an_enterprise_and_can_be_routed_elsewhere(world):
    case = world.submit(kind=CaseKind.APPEAL, enterprise_id=42, department=world.dept("kw"))
    assert case.sender_enterprise_id == 42
    assert case.department == world.dept("kw")


# --- the main road ----------------------------------------------------------------------------


def test_accept_start_reply_close_rate(world):
    case = world.submit()
    world.advance(hours=2)
    world.act(case, "accept", world.officer)
    assert case.assigned_officer == world.officer
    assert case.accepted_at == world.now
    world.act(case, "start", world.officer)
    world.act(case, "note", world.officer, notes="Called the street-light contractor")
    world.advance(days=1)
    world.act(case, "reply", world.officer, notes="The lamp was replaced this morning.")
    assert case.replied_at == world.now
    world.act(case, "close", world.officer)
    world.advance(days=1)
    world.act(case, "rate", world.sender, rating=Rating.VERY_SATISFIED, comment="Fast, thank you")

    assert case.state == CaseState.CLOSED
    assert (case.rating, case.rating_comment) == (Rating.VERY_SATISFIED, "Fast, thank you")
    assert [e.action for e in case.events] == ["submit", "accept", "start", "note", "reply", "close", "rate"]
    assert [e.action for e in case.events if e.is_public] == ["submit", "accept", "start", "reply", "close", "rate"]
    reply = case.events[4]
    assert reply.notes == "The lamp was replaced this morning."
    # The sender hears of every public step taken by others, not of the internal note or their own rating.
    assert inbox(world, world.sender) == [
        "sender.submit", "sender.accept", "sender.start", "sender.reply", "sender.close",
    ]
    assert refused(world, case, "rate", world.sender, rating="satisfied") == "already_rated"


def test_allowed_actions_lists_what_a_person_may_do_now(world):
    case = world.submit()
    assert allowed_actions(case, world.officer) == [
        "accept", "assign", "dispute", "merge", "note", "reject", "request_info", "transfer",
    ]
    assert allowed_actions(case, world.sender) == []
    assert allowed_actions(case, world.outsider) == []
    assert allowed_actions(case, world.dispatcher) == ["note"]
    assert allowed_actions(case, SYSTEM) == ["recalculate", "remind", "supervise"]


# --- more information (补正) -------------------------------------------------------------------


def test_the_days_the_sender_holds_the_case_do_not_count(world):
    case = world.submit()
    world.act(case, "accept", world.officer)
    world.advance(days=1)  # Tuesday
    world.act(case, "request_info", world.officer, reason="Which lamp post?")
    assert case.state == CaseState.RETURNED_FOR_INFO
    assert case.paused_on == date(2026, 3, 3)
    assert "sender.request_info" in inbox(world, world.sender)
    world.advance(days=3)  # Friday: Wednesday, Thursday and Friday were the sender's
    event = world.act(case, "resubmit", world.sender, notes="Post 61-3, by the bus stop")
    assert case.state == CaseState.ACCEPTED
    assert event.details["paused_working_days"] == 3
    assert case.reply_due == date(2026, 3, 12)  # 9 March plus three working days
    assert case.resume_state is None and case.paused_on is None
    assert inbox(world, world.officer) == ["staff.resubmit"]


def test_a_pause_before_signing_for_moves_the_acceptance_deadline(world):
    case = world.submit()
    world.act(case, "request_info", world.officer, reason="Photo please")
    world.advance(days=1)
    world.act(case, "resubmit", world.sender, notes="Photo attached")
    assert case.state == CaseState.SUBMITTED
    assert case.accept_due == date(2026, 3, 4)


def test_someone_verified_to_act_for_the_sender_may_answer(world):
    case = world.submit()
    world.act(case, "request_info", world.officer, reason="Photo please")
    world.act(case, "resubmit", world.neighbour, subject=world.sender, notes="Photo attached")
    assert case.events[-1].actor_id == world.neighbour.id
    assert case.events[-1].subject_id == world.sender.id


# --- transfer (转派) ---------------------------------------------------------------------------


def test_a_transfer_bounced_then_accepted_keeps_the_clock_running(world):
    case = world.submit()
    world.act(case, "accept", world.officer)
    world.act(case, "transfer", world.officer, reason="Investment matter", department=world.dept("fgw"))
    assert case.state == CaseState.TRANSFERRING
    assert case.pending_department == world.dept("fgw")
    assert case.department == world.dept("jjw")  # still the owner until accepted
    assert inbox(world, world.receiver_lead) == ["staff.transfer"]
    assert "sender.transfer" not in inbox(world, world.sender)  # internal

    world.act(case, "bounce_transfer", world.receiver, reason="Not an investment project")
    assert case.state == CaseState.ACCEPTED
    assert case.pending_department is None
    assert "staff.bounce_transfer" in inbox(world, world.officer)

    world.advance(days=2)
    world.act(case, "transfer", world.officer, reason="It is after all", department=world.dept("fgw"))
    world.act(case, "accept_transfer", world.receiver)
    assert case.department == world.dept("fgw")
    assert case.assigned_officer == world.receiver
    assert case.reply_due == date(2026, 3, 9)  # the clock started at submission
    assert inbox(world, world.sender)[-1] == "sender.accept_transfer"
    # The former owner's officer no longer has any say.
    assert refused(world, case, "reply", world.officer, notes="Done") == "not_permitted"


def test_a_transfer_can_be_withdrawn_and_cannot_go_to_the_owner(world):
    case = world.submit()
    assert refused(world, case, "transfer", world.officer, reason="x", department=world.dept("jjw")) == (
        "same_department"
    )
    world.act(case, "transfer", world.officer, reason="x", department=world.dept("fgw"))
    world.act(case, "withdraw_transfer", world.officer)
    assert case.state == CaseState.SUBMITTED
    assert inbox(world, world.receiver_lead) == ["staff.transfer", "staff.withdraw_transfer"]


# --- not our duty (退单) -----------------------------------------------------------------------


def test_a_dispute_sent_back_and_a_dispute_upheld(world):
    case = world.submit()
    world.act(case, "accept", world.officer)
    event = world.act(case, "dispute", world.officer, reason="Private land", basis="Duty list, item 12")
    assert (event.reason, event.basis) == ("Private land", "Duty list, item 12")
    assert case.state == CaseState.DISPUTED
    assert inbox(world, world.dispatcher) == ["staff.dispute"]
    assert refused(world, case, "send_back", world.lead, reason="x") == "not_permitted"

    world.act(case, "send_back", world.dispatcher, reason="Public lighting is yours")
    assert case.state == CaseState.ACCEPTED

    world.act(case, "dispute", world.officer, reason="Really not ours", basis="Duty list, item 12")
    world.act(case, "reassign", world.dispatcher, reason="Ecology bureau", department=world.dept("sthjj"))
    assert case.state == CaseState.SUBMITTED  # the new department signs for it
    assert case.department == world.dept("sthjj")
    assert case.assigned_officer is None and case.accepted_at is None
    assert inbox(world, world.other_lead) == ["staff.reassign"]
    assert inbox(world, world.sender)[-1] == "sender.reassign"
    assert case.reply_due == date(2026, 3, 9)


def test_a_dispute_needs_its_basis(world):
    case = world.submit()
    assert refused(world, case, "dispute", world.officer, reason="Not ours") == "field_required"


# --- extensions (延期) -------------------------------------------------------------------------


def test_an_extension_asked_in_time_and_approved_by_a_lead(world):
    case = world.submit()
    world.act(case, "accept", world.officer)
    new_due = date(2026, 3, 20)
    assert refused(world, case, "request_extension", world.officer, reason="x", due=date(2026, 3, 9)) == (
        "extension_not_later"
    )
    world.act(case, "request_extension", world.officer, reason="Parts on order", due=new_due)
    assert case.extension_due == new_due
    assert set(inbox(world, world.lead)) == {"staff.request_extension"}
    assert refused(world, case, "request_extension", world.officer, reason="x", due=new_due) == "extension_pending"
    assert refused(world, case, "approve_extension", world.officer) == "not_permitted"

    event = world.act(case, "approve_extension", world.lead)
    assert case.reply_due == new_due
    assert case.extension_count == 1 and case.extension_due is None
    assert event.details["previous_due"] == "2026-03-09"
    assert event.is_public
    assert inbox(world, world.sender)[-1] == "sender.approve_extension"
    message = world.session.scalars(select(InboxMessage).where(InboxMessage.account_id == world.sender.id)).all()[-1]
    assert message.params["due"] == "2026-03-20"
    assert inbox(world, world.officer)[-1] == "staff.approve_extension"


def test_an_extension_must_be_asked_before_the_deadline(world):
    case = world.submit()
    world.act(case, "accept", world.officer)
    world.advance(days=8)  # Tuesday 10 March, the day after the due date
    assert refused(world, case, "request_extension", world.officer, reason="x", due=date(2026, 3, 20)) == (
        "extension_too_late"
    )


def test_a_lead_cannot_approve_their_own_extension_and_a_decline_is_told(world):
    case = world.submit()
    world.act(case, "accept", world.lead)
    world.act(case, "request_extension", world.lead, reason="Survey", due=date(2026, 3, 16))
    assert refused(world, case, "approve_extension", world.lead) == "own_extension_request"
    world.act(case, "decline_extension", world.lead2, reason="Not needed")
    assert case.extension_due is None and case.reply_due == date(2026, 3, 9)
    assert inbox(world, world.lead)[-1] == "staff.decline_extension"
    assert refused(world, case, "approve_extension", world.lead2) == "no_extension_pending"


# --- ratings (好差评) -------------------------------------------------------------------------


def closed_case(world) -> Case:
    case = world.submit()
    for action, details in (("accept", {}), ("reply", {"notes": "Fixed"}), ("close", {})):
        world.act(case, action, world.officer, **details)
    return case


def test_a_dissatisfied_rating_reopens_the_case_for_the_lead_for_fifteen_working_days(world):
    case = closed_case(world)
    world.advance(days=1)  # Tuesday 3 March
    world.act(case, "rate", world.sender, rating="dissatisfied", comment="Still dark at night")
    assert case.state == CaseState.REOPENED
    assert case.reopened_count == 1
    assert case.reply_due == date(2026, 3, 24)  # 15 working days after 3 March
    assert {"staff.reopened"} <= set(inbox(world, world.lead)) & set(inbox(world, world.lead2))
    # The lead must rectify and call back; the officer alone may not.
    assert refused(world, case, "reply", world.officer, notes="Fixed again") == "not_permitted"
    world.advance(days=2)
    world.act(case, "reply", world.lead, notes="Cable replaced; called the sender back")
    world.act(case, "close", world.officer)
    world.advance(hours=1)
    world.act(case, "rate", world.sender, rating=Rating.SATISFIED)
    assert case.state == CaseState.CLOSED
    assert case.rating == Rating.SATISFIED
    ratings = [e.details["rating"] for e in case.events if e.action == "rate"]
    assert ratings == ["dissatisfied", "satisfied"]


def test_the_rectification_limit_is_the_categorys(world):
    world.category.rectify_days = 10
    case = closed_case(world)
    world.act(case, "rate", world.sender, rating=Rating.VERY_DISSATISFIED)
    assert case.reply_due == date(2026, 3, 16)


def test_an_unknown_rating_is_refused(world):
    case = closed_case(world)
    assert refused(world, case, "rate", world.sender, rating="meh") == "invalid_rating"
    assert case.rating is None


# --- merging, assigning, inviting -------------------------------------------------------------


def test_a_duplicate_is_merged_and_its_sender_told(world):
    original = world.submit(sender=world.neighbour)
    duplicate = world.submit()
    world.act(duplicate, "merge", world.officer, duplicate_of=original)
    assert duplicate.state == CaseState.MERGED
    assert duplicate.duplicate_of == original
    message = world.session.scalars(select(InboxMessage).where(InboxMessage.account_id == world.sender.id)).all()[-1]
    assert message.subject_key == "sender.merge.subject"
    assert message.params["duplicate_of"] == original.reference

    third = world.submit()
    assert refused(world, third, "merge", world.officer, duplicate_of=third) == "invalid_duplicate"
    assert refused(world, third, "merge", world.officer, duplicate_of=duplicate) == "invalid_duplicate"


def test_assigning_only_to_a_colleague_of_the_owning_department(world):
    case = world.submit()
    assert refused(world, case, "assign", world.officer, officer=world.outsider) == "officer_not_in_department"
    world.act(case, "assign", world.lead, officer=world.officer2)
    assert case.assigned_officer == world.officer2
    assert inbox(world, world.officer2) == ["staff.assign"]


def test_an_assisting_department_may_add_notes_but_not_reply(world):
    case = world.submit()
    world.act(case, "accept", world.officer)
    assert refused(world, case, "note", world.assistant, notes="x") == "not_permitted"
    world.act(case, "invite", world.officer, department=world.dept("kw"))
    assert inbox(world, world.assist_lead) == ["staff.invite"]
    assert refused(world, case, "invite", world.officer, department=world.dept("kw")) == "already_assisting"
    assert refused(world, case, "invite", world.officer, department=world.dept("jjw")) == "same_department"
    world.act(case, "note", world.assistant, notes="Our records show the cable was cut")
    assert refused(world, case, "reply", world.assistant, notes="x") == "not_permitted"


# --- who may act at all -----------------------------------------------------------------------


def test_a_civil_servant_filing_about_their_own_department_is_only_its_sender(world):
    case = world.submit(sender=world.officer)
    assert refused(world, case, "accept", world.officer) == "not_permitted"
    world.act(case, "accept", world.officer2)


def test_acting_for_someone_gives_none_of_ones_own_staff_roles(world):
    case = world.submit()
    assert refused(world, case, "accept", world.officer, subject=world.neighbour) == "not_permitted"


def test_the_system_actor_is_needed_for_escalation(world):
    case = world.submit()
    assert refused(world, case, "remind", world.lead) == "not_permitted"
    event = world.act(case, "remind", SYSTEM)
    assert event.actor_id is None and event.subject_id is None
    assert refused(world, case, "remind", SYSTEM) == "already_escalated"


# --- integrity --------------------------------------------------------------------------------


def test_two_officers_acting_at_once_cannot_both_win(world):
    case = world.submit()
    world.session.commit()
    elsewhere = Session(db.engine)  # a second officer's request, loaded before the first commits
    try:
        same_case = elsewhere.get(Case, case.id)
        second_officer = elsewhere.get(Account, world.officer2.id)
        world.act(case, "accept", world.officer)
        world.session.commit()
        with pytest.raises(StaleDataError):
            transition(
                elsewhere, same_case, "reject", second_officer,
                reason="Outside the district", now=world.now, calendar=world.calendar,
            )
    finally:
        elsewhere.rollback()
        elsewhere.close()
    world.session.refresh(case)
    assert case.state == CaseState.ACCEPTED
    assert [e.action for e in case.events] == ["submit", "accept"]


def test_the_history_is_append_only(world):
    case = world.submit()
    world.session.commit()
    event_id = case.events[0].id
    event = world.session.get(CaseEvent, event_id)
    event.notes = "rewritten"
    with pytest.raises(CaseHistoryIsAppendOnly):
        world.session.flush()
    world.session.rollback()
    world.session.delete(world.session.get(CaseEvent, event_id))
    with pytest.raises(CaseHistoryIsAppendOnly):
        world.session.flush()
    world.session.rollback()


def test_wrong_argument_types_are_programming_errors(world):
    case = world.submit()
    with pytest.raises(TypeError):
        world.act(case, "transfer", world.officer, reason="x", department="fgw")
    with pytest.raises(TypeError):
        world.act(case, "not_a_keyword", world.officer, colour="red")


# --- notifications beyond the inbox -----------------------------------------------------------


def test_an_email_hook_queues_mail_for_recipients_with_an_address(world, monkeypatch):
    rendered = []

    def render(subject_key, body_key, params, locale):
        rendered.append((subject_key, locale))
        return f"[{params['reference']}] {subject_key}", body_key

    monkeypatch.setattr(notifications, "hooks", [notifications.email_hook(render)])
    world.sender.locale = "en"
    case = world.submit()
    world.act(case, "accept", world.officer)
    mail = world.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(m.recipient, m.subject) for m in mail] == [
        ("sender@example.test", f"[{case.reference}] sender.submit.subject"),
        ("sender@example.test", f"[{case.reference}] sender.accept.subject"),
    ]
    assert rendered[0] == ("sender.submit.subject", "en")


def test_the_labels_render_an_email_in_the_recipients_language(world, monkeypatch):
    from portal.case_labels import render_notice

    monkeypatch.setattr(notifications, "hooks", [notifications.email_hook(render_notice)])
    world.sender.locale = "en"
    case = world.submit()
    mail = world.session.scalars(select(OutboxMessage)).one()
    assert mail.subject == f"We received your case {case.reference}"
    assert "District Economic Commission" in mail.body
    assert "Street light out on Renmin Road" in mail.body



def test_enabling_email_twice_installs_one_hook(world, monkeypatch):
    from portal.case_labels import render_notice

    monkeypatch.setattr(notifications, "hooks", [])
    enable_email(render_notice)
    enable_email(render_notice)
    assert len(notifications.hooks) == 1
    world.submit()
    assert len(world.session.scalars(select(OutboxMessage)).all()) == 1


def test_the_inbox_counts_and_marks_only_the_readers_messages(world):
    case = world.submit()
    world.act(case, "accept", world.officer)
    assert unread_count(world.session, world.sender.id) == 2
    ids = world.session.scalars(select(InboxMessage.id)).all()
    assert mark_read(world.session, world.officer.id, ids, world.now) == 0  # not theirs
    assert mark_read(world.session, world.sender.id, ids, world.now) == 2
    assert unread_count(world.session, world.sender.id) == 0


def test_attachments_are_recorded_with_the_event_they_came_with(world):
    case = world.submit()
    submission = case.events[0]
    attachment = record_attachment(
        world.session, case, world.sender, storage_key="cases/ab/cd/ef", original_name="C:\\photos\\lamp.jpg",
        content_type="image/jpeg", size_bytes=52_000, event=submission,
    )
    world.session.flush()
    assert case.attachments == [attachment]
    assert (attachment.original_name, attachment.event_id) == ("lamp.jpg", submission.id)
    with pytest.raises(CaseError, match="attachment_empty"):
        record_attachment(
            world.session, case, world.sender, storage_key="k2", original_name="x", content_type="text/plain",
            size_bytes=0,
        )
