"""Files sent with a case, for the staff who can see the case (the desk's scope), as downloads."""

from __future__ import annotations

from flask import abort

from auth.access import requires_staff
from auth.session import current_account
from gov import bp
from portal import applications, audit
from portal.cases import cases_for_staff
from portal.downloads import send_attachment
from portal.extensions import db
from portal.web import request_origin


@bp.get("/cases/<public_id>/files/<int:attachment_id>")
@requires_staff()
def case_file(public_id: str, attachment_id: int):
    account = current_account()
    attachment = applications.staff_attachment(db.session, cases_for_staff(account), public_id, attachment_id)
    if attachment is None:
        abort(404)
    audit.record(db.session, "case.file_download", origin=request_origin(), actor_id=account.id,
                 object_type="case", object_id=public_id, attachment=attachment.id)
    db.session.commit()
    return send_attachment(attachment)
