"""The CSV files are opened in spreadsheet programs: text that would start a formula stays text."""

from __future__ import annotations

import csv
import io

import pytest

from gov.services import StatsRow
from gov.stats_report import cells
from portal.cases.statistics import DepartmentFigures
from portal.models.base import utcnow
from portal.opendata.datasets import find
from portal.opendata.publishing import csv_bytes, json_bytes
from portal.spreadsheets import text_cell


@pytest.mark.parametrize("typed", ['=HYPERLINK("http://evil.example","click")', "+1+1", "-2+3", "@SUM(A1)",
                                   "\t=1", "\r=1"])
def test_text_that_a_spreadsheet_would_run_is_written_as_text(typed):
    assert text_cell(typed) == "'" + typed


@pytest.mark.parametrize("typed", ["区发展和改革委员会", "Pothole on Renmin Road", "a=b", "", "'quoted"])
def test_other_text_is_written_as_it_is(typed):
    assert text_cell(typed) == typed


def test_a_dataset_csv_keeps_formulas_out_and_numbers_as_they_are():
    dataset = find("cases-by-department")
    row = dict.fromkeys(dataset.field_names, 0)
    row.update(department_zh='=HYPERLINK("http://evil.example","点击")', department_code="fgw", month="2024-03",
               received=-1)
    cells = list(csv.DictReader(io.StringIO(csv_bytes(dataset, [row]).decode("utf-8-sig"))))[0]
    assert cells["department_zh"] == '\'=HYPERLINK("http://evil.example","点击")'
    assert cells["received"] == "-1" and cells["department_code"] == "fgw"
    # The JSON file, read by programs rather than spreadsheets, keeps the text exactly as it is.
    assert b'"=HYPERLINK' in json_bytes(dataset, [], [row], utcnow())


def test_the_statistics_csv_keeps_a_department_name_from_running(app):
    with app.test_request_context():
        row = cells(StatsRow(None, "=1+2", DepartmentFigures(None, received=3)))
    assert row[:2] == ["'=1+2", "3"]
