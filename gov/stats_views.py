"""Statistics per department and period: a table, two SVG charts and a CSV download."""

from __future__ import annotations

from flask import Response, render_template, request

from auth.access import requires_staff
from auth.session import current_account
from gov import bp, services, stats_report
from gov.forms import StatsForm
from portal.cases import local_date
from portal.extensions import db
from portal.i18n import current_language
from portal.models.base import utcnow


def _period(form: StatsForm):
    """The period asked for, else this year so far; the form shows the one used."""
    start, end = services.default_period(local_date(utcnow()))
    if form.validate():
        start, end = form.start.data or start, form.end.data or end
        form.start.data, form.end.data = start, end
    return start, end


@bp.get("/stats")
@requires_staff()
def stats():
    form = StatsForm(request.args)
    start, end = _period(form)
    figures = services.stats(db.session, current_account(), start, end, utcnow(), current_language())
    return render_template("gov/stats.html", form=form, stats=figures, charts=stats_report.charts(figures),
                           columns=stats_report.columns(), cells=stats_report.cells,
                           periods=stats_report.quick_periods(local_date(utcnow())))


@bp.get("/stats.csv")
@requires_staff()
def stats_csv():
    start, end = _period(StatsForm(request.args))
    figures = services.stats(db.session, current_account(), start, end, utcnow(), current_language())
    filename = f"case-statistics-{start.isoformat()}-{end.isoformat()}.csv"
    return Response(
        stats_report.csv_text(figures),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
