"""The audit trail's two ways of writing a row: with the unit of work, or at once."""

from __future__ import annotations

from sqlalchemy import select

from portal import audit
from portal.extensions import db
from portal.models.audit import AuditEvent


def _rows(action: str) -> list:
    return db.session.execute(
        select(AuditEvent.__table__).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).mappings().all()


def test_a_row_written_at_once_is_the_row_the_flush_would_have_written(app_context):
    facts = {"origin": audit.Origin("203.0.113.9", "phone " * 60), "actor_id": None, "object_type": "thing",
             "object_id": 42, "kept": "yes", "dropped": None}
    audit.record(db.session, "test.audit.same", **facts)
    db.session.flush()
    audit.write_now(db.session, audit.audit_row("test.audit.same", **facts))
    flushed, at_once = _rows("test.audit.same")
    differing = {key for key in flushed if flushed[key] != at_once[key]}
    assert differing <= {"id", "at"}, differing
    assert at_once["at"] is not None and at_once["details"] == {"kept": "yes"}
    assert at_once["object_id"] == "42" and len(at_once["user_agent"]) == 256
    db.session.rollback()


def test_a_row_written_at_once_goes_with_its_transaction(app_context):
    audit.write_now(db.session, audit.audit_row("test.audit.rolled_back"))
    assert not db.session.new  # nothing left for a flush
    assert len(_rows("test.audit.rolled_back")) == 1
    db.session.rollback()
    assert _rows("test.audit.rolled_back") == []
