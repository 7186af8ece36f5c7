"""An app keeping pages (portal.page_cache) on a clock the test moves."""

from __future__ import annotations

import pytest

from portal.page_cache import PageCache
from tests.helpers import Clock


@pytest.fixture
def cached_app(make_app, seeded):
    app = make_app(PAGE_CACHE_SECONDS=60)
    clock = Clock()
    app.extensions["page_cache"] = PageCache(size=64, seconds=60, clock=clock)
    app.test_clock = clock
    return app
