"""The refresh job: `flask refresh-open-data` and `portal.opendata.refresh(session, now=None)`."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Department, DepartmentKind, OpenDataSnapshot
from portal.opendata import DATASETS, find, refresh
from portal.opendata.spec import Built
from tests.opendata.conftest import AFTER_MARCH, snapshot


def test_the_command_publishes_every_dataset_with_its_sizes_and_hashes(app, small_district):
    result = app.test_cli_runner().invoke(args=["refresh-open-data"])
    assert result.exit_code == 0, result.output
    assert f"changed: {len(DATASETS)}, unchanged: 0, failed: 0" in result.output
    with app.app_context():
        for dataset in DATASETS:
            s = snapshot(dataset.slug)
            assert s is not None, dataset.slug
            assert s.csv_size == len(s.csv_data) and s.json_size == len(s.json_data)
            assert s.csv_sha256 == hashlib.sha256(s.csv_data).hexdigest()
            assert s.json_sha256 == hashlib.sha256(s.json_data).hexdigest()
            assert s.issued == s.modified == s.refreshed_at
            assert [f["name"] for f in s.fields] == dataset.field_names
        assert snapshot("departments").publisher["name_en"] == "District Data Bureau"

    again = app.test_cli_runner().invoke(args=["refresh-open-data"])
    assert f"changed: 0, unchanged: {len(DATASETS)}, failed: 0" in again.output


def test_an_unchanged_dataset_keeps_its_files_and_its_modified_time(app_context, published):
    before = snapshot("departments")
    modified, sha = before.modified, before.csv_sha256
    later = AFTER_MARCH + timedelta(days=1)
    report = refresh(db.session, now=later)
    assert "departments" in report.unchanged
    after = snapshot("departments")
    assert (after.modified, after.csv_sha256) == (modified, sha)
    assert after.refreshed_at == later


def test_a_change_in_the_data_moves_modified_for_that_dataset_only(app_context, published):
    db.session.add(Department(code="xqz", kind=DepartmentKind.TOWN, name_zh="新桥镇", name_en="Xinqiao Town"))
    db.session.commit()
    later = AFTER_MARCH + timedelta(hours=1)
    report = refresh(db.session, now=later)
    assert "departments" in report.changed and "service-catalogue" in report.unchanged
    changed = snapshot("departments")
    assert changed.modified == later and changed.issued == AFTER_MARCH
    assert "Xinqiao Town" in changed.csv_data.decode("utf-8-sig")
    assert snapshot("service-catalogue").modified == AFTER_MARCH


def test_a_dataset_that_fails_leaves_the_others_and_its_last_snapshot(app_context, published):
    def broken(session, now):
        raise RuntimeError("the source is down")

    def wrong_fields(session, now):
        return Built([{"code": "x"}])

    departments, calendar = find("departments"), find("working-day-calendar")
    kept = snapshot("departments").csv_sha256
    db.session.add(Department(code="xqz", kind=DepartmentKind.TOWN, name_zh="新桥镇", name_en="Xinqiao Town"))
    db.session.commit()
    report = refresh(
        db.session,
        now=AFTER_MARCH + timedelta(hours=1),
        datasets=[replace(departments, build=broken), replace(calendar, build=wrong_fields), find("case-categories")],
    )
    assert set(report.failed) == {"departments", "working-day-calendar"}
    assert "the source is down" in report.failed["departments"]
    assert "differ from declared" in report.failed["working-day-calendar"]
    assert report.unchanged == ["case-categories"]
    assert snapshot("departments").csv_sha256 == kept
    assert db.session.scalar(select(func.count(OpenDataSnapshot.id))) == len(DATASETS)


def test_refresh_is_importable_for_the_job_queue_and_defaults_now(app_context, small_district):
    import portal.opendata

    report = portal.opendata.refresh(db.session)
    assert len(report.changed) == len(DATASETS) and not report.failed


def test_seeding_the_demo_leaves_a_refreshed_catalogue(app, app_context):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert f"open datasets: {len(DATASETS)} published" in result.output
    assert db.session.scalar(select(func.count(OpenDataSnapshot.id))) == len(DATASETS)
    assert snapshot("service-catalogue").row_count >= 30
