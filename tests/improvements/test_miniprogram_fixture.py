"""The mini-program's improvement fixture is anchored to the server's answers: miniprogram/tests/fixtures/
improvements.json holds real answers (an item with a note, as POST …/notes and GET /me/improvements answer);
its Jest fixture (tests/helpers/contract.js improvement()) is checked against that file's keys, and this test
checks the file's keys against what the server answers now."""
from __future__ import annotations

import json
from pathlib import Path

import time_machine

from tests.proposals.test_miniprogram_fixture import shape

from .test_improvements import NOW, _create

API = "/api/v1"
FIXTURE = Path(__file__).resolve().parents[2] / "miniprogram/tests/fixtures/improvements.json"
HINT = "the server's ImprovementOut shape changed: refresh miniprogram/tests/fixtures/improvements.json " \
       "(and improvement() in miniprogram/tests/helpers/contract.js) from a real answer"


def test_fixture_has_the_servers_shape(client, make, auth):
    staff, head = make.staff(), make.member(name="车间主任")
    with time_machine.travel(NOW):
        item = _create(client, auth(staff), head.id, description="后厨地面积水")
        noted = client.post(f"{API}/improvements/{item['id']}/notes", headers=auth(head),
                            json={"body": "已铺设防滑垫"}).get_json()
        page = client.get(f"{API}/me/improvements", headers=auth(head)).get_json()
    stored = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert shape(noted) == shape(stored["item"]), HINT
    assert shape(page) == shape(stored["page"]), HINT
    assert [e["action"] for e in stored["item"]["events"]] == ["created", "note"]
