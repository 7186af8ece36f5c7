"""One-time form tokens: a double click or a retried POST creates one thing, not two.

Every form that creates something (`portal.forms.SubmitOnceForm`) carries a hidden `form_token`:
a random nonce with its issue time, signed with the app's secret key so that any node can check
it. How a submission goes:

1. The form validates the token: a malformed one, or one older than `FORM_TOKEN_MAX_AGE`
   (24 hours by default), is refused with a message and the form is shown again with what was
   entered and a fresh token. A POST without any token is processed as it always was.
2. The next commit of the request writes the nonce to `used_form_token`, in the same transaction
   as whatever the form creates. The nonce is the primary key: when the same token is being
   submitted twice at the same moment, the second insert fails, that whole transaction is rolled
   back, and the second request is answered as a repeat (step 4). A submission refused by the
   service (the form shows an error) records nothing, so the person can correct and resend.
3. When the response is a redirect, its target is stored with the nonce.
4. A POST whose token is already recorded runs no view at all: it is redirected to the first
   submission's result with a short notice, or, when that answered with a page of its own
   (a client secret shown once), shown a page saying it was already sent. The record keeps who
   sent it: the same token from someone else (a page some cache shared) is refused in words with
   a fresh token, never answered with another person's result.

A page kept whole (portal.page_cache) holds a slot where the token goes (`SLOT`), and each answer
with it gets a fresh token there, so that two answers never share one.

Rows expire with their tokens; `flask purge-form-tokens` (or the periodic job) deletes them.
The database, not process memory, holds the tokens, so this works across any number of nodes.
"""

from __future__ import annotations

import logging
import secrets
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import click
from flask import Flask, current_app, flash, g, has_request_context, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner
from markupsafe import Markup
from sqlalchemy import delete, event, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from wtforms import HiddenField, ValidationError
from wtforms.widgets import HiddenInput

from portal.extensions import db
from portal.models.base import utcnow
from portal.models.form_token import UsedFormToken
from portal.urls import safe_local_path

log = logging.getLogger(__name__)

FIELD_NAME = "form_token"
DEFAULT_MAX_AGE = 24 * 3600
SALT = "portal.form-token"
_ENVIRON_KEY = "portal.form_token"
_FOREIGN_KEY = "portal.form_token.foreign"  # the token was used already, by someone else
# How long a repeat waits for the first submission (still being answered) to store its result.
WAIT_FOR_FIRST_SECONDS = 3.0

EXPIRED_MESSAGE = _l("This form was open for too long, so it was not sent. Check what you entered and send it again.")
MALFORMED_MESSAGE = _l("This form could not be checked, so it was not sent. Check what you entered and send it again.")
USED_ELSEWHERE_MESSAGE = _l("This copy of the form was already used, so it was not sent. Check what you entered and "
                            "send it again.")


class AlreadySubmitted(Exception):  # noqa: N818 - named for what the person did
    """The same form was sent twice at the same moment: this copy's transaction was rolled back."""

    def __init__(self, nonce: str):
        super().__init__(nonce)
        self.nonce = nonce


# --- tokens ---------------------------------------------------------------------------------------


def _signer(app: Flask) -> TimestampSigner:
    # Old keys still verify during a key rotation; new tokens are signed with the current key.
    keys = [*(app.config.get("SECRET_KEY_FALLBACKS") or []), app.config["SECRET_KEY"]]
    return TimestampSigner(keys, salt=SALT)


def max_age(app: Flask) -> int:
    return int(app.config.get("FORM_TOKEN_MAX_AGE", DEFAULT_MAX_AGE))


def issue(app: Flask | None = None) -> str:
    """A fresh token: a random nonce, its issue time and a signature."""
    return _signer(app or current_app).sign(secrets.token_urlsafe(16)).decode()


# What a kept page's forms hold where a token goes: each answer with the page puts a fresh token in
# each (`fill_slots`), so that no two answers share one. Random per process, like the CSRF slot.
SLOT = "formtokenslot" + secrets.token_hex(12)
SLOT_BYTES = SLOT.encode()
_SLOTS_WANTED = "portal_form_token_slots"  # in `g`, while a kept page renders


@contextmanager
def slots():
    """While it lasts, forms rendered get SLOT for their token rather than a fresh one (a kept part
    of the page, rendered inside, leaves them so)."""
    wanted_before = g.get(_SLOTS_WANTED, False)
    setattr(g, _SLOTS_WANTED, True)
    try:
        yield
    finally:
        setattr(g, _SLOTS_WANTED, wanted_before)


