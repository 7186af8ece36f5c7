"""What the API accepts and returns, as pydantic models: they validate requests and give the
OpenAPI document its JSON Schemas (2020-12, the dialect OpenAPI 3.1 uses).

Request bodies are strict: unknown members are refused, and JSON types are not coerced (a number
is not a string). Query parameters arrive as text and are converted, but unknown ones are
refused too. Responses describe every member they always carry (`additionalProperties: false`),
so a response that drifts from the document fails the schema tests.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from portal.cases.workflow import ACTIONS
from portal.models import CaseKind, CaseState, Priority, Rating, Visibility
from portal.models.catalogue import Audience
from portal.models.policy import ApplicationMethod, PolicyTopic
from portal.rules import Band
from portal.webhooks.events import EVENT_TYPES

# Moves only the portal's own jobs make (escalation, recalculation): never offered to a client.
SYSTEM_ACTIONS = frozenset({"remind", "supervise", "recalculate"})
CLIENT_ACTIONS = tuple(sorted(ACTIONS - SYSTEM_ACTIONS))
Action = Literal[CLIENT_ACTIONS]  # type: ignore[valid-type] - built from the state machine's table

Text = Annotated[str, Field(min_length=1, max_length=5000)]
# Codes and cursors in a query string: plain ASCII, so that a URL stays well within what servers take.
CODE_PATTERN = r"^[A-Za-z0-9_.-]+$"


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Query(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- shared pieces ------------------------------------------------------------------------------


class Names(Out):
    """A name in both languages the portal speaks."""

    zh: str
    en: str | None


class DepartmentRef(Out):
    code: str = Field(description="The department's code, e.g. `jjw`.")
    name: Names


class CategoryRef(Out):
    code: str
    name: Names


class EnterpriseRef(Out):
    uscc: str = Field(description="Unified Social Credit Code (统一社会信用代码).")
    name: Names


class Location(Out):
    text: str | None
    latitude: float | None
    longitude: float | None


class Deadlines(Out):
    accept_due: date = Field(description="Sign for the case (签收) by this day.")
    reply_due: date = Field(description="Answer the sender by this day.")
    current_due: date | None = Field(
        description="The deadline running now; null while no clock runs (waiting for the sender, answered, "
        "finished)."
    )
    estimated: bool = Field(description="A due date counts weekends only: its year's holidays are not loaded yet.")


# --- cases --------------------------------------------------------------------------------------


class Case(Out):
    id: str = Field(description="The case's identifier in this API (opaque).")
    reference: str = Field(description="The public reference people quote, e.g. `SJ-2026-000123`.")
    kind: CaseKind
    state: CaseState
    priority: Priority
    title: str
    body: str
    category: CategoryRef
    department: DepartmentRef = Field(description="The department that owns the case.")
    pending_department: DepartmentRef | None = Field(
        description="The department a transfer is offered to while the case is `transferring` (department "
        "systems only; null for a sender)."
    )
    enterprise: EnterpriseRef | None = Field(description="The company an appeal is made for.")
    location: Location | None
    submitted_at: datetime
    updated_at: datetime
    accepted_at: datetime | None
    replied_at: datetime | None
    closed_at: datetime | None
    due: Deadlines
    rating: Rating | None
    allowed_actions: list[Action] = Field(
        description="The actions this token may take on the case now (`POST /cases/{case_id}/transitions`)."
    )


class Event(Out):
    """One line of the case's history. A sender sees the public lines only, with the text meant
    for them; a department system sees every line."""

    at: datetime
    action: str
    from_state: CaseState | None
    to_state: CaseState | None
    visibility: Visibility
    by: str | None = Field(description="Who acted, for department systems; null for the portal's own jobs "
                                       "and for senders.")
    reason: str | None
    basis: str | None
    notes: str | None
    department: DepartmentRef | None = Field(description="The other department the event concerns (a "
                                                         "transfer, an invitation, a reassignment).")
    due: date | None = Field(description="A due date the event set (an extension, a reopening).")


class CaseDetail(Case):
    events: list[Event]


class CasePage(Out):
    items: list[Case]
    next_cursor: str | None = Field(description="Pass as `after` for the next page; null on the last page.")


class CaseListQuery(Query):
    state: list[CaseState] | None = Field(None, max_length=len(CaseState),
                                          description="Only cases in these states (repeat the parameter).")
    kind: CaseKind | None = None
    category: str | None = Field(None, max_length=64, pattern=CODE_PATTERN, description="A category code.")
    overdue: bool | None = Field(None, description="Only open cases whose running deadline has passed.")
    q: str | None = Field(None, max_length=100, description="Words in the title or body, or a case reference.")
    order: Literal["oldest", "newest"] = Field("oldest", description="By submission time.")
    limit: int = Field(20, ge=1, le=100)
    after: str | None = Field(None, max_length=100, pattern=CODE_PATTERN,
                              description="The `next_cursor` of the previous page.")


class ReplyIn(Body):
    """The department's answer to the sender (the `reply` action)."""

    text: Text


