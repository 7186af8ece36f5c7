"""Attachment metadata. The bytes live in storage (to come) under `storage_key`; here we only
record what was attached, by whom, to which case and with which event."""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.cases.errors import CaseError
from portal.models.account import Account
from portal.models.base import utcnow
from portal.models.case import Case, CaseAttachment, CaseEvent, Visibility

MAX_NAME = 255


def record_attachment(
    session: Session,
    case: Case,
    uploaded_by: Account,
    *,
    storage_key: str,
    original_name: str,
    content_type: str,
    size_bytes: int,
    event: CaseEvent | None = None,
    visibility: Visibility = Visibility.PUBLIC,
) -> CaseAttachment:
    """Record a stored file against a case (and the event it came with). The caller commits.

    The caller has already checked that `uploaded_by` may add to this case (the sender on
    submission or supplement, staff when replying) and stored the bytes.
    """
    if size_bytes <= 0:
        raise CaseError("attachment_empty")
    if event is not None and event.case_id != case.id:
        raise ValueError("the event belongs to another case")
    name = (original_name or "").strip().replace("\\", "/").rsplit("/", 1)[-1][:MAX_NAME] or "attachment"
    attachment = CaseAttachment(
        case=case,
        case_id=case.id,
        event_id=event.id if event is not None else None,
        storage_key=storage_key,
        original_name=name,
        content_type=content_type,
        size_bytes=size_bytes,
        visibility=visibility,
        uploaded_by_id=uploaded_by.id,
        uploaded_at=utcnow(),
    )
    session.add(attachment)
    return attachment
