"""Reference numbers: readable, sequential per year, never handed out twice."""

from __future__ import annotations

import threading

from sqlalchemy.orm import Session

from portal.cases import allocate_reference
from portal.extensions import db


def test_references_count_up_per_year_and_prefix(app_context):
    session = db.session
    assert allocate_reference(session, 2026) == "SJ-2026-000001"
    assert allocate_reference(session, 2026) == "SJ-2026-000002"
    assert allocate_reference(session, 2027) == "SJ-2027-000001"
    assert allocate_reference(session, 2026, prefix="QY") == "QY-2026-000001"
    assert allocate_reference(session, 2026) == "SJ-2026-000003"


def test_a_rolled_back_filing_gives_its_number_back(app_context):
    session = db.session
    allocate_reference(session, 2026)
    session.commit()
    allocate_reference(session, 2026)
    session.rollback()
    assert allocate_reference(session, 2026) == "SJ-2026-000002"


def test_concurrent_allocations_never_collide(app_context):
    """Eight workers, each in its own transactions, racing for numbers (the first of the year too)."""
    engine = db.engine
    workers, each = 8, 10
    got: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(workers)

    def work():
        try:
            start.wait()
            for _ in range(each):
                with Session(engine) as session:
                    reference = allocate_reference(session, 2031)
                    session.commit()
                with lock:
                    got.append(reference)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(got) == [f"SJ-2031-{n:06d}" for n in range(1, workers * each + 1)]
