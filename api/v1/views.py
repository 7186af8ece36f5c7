"""The API's operations. Each view: the principal and parsed input in, one service call, a
representation out; `http.operation` does the rest (see there)."""

from __future__ import annotations

from flask import current_app, jsonify, render_template, url_for
from flask_babel import lazy_gettext as _l

from api.v1 import bp, catalogue, openapi, reference, representations, schemas, webhooks
from api.v1 import cases as case_service
from api.v1.auth import Principal
from api.v1.http import PathParam, Result, operation
from api.v1.problems import CODES, Problem
from auth.oidc.claims import API_SCOPES, CASES_READ, CASES_WRITE, MATCHES_READ, SCOPES, WEBHOOKS_MANAGE
from portal.cases import IllegalTransition, InvalidCursor
from portal.extensions import db
from portal.models.base import utcnow
from portal.web import request_origin
from portal.webhooks.cli import policy_for

CASE_ID = PathParam("case_id", _l("The case's `id`."), max_length=32)
CASE_ERRORS = (409,)


# --- the document and its reference page -------------------------------------------------------


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.document()), {"Cache-Control": "public, max-age=300"}


bp.add_app_template_filter(reference.inline_code, "api_inline_code")


@bp.get("/docs")
def docs():
    document = openapi.document()
    return render_template(
        "api_v1/docs.html", document=document, operations=reference.operations(document),
        schemas=reference.schemas(document), codes=CODES, document_url=url_for("api_v1.openapi_document"),
        token_url=url_for("oidc.token", _external=True),
        scopes={name: info.description for name, info in SCOPES.items() if name in API_SCOPES},
    )


# --- cases ----------------------------------------------------------------------------------------


def _case_detail(principal: Principal, case, now) -> schemas.CaseDetail:
    company = representations.enterprises_of_cases(db.session, [case]).get(case.sender_enterprise_id)
    return representations.case(
        case, case_service.actions_for(db.session, principal, case, now), company=company,
        for_department=principal.is_department_system, model=schemas.CaseDetail,
        events=[representations.event(line) for line in case_service.history(db.session, principal, case)],
    )


def _load(principal: Principal, case_id: str, now, *, record: bool = False):
    try:
        return case_service.load_case(db.session, principal, case_id, now, request_origin() if record else None)
    except case_service.CaseNotFound:
        raise Problem("not_found", "No case with that id is visible to this token.") from None


@operation(bp, "GET", "/cases", tag="Cases", scope=CASES_READ, query=schemas.CaseListQuery,
           response=schemas.CasePage, summary=_l("List cases"),
           description=_l("A department system's token lists the cases its department owns, assists on or is "
                          "offered (as the desk does); a person's token lists their own cases and their "
                          "companies' appeals. Pages follow an opaque cursor."))
def list_cases(principal: Principal, query: schemas.CaseListQuery) -> Result:
    now = utcnow()
    try:
        found = case_service.list_cases(db.session, principal, query, now)
    except InvalidCursor:
        raise Problem("invalid_cursor", errors=[
            {"pointer": "after", "detail": "Not a cursor this list gave.", "code": "invalid"}
        ]) from None
    companies = representations.enterprises_of_cases(db.session, found.cases)
    items = [
        representations.case(case, case_service.actions_for(db.session, principal, case, now),
                             company=companies.get(case.sender_enterprise_id),
                             for_department=principal.is_department_system)
        for case in found.cases
    ]
    return Result(schemas.CasePage(items=items, next_cursor=found.next_cursor))


@operation(bp, "GET", "/cases/{case_id}", tag="Cases", scope=CASES_READ, path_params=(CASE_ID,),
           response=schemas.CaseDetail, summary=_l("Read a case with its history"))
def read_case(principal: Principal, case_id: str) -> Result:
    now = utcnow()
    case = _load(principal, case_id, now, record=True)
    return Result(_case_detail(principal, case, now))


