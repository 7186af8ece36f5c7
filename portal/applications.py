"""Online applications (一网通办): drafts, and submission as a case on the desk. No Flask.

The person typing (`actor`) files for `subject`: themselves, or an elder whose delegation with
the `file_applications` scope is checked on every call, so a revocation counts from the next
request. Files arrive as bytes with the name the sender gave; they are checked by content and
stored (portal.uploads) before anything is written, and removed again if the write fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import audit, delegations
from portal.audit import Origin
from portal.cases import record_attachment, submit_case
from portal.catalogue import FormField
from portal.models import (
    Account,
    ApplicationDraft,
    Case,
    CaseAttachment,
    CaseCategory,
    CaseEvent,
    CaseKind,
    ServiceGuide,
    Visibility,
)
from portal.models.base import utcnow
from portal.uploads import StoredFile, UploadRefused, UploadStore, check_total

ACT_SCOPE = "file_applications"
VIEW_SCOPE = "view_cases"
CATEGORY_PREFIX = "applications-"
REPLY_DAYS = 20  # the usual legal time limit of an administrative licence (行政许可法 第42条)
MAX_DRAFTS = 20  # per person and subject: a draft is a convenience, not storage


class NotAllowed(Exception):  # noqa: N818 - the page answers 403
    pass


class ApplicationInvalid(Exception):  # noqa: N818
    """`errors`: {field name: code}; codes are portal.uploads' plus file_required, too_many_drafts."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class Upload:
    """A file as the request carried it: the sender's name for it and its bytes."""

    name: str
    data: bytes


def check_acting(session: Session, actor: Account, subject: Account, scope: str = ACT_SCOPE) -> None:
    if subject.id != actor.id and delegations.active_delegation(session, actor, subject, scope=scope) is None:
        raise NotAllowed


def online_service(session: Session, code: str) -> ServiceGuide | None:
    """A service that can be applied for online, or None."""
    return session.scalar(
        select(ServiceGuide).where(
            ServiceGuide.code == code, ServiceGuide.active.is_(True), ServiceGuide.online.is_(True),
            ServiceGuide.form_definition.is_not(None),
        )
    )


def application_category(session: Session, service: ServiceGuide) -> CaseCategory:
    """The case category for applications to the service's department, created on first use."""
    department = service.department
    code = f"{CATEGORY_PREFIX}{department.code}"
    category = session.scalar(select(CaseCategory).where(CaseCategory.code == code))
    if category is None:
        category = CaseCategory(
            code=code, name_zh=f"{department.name_zh}办事申请", name_en=f"Applications to {department.name_en}",
            kind=CaseKind.APPLICATION, department=department, department_id=department.id,
            accept_days=1, reply_days=REPLY_DAYS, rectify_days=15, active=True,
        )
        session.add(category)
        session.flush()
    return category


# --- drafts ------------------------------------------------------------------------------------


def drafts_of(session: Session, actor: Account, subject: Account) -> list[ApplicationDraft]:
    """The drafts `actor` is writing for `subject`, newest first."""
    check_acting(session, actor, subject)
    return list(
        session.scalars(
            select(ApplicationDraft)
            .where(ApplicationDraft.account_id == actor.id, ApplicationDraft.subject_id == subject.id)
            .order_by(ApplicationDraft.updated_at.desc(), ApplicationDraft.id.desc())
        )
    )


def find_draft(session: Session, actor: Account, subject: Account, public_id: str) -> ApplicationDraft | None:
    """One of the actor's drafts for this subject; None for anyone else's."""
    check_acting(session, actor, subject)
    return session.scalar(
        select(ApplicationDraft).where(
            ApplicationDraft.public_id == public_id,
            ApplicationDraft.account_id == actor.id,
            ApplicationDraft.subject_id == subject.id,
        )
    )


def kept_files(draft: ApplicationDraft | None) -> dict[str, StoredFile]:
    return {name: StoredFile.from_ref(ref) for name, ref in ((draft.attachments or {}) if draft else {}).items()}


def _store(store: UploadStore, uploads: dict[str, Upload]) -> dict[str, StoredFile]:
    """Check and store every upload, or store none and raise ApplicationInvalid."""
    stored: dict[str, StoredFile] = {}
    errors: dict[str, str] = {}
    for name, upload in uploads.items():
        try:
            stored[name] = store.save(upload.data, upload.name)
        except UploadRefused as refusal:
            errors[name] = refusal.code
    if errors:
        _remove(store, stored.values())
        raise ApplicationInvalid(errors)
    return stored


def _remove(store: UploadStore, files) -> None:
    for file in files:
        store.delete(file.key)


def _merge(store: UploadStore, draft: ApplicationDraft | None, uploads: dict[str, Upload], fields: list[FormField]):
    """(all files: kept ones replaced by new uploads, the newly stored ones, the replaced ones)."""
    names = {f.name for f in fields if f.type == "file"}
    new = _store(store, {name: upload for name, upload in uploads.items() if name in names})
    kept = {name: file for name, file in kept_files(draft).items() if name in names}
    files = {**kept, **new}
    try:
        check_total(file.size for file in files.values())
    except UploadRefused as refusal:
        _remove(store, new.values())
        raise ApplicationInvalid({next(iter(new), next(iter(names), "")): refusal.code}) from None
    replaced = [file for name, file in kept.items() if name in new]
    return files, new, replaced


