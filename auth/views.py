"""Sign-in, registration, password reset and second-factor pages."""

from __future__ import annotations

import time

from flask import flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from auth import bp, mfa, services
from auth.access import requires_signin
from auth.forms import (
    IDENTITY_ERRORS,
    LOCKED_ERRORS,
    PASSWORD_ERRORS,
    PASSWORD_PROOF_ERRORS,
    ActionForm,
    AuthenticatorWithPasswordForm,
    ChangePasswordForm,
    ConfirmPasswordForm,
    LoginForm,
    RegisterForm,
    RegistrationCodeForm,
    ResetForm,
    ResetRequestForm,
    SecondFactorForm,
)
from auth.passwords import PasswordRejected
from auth.session import (
    ACR_MFA,
    ACR_PASSWORD,
    clear_session,
    current_account,
    current_sign_in,
    end_session,
    raise_to_second_factor,
    start_session,
)
from portal.extensions import db, limiter
from portal.identity_numbers import mask_mobile
from portal.models.base import utcnow
from portal.urls import safe_local_path
from portal.web import NO_STORE, request_origin

PENDING_SECOND_FACTOR = "pending_second_factor"
PENDING_SECOND_FACTOR_SECONDS = 300
ENROLMENT_SECRET = "totp_enrolment_secret"  # noqa: S105 - a session key name


def _login_name_key() -> str:
    return (request.form.get("username") or "").strip().lower() or (request.remote_addr or "")


def _account_key() -> str:
    """A signed-in person's changes to their own account are limited per account, from any address."""
    account = current_account()
    return f"account:{account.public_id}" if account is not None else (request.remote_addr or "")


# Changes to how an account is proven: a person makes a few in a year; each is told to them by SMS.
account_change_limit = limiter.limit("10 per hour", key_func=_account_key, methods=["POST"])


def _next_target(form=None) -> str:
    raw = form.next.data if form is not None and form.next.data else request.args.get("next")
    return safe_local_path(raw, url_for("site.home"))


def _show_identity_error(form, field_name: str, error) -> None:
    messages = PASSWORD_ERRORS if isinstance(error, PasswordRejected) else IDENTITY_ERRORS
    form[field_name].errors = [*form[field_name].errors, messages[error.code]]


@bp.before_app_request
def load_account_preferences():
    account = current_account()
    if account is not None:
        g.account_locale = account.locale
        g.account_elder_mode = account.elder_mode


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
@limiter.limit("10 per minute", key_func=_login_name_key, methods=["POST"])
def login():
    form = LoginForm(next=request.args.get("next"))
    if form.validate_on_submit():
        outcome = services.authenticate(db.session, form.username.data, form.password.data, request_origin())
        if outcome.locked:
            form.username.errors = [_("Too many failed attempts. Wait 15 minutes, or reset your password.")]
            return render_template("auth/login.html", form=form), 429
        if not outcome.ok:
            form.password.errors = [_("The mobile number, login name or password is not right.")]
            return render_template("auth/login.html", form=form), 200
        account = outcome.account
        target = _next_target(form)
        if mfa.is_enrolled(account):
            clear_session()
            session[PENDING_SECOND_FACTOR] = {
                "account": account.public_id, "version": account.session_version, "at": int(time.time()),
            }
            return redirect(url_for("auth.mfa_challenge", next=target))
        start_session(account, acr=ACR_PASSWORD, amr=("pwd",))
        return redirect(target)
    return render_template("auth/login.html", form=form)


def _pending_account():
    pending = session.get(PENDING_SECOND_FACTOR)
    if not pending or time.time() - pending["at"] > PENDING_SECOND_FACTOR_SECONDS:
        return None
    account = services.find_account(db.session, pending["account"])
    if account is None or account.session_version != pending["version"]:
        return None
    return account