def fill_slots(body: bytes, app: Flask) -> bytes:
    """`body` with a fresh token in each slot (`body` itself when it has none)."""
    parts = body.split(SLOT_BYTES)
    if len(parts) == 1:
        return body
    filled = [parts[0]]
    for part in parts[1:]:
        filled += (issue(app).encode(), part)
    return b"".join(filled)


@dataclass(frozen=True)
class Checked:
    nonce: str
    issued_at: datetime


def check(token: str, app: Flask | None = None, *, expire: bool = True) -> Checked:
    """The token's nonce and issue time. Raises SignatureExpired when too old (unless `expire` is
    false), BadSignature when malformed or not ours."""
    app = app or current_app
    nonce, issued = _signer(app).unsign(token, max_age=max_age(app) if expire else None, return_timestamp=True)
    return Checked(nonce.decode(), issued.astimezone(UTC))


# --- the form field -------------------------------------------------------------------------------


class _TokenInput(HiddenInput):
    """Renders the submitted token when the form is shown again, else a fresh one each time, so
    one form object rendered several times on a page gives each copy its own token."""

    def __call__(self, field, **kwargs):
        kwargs["value"] = self.value_of(field)
        return super().__call__(field, **kwargs)

    @staticmethod
    def value_of(field) -> str:
        if field.data:
            return field._value()
        return SLOT if g.get(_SLOTS_WANTED) else issue()


_HIDDEN_INPUT = Markup('<input name="%s" type="hidden" value="%s">')


def hidden_input(field) -> Markup:
    """What `field(id=False)` renders for a hidden field (the CSRF token, this form token), written
    directly: WTForms formats each attribute through `Markup.format`, about 25 µs a field, and
    every form on a page carries one or two. A field with anything more (another widget, an
    attribute its flags or `render_kw` add) is rendered by WTForms."""
    widget = field.widget
    if (type(widget) not in (HiddenInput, _TokenInput) or field.render_kw or field.flags.disabled
            or getattr(field, "_datalist", None)):
        return field(id=False)
    value = widget.value_of(field) if type(widget) is _TokenInput else field._value()
    return _HIDDEN_INPUT % (field.name, value)


@dataclass
class _Pending:
    """The current request's token, once its form has validated it."""

    nonce: str
    expires_at: datetime
    account_id: int | None
    form: Any
    inserting: bool = False
    recorded: bool = False


def _validate_token(form, field) -> None:
    raw = (field.data or "").strip()
    if not raw:
        field.data = None  # no token: processed as before, without de-duplication
        return
    try:
        checked = check(raw)
    except SignatureExpired:
        field.data = None  # shown again with a fresh token
        raise ValidationError(EXPIRED_MESSAGE) from None
    except BadSignature:
        field.data = None
        raise ValidationError(MALFORMED_MESSAGE) from None
    if request.environ.get(_FOREIGN_KEY) == checked.nonce:
        field.data = None
        raise ValidationError(USED_ELSEWHERE_MESSAGE)
    request.environ[_ENVIRON_KEY] = _Pending(
        nonce=checked.nonce, expires_at=checked.issued_at + timedelta(seconds=max_age(current_app)),
        account_id=_signed_in(), form=form,
    )


def _signed_in() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def token_field() -> HiddenField:
    return HiddenField(validators=[_validate_token], widget=_TokenInput())


# --- recording, in the transaction of what the form creates ---------------------------------------


def _pending() -> _Pending | None:
    return request.environ.get(_ENVIRON_KEY) if has_request_context() else None


def _before_commit(session) -> None:
    pending = _pending()
    # A form showing errors was refused: whatever is committed now (an audit row) is not its result.
    if pending is None or pending.recorded or pending.form.errors:
        return
    try:
        session.execute(insert(UsedFormToken).values(nonce=pending.nonce, account_id=pending.account_id,
                                                     used_at=utcnow(), expires_at=pending.expires_at))
    except IntegrityError:
        raise AlreadySubmitted(pending.nonce) from None
    pending.inserting = True


def _after_commit(_session) -> None:
    pending = _pending()
    if pending is not None and pending.inserting:
        pending.inserting, pending.recorded = False, True


def _after_rollback(_session) -> None:
    pending = _pending()
    if pending is not None:
        pending.inserting = False


