"""Refreshing the catalogue: build every dataset, write its CSV and JSON, store the snapshot.

`refresh(session, now=None)` is the job (`flask refresh-open-data`, or the job queue). A dataset
whose content is unchanged keeps its files, hashes and `modified` time, so caches and harvesters
see that nothing changed. Each dataset is committed on its own: one that fails to build leaves
the others refreshed and its previous snapshot in place.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Department, OpenDataSnapshot
from portal.models.base import utcnow
from portal.opendata.datasets import DATASETS
from portal.opendata.spec import LICENCE, Dataset
from portal.spreadsheets import text_cell

log = logging.getLogger(__name__)

PREVIEW_ROWS = 10
# The district's data office (区数据局) publishes the catalogue.
PUBLISHER_CODE = "sjj"
DEFAULT_PUBLISHER = {"code": PUBLISHER_CODE, "name_zh": "区数据局", "name_en": "District Data Bureau", "phone": None}


class DatasetError(ValueError):
    """A builder returned rows that do not match the dataset's declared fields."""


@dataclass
class RefreshReport:
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


# --- values as published --------------------------------------------------------------------------


def json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, str):
        return text_cell(value)  # the JSON file keeps the text exactly as it is
    return str(json_value(value))


def published_rows(dataset: Dataset, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with exactly the declared fields, in order, as JSON values."""
    names = dataset.field_names
    result = []
    for row in rows:
        if set(row) != set(names):
            raise DatasetError(f"{dataset.slug}: row fields {sorted(row)} differ from declared {sorted(names)}")
        result.append({name: json_value(row[name]) for name in names})
    return result


def content_hash(fields: list[dict], rows: list[dict]) -> str:
    canonical = json.dumps({"fields": fields, "rows": rows}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def csv_bytes(dataset: Dataset, rows: list[dict[str, Any]]) -> bytes:
    """UTF-8 with a byte-order mark, which spreadsheet programs need to read Chinese right."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(dataset.field_names)
    for row in rows:
        writer.writerow([csv_value(row[name]) for name in dataset.field_names])
    return b"\xef\xbb\xbf" + out.getvalue().encode()


def json_bytes(dataset: Dataset, fields: list[dict], rows: list[dict[str, Any]], modified: datetime) -> bytes:
    document = {
        "dataset": dataset.slug,
        "modified": modified.isoformat(),
        "license": LICENCE["uri"],
        "fields": fields,
        "rows": rows,
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the job --------------------------------------------------------------------------------------


def publisher(session: Session, code: str = PUBLISHER_CODE) -> dict[str, Any]:
    office = session.scalar(select(Department).where(Department.code == code))
    if office is None:
        return dict(DEFAULT_PUBLISHER)
    return {"code": office.code, "name_zh": office.name_zh, "name_en": office.name_en, "phone": office.phone}


def refresh(session: Session, now: datetime | None = None, datasets: Iterable[Dataset] = DATASETS) -> RefreshReport:
    """Build every dataset and store its snapshot; commits each dataset on its own."""
    now = now or utcnow()
    report = RefreshReport()
    office = publisher(session)
    for dataset in datasets:
        try:
            changed = _refresh_one(session, dataset, now, office)
            session.commit()
        except Exception as error:  # noqa: BLE001 - one dataset's failure must not stop the others
            session.rollback()
            log.exception("open data: refreshing %s failed", dataset.slug)
            report.failed[dataset.slug] = f"{type(error).__name__}: {error}"
            continue
        (report.changed if changed else report.unchanged).append(dataset.slug)
    return report


def _refresh_one(session: Session, dataset: Dataset, now: datetime, office: dict[str, Any]) -> bool:
    built = dataset.build(session, now)
    fields = [f.as_dict() for f in dataset.fields]
    rows = published_rows(dataset, built.rows)
    digest = content_hash(fields, rows)
    snapshot = session.scalar(select(OpenDataSnapshot).where(OpenDataSnapshot.slug == dataset.slug))
    changed = snapshot is None or snapshot.content_hash != digest
    if snapshot is None:
        snapshot = OpenDataSnapshot(slug=dataset.slug, issued=now)
        session.add(snapshot)
    if changed:
        csv_data, json_data = csv_bytes(dataset, rows), json_bytes(dataset, fields, rows, now)
        snapshot.content_hash = digest
        snapshot.fields, snapshot.preview, snapshot.row_count = fields, rows[:PREVIEW_ROWS], len(rows)
        snapshot.csv_data, snapshot.csv_size, snapshot.csv_sha256 = csv_data, len(csv_data), sha256(csv_data)
        snapshot.json_data, snapshot.json_size, snapshot.json_sha256 = json_data, len(json_data), sha256(json_data)
        snapshot.modified = now
    snapshot.withheld_cells = built.withheld_cells
    snapshot.temporal_start, snapshot.temporal_end = built.temporal or (None, None)
    snapshot.publisher = office
    snapshot.refreshed_at = now
    return changed