def _move(principal: Principal, case_id: str, data: schemas.TransitionIn, sent_as: dict | None = None) -> Result:
    """Make the move; `sent_as` names fields as the client sent them (a reply's `text` is the move's `notes`)."""
    now = utcnow()
    case = _load(principal, case_id, now)
    try:
        case_service.act(db.session, principal, case, data, now, request_origin())
    except case_service.FieldProblem as problem:
        raise Problem("validation_failed", errors=[
            {"pointer": f"/{problem.field}", "detail": problem.detail, "code": problem.code}
        ]) from None
    except case_service.ActingNotAllowed:
        raise Problem("forbidden", "The delegation this token was issued under does not allow acting now.") from None
    except IllegalTransition as refused:
        if refused.code == "field_required":
            field = (sent_as or {}).get(refused.params.get("field"), refused.params.get("field"))
            raise Problem("validation_failed", errors=[
                {"pointer": f"/{field}", "detail": f"The action {data.action} needs {field}.", "code": "missing"}
            ]) from None
        raise Problem("illegal_transition", reason=refused.code, action=refused.action, state=refused.state,
                      allowed_actions=case_service.actions_for(db.session, principal, case, now)) from None
    return Result(_case_detail(principal, case, now), status=201,
                  location=url_for("api_v1.read_case", case_id=case.public_id, _external=True))


@operation(bp, "POST", "/cases/{case_id}/transitions", tag="Cases", scope=CASES_WRITE, path_params=(CASE_ID,),
           body=schemas.TransitionIn, response=schemas.CaseDetail, status=201, errors=CASE_ERRORS,
           summary=_l("Change a case's state"),
           description=_l("One move of the portal's case state machine, the same moves the desk offers: "
                          "`allowed_actions` on the case lists those this token may make now. Answers the case "
                          "as it is after the move."))
def change_state(principal: Principal, case_id: str, body: schemas.TransitionIn) -> Result:
    return _move(principal, case_id, body)


@operation(bp, "POST", "/cases/{case_id}/replies", tag="Cases", scope=CASES_WRITE, path_params=(CASE_ID,),
           body=schemas.ReplyIn, response=schemas.CaseDetail, status=201, errors=CASE_ERRORS,
           summary=_l("Answer the sender"),
           description=_l("The department's reply to the sender (the `reply` action, from `accepted` or "
                          "`in_progress`): the sender is told, and the case waits to be closed."))
def add_reply(principal: Principal, case_id: str, body: schemas.ReplyIn) -> Result:
    return _move(principal, case_id, schemas.TransitionIn(action="reply", notes=body.text), {"notes": "text"})


# --- the catalogue --------------------------------------------------------------------------------


@operation(bp, "GET", "/services", tag="Catalogue", query=schemas.ServiceListQuery, response=schemas.ServiceList,
           summary=_l("List the service guide"),
           description=_l("Public: no token needed. Search by words, pinyin or pinyin initials."))
def list_services(principal: Principal | None, query: schemas.ServiceListQuery) -> Result:
    found = catalogue.services(db.session, query)
    return Result(schemas.ServiceList(items=[representations.service(row) for row in found]))


@operation(bp, "GET", "/services/{code}", tag="Catalogue", response=schemas.ServiceDetail,
           path_params=(PathParam("code", _l("The service's code.")),), summary=_l("Read one service"))
def read_service(principal: Principal | None, code: str) -> Result:
    row = catalogue.service(db.session, code)
    if row is None:
        raise Problem("not_found", "No service has that code.")
    return Result(representations.service(row, detail=True))


@operation(bp, "GET", "/policies", tag="Catalogue", query=schemas.PolicyListQuery, response=schemas.PolicyList,
           summary=_l("List published policies"), description=_l("Public: no token needed."))
def list_policies(principal: Principal | None, query: schemas.PolicyListQuery) -> Result:
    found = catalogue.policies(db.session, query)
    return Result(schemas.PolicyList(items=[representations.policy(row) for row in found]))


@operation(bp, "GET", "/policies/{policy_id}", tag="Catalogue", response=schemas.PolicyDetail,
           path_params=(PathParam("policy_id", _l("The policy's `id`."), max_length=32),),
           summary=_l("Read one published policy"))