class TransitionIn(Body):
    """One move of the state machine. Which fields a move needs depends on the action: `reason`
    for `request_info`, `reject`, `transfer`...; `department` (a department code) for `transfer`,
    `reassign`, `invite`; `officer` for `assign`; `due` for `request_extension`; `rating` for `rate`;
    `duplicate_of` (a case reference) for `merge`; `notes` for `reply`, `resubmit`, `note`."""

    action: Action
    reason: Text | None = None
    basis: Text | None = None
    notes: Text | None = None
    department: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    officer: Annotated[str, Field(min_length=1, max_length=32)] | None = Field(
        None, description="The colleague to assign, by their identifier."
    )
    due: date | None = None
    rating: Rating | None = None
    comment: Text | None = None
    duplicate_of: Annotated[str, Field(min_length=1, max_length=24)] | None = Field(
        None, description="The reference of the case this one duplicates."
    )


# --- services and policies ----------------------------------------------------------------------


class Service(Out):
    code: str
    name: Names
    summary: Names
    department: DepartmentRef
    audience: Audience
    time_limit_days: int = Field(description="The legal time limit in working days; 0: decided on the spot.")
    online: bool
    in_person: bool
    life_events: list[str] = Field(description="Codes of the life events the service belongs to.")


class ServiceDetail(Service):
    eligibility: Names
    materials: list[Names]
    fee: Names
    where: Names


class ServiceList(Out):
    items: list[Service]


class ServiceListQuery(Query):
    q: str | None = Field(None, max_length=100, description="Words, pinyin or pinyin initials.")
    department: str | None = Field(None, max_length=32, pattern=CODE_PATTERN, description="A department code.")
    audience: Audience | None = None


class Policy(Out):
    id: str
    document_number: str | None
    title: Names
    summary: Names
    department: DepartmentRef
    topic: PolicyTopic
    application_method: ApplicationMethod
    valid_from: date | None
    valid_until: date | None
    published_at: datetime | None


class PolicyDetail(Policy):
    benefit: Names
    beneficiaries: Names
    conditions: Names
    payment_time_limit: Names
    contacts: Names


class PolicyList(Out):
    items: list[Policy]


class PolicyListQuery(Query):
    q: str | None = Field(None, max_length=100)
    topic: PolicyTopic | None = None
    department: str | None = Field(None, max_length=32, pattern=CODE_PATTERN, description="A department code.")
    application_method: ApplicationMethod | None = None


class Criterion(Out):
    attribute: str
    op: str
    threshold: Any = Field(description="The policy's value: a number, a date, a pair, or a list of choices.")
    value: Any = Field(description="The company's value; null when the portal does not know it.")
    outcome: Literal["met", "not_met", "unknown"]
    clause: str | None


class Match(Out):
    enterprise: EnterpriseRef
    policy: Policy
    band: Band
    missing: list[str] = Field(description="Attributes the portal needs to know to decide.")
    criteria: list[Criterion]


class MatchList(Out):
    items: list[Match]


class MatchQuery(Query):
    uscc: str | None = Field(None, pattern=r"^[0-9A-Z]{18}$", description="Only this company (its USCC).")
    band: Band | None = None


# --- webhooks -----------------------------------------------------------------------------------

EventType = Literal[EVENT_TYPES]  # type: ignore[valid-type] - "case.accept", "case.close"...


class WebhookIn(Body):
    """An address to send case events to: https (http only to a loopback address where the portal
    allows it), signed as Standard Webhooks with the secret given once in the answer."""

    url: Annotated[str, Field(min_length=1, max_length=500)]
    event_types: list[EventType] = Field(min_length=1, max_length=len(EVENT_TYPES))


class Webhook(Out):
    id: str
    url: str
    event_types: list[str]
    enabled: bool
    created_at: datetime


class WebhookCreated(Webhook):
    secret: str = Field(description="The signing secret (`whsec_...`). Shown this once: keep it.")


class WebhookList(Out):
    items: list[Webhook]


# --- errors -------------------------------------------------------------------------------------


class FieldError(BaseModel):
    pointer: str = Field(description="A JSON pointer to the field (`/notes`), or the query parameter's name.")
    detail: str
    code: str = Field(description="What is wrong: `missing`, `unknown`, `too_long`, a type's name...")


class ProblemDetails(BaseModel):
    """RFC 9457 problem details, with a stable `code`."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    code: str
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = None