@bp.route("/mfa", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def mfa_challenge():
    account = current_account() or _pending_account()
    if account is None:
        return redirect(url_for("auth.login", next=request.args.get("next")))
    if not mfa.is_enrolled(account):
        return redirect(url_for("auth.mfa_setup", next=request.args.get("next")))
    form = SecondFactorForm(next=request.args.get("next"))
    if form.validate_on_submit():
        try:
            services.verify_second_factor(db.session, account, form.code.data, request_origin())
        except services.IdentityError as error:
            _show_identity_error(form, "code", error)
            if error.code in LOCKED_ERRORS:
                return render_template("auth/mfa_challenge.html", form=form), 429
        else:
            if current_account() is None:
                start_session(account, acr=ACR_MFA, amr=("pwd", "otp"))
            else:
                raise_to_second_factor()
            return redirect(_next_target(form))
    return render_template("auth/mfa_challenge.html", form=form)


@bp.route("/mfa/setup", methods=["GET", "POST"])
@limiter.limit("30 per hour", key_func=_account_key, methods=["POST"])
@requires_signin
def mfa_setup():
    sign_in = current_sign_in()
    account = sign_in.account
    now, replacing = utcnow(), mfa.is_enrolled(account)
    with_password = services.password_needed_to_enrol(replacing, sign_in.signed_in_at, now)
    form = (AuthenticatorWithPasswordForm if with_password else SecondFactorForm)(next=request.args.get("next"))
    secret = session.get(ENROLMENT_SECRET)
    if secret is None or request.method == "GET":
        secret = session[ENROLMENT_SECRET] = mfa.new_secret()
    if form.validate_on_submit():
        try:
            codes = services.enrol_totp(db.session, account, secret, form.code.data, request_origin(),
                                        signed_in_at=sign_in.signed_in_at, now=now, password=form.data.get("password"))
        except services.IdentityError as error:
            # (An authenticator turned on by another request since this page was shown: no such field.)
            asked_password = error.code in PASSWORD_PROOF_ERRORS and "password" in form
            _show_identity_error(form, "password" if asked_password else "code", error)
            if error.code in LOCKED_ERRORS:
                return _setup_page(form, account, secret, replacing), 429
        else:
            session.pop(ENROLMENT_SECRET, None)
            raise_to_second_factor()
            return render_template("auth/recovery_codes.html", codes=codes, next=_next_target(form))
    return _setup_page(form, account, secret, replacing)


def _setup_page(form, account, secret: str, replacing: bool) -> str:
    uri = mfa.provisioning_uri(secret, account.login_name)
    return render_template("auth/mfa_setup.html", form=form, secret=secret, qr=mfa.qr_data_uri(uri),
                           replacing=replacing)


@bp.post("/mfa/recovery-codes")
@account_change_limit
@requires_signin
def mfa_recovery_codes():
    form = ConfirmPasswordForm()
    if form.validate_on_submit():
        try:
            codes = services.new_recovery_codes(db.session, current_account(), form.password.data, request_origin())
        except services.IdentityError as error:
            flash(IDENTITY_ERRORS[error.code], "error")
        else:
            return render_template("auth/recovery_codes.html", codes=codes, next=url_for("auth.account"))
    else:
        flash(_("Your password is not right; nothing was changed."), "error")
    return redirect(url_for("auth.account"))


@bp.post("/mfa/remove")
@account_change_limit
@requires_signin
def mfa_remove():
    form = ConfirmPasswordForm()
    if form.validate_on_submit():
        try:
            services.remove_totp(db.session, current_account(), form.password.data, request_origin())
        except services.IdentityError as error:
            flash(IDENTITY_ERRORS[error.code], "error")
        else:
            flash(_("Your authenticator app has been removed."), "success")
    return redirect(url_for("auth.account"))


@bp.post("/logout")
def logout():
    form = ActionForm()
    if form.validate_on_submit():
        end_session()
        flash(_("You have signed out."), "success")
    return redirect(url_for("site.home"))


PENDING_REGISTRATION = "pending_registration"


def _registration_message(code: str) -> tuple[str, str]:
    return (
        _("Code to create your account"),
        _(
            "Your code to create your account on the district portal is %(code)s. It works for 15 minutes. "
            "Do not tell anyone this code. If you did not ask for it, ignore this message.",
            code=code,
        ),
    )


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def register():
    form = RegisterForm()
    if request.method == "GET":  # back from the code's page: the details typed are still there
        pending = services.pending_registration(db.session, session.get(PENDING_REGISTRATION), expired_too=True)
        if pending is not None and pending.confirmed_at is None:
            form = RegisterForm(formdata=None, real_name=pending.real_name, mobile=pending.mobile,
                                resident_id_number=pending.resident_id_number)
    if form.validate_on_submit():
        try:
            registration_id = services.begin_registration(
                db.session,
                real_name=form.real_name.data.strip(),
                mobile=form.mobile.data,
                resident_id_number=form.resident_id_number.data,
                password=form.password.data,
                origin=request_origin(),
                message=_registration_message,
            )
        except PasswordRejected as error:
            _show_identity_error(form, "password", error)
        except services.IdentityError as error:
            field = "resident_id_number" if error.code == "resident_id_taken" else "mobile"
            _show_identity_error(form, field, error)
        else:
            session[PENDING_REGISTRATION] = registration_id
            return redirect(url_for("auth.register_confirm"), 303)
    # It holds a one-time form token and what was typed: the back button must not bring back a copy.
    return render_template("auth/register.html", form=form), NO_STORE


# Refusals that end the code's page: where the person goes, and whether the registration is over.
LEAVING_REGISTRATION = {
    "registration_done": ("auth.login", True),
    "registration_expired": ("auth.register", False),  # its details are shown again
    "mobile_taken": ("auth.register", False),
    "resident_id_taken": ("auth.register", False),
}


def _leave_registration(code: str):
    target, over = LEAVING_REGISTRATION[code]
    if over:
        session.pop(PENDING_REGISTRATION, None)
    flash(IDENTITY_ERRORS[code], "success" if code == "registration_done" else "error")
    return redirect(url_for(target))


@bp.route("/register/confirm", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def register_confirm():
    public_id = session.get(PENDING_REGISTRATION)
    pending = services.pending_registration(db.session, public_id)
    if pending is None:
        return _leave_registration("registration_expired") if public_id else redirect(url_for("auth.register"))
    if pending.confirmed_at is not None:
        return _leave_registration("registration_done")
    masked_mobile = mask_mobile(pending.mobile)
    form = RegistrationCodeForm()
    if form.validate_on_submit():
        try:
            account = services.confirm_registration(db.session, public_id, form.code.data, request_origin())
        except services.IdentityError as error:
            if error.code in LEAVING_REGISTRATION:
                return _leave_registration(error.code)
            _show_identity_error(form, "code", error)
        else:
            session.pop(PENDING_REGISTRATION, None)
            start_session(account, acr=ACR_PASSWORD, amr=("pwd",))
            flash(_("Your account is ready."), "success")
            return redirect(url_for("citizen.index"))
    return render_template("auth/register_confirm.html", form=form, masked_mobile=masked_mobile), NO_STORE


@bp.post("/register/code")
@limiter.limit("10 per hour")
def register_resend():
    form = ActionForm()
    if form.validate_on_submit():
        try:
            services.resend_registration_code(db.session, session.get(PENDING_REGISTRATION), request_origin(),
                                              _registration_message)
        except services.IdentityError as error:
            if error.code in LEAVING_REGISTRATION:
                return _leave_registration(error.code)
            flash(IDENTITY_ERRORS[error.code], "error")
        else:
            flash(_("We have sent a new code. The one before no longer works."), "success")
    return redirect(url_for("auth.register_confirm"), 303)


def _reset_message(code: str) -> tuple[str, str]:
    return (
        _("Password reset code"),
        _(
            "Your code to reset your password is %(code)s. It works for 15 minutes. "
            "If you did not ask for it, ignore this message.",
            code=code,
        ),
    )


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
@limiter.limit("5 per hour", key_func=_login_name_key, methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(db.session, form.username.data, request_origin(), _reset_message)
        flash(_("If an account has that name, we have sent a code to its mobile number."), "success")
        return redirect(url_for("auth.reset_confirm", username=form.username.data))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/confirm", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def reset_confirm():
    form = ResetForm(username=request.args.get("username"))
    if form.validate_on_submit():
        try:
            services.reset_password(
                db.session, form.username.data, form.code.data, form.password.data, request_origin()
            )
        except PasswordRejected as error:
            _show_identity_error(form, "password", error)
        except services.IdentityError as error:
            _show_identity_error(form, "code", error)
        else:
            flash(_("Your password has been changed. Sign in with the new one."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_confirm.html", form=form)


@bp.get("/account")
@requires_signin
def account():
    current = current_account()
    return render_template(
        "auth/account.html",
        account=current,
        has_totp=mfa.is_enrolled(current),
        password_form=ChangePasswordForm(),
        confirm_form=ConfirmPasswordForm(),
        action_form=ActionForm(),
    )


@bp.route("/password", methods=["GET", "POST"])
@account_change_limit
@requires_signin
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        account = current_account()
        try:
            services.change_password(
                db.session, account, form.current_password.data, form.password.data, request_origin()
            )
        except PasswordRejected as error:
            _show_identity_error(form, "password", error)
        except services.IdentityError as error:
            _show_identity_error(form, "current_password", error)
            if error.code in LOCKED_ERRORS:
                return render_template("auth/change_password.html", form=form), 429
        else:
            # This session stays; every other one ends with the version change.
            kept = {key: session.get(key) for key in ("auth_time", "acr", "amr")}
            start_session(account, acr=kept["acr"] or ACR_PASSWORD, amr=tuple(kept["amr"] or ["pwd"]))
            session["auth_time"] = kept["auth_time"] or session["auth_time"]
            flash(_("Your password has been changed. You have been signed out everywhere else."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form)


@bp.post("/sign-out-everywhere")
@requires_signin
def sign_out_everywhere():
    form = ActionForm()
    if form.validate_on_submit():
        services.sign_out_everywhere(db.session, current_account(), request_origin())
        end_session()
        flash(_("You have signed out on every device."), "success")
    return redirect(url_for("site.home"))
