from __future__ import annotations

import pytest

from server.fund.chart import ensure_chart


@pytest.fixture(autouse=True)
def _chart(request):
    """The fund's chart of categories (the migration seeds it; create_all does not): a purchase names one."""
    if "db" in request.fixturenames:
        request.getfixturevalue("db")  # set up first: the chart goes into the test's transaction
        ensure_chart()