def save_draft(
    session: Session, store: UploadStore, actor: Account, subject: Account, service: ServiceGuide,
    fields: list[FormField], values: dict[str, str], uploads: dict[str, Upload],
    draft: ApplicationDraft | None = None, now: datetime | None = None,
) -> ApplicationDraft:
    """Keep what was typed (and the files, checked) to come back to. The caller need not commit."""
    check_acting(session, actor, subject)
    now = now or utcnow()
    if draft is None and len(drafts_of(session, actor, subject)) >= MAX_DRAFTS:
        raise ApplicationInvalid({"": "too_many_drafts"})
    files, new, replaced = _merge(store, draft, uploads, fields)
    if draft is None:
        draft = ApplicationDraft(account_id=actor.id, subject_id=subject.id, service_id=service.id, created_at=now)
        session.add(draft)
    typed = {f.name for f in fields if f.type != "file"}
    draft.values = {name: (values.get(name) or "")[:4000] for name in typed}
    draft.attachments = {name: file.as_ref() for name, file in files.items()}
    draft.updated_at = now
    try:
        session.commit()
    except Exception:
        session.rollback()
        _remove(store, new.values())
        raise
    _remove(store, replaced)
    return draft


def discard_draft(session: Session, store: UploadStore, actor: Account, subject: Account,
                  draft: ApplicationDraft) -> None:
    check_acting(session, actor, subject)
    files = kept_files(draft).values()
    session.delete(draft)
    session.commit()
    _remove(store, files)


# --- submission ---------------------------------------------------------------------------------


def _shown(field: FormField, value: str) -> str:
    if field.type == "select":
        return next((o.label_zh for o in field.options if o.value == value), value)
    return value


def compose_body(fields: list[FormField], values: dict[str, str], files: dict[str, StoredFile]) -> str:
    """The application as the desk reads it: one line per question, in the desk's language."""
    lines = []
    for field in fields:
        if field.type == "file":
            answer = files[field.name].name if field.name in files else ""
        else:
            answer = _shown(field, (values.get(field.name) or "").strip())
        lines.append(f"{field.label_zh}：{answer or '—'}")
    return "\n".join(lines)


def submit(
    session: Session, store: UploadStore, actor: Account, subject: Account, service: ServiceGuide,
    fields: list[FormField], values: dict[str, str], uploads: dict[str, Upload],
    draft: ApplicationDraft | None = None, origin: Origin | None = None, now: datetime | None = None,
) -> Case:
    """File the application as a case for `subject` (filed by `actor`), with its files attached.

    `values` have passed the form's checks. Raises ApplicationInvalid for a refused file or a
    required file missing, NotAllowed without the delegation, CaseError from the case domain.
    """
    check_acting(session, actor, subject)
    now = now or utcnow()
    files, new, replaced = _merge(store, draft, uploads, fields)
    missing = {f.name: "file_required" for f in fields if f.type == "file" and f.required and f.name not in files}
    if missing:
        _remove(store, new.values())
        raise ApplicationInvalid(missing)
    try:
        case = submit_case(
            session, actor, kind=CaseKind.APPLICATION, category=application_category(session, service),
            title=service.name_zh, body=compose_body(fields, values, files),
            subject=subject if subject.id != actor.id else None, department=service.department, now=now,
        )
        event = session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id))
        for file in files.values():
            record_attachment(
                session, case, actor, storage_key=file.key, original_name=file.name,
                content_type=file.content_type, size_bytes=file.size, event=event,
            )
        audit.record(
            session, "application.submit", origin=origin, actor_id=actor.id, subject_id=subject.id,
            object_type="case", object_id=case.public_id, service=service.code,
        )
        if draft is not None:
            session.delete(draft)
        session.commit()
    except Exception:
        session.rollback()
        _remove(store, new.values())
        raise
    _remove(store, replaced)
    return case


# --- reading files back ---------------------------------------------------------------------------


def sender_attachment(session: Session, actor: Account, subject: Account, case_public_id: str,
                      attachment_id: int) -> CaseAttachment | None:
    """A file of one of the subject's own cases, as its sender (or family with the view scope) sees it."""
    check_acting(session, actor, subject, VIEW_SCOPE)
    return session.scalar(
        select(CaseAttachment)
        .join(Case, CaseAttachment.case_id == Case.id)
        .where(
            Case.public_id == case_public_id, Case.sender_id == subject.id,
            CaseAttachment.id == attachment_id, CaseAttachment.visibility == Visibility.PUBLIC,
        )
    )


def sender_case(session: Session, actor: Account, subject: Account, public_id: str) -> Case | None:
    """One of the subject's own applications, with its files."""
    check_acting(session, actor, subject, VIEW_SCOPE)
    return session.scalar(
        select(Case).where(Case.public_id == public_id, Case.sender_id == subject.id,
                           Case.kind == CaseKind.APPLICATION)
    )


def staff_attachment(session: Session, scope, case_public_id: str, attachment_id: int) -> CaseAttachment | None:
    """A file of a case in a staff member's scope (portal.cases.cases_for_staff)."""
    visible = scope.where(Case.public_id == case_public_id).with_only_columns(Case.id)
    return session.scalar(
        select(CaseAttachment).where(CaseAttachment.id == attachment_id, CaseAttachment.case_id.in_(visible))
    )
