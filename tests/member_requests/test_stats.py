"""Request statistics against values computed by hand on a small dataset (both databases)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from server.core.timeutil import SHANGHAI
from server.member_requests.stats import request_stats

from .factory import make_request

API = "/api/v1"
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=SHANGHAI)  # every clock of the dataset has run out


def urgent(s, member, grid, category, first_h, resolved_h, created=T0):
    """An urgent request (first response due in 24 h, resolution in 48 h) answered after first_h hours and
    resolved after resolved_h hours (None: not yet)."""
    return make_request(
        s, member, grid=grid, category=category, urgent=True, created=created,
        first_response_at=None if first_h is None else created + timedelta(hours=first_h),
        resolved_at=None if resolved_h is None else created + timedelta(hours=resolved_h),
        status="submitted" if first_h is None else "accepted" if resolved_h is None else "resolved")


@pytest.fixture
def dataset(db, make):
    s = db.session
    m = make.member()
    a, b = make.grid("甲网格"), make.grid("乙网格")
    # rights, grid A: first response 2, 4, 6, 8, 30 h; resolved 10, 20, 30, 50 h, one not at all.
    for f, r in ((2, 10), (4, 20), (6, 30), (8, 50), (30, None)):
        urgent(s, m, a, "rights", f, r)
    # canteen (3, grid B) and training (2, no grid): groups under 5, merged into "other".
    for f, r in ((1, 5), (3, None), (None, None)):
        urgent(s, m, b, "canteen", f, r)
    m.grid_id = None
    for f, r in ((2, 4), (5, 60)):
        urgent(s, m, None, "training", f, r)
    urgent(s, m, a, "rights", 1, 2, created=T0 - timedelta(days=40))  # before the span
    s.flush()
    return a, b


RIGHTS = {"count": 5, "first_response_hours_median": 6.0, "first_response_hours_p90": 21.2,
          "resolution_hours_median": 25.0, "resolution_hours_p90": 44.0, "on_time_rate": 0.6, "resolved_rate": 0.8}
OTHER = {"count": 5, "first_response_hours_median": 2.5, "first_response_hours_p90": 4.4,
         "resolution_hours_median": 5.0, "resolution_hours_p90": 49.0, "on_time_rate": 0.4, "resolved_rate": 0.6}
TOTAL = {"count": 10, "first_response_hours_median": 4.0, "first_response_hours_p90": 12.4,
         "resolution_hours_median": 20.0, "resolution_hours_p90": 54.0, "on_time_rate": 0.5, "resolved_rate": 0.7}


def figures(group: dict) -> dict:
    return {k: v for k, v in group.items() if k not in ("key", "label")}


def test_by_category_and_grid_with_small_groups_merged(dataset):
    a, _ = dataset
    out = request_stats(date(2026, 11, 1), date(2026, 11, 30), now=NOW)
    assert figures(out["total"]) == TOTAL
    assert [(g["key"], g["label"]) for g in out["by_category"]] == [("rights", "权益维护"), ("other", "其他（合并）")]
    assert figures(out["by_category"][0]) == RIGHTS and figures(out["by_category"][1]) == OTHER
    assert [(g["key"], g["label"]) for g in out["by_grid"]] == [(str(a.id), "甲网格"), ("other", "其他（合并）")]
    assert figures(out["by_grid"][0]) == RIGHTS and figures(out["by_grid"][1]) == OTHER


def test_a_merged_group_still_under_five_shows_its_count_only(db, make):
    s = db.session
    m = make.member()
    for f, r in ((2, 10), (4, 20), (6, 30), (8, 40), (10, 44)):
        urgent(s, m, None, "welfare", f, r)
    for f, r in ((1, 5), (3, None)):
        urgent(s, m, None, "canteen", f, r)
    out = request_stats(date(2026, 11, 1), date(2026, 11, 30), now=NOW)
    other = out["by_category"][1]
    assert other["key"] == "other" and other["count"] == 2
    assert all(other[k] is None for k in RIGHTS if k != "count")
    assert out["by_category"][0]["on_time_rate"] == 1.0 and out["by_category"][0]["first_response_hours_p90"] == 9.2
    # Fewer than five in all: the total's figures are hidden too.
    few = request_stats(date(2026, 11, 1), date(2026, 11, 30), now=T0 + timedelta(hours=1))
    assert few["total"]["count"] == 7
    tiny = request_stats(date(2026, 10, 1), date(2026, 10, 31), now=NOW)
    assert tiny["total"] == {"key": "all", "label": "全部", "count": 0, **{k: None for k in RIGHTS if k != "count"}}
    assert tiny["by_category"] == [] and tiny["by_grid"] == []


def test_requests_still_within_their_clocks_do_not_count_for_or_against_on_time(db, make):
    s = db.session
    m = make.member()
    for f, r in ((2, 10), (4, 20), (30, 40)):
        urgent(s, m, None, "welfare", f, r)
    for _ in range(2):
        urgent(s, m, None, "welfare", None, None, created=NOW - timedelta(hours=1))  # young, nothing due yet
    out = request_stats(date(2026, 11, 1), date(2026, 12, 1), now=NOW)
    welfare = out["by_category"][0]
    assert welfare["count"] == 5 and welfare["on_time_rate"] == round(2 / 3, 4) and welfare["resolved_rate"] == 0.6


def test_stats_route(client, make, auth, dataset):
    staff = make.staff()
    r = client.get(f"{API}/requests/stats?from=2026-11-01&to=2026-11-30", headers=auth(staff))
    assert r.status_code == 200, r.json
    assert r.json["from"] == "2026-11-01" and r.json["to"] == "2026-11-30"
    assert r.json["total"]["count"] == 10 and [g["key"] for g in r.json["by_category"]] == ["rights", "other"]
    for bad in ("from=2026-12-01&to=2026-11-01", "from=2026-13-01", "to=yesterday", "from=1900-01-01"):
        r = client.get(f"{API}/requests/stats?{bad}", headers=auth(staff))
        assert r.status_code == 400 and r.json["error"]["code"] == "invalid_request", (bad, r.json)
    assert client.get(f"{API}/requests/stats", headers=auth(staff)).status_code == 200
    assert client.get(f"{API}/requests/stats", headers=auth(make.member(roles=("liaison",)))).status_code == 403
