"""Receipt look-ups need no sign-in and cost a 16 MiB scrypt each: they are limited per client address,
and only RECEIPT_CHECKS_CONCURRENT run at once on a host; beyond that they are refused at once."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from server.core.timeutil import SHANGHAI
from server.suggestions.checks import receipt_check_slot

ROOT = Path(__file__).resolve().parents[2]
MINE = "/api/v1/suggestions/mine"


def at(address: str) -> dict:
    return {"REMOTE_ADDR": address}


def test_receipt_lookups_are_limited_per_address(client, submit):
    receipt = submit().get_json()["receipt"]
    wrong = ("0" if receipt[0] != "0" else "1") + receipt[1:]
    attacker, member = "198.51.100.23", "203.0.113.80"
    # Guesses and replies count together: 20 a minute from one address.
    for i in range(20):
        r = client.get(MINE, headers={"X-Receipt": wrong if i % 2 else receipt}, environ_base=at(attacker))
        assert r.status_code in (200, 404), r.get_json()
    for r in (client.get(MINE, headers={"X-Receipt": receipt}, environ_base=at(attacker)),
              client.post(f"{MINE}/messages", headers={"X-Receipt": receipt}, json={"body": "补充"},
                          environ_base=at(attacker))):
        assert r.status_code == 429, r.get_json()
        assert r.get_json()["error"]["code"] == "rate_limited"
        assert 1 <= int(r.headers["Retry-After"]) <= 60
    # Another address is not affected.
    assert client.get(MINE, headers={"X-Receipt": receipt}, environ_base=at(member)).status_code == 200


def test_a_member_following_up_is_never_refused(client, submit, make, auth, file_now):
    """Open, reply, read again, on and off through the day, from the one address of a phone."""
    phone = at("203.0.113.81")
    start = datetime(2026, 12, 3, 8, 0, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False):
        created = submit().get_json()
    file_now()
    mine = {"X-Receipt": created["receipt"]}
    client.post(f"/api/v1/suggestions/{created['id']}/messages", json={"body": "已收到"}, headers=auth(make.staff()))
    for visit in range(8):
        with time_machine.travel(start + timedelta(minutes=40 * visit), tick=False):
            for _ in range(3):
                assert client.get(MINE, headers=mine, environ_base=phone).status_code == 200
            r = client.post(f"{MINE}/messages", headers=mine, json={"body": f"第{visit}次补充"}, environ_base=phone)
            assert r.status_code == 201, r.get_json()
            assert client.get(MINE, headers=mine, environ_base=phone).status_code == 200


@pytest.fixture
def slots(app, tmp_path, monkeypatch):
    """Receipt-check slots of this test alone (other test workers share the instance folder)."""
    monkeypatch.setitem(app.config, "RECEIPT_CHECK_DIR", str(tmp_path / "slots"))
    monkeypatch.setitem(app.config, "RECEIPT_CHECKS_CONCURRENT", 2)
    return tmp_path / "slots"


def _hold_slot_in_thread(app, release: threading.Event) -> threading.Thread:
    """A thread that takes a slot and blocks inside it until released, like a check that is running."""
    taken = threading.Event()

    def run():
        with app.app_context(), receipt_check_slot():
            taken.set()
            release.wait(30)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    assert taken.wait(10)
    return t


def _hold_slot_in_process(app, slot_dir: Path) -> subprocess.Popen:
    """Another process of the deployment (a second gunicorn worker) running a check until stdin closes."""
    code = (
        "import sys\n"
        "from server import create_app\n"
        "from server.suggestions.checks import receipt_check_slot\n"
        "app = create_app({'DATABASE_URL': 'sqlite://', 'RECEIPT_CHECKS_CONCURRENT': 2})\n"
        "with app.app_context(), receipt_check_slot():\n"
        "    print('holding', flush=True)\n"
        "    sys.stdin.read()\n"
    )
    env = {**os.environ, "RECEIPT_CHECK_DIR": str(slot_dir), "SECRET_KEY": app.config["SECRET_KEY"]}
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "holding"
    return proc


def _answer_within(client, receipt: str, seconds: float = 20):
    """The look-up, run so that a request queued behind the held slots shows up as no answer."""
    out = {}
    t = threading.Thread(target=lambda: out.setdefault("r", client.get(MINE, headers={"X-Receipt": receipt})),
                         daemon=True)
    t.start()
    t.join(seconds)
    assert "r" in out, "the look-up waited for a slot instead of being refused"
    return out["r"]


def test_checks_beyond_the_cap_are_refused_at_once_not_queued(app, client, submit, slots):
    receipt = submit().get_json()["receipt"]
    release = threading.Event()
    holder = _hold_slot_in_thread(app, release)
    worker = _hold_slot_in_process(app, slots)
    try:
        r = _answer_within(client, receipt)
        assert r.status_code == 503, r.get_json()
        assert r.get_json()["error"]["code"] == "service_unavailable"
        assert r.headers["Retry-After"] == "1"
        # A malformed receipt is refused before any hashing, so it needs no slot.
        r = _answer_within(client, "1234-not-a-receipt")
        assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
        # The other process's check ends (its worker was killed, even): its slot is free again.
        worker.kill()
        worker.wait()
        assert _answer_within(client, receipt).status_code == 200
    finally:
        release.set()
        holder.join(10)
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert _answer_within(client, receipt).status_code == 200


@pytest.mark.parametrize("raw", ["", " ", "-" * 40, "x" * 5000, "ÀÀÀÀ-ÀÀÀÀ-ÀÀÀÀ-ÀÀÀÀ", "1234-5678-9ABC-DEFG-H",
                                 "1234\t5678 9abc-defg", "'; DROP TABLE suggestions; --"])
def test_hostile_receipts_are_a_plain_404(client, raw):
    for r in (client.get(MINE, headers={"X-Receipt": raw}),
              client.post(f"{MINE}/messages", headers={"X-Receipt": raw}, json={"body": "x"})):
        assert r.status_code == 404, r.get_json()
        assert r.get_json()["error"]["code"] == "not_found"
