"""Access rules, declared on routes: `@requires_signin`, `@requires_staff("lead")`, `@requires_admin`.

Government pages need a second factor: a staff member without an authenticator is sent to
enrol one, and one who signed in with a password only is asked for a code.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, redirect, request, url_for

from auth.session import current_account, current_sign_in
from portal.extensions import db
from portal.models import StaffRole


def _to(endpoint: str):
    return redirect(url_for(endpoint, next=request.full_path.rstrip("?")))


def requires_signin(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_account() is None:
            return _to("auth.login")
        return view(*args, **kwargs)

    return wrapper


def requires_staff(*roles: str | StaffRole):
    """Signed in with a second factor, holding a staff position (with one of `roles`, if given)."""
    wanted = {StaffRole(role) for role in roles}

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            from auth import mfa

            sign_in = current_sign_in()
            if sign_in is None:
                return _to("auth.login")
            account = sign_in.account
            enrolled = mfa.staff_standing(db.session, account)
            if enrolled is None:
                abort(403)
            if not enrolled:
                return _to("auth.mfa_setup")
            if not sign_in.with_second_factor:
                return _to("auth.mfa_challenge")
            if wanted and not any(p.role in wanted for p in account.staff_positions):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


requires_admin = requires_staff(StaffRole.ADMIN)
