"""The uploads job: uploads never attached within 24 hours go (rows, then files); files without a row, left
by a process killed between writing the file and committing its row, are swept after 24 hours."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import time_machine
from sqlalchemy import func, select

from server.uploads import attach, jobs
from server.uploads.models import Upload
from tests.factories import Factory

from . import pictures

API = "/api/v1"
ROOT = Path(__file__).resolve().parents[2]


def _post(client, headers, data: bytes | None = None) -> str:
    r = client.post(f"{API}/uploads", data={"file": (io.BytesIO(data or pictures.png("RGB")), "a.png")},
                    content_type="multipart/form-data", headers=headers)
    assert r.status_code == 201, r.get_json()
    return r.json["id"]


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def test_uploads_never_attached_within_24_hours_are_deleted_with_their_files(app, client, db, make, auth,
                                                                            storage_root):
    owner = make.member()
    headers = auth(owner)
    start = _now()
    with time_machine.travel(start):
        forgotten, used = _post(client, headers), _post(client, headers)
    with time_machine.travel(start + timedelta(hours=23)):
        recent = _post(client, auth(owner))  # a token of its time (they last 12 hours)
    attach.attach([used], owner_id=owner.id, kind="request", attached_id=1, limit=6)
    db.session.flush()
    key = {u.id: u.storage_key for u in db.session.scalars(select(Upload))}
    assert _files(storage_root) == set(key.values())

    with time_machine.travel(start + timedelta(hours=23, minutes=59)):
        assert jobs.clean_uploads() == (0, 0)  # not yet
    with time_machine.travel(start + timedelta(hours=24, minutes=1)):
        assert jobs.clean_uploads() == (1, 0)
    db.session.expire_all()
    assert set(db.session.scalars(select(Upload.id))) == {used, recent}
    assert _files(storage_root) == {key[used], key[recent]}
    with time_machine.travel(start + timedelta(hours=24, minutes=2)):
        assert jobs.clean_uploads() == (0, 0)  # a second run finds nothing
        assert client.get(f"{API}/uploads/{forgotten}", headers=auth(owner)).status_code == 404

    with time_machine.travel(start + timedelta(hours=47, minutes=1)):
        assert jobs.clean_uploads() == (1, 0)  # the later one, a day after its own upload
    assert _files(storage_root) == {key[used]}  # attached: kept for good


def test_a_row_whose_file_is_already_gone_is_deleted_all_the_same(client, db, make, auth, storage_root):
    """A kill after the rows' commit but before the file deletions, then a re-run, or a file removed by hand."""
    headers = auth(make.member())
    start = _now()
    with time_machine.travel(start):
        upload_id = _post(client, headers)
    (storage_root / db.session.get(Upload, upload_id).storage_key).unlink()
    with time_machine.travel(start + timedelta(days=2)):
        assert jobs.clean_uploads() == (1, 0)
    assert db.session.scalar(select(func.count()).select_from(Upload)) == 0


def test_more_orphans_than_one_batch_all_go(client, db, make, auth, storage_root, monkeypatch):
    headers = auth(make.member())
    monkeypatch.setattr(jobs, "BATCH", 2)
    start = _now()
    with time_machine.travel(start):
        for _ in range(5):
            _post(client, headers)
    with time_machine.travel(start + timedelta(days=1, minutes=1)):
        assert jobs.delete_orphans() == 5
    assert _files(storage_root) == set()


def test_stray_files_older_than_a_day_are_swept_and_nothing_else(client, db, make, auth, storage_root):
    headers = auth(make.member())
    kept = _post(client, headers)
    kept_key = db.session.get(Upload, kept).storage_key
    db.session.execute(Upload.__table__.update().values(attached_kind="request", attached_id=1))
    shard = storage_root / "ab" / "cd"
    shard.mkdir(parents=True)
    stray = shard / ("abcd" + "0" * 28 + ".jpg")  # a file whose row was never committed
    stray.write_bytes(pictures.phone_jpeg())
    leftover = shard / ".tmp-k2j4h5g6"  # a writer killed before its os.replace
    leftover.write_bytes(b"half a photo")
    foreign = [storage_root / "README.txt", storage_root / "zz" / "cd" / ("abcd" + "1" * 28 + ".jpg"),
               shard / "notes.txt"]
    for path in foreign:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("not ours")

    with time_machine.travel(datetime.now(UTC) + timedelta(hours=23)):
        assert jobs.sweep_strays() == 0  # too young: it may belong to a request still being answered
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=25)):
        assert jobs.sweep_strays() == 2
    assert not stray.exists() and not leftover.exists()
    assert (storage_root / kept_key).exists()
    assert all(path.exists() for path in foreign)


_KILLED_AFTER_WRITING = """
import os, signal, sys
from server import create_app
from server.uploads import services

app = create_app()
with app.test_request_context():
    upload = services.store_image(int(sys.argv[1]), open(sys.argv[2], "rb").read())  # file written, row flushed
    print(upload.storage_key, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # before the commit
"""


def test_a_process_killed_between_the_file_and_the_commit_leaves_a_stray_file_that_is_swept(
        app, committing_db, tmp_path, storage_root):
    member = Factory(committing_db).member()
    committing_db.session.commit()
    member_id = member.id
    committing_db.session.remove()  # no transaction of ours open while the other process writes
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(pictures.phone_jpeg())
    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"], "STORAGE_ROOT": str(storage_root),
           "SECRET_KEY": app.config["SECRET_KEY"]}
    run = subprocess.run([sys.executable, "-c", _KILLED_AFTER_WRITING, str(member_id), str(photo)], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == -signal.SIGKILL, run.stderr
    key = run.stdout.strip()
    assert _files(storage_root) == {key}
    with committing_db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Upload)).scalar() == 0

    with time_machine.travel(datetime.now(UTC) + timedelta(hours=1)):
        assert jobs.clean_uploads() == (0, 0)
    assert _files(storage_root) == {key}
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=25)):
        assert jobs.clean_uploads() == (0, 1)
    assert _files(storage_root) == set()


def test_the_scheduler_runs_the_uploads_job_hourly(app, committing_db, storage_root):
    from server import scheduler

    assert scheduler.build_scheduler(app).get_job("uploads").trigger.interval == timedelta(hours=1)
    member = Factory(committing_db).member()
    committing_db.session.commit()
    start = _now()
    with time_machine.travel(start):
        from server.uploads import services

        with app.test_request_context():
            services.store_image(member.id, pictures.png("RGB"))
            committing_db.session.commit()
    committing_db.session.remove()
    assert len(_files(storage_root)) == 1
    with time_machine.travel(start + timedelta(days=1, seconds=1)):
        scheduler.clean_uploads()  # the job's body, as the scheduler process calls it
    with committing_db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Upload)).scalar() == 0
    assert _files(storage_root) == set()
