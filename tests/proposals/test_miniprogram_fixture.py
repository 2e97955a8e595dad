"""The mini-program's proposal fixtures are anchored to the server's answers: miniprogram/tests/fixtures/
proposals.json holds real answers (a session, a submitted proposal with its timeline); its Jest fixtures are
checked against that file's keys, and this test checks the file's keys against what the server answers now."""
from __future__ import annotations

import json
from pathlib import Path

from .conftest import API, proposal_body

FIXTURE = Path(__file__).resolve().parents[2] / "miniprogram/tests/fixtures/proposals.json"
HINT = "the server's Proposal/Session shape changed: refresh miniprogram/tests/fixtures/proposals.json " \
       "(and the mini-program's fixtures in tests/helpers/contract.js) from a real answer"


def shape(value):
    """Keys, recursively (a list by its first item), not values."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return None


def test_fixture_has_the_servers_shape(client, people, session_id):
    sid = session_id()
    session = client.get(f"{API}/congress-sessions/{sid}", headers=people["proposer"][1]).get_json()
    pid = client.post(f"{API}/proposals", json=proposal_body(sid, deadline="2027-03-31"),
                      headers=people["proposer"][1]).get_json()["id"]
    invite = client.post(f"{API}/proposals/{pid}/invite", json={}, headers=people["proposer"][1]).get_json()
    for k in ("a", "b"):
        r = client.post(f"{API}/proposals/{pid}/cosign", json={"invite": invite["token"]}, headers=people[k][1])
        assert r.status_code == 201, r.get_json()
    proposal = client.post(f"{API}/proposals/{pid}/submit", headers=people["proposer"][1]).get_json()

    stored = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert shape(session) == shape(stored["session"]), HINT
    assert shape(proposal) == shape(stored["proposal"]), HINT
    assert shape(invite) == shape(stored["invite"]), HINT
    assert invite["page"] == f"pages/proposals/cosign?token={invite['token']}"