def _store_outcome(response):
    pending = _pending()
    if pending is None or not pending.recorded:
        return response
    try:
        with db.engine.begin() as connection:
            if pending.form.errors:  # refused after the commit: the person may correct and resend
                connection.execute(delete(UsedFormToken).where(UsedFormToken.nonce == pending.nonce))
            else:
                target = response.location if 300 <= response.status_code < 400 and response.location else ""
                connection.execute(update(UsedFormToken).where(UsedFormToken.nonce == pending.nonce)
                                   .values(target=target[:2000]))
    except SQLAlchemyError:  # a repeat then shows "already sent" without a link: never fail this answer
        log.warning("could not store the outcome of form token %s", pending.nonce, exc_info=True)
    return response


# --- answering a repeat ---------------------------------------------------------------------------


def _posted_token() -> str | None:
    if request.method != "POST" or request.mimetype not in ("application/x-www-form-urlencoded",
                                                            "multipart/form-data"):
        return None
    for key in request.form:  # prefixed forms (several on one page) send "<prefix>-form_token"
        if key == FIELD_NAME or key.endswith("-" + FIELD_NAME):
            return request.form[key] or None
    return None


@dataclass(frozen=True)
class _Record:
    target: str | None
    account_id: int | None

    def mine(self) -> bool:
        """Sent by whoever sends it again (or by nobody signed in, as a registration is)."""
        return self.account_id is None or self.account_id == _signed_in()


def _recorded(nonce: str) -> _Record | None:
    # A connection of its own for each look: on SQLite a transaction would keep seeing its snapshot.
    with db.engine.connect() as connection:
        row = connection.execute(
            select(UsedFormToken.target, UsedFormToken.account_id).where(UsedFormToken.nonce == nonce)
        ).first()
    return _Record(row[0], row[1]) if row is not None else None


def _answer_repeat(nonce: str):
    record = _recorded(nonce)
    deadline = time.monotonic() + WAIT_FOR_FIRST_SECONDS
    while record is not None and record.target is None and time.monotonic() < deadline:  # still being answered
        time.sleep(0.1)
        record = _recorded(nonce)
    back = safe_local_path(request.referrer and _local_part(request.referrer), "/")
    if record is not None and not record.mine():
        return render_template("form_tokens/already_submitted.html", back=back, elsewhere=True), 409
    if record is not None and record.target:
        flash(_("You had already sent this form. This is what came of it."), "success")
        return redirect(record.target, 303)
    return render_template("form_tokens/already_submitted.html", back=back, elsewhere=False), 200


def _local_part(url: str) -> str:
    """The path of a Referer on this site (the form's page), else nothing."""
    host = request.host_url.rstrip("/")
    return url[len(host):] if url.startswith(host + "/") else ""


def _check_repeat():
    token = _posted_token()
    if token is None:
        return None
    try:
        checked = check(token, expire=False)
    except BadSignature:
        return None  # the form refuses it with a message
    record = _recorded(checked.nonce)
    if record is None:
        return None
    if not record.mine():  # the view runs and its form refuses the token in words, keeping the entries
        request.environ[_FOREIGN_KEY] = checked.nonce
        return None
    return _answer_repeat(checked.nonce)


def _handle_already_submitted(error: AlreadySubmitted):
    db.session.rollback()
    return _answer_repeat(error.nonce)


# --- upkeep ---------------------------------------------------------------------------------------


def purge_expired(session, now: datetime | None = None) -> int:
    """Delete the records of tokens that have expired; returns how many. The caller commits."""
    result = session.execute(delete(UsedFormToken).where(UsedFormToken.expires_at < (now or utcnow())))
    return result.rowcount or 0


def purge_expired_job() -> int:
    """The periodic job: needs an app context."""
    count = purge_expired(db.session)
    db.session.commit()
    return count


_listening = False


def init_app(app: Flask) -> None:
    global _listening
    if not _listening:  # one Session class for every app in the process: listen once
        event.listen(db.session, "before_commit", _before_commit)
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_rollback", _after_rollback)
        _listening = True
    app.before_request(_check_repeat)
    app.after_request(_store_outcome)
    app.jinja_env.globals["hidden_input"] = hidden_input
    app.register_error_handler(AlreadySubmitted, _handle_already_submitted)

    @app.cli.command("purge-form-tokens")
    def purge_form_tokens_command():
        """Delete one-time form tokens that have expired (run daily, e.g. from cron)."""
        click.echo(f"{purge_expired_job()} expired form tokens deleted.")
