"""The statistics as people read them: formatted numbers, the charts' contents, the CSV file."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _

from gov.charts import BarChart, Series, bar_chart
from gov.services import Stats, StatsRow
from portal.spreadsheets import text_cell


def percent(value: float | None) -> str:
    return format_percent(value / 100, "#,##0.0%") if value is not None else "—"


def decimal(value: float | None) -> str:
    return format_decimal(value, "#,##0.0") if value is not None else "—"


def columns() -> list[str]:
    return [
        _("Department"), _("Received"), _("Closed"), _("Closed on time"), _("On time"), _("Overdue now"),
        _("Average handling time (working days)"), _("Ratings"), _("Satisfied"), _("Average rating (1–5)"),
    ]


def cells(row: StatsRow) -> list[str]:
    f = row.figures
    return [
        text_cell(row.name), str(f.received), str(f.closed), str(f.closed_on_time), percent(f.on_time_percent),
        str(f.overdue_now), decimal(f.average_handling_days), str(f.rated), percent(f.satisfaction_percent),
        decimal(f.average_score),
    ]


def csv_text(stats: Stats) -> str:
    """UTF-8 with a byte-order mark, which spreadsheet programs need to read Chinese names right."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([_("From"), stats.start.isoformat(), _("To"), stats.end.isoformat()])
    writer.writerow(columns())
    for row in [*stats.rows, stats.total]:
        writer.writerow(cells(row))
    return out.getvalue()


def charts(stats: Stats) -> list[BarChart]:
    rows = [row for row in stats.rows if row.figures.received or row.figures.closed or row.figures.overdue_now]
    period = _("%(start)s to %(end)s", start=stats.start.isoformat(), end=stats.end.isoformat())
    volume = bar_chart(
        "chart-volume",
        _("Cases received, closed and overdue, by department"),
        _("%(period)s. Bars per department: received, closed, overdue now. The table lists the same figures.",
          period=period),
        [Series("received", _("Received")), Series("closed", _("Closed")), Series("overdue", _("Overdue now"))],
        [
            (row.name, [(f.received, str(f.received)), (f.closed, str(f.closed)), (f.overdue_now, str(f.overdue_now))])
            for row in rows
            for f in [row.figures]
        ],
    )
    quality = bar_chart(
        "chart-quality",
        _("Closed on time and satisfaction, by department"),
        _("%(period)s. Bars per department: share closed on time, share of satisfied ratings. "
          "The table lists the same figures.", period=period),
        [Series("ontime", _("On time")), Series("satisfied", _("Satisfied"))],
        [
            (row.name, [(f.on_time_percent, percent(f.on_time_percent)),
                        (f.satisfaction_percent, percent(f.satisfaction_percent))])
            for row in rows
            for f in [row.figures]
            if f.closed or f.rated
        ],
        maximum=100,
    )
    return [chart for chart in (volume, quality) if chart.groups]


def quick_periods(today: date) -> list[tuple[str, date, date]]:
    first_of_month = today.replace(day=1)
    last_month_end = first_of_month - timedelta(days=1)
    return [
        (_("This month"), first_of_month, today),
        (_("Last month"), last_month_end.replace(day=1), last_month_end),
        (_("This year"), date(today.year, 1, 1), today),
        (_("Last year"), date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
    ]
