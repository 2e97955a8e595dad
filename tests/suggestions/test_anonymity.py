"""Nothing kept after a submission points back at the member, and receipts are not stored in clear."""
from __future__ import annotations

import logging
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import inspect, text

SUGGESTION_TABLES = ("suggestions", "suggestion_messages", "suggestion_held_writes")


def dump(session) -> dict[str, list[list[str]]]:
    """Every row of every table in the database, each column as text."""
    conn = session.connection()
    out = {}
    for table in inspect(conn).get_table_names():
        rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
        out[table] = [["" if v is None else (v.hex() if isinstance(v, bytes) else str(v)) for v in r] for r in rows]
    return out


def receipt_forms(receipt: str) -> set[str]:
    plain = receipt.replace("-", "")
    return {receipt, plain, plain.lower(), receipt.lower(), " ".join(receipt.split("-"))}


def _assert_nothing_about(tables, member, openid, token, receipt):
    identifying = [openid, member.phone, member.employee_no, token]
    for name in SUGGESTION_TABLES:
        for row in tables[name]:
            assert str(member.id) not in row, (name, row)
            for cell in row:
                assert not any(v in cell for v in identifying), (name, row)
    everything = "\n".join("\t".join(row) for rows in tables.values() for row in rows).lower()
    for form in receipt_forms(receipt):
        assert form.lower() not in everything
    assert token not in everything


def test_submission_keeps_nothing_about_the_member(client, db, submitter, caplog, file_now):
    member, openid, token = submitter
    caplog.set_level(logging.DEBUG)
    r = client.post("/api/v1/suggestions", headers={"Authorization": f"Bearer {token}"},
                    json={"category": "pay_benefits", "title": "加班费", "content": "三班倒的加班费算错了"})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["status"] == "new"
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}", body["receipt"])
    # The receipt holder can reply, so the message table is searched too.
    assert client.post("/api/v1/suggestions/mine/messages", headers={"X-Receipt": body["receipt"]},
                       json={"body": "补充：是十月份"}).status_code == 201

    # While held, nothing is readable: neither the text nor the suggestion id the submitter was given.
    tables = dump(db.session)
    assert len(tables["suggestion_held_writes"]) == 2 and not tables["suggestions"]
    held = "\n".join("\t".join(row) for row in tables["suggestion_held_writes"])
    assert body["id"] not in held
    for text_ in ("加班费", "三班倒", "补充"):
        assert text_.encode().hex() not in held and text_ not in held
    _assert_nothing_about(tables, member, openid, token, body["receipt"])

    assert file_now() == 2
    tables = dump(db.session)
    assert tables["suggestions"] and tables["suggestion_messages"] and not tables["suggestion_held_writes"]
    _assert_nothing_about(tables, member, openid, token, body["receipt"])
    # The day only: no stored time on the suggestion row finer than a date.
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", row[-3]) for row in tables["suggestions"])

    for value in [str(member.id), openid, member.phone, member.employee_no, token, body["receipt"]]:
        assert value not in caplog.text


def test_database_file_holds_no_receipt_or_token(app, committing_db, caplog):
    """On the real file (SQLite), or all rows after a real commit (PostgreSQL)."""
    from server.members.auth import issue_token
    from server.suggestions.jobs import file_held_writes
    from tests.factories import Factory

    member = Factory(committing_db).member(employee_no="EMP-FILE-0001", phone="13800000001")
    member_id, phone = member.id, member.phone
    committing_db.session.commit()
    with app.test_request_context():
        token = issue_token(member_id)[0]
    client = app.test_client()
    caplog.set_level(logging.DEBUG)
    r = client.post("/api/v1/suggestions", headers={"Authorization": f"Bearer {token}"},
                    json={"category": "other", "content": "文件检查"})
    assert r.status_code == 201
    receipt = r.get_json()["receipt"]
    committing_db.session.remove()
    with app.app_context():
        assert file_held_writes(force=True) == 1
    committing_db.session.remove()

    texts = "\n".join("\t".join(row) for rows in dump(committing_db.session).values() for row in rows)
    committing_db.session.remove()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        raw = b"".join(_read_elsewhere(p) for p in (path, Path(f"{path}-wal")) if p.exists())
        texts += raw.decode("latin-1")
    assert "文件检查" in texts  # the scan did see the suggestion
    for form in receipt_forms(receipt) | {token}:
        assert form.lower() not in texts.lower()
    assert token not in caplog.text and phone not in caplog.text


def _read_elsewhere(path: Path) -> bytes:
    """The file's bytes, read by another process: closing any descriptor of a SQLite file drops every POSIX
    lock this process holds on it (SQLite's "how to corrupt a database", 2.2), after which another process
    may checkpoint under this one's open connections (SQLITE_IOERR_SHORT_READ in later tests)."""
    return subprocess.run([sys.executable, "-c", "import sys; sys.stdout.buffer.write(open(sys.argv[1], 'rb').read())",
                           str(path)], capture_output=True, check=True).stdout


def _median_ms(client, receipt: str, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        r = client.get("/api/v1/suggestions/mine", headers={"X-Receipt": receipt})
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, r.status_code


def test_wrong_receipt_is_404_and_takes_about_as_long(client, submit):
    receipt = submit().get_json()["receipt"]
    wrong_code = ("0" if receipt[0] != "0" else "1") + receipt[1:]
    # Interleaved, so that load from other processes falls on both sides alike.
    rights, wrongs = [], []
    for _ in range(7):
        rights.append(_median_ms(client, receipt, runs=1))
        wrongs.append(_median_ms(client, wrong_code, runs=1))
    assert {status for _, status in rights} == {200} and {status for _, status in wrongs} == {404}
    right = statistics.median(ms for ms, _ in rights)
    wrong = statistics.median(ms for ms, _ in wrongs)
    assert right / 3 < wrong < right * 3, (right, wrong)
    # A malformed receipt is refused before any hashing: its format is public, so speed says nothing.
    _, status = _median_ms(client, "not-a-receipt")
    assert status == 404


def test_receipt_is_read_tolerantly(client, submit):
    receipt = submit().get_json()["receipt"]
    sloppy = receipt.replace("-", " ").lower().replace("0", "o").replace("1", "l")
    r = client.get("/api/v1/suggestions/mine", headers={"X-Receipt": sloppy})
    assert r.status_code == 200
    assert client.get("/api/v1/suggestions/mine").status_code == 404
    assert client.get("/api/v1/suggestions/mine").get_json()["error"]["code"] == "not_found"


def test_ids_are_random(submit):
    ids = [submit().get_json()["id"] for _ in range(2)]
    assert all(len(i) >= 20 and not i.isdigit() for i in ids) and ids[0] != ids[1]