def read_policy(principal: Principal | None, policy_id: str) -> Result:
    row = catalogue.policy(db.session, policy_id)
    if row is None:
        raise Problem("not_found", "No published policy has that id.")
    return Result(representations.policy(row, detail=True))


@operation(bp, "GET", "/enterprises/me/matches", tag="Enterprises", scope=MATCHES_READ, query=schemas.MatchQuery,
           response=schemas.MatchList, summary=_l("Policies the person's companies qualify for"),
           description=_l("A person's token (an enterprise's legal representative, or an agent with the policies "
                          "scope): every published, open policy against each of their companies, qualified "
                          "first, then uncertain (with the facts the portal is missing), then near misses."))
def enterprise_matches(principal: Principal, query: schemas.MatchQuery) -> Result:
    try:
        found = catalogue.matches(db.session, principal, query, utcnow())
    except catalogue.NotAnEnterpriseUser:
        raise Problem("forbidden", "This needs the token of a person who acts for a company.") from None
    items = [representations.match(item.enterprise, item.ranked.policy, item.ranked.explanation) for item in found]
    return Result(schemas.MatchList(items=items))


# --- webhooks -------------------------------------------------------------------------------------

WEBHOOK_ONLY_FOR_SYSTEMS = "Only a department system's own token (client credentials) manages webhooks."


def _webhook(endpoint, secret: str | None = None) -> schemas.Webhook:
    fields = {"id": endpoint.public_id, "url": endpoint.url, "event_types": list(endpoint.event_types),
              "enabled": endpoint.enabled, "created_at": endpoint.created_at}
    return schemas.WebhookCreated(**fields, secret=secret) if secret else schemas.Webhook(**fields)


@operation(bp, "GET", "/webhooks", tag="Webhooks", scope=WEBHOOKS_MANAGE, response=schemas.WebhookList,
           summary=_l("List the system's webhook endpoints"))
def list_webhooks(principal: Principal) -> Result:
    try:
        found = webhooks.endpoints(db.session, principal)
    except webhooks.NotADepartmentSystem:
        raise Problem("forbidden", WEBHOOK_ONLY_FOR_SYSTEMS) from None
    return Result(schemas.WebhookList(items=[_webhook(endpoint) for endpoint in found]))


@operation(bp, "POST", "/webhooks", tag="Webhooks", scope=WEBHOOKS_MANAGE, body=schemas.WebhookIn,
           response=schemas.WebhookCreated, status=201, summary=_l("Send case events to an address"),
           description=_l("The department's case events of the chosen types are POSTed to the address, signed "
                          "(Standard Webhooks) with the secret in the answer, which is shown only this once; "
                          "failed deliveries are retried."))
def register_webhook(principal: Principal, body: schemas.WebhookIn) -> Result:
    try:
        endpoint, secret = webhooks.register(db.session, principal, body, policy=policy_for(current_app).addresses,
                                             origin=request_origin())
    except webhooks.NotADepartmentSystem:
        raise Problem("forbidden", WEBHOOK_ONLY_FOR_SYSTEMS) from None
    except webhooks.AddressRefused as refused:
        raise Problem("validation_failed", errors=[
            {"pointer": "/url", "detail": "The portal does not send events to that address.", "code": refused.reason}
        ]) from None
    return Result(_webhook(endpoint, secret), status=201)


@operation(bp, "DELETE", "/webhooks/{webhook_id}", tag="Webhooks", scope=WEBHOOKS_MANAGE, response=None, status=204,
           path_params=(PathParam("webhook_id", _l("The endpoint's `id`."), max_length=32),),
           summary=_l("Stop sending to an address"))
def stop_webhook(principal: Principal, webhook_id: str) -> Result:
    try:
        found = webhooks.stop(db.session, principal, webhook_id, origin=request_origin())
    except webhooks.NotADepartmentSystem:
        raise Problem("forbidden", WEBHOOK_ONLY_FOR_SYSTEMS) from None
    if not found:
        raise Problem("not_found", "The system has no webhook endpoint with that id.")
    return Result(None, status=204)
