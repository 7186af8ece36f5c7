"""Reading the published catalogue: what the pages and downloads serve. Never builds a dataset."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import OpenDataSnapshot
from portal.opendata.datasets import DATASETS, find
from portal.opendata.spec import Dataset

FORMATS = {"csv": "text/csv", "json": "application/json"}


@dataclass
class Entry:
    dataset: Dataset
    snapshot: OpenDataSnapshot

    @property
    def slug(self) -> str:
        return self.dataset.slug


def published(session: Session) -> list[Entry]:
    """Every dataset with a snapshot, in the catalogue's order (the files themselves not loaded)."""
    snapshots = {s.slug: s for s in session.scalars(select(OpenDataSnapshot))}
    return [Entry(d, snapshots[d.slug]) for d in DATASETS if d.slug in snapshots]


def entry(session: Session, slug: str) -> Entry | None:
    dataset = find(slug)
    if dataset is None:
        return None
    snapshot = session.scalar(select(OpenDataSnapshot).where(OpenDataSnapshot.slug == slug))
    return Entry(dataset, snapshot) if snapshot else None


def file_data(session: Session, slug: str, kind: str) -> bytes:
    column = OpenDataSnapshot.csv_data if kind == "csv" else OpenDataSnapshot.json_data
    return session.scalar(select(column).where(OpenDataSnapshot.slug == slug))


def search(entries: list[Entry], query: str) -> list[Entry]:
    """The entries whose title, description, keywords or name hold every word of the query, in
    either language (case-insensitive)."""
    words = query.casefold().split()
    if not words:
        return entries

    def text(item: Entry) -> str:
        d = item.dataset
        parts = [d.slug, d.title_zh, d.title_en, d.description_zh, d.description_en, *d.keywords_zh, *d.keywords_en]
        return " ".join(parts).casefold()

    return [item for item in entries if all(word in text(item) for word in words)]


def version(entries: list[Entry]) -> str:
    """Changes whenever anything the pages show from the snapshots changes."""
    digest = hashlib.sha256()
    for item in entries:
        s = item.snapshot
        digest.update(
            repr(
                (s.slug, s.content_hash, s.modified, s.issued, s.temporal_start, s.temporal_end, s.withheld_cells,
                 sorted(s.publisher.items()))
            ).encode()
        )
    return digest.hexdigest()
