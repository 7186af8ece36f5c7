"""How every company page loads its company: through `find_enterprise_for`, on each request,
so that an agent removed a moment ago gets 404 on the very next page."""

from __future__ import annotations

from functools import wraps

from flask import abort

from auth.access import requires_signin
from auth.session import current_account
from enterprise import services
from portal.extensions import db


def company_page(scope=None, legal_representative: bool = False):
    """Route decorator: signed in, and allowed to act for the company in the URL (within
    `scope`); the view receives the Enterprise in place of its public id."""

    def decorator(view):
        @wraps(view)
        @requires_signin
        def wrapper(public_id: str, *args, **kwargs):
            account = current_account()
            enterprise = services.company(db.session, account, public_id, scope) or abort(404)
            if legal_representative and not services.is_legal_representative(db.session, account, enterprise):
                abort(403)
            return view(enterprise, *args, **kwargs)

        return wrapper

    return decorator
